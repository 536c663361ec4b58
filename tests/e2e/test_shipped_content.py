"""The shipped statement is the source text, word for word (accents, quotes and all)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, SHIPPED_ID
from syndicate.config import load_site
from syndicate.sources import load_statements

TEXTS = REPO.parent / "shared" / "texts" / SHIPPED_ID


def source(lang: str) -> tuple[dict[str, str], str]:
    head, body = (TEXTS / f"{lang}.txt").read_text(encoding="utf-8").split("\n\n", 1)
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    return meta, body


@pytest.mark.skipif(not TEXTS.is_dir(), reason="the shared source texts are not beside the repo")
@pytest.mark.parametrize("lang", ["en", "pt"])
def test_wording_matches_the_source(lang: str) -> None:
    site = load_site(REPO)
    [statement] = [s for s in load_statements(REPO, site).statements if s.id == SHIPPED_ID]
    meta, body = source(lang)
    translation = statement.translation(lang)
    assert translation is not None
    assert translation.title == meta["Title"]
    assert translation.summary == meta["Summary"]
    assert translation.place == meta["Place"]
    assert translation.tags == tuple(t.strip() for t in meta["Tags"].split(","))
    assert statement.date.date().isoformat() == meta["Date"]
    assert translation.body_markdown.strip().split("\n\n") == body.strip().split("\n\n")
    assert statement.original == "pt"


def test_shipped_dates_in_both_languages() -> None:
    site = load_site(REPO)
    [statement] = [s for s in load_statements(REPO, site).statements if s.id == SHIPPED_ID]
    assert statement.date.isoformat() == "2022-11-22T00:00:00+00:00"
    assert Path(REPO / "statements" / SHIPPED_ID / "statement.yaml").is_file()
