"""Many statements are parsed on every core: the same statements, warnings and problems, in the
same order, as when they are parsed one after another in one process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import SHIPPED_ID
from syndicate import publish as pipeline
from syndicate import sources
from syndicate.cache import CACHE_DIR
from syndicate.config import load_site
from syndicate.errors import ContentError, Problem
from syndicate.model import Site, Statement

COUNT = 80  # above sources.PARALLEL_FROM


def _archive(project: Path, bad: bool) -> None:
    """COUNT copies of the shipped statement, some with raw HTML (a warning) and, with
    ``bad``, some with broken front matter or an invalid id (problems)."""
    shipped = project / "statements" / SHIPPED_ID
    for n in range(COUNT):
        folder = project / "statements" / f"2023-01-{n % 28 + 1:02d}-copy-{n:03d}"
        shutil.copytree(shipped, folder)
        if n % 9 == 4:
            path = folder / "pt.md"
            path.write_text(path.read_text(encoding="utf-8") + "\nUm <b>aviso</b>.\n",
                            encoding="utf-8")
        if bad and n % 23 == 7:
            (folder / "statement.yaml").write_text("date: [2023-01-01\n", encoding="utf-8")
        if bad and n % 31 == 3:
            (folder / "en.md").write_text("---\ntitle: ''\n---\n\n", encoding="utf-8")
    if bad:
        shutil.copytree(shipped, project / "statements" / "Not-An-Id")


def _outcome(project: Path) -> tuple[tuple[Statement, ...], tuple[Problem, ...]] | list[Problem]:
    try:
        loaded = sources.load_statements(project, load_site(project))
    except ContentError as error:
        return error.problems
    return loaded.statements, loaded.warnings


@pytest.mark.usefixtures("forkable")
@pytest.mark.parametrize("bad", [False, True], ids=["warnings", "problems"])
def test_many_statements_load_in_several_processes_as_in_one(
    project: Path, monkeypatch: pytest.MonkeyPatch, bad: bool,
) -> None:
    _archive(project, bad)
    monkeypatch.setattr(sources, "default_jobs", lambda: 2)
    parallel = _outcome(project)
    monkeypatch.setattr(sources, "PARALLEL_FROM", 10**9)
    sequential = _outcome(project)
    assert parallel == sequential
    if bad:
        assert isinstance(parallel, list)
        paths = [problem.path for problem in parallel]
        assert paths == sorted(paths)  # folder by folder, in order
        assert any("malformed YAML" in p.message for p in parallel)
        assert any("invalid statement id" in p.message for p in parallel)
    else:
        statements, warnings = parallel
        assert len(statements) == COUNT + 1
        assert sum("raw HTML" in w.message for w in warnings) == len(range(4, COUNT, 9))


@pytest.mark.usefixtures("forkable")
def test_the_parsing_happens_in_other_processes_only_for_many(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = tmp_path / "parsed-by"  # the process id of each statement parsed, one per line
    parse = sources._load_statement

    def logged(folder: Path, site: Site, problems: list[Problem],
               warnings: list[Problem]) -> Statement | None:
        with open(log, "a", encoding="utf-8") as file:  # (a forked child has this patch too)
            file.write(f"{os.getpid()}\n")
        return parse(folder, site, problems, warnings)

    monkeypatch.setattr(sources, "_load_statement", logged)
    monkeypatch.setattr(sources, "default_jobs", lambda: 2)
    pipeline.load(project)  # one statement: parsed here
    assert log.read_text().split() == [str(os.getpid())]
    _archive(project, bad=False)
    pipeline.load(project, cache=True)  # 81: parsed by two children, and cached
    pids = log.read_text().split()[1:]
    assert len(pids) == COUNT + 1 and str(os.getpid()) not in pids and len(set(pids)) == 2
    pipeline.load(project, cache=True)  # all from the cache: nothing parsed
    assert len(log.read_text().split()) == COUNT + 2
    assert len(list((project / CACHE_DIR / "statements").iterdir())) == COUNT + 1
    pipeline.load(project, jobs=1)  # as `publish --jobs 1`: all in this process
    assert log.read_text().split()[COUNT + 2:] == [str(os.getpid())] * (COUNT + 1)
