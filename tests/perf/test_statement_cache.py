"""Parsed statements kept by content hash: the same statements, the same warnings, the same
problems, whether parsed or taken from the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHIPPED_ID
from syndicate import publish as pipeline
from syndicate.cache import CACHE_DIR, StatementCache, statement_from_json, statement_to_json
from syndicate.config import load_site
from syndicate.errors import ContentError
from syndicate.sources import load_statements


def test_a_cached_load_equals_a_fresh_one(project: Path) -> None:
    (project / "statements" / SHIPPED_ID / "en.md").write_bytes(
        (project / "statements" / SHIPPED_ID / "en.md").read_bytes().replace(b"\n", b"\r\n")
    )
    fresh = pipeline.load(project)
    first = pipeline.load(project, cache=True)
    assert (project / CACHE_DIR / "statements.json").is_file()
    cache = StatementCache(project)
    second = load_statements(project, load_site(project), cache)
    assert cache.hits == 1
    assert fresh.statements == first.statements == second.statements
    assert [repr(s) for s in fresh.statements] == [repr(s) for s in second.statements]
    assert fresh.warnings == first.warnings
    assert any("CRLF" in w.message for w in second.warnings)


def test_statements_round_trip_through_json(project: Path) -> None:
    for statement in pipeline.load(project).statements:
        assert repr(statement_from_json(statement_to_json(statement))) == repr(statement)


def test_an_edited_statement_is_parsed_again_and_its_problems_always_reported(
    project: Path,
) -> None:
    pipeline.load(project, cache=True)
    path = project / "statements" / SHIPPED_ID / "statement.yaml"
    path.write_text("date: [2022-11-22\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ContentError) as caught:
            pipeline.load(project, cache=True)
        assert "malformed YAML" in str(caught.value.problems[0])


def test_a_corrupt_cache_is_ignored(project: Path) -> None:
    pipeline.load(project, cache=True)
    (project / CACHE_DIR / "statements.json").write_text("{not json", encoding="utf-8")
    assert pipeline.load(project, cache=True).statements == pipeline.load(project).statements
