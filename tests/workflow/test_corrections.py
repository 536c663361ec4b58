"""Corrections: a dated "Corrected on ..." line on the page and the PDF; feeds move `updated`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import feedparser
from lxml import html

from conftest import SHIPPED_ID, write

NOW = "2026-11-28T12:00:00+00:00"


def test_correction_is_shown_and_dated(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = project / "statements" / SHIPPED_ID
    write(folder / "statement.yaml",
          "date: 2022-11-22\noriginal: pt\nupdated: 2022-11-23T15:00:00+00:00\n")
    pt = folder / "pt.md"
    pt.write_text(pt.read_text(encoding="utf-8").replace(
        "place: Lisboa", "place: Lisboa\ncorrection: Corrigida a data das eleições."),
        encoding="utf-8")
    out = tmp_path / "out"
    result = run("publish", "--project", project, "--out", out, "--now", NOW)
    assert result.exit_code == 0, result.output

    page = html.parse(out / "pt" / SHIPPED_ID / "index.html")
    [line] = page.xpath("//p[@class='correction']")
    assert line.text_content() == (
        "Corrigido em 23 de novembro de 2022: Corrigida a data das eleições.")
    assert line.xpath("time/@datetime") == ["2022-11-23T15:00:00+00:00"]
    english = html.parse(out / "en" / SHIPPED_ID / "index.html")
    [line] = english.xpath("//p[@class='correction']")
    assert line.text_content() == "Corrected on November 23, 2022"

    pdf = out / "pt" / SHIPPED_ID / f"{SHIPPED_ID}-pt.pdf"
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Corrigido em 23 de novembro de 2022: Corrigida a data das eleições." in text

    feed = feedparser.parse((out / "pt" / "feed.atom").read_bytes())
    [entry] = feed.entries
    assert entry.updated == "2022-11-23T15:00:00+00:00"
    assert entry.published == "2022-11-22T00:00:00+00:00"
