"""Codes that name files and settings (statement ids, language codes) end where the text ends:
a final newline is not allowed through (a regular expression's ``$`` matches before one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate import publish as pipeline
from syndicate.config import LANGUAGE_CODE
from syndicate.errors import SyndicateError
from syndicate.sources import STATEMENT_ID


def test_a_final_newline_is_no_part_of_a_code() -> None:
    assert STATEMENT_ID.match("2022-11-22-vitorino-iom")
    assert not STATEMENT_ID.match("2022-11-22-vitorino-iom\n")
    assert LANGUAGE_CODE.match("pt") and LANGUAGE_CODE.match("pt-br")
    assert not LANGUAGE_CODE.match("en\n")


def test_a_language_code_ending_in_a_newline_is_reported_as_such(project: Path) -> None:
    config = project / "syndicate.toml"
    text = config.read_text(encoding="utf-8")
    assert "[languages.en]" in text
    config.write_text(text.replace("[languages.en]", '[languages."en\\n"]'), encoding="utf-8")
    with pytest.raises(SyndicateError) as caught:
        pipeline.load(project)
    said = "\n".join(str(p) for p in getattr(caught.value, "problems", [caught.value]))
    assert "syndicate.toml: language code 'en\\n' must be lowercase letters" in said
