"""``syndicate check``'s look for characters no installed font can draw (:mod:`syndicate.fonts`):
with Latin-1 covered it looks only past Latin-1, and it keeps, between checks, the texts it
found covered, so that an archive's check reads only the texts that changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHIPPED_ID
from syndicate import fonts

# Latin-1 and a few blocks past it; U+0100-U+017F (Latin Extended-A) and U+4E00 left out
CHARSETS = ["20-7e a0-ff 180-24f 370-3ff", "2000-206f 20ac e000"]


def reference(coverage: fonts.Coverage, text: str) -> list[str]:
    """What Coverage.missing answers, character by character (the definition)."""
    return [c for c in dict.fromkeys(text) if c >= "\x80" and fonts._drawn(c)
            and (ord(c) in fonts._DRAWN_FORMAT or not coverage.has(c))]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x5000), max_size=80))
def test_looking_past_latin1_only_finds_what_a_look_at_every_character_finds(text: str) -> None:
    coverage = fonts.parse_charsets(CHARSETS)
    assert coverage.latin1
    assert coverage.missing(text) == reference(coverage, text)


def test_without_latin1_every_character_is_looked_at() -> None:
    coverage = fonts.parse_charsets(["20-7e a0-e8"])  # é (U+00E9) and after: in no font
    assert not coverage.latin1
    assert coverage.missing("Olá, café, ü") == ["é", "ü"]


def test_a_second_check_reads_only_the_text_that_changed_and_a_problem_every_time(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    missing = fonts.Coverage.missing

    def counted(self: fonts.Coverage, text: str) -> list[str]:
        if not text.startswith("\x80"):  # (not the look at Latin-1 of parse_charsets)
            asked.append(text)
        return missing(self, text)

    monkeypatch.setattr(fonts.Coverage, "missing", counted)
    assert run("check", "--project", project).exit_code == 0
    assert len(asked) == 2  # (both translations, the first time)
    asked.clear()
    assert run("check", "--project", project).exit_code == 0
    assert asked == []  # (both known covered)
    source = project / "statements" / SHIPPED_ID / "en.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nIt reads \ue000 there.\n",
                      encoding="utf-8")
    for _ in range(2):  # (reported by every check: a text with a problem is never kept)
        asked.clear()
        result = run("check", "--project", project)
        assert result.exit_code == 1
        assert "character '\\ue000' (U+E000) is in no installed font" in result.stderr
        assert len(asked) == 1
