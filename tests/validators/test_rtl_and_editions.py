"""Right to left and three languages: the Arabic card, the Arabic share boxes, the editions.

The project is the shipped one with an Arabic translation (pt, en, ar: `validator_sites`),
published once for the module and served on 127.0.0.1. The card's pixels are read with Pillow,
the edition with pikepdf, the share box in Debian's Chromium (Playwright, `executable_path`).
The Arabic card and a screenshot of the Arabic share box are left in `build/review/` for a
reviewer to look at.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image
from validator_sites import NOW, Site, served

from conftest import CHROMIUM, REPO, SHIPPED_ID, chromium

REVIEW = REPO / "build" / "review"
BAND, PADDING = 28, (72, 80)  # the card's coloured band, and its text's padding on each side
TITLE_ROWS = range(150, 420)  # the title's lines on a 1200x630 card (below the issuer's rule)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from served(tmp_path_factory.mktemp("rtl"), arabic=True)


def ink_rows(png: Path) -> list[tuple[int, int]]:
    """(leftmost, rightmost) dark column of each title row that has ink, the band left out."""
    image = Image.open(png).convert("L")
    width = image.width
    rows = []
    for y in TITLE_ROWS:
        dark = [x for x in range(BAND, width - BAND) if image.getpixel((x, y)) < 100]  # type: ignore[operator]
        if dark:
            rows.append((dark[0], dark[-1]))
    return rows


def test_arabic_card_starts_at_the_right_margin(site: Site) -> None:
    card = site.out / "ar" / SHIPPED_ID / "card.png"
    REVIEW.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(card, REVIEW / "ar-card.png")
    rows = ink_rows(card)
    assert rows, "no title ink"
    right_margin = 1200 - BAND - PADDING[0]
    # Every line of the title ends (starts, reading) at the right margin...
    assert max(right for _, right in rows) in range(right_margin - 12, right_margin + 1)
    # ... and the short last line leaves the left of the card empty.
    assert rows[-1][0] > 600
    band = Image.open(card).convert("RGB")
    assert band.getpixel((1200 - BAND // 2, 300)) == band.getpixel((1200 - BAND // 2, 20))
    assert band.getpixel((1200 - BAND // 2, 300)) != band.getpixel((BAND // 2, 300))


def test_left_to_right_cards_still_start_at_the_left_margin(site: Site) -> None:
    for lang in ("en", "pt"):
        rows = ink_rows(site.out / lang / SHIPPED_ID / "card.png")
        left_margin = BAND + PADDING[0]
        assert min(left for left, _ in rows) in range(left_margin, left_margin + 12), lang
        assert rows[-1][1] < 1200 - BAND - PADDING[1] + 1, lang


def test_three_languages_make_a_multilingual_edition_each_part_in_its_language(
    site: Site,
) -> None:
    manifest = json.loads((site.out / "manifest.json").read_text(encoding="utf-8"))
    editions = {e["path"] for e in manifest["files"]
                if e["lang"] == "mul" and e["kind"] in ("pdf", "png")}
    assert editions == {f"{SHIPPED_ID}-multilingual.pdf", f"{SHIPPED_ID}-multilingual.png"}
    assert not (site.out / f"{SHIPPED_ID}-bilingual.pdf").exists()
    edition = site.out / f"{SHIPPED_ID}-multilingual.pdf"
    with pikepdf.open(io.BytesIO(edition.read_bytes())) as pdf:
        assert str(pdf.Root.Lang) == "pt-PT"
        document = pdf.Root.StructTreeRoot.K
        document = document[0] if isinstance(document, pikepdf.Array) else document
        assert [str(kid.Lang) for kid in document.K] == ["pt-PT", "en", "ar"]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium (scripts/setup-system.sh installs it)")
    with chromium(tmp_path_factory.mktemp("chromium-profile"),
                  viewport={"width": 1000, "height": 900}) as context:
        yield context.new_page()


# The share box's text laid out by the browser with the textarea's own computed direction and
# bidi: the x of the URL's first and last characters ("h" and the final "/").
URL_ENDS = """(box) => {
  const style = getComputedStyle(box);
  const copy = document.createElement('div');
  copy.style.direction = style.direction;
  copy.style.unicodeBidi = style.unicodeBidi;
  copy.style.whiteSpace = 'pre-wrap';
  copy.style.width = box.clientWidth + 'px';
  copy.textContent = box.value;
  box.after(copy);
  const node = copy.firstChild, start = box.value.lastIndexOf('http');
  const x = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                     return r.getBoundingClientRect().left; };
  const ends = [x(start), x(box.value.length - 1)];
  copy.remove();
  return ends;
}"""


def test_arabic_share_box_keeps_the_url_left_to_right(site: Site, page: Any) -> None:
    page.goto(f"{site.base}ar/{SHIPPED_ID}/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.click("details.share-texts summary")
    box = page.locator("#share-text-x")
    assert box.evaluate("(b) => getComputedStyle(b).unicodeBidi") == "plaintext"
    first, last = box.evaluate(URL_ENDS)
    assert first < last  # the URL reads from the left, its final slash on the right
    REVIEW.mkdir(parents=True, exist_ok=True)
    box.screenshot(path=str(REVIEW / "ar-share-box.png"))


def test_configured_editions_replace_the_default_one_when_published_again(
    site: Site, tmp_path: Path
) -> None:
    """``[editions] sets`` with two sets: two editions named by their languages, the original
    first; published over the default publish, its multilingual edition goes."""
    from click.testing import CliRunner

    from syndicate.cli import main

    project, out = tmp_path / "project", tmp_path / "dist"
    shutil.copytree(site.out.parent / "project", project)
    shutil.copytree(site.out, out)
    config = project / "syndicate.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[editions]\nsets = [["en", "pt"], ["ar", "pt"]]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out", str(out),
                                       "--base-url", site.base, "--now", NOW, "--quiet"])
    assert result.exit_code == 0, result.output
    editions = sorted(p.name for p in out.glob(f"{SHIPPED_ID}-*.pdf"))
    assert editions == [f"{SHIPPED_ID}-pt-ar.pdf", f"{SHIPPED_ID}-pt-en.pdf"]
    for name, langs in (("pt-en", ["pt-PT", "en"]), ("pt-ar", ["pt-PT", "ar"])):
        with pikepdf.open(out / f"{SHIPPED_ID}-{name}.pdf") as pdf:
            document = pdf.Root.StructTreeRoot.K
            document = document[0] if isinstance(document, pikepdf.Array) else document
            assert [str(kid.Lang) for kid in document.K] == langs
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {e["path"] for e in manifest["files"] if e["kind"] == "pdf" and e["lang"] == "mul"} \
        == {f"{SHIPPED_ID}-pt-ar.pdf", f"{SHIPPED_ID}-pt-en.pdf"}
