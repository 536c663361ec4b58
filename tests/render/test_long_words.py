"""A word longer than the line is broken inside the PDF's margins, every character kept
(pdftotext's own reading of positions and text), and a longer one is refused by check."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from conftest import SHIPPED_ID

NOW = "2026-11-28T00:00:00Z"
WORD = "0123456789" * 40  # 400 characters that no hyphenation dictionary breaks (issue 21)
LONGEST = 1_000  # markup.MAX_WORD
A4_WIDTH = 595.276  # points
HYPHEN = "\u00ad"  # what a line-break hyphen extracts as (render.pdf)


def pdftotext(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_a_long_word_breaks_within_the_page(
    project: Path, run: Callable[..., Result]
) -> None:
    source = project / "statements" / SHIPPED_ID / "en.md"
    source.write_text(source.read_text(encoding="utf-8") + f"\nA key: {WORD} ends.\n",
                      encoding="utf-8")
    result = run("publish", "--project", project, "--now", NOW, "--jobs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    pdf = project / "dist" / "en" / SHIPPED_ID / f"{SHIPPED_ID}-en.pdf"
    # every character, in order, across the lines it takes (less the hyphens of line breaks)
    text = "".join(pdftotext(pdf).split()).replace(HYPHEN, "")
    assert WORD + "ends." in text
    boxes = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([0-9\u00ad]+)<',
                       pdftotext(pdf, "-bbox"))
    pieces = [piece for _, _, piece in boxes if len(piece) > 1]
    assert WORD in "".join(pieces).replace(HYPHEN, ""), pieces
    assert all(float(low) >= 0 and float(high) <= A4_WIDTH for low, high, _ in boxes), boxes


def test_a_longer_word_is_refused_by_check(project: Path, run: Callable[..., Result]) -> None:
    source = project / "statements" / SHIPPED_ID / "en.md"
    before = source.read_text(encoding="utf-8")
    source.write_text(before + "\n" + "0123456789" * (LONGEST // 10) + "9\n", encoding="utf-8")
    result = run("check", "--project", project)
    assert result.exit_code == 1
    line = before.count("\n") + 2
    assert (f"statements/{SHIPPED_ID}/en.md:{line}: a word of 1,001 characters "
            "('012345678901234567890123456789012345678…'); the limit is 1,000") in result.stderr
