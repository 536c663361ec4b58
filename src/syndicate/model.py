"""The immutable model every renderer works from: no I/O, no clock.

A :class:`Site` comes from ``syndicate.toml``; a :class:`Statement` from one folder of
``statements/``. Renderers receive them and return :class:`Artifact` objects (bytes plus the
manifest fields); only :mod:`syndicate.publish` writes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from syndicate.variants import DEFAULT_PDF_VARIANT
from syndicate.words import Translation as Translation  # (its home is syndicate.words)

T = TypeVar("T")

# The language of what is written in several languages at once (the bilingual or multilingual
# edition, the combined feed): ISO 639-2 and BCP 47 "mul", in the manifest and in xml:lang.
MULTIPLE_LANGUAGES = "mul"


@dataclass(frozen=True, slots=True)
class Contact:
    """A language's press contact, printed at the end of each communiqué and page.

    Any of the three may be "" (the configuration asks for an e-mail or a phone at least).
    """

    name: str = ""
    email: str = ""
    phone: str = ""

    @property
    def tel(self) -> str:
        """The phone as a ``tel:`` URL's number: only "+" and digits.

        >>> Contact(phone="+351 213 923 500").tel
        '+351213923500'
        """
        return "".join(c for c in self.phone if c.isdigit() or c == "+")


@dataclass(frozen=True, slots=True)
class Language:
    """One configured language.

    ``code`` is used in file names and URLs (``pt``); ``tag`` is its BCP 47 tag (``pt-PT``),
    written wherever a format carries a language; ``locale`` is the CLDR locale Babel uses
    (``pt_PT``), derived from the tag, never bare ``pt``.
    """

    code: str
    tag: str
    locale: str
    title: str
    issuer: str
    description: str
    email: str = ""  # the issuer's contact address for the feeds, "" when not configured
    direction: str = "ltr"  # "rtl" for right-to-left scripts (from CLDR: Arabic, Hebrew, ...)
    contact: Contact | None = None  # the press contact shown at the end of each statement


@dataclass(frozen=True, slots=True)
class Site:
    base_url: str  # absolute, always ends with "/"
    timezone: str  # IANA name, e.g. "Europe/Lisbon"
    languages: tuple[Language, ...]  # in configuration order
    default_language: str
    feed_limit: int = 50  # newest entries in a feed; older ones go to RFC 5005 archives
    websub_hub: str = ""  # WebSub hub URL, "" when none
    feed_icon: str = ""  # absolute URL of the feeds' square icon, "" when none
    feed_logo: str = ""  # absolute URL of the feeds' wide logo, "" when none
    pdf_variant: str = DEFAULT_PDF_VARIANT  # one of PDF_VARIANTS
    page_size: str = "A4"  # the communiqués' CSS page size, e.g. "A4", "letter", "A5 landscape"
    logo: str = ""  # the issuer's SVG logo, relative to the project; "" for none
    # [editions] sets: the languages each multilingual PDF puts together, in order; None (the
    # default) for one edition of every language a statement has
    editions: tuple[tuple[str, ...], ...] | None = None
    sealed: bool = False  # [seal]: the PDFs are sealed (a line in each says so)
    pdfs: bool = True  # False (publish --without-pdf): no communiqué, no edition; none linked
    seal_url: str = ""  # [seal] verify_url: where that line sends readers, "" for none

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def language_codes(self) -> frozenset[str]:
        """The configured languages' codes."""
        return frozenset(language.code for language in self.languages)

    def language(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        raise KeyError(code)

    def with_base_url(self, base_url: str) -> Site:
        return replace(self, base_url=normalize_base_url(base_url))

    # URLs: the single place that decides where each output lives.
    def page_path(self, statement_id: str, lang: str) -> str:
        return f"{lang}/{statement_id}/index.html"

    def page_url(self, statement_id: str, lang: str) -> str:
        return f"{self.base_url}{lang}/{statement_id}/"

    def pdf_path(self, statement_id: str, lang: str) -> str:
        return f"{lang}/{statement_id}/{statement_id}-{lang}.pdf"

    def pdf_url(self, statement_id: str, lang: str) -> str:
        return self.base_url + self.pdf_path(statement_id, lang)

    def statement_editions(self, statement: Statement) -> list[tuple[str, ...]]:
        """The languages of each multilingual edition of ``statement``, the original first.

        By default one edition of every language it has; with ``[editions] sets``, one per set
        of which it has at least two languages (in the set's order, the original first).

        >>> from syndicate.words import Text
        >>> en = Language("en", "en", "en", "", "", "")
        >>> site = Site("https://x/", "UTC", (en,), "en", editions=(("pt", "en"), ("ar", "en")))
        >>> t = tuple(Translation(c, "", "", "", (), Text("", "", "")) for c in ("pt", "en", "ar"))
        >>> site.statement_editions(Statement("s", datetime(2022, 1, 1), None, "en", t))
        [('en', 'pt'), ('en', 'ar')]
        """
        has = statement.languages
        sets = [has] if self.editions is None else self.editions
        found: list[tuple[str, ...]] = []
        for chosen in sets:
            langs = [lang for lang in chosen if lang in has]
            if statement.original in langs:
                langs.remove(statement.original)
                langs.insert(0, statement.original)
            if len(langs) > 1 and tuple(langs) not in found:
                found.append(tuple(langs))
        return found

    def edition_path(self, statement_id: str, langs: Sequence[str]) -> str:
        """The edition of a statement in several languages, one after the other.

        With one edition per statement (the default, or one ``[editions]`` set), two languages
        keep the name ``-bilingual.pdf`` that links already point to, three or more are
        ``-multilingual.pdf``, what such a file is, and whose name stays when a translation is
        added. Several sets give several editions, named by their languages in order.

        >>> site = Site("https://x/", "UTC", (), "en")
        >>> site.edition_path("s", ["pt", "en"]), site.edition_path("s", ["pt", "en", "ar"])
        ('s-bilingual.pdf', 's-multilingual.pdf')
        >>> replace(site, editions=(("pt", "en"), ("pt", "ar"))).edition_path("s", ["pt", "ar"])
        's-pt-ar.pdf'
        """
        if self.editions is not None and len(self.editions) > 1:
            return f"{statement_id}-{'-'.join(langs)}.pdf"
        return f"{statement_id}-{'bilingual' if len(langs) == 2 else 'multilingual'}.pdf"

    def edition_url(self, statement_id: str, langs: Sequence[str]) -> str:
        return self.base_url + self.edition_path(statement_id, langs)

    def preview_path(self, pdf_path: str) -> str:
        """The first-page PNG preview beside a PDF."""
        return pdf_path.removesuffix(".pdf") + ".png"

    def share_path(self, statement_id: str, lang: str) -> str:
        return f"{lang}/{statement_id}/share.json"

    def statement_paths(self, statement_id: str) -> list[str]:
        """Every output path named after ``statement_id`` (in each configured language)."""
        codes = tuple(language.code for language in self.languages)
        sets = [codes[:2], codes] if self.editions is None else self.editions
        editions = [self.edition_path(statement_id, langs) for langs in sets]
        paths = [path for edition in editions for path in (edition, self.preview_path(edition))]
        for language in self.languages:
            pdf = self.pdf_path(statement_id, language.code)
            paths += [pdf, self.preview_path(pdf), self.share_path(statement_id, language.code),
                      self.page_path(statement_id, language.code)]
        return paths

    def image_path(self, statement_id: str, lang: str, name: str) -> str:
        """A statement image, beside the page that shows it: the relative URL in the
        statement's Markdown resolves from the page, and from the feeds (made absolute)."""
        return f"{lang}/{statement_id}/{name}"

    def image_url(self, statement_id: str, lang: str, name: str) -> str:
        return self.base_url + quote(self.image_path(statement_id, lang, name))

    def feed_path(self, lang: str, fmt: str) -> str:
        return f"{lang}/feed.{fmt}"

    def feed_url(self, lang: str, fmt: str) -> str:
        return self.base_url + self.feed_path(lang, fmt)

    def index_url(self, lang: str) -> str:
        return f"{self.base_url}{lang}/"

    def card_path(self, statement_id: str, lang: str) -> str:
        """The social card (Open Graph image) of a translation."""
        return f"{lang}/{statement_id}/card.png"

    def card_url(self, statement_id: str, lang: str) -> str:
        return self.base_url + self.card_path(statement_id, lang)

    def index_path(self, lang: str | None) -> str:
        """A language's index page; None: the language chooser at the root."""
        return f"{lang}/index.html" if lang else "index.html"

    def index_archive_path(self, lang: str, number: int) -> str:
        """Archive page ``number`` (1 = the oldest) of a language's index: beside its feed's
        archive documents of the same number, which list the same statements."""
        return f"{lang}/archive/{number}.html"

    def index_archive_url(self, lang: str, number: int) -> str:
        """The URL of archive page ``number``; 0: the index itself."""
        return self.base_url + self.index_archive_path(lang, number) if number else (
            self.index_url(lang))

    def css_path(self) -> str:
        return "assets/site.css"

    def combined_feed_path(self) -> str:
        """The all-languages Atom feed, at the site's root."""
        return "feed.atom"

    def feed_archive_path(self, lang: str | None, number: int, fmt: str) -> str:
        """Where archive document ``number`` (1 = the oldest) of a language's feed (None: the
        all-languages one) lives."""
        return f"{lang}/archive/{number}.{fmt}" if lang else f"archive/{number}.{fmt}"

    def sitemap_path(self) -> str:
        return "sitemap.xml"

    def sitemap_part_path(self, number: int) -> str:
        """One of the numbered sitemaps ``sitemap.xml`` lists when it is an index."""
        return f"sitemap-{number}.xml"

    def sitemap_url(self) -> str:
        return self.base_url + self.sitemap_path()

    def robots_path(self) -> str:
        """``robots.txt``: at the root of the host only (RFC 9309), so a site published below
        a path (``https://example.org/press/``) has one that crawlers never ask for."""
        return "robots.txt"


def newest_first(statements: Iterable[Statement]) -> list[Statement]:
    """The order of every list of statements a reader sees (feeds, index pages, ``status``):
    the latest to go live first (its embargo lift, or its date), and of those going live at
    the same instant, the greatest id first (ids usually begin with the date, so the one
    named for the later day comes first). Statements sorted so already (a
    :class:`NewestFirst`) are taken as they are.

    >>> from datetime import UTC
    >>> from syndicate.words import Text
    >>> t = (Translation("en", "", "", "", (), Text("", "", "")),)
    >>> a, b = (Statement(i, datetime(2022, 1, 1, tzinfo=UTC), None, "en", t) for i in "ab")
    >>> c = Statement("c", datetime(2021, 1, 1, tzinfo=UTC), None, "en", t,
    ...               embargo=datetime(2022, 6, 1, tzinfo=UTC))
    >>> [s.id for s in newest_first([a, b, c])]
    ['c', 'b', 'a']
    """
    if isinstance(statements, NewestFirst):
        return list(statements)
    return sorted(statements, key=lambda s: (s.goes_live, s.id), reverse=True)


def normalize_base_url(url: str) -> str:
    """Return ``url`` with exactly one trailing slash.

    >>> normalize_base_url("https://press.example.org")
    'https://press.example.org/'
    """
    return url.rstrip("/") + "/"


@dataclass(frozen=True, slots=True)
class Statement:
    id: str
    date: datetime  # first publication, time-zone aware
    updated: datetime | None  # last correction, time-zone aware
    original: str  # language code it was written in
    translations: tuple[Translation, ...]  # in the site's language order
    draft: bool = False  # never published
    embargo: datetime | None = None  # published no earlier than this instant
    # Languages with a scaffolded, not yet written translation (``untranslated: true``).
    untranslated: tuple[str, ...] = ()

    @property
    def modified(self) -> datetime:
        return self.updated or self.date

    @property
    def goes_live(self) -> datetime:
        """The first instant the statement may appear in any output: when it is published."""
        return max(self.date, self.embargo) if self.embargo else self.date

    @property
    def revised(self) -> datetime:
        """When readers last saw it change: its going live, or a later correction."""
        return max(self.modified, self.goes_live)

    def in_memory(self) -> Statement:
        """This statement with every translation's words in memory (as a worker needs them)."""
        return replace(self, translations=tuple(t.in_memory() for t in self.translations))

    def translation(self, lang: str) -> Translation | None:
        for translation in self.translations:
            if translation.lang == lang:
                return translation
        return None

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(t.lang for t in self.translations)


class NewestFirst(tuple[Statement, ...]):
    """Statements sorted by :func:`newest_first` once (an archive's publish lists them in
    that order for each language's index pages, its feeds and their keys): taken by it as
    they are. Made only by :func:`in_reading_order`."""


def in_reading_order(statements: Iterable[Statement]) -> NewestFirst:
    """``statements`` as :func:`newest_first` sorts them, marked so."""
    return NewestFirst(newest_first(statements))


@dataclass(frozen=True, slots=True)
class ImageFile:
    """An image file a translation shows, by the hash of its bytes (for the cache keys)."""

    lang: str  # the translation that shows it
    name: str  # its path in the statement's folder: POSIX, normalized ("charts/a.png")
    sha256: str  # of the file's bytes as read


@dataclass(frozen=True, slots=True)
class Image:
    """An image file's bytes, handed to the renderers with their unit (a renderer never reads
    the disk): as read from the statement's folder, or sanitized for publishing."""

    lang: str
    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Artifact:
    """One output file: where it goes, what it is, and its bytes."""

    path: str  # POSIX path relative to the output folder
    kind: str  # rss, atom, pdf, html, share, ...
    lang: str | None
    statement: str | None
    data: bytes

    def manifest_entry(self) -> Entry:
        """The artifact's line in ``manifest.json``."""
        return Entry(self.path, self.kind, self.lang, self.statement, len(self.data),
                     hashlib.sha256(self.data).hexdigest())


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a publish, as ``manifest.json`` and the cache index list it."""

    path: str  # POSIX path relative to the output folder
    kind: str
    lang: str | None
    statement: str | None
    size: int
    sha256: str

    def as_json(self) -> dict[str, object]:
        """Its JSON object, keys in the manifest's order."""
        return {"path": self.path, "kind": self.kind, "lang": self.lang,
                "statement": self.statement, "size": self.size, "sha256": self.sha256}

    @classmethod
    def from_json(cls, value: object) -> Entry | None:
        """The entry a JSON object (as :meth:`as_json` makes it) describes; None for anything
        else (a damaged or older record is not trusted).

        >>> Entry.from_json({"path": "a.pdf", "kind": "pdf", "lang": "en", "statement": "a",
        ...                  "size": 3, "sha256": "ab"})
        Entry(path='a.pdf', kind='pdf', lang='en', statement='a', size=3, sha256='ab')
        >>> Entry.from_json({"path": "a.pdf", "size": "3"}) is None
        True
        """
        if not isinstance(value, dict):
            return None
        get = value.get  # (an archive's records are read by the hundred thousand: no loop)
        path, kind, size, sha256 = get("path"), get("kind"), get("size"), get("sha256")
        lang, statement = get("lang"), get("statement")
        if (type(path) is str and type(kind) is str and type(sha256) is str
                and type(size) is int  # (not a bool)
                and (lang is None or type(lang) is str)
                and (statement is None or type(statement) is str)):
            return cls(path, kind, lang, statement, size, sha256)
        return None


def index_item(statement: Statement, lang: str) -> tuple[object, ...]:
    """What an index page in language ``lang`` shows of one of its statements (see
    ``render.pages``: its link, title, summary and dates): the statement's id and date, that
    translation's title and summary."""
    translation = statement.translation(lang)
    assert translation is not None
    return (statement.id, statement.date, translation.title, translation.summary)


def paginate(entries: Sequence[T], limit: int) -> tuple[list[T], list[list[T]]]:
    """Split newest-first ``entries`` into the current page and its archives: a feed's
    subscription document and its RFC 5005 archives, a language's index and its archive pages.

    Archive pages hold ``limit`` entries each, counted from the oldest, so a page never changes
    when newer entries arrive. The subscription document always holds the newest ``limit``
    entries, plus those (fewer than ``limit``) not yet on a full page: between ``limit`` and
    ``2 * limit - 1`` of them. No entry is in two documents. Pages are oldest first.

    >>> paginate([7, 6, 5, 4, 3, 2, 1], 3)
    ([7, 6, 5, 4], [[3, 2, 1]])
    """
    oldest_first = list(reversed(entries))
    count = max(0, len(entries) // limit - 1)
    pages = [oldest_first[i * limit:(i + 1) * limit][::-1] for i in range(count)]
    return oldest_first[count * limit:][::-1], pages
