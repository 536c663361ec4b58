"""Parsed statements kept by content hash: the same statements, the same warnings, the same
problems, whether parsed or taken from the cache."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import SHIPPED_ID
from syndicate import publish as pipeline
from syndicate.cache import CACHE_DIR, Known, StatementCache
from syndicate.config import load_site
from syndicate.errors import ContentError, SyndicateError
from syndicate.model import Statement
from syndicate.sources import load_statements
from syndicate.statement_entries import (
    Kept,
    facts_of,
    statement_from_json,
    statement_to_json,
    texts_to_json,
)


def test_a_cached_load_equals_a_fresh_one(project: Path) -> None:
    (project / "statements" / SHIPPED_ID / "en.md").write_bytes(
        (project / "statements" / SHIPPED_ID / "en.md").read_bytes().replace(b"\n", b"\r\n")
    )
    fresh = pipeline.load(project)
    first = pipeline.load(project, cache=True)
    [entry] = (project / CACHE_DIR / "statements").iterdir()  # one small file per statement
    assert entry.suffix == ".json"
    cache = StatementCache(project)
    second = load_statements(project, load_site(project), cache)
    assert cache.hits == 1
    in_memory = [[s.in_memory() for s in loaded.statements] for loaded in (first, second)]
    assert list(fresh.statements) == in_memory[0] == in_memory[1]
    assert [repr(s) for s in fresh.statements] == [repr(s) for s in in_memory[1]]
    assert fresh.warnings == first.warnings
    assert any("CRLF" in w.message for w in second.warnings)


def round_trip(statement: Statement, tmp_path: Path) -> tuple[Statement, list[dict[str, Any]]]:
    """``statement`` through a statement cache entry as StatementCache writes one (named by
    its content, as entries are)."""
    texts = texts_to_json(statement)
    text = f"{json.dumps(statement_to_json(statement))}\n{json.dumps(texts)}"
    path = tmp_path / f"{hashlib.sha256(text.encode()).hexdigest()}.json"
    path.write_text(text, "ascii")
    return statement_from_json(statement_to_json(statement), str(path)), texts


def test_statements_round_trip_through_json(project: Path, tmp_path: Path) -> None:
    for statement in pipeline.load(project).statements:
        back, texts = round_trip(statement, tmp_path)
        assert all(isinstance(t.words, Kept) for t in back.translations)  # words not in memory
        assert repr(back.in_memory()) == repr(statement)
        assert [t.facts for t in back.translations] == [facts_of(t) for t in statement.translations]
        # The Markdown body is kept as where it starts in the source, not as a third copy.
        assert all("body_markdown" not in t and int(t["body_at"]) > 0 for t in texts)
        # A body that is not its source's end (never made by load) is kept as it is.
        odd = replace(statement, translations=tuple(
            replace(t, words=replace(t.words.text(), markdown=f"Not in the source, {t.lang}.\n"))
            for t in statement.translations))
        assert repr(round_trip(odd, tmp_path)[0].in_memory()) == repr(odd)


def test_a_statement_cache_changed_under_a_load_is_a_plain_error(project: Path) -> None:
    [statement] = pipeline.load(project, cache=True).statements
    for entry in (project / CACHE_DIR / "statements").iterdir():
        entry.write_text(entry.read_text("ascii").split("\n")[0] + "\n[", "ascii")
    with pytest.raises(SyndicateError, match="the statement cache changed while this ran"):
        statement.translations[0].body_html  # noqa: B018


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
    [entry] = (project / CACHE_DIR / "statements").glob("*.json")
    entry.write_text("{not json", encoding="utf-8")
    assert pipeline.load(project, cache=True).statements == pipeline.load(project).statements
    assert entry.read_text(encoding="utf-8").startswith("{")  # parsed again and rewritten


def test_an_edit_replaces_only_that_statements_entry(project: Path) -> None:
    second = project / "statements" / "2023-01-10-second"
    shutil.copytree(project / "statements" / SHIPPED_ID, second)
    pipeline.load(project, cache=Known())  # (a publish's load)
    folder = project / CACHE_DIR / "statements"
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    assert len(before) == 2
    path = second / "en.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    pipeline.load(project, cache=Known())
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    assert len(after) == 2 and len(before.keys() & after.keys()) == 1  # the old entry is gone
    [kept] = before.keys() & after.keys()
    assert before[kept] == after[kept]  # the other statement's entry was not rewritten
    shutil.rmtree(second)
    pipeline.load(project, cache=Known())
    assert [p.name for p in folder.glob("*.json")] == [kept]


@pytest.mark.parametrize("library", ["weasyprint", "pyphen", "tinycss2", "babel"])
def test_the_tool_digest_changes_with_a_rendering_library(
    monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    """Every output's key holds the tool's digest: a new version of a library that decides
    the bytes (WeasyPrint, its hyphenation dictionaries, its CSS parser, Babel...) renders
    everything again."""
    import importlib.metadata

    from syndicate import cache

    cache.code_digest.cache_clear()
    before = cache.code_digest()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "999.0" if name == library else real(name))
    cache.code_digest.cache_clear()
    try:
        assert cache.code_digest() != before
    finally:
        monkeypatch.undo()
        cache.code_digest.cache_clear()
    assert cache.code_digest() == before


def two_statements(project: Path) -> Path:
    """``project`` with a second statement (a copy of the shipped one); its cache folder."""
    shutil.copytree(project / "statements" / SHIPPED_ID, project / "statements" / "2023-01-10-b")
    return project / CACHE_DIR / "statements"


def as_loaded(project: Path, **options: Any) -> tuple[list[Statement], tuple[object, ...]]:
    """A publish's load of ``project`` (through the cache): its statements, words read, and
    its warnings."""
    loaded = pipeline.load(project, cache=Known(), **options)
    return [s.in_memory() for s in loaded.statements], loaded.warnings


def test_a_publish_load_packs_the_entries_and_the_next_reads_the_pack_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first lines of the entries a publish used, in one file: the next load reads that
    file instead of one per statement (and the same statements come out)."""
    from syndicate import cache

    folder = two_statements(project)
    first = as_loaded(project)
    pack = (folder / "pack").read_bytes()
    lines = pack.decode("ascii").splitlines()
    keys = [line.split(" ", 1)[0] for line in lines]
    assert keys == sorted(p.stem for p in folder.glob("*.json"))
    for line in lines:  # each entry's own first line
        key, first_line = line.split(" ", 1)
        assert (folder / f"{key}.json").read_text("ascii").split("\n")[0] == first_line

    def no_entry_file(path: object) -> bytes:
        raise AssertionError(f"{path} read, though the pack has it")

    monkeypatch.setattr(cache, "read_first_line", no_entry_file)
    written = (folder / "pack").stat().st_ino  # (a new pack is a new file, renamed in)
    assert as_loaded(project) == first == (
        [s.in_memory() for s in pipeline.load(project).statements], pipeline.load(project).warnings)
    assert (folder / "pack").stat().st_ino == written  # nothing new: not written again
    # A draft with a problem is never cached: no entry to read, none to pack.
    draft = project / "statements" / "2023-02-01-draft"
    draft.mkdir()
    (draft / "statement.yaml").write_text("date: [\ndraft: true\n", encoding="utf-8")
    monkeypatch.undo()
    as_loaded(project)
    assert (folder / "pack").stat().st_ino == written


@pytest.mark.parametrize("damage", ["entry removed", "pack garbled"])
def test_an_entry_removed_by_hand_or_a_garbled_pack_is_parsed_again(
    project: Path, damage: str
) -> None:
    folder = two_statements(project)
    first = as_loaded(project)
    if damage == "entry removed":
        next(folder.glob("*.json")).unlink()
    else:  # one key's line not JSON, the other's JSON but no entry; junk; no end of line
        one, other = (p.stem.encode() for p in folder.glob("*.json"))
        (folder / "pack").write_bytes(b"\x00\xff junk\nno-space-here\n%s {\n%s [1, 2]\n%s"
                                      % (one, other, one))
    assert as_loaded(project) == first
    assert len(list(folder.glob("*.json"))) == 2 and len(
        (folder / "pack").read_bytes().splitlines()) == 2  # (made whole again)


def test_a_damaged_entry_also_removes_the_pack_that_holds_it(project: Path) -> None:
    """Its words unreadable: the error of a cache changed under a load, once (the next load
    parses the statement again, not from the pack)."""
    folder = two_statements(project)
    statement = pipeline.load(project, cache=Known()).statements[0]
    words = statement.translations[0].words
    assert isinstance(words, Kept)
    entry = Path(words.path)
    entry.write_text(entry.read_text("ascii").split("\n")[0] + "\n[", "ascii")
    with pytest.raises(SyndicateError, match="the statement cache changed while this ran"):
        statement.translations[0].body_html  # noqa: B018
    assert not (folder / "pack").exists()
    assert as_loaded(project)[0] == [s.in_memory() for s in pipeline.load(project).statements]


def test_the_units_keys_are_the_same_from_the_statements_kept_keys(project: Path) -> None:
    """A statement's own part of its units' keys, kept in its entry, is what hashing it
    again gives; an entry's keys that are not two hashes a language are not used."""
    from syndicate.plan import keyed_units
    from syndicate.statement_keys import keys_from_json, own_keys

    two_statements(project)
    pipeline.load(project, cache=Known())
    loaded = pipeline.load(project, cache=Known())
    assert loaded.keys.keys() == {s.id for s in loaded.statements}
    for statement in loaded.statements:
        assert loaded.keys[statement.id] == own_keys(statement)
        assert keys_from_json(["a"] * 3, statement) is None
        assert keys_from_json(["a", 1, "b", "c"], statement) is None
        assert keys_from_json({"pages": {}}, statement) is None
    # An entry under another folder's key is not that folder's statement (its id says whose).
    entries = list(Path(project / CACHE_DIR / "statements").glob("*.json"))
    texts = [entry.read_bytes() for entry in entries]
    for entry, text in zip(entries, reversed(texts), strict=True):
        entry.write_bytes(text)
    (project / CACHE_DIR / "statements" / "pack").unlink()  # (else the entries are not read)
    assert [s.id for s in pipeline.load(project, cache=Known()).statements] == sorted(
        s.id for s in loaded.statements)
    statements = list(loaded.statements)
    assert ([u.key for u in keyed_units(loaded, statements)]
            == [u.key for u in keyed_units(replace(loaded, keys={}), statements)])


def test_a_load_for_a_site_published_otherwise_reads_no_pack(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the site's settings changed, no entry of the pack can be the load's (their keys
    hash the settings): the pack is not read (an archive's would be tens of MB for nothing),
    and the new one holds the new entries."""
    from syndicate import cache

    folder = two_statements(project)
    pipeline.load(project, cache=Known())

    def unread(folder: Path) -> dict[str, bytes]:
        raise AssertionError("the pack was read")

    monkeypatch.setattr(cache, "read_pack", unread)
    pipeline.load(project, cache=Known(context="the last publish's, for other settings"))
    keys = sorted(p.stem for p in folder.glob("*.json"))
    assert [line.split(b" ")[0].decode() for line in (folder / "pack").read_bytes().splitlines()
            ] == keys and len(keys) == 2
