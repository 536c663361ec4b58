"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for each language, newest statement first.

Everything comes from the model, nothing from the clock, so the same statements always give the
same bytes. Dates are written in the site's time zone. An entry is ``published`` when the
statement goes live (its date, or its embargo when that is later) and ``updated`` at its latest
correction, never before it went live. A feed's ``updated`` (RSS ``lastBuildDate``) is the latest
``updated`` of its entries; an empty feed uses the Unix epoch, because Atom requires the element
and feedgen always writes ``lastBuildDate``.

Entry ids are RFC 4151 tag URIs (see :func:`entry_id`), stable across corrections and moves of
the statement's page. In Atom, an entry links to its own page first, then to its translations
(``hreflang``), then once more to its own page: readers that take the first alternate
(SimplePie, gofeed, Miniflux) and those that take the last (feedparser, newsboat) both land on
the page in the feed's language. The closing link has no ``hreflang``, so no two alternates share
a type and hreflang (RFC 4287, section 4.1.1).

A corrected statement's entry content opens with the dated correction line and its note, as the
page and the communiqué do, in the feed's language (the interface catalogs are passed in), so a
subscriber learns what changed, not only that ``updated`` moved.
"""

from __future__ import annotations

import gettext
import html
import json
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from syndicate import __version__, i18n
from syndicate.model import (
    MULTIPLE_LANGUAGES,
    Artifact,
    Language,
    Site,
    Statement,
    Translation,
    newest_first,
    paginate,
)
from syndicate.render.feed_extensions import set_entry_language, set_head
from syndicate.render.feed_text import absolute_html, hexadecimal_references
from syndicate.render.feedgen_links import set_links

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
PDF_TYPE = "application/pdf"
HTML_TYPE = "text/html"
_MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
COMBINED_LANG = MULTIPLE_LANGUAGES  # its xml:lang (BCP 47: multiple languages)
CORRECTED = i18n.N_("Corrected on %(date)s")  # the page's and the communiqué's words


@dataclass(frozen=True, slots=True)
class _FeedMeta:
    """What a feed says about itself."""

    id: str
    title: str
    description: str
    tag: str  # the document's language
    home: str  # its HTML page
    home_lang: str  # that page's hreflang, "" for none
    authors: tuple[Language, ...]  # whose issuers (and e-mail addresses) sign it


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a document sits in its feed's RFC 5005 history."""

    site: Site
    current: str  # the subscription document's path
    lang: str | None  # None for the all-languages feed
    fmt: str
    archives: int  # how many archive documents the feed has
    number: int = 0  # this archive document's number (1 = oldest); 0 for the subscription one

    def url(self, number: int) -> str:
        """The URL of archive ``number``, or of the subscription document for 0."""
        path = self.site.feed_archive_path(self.lang, number, self.fmt) if number else self.current
        return self.site.base_url + path

# feedgen formats RFC 822 dates by switching the whole process to the C locale and back
# (feedgen.util.formatRFC2822); two feeds serialised at once in threads could restore each
# other's locale, so RSS serialisation is done one feed at a time.
_RFC822_LOCALE_LOCK = threading.Lock()


def render(
    site: Site, statements: Sequence[Statement], pdf_sizes: Mapping[str, int],
    skip: Collection[str] = (), catalogs: Mapping[str, gettext.NullTranslations] | None = None,
) -> Iterator[Artifact]:
    """Every feed document, one at a time (an archive's feeds hold all its words: they are
    written as they come, never all in memory): per language (in the site's order) the RSS,
    Atom and JSON feeds and then their archive documents, and last the all-languages Atom feed
    and its archives.

    ``pdf_sizes`` maps a PDF's output path to its size in bytes; an entry gets its PDF as an
    enclosure only when the PDF is listed there. Documents whose paths are in ``skip`` are
    left out (a publish reuses them: see :func:`document_inputs`). ``catalogs`` (by language
    code) give the correction line its words; a language without one gets the English msgid.
    """
    words = _Words(site, catalogs or {})
    ordered = newest_first(statements)
    for language in site.languages:
        code = language.code
        entries = [(s, language) for s in ordered if code in s.languages]
        current, archives = paginate(entries, site.feed_limit)
        meta = _language_meta(site, language)
        for fmt in ("rss", "atom"):
            if site.feed_path(code, fmt) in skip:
                continue
            place = _Place(site, site.feed_path(code, fmt), code, fmt, len(archives))
            yield Artifact(site.feed_path(code, fmt), fmt, code, None,
                           _xml_feed(site, meta, current, pdf_sizes, fmt, place, words))
        if site.feed_path(code, "json") not in skip:
            yield Artifact(site.feed_path(code, "json"), "jsonfeed", code, None,
                           _json_feed(site, language, current, pdf_sizes, words))
        for number, page in enumerate(archives, 1):
            for fmt in ("rss", "atom"):
                if site.feed_archive_path(code, number, fmt) in skip:
                    continue
                place = _Place(site, site.feed_path(code, fmt), code, fmt,
                               len(archives), number)
                yield Artifact(
                    site.feed_archive_path(code, number, fmt), f"{fmt}-archive", code, None,
                    _xml_feed(site, meta, page, pdf_sizes, fmt, place, words))
    yield from _combined(site, ordered, pdf_sizes, words, skip)


# One page of a feed's entries, and the documents that show it: each document's path and
# what its bytes depend on besides the site, the tool and the page's entries (its format and
# place: how many archives it links to, or whether a newer archive follows); each entry its
# statement and language (with its PDF's size: see pdf_size).
FeedPage = tuple[list[tuple[str, tuple[object, ...]]], list[tuple[Statement, str]]]


def document_inputs(site: Site, statements: Sequence[Statement]) -> list[FeedPage]:
    """For each page of entries :func:`render` writes (a feed's subscription document or an
    archive), the documents that show it and what each depends on; the caller hashes the
    entries' content once for a page's RSS, Atom and JSON documents.

    An archive page is full and numbered from the oldest, so it stays the same while newer
    statements arrive (RFC 5005); a subscription document stays the same while its newest
    entries do (an edit of an older statement changes only its archive page): a publish reuses
    any of them as long as these inputs are unchanged.
    """
    ordered = newest_first(statements)
    groups: list[tuple[str | None, tuple[str, ...], list[tuple[Statement, str]]]] = [
        (lang.code, ("rss", "atom", "json"),
         [(s, lang.code) for s in ordered if lang.code in s.languages])
        for lang in site.languages
    ]
    groups.append((None, ("atom",), [(s, lang) for s in ordered for lang in s.languages]))
    found: list[FeedPage] = []
    for code, formats, entries in groups:
        current, archives = paginate(entries, site.feed_limit)
        found.append(([(site.feed_path(code, fmt) if code else site.combined_feed_path(),
                        (fmt, code, "subscription", len(archives))) for fmt in formats],
                      current))
        found.extend(([(site.feed_archive_path(code, number, fmt),
                        (fmt, code, number, number < len(archives)))
                       for fmt in formats if fmt != "json"],  # (a JSON Feed has no archives)
                      page) for number, page in enumerate(archives, 1))
    return found


def _combined(site: Site, ordered: Sequence[Statement], pdf_sizes: Mapping[str, int],
              words: _Words, skip: Collection[str] = ()) -> Iterator[Artifact]:
    """The all-languages Atom feed and its archives; each entry carries its own ``xml:lang``."""
    entries = [(s, site.language(lang)) for s in ordered for lang in s.languages]
    current, archives = paginate(entries, site.feed_limit)
    issuers: dict[str, Language] = {}
    for language in site.languages:
        issuers.setdefault(language.issuer, language)
    meta = _FeedMeta(
        id=site.base_url,
        title=" · ".join(language.title for language in site.languages),
        description=" · ".join(_description(language) for language in site.languages),
        tag=COMBINED_LANG,
        home=site.base_url,
        home_lang="",
        authors=tuple(issuers.values()),
    )
    place = _Place(site, site.combined_feed_path(), None, "atom", len(archives))
    if site.combined_feed_path() not in skip:
        yield Artifact(site.combined_feed_path(), "atom", COMBINED_LANG, None,
                       _xml_feed(site, meta, current, pdf_sizes, "atom", place, words))
    for number, page in enumerate(archives, 1):
        if site.feed_archive_path(None, number, "atom") in skip:
            continue
        place = replace(place, number=number)
        yield Artifact(site.feed_archive_path(None, number, "atom"), "atom-archive",
                       COMBINED_LANG, None,
                       _xml_feed(site, meta, page, pdf_sizes, "atom", place, words))


def entry_id(site: Site, statement: Statement, lang: str) -> str:
    """Return the permanent RFC 4151 tag URI of one translation of a statement.

    It is built from the site's host, the statement's first publication date in the site's
    time zone and its id, so a correction never changes it.
    """
    host = urlsplit(site.base_url).hostname or ""
    day = statement.date.astimezone(site.tzinfo).date().isoformat()
    return f"tag:{host},{day}:{statement.id}/{lang}"


class _Words:
    """What an entry's content says besides the body: the correction line, in its language.

    The entries' contents last made are kept, as many as a feed's page holds at most (see
    :func:`model.paginate`): a page's entries are in its RSS and Atom documents (and the
    subscription page's in the JSON Feed), one after the other, and each content is made once,
    its statement's words read once from the statement cache (not once per document)."""

    def __init__(self, site: Site, catalogs: Mapping[str, gettext.NullTranslations]) -> None:
        self.site = site
        self.catalogs = catalogs
        # by statement id and language: the statement and its content, the latest last
        self._made: OrderedDict[tuple[str, str], tuple[Statement, str]] = OrderedDict()

    def correction(self, statement: Statement, language: Language) -> str:
        """The page's correction paragraph (HTML), or "" for a statement never corrected."""
        if statement.updated is None or statement.updated == statement.date:
            return ""
        translation = statement.translation(language.code)
        assert translation is not None
        catalog = self.catalogs.get(language.code) or gettext.NullTranslations()
        date = i18n.long_date(statement.updated, self.site.tzinfo, language.locale)
        line = html.escape(catalog.gettext(CORRECTED) % {"date": date})
        note = f": {html.escape(translation.correction)}" if translation.correction else ""
        return (f'<p class="correction"><time datetime="{statement.updated.isoformat()}">'
                f"{line}</time>{note}</p>\n")

    def content(self, statement: Statement, language: Language) -> str:
        """An entry's HTML content: the correction line, then the body, URLs made absolute."""
        made, key = self._made, (statement.id, language.code)
        kept = made.get(key)
        if kept is not None and kept[0] is statement:
            made.move_to_end(key)
            return kept[1]
        translation = statement.translation(language.code)
        assert translation is not None
        page_url = self.site.page_url(statement.id, language.code)
        content = (self.correction(statement, language)
                   + absolute_html(translation.body_html, page_url))
        made[key] = (statement, content)
        made.move_to_end(key)
        if len(made) > 2 * self.site.feed_limit - 1:  # (a page's most)
            made.popitem(last=False)
        return content


def _feed_updated(site: Site, entries: Sequence[tuple[Statement, Language]]) -> datetime:
    if not entries:
        return EMPTY_FEED_UPDATED
    return max(s.revised for s, _ in entries).astimezone(site.tzinfo)


def _description(language: Language) -> str:
    return language.description or language.title


def _language_meta(site: Site, language: Language) -> _FeedMeta:
    return _FeedMeta(id=site.index_url(language.code), title=language.title,
                     description=_description(language), tag=language.tag,
                     home=site.index_url(language.code), home_lang=language.tag,
                     authors=(language,))


def pdf_size(site: Site, statement: Statement, lang: str,
             pdf_sizes: Mapping[str, int]) -> int | None:
    """The size of an entry's PDF, its enclosure (None: it has none)."""
    return pdf_sizes.get(site.pdf_path(statement.id, lang)) if pdf_sizes else None


def _head_links(site: Site, meta: _FeedMeta, place: _Place, fmt: str) -> list[dict[str, str]]:
    """self, then hub or the RFC 5005 links, then the HTML page last (it is also RSS's <link>)."""
    links = [{"href": place.url(place.number), "rel": "self", "type": _MEDIA_TYPES[fmt]}]
    media = {"type": _MEDIA_TYPES[fmt]}
    if not place.number:
        if site.websub_hub:
            links.append({"href": site.websub_hub, "rel": "hub"})
        if place.archives:
            links.append({"href": place.url(place.archives), "rel": "prev-archive",
                          **media})
    else:
        links.append({"href": place.url(0), "rel": "current", **media})
        if place.number > 1:
            links.append({"href": place.url(place.number - 1), "rel": "prev-archive",
                          **media})
        if place.number < place.archives:
            links.append({"href": place.url(place.number + 1), "rel": "next-archive",
                          **media})
    home = {"href": meta.home, "rel": "alternate", "type": HTML_TYPE}
    if meta.home_lang:
        home["hreflang"] = meta.home_lang
    links.append(home)
    return links


def _xml_feed(site: Site, meta: _FeedMeta, entries: Sequence[tuple[Statement, Language]],
              pdf_sizes: Mapping[str, int], fmt: str, place: _Place, words: _Words) -> bytes:
    """Build one RSS or Atom (``fmt``) document with feedgen."""
    generator = FeedGenerator()
    if fmt == "rss":
        generator.load_extension("dc", atom=False, rss=True)
    generator.id(meta.id)
    generator.title(meta.title)
    generator.subtitle(meta.description)
    generator.description(meta.description)
    for author in meta.authors:
        if author.email:
            generator.author(name=author.issuer, email=author.email)
        else:
            generator.author(name=author.issuer)
    editor = meta.authors[0]
    if editor.email:  # RSS wants "address (Name)"
        generator.managingEditor(f"{editor.email} ({editor.issuer})")
    generator.language(meta.tag)
    generator.generator("syndicate", version=__version__)
    if site.feed_icon:
        generator.icon(site.feed_icon)
    if site.feed_logo or site.feed_icon:
        generator.logo(site.feed_logo or site.feed_icon)  # also RSS's <image>
    links = _head_links(site, meta, place, fmt)
    generator.link(links)
    set_head(generator, links, archive=bool(place.number))
    generator.updated(_feed_updated(site, entries))
    for statement, language in entries:
        entry = generator.add_entry(order="append")
        _fill_entry(entry, site, language, statement, pdf_sizes, rss=fmt == "rss")
        entry.content(words.content(statement, language), type="html")
        if meta.tag == COMBINED_LANG:
            set_entry_language(entry, language.tag)
    if fmt == "rss":
        with _RFC822_LOCALE_LOCK:
            data: bytes = generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
        return hexadecimal_references(data)
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
    entry.published(statement.goes_live.astimezone(site.tzinfo))
    entry.updated(statement.revised.astimezone(site.tzinfo))
    if language.email:  # also RSS's <author>, "address (Name)"
        entry.author(name=language.issuer, email=language.email)
    else:
        entry.author(name=language.issuer)
        if rss:
            entry.dc.dc_creator(language.issuer)  # RSS <author> must be an e-mail address
    if translation.summary:
        # Plain text in Atom; an RSS <description> is HTML, so the text is escaped there.
        summary = html.escape(translation.summary, quote=False) if rss else translation.summary
        entry.summary(summary, type="text")
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
    size = pdf_size(site, statement, translation.lang, pdf_sizes)
    if size is not None:
        links.append({"href": site.pdf_url(statement.id, translation.lang), "rel": "enclosure",
                      "type": PDF_TYPE, "length": str(size), "hreflang": language.tag})
    return links


def _json_feed(site: Site, language: Language, entries: Sequence[tuple[Statement, Language]],
               pdf_sizes: Mapping[str, int], words: _Words) -> bytes:
    """Build the JSON Feed 1.1 document of one language (JSON Feed has no archives)."""
    code = language.code
    items: list[dict[str, object]] = []
    for statement, _ in entries:
        translation = statement.translation(code)
        assert translation is not None
        page_url = site.page_url(statement.id, code)
        item: dict[str, object] = {
            "id": entry_id(site, statement, code),
            "url": page_url,
            "title": translation.title,
            "content_html": words.content(statement, language),
        }
        if translation.summary:
            item["summary"] = translation.summary
        item["date_published"] = statement.goes_live.astimezone(site.tzinfo).isoformat()
        item["date_modified"] = statement.revised.astimezone(site.tzinfo).isoformat()
        if translation.tags:
            item["tags"] = list(translation.tags)
        item["language"] = language.tag
        size = pdf_size(site, statement, code, pdf_sizes)
        if size is not None:
            item["attachments"] = [{"url": site.pdf_url(statement.id, code),
                                    "mime_type": PDF_TYPE, "size_in_bytes": size}]
        items.append(item)
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": language.title,
        "home_page_url": site.index_url(code),
        "feed_url": site.feed_url(code, "json"),
        "description": _description(language),
        "language": language.tag,
        "authors": [{"name": language.issuer}],
    }
    if site.feed_icon:
        feed["icon"] = feed["favicon"] = site.feed_icon
    if site.websub_hub:
        feed["hubs"] = [{"type": "WebSub", "url": site.websub_hub}]
    feed["items"] = items
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
