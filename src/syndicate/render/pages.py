"""Web pages: one per statement and language, an index per language, a root language chooser."""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files

from babel import Locale
from babel.core import get_global

from syndicate import __version__
from syndicate.i18n import N_, dateline, long_date
from syndicate.model import (
    Artifact,
    Site,
    Statement,
    newest_first,
    paginate,
)
from syndicate.render import preview, structured
from syndicate.render.cards import HEIGHT, WIDTH
from syndicate.templating import environment

PLATFORM_NAMES = {
    "x": "X",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "threads": "Threads",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "reddit": "Reddit",
    "email": N_("Email"),  # (not a proper name: translated, as the share links are)
    "sms": "SMS",
}
FEED_TYPES = (("atom", "application/atom+xml"), ("rss", "application/rss+xml"),
              ("json", "application/feed+json"))
FEED_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


@functools.lru_cache(maxsize=64)  # every page names its languages
def language_name(locale: str) -> str:
    """The language's own name, capitalized as a menu item.

    >>> language_name("pt_PT")
    'Português'
    """
    name = Locale.parse(locale).language_name or locale
    return name[:1].upper() + name[1:]


# Languages whose Open Graph locale is not CLDR's likely one: the platforms that read og:locale
# (Facebook's list of locales, which the others follow) name all of Arabic ``ar_AR``.
PLATFORM_LOCALES = {"ar": "ar_AR"}


@functools.lru_cache(maxsize=64)
def og_locale(locale: str) -> str:
    """The Open Graph form of a CLDR locale: ``language_TERRITORY``, the one mapping every page
    uses.

    A locale without a territory takes CLDR's likely one (Open Graph has no bare language), its
    script considered (``zh_Hant`` is Taiwan's); a language the platforms list under a locale
    of their own (:data:`PLATFORM_LOCALES`) takes that one.

    >>> og_locale("pt_PT"), og_locale("en"), og_locale("fr"), og_locale("ar")
    ('pt_PT', 'en_US', 'fr_FR', 'ar_AR')
    >>> og_locale("zh_Hant"), og_locale("zh_Hans")
    ('zh_TW', 'zh_CN')
    """
    parsed = Locale.parse(locale)
    if parsed.language in PLATFORM_LOCALES:
        return PLATFORM_LOCALES[parsed.language]
    territory = parsed.territory
    if not territory:
        likely_subtags = get_global("likely_subtags")
        key = f"{parsed.language}_{parsed.script}" if parsed.script else parsed.language
        likely = str(likely_subtags.get(key) or likely_subtags.get(parsed.language, ""))
        territory = likely.split("_")[-1] if likely.count("_") else ""
    return f"{parsed.language}_{territory}" if territory else parsed.language



@dataclass(frozen=True, slots=True)
class Pager:
    """Where an index page is among its language's: ``number`` 0 is the index (the newest
    statements), 1 the oldest archive page, ``archives`` the last."""

    number: int
    archives: int

    @property
    def older(self) -> int | None:
        """The number of the page of the statements just before this page's, if any."""
        if self.number == 0:
            return self.archives or None
        return self.number - 1 or None

    @property
    def newer(self) -> int | None:
        """The number of the page of the statements just after (0: the index), if any."""
        if self.number == 0:
            return None
        return self.number + 1 if self.number < self.archives else 0


def index_page_inputs(lang: str, listed: Sequence[Statement], pager: Pager,
                      item: Callable[[Statement, str], object]) -> tuple[object, ...]:
    """What an index page in ``lang`` shows besides the site and the interface words: its
    place among its language's pages (``pager``) and what its items are made of (see
    :meth:`PageRenderer._item` and :func:`model.index_item`; ``item``: what stands for that of
    a statement in a language, as the caller has it)."""
    return lang, pager.number, pager.older, pager.newer, tuple(item(s, lang) for s in listed)


class PageRenderer:
    def __init__(self, site: Site, translations: Mapping[str, gettext.NullTranslations]) -> None:
        self.site = site
        self.envs = {lang.code: environment(translations[lang.code]) for lang in site.languages}

    def _common(self, lang: str) -> dict[str, object]:
        site = self.site
        language = site.language(lang)
        return {
            "language": language,
            "version": __version__,
            "css_url": site.base_url + site.css_path(),
            "index_url": site.index_url(lang),
            "feeds": [
                {
                    "type": mime,
                    "url": site.feed_url(lang, fmt),
                    "title": f"{language.title} ({fmt.upper()})",
                    "name": FEED_NAMES[fmt],
                    "own": True,  # this language's (the index links to them visibly)
                }
                for fmt, mime in FEED_TYPES
            ]
            + [
                {
                    "type": "application/atom+xml",
                    "url": site.base_url + site.combined_feed_path(),
                    "title": " / ".join(language_name(other.locale) for other in site.languages),
                    "name": "Atom",
                    "own": False,
                }
            ],
        }

    def _website(self, lang: str, url: str, title: str) -> dict[str, object]:
        """The description and Open Graph tags of an index or the root page (``og:type``
        website): the language's description, its locale and the others', the issuer's logo
        as the image when the site publishes one (``[feeds] logo``, else its icon)."""
        site = self.site
        language = site.language(lang)
        return {
            "url": url,
            "title": title,
            "description": language.description or language.title,
            "site_name": language.title,
            "locale": og_locale(language.locale),
            "alternates": [og_locale(other.locale) for other in site.languages
                           if other.code != lang],
            "image": site.feed_logo or site.feed_icon,
        }

    def _editions(self, statement: Statement, lang: str) -> list[dict[str, str]]:
        """The multilingual editions of ``statement`` that have ``lang`` in them."""
        site = self.site
        return [
            {
                "url": site.edition_url(statement.id, langs),
                "languages": " · ".join(language_name(site.language(code).locale)
                                        for code in langs),
            }
            for langs in site.statement_editions(statement)
            if lang in langs
        ]

    def _preview(self, statement_id: str, lang: str) -> dict[str, object]:
        """The PDF's first-page thumbnail, shown at half its pixel size (sharp on 2x screens)."""
        site = self.site
        width, height = preview.size(site.page_size)
        return {
            "url": site.base_url + site.preview_path(site.pdf_path(statement_id, lang)),
            "width": width // 2,
            "height": round(height / 2),
        }

    def _alternates(self, statement: Statement) -> list[dict[str, str]]:
        """The page in each of its languages, and the default language's as ``x-default``."""
        site = self.site
        alternates = [
            {"tag": site.language(t.lang).tag, "url": site.page_url(statement.id, t.lang)}
            for t in statement.translations
        ]
        if site.default_language in statement.languages:
            alternates.append(
                {"tag": "x-default", "url": site.page_url(statement.id, site.default_language)}
            )
        return alternates

    def statement(
        self, statement: Statement, lang: str, share: Mapping[str, Mapping[str, object]]
    ) -> Artifact:
        site = self.site
        language = site.language(lang)
        translation = statement.translation(lang)
        assert translation is not None
        others = [t.lang for t in statement.translations if t.lang != lang]
        date = long_date(statement.date, site.tzinfo, language.locale)
        image = {
            "url": site.card_url(statement.id, lang),
            "width": WIDTH,
            "height": HEIGHT,
            "alt": f"{language.issuer}: {translation.title} ({date})",
        }
        article = structured.news_article(site, statement, lang, image)
        html = (
            self.envs[lang]
            .get_template("statement.html")
            .render(
                **self._common(lang),
                t=translation,
                url=site.page_url(statement.id, lang),
                pdf_url=site.pdf_url(statement.id, lang) if site.pdfs else "",
                preview=self._preview(statement.id, lang),
                editions=self._editions(statement, lang) if site.pdfs else [],
                json_ld=structured.script_json(article),
                article_published=structured.published_time(site, statement),
                article_modified=structured.modified_time(site, statement),
                alternates=self._alternates(statement),
                switcher=[
                    {"tag": site.language(code).tag, "url": site.page_url(statement.id, code),
                     "name": language_name(site.language(code).locale)}
                    for code in others
                ],
                dateline=dateline(translation.place, statement.date, site.tzinfo, language.locale),
                published_iso=statement.date.isoformat(),
                modified_iso=statement.modified.isoformat(),
                modified=long_date(statement.modified, site.tzinfo, language.locale),
                tags=translation.tags,
                share=share,
                platform_names=PLATFORM_NAMES,
                description=translation.summary or language.description,
                og_locale=og_locale(language.locale),
                og_alternates=[og_locale(site.language(code).locale) for code in others],
                image=image,
            )
        )
        return Artifact(
            site.page_path(statement.id, lang), "html", lang, statement.id, html.encode("utf-8")
        )

    def index(self, statements: Sequence[Statement], lang: str,
              skip: Collection[str] = ()) -> Iterator[Artifact]:
        """A language's index (its newest statements) and its archive pages, one at a time,
        numbered from the oldest and full, so that a page no longer changes once newer
        statements arrive (the feed's archives, the same statements by number:
        :func:`model.paginate`); but not the pages in ``skip`` (reused from the previous
        publish)."""
        locale = self.site.language(lang).locale
        return (self._index_page(lang, [self._item(s, lang, locale) for s in listed], pager)
                for path, listed, pager in self._index_pages(statements, lang)
                if path not in skip)

    def index_pages(self, statements: Sequence[Statement]
                    ) -> Iterator[tuple[str, str, list[Statement], Pager]]:
        """(language code, path, statements listed, place) of each index page, by language."""
        for lang in self.site.languages:
            for path, listed, pager in self._index_pages(statements, lang.code):
                yield lang.code, path, listed, pager

    def _index_pages(self, statements: Sequence[Statement], lang: str
                     ) -> list[tuple[str, list[Statement], Pager]]:
        """(path, statements listed, place) of each page of a language's index."""
        site = self.site
        listed = [s for s in newest_first(statements) if lang in s.languages]
        current, archives = paginate(listed, site.feed_limit)
        pages = [(site.index_path(lang), current, Pager(0, len(archives)))]
        pages += [(site.index_archive_path(lang, number), page, Pager(number, len(archives)))
                  for number, page in enumerate(archives, 1)]
        return pages

    def _item(self, statement: Statement, lang: str, locale: str) -> dict[str, str]:
        site = self.site
        translation = statement.translation(lang)
        assert translation is not None
        return {"url": site.page_url(statement.id, lang), "title": translation.title,
                "summary": translation.summary, "iso": statement.date.isoformat(),
                "date": long_date(statement.date, site.tzinfo, locale)}

    def _index_page(self, lang: str, items: list[dict[str, str]], pager: Pager) -> Artifact:
        site = self.site
        language = site.language(lang)
        url = site.index_archive_url(lang, pager.number)
        html = self.envs[lang].get_template("index.html").render(
            **self._common(lang),
            website=self._website(lang, url, language.title),
            items=items,
            page_url=url,
            archive=pager.number,
            older=site.index_archive_url(lang, pager.older) if pager.older is not None else "",
            newer=site.index_archive_url(lang, pager.newer) if pager.newer is not None else "",
            # Another language's archive page of the same number lists other statements:
            # only the indexes are each other's translations.
            alternates=[] if pager.number else [
                *({"tag": other.tag, "url": site.index_url(other.code)}
                  for other in site.languages),
                {"tag": "x-default", "url": site.base_url},
            ],
            switcher=[
                {"tag": other.tag, "url": site.index_url(other.code),
                 "name": language_name(other.locale)}
                for other in site.languages if other.code != lang
            ],
        )
        path = site.index_archive_path(lang, pager.number) if pager.number else (
            site.index_path(lang))
        return Artifact(path, "html", lang, None, html.encode("utf-8"))

    def root(self) -> list[Artifact]:
        """The language chooser at the site's root (the ``x-default`` page), the stylesheet and
        ``robots.txt``."""
        site = self.site
        html = (
            self.envs[site.default_language]
            .get_template("root.html")
            .render(
                **self._common(site.default_language),
                website=self._website(site.default_language, site.base_url,
                                      site.language(site.default_language).title),
                base_url=site.base_url,
                switcher=[],
                languages=[
                    {
                        "tag": lang.tag,
                        "url": site.index_url(lang.code),
                        "title": lang.title,
                        "name": language_name(lang.locale),
                    }
                    for lang in site.languages
                ],
            )
        )
        css = files("syndicate").joinpath("templates/site.css").read_bytes()
        return [
            Artifact(site.index_path(None), "html", None, None, html.encode("utf-8")),
            Artifact(site.css_path(), "css", None, None, css),
            Artifact(site.robots_path(), "robots", None, None, robots(site)),
        ]


def robots(site: Site) -> bytes:
    """``robots.txt``: every page may be crawled, and the sitemap lists them (RFC 9309).

    >>> print(robots(Site("https://press.example.org/", "UTC", (), "en")).decode(), end="")
    User-agent: *
    Allow: /
    <BLANKLINE>
    Sitemap: https://press.example.org/sitemap.xml
    """
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.sitemap_url()}\n".encode()
