"""The immutable model every renderer works from: no I/O, no clock.

A :class:`Site` comes from ``syndicate.toml``; a :class:`Statement` from one folder of
``statements/``. Renderers receive them and return :class:`Artifact` objects (bytes plus the
manifest fields); only :mod:`syndicate.publish` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


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


@dataclass(frozen=True, slots=True)
class Site:
    base_url: str  # absolute, always ends with "/"
    timezone: str  # IANA name, e.g. "Europe/Lisbon"
    languages: tuple[Language, ...]  # in configuration order
    default_language: str

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def language(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        raise KeyError(code)

    def with_base_url(self, base_url: str) -> Site:
        return Site(
            normalize_base_url(base_url), self.timezone, self.languages, self.default_language
        )

    # URLs: the single place that decides where each output lives.
    def page_path(self, statement_id: str, lang: str) -> str:
        return f"{lang}/{statement_id}/index.html"

    def page_url(self, statement_id: str, lang: str) -> str:
        return f"{self.base_url}{lang}/{statement_id}/"

    def pdf_path(self, statement_id: str, lang: str) -> str:
        return f"{lang}/{statement_id}/{statement_id}-{lang}.pdf"

    def pdf_url(self, statement_id: str, lang: str) -> str:
        return self.base_url + self.pdf_path(statement_id, lang)

    def share_path(self, statement_id: str, lang: str) -> str:
        return f"{lang}/{statement_id}/share.json"

    def feed_path(self, lang: str, fmt: str) -> str:
        return f"{lang}/feed.{fmt}"

    def feed_url(self, lang: str, fmt: str) -> str:
        return self.base_url + self.feed_path(lang, fmt)

    def index_url(self, lang: str) -> str:
        return f"{self.base_url}{lang}/"


def normalize_base_url(url: str) -> str:
    """Return ``url`` with exactly one trailing slash.

    >>> normalize_base_url("https://press.example.org")
    'https://press.example.org/'
    """
    return url.rstrip("/") + "/"


@dataclass(frozen=True, slots=True)
class Translation:
    lang: str  # language code, e.g. "pt"
    title: str
    summary: str  # "" when absent
    place: str  # "" when absent
    tags: tuple[str, ...]  # this language's labels (its own, or the statement's shared ones)
    body_markdown: str  # the CommonMark source, NFC
    body_html: str  # safe HTML rendered from it (no raw HTML, no scripts)
    source: str  # the whole source file's text, as read (for attachments and hashes)


@dataclass(frozen=True, slots=True)
class Statement:
    id: str
    date: datetime  # first publication, time-zone aware
    updated: datetime | None  # last correction, time-zone aware
    original: str  # language code it was written in
    translations: tuple[Translation, ...]  # in the site's language order

    @property
    def modified(self) -> datetime:
        return self.updated or self.date

    def translation(self, lang: str) -> Translation | None:
        for translation in self.translations:
            if translation.lang == lang:
                return translation
        return None

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(t.lang for t in self.translations)


@dataclass(frozen=True, slots=True)
class Artifact:
    """One output file: where it goes, what it is, and its bytes."""

    path: str  # POSIX path relative to the output folder
    kind: str  # rss, atom, pdf, html, share, ...
    lang: str | None
    statement: str | None
    data: bytes
