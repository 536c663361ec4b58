"""Social cards: a 1200x630 PNG per statement and language, the page's ``og:image``.

The card is laid out as HTML by WeasyPrint (the same engine and the same explicitly named DejaVu
fonts as the communiqué: real line breaking in the card's language, any script Pango can
shape), written as a one-page PDF, rasterized by pypdfium2 and saved as a palette PNG, as a PDF's
preview is (:func:`syndicate.render.preview.first_page_png`). Nothing in it comes
from the clock or the environment, PNG output carries no timestamp, so the same statement gives
the same bytes on every run.

WeasyPrint and pypdfium2 are imported when a :class:`CardRenderer` is created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from markupsafe import Markup

from syndicate.i18n import long_date, script
from syndicate.model import Artifact, Language, Site, Statement
from syndicate.render import weasy
from syndicate.render.preview import first_page_png

if TYPE_CHECKING:  # (imported when a renderer is made: see weasy.load)
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

WIDTH, HEIGHT = 1200, 630

# The card's stylesheet: parsed once per renderer and given to WeasyPrint as a user stylesheet;
# the title's size, which depends on its length, is the card's own (author) rule.
STYLESHEET = """
@page { size: 1200px 630px; margin: 0; }
html, body { margin: 0; padding: 0; }
body {
  width: 1200px; height: 630px; box-sizing: border-box; overflow: hidden;
  background: #ffffff; color: #1b1b1b; font-family: "DejaVu Sans";
  border-left: 28px solid #00563f; padding: 64px 80px 0 72px; position: relative;
}
.issuer { margin: 0; font-size: 34px; font-weight: bold; color: #00563f; }
.rule { margin: 22px 0 30px; width: 120px; border: 0; border-top: 6px solid #c8a200; }
h1 {
  margin: 0; font-family: "DejaVu Serif"; font-weight: bold; line-height: 1.2;
  hyphens: manual; overflow-wrap: break-word; max-lines: 5; continue: discard;
}
.date {
  position: absolute; left: 72px; right: 80px; bottom: 52px; margin: 0;
  padding-top: 18px; border-top: 2px solid #d5dcd9; font-size: 30px; color: #4a4a4a;
}
html[dir="rtl"] body {
  border-left: 0; border-right: 28px solid #00563f; padding: 64px 72px 0 80px; direction: rtl;
}
html[dir="rtl"] .date { left: 80px; right: 72px; }
time { unicode-bidi: isolate; }
html.script-Arab body { font-family: "Noto Sans Arabic", "DejaVu Sans"; }
html.script-Arab h1 { font-family: "Noto Naskh Arabic", "DejaVu Serif"; }
"""


def title_size(title: str) -> int:
    """The title's font size in CSS pixels: large for short titles, smaller for long ones.

    >>> title_size("Short"), title_size("x" * 80), title_size("x" * 200)
    (64, 52, 40)
    """
    length = len(title)
    if length <= 60:
        return 64
    if length <= 110:
        return 52
    return 40


def card_html(language: Language, title: str, date: str, iso: str) -> str:
    """The card's HTML (no external resource), laid out with :data:`STYLESHEET`.

    A right-to-left language's card is mirrored (``dir="rtl"``: the band on the right, the text
    starting at the right margin) and its date is isolated, so the day, month and year keep
    their logical order. The ``script-<code>`` class names the families of the language's
    script (Arabic: Noto Sans Arabic and Noto Naskh Arabic, as in the communiqué).
    """
    return str(
        Markup(
            '<!DOCTYPE html><html lang="{tag}" class="script-{script}"{dir}><head>'
            '<meta charset="utf-8">'
            "<title>{title}</title>"
            "<style>h1 {{ font-size: {size}px; }}</style></head><body>"
            '<p class="issuer">{issuer}</p><hr class="rule"><h1>{title}</h1>'
            '<p class="date"><time datetime="{iso}">{date}</time></p></body></html>'
        ).format(
            tag=language.tag,
            script=script(language.locale),
            dir=Markup(' dir="rtl"') if language.direction == "rtl" else "",
            title=title,
            size=title_size(title),
            issuer=language.issuer,
            iso=iso,
            date=date,
        )
    )


def _refusing_fetcher() -> URLFetcher:
    """A WeasyPrint URL fetcher that refuses every URL: a card is self-contained."""
    weasy.load()
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> NoReturn:
            raise ValueError(f"external resources are not allowed in cards: {url}")

    return RefusingFetcher()


class CardRenderer:
    """Renders social cards for one site; keep one per thread and reuse it."""

    def __init__(self, site: Site) -> None:
        import pypdfium2  # noqa: F401  (warm: the rasterizer of preview.first_page_png)

        weasyprint = weasy.load()

        from syndicate.render.pdf import font_configuration

        self.site = site
        self._html_class: type[HTML] = weasyprint.HTML
        self._font_config: FontConfiguration = font_configuration()
        self._fetcher: URLFetcher = _refusing_fetcher()
        self._stylesheets = [weasyprint.CSS(string=STYLESHEET, font_config=self._font_config)]

    def html(self, statement: Statement, lang: str) -> str:
        translation = statement.translation(lang)
        if translation is None:
            raise KeyError(f"statement {statement.id!r} has no {lang!r} translation")
        language = self.site.language(lang)
        tz = self.site.tzinfo
        return card_html(
            language,
            title=translation.title,
            date=long_date(statement.date, tz, language.locale),
            iso=statement.date.astimezone(tz).date().isoformat(),
        )

    def pdf(self, html: str) -> bytes:
        """``html`` laid out as one page (what :meth:`png` rasterizes; never published, so its
        streams are left uncompressed: the same pixels, in less time)."""
        document = self._html_class(string=html, base_url=None, url_fetcher=self._fetcher)
        pdf: bytes = document.write_pdf(font_config=self._font_config,
                                        stylesheets=self._stylesheets, uncompressed_pdf=True)
        return pdf

    def png(self, html: str) -> bytes:
        """Lay out ``html`` as one page and rasterize it to a 1200x630 PNG."""
        return first_page_png(self.pdf(html), (WIDTH, HEIGHT))  # 1px = 0.75pt, scaled 4/3

    def render(self, statement: Statement, lang: str) -> Artifact:
        data = self.png(self.html(statement, lang))
        return Artifact(self.site.card_path(statement.id, lang), "png", lang, statement.id, data)
