"""PDF communiqués: one press release per statement and language, and a bilingual edition.

The HTML handed to WeasyPrint carries everything but the communiqué's stylesheet, which each
thread parses once and hands to every document (:func:`parsed_stylesheet`); fonts come from the
system (DejaVu, named explicitly) and the URL fetcher is a sandbox: it serves the few in-memory
assets of the document (the issuer's logo, the statement's Markdown sources and the images its
text shows, sanitized, which the caller passes in as bytes) and refuses every other URL, so a
statement cannot make the renderer read a file or reach the network. A renderer never reads the
disk.

Archival: by default the PDF is PDF/A-3u (see :data:`~syndicate.model.DEFAULT_PDF_VARIANT`) *and*
tagged. PDF/A-3 is the only PDF/A part that keeps non-PDF attachments, and every communiqué
carries its own Markdown source as an attachment; "u" promises that all text maps to Unicode
(search, copy, screen readers), which WeasyPrint guarantees. The structure tree, ``/Lang`` and
the displayed title (what PDF/UA asks for) are always there; ``pdf/ua-1`` only changes the
identification claimed in the XMP metadata. ``pdf/a-3b`` and a plain ``tagged`` PDF are offered too.

Output is reproducible byte for byte: the PDF's dates come from ``<meta name="dcterms.created">``
and ``dcterms.modified`` (the statement's own dates, never the clock), attachment dates are the
statement's dates too, and the trailer ``/ID`` is set explicitly: its first half is derived from
the PDF's URL (a permanent identifier for the document), its second half is the hash of the
content that pydyf computes while writing. WeasyPrint names font subsets from a hash of the font
file and writes objects in a fixed order, so nothing else varies between runs, processes or hash
seeds.

A character no installed font can draw is an error naming the character and the statement file,
never a silent box: WeasyPrint logs each ``.notdef`` glyph it draws, and the renderer listens.

WeasyPrint is imported when a :class:`PdfRenderer` is created, not when this module is imported:
importing it takes most of a second, and ``syndicate --help`` must stay fast.
"""

from __future__ import annotations

import gettext
import hashlib
import importlib.resources
import io
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from syndicate import i18n, templating
from syndicate.errors import ContentError
from syndicate.model import MULTIPLE_LANGUAGES, Artifact, Image, Site, Statement, Translation
from syndicate.render import pdf_edition, weasy
from syndicate.render.pdf_finish import finisher
from syndicate.render.pdf_sandbox import (
    asset_key,
    missing_glyph_problems,
    missing_glyphs,
    sandbox_fetcher,
)
from syndicate.render.pdf_text import (
    breakable,
    css_string,
    hyphenation_language,
    isolated_urls,
    margin_font_rules,
    page_stylesheet,
)
from syndicate.words import Text

if TYPE_CHECKING:
    from weasyprint import CSS, HTML, Attachment
    from weasyprint.css import ColorProfile
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration

TEMPLATE = "communique.html"
PART_TEMPLATE = "communique_part.html"
STYLESHEET = "communique.css"
PAGE_LABEL = i18n.N_("Page %(page)s of %(pages)s")
ASSET_SCHEME = "syndicate"
LOGO_URL = f"{ASSET_SCHEME}:logo.svg"
SOURCE_MEDIA_TYPE = "text/markdown; charset=utf-8"
BILINGUAL = MULTIPLE_LANGUAGES  # the manifest's language of the multilingual editions

# Rendering options for ``write_pdf``; every key is one of WeasyPrint 70's DEFAULT_OPTIONS.
# ``pdf_identifier``, ``pdf_variant``, ``output_intent`` and ``attachments`` are added per document.
PDF_OPTIONS: Mapping[str, object] = {
    "pdf_tags": True,  # tagged PDF: structure tree, /MarkInfo, reading order for screen readers
    "pdf_version": "1.7",
    "uncompressed_pdf": False,
    "full_fonts": False,  # embed subsets only
    "hinting": False,
    "custom_metadata": False,
    "presentational_hints": False,
}
# The output intent of PDF/A files. WeasyPrint's own "srgb" intent opens its ICC file and never
# closes it (a ResourceWarning, an error under ``-W error``); we read the same profile once and
# hand it over under our own name.
OUTPUT_INTENT = "syndicate-srgb"

HYPHEN = "\u2010"  # what WeasyPrint draws at a hyphenated line break (``hyphenate-character``)


def pdf_identifier(url: str) -> bytes:
    """The permanent half of the PDF's ``/ID``: stable for a document across builds and edits.

    >>> pdf_identifier("https://press.example.org/pt/a/a-pt.pdf")
    b'b84eec223978888f37fe02468210fb53'
    """
    return hashlib.md5(url.encode(), usedforsecurity=False).hexdigest().encode()


def source_name(statement_id: str, lang: str) -> str:
    """The file name of an attached Markdown source: ``<id>-<lang>.md``."""
    return f"{statement_id}-{lang}.md"


def source_url(statement_id: str, lang: str) -> str:
    return f"{ASSET_SCHEME}:source/{source_name(statement_id, lang)}"


_thread = threading.local()


def font_configuration() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, shared by its renderers (communiqués and
    cards): the fonts load once per thread, not once per renderer."""
    config = getattr(_thread, "font_config", None)
    if config is None:
        weasy.load()
        from weasyprint.text.fonts import FontConfiguration

        config = _thread.font_config = FontConfiguration()
    return config


def stylesheet() -> str:
    """The communiqué's CSS, which every document is rendered with (see
    :func:`parsed_stylesheet`)."""
    return importlib.resources.files("syndicate").joinpath("templates", STYLESHEET).read_text(
        encoding="utf-8")


def parsed_stylesheet() -> CSS:
    """This thread's ``weasyprint.CSS`` of :func:`stylesheet`, parsed once and given to every
    communiqué as a user stylesheet.

    Parsing it (selectors compiled, ``@page`` and margin rules read) is a noticeable part of a
    one-page communiqué's rendering when it is inlined and so parsed again for every document
    (figures: ``benchmarks/notes.md``). The cascade gives author rules precedence over user rules,
    so each document's own ``<style>`` (:func:`page_stylesheet`: page size, footer, named pages)
    still wins where they meet, as it did when it came second among author rules; the PDFs are the
    same bytes (``tests/render/test_pdf.py`` renders a communiqué both ways).
    """
    sheet = getattr(_thread, "stylesheet", None)
    if sheet is None:
        weasyprint = weasy.load()
        sheet = _thread.stylesheet = weasyprint.CSS(
            string=stylesheet(), font_config=font_configuration())
    return sheet


def warm_up() -> None:
    """Parse the communiqué's stylesheet, lay out and rasterize a few words with it in this
    thread.

    The first document a process renders takes longer than the next ones (the fonts,
    WeasyPrint's and PDFium's first use); warming up costs less than that difference, so a
    worker process does it while it waits for its first unit (``benchmarks/notes.md``).
    """
    from syndicate.render import preview

    weasyprint = weasy.load()

    html = ('<html lang="en"><body><h1>Warm</h1>'
            "<p>Olá, <b>bold</b> <i>italic</i> <code>code</code></p></body></html>")
    pdf = weasyprint.HTML(string=html).write_pdf(font_config=font_configuration(),
                                                 stylesheets=[parsed_stylesheet()])
    preview.first_page_png(pdf, (60, 85))


class PdfRenderer:
    """Renders communiqués for one site; reuse one instance for many statements.

    The font configuration, the stylesheet, the sRGB profile and one Jinja environment per
    language are built once here and kept warm. ``logo`` is the issuer's SVG (bytes the caller
    read from the project), or None. An instance is not meant to be shared between threads:
    give each worker its own.
    """

    def __init__(
        self,
        site: Site,
        translations: Mapping[str, gettext.NullTranslations],
        logo: bytes | None = None,
    ) -> None:
        weasyprint = weasy.load()
        from weasyprint.css import ColorProfile

        self.site = site
        self.logo = logo
        self._html_class: type[HTML] = weasyprint.HTML
        self._attachment_class: type[Attachment] = weasyprint.Attachment
        self._color_profile_class: type[ColorProfile] = ColorProfile
        self._font_config = font_configuration()
        self._icc = importlib.resources.files("weasyprint.pdf").joinpath("sRGB2014.icc")
        self._icc_bytes = self._icc.read_bytes()
        self._stylesheets = [parsed_stylesheet()]
        self._layouts = pdf_edition.Layouts()  # the statement's communiqués laid out
        self._translations = dict(translations)
        self._document = templating.environment(gettext.NullTranslations()).get_template(TEMPLATE)
        self._parts: dict[str, jinja2.Template] = {
            code: templating.environment(catalog).get_template(PART_TEMPLATE)
            for code, catalog in self._translations.items()
        }

    def warm_up(self) -> None:
        """Do once what this site's first communiqué in each language would: Babel's data for
        its locale and the time zone (the HTML of a statement of a few words, in every
        language), and its hyphenation dictionary (English: the slowest to parse)."""
        import pyphen

        languages = [language.code for language in self.site.languages
                     if language.code in self._parts]
        if not languages:
            return
        date = datetime(2000, 1, 1, tzinfo=UTC)
        statement = Statement(
            id="warm-up", date=date, updated=date, original=languages[0],
            translations=tuple(
                Translation(lang=lang, title="Warm-up", summary="", place="", tags=(),
                            words=Text("Warm-up.\n", "Warm-up.\n", "<p>Warm-up.</p>\n"))
                for lang in languages),
        )
        self.bilingual_html(statement)
        for language in self.site.languages:
            # as WeasyPrint looks it up
            dictionary = pyphen.language_fallback(hyphenation_language(language.tag))
            if dictionary:
                pyphen.Pyphen(lang=dictionary)  # kept by pyphen for every later use

    # HTML ------------------------------------------------------------------------------------

    def _part(self, statement: Statement, lang: str, page: str = "") -> tuple[str, str]:
        """(HTML of one language's part, its @page rules)."""
        translation = statement.translation(lang)
        if translation is None:
            raise KeyError(f"statement {statement.id!r} has no {lang!r} translation")
        if lang not in self._parts:
            raise KeyError(f"no interface catalog for language {lang!r}")
        language = self.site.language(lang)
        script = i18n.script(language.locale)
        html = self._parts[lang].render(
            language=language,
            translation=translation,
            dateline=i18n.dateline(
                translation.place, statement.date, self.site.tzinfo, language.locale
            ),
            body=Markup(breakable(isolated_urls(translation.body_html))),
            script=script,
            comma=i18n.comma(language.locale),
            corrected=i18n.long_date(statement.updated, self.site.tzinfo, language.locale)
            if statement.updated
            else "",
            logo=self.logo is not None,
            page=page,
            site=self.site,
        )
        label = self._translations[lang].gettext(PAGE_LABEL)
        rules = page_stylesheet(label, self.site.page_url(statement.id, lang), page)
        rules += margin_font_rules(script, page)
        hyphenation = hyphenation_language(language.tag)
        if hyphenation != language.tag:  # WeasyPrint's own property, set by ``lang`` otherwise
            rules += f"\n.{page or 'part'} {{ -weasy-lang: {css_string(hyphenation)}; }}"
        return html, rules

    def _document_html(
        self, statement: Statement, langs: Sequence[str], bilingual: bool
    ) -> str:
        translations = [t for lang in langs if (t := statement.translation(lang)) is not None]
        parts = [
            self._part(statement, lang, f"part-{lang}" if bilingual else "") for lang in langs
        ]
        first = self.site.language(langs[0])
        issuers = dict.fromkeys(self.site.language(lang).issuer for lang in langs)
        tags = dict.fromkeys(tag for t in translations for tag in t.tags)
        tz = self.site.tzinfo
        return self._document.render(
            language=first,
            title=" / ".join(t.title for t in translations),
            author=" / ".join(issuers),
            summary=translations[0].summary,
            keywords=", ".join(tags),
            created=statement.date.astimezone(tz).isoformat(timespec="seconds"),
            modified=statement.modified.astimezone(tz).isoformat(timespec="seconds"),
            page_stylesheet=Markup(
                self._page_rules(
                    [rules for _, rules in parts],
                    [f"part-{lang}" for lang in langs] if bilingual else [],
                )
            ),
            parts=[Markup(html) for html, _ in parts],
        )

    def _page_rules(self, rules: list[str], pages: list[str]) -> str:
        extra = [f"@page {{ size: {self.site.page_size}; }}"]
        if self.logo is not None:
            extra.append(f".logo {{ background-image: url({css_string(LOGO_URL)}); }}")
        for page in pages:
            # Each part on its own pages, opening with its own letterhead (no running header).
            extra.append(f".{page} {{ page: {page}; }}")
            extra.append(
                f"@page {page}:nth(1 of {page}) "
                "{ margin-top: 20mm; @top-left { content: none; } }"
            )
        return "\n".join([*extra, *rules])

    def html(self, statement: Statement, lang: str) -> str:
        """The exact HTML string handed to WeasyPrint for ``statement`` in ``lang``."""
        return self._document_html(statement, [lang], bilingual=False)

    def bilingual_html(self, statement: Statement, langs: Sequence[str] = ()) -> str:
        """The HTML of a multilingual edition: ``langs`` (by default the original first, then
        the other languages) one after the other."""
        return self._document_html(
            statement, langs or self.bilingual_languages(statement), bilingual=True
        )

    @staticmethod
    def bilingual_languages(statement: Statement) -> list[str]:
        return [statement.original] + [
            lang for lang in statement.languages if lang != statement.original
        ]

    # PDF -------------------------------------------------------------------------------------

    def _options(self, statement: Statement, translations: Sequence[Translation],
                 images: Sequence[Image]) -> dict[str, object]:
        """WeasyPrint's options for a document of ``translations``: its sandbox (serving their
        sources, ``images`` and the logo), the sources as attachments, the PDF variant."""
        from syndicate.images import media_type

        assets: dict[str, tuple[bytes, str]] = {
            source_url(statement.id, t.lang): (t.source.encode("utf-8"), SOURCE_MEDIA_TYPE)
            for t in translations
        }
        for image in images:  # (sanitized) where the page's <img src> points
            key = asset_key(self.site.image_url(statement.id, image.lang, image.name))
            assets[key] = (image.data, media_type(image.name))
        if self.logo is not None:
            assets[LOGO_URL] = (self.logo, "image/svg+xml")
        fetcher = sandbox_fetcher(assets)
        created = statement.date.astimezone(UTC)
        modified = statement.modified.astimezone(UTC)
        attachments = [
            self._attachment_class(
                url=source_url(statement.id, t.lang),
                url_fetcher=fetcher,
                name=source_name(statement.id, t.lang),
                description=f"Source of this communiqué ({self.site.language(t.lang).tag}, "
                "Markdown)",
                created=created,
                modified=modified,
                relationship="Source",
            )
            for t in translations
        ]
        options: dict[str, object] = {**PDF_OPTIONS, "attachments": attachments,
                                      "url_fetcher": fetcher, "color_profiles": {}}
        variant = self.site.pdf_variant
        if variant != "tagged":
            options["pdf_variant"] = variant
        if variant.startswith("pdf/a"):
            options["output_intent"] = OUTPUT_INTENT
            options["color_profiles"] = {OUTPUT_INTENT: self._color_profile_class(
                io.BytesIO(self._icc_bytes), self._icc.name, "relative-colorimetric",
                (["r"], ["g"], ["b"]),
            )}
        return options

    def _laid_out(self, statement: Statement, lang: str, images: Sequence[Image]) -> Document:
        """The communiqué in ``lang`` laid out: kept while this statement is rendered, for its
        multilingual editions are made of the very same pages (see :mod:`pdf_edition`)."""
        html = self.html(statement, lang)
        found = self._layouts.find(statement.id, lang, html, images)
        if found is not None:
            return found
        translation = statement.translation(lang)
        assert translation is not None
        options = self._options(statement, [translation], images)
        fetcher, profiles = options.pop("url_fetcher"), options.pop("color_profiles")
        document = self._html_class(string=html, base_url=None, url_fetcher=fetcher)
        # (a character no font has is found when the pages are drawn: see _write)
        laid_out = document.render(font_config=self._font_config, color_profiles=profiles,
                                   stylesheets=self._stylesheets, **options)
        self._layouts.keep(statement.id, lang, html, images, laid_out)
        return laid_out

    def _write(self, document: Document, statement: Statement, langs: Sequence[str],
               url: str, images: Sequence[Image], page_tags: Sequence[str] = ()) -> bytes:
        """The PDF of ``document`` (pages laid out for ``langs`` of ``statement``), at ``url``;
        a multilingual edition's pages tagged and labelled with their languages' ``page_tags``
        (none for a communiqué)."""
        translations = [t for lang in langs if (t := statement.translation(lang)) is not None]
        options = self._options(statement, translations, images)
        options.pop("url_fetcher")
        # Fresh profiles for each PDF: one written once gives other bytes the next time.
        document.color_profiles = options.pop("color_profiles")
        soft_hyphens = all(HYPHEN not in self._layouts.html(statement.id, lang) for lang in langs)
        with missing_glyphs() as missing:
            data: bytes = document.write_pdf(
                pdf_identifier=pdf_identifier(url),
                finisher=finisher(page_tags, soft_hyphens=soft_hyphens),
                **options,
            )
        if missing:
            raise ContentError(missing_glyph_problems(statement, translations, missing))
        return data

    def render(self, statement: Statement, lang: str, images: Sequence[Image] = ()) -> Artifact:
        """The communiqué for ``statement`` in ``lang`` as a PDF artifact, with the ``images``
        its text shows (sanitized bytes)."""
        document = self._laid_out(statement, lang, images)
        path, url = self.site.pdf_path(statement.id, lang), self.site.pdf_url(statement.id, lang)
        self._layouts.opens(path, document)
        data = self._write(document, statement, [lang], url, images)
        return Artifact(path, "pdf", lang, statement.id, data)

    def preview(self, pdf: Artifact) -> Artifact:
        """The preview of ``pdf``, which this renderer wrote last (see :mod:`pdf_edition`)."""
        return self._layouts.preview(pdf, self.site)

    def render_bilingual(self, statement: Statement, langs: Sequence[str] = (),
                         images: Sequence[Image] = ()) -> Artifact:
        """The translations ``langs`` of ``statement`` (by default every one, the original
        first) in one PDF: each language's communiqué, page for page, tagged with its language
        (its pages laid out once for both, when the communiqué was just rendered here)."""
        langs = langs or self.bilingual_languages(statement)
        path = self.site.edition_path(statement.id, langs)
        parts = [self._laid_out(statement, lang, [i for i in images if i.lang == lang])
                 for lang in langs]
        titles = [t.title for lang in langs if (t := statement.translation(lang)) is not None]
        edition = pdf_edition.assembled(parts, titles)
        self._layouts.opens(path, parts[0])
        data = self._write(edition, statement, langs, self.site.base_url + path, images,
                           pdf_edition.page_tags(parts, langs, self.site))
        return Artifact(path=path, kind="pdf", lang=BILINGUAL, statement=statement.id, data=data)
