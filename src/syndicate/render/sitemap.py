"""``sitemap.xml``: every page, each with ``xhtml:link`` alternates for its translations.

Follows the sitemaps.org protocol with the hreflang extension search engines read: every
``<url>`` lists all the translations of its page, itself included, plus ``x-default``.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from syndicate.model import Artifact, Site, Statement

SITEMAP_PATH = "sitemap.xml"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def _url(
    parent: etree._Element, loc: str, lastmod: str | None, alternates: Sequence[tuple[str, str]]
) -> None:
    url = etree.SubElement(parent, f"{{{SITEMAP_NS}}}url")
    etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = loc
    if lastmod:
        etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
    for hreflang, href in alternates:
        etree.SubElement(
            url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=hreflang, href=href
        )


def render(site: Site, statements: Sequence[Statement]) -> Artifact:
    """The sitemap of the root, the per-language indexes and every statement page."""
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    indexes = [(lang.tag, site.index_url(lang.code)) for lang in site.languages]
    indexes.append(("x-default", site.base_url))
    _url(root, site.base_url, None, indexes)
    for lang in site.languages:
        _url(root, site.index_url(lang.code), None, indexes)
    for statement in sorted(statements, key=lambda s: s.id):
        alternates = [
            (site.language(code).tag, site.page_url(statement.id, code))
            for code in statement.languages
        ]
        if site.default_language in statement.languages:
            alternates.append(("x-default", site.page_url(statement.id, site.default_language)))
        lastmod = statement.modified.astimezone(site.tzinfo).isoformat(timespec="seconds")
        for code in statement.languages:
            _url(root, site.page_url(statement.id, code), lastmod, alternates)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Artifact(SITEMAP_PATH, "sitemap", None, None, data)
