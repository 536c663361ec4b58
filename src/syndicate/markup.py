"""Markdown -> safe HTML.

markdown-it-py in CommonMark mode with raw HTML disabled (any HTML in the source is shown as
text, never passed through), then nh3 as the last layer: an allow-list of tags and attributes,
only http, https and mailto links, and every relative URL made absolute against the page's URL.
:func:`lint` tells the writer what was dropped or shown as text, so publish can warn.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "code",
    "pre",
    "a",
    "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINKS_PUBLISHED = "only http, https and mailto links are published"

_parser = MarkdownIt("commonmark", {"html": False, "typographer": False})
# The same grammar, but seeing raw HTML and accepting every link: used only to find what the
# real parser shows as text or what the sanitizer drops, never to render.
_inspector = MarkdownIt("commonmark", {"html": True, "typographer": False})
_inspector.validateLink = lambda url: True  # type: ignore[method-assign]


def to_html(markdown: str, base_url: str) -> str:
    """Render ``markdown`` to sanitized HTML whose URLs are absolute against ``base_url``.

    >>> to_html("See [the IOM](/iom) <script>x</script>", "https://example.org/en/a/")
    '<p>See <a href="https://example.org/iom">the IOM</a> &lt;script&gt;x&lt;/script&gt;</p>\\n'
    """

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src"):
            url = urljoin(base_url, value.strip())
            scheme = urlsplit(url).scheme
            allowed = URL_SCHEMES if attribute == "href" else {"http", "https"}
            return url if scheme in allowed else None
        return value

    html = _parser.render(markdown)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=absolute,
        link_rel=None,
        strip_comments=True,
    )


def _shown(url: str, limit: int = 40) -> str:
    return repr(url if len(url) <= limit else url[: limit - 1] + "…")


def lint(markdown: str, base_url: str) -> list[tuple[int, str]]:
    """(line, message) for everything :func:`to_html` will not publish as written.

    Lines count from 1 at the first line of ``markdown``.

    >>> lint("Hi <b>there</b>", "https://example.org/")
    [(1, 'raw HTML shown as text')]
    """
    found: list[tuple[int, str]] = []
    for token in _inspector.parse(markdown):
        first = token.map[0] + 1 if token.map else 1
        if token.type == "html_block":
            found.append((first, "raw HTML shown as text"))
            continue
        line = first
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "html_inline":
                found.append((line, "raw HTML shown as text"))
            elif child.type == "link_open":  # images: see syndicate.assets
                url = str(child.attrs.get("href", ""))
                if urlsplit(urljoin(base_url, url.strip())).scheme not in URL_SCHEMES:
                    found.append((line, f"link to {_shown(url)} dropped: {LINKS_PUBLISHED}"))
    return list(dict.fromkeys(found))
