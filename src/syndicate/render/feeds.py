"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for each language, newest statement first.

Everything comes from the model, nothing from the clock, so the same statements always give the
same bytes. Dates are written in the site's time zone. A feed's ``updated`` (RSS
``lastBuildDate``) is the latest ``modified`` of its entries; an empty feed uses the Unix epoch,
because Atom requires the element and feedgen always writes ``lastBuildDate``.

Entry ids are RFC 4151 tag URIs (see :func:`entry_id`), stable across corrections and moves of
the statement's page. In Atom, an entry links to its own page first, then to its translations
(``hreflang``), then once more to its own page: readers that take the first alternate
(SimplePie, gofeed, Miniflux) and those that take the last (feedparser, newsboat) both land on
the page in the feed's language. The closing link has no ``hreflang``, so no two alternates share
a type and hreflang (RFC 4287, section 4.1.1).
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from syndicate import __version__
from syndicate.model import Artifact, Language, Site, Statement, Translation
from syndicate.render.feedgen_links import set_links

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
PDF_TYPE = "application/pdf"
HTML_TYPE = "text/html"
_MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}

# feedgen formats RFC 822 dates by switching the whole process to the C locale and back
# (feedgen.util.formatRFC2822); two feeds serialised at once in threads could restore each
# other's locale, so RSS serialisation is done one feed at a time.
_RFC822_LOCALE_LOCK = threading.Lock()


def render(
    site: Site, statements: Sequence[Statement], pdf_sizes: Mapping[str, int]
) -> list[Artifact]:
    """Return the RSS, Atom and JSON feeds of every language, in the site's language order.

    ``pdf_sizes`` maps a PDF's output path to its size in bytes; an entry gets its PDF as an
    enclosure only when the PDF is listed there.
    """
    ordered = newest_first(statements)
    artifacts: list[Artifact] = []
    for language in site.languages:
        published = [s for s in ordered if s.translation(language.code) is not None]
        for fmt, kind, data in (
            ("rss", "rss", _xml_feed(site, language, published, pdf_sizes, "rss")),
            ("atom", "atom", _xml_feed(site, language, published, pdf_sizes, "atom")),
            ("json", "jsonfeed", _json_feed(site, language, published, pdf_sizes)),
        ):
            artifacts.append(Artifact(site.feed_path(language.code, fmt), kind, language.code,
                                      None, data))
    return artifacts


def newest_first(statements: Sequence[Statement]) -> list[Statement]:
    """Sort by first publication, newest first; statements of the same instant by id."""
    return sorted(sorted(statements, key=lambda s: s.id), key=lambda s: s.date, reverse=True)


def entry_id(site: Site, statement: Statement, lang: str) -> str:
    """Return the permanent RFC 4151 tag URI of one translation of a statement.

    It is built from the site's host, the statement's first publication date in the site's
    time zone and its id, so a correction never changes it.
    """
    host = urlsplit(site.base_url).hostname or ""
    day = statement.date.astimezone(site.tzinfo).date().isoformat()
    return f"tag:{host},{day}:{statement.id}/{lang}"


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


def _feed_updated(site: Site, statements: Sequence[Statement]) -> datetime:
    if not statements:
        return EMPTY_FEED_UPDATED
    return max(s.modified for s in statements).astimezone(site.tzinfo)


def _description(language: Language) -> str:
    return language.description or language.title


def _pdf_size(site: Site, statement: Statement, lang: str,
              pdf_sizes: Mapping[str, int]) -> int | None:
    return pdf_sizes.get(site.pdf_path(statement.id, lang))


def _xml_feed(site: Site, language: Language, statements: Sequence[Statement],
              pdf_sizes: Mapping[str, int], fmt: str) -> bytes:
    """Build the RSS or Atom feed (``fmt``) of one language with feedgen."""
    code = language.code
    generator = FeedGenerator()
    if fmt == "rss":
        generator.load_extension("dc", atom=False, rss=True)
    generator.id(site.index_url(code))
    generator.title(language.title)
    generator.subtitle(_description(language))
    generator.description(_description(language))
    generator.author(name=language.issuer)
    generator.language(language.tag)
    generator.generator("syndicate", version=__version__)
    generator.link([  # the last one is also the RSS <link>, whatever its rel
        {"href": site.feed_url(code, fmt), "rel": "self", "type": _MEDIA_TYPES[fmt]},
        {"href": site.index_url(code), "rel": "alternate", "type": HTML_TYPE,
         "hreflang": language.tag},
    ])
    generator.updated(_feed_updated(site, statements))
    for statement in statements:
        entry = generator.add_entry(order="append")
        _fill_entry(entry, site, language, statement, pdf_sizes, rss=fmt == "rss")
    if fmt == "rss":
        with _RFC822_LOCALE_LOCK:
            data: bytes = generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
        return data
    atom: bytes = generator.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return atom


def _fill_entry(entry: FeedEntry, site: Site, language: Language, statement: Statement,
                pdf_sizes: Mapping[str, int], *, rss: bool) -> None:
    """Set one entry's fields; the same calls serve RSS and Atom."""
    code = language.code
    translation = statement.translation(code)
    assert translation is not None
    entry.id(entry_id(site, statement, code))  # also the RSS guid, isPermaLink="false"
    entry.title(translation.title)
    entry.published(statement.date.astimezone(site.tzinfo))
    entry.updated(statement.modified.astimezone(site.tzinfo))
    entry.author(name=language.issuer)
    if rss:
        entry.dc.dc_creator(language.issuer)  # RSS <author> must be an e-mail address
    if translation.summary:
        # Plain text in Atom; an RSS <description> is HTML, so the text is escaped there.
        summary = html.escape(translation.summary, quote=False) if rss else translation.summary
        entry.summary(summary, type="text")
    page_url = site.page_url(statement.id, code)
    entry.content(absolute_html(translation.body_html, page_url), type="html")
    for tag in translation.tags:
        entry.category(term=tag)
    set_links(entry, _entry_links(site, language, statement, translation, pdf_sizes))


def _entry_links(site: Site, language: Language, statement: Statement, translation: Translation,
                 pdf_sizes: Mapping[str, int]) -> list[dict[str, str]]:
    """Own page first, translations, own page again (see the module docstring), then the PDF."""
    own = site.page_url(statement.id, translation.lang)
    links = [{"href": own, "rel": "alternate", "type": HTML_TYPE, "hreflang": language.tag}]
    others = [t.lang for t in statement.translations if t.lang != translation.lang]
    for other in others:
        links.append({"href": site.page_url(statement.id, other), "rel": "alternate",
                      "type": HTML_TYPE, "hreflang": site.language(other).tag})
    if others:
        links.append({"href": own, "rel": "alternate", "type": HTML_TYPE})
    size = _pdf_size(site, statement, translation.lang, pdf_sizes)
    if size is not None:
        links.append({"href": site.pdf_url(statement.id, translation.lang), "rel": "enclosure",
                      "type": PDF_TYPE, "length": str(size), "hreflang": language.tag})
    return links


def _json_feed(site: Site, language: Language, statements: Sequence[Statement],
               pdf_sizes: Mapping[str, int]) -> bytes:
    """Build the JSON Feed 1.1 document of one language."""
    code = language.code
    items: list[dict[str, Any]] = []
    for statement in statements:
        translation = statement.translation(code)
        assert translation is not None
        page_url = site.page_url(statement.id, code)
        item: dict[str, Any] = {
            "id": entry_id(site, statement, code),
            "url": page_url,
            "title": translation.title,
            "content_html": absolute_html(translation.body_html, page_url),
        }
        if translation.summary:
            item["summary"] = translation.summary
        item["date_published"] = statement.date.astimezone(site.tzinfo).isoformat()
        item["date_modified"] = statement.modified.astimezone(site.tzinfo).isoformat()
        if translation.tags:
            item["tags"] = list(translation.tags)
        item["language"] = language.tag
        size = _pdf_size(site, statement, code, pdf_sizes)
        if size is not None:
            item["attachments"] = [{"url": site.pdf_url(statement.id, code),
                                    "mime_type": PDF_TYPE, "size_in_bytes": size}]
        items.append(item)
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": language.title,
        "home_page_url": site.index_url(code),
        "feed_url": site.feed_url(code, "json"),
        "description": _description(language),
        "language": language.tag,
        "authors": [{"name": language.issuer}],
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
