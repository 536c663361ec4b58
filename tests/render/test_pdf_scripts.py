"""The communiqués in three scripts' worth of trouble (`tests/multiscript.py`): emoji, line-break
hyphens, Arabic; read with poppler (pdftotext, pdftoppm), pypdf, pikepdf and fontTools, and
checked against PDF/UA-1's machine-checkable rules with the `pdfua` package.

The project is published twice, each time into a fresh folder, once for the module. The first
page of the Arabic communiqué and the Arabic card are left in `build/review/` for a reviewer.
"""

# ruff: noqa: E501 (Arabic prose lines)

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pypdf
import pytest
from click.testing import CliRunner
from fontTools.misc.timeTools import timestampNow
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image

from conftest import REPO, copy_project
from multiscript import AR, PARAGRAPHS, STATEMENT_ID, write_project
from syndicate.cli import main

NOW = "2026-11-28T00:00:00+00:00"
REVIEW = REPO / "build" / "review"
A4_WIDTH, MARGIN = 595.28, 25 / 25.4 * 72  # points: the stylesheet's side margins are 25 mm
SOFT_HYPHEN, HYPHEN = "\u00ad", "\u2010"
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def publish(root: Path, *options: str) -> Path:
    project = write_project(root / "project")
    out = root / "dist"
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out", str(out),
                                       "--now", NOW, "--quiet", *options])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two publishes of the same project, each in fresh folders."""
    return (publish(tmp_path_factory.mktemp("first")),
            publish(tmp_path_factory.mktemp("second")))


@pytest.fixture(scope="module")
def out(twice: tuple[Path, Path]) -> Path:
    return twice[0]


def pdf(out: Path, lang: str) -> Path:
    return out / lang / STATEMENT_ID / f"{STATEMENT_ID}-{lang}.pdf"


def pdftotext(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def words(text: str) -> str:
    return " ".join(text.translate(BIDI_CONTROLS).split())


def all_pdfs(out: Path) -> list[Path]:
    found = sorted(out.rglob("*.pdf"))
    assert len(found) == 4  # en, pt, ar and the multilingual edition
    return found


# Emoji, and the same bytes twice


def test_check_finds_a_font_for_every_emoji(tmp_path: Path) -> None:
    """fontconfig (what `check` asks) knows a font with the flag's regional indicators."""
    project = write_project(tmp_path / "project")
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "no installed font" not in result.output


def test_two_publishes_are_byte_identical_emoji_included(twice: tuple[Path, Path]) -> None:
    first, second = twice
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert len([f for f in files if f.suffix == ".pdf"]) == 4
    different = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []


def embedded_fonts(path: Path) -> dict[str, bytes]:
    fonts = {}
    with pikepdf.open(path) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for key in ("/FontFile2", "/FontFile3"):
                    if key in obj:
                        fonts[str(obj.FontName)] = obj[key].read_bytes()
    return fonts


def test_no_embedded_font_carries_the_clock(out: Path) -> None:
    """The colour emoji font is re-saved while rendering: its ``head.modified`` used to be the
    time of the publish, so that each publish embedded a different font (and /ID)."""
    yesterday = timestampNow() - 24 * 3600
    seen = set()
    for path in all_pdfs(out):
        for name, data in embedded_fonts(path).items():
            font = TTFont(io.BytesIO(data), checkChecksums=2)  # and the checksums are right
            assert font["head"].modified < yesterday, (path.name, name)
            seen.add(name.split("+")[1])
    assert {"Noto-Color-Emoji", "Noto-Naskh-Arabic", "DejaVu-Serif"} <= seen


# Line-break hyphens


def line_breaks(text: str) -> list[tuple[str, str]]:
    """(the word's part before, the part after) of each hyphenated line break."""
    return re.findall(rf"(\w+)[{SOFT_HYPHEN}{HYPHEN}-]\n(\w+)", text)


def test_line_break_hyphens_extract_as_soft_hyphens(out: Path) -> None:
    for lang in ("en", "pt"):
        text = pdftotext(pdf(out, lang))
        assert not re.search(f"{HYPHEN}$", text, re.MULTILINE), lang
    text = pdftotext(pdf(out, "en"))
    assert len(re.findall(f"\\w{SOFT_HYPHEN}$", text, re.MULTILINE)) >= 5
    extracted = pypdf.PdfReader(pdf(out, "en")).pages[0].extract_text()
    assert HYPHEN not in extracted and SOFT_HYPHEN in extracted


def test_the_line_break_hyphen_is_still_drawn(out: Path) -> None:
    """The glyph that extracts as U+00AD has the width of a hyphen in its font (pikepdf)."""
    with pikepdf.open(pdf(out, "en")) as document:
        widths = []
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
                cmap = obj.ToUnicode.read_bytes().decode()
                cids = [int(cid, 16) for cid in re.findall(r"<([0-9a-f]{4})> <00ad>", cmap)]
                font = obj.DescendantFonts[0]
                w = list(font.W)
                for start, values in zip(w[::2], w[1::2], strict=True):
                    widths += [float(values[cid - int(start)]) for cid in cids
                               if 0 <= cid - int(start) < len(values)]
    assert widths and all(250 < width < 450 for width in widths), widths


def test_english_breaks_leave_at_least_three_letters_on_each_side(out: Path) -> None:
    text = pdftotext(pdf(out, "en"))
    breaks = line_breaks(text)
    assert len(breaks) >= 5
    short = [f"{head}-{tail}" for head, tail in breaks if len(head) < 3 or len(tail) < 3]
    assert short == []
    joined = words(text.replace(f"{SOFT_HYPHEN}\n", ""))
    for paragraph in PARAGRAPHS:  # and the words are whole again once the lines are joined
        assert paragraph in joined


# Arabic


def test_arabic_footer_url_reads_left_to_right(out: Path) -> None:
    text = pdftotext(pdf(out, "ar"))
    url = f"https://press.example.org/ar/{STATEMENT_ID}/"
    assert url in words(text)
    assert "https://www.un.org/ar/" in words(text)  # and the one in the text
    assert "/https://" not in text


def test_a_hyphen_of_the_text_itself_stays_a_hyphen(tmp_path: Path) -> None:
    """A document whose text has a U+2010 keeps its line-break hyphens as U+2010 too (a glyph
    extracts as one character), rather than losing its own hyphens."""
    project = write_project(tmp_path / "project")
    source = project / "statements" / STATEMENT_ID / "en.md"
    source.write_text(source.read_text(encoding="utf-8") + f"\nThe Director{HYPHEN}General spoke.\n",
                      encoding="utf-8")
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out", str(out),
                                       "--now", NOW, "--quiet"])
    assert result.exit_code == 0, result.output
    text = pdftotext(pdf(out, "en"))
    assert f"Director{HYPHEN}General" in text
    assert re.search(f"\\w{HYPHEN}$", text, re.MULTILINE)  # line breaks hyphenated as before


def lines_of(path: Path, page: int = 1) -> list[tuple[float, float, str]]:
    """(left, right, text) of each line pdftotext finds on ``page``."""
    layout = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox-layout",
                             str(path), "-"], capture_output=True, check=True).stdout
    tree = etree.fromstring(layout, etree.XMLParser(recover=True))
    return [(float(line.get("xMin")), float(line.get("xMax")),
             " ".join(word.text or "" for word in line.iter("{*}word")))
            for line in tree.iter("{*}line")]


def test_arabic_justified_lines_stay_inside_the_margins(out: Path) -> None:
    """Every line, the justified ones with a link among them, ends inside the right margin
    (they overran it by up to 15 pt)."""
    lines = lines_of(pdf(out, "ar"))
    assert len(lines) > 10
    for left, right, text in lines:
        assert left >= MARGIN - 0.5 and right <= A4_WIDTH - MARGIN + 0.5, (left, right, text)
    full = [line for line in lines if line[1] - line[0] > A4_WIDTH - 2 * MARGIN - 1]
    assert len(full) >= 2  # justified lines, edge to edge


def fonts_drawing(path: Path, first: int, last: int) -> set[str]:
    """The embedded fonts whose ToUnicode maps a glyph to a character in [first, last]."""
    found = set()
    with pikepdf.open(path) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
                cmap = obj.ToUnicode.read_bytes().decode()
                for value in re.findall(r"<[0-9a-f]{4}> <([0-9a-f]+)>", cmap):
                    if any(first <= int(value[i:i + 4], 16) <= last
                           for i in range(0, len(value), 4)):
                        found.add(str(obj.BaseFont).split("+")[1])
    return found


def test_arabic_text_is_drawn_in_noto_arabic_fonts(out: Path) -> None:
    for path in (pdf(out, "ar"), out / f"{STATEMENT_ID}-multilingual.pdf"):
        arabic = fonts_drawing(path, 0x0600, 0x06FF)
        assert arabic and all(name.startswith("Noto-") for name in arabic), arabic
        assert "Noto-Naskh-Arabic" in arabic and "Noto-Sans-Arabic" in arabic


def test_the_arabic_card_is_drawn_in_noto_arabic_fonts(tmp_path: Path) -> None:
    """The card's layout (the PDF its PNG is rasterized from), read like the communiqué's."""
    from syndicate.publish import load
    from syndicate.render.cards import CardRenderer

    project = load(write_project(tmp_path / "project"))
    [statement] = project.statements
    renderer = CardRenderer(project.site)
    layout = tmp_path / "card.pdf"
    layout.write_bytes(renderer.pdf(renderer.html(statement, "ar")))
    arabic = fonts_drawing(layout, 0x0600, 0x06FF)
    assert arabic and all(name.startswith("Noto-") for name in arabic), arabic  # never DejaVu
    assert any("Naskh" in name for name in arabic) and any("Sans-Arabic" in name for name in arabic)


def test_arabic_dateline_uses_the_arabic_comma(out: Path) -> None:
    dateline = next(line for line in words(pdftotext(pdf(out, "ar"))).split("  ")
                    if "لشبونة" in line)
    assert "\u060c" in dateline and "," not in dateline.split("مايو")[0]
    extracted = pypdf.PdfReader(pdf(out, "ar")).pages[0].extract_text()
    assert "لشبونة،" in extracted


def arabic_words(text: str) -> str:
    """The Arabic words of ``text``, in order, without punctuation."""
    return " ".join(re.findall("[\u0621-\u0652]+", text))


def test_arabic_text_extracts_in_logical_order(out: Path) -> None:
    """pypdf and pdftotext give the words in reading order (the page draws them in visual
    order, as PDF does: ``pdftotext -raw`` reverses each line's words).

    Known limits of pdftotext (poppler 22), not of the PDF: it cuts a line where a tanwin sits
    above a letter (دوليًا), putting its halves out of order, so that paragraph is checked with
    pypdf alone; and it moves an Arabic comma to the other side of the space before the next
    word, so its words are compared without punctuation (and so are pypdf's around a URL: it
    moves the full stop after a URL that ends a right-to-left paragraph)."""
    paragraphs = [line for line in AR.split("---")[2].splitlines()
                  if line and not line.startswith("|")]
    plain = [re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", p) for p in paragraphs]
    extracted = words(pypdf.PdfReader(pdf(out, "ar")).pages[0].extract_text())
    for paragraph in plain:
        if "https://" in paragraph:
            assert arabic_words(paragraph) in arabic_words(extracted)
        else:
            assert paragraph in extracted
    assert arabic_words(plain[1]) in arabic_words(pdftotext(pdf(out, "ar")))
    assert arabic_words(plain[1]) not in arabic_words(pdftotext(pdf(out, "ar"), "-raw"))


def test_table_header_cells_scope_their_columns(out: Path) -> None:
    for path in all_pdfs(out):
        with pikepdf.open(path) as document:
            heads = [obj for obj in document.objects if isinstance(obj, pikepdf.Dictionary)
                     and obj.get("/S") == "/TH"]
            assert len(heads) >= 3, path.name
            assert all(head.A.Scope == "/Column" for head in heads), path.name


# PDF/UA-1's machine-checkable rules


def pdfua_findings(path: Path) -> list[str]:
    import pdfua

    return [f"{finding.rule_id}: {finding.message}" for finding in pdfua.validate(str(path)).findings]


def test_pdfua_finds_nothing_but_the_missing_claim(out: Path) -> None:
    """The default PDFs are PDF/A-3u, so they do not claim PDF/UA (UA-28-004); otherwise the
    checker's rules (structure tree, tagged content, languages, title, figures' and links'
    alternate text, tables, headings) find nothing."""
    for path in all_pdfs(out):
        findings = pdfua_findings(path)
        assert [f for f in findings if not f.startswith("UA-28-004")] == [], path.name


def test_pdfua_finds_nothing_in_pdf_ua_1(tmp_path: Path) -> None:
    out = publish(tmp_path, "--pdf-variant", "pdf/ua-1")
    for path in all_pdfs(out):
        assert pdfua_findings(path) == [], path.name


def test_pdfua_finds_nothing_in_the_shipped_project(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    project = copy_project(tmp_path / "project")
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out", str(out),
                                       "--now", NOW, "--quiet", "--pdf-variant", "pdf/ua-1"])
    assert result.exit_code == 0, result.output
    pdfs = sorted(out.rglob("*.pdf"))
    assert pdfs
    for path in pdfs:
        assert pdfua_findings(path) == [], path.name


# For a reviewer's eyes


@pytest.fixture
def review() -> Iterator[Path]:
    REVIEW.mkdir(parents=True, exist_ok=True)
    yield REVIEW


def ink(png: Path) -> float:
    """The share of dark pixels."""
    with Image.open(png) as image:
        grey = image.convert("L")
    return sum(grey.histogram()[:128]) / (grey.width * grey.height)


def test_review_images_of_the_arabic_card_and_communique(out: Path, review: Path) -> None:
    card = review / "multiscript-ar-card.png"
    shutil.copyfile(out / "ar" / STATEMENT_ID / "card.png", card)
    prefix = review / "multiscript-ar-communique"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf(out, "ar")), str(prefix)], check=True)
    page = prefix.with_suffix(".png")
    with Image.open(card) as image:
        assert image.size == (1200, 630)
    with Image.open(page) as image:
        assert abs(image.width - 662) <= 1 and abs(image.height - 935) <= 1  # A4 at 80 dpi
    assert ink(card) > 0.01 and ink(page) > 0.005
