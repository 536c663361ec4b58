"""``sitemap.xml``: every page, each with ``xhtml:link`` alternates for its translations (past
50,000 pages, an index of numbered sitemaps).

Follows the sitemaps.org protocol with the hreflang extension search engines read: every
``<url>`` lists all the translations of its page, itself included, plus ``x-default``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from syndicate.model import Artifact, Site, Statement, paginate
from syndicate.render.structured import modified_time

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # in one sitemap file, and as many sitemaps in an index (sitemaps.org)
MAX_BYTES = 50 * 1024 * 1024  # one sitemap file, uncompressed
XHTML_NS = "http://www.w3.org/1999/xhtml"


# What XML text escapes, and what libxml2 (lxml's serializer) escapes in an attribute's value
# besides: as ``xml.sax.saxutils`` would, without importing it (it imports ``urllib.request``,
# with ``http.client``, ``ssl`` and ``email``).
_TEXT_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_TEXT = str.maketrans(_TEXT_ENTITIES)
_ATTRIBUTE = str.maketrans({**_TEXT_ENTITIES, '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
                            "\t": "&#9;"})
_ESCAPED = re.compile(f"[{re.escape(''.join(map(chr, _ATTRIBUTE)))}]")  # what either changes


def escape(value: str, table: dict[int, str] = _TEXT) -> str:
    """``value`` escaped for XML text, or with the attribute ``table`` for an attribute's value
    in double quotes; looked for first: a sitemap has tens of thousands of values, nearly none
    with anything to escape.

    >>> escape('a&b <"c">'), escape('a&b <"c">', _ATTRIBUTE)
    ('a&amp;b &lt;"c"&gt;', 'a&amp;b &lt;&quot;c&quot;&gt;')
    """
    return value.translate(table) if _ESCAPED.search(value) else value


def _links(alternates: Sequence[tuple[str, str]]) -> str:
    return "".join(f'    <xhtml:link rel="alternate" hreflang="{escape(hreflang, _ATTRIBUTE)}"'
                   f' href="{escape(href, _ATTRIBUTE)}"/>\n' for hreflang, href in alternates)


def _url(loc: str, lastmod: str | None, links: str) -> str:
    modified = f"    <lastmod>{escape(lastmod)}</lastmod>\n" if lastmod else ""
    return f"  <url>\n    <loc>{escape(loc)}</loc>\n{modified}{links}  </url>\n"


def render(site: Site, statements: Sequence[Statement]) -> list[Artifact]:
    """The sitemap of the root, the per-language indexes and their archive pages, and every
    statement page: one file, ``sitemap.xml``; or, past the protocol's limits on one file
    (:data:`MAX_URLS`, :data:`MAX_BYTES`: a large archive in several languages), numbered
    sitemaps of every URL in order (``sitemap-1.xml``...) and ``sitemap.xml`` their index,
    each with the latest modification of the pages it lists.

    Written as text, not built as an lxml tree (2,000 pages are about 10,000 elements): the
    same bytes as lxml's serializer, tested against it, in less time (``benchmarks/notes.md``).
    """
    parts = _parts(_urls(site, statements))
    if len(parts) == 1:
        return [_file(site.sitemap_path(), URLSET, parts[0])]
    files = [_file(site.sitemap_part_path(number), URLSET, part)
             for number, part in enumerate(parts, 1)]
    listed = [_sitemap(site.base_url + file.path, _latest(part))
              for file, part in zip(files, parts, strict=True)]
    return [_file(site.sitemap_path(), INDEX, listed), *files]


def shown(statement: Statement) -> tuple[object, ...]:
    """What :func:`render` shows of a statement besides the site: its id, languages (its
    pages, and how many index pages each language has) and when readers last saw it change
    (its pages' lastmod). An edit of a statement's words or titles leaves it as it was: the
    publish then keeps the current version's sitemap (see
    :func:`syndicate.site_outputs.sitemap_files`)."""
    return (statement.id, statement.languages, statement.revised)


Url = tuple[str, str | None]  # a <url> element's text, and its lastmod if any
URLSET = f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n', "</urlset>\n"
INDEX = f'<sitemapindex xmlns="{SITEMAP_NS}">\n', "</sitemapindex>\n"
DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
INDEX_OPENING = (DECLARATION + INDEX[0]).encode("utf-8")  # a sitemap that lists sitemaps


def _urls(site: Site, statements: Sequence[Statement]) -> Iterator[Url]:
    indexes = [(lang.tag, site.index_url(lang.code)) for lang in site.languages]
    indexes.append(("x-default", site.base_url))
    links = _links(indexes)
    yield _url(site.base_url, None, links), None
    for lang in site.languages:
        yield _url(site.index_url(lang.code), None, links), None
    for lang in site.languages:  # (another language's page of that number lists others)
        translated = [s for s in statements if lang.code in s.languages]
        for number in range(1, len(paginate(translated, site.feed_limit)[1]) + 1):
            yield _url(site.index_archive_url(lang.code, number), None, ""), None
    for statement in sorted(statements, key=lambda s: s.id):
        codes = statement.languages
        alternates = [(site.language(code).tag, site.page_url(statement.id, code))
                      for code in codes]
        if site.default_language in codes:
            alternates.append(("x-default", site.page_url(statement.id, site.default_language)))
        links = _links(alternates)  # the same for each translation's page
        lastmod = modified_time(site, statement)  # as the page's article:modified_time
        for code in codes:
            yield _url(site.page_url(statement.id, code), lastmod, links), lastmod


def parts_listed(index: bytes) -> int:
    """How many numbered sitemaps the sitemap ``index`` lists (its bytes, which begin with
    :data:`INDEX_OPENING`), as :func:`render` writes it."""
    return index.count(b"<sitemap>")


def _parts(urls: Iterable[Url]) -> list[list[Url]]:
    """``urls`` in order, in as few files as the protocol's limits allow."""
    room = MAX_BYTES - len((DECLARATION + "".join(URLSET)).encode("utf-8"))
    parts: list[list[Url]] = [[]]
    size = 0
    for url in urls:
        length = len(url[0].encode("utf-8"))
        if parts[-1] and (len(parts[-1]) == MAX_URLS or size + length > room):
            parts.append([])
            size = 0
        parts[-1].append(url)
        size += length
    return parts


def _latest(part: Sequence[Url]) -> str | None:
    """The latest lastmod of ``part`` (compared as instants: offsets may differ)."""
    dated = [lastmod for _, lastmod in part if lastmod]
    return max(dated, key=datetime.fromisoformat) if dated else None


def _sitemap(loc: str, lastmod: str | None) -> Url:
    modified = f"    <lastmod>{escape(lastmod)}</lastmod>\n" if lastmod else ""
    return f"  <sitemap>\n    <loc>{escape(loc)}</loc>\n{modified}  </sitemap>\n", lastmod


def _file(path: str, element: tuple[str, str], items: Sequence[Url]) -> Artifact:
    opening, closing = element
    text = DECLARATION + opening + "".join(text for text, _ in items) + closing
    return Artifact(path, "sitemap", None, None, text.encode("utf-8"))
