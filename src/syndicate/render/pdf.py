"""PDF communiqués: one A4 press release per statement and language, rendered by WeasyPrint.

The HTML handed to WeasyPrint is self-contained: the stylesheet is inlined, fonts come from the
system (DejaVu, named explicitly) and the URL fetcher refuses every URL, so a statement cannot
make the renderer read a file or reach the network.

Output is reproducible byte for byte: the PDF's dates come from ``<meta name="dcterms.created">``
and ``dcterms.modified`` (the statement's own dates, never the clock), and the trailer ``/ID`` is
set explicitly: its first half is derived from the PDF's URL (a permanent identifier for the
document), its second half is the hash of the content that pydyf computes while writing.
WeasyPrint names font subsets from a hash of the font file and writes objects in a fixed order,
so nothing else varies between runs, processes or hash seeds.

WeasyPrint is imported when a :class:`PdfRenderer` is created, not when this module is imported:
importing it takes most of a second, and ``syndicate --help`` must stay fast.
"""

from __future__ import annotations

import gettext
import hashlib
import importlib.resources
import re
from collections.abc import Mapping
from typing import Any, NoReturn

import jinja2
from markupsafe import Markup

from syndicate import i18n, templating
from syndicate.model import Artifact, Site, Statement

TEMPLATE = "communique.html"
STYLESHEET = "communique.css"
PAGE_LABEL = "Page %(page)s of %(pages)s"

# Rendering options for ``write_pdf``; every key is one of WeasyPrint 70's DEFAULT_OPTIONS.
# ``pdf_identifier`` is added per document.
PDF_OPTIONS: Mapping[str, object] = {
    "pdf_tags": True,  # tagged PDF: structure tree, /MarkInfo, reading order for screen readers
    "pdf_version": "1.7",
    "uncompressed_pdf": False,
    "full_fonts": False,  # embed subsets only
    "hinting": False,
    "custom_metadata": False,
    "presentational_hints": False,
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
_COUNTERS = {"page": "counter(page)", "pages": "counter(pages)"}


def css_string(text: str) -> str:
    r"""Quote ``text`` as a CSS string that is also safe inside an HTML ``<style>`` element.

    Quotes, backslashes, angle brackets and control characters become CSS hex escapes (a
    ``</style>`` in a translation cannot end the element); other characters are kept.

    >>> print(css_string('Página "1" \\ </style>'))
    "Página \22 1\22  \5c  \3c /style\3e "
    """
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>' or ord(char) < 0x20 or ord(char) == 0x7F
        else char
        for char in text
    )
    return f'"{escaped}"'


def counter_content(label: str) -> str:
    """A CSS ``content`` value for a translated page label with ``%(page)s``/``%(pages)s``.

    >>> counter_content("Página %(page)s de %(pages)s")
    '"Página " counter(page) " de " counter(pages)'
    >>> counter_content("%(page)s/%(pages)s")
    'counter(page) "/" counter(pages)'

    Raises ValueError for any other placeholder.
    """
    parts: list[str] = []
    literal = ""
    position = 0
    for match in _PLACEHOLDER.finditer(label):
        literal += label[position:match.start()]
        position = match.end()
        if match.group(0) == "%%":
            literal += "%"
            continue
        name = match.group(1)
        if name not in _COUNTERS:
            raise ValueError(f"unknown placeholder %({name})s in page label {label!r}")
        if literal:
            parts.append(css_string(literal))
            literal = ""
        parts.append(_COUNTERS[name])
    literal += label[position:]
    if literal:
        parts.append(css_string(literal))
    return " ".join(parts) or '""'


def page_stylesheet(page_label: str, url: str) -> str:
    """The per-document ``@page`` rules: the statement's URL and the page numbers in the footer."""
    return (
        "@page {\n"
        f"  @bottom-left {{ content: {css_string(url)}; }}\n"
        f"  @bottom-right {{ content: {counter_content(page_label)}; }}\n"
        "}"
    )


def pdf_identifier(url: str) -> bytes:
    """The permanent half of the PDF's ``/ID``: stable for a document across builds and edits.

    >>> pdf_identifier("https://press.example.org/pt/a/a-pt.pdf")
    b'b84eec223978888f37fe02468210fb53'
    """
    return hashlib.md5(url.encode(), usedforsecurity=False).hexdigest().encode()


def _refusing_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL (WeasyPrint logs the refusal)."""
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> NoReturn:
            raise ValueError(f"external resources are not allowed in communiqués: {url}")

    return RefusingFetcher()


class PdfRenderer:
    """Renders communiqués for one site; reuse one instance for many statements.

    The font configuration, the URL fetcher, the stylesheet and one Jinja environment per
    language are built once here and kept warm. An instance is not meant to be shared between
    threads: give each worker its own.
    """

    def __init__(self, site: Site, translations: Mapping[str, gettext.NullTranslations]) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.site = site
        self._html_class: Any = weasyprint.HTML
        self._font_config: Any = FontConfiguration()
        self._fetcher: Any = _refusing_fetcher()
        stylesheet = importlib.resources.files("syndicate").joinpath("templates", STYLESHEET)
        self._stylesheet = Markup(stylesheet.read_text(encoding="utf-8"))
        self._translations = dict(translations)
        self._templates: dict[str, jinja2.Template] = {
            code: templating.environment(catalog).get_template(TEMPLATE)
            for code, catalog in self._translations.items()
        }

    def html(self, statement: Statement, lang: str) -> str:
        """The exact HTML string handed to WeasyPrint for ``statement`` in ``lang``."""
        translation = statement.translation(lang)
        if translation is None:
            raise KeyError(f"statement {statement.id!r} has no {lang!r} translation")
        if lang not in self._templates:
            raise KeyError(f"no interface catalog for language {lang!r}")
        language = self.site.language(lang)
        tz = self.site.tzinfo
        page_label = self._translations[lang].gettext(PAGE_LABEL)
        return self._templates[lang].render(
            language=language,
            translation=translation,
            dateline=i18n.dateline(translation.place, statement.date, tz, language.locale),
            created=statement.date.astimezone(tz).isoformat(timespec="seconds"),
            modified=statement.modified.astimezone(tz).isoformat(timespec="seconds"),
            body=Markup(translation.body_html),
            stylesheet=self._stylesheet,
            page_stylesheet=Markup(
                page_stylesheet(page_label, self.site.page_url(statement.id, lang))
            ),
        )

    def render(self, statement: Statement, lang: str) -> Artifact:
        """The communiqué for ``statement`` in ``lang`` as a PDF artifact."""
        document = self._html_class(
            string=self.html(statement, lang), base_url=None, url_fetcher=self._fetcher
        )
        data: bytes = document.write_pdf(
            font_config=self._font_config,
            pdf_identifier=pdf_identifier(self.site.pdf_url(statement.id, lang)),
            **PDF_OPTIONS,
        )
        return Artifact(
            path=self.site.pdf_path(statement.id, lang),
            kind="pdf",
            lang=lang,
            statement=statement.id,
            data=data,
        )
