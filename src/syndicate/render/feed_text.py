"""Text transformations of feed content: links made absolute in an entry's HTML, and RSS
plain text written with hexadecimal character references."""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.html


# Each body is in three or four feeds. A language's documents of one page follow each other,
# and feeds._Words keeps their contents; these are for the all-languages feed after them,
# which reuses all of a small site's. (Each kept body and its result stay to the end of the
# publish: a few, not a thousand, see benchmarks/notes.md.)
@lru_cache(maxsize=256)
def absolute_html(html: str, base_url: str) -> str:
    """Return ``html`` with every link and image URL made absolute against ``base_url``.

    >>> absolute_html('<p><a href="annex.pdf">Annex</a></p>', "https://press.example.org/en/x/")
    '<p><a href="https://press.example.org/en/x/annex.pdf">Annex</a></p>'
    """
    if not html.strip():
        return html
    wrapper = lxml.html.fragment_fromstring(html, create_parent="div")
    wrapper.make_links_absolute(base_url, resolve_base_href=False, handle_failures="ignore")
    serialized: str = lxml.html.tostring(wrapper, encoding="unicode")
    return serialized.removeprefix("<div>").removesuffix("</div>")


# RSS elements whose text is plain text, not HTML (the channel's <description> too, but not an
# item's). lxml writes their "&" and "<" as &amp; and &lt;, and leaves no other reference in them.
_RSS_PLAIN = re.compile(rb"<(?P<name>title|category|author|managingEditor|webMaster|dc:creator)>"
                        rb"(?P<text>[^<]*)</(?P=name)>")
_CHANNEL_DESCRIPTION = re.compile(rb"<(?P<name>description)>(?P<text>[^<]*)</description>")
_HEXADECIMAL = {b"&amp;": b"&#x26;", b"&lt;": b"&#x3C;", b"&gt;": b"&#x3E;"}
_REFERENCE = re.compile(rb"&(amp|lt|gt);")


def hexadecimal_references(rss: bytes) -> bytes:
    """``rss`` with "&", "<" and ">" in plain text written as hexadecimal character references.

    The same characters either way for an XML reader; but RSS readers that take a plain-text
    element for HTML would show ``&amp;`` as "&" and ``&lt;b&gt;`` as markup, so the RSS
    Best Practices Profile (and the W3C Feed Validator after it) asks for ``&#x26;`` and
    ``&#x3C;``, which no reader takes for markup.

    >>> hexadecimal_references(b"<title>R&amp;D &lt;b&gt;</title><item><description>&lt;p&gt;")
    b'<title>R&#x26;D &#x3C;b&#x3E;</title><item><description>&lt;p&gt;'
    """

    def plain(match: re.Match[bytes]) -> bytes:
        name, text = match["name"], match["text"]
        return b"<%s>%s</%s>" % (name, _REFERENCE.sub(lambda m: _HEXADECIMAL[m[0]], text), name)

    head, item, items = rss.partition(b"<item>")
    head = _CHANNEL_DESCRIPTION.sub(plain, _RSS_PLAIN.sub(plain, head), count=1)
    return head + item + _RSS_PLAIN.sub(plain, items)
