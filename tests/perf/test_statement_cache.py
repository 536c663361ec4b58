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
from syndicate import assets, keys, workflow
from syndicate import publish as pipeline
from syndicate.cache import CACHE_DIR, FORMAT, Known, StatementCache
from syndicate.config import load_site
from syndicate.errors import ContentError, SyndicateError
from syndicate.keys import keyed_units
from syndicate.model import Statement
from syndicate.project import Project
from syndicate.sources import load_statements
from syndicate.statement_entries import (
    Kept,
    KeptStatement,
    entry_first_line,
    entry_from_line,
    facts_of,
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


def entries(project: Path) -> set[tuple[str, int, int]]:
    """The statement cache's files: name, modification time and inode."""
    return {(p.name, p.stat().st_mtime_ns, p.stat().st_ino)
            for p in (project / CACHE_DIR / "statements").iterdir()}


def test_a_project_named_another_way_takes_the_same_entries(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`syndicate publish` in the project's folder, then `syndicate check --project` with its
    whole path (or from another folder): the second load parses nothing again, rewrites and
    drops no entry, and its warnings name the files as this load spells them."""
    en = project / "statements" / SHIPPED_ID / "en.md"
    en.write_bytes(en.read_bytes().replace(b"\n", b"\r\n"))  # (a warning: CRLF)
    monkeypatch.chdir(project.parent)
    relative = pipeline.load(Path(project.name), cache=Known())  # (a publish's load)
    assert [w.path for w in relative.warnings] == [f"{project.name}/statements/{SHIPPED_ID}/en.md"]
    before = entries(project)
    cache = StatementCache(project)
    absolute = load_statements(project, load_site(project), cache)
    cache.close()
    assert cache.hits == 1
    assert absolute.warnings == pipeline.load(project).warnings  # (parsed, not cached)
    assert [w.path for w in absolute.warnings] == [str(en)]
    pipeline.load(project, cache=Known())  # (a publish's load drops the entries it did not use)
    assert entries(project) == before


def test_a_cached_load_says_which_translations_are_out_of_step_as_a_fresh_one(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stale and untracked translations are found when a statement is parsed and kept with
    its entry: a load from the cache says the same of them, and works none of it out again."""
    folder = project / "statements" / SHIPPED_ID
    original = (folder / "pt.md").read_text(encoding="utf-8")
    (folder / "pt.md").write_text(original.replace("\n\n", "\n\nUm parágrafo novo.\n\n", 1),
                                  encoding="utf-8")
    fresh = pipeline.load(project).warnings
    assert any("stale translation" in w.message for w in fresh)
    pipeline.load(project, cache=True)  # parsed, and kept

    def worked_out(statement: Statement) -> list[tuple[str, str]]:
        raise AssertionError(f"{statement.id}: worked out again")

    monkeypatch.setattr(workflow, "stale_messages", worked_out)
    assert pipeline.load(project, cache=True).warnings == fresh


def test_a_cached_statements_units_have_the_keys_a_parsed_ones_have(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a statement's units are made of that is its own is hashed when it is parsed and
    kept with its entry: the units of a statement from the cache have the keys they have when
    it is parsed, and the plan hashes none of it again."""
    second = project / "statements" / "2022-11-23-second"
    shutil.copytree(project / "statements" / SHIPPED_ID, second)
    with (second / "en.md").open("a", encoding="utf-8") as en:
        en.write("\nOne more sentence.\n")
    def keyed(loaded: Project) -> dict[str, str]:  # (an edition's: of the folder's hash too)
        return {u.name: u.key for u in keyed_units(loaded, list(loaded.statements))
                if u.kind != "bilingual"}

    parsed = keyed(pipeline.load(project))
    pipeline.load(project, cache=True)  # parsed, and kept
    cached = pipeline.load(project, cache=True)

    def hashed_again(statement: Statement) -> str:
        raise AssertionError(f"{statement.id}: hashed again")

    monkeypatch.setattr(keys, "statement_parts", hashed_again)
    assert keyed(cached) == parsed
    assert len(set(parsed.values())) == len(parsed) == 12  # (two statements, two languages)


def test_a_load_that_is_not_planned_keeps_no_parts_in_memory(project: Path) -> None:
    """check's and status's loads keep none of the statements' parts (see
    keys.statement_parts: 9-10 MB at 16,000 statements), which only a plan's keys use, whether
    a statement is parsed or read from its entry; a publish's and serve's loads keep them."""
    checking = Known(publishing=False)
    assert pipeline.load(project, cache=checking).parts == {}  # parsed, and kept
    assert pipeline.load(project, cache=checking).parts == {}  # from its entry
    assert list(pipeline.load(project, cache=Known()).parts) == [SHIPPED_ID]
    assert list(pipeline.load(project, cache=True).parts) == [SHIPPED_ID]
    shutil.rmtree(project / CACHE_DIR)
    assert list(pipeline.load(project, cache=True).parts) == [SHIPPED_ID]  # (parsed)


def round_trip(statement: Statement, tmp_path: Path) -> tuple[Statement, list[dict[str, Any]]]:
    """``statement`` through a statement cache entry as StatementCache writes one (named by
    its content, as entries are)."""
    texts = texts_to_json(statement)
    folder = f"statements/{statement.id}"
    line = entry_first_line(FORMAT, statement, [], [], keys.statement_parts(statement), folder)
    text = f"{line}\n{json.dumps(texts)}"
    path = tmp_path / f"{hashlib.sha256(text.encode()).hexdigest()}.json"
    path.write_text(text, "ascii")
    return entry_from_line(line.encode("ascii"), FORMAT, str(path), folder)[0], texts


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


def test_a_cached_statement_decodes_its_translations_when_asked_and_is_a_statement(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement from its entry decodes its translations when something first asks for
    them, once; until then and after, it is equal to, hashed, shown and pickled as the
    statement a load without the cache parses."""
    import pickle

    from syndicate import statement_entries

    [fresh] = pipeline.load(project).statements
    pipeline.load(project, cache=True)
    made: list[str] = []
    translation = statement_entries._translation

    def counted(data: Any, path: str, index: int) -> Any:
        made.append(data[0])
        return translation(data, path, index)

    monkeypatch.setattr(statement_entries, "_translation", counted)
    [kept] = pipeline.load(project, cache=True).statements
    assert isinstance(kept, KeptStatement) and made == []
    assert kept.languages == fresh.languages and kept.goes_live == fresh.goes_live
    assert not assets.shows_images(kept)
    assert made == []  # (what a plan asks of every statement)
    assert kept == fresh and fresh == kept and hash(kept) == hash(fresh)
    assert made == list(fresh.languages)
    # A thread that found the slot unset before another decoded it gets the same translations.
    assert KeptStatement.__getattr__(kept, "translations") is kept.translations
    assert repr(kept).startswith("Statement(id=") and "Kept(" in repr(kept)  # (words apart)
    assert repr(kept.in_memory()) == repr(fresh)
    back = pickle.loads(pickle.dumps(kept))
    assert type(back) is Statement and back == fresh
    assert made == list(fresh.languages)  # (decoded once)


def test_a_cached_statement_knows_whether_it_shows_an_image(project: Path) -> None:
    """Whether a cached statement shows an image is kept with it (the load's image check
    then reads its image files, and its translations); one made from it by
    dataclasses.replace has what its given translations say."""
    folder = project / "statements" / SHIPPED_ID  # (its English shows an image)
    (folder / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" '
                                      'height="2"><rect width="4" height="2"/></svg>', "utf-8")
    with (folder / "en.md").open("a", encoding="utf-8") as english:
        english.write("\n![A bar](chart.svg)\n")
    [fresh] = pipeline.load(project).statements
    pipeline.load(project, cache=True)
    [kept] = pipeline.load(project, cache=True).statements
    assert isinstance(kept, KeptStatement) and kept.images
    assert assets.shows_images(kept) and assets.shows_images(fresh)
    for lang in fresh.languages:
        translation = kept.translation(lang)
        assert translation is not None
        one = replace(kept, translations=(translation,))
        assert one.languages == (lang,) and one == replace(fresh, translations=(translation,))
        assert assets.shows_images(one) == (lang == "en")


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
    [entry] = (project / CACHE_DIR / "statements").iterdir()
    entry.write_text("{not json", encoding="utf-8")
    assert pipeline.load(project, cache=True).statements == pipeline.load(project).statements
    first = entry.read_text(encoding="utf-8").split("\n")[0].split("\t")[1]  # (its array)
    assert json.loads(first)[1][0] == SHIPPED_ID  # parsed again and rewritten


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
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, library: str
) -> None:
    """Every output's key holds the tool's digest: a new version of a library that decides
    the bytes (WeasyPrint, its hyphenation dictionaries, its CSS parser, Babel...) renders
    everything again. The new version is a wheel's installed folder earlier on the path (as
    PYTHONPATH or a user's site-packages would put it); importlib.metadata, an independent
    reader, finds the same."""
    import importlib.metadata

    from syndicate import cache, versions

    def fresh() -> str:
        cache.code_digest.cache_clear()
        versions._listed_versions.cache_clear()
        return cache.code_digest()

    before = fresh()
    installed = tmp_path / f"{library}-999.0.dist-info"
    installed.mkdir()
    (installed / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {library}\nVersion: 999.0\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert fresh() != before
        assert versions.library_version(library) == importlib.metadata.version(library) == "999.0"
    finally:
        monkeypatch.undo()
    assert fresh() == before


def test_the_libraries_versions_are_those_importlib_metadata_reads() -> None:
    """The versions read from the installed folders' names are importlib.metadata's, for
    every library in the tool's digest (and "" for one not installed)."""
    import importlib.metadata

    from syndicate import cache, versions

    versions._listed_versions.cache_clear()
    listed = versions._listed_versions()
    for name in (*cache.RENDERING_LIBRARIES, "pyhanko", "PyYAML", "markdown_it_py"):
        installed = importlib.metadata.version(name)
        assert listed[versions._distribution_key(name)] == installed, name  # (read so)
        assert versions.library_version(name) == installed, name
    assert versions.library_version("no-such-distribution-here") == ""


@pytest.mark.parametrize("kind", ["egg-info", "zip"])
def test_a_library_installed_otherwise_earlier_on_the_path_is_importlib_metadatas(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str
) -> None:
    """A version the folders' names cannot tell (an .egg-info, or distributions inside a zip
    on the path) is importlib.metadata's: the one it reads first, not a later wheel's."""
    import importlib.metadata
    import zipfile

    from syndicate import versions

    metadata = "Metadata-Version: 2.1\nName: weasyprint\nVersion: 5.0\n"
    if kind == "egg-info":
        (tmp_path / "weasyprint-5.0.egg-info").mkdir()
        (tmp_path / "weasyprint-5.0.egg-info" / "PKG-INFO").write_text(metadata, "utf-8")
        entry = str(tmp_path)
    else:
        entry = str(tmp_path / "libraries.zip")
        with zipfile.ZipFile(entry, "w") as archive:
            archive.writestr("weasyprint-5.0.dist-info/METADATA", metadata)
    monkeypatch.syspath_prepend(entry)
    versions._listed_versions.cache_clear()
    try:
        assert versions.library_version("weasyprint") == importlib.metadata.version(
            "weasyprint") == "5.0"
    finally:
        monkeypatch.undo()
        versions._listed_versions.cache_clear()
