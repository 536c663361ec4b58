"""Publish the shipped project and read every output back with independent readers."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import unicodedata
from pathlib import Path

import feedparser
import grapheme
import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader
from twitter_text import parse_tweet

from conftest import SHIPPED_ID, copy_project
from syndicate.cli import main

NOW = "2026-11-28T12:00:00+00:00"
TITLES = {
    "en": "Portugal supports António Vitorino's candidacy for Director-General of the IOM",
    "pt": "Governo apoia candidatura de António Vitorino a Diretor-Geral da OIM",
}
DATELINES = {"en": "Lisbon, November 22, 2022", "pt": "Lisboa, 22 de novembro de 2022"}
TAGS = {"en": "en", "pt": "pt-PT"}


def publish_repo(out: Path, now: str) -> Result:
    """Publish a copy of the repository's own project, made beside ``out``, into ``out`` as of
    ``now``."""
    project = copy_project(out.parent / "project")
    result = CliRunner().invoke(
        main, ["publish", "--project", str(project), "--out", str(out), "--now", now]
    )
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One publish of the shipped project, shared by the module's read-only checks."""
    out = tmp_path_factory.mktemp("e2e") / "dist"
    result = publish_repo(out, NOW)
    assert result.stderr == ""
    return out


def pdftotext(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def test_manifest_lists_every_file(dist: Path) -> None:
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}
    assert on_disk - {"manifest.json"} == set(listed)
    for path, entry in listed.items():
        data = (dist / path).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    kinds = {(e["kind"], e["lang"], e["statement"]) for e in manifest["files"]}
    for lang in ("en", "pt"):
        for kind in ("pdf", "html", "share"):
            assert (kind, lang, SHIPPED_ID) in kinds
        assert ("rss", lang, None) in kinds and ("atom", lang, None) in kinds


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_feeds_parse(dist: Path, lang: str) -> None:
    pdf = dist / lang / SHIPPED_ID / f"{SHIPPED_ID}-{lang}.pdf"
    for fmt in ("rss", "atom"):
        feed = feedparser.parse((dist / lang / f"feed.{fmt}").read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.language == TAGS[lang]
        [entry] = feed.entries
        assert entry.title == TITLES[lang]
        assert entry.link == f"https://press.example.org/{lang}/{SHIPPED_ID}/"
        [enclosure] = entry.enclosures
        assert enclosure.href == f"https://press.example.org/{lang}/{SHIPPED_ID}/{pdf.name}"
        assert int(enclosure.length) == pdf.stat().st_size


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_pdf_text_and_metadata(dist: Path, lang: str) -> None:
    pdf = dist / lang / SHIPPED_ID / f"{SHIPPED_ID}-{lang}.pdf"
    text = pdftotext(pdf)
    assert DATELINES[lang] in text
    other = "pt" if lang == "en" else "en"
    assert DATELINES[other] not in text
    assert ("Página 1 de 1" if lang == "pt" else "Page 1 of 1") in text
    unhyphenated = re.sub(r"[-\u00ad] ", "", text)  # the body is hyphenated at line ends
    assert ("Champion Country" if lang == "en" else "«País Campeão»") in unhyphenated
    reader = PdfReader(pdf)
    assert reader.metadata is not None
    assert reader.metadata.title == TITLES[lang]
    assert reader.metadata.author == (
        "Portuguese Government" if lang == "en" else "Governo de Portugal"
    )
    assert reader.trailer["/Root"]["/Lang"] == TAGS[lang]


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_share_texts_fit(dist: Path, lang: str) -> None:
    share = json.loads((dist / lang / SHIPPED_ID / "share.json").read_text(encoding="utf-8"))
    url = f"https://press.example.org/{lang}/{SHIPPED_ID}/"
    for platform in (
        "x",
        "bluesky",
        "mastodon",
        "linkedin",
        "facebook",
        "whatsapp",
        "telegram",
        "email",
    ):
        item = share[platform]
        assert item["url"] == url
        assert unicodedata.is_normalized("NFC", item["text"])
    x = parse_tweet(share["x"]["text"])
    assert x.valid and x.weightedLength <= 280 and url in share["x"]["text"]
    assert grapheme.length(share["bluesky"]["text"]) <= 300
    mastodon = re.sub(r"https?://\S+", "x" * 23, share["mastodon"]["text"])
    assert len(mastodon) <= 500
    assert share["email"]["subject"] == TITLES[lang]


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_page(dist: Path, lang: str) -> None:
    html = (dist / lang / SHIPPED_ID / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{TAGS[lang]}"' in html
    assert DATELINES[lang] in html
    assert f'href="https://press.example.org/{lang}/{SHIPPED_ID}/{SHIPPED_ID}-{lang}.pdf"' in html


def test_same_input_same_bytes(dist: Path, tmp_path: Path) -> None:
    """A second publish at another --now (still after the statement) is byte-identical."""
    out = tmp_path / "again"
    publish_repo(out, "2030-01-01T00:00:00+00:00")
    first = {p.relative_to(dist): p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    second = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [p for p in first if first[p] != second[p]] == []


def test_scheduled_statement_is_nowhere(tmp_path: Path) -> None:
    out = tmp_path / "early"
    # 2022-11-21T23:59:59Z is 23:59:59 in Lisbon (UTC+0 in November): the day before.
    result = publish_repo(out, "2022-11-21T23:59:59+00:00")
    assert "1 scheduled" in result.stdout
    for path in out.rglob("*"):
        if path.is_file():
            assert SHIPPED_ID.encode() not in path.read_bytes(), path
