"""More languages by configuration alone: a third language, and a right-to-left one."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import feedparser
from lxml import html
from pypdf import PdfReader

from conftest import SHIPPED_ID, write

NOW = "2026-11-28T12:00:00+00:00"

FRENCH = """
[languages.fr]
tag = "fr"
title = "Gouvernement portugais — Communiqués"
issuer = "Gouvernement portugais"
"""
ARABIC = """
[languages.ar]
tag = "ar"
title = "الحكومة البرتغالية — البيانات"
issuer = "الحكومة البرتغالية"
"""


def add_language(project: Path, config: str, lang: str, front: str, body: str) -> None:
    toml = project / "syndicate.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + config, encoding="utf-8")
    write(project / "statements" / SHIPPED_ID / f"{lang}.md", f"---\n{front}---\n\n{body}\n")


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def test_a_third_language_is_published_fully(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_language(
        project,
        FRENCH,
        "fr",
        'title: "Le Portugal soutient la candidature d\'António Vitorino"\n'
        "place: Lisbonne\ntags: [migrations, OIM]\n",
        "Le Gouvernement portugais soutient la candidature d'António Vitorino.",
    )
    assert run("translated", SHIPPED_ID, "fr", "--project", project).exit_code == 0
    check = run("check", "--strict", "--project", project)
    assert check.exit_code == 0, check.output
    out = tmp_path / "out"
    result = run("publish", "--project", project, "--out", out, "--now", NOW)
    assert result.exit_code == 0, result.output

    pdf = out / "fr" / SHIPPED_ID / f"{SHIPPED_ID}-fr.pdf"
    text = pdf_text(pdf)
    assert "Lisbonne, 22 novembre 2022" in text
    assert "Page 1 sur 1" in text
    assert "COMMUNIQUÉDEPRESSE" in text.replace(" ", "").upper()  # the label is letter-spaced
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "fr"

    feed = feedparser.parse((out / "fr" / "feed.atom").read_bytes())
    assert not feed.bozo and feed.feed.language == "fr"
    assert feed.entries[0].title == "Le Portugal soutient la candidature d'António Vitorino"

    page = html.parse(out / "fr" / SHIPPED_ID / "index.html").getroot()
    assert page.get("lang") == "fr"
    assert page.xpath("//a[@download]")[0].text_content() == "Télécharger le PDF"
    portuguese = html.parse(out / "pt" / SHIPPED_ID / "index.html")
    assert portuguese.xpath("//link[@rel='alternate'][@hreflang='fr']/@href") == [
        f"https://press.example.org/fr/{SHIPPED_ID}/"
    ]
    share = json.loads((out / "fr" / SHIPPED_ID / "share.json").read_text(encoding="utf-8"))
    assert share["x"]["url"] == f"https://press.example.org/fr/{SHIPPED_ID}/"


def test_arabic_renders_right_to_left(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_language(
        project,
        ARABIC,
        "ar",
        'title: "البرتغال تدعم ترشيح أنطونيو فيتورينو"\nplace: لشبونة\n',
        "تدعم الحكومة البرتغالية ترشيح أنطونيو فيتورينو لمنصب المدير العام للمنظمة الدولية للهجرة.",
    )
    out = tmp_path / "out"
    result = run("publish", "--project", project, "--out", out, "--now", NOW)
    assert result.exit_code == 0, result.output
    page = html.parse(out / "ar" / SHIPPED_ID / "index.html").getroot()
    assert page.get("dir") == "rtl" and page.get("lang") == "ar"
    assert html.parse(out / "pt" / SHIPPED_ID / "index.html").getroot().get("dir") == "ltr"

    pdf = out / "ar" / SHIPPED_ID / f"{SHIPPED_ID}-ar.pdf"
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "ar"
    text = pdf_text(pdf)
    for word in ("البرتغال", "فيتورينو", "لشبونة"):
        assert word in text, text
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "Arabic" in fonts or "DejaVuSans" in fonts
    for line in fonts.splitlines()[2:]:
        assert " yes " in line  # every font embedded
