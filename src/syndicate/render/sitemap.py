"""``sitemap.xml``: every page, each with ``xhtml:link`` alternates for its translations.

Follows the sitemaps.org protocol with the hreflang extension search engines read: every
``<url>`` lists all the translations of its page, itself included, plus ``x-default``.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from syndicate.model import Artifact, Site, Statement, paginate
from syndicate.render.structured import modified_time

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


# What libxml2 (lxml's serializer) escapes in an attribute's value besides & < >
_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _links(alternates: Sequence[tuple[str, str]]) -> str:
    return "".join(f'    <xhtml:link rel="alternate" hreflang="{escape(hreflang, _ATTRIBUTE)}"'
                   f' href="{escape(href, _ATTRIBUTE)}"/>\n' for hreflang, href in alternates)


def _url(loc: str, lastmod: str | None, links: str) -> str:
    modified = f"    <lastmod>{escape(lastmod)}</lastmod>\n" if lastmod else ""
    return f"  <url>\n    <loc>{escape(loc)}</loc>\n{modified}{links}  </url>\n"


def render(site: Site, statements: Sequence[Statement]) -> Artifact:
    """The sitemap of the root, the per-language indexes and their archive pages, and every
    statement page.

    Written as text, not built as an lxml tree (2,000 pages are about 10,000 elements): the
    same bytes as lxml's serializer, tested against it, in less time (``benchmarks/notes.md``).
    """
    lines = ["<?xml version='1.0' encoding='UTF-8'?>\n",
             f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n']
    indexes = [(lang.tag, site.index_url(lang.code)) for lang in site.languages]
    indexes.append(("x-default", site.base_url))
    links = _links(indexes)
    lines.append(_url(site.base_url, None, links))
    for lang in site.languages:
        lines.append(_url(site.index_url(lang.code), None, links))
    for lang in site.languages:  # (another language's page of that number lists others)
        translated = [s for s in statements if s.translation(lang.code) is not None]
        for number in range(1, len(paginate(translated, site.feed_limit)[1]) + 1):
            lines.append(_url(site.index_archive_url(lang.code, number), None, ""))
    for statement in sorted(statements, key=lambda s: s.id):
        codes = statement.languages
        alternates = [(site.language(code).tag, site.page_url(statement.id, code))
                      for code in codes]
        if site.default_language in codes:
            alternates.append(("x-default", site.page_url(statement.id, site.default_language)))
        links = _links(alternates)  # the same for each translation's page
        lastmod = modified_time(site, statement)  # as the page's article:modified_time
        for code in codes:
            lines.append(_url(site.page_url(statement.id, code), lastmod, links))
    lines.append("</urlset>\n")
    return Artifact(site.sitemap_path(), "sitemap", None, None, "".join(lines).encode("utf-8"))
