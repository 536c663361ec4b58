"""Markdown -> safe HTML.

markdown-it-py in CommonMark mode with raw HTML disabled (any HTML in the source is shown as
text, never passed through), then nh3 as the last layer: an allow-list of tags and attributes,
only http, https and mailto links, and every relative URL made absolute against the page's URL.
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

_parser = MarkdownIt("commonmark", {"html": False, "typographer": False})


def to_html(markdown: str, base_url: str) -> str:
    """Render ``markdown`` to sanitized HTML whose URLs are absolute against ``base_url``.

    >>> to_html("See [the IOM](/iom) <script>x</script>", "https://example.org/en/a/")
    '<p>See <a href="https://example.org/iom">the IOM</a> &lt;script&gt;x&lt;/script&gt;</p>\\n'
    """

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src"):
            url = urljoin(base_url, value.strip())
            scheme = urlsplit(url).scheme
            return url if scheme in URL_SCHEMES else None
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
