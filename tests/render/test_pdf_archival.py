"""PDF/A and PDF/UA identification, the attached sources, the bilingual edition, the first-page
previews, the logo, the page size and missing glyphs; read with pikepdf, pypdf, poppler and
Pillow, not with WeasyPrint."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import io
import re
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image
from test_pdf import (
    BODIES,
    SITE,
    STATEMENT_ID,
    TITLES,
    catalogs,
    collapse,
    pdftotext,
    run,
    source,
    squash,
    statement,
    write,
)

from syndicate.errors import ContentError
from syndicate.model import Artifact, Site
from syndicate.render import preview
from syndicate.render.pdf import PdfRenderer

RED_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">'
    b'<rect width="40" height="40" fill="#ff0000"/></svg>'
)


def renderer_for(variant: str, **changes: Any) -> PdfRenderer:
    logo = changes.pop("logo", None)
    return PdfRenderer(dataclasses.replace(SITE, pdf_variant=variant, **changes), catalogs(), logo)


def xmp(data: bytes) -> dict[str, str | None]:
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_metadata() as meta:
        return {
            key: meta.get(key)
            for key in ("pdfaid:part", "pdfaid:conformance", "pdfuaid:part", "dc:title")
        }


@pytest.fixture(scope="module")
def by_variant() -> dict[str, bytes]:
    return {
        variant: renderer_for(variant).render(statement(), "pt").data
        for variant in ("pdf/a-3u", "pdf/a-3b", "pdf/ua-1", "tagged")
    }


@pytest.mark.parametrize(("variant", "part", "conformance", "ua"), [
    ("pdf/a-3u", "3", "U", None),
    ("pdf/a-3b", "3", "B", None),
    ("pdf/ua-1", None, None, "1"),
    ("tagged", None, None, None),
])
def test_variant_is_identified_in_xmp(
    by_variant: dict[str, bytes], variant: str, part: str | None, conformance: str | None,
    ua: str | None,
) -> None:
    meta = xmp(by_variant[variant])
    assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == (
        part, conformance, ua
    )
    # An identified file carries its title in XMP too; a plain tagged PDF has no XMP.
    assert meta["dc:title"] == (None if variant == "tagged" else TITLES["pt"])


@pytest.mark.parametrize("variant", ["pdf/a-3u", "pdf/a-3b", "pdf/ua-1", "tagged"])
def test_every_variant_is_tagged_titled_and_reproducible(
    by_variant: dict[str, bytes], variant: str
) -> None:
    data = by_variant[variant]
    assert renderer_for(variant).render(statement(), "pt").data == data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.Root.Lang) == "pt-PT"
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        assert pdf.Root.StructTreeRoot.Type == "/StructTreeRoot"
        assert ("/OutputIntents" in pdf.Root) == variant.startswith("pdf/a")


def test_default_variant_is_pdf_a_3u() -> None:
    assert SITE.pdf_variant == "pdf/a-3u"


@pytest.mark.parametrize("variant", ["pdf/a-3u", "tagged"])
def test_source_markdown_is_attached_with_the_statement_dates(
    by_variant: dict[str, bytes], variant: str
) -> None:
    with pikepdf.open(io.BytesIO(by_variant[variant])) as pdf:
        assert list(pdf.attachments) == [f"{STATEMENT_ID}-pt.md"]
        spec = pdf.attachments[f"{STATEMENT_ID}-pt.md"]
        embedded = spec.get_file()
        assert embedded.read_bytes() == source("pt").encode("utf-8")
        assert embedded.mime_type == "text/markdown"
        assert embedded.creation_date.isoformat() == "2022-11-22T00:00:00+00:00"
        assert embedded.mod_date.isoformat() == "2022-11-22T00:00:00+00:00"
        if variant == "pdf/a-3u":  # PDF/A-3 names the relationship, here and in the catalog
            assert spec.obj.AFRelationship == "/Source"
            assert [item.objgen for item in pdf.Root.AF] == [spec.obj.objgen]  # once (pinned)


@pytest.fixture(scope="module")
def bilingual() -> Artifact:
    return renderer_for("pdf/a-3u").render_bilingual(statement())


def test_bilingual_edition_has_both_languages_one_after_the_other(
    bilingual: Artifact, tmp_path: Path
) -> None:
    assert (bilingual.path, bilingual.kind, bilingual.lang) == (
        f"{STATEMENT_ID}-bilingual.pdf", "pdf", "mul"
    )
    text = pdftotext(bilingual.data)
    pages = text.split("\f")
    assert squash(TITLES["pt"]) in squash(pages[0])  # the original first
    assert squash(TITLES["en"]) in squash(pages[1])
    assert "Página 1 de 1" in collapse(pages[0])  # each part numbers its own pages
    assert "Page 1 of 1" in collapse(pages[1])
    assert "Lisboa, 22 de novembro de 2022" in collapse(pages[0])
    assert "Lisbon, November 22, 2022" in collapse(pages[1])
    assert SITE.page_url(STATEMENT_ID, "en") in pages[1]
    info = run("pdfinfo", write(tmp_path, bilingual.data))
    assert re.search(r"Pages:\s+2\n", info)
    assert f"Title:           {TITLES['pt']} / {TITLES['en']}" in info


def test_bilingual_parts_are_tagged_with_their_language(bilingual: Artifact) -> None:
    with pikepdf.open(io.BytesIO(bilingual.data)) as pdf:
        assert str(pdf.Root.Lang) == "pt-PT"
        document = pdf.Root.StructTreeRoot.K
        document = document[0] if isinstance(document, pikepdf.Array) else document
        page_numbers = {page.objgen: number for number, page in enumerate(pdf.pages)}
        langs = [(page_numbers[kid.Pg.objgen], str(kid.Lang)) for kid in document.K]
        assert langs == [(0, "pt-PT"), (1, "en")]
        assert sorted(pdf.attachments) == [f"{STATEMENT_ID}-en.md", f"{STATEMENT_ID}-pt.md"]
        assert xmp(bilingual.data)["pdfaid:part"] == "3"


def test_bilingual_edition_is_reproducible(bilingual: Artifact) -> None:
    assert renderer_for("pdf/a-3u").render_bilingual(statement()).data == bilingual.data


def outline(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_outline() as tree:
        def titles(items: list[Any]) -> list[str]:
            return [t for item in items for t in [item.title, *titles(item.children)]]

        return titles(tree.root)


def test_an_edition_is_its_communiques_page_for_page_laid_out_once() -> None:
    """Each translation is laid out once: the edition takes the pages of the communiqués
    the same renderer has just laid out; the bytes are those of an edition laid out anew."""
    from pypdf import PdfReader
    from test_pdf import long_body

    long = statement(long_body(9))
    warm = renderer_for("pdf/a-3u")
    calls: list[str] = []
    make_html = warm._html_class

    def counted(**options: Any) -> Any:
        calls.append("laid out")
        return make_html(**options)

    warm._html_class = counted
    communiques = [warm.render(long, "pt"), warm.render(long, "en")]
    edition = warm.render_bilingual(long)
    assert calls == ["laid out", "laid out"]  # the edition laid nothing out again
    assert edition.data == renderer_for("pdf/a-3u").render_bilingual(long).data
    parts = [pdftotext(c.data).split("\f")[:-1] for c in communiques]
    assert len(parts[0]) > 1 and len(parts[1]) > 1
    assert pdftotext(edition.data).split("\f")[:-1] == parts[0] + parts[1]
    assert outline(edition.data) == outline(communiques[0].data) + outline(communiques[1].data)
    labels = PdfReader(io.BytesIO(edition.data)).page_labels
    assert labels == [f"pt-PT {n}" for n in range(1, len(parts[0]) + 1)] + [
        f"en {n}" for n in range(1, len(parts[1]) + 1)]
    with pikepdf.open(io.BytesIO(edition.data)) as pdf:
        assert str(pdf.docinfo.Title) == f"{TITLES['pt']} / {TITLES['en']}"
        assert str(pdf.Root.Lang) == "pt-PT"
        document = pdf.Root.StructTreeRoot.K
        document = document[0] if isinstance(document, pikepdf.Array) else document
        page_numbers = {page.objgen: number for number, page in enumerate(pdf.pages)}
        langs = {page_numbers[kid.Pg.objgen]: str(kid.Lang) for kid in document.K}
        assert set(langs.values()) == {"pt-PT", "en"}
        assert all(lang == ("pt-PT" if page < len(parts[0]) else "en")
                   for page, lang in langs.items())


def test_an_editions_preview_is_its_first_communiques_rasterized_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The edition opens with the very page its first communiqué opens with: its preview is
    that PNG, not rasterized again, and the same as a preview made from the edition's bytes."""
    from test_pdf import long_body

    long, renderer = statement(long_body(9)), renderer_for("pdf/a-3u")
    rasterized: list[int] = []
    rasterize = preview.first_page_png
    monkeypatch.setattr(preview, "first_page_png",
                        lambda pdf, target=None: rasterized.append(1) or rasterize(pdf, target))
    previews = [renderer.preview(renderer.render(long, lang)) for lang in ("pt", "en")]
    edition = renderer.render_bilingual(long)
    shown = renderer.preview(edition)
    assert len(rasterized) == 2  # the two communiqués' first pages only
    assert shown.path == SITE.preview_path(edition.path) == f"{STATEMENT_ID}-bilingual.png"
    assert shown.data == previews[0].data != previews[1].data
    assert shown.data == rasterize(edition.data, preview.size(SITE.page_size))
    other = renderer_for("pdf/a-3u")  # an edition laid out without its communiqués
    assert other.preview(other.render_bilingual(long)).data == shown.data
    assert len(rasterized) == 3


def test_preview_is_the_first_page_as_a_deterministic_png(bilingual: Artifact) -> None:
    first = preview.render(SITE, bilingual)
    assert (first.path, first.kind, first.lang) == (f"{STATEMENT_ID}-bilingual.png", "png", "mul")
    assert first.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert preview.render(SITE, bilingual).data == first.data
    image = Image.open(io.BytesIO(first.data))
    assert image.size == (480, 679)  # A4 at 480 pixels wide
    assert image.mode == "P" and len(image.getpalette() or []) <= 256 * 3  # an 8-bit palette PNG
    rgb = image.convert("RGB")
    assert rgb.getpixel((2, 2)) == (255, 255, 255)  # the paper stays white through the palette
    assert image.convert("L").getextrema()[0] < 64  # there is dark text on it, not a blank page


def red_pixels(pdf: bytes) -> int:
    pixels = Image.open(io.BytesIO(preview.first_page_png(pdf))).convert("RGB").tobytes()
    return sum(
        1 for i in range(0, len(pixels), 3)
        if pixels[i] > 200 and pixels[i + 1] < 60 and pixels[i + 2] < 60
    )  # at 480 pixels wide


def test_logo_is_drawn_from_the_bytes_given(tmp_path: Path) -> None:
    assert red_pixels(renderer_for("pdf/a-3u").render(statement(), "pt").data) == 0
    data = renderer_for("pdf/a-3u", logo=RED_LOGO).render(statement(), "pt").data
    assert red_pixels(data) > 1000
    lines = run("pdffonts", write(tmp_path, data)).splitlines()[2:]
    assert all(" yes " in line for line in lines)


def test_logo_cannot_reach_outside_either(tmp_path: Path) -> None:
    secret = tmp_path / "secret.svg"
    secret.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10" fill="#ff0000"/></svg>', encoding="utf-8"
    )
    logo = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="40" height="40"><image xlink:href="{secret.as_uri()}" width="40" height="40"/>'
        "</svg>"
    ).encode()
    data = renderer_for("tagged", logo=logo).render(statement(), "pt").data
    assert red_pixels(data) == 0


def test_page_size_is_configurable(tmp_path: Path) -> None:
    data = renderer_for("tagged", page_size="letter").render(statement(), "en").data
    assert "612 x 792 pts (letter)" in run("pdfinfo", write(tmp_path, data))


@pytest.mark.parametrize("char", ["\u4e2d", "\ue000"])  # CJK (no CJK font here), private use
def test_missing_glyph_is_an_error_naming_the_character(char: str) -> None:
    body = BODIES["pt"].replace("Mais informações", f"Mais {char} informações")
    base = statement(body)
    words = base.translations[1].words.text()
    pt = dataclasses.replace(base.translations[1], words=dataclasses.replace(
        words, source=words.source + f"\nMais {char} informações\n"))
    broken = dataclasses.replace(base, translations=(base.translations[0], pt))
    with pytest.raises(ContentError) as caught:
        renderer_for("tagged").render(broken, "pt")
    [problem] = caught.value.problems
    assert problem.path == f"statements/{STATEMENT_ID}/pt.md"
    assert problem.line == source("pt").count("\n") + 2
    assert f"U+{ord(char):04X}" in problem.message and repr(char) in problem.message


def test_site_default_is_plain_a4() -> None:
    site = Site("https://example.org/", "UTC", SITE.languages, "pt")
    assert (site.page_size, site.logo, site.pdf_variant) == ("A4", "", "pdf/a-3u")


@pytest.mark.parametrize("name", ["syndicate.assets", "syndicate.render.pdf"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert (result.failed, result.attempted > 0) == (0, True)


def test_a_statement_laid_out_again_and_again_keeps_one_layout_alive() -> None:
    """``serve`` lays out the statement being edited at each save, in one resident renderer:
    the layouts it keeps (for the edition and the previews) are the last save's, not one more
    per save (counted among the objects alive, as a memory profiler would)."""
    import gc

    from test_pdf import long_body
    from weasyprint.document import Document

    renderer = renderer_for("pdf/a-3u")

    def save(paragraphs: int) -> int:
        edited = statement(long_body(paragraphs))
        for lang in ("pt", "en"):
            renderer.preview(renderer.render(edited, lang))
        renderer.preview(renderer.render_bilingual(edited))
        gc.collect()
        return sum(isinstance(thing, Document) for thing in gc.get_objects())

    alive = [save(paragraphs) for paragraphs in (3, 4, 5, 6)]
    assert alive[0] > 0  # (the count sees them)
    assert alive[-1] == alive[0], alive
