"""Links in statement folders as the publish's scan finds them: a folder it saw no link in is
not looked at again by the load, unless the load reads its files (see ``Scan.unlinked``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import pytest

from conftest import SHIPPED_ID
from syndicate import inputs, sources
from syndicate.config import publishing_site
from syndicate.errors import ContentError, Problem
from syndicate.model import Site, Statement

OPTIONS = inputs.Options(None, None, True)


def test_the_scan_counts_every_folder_a_link_reaches(project: Path, tmp_path: Path) -> None:
    """A folder with a link at any depth, a folder that is a link, and both folders of a pair
    where one links into the other, whichever the walk meets first: each may hold a link
    leading out of the project; only the plain folder is without."""
    statements = project / "statements"
    secret = tmp_path / "secret.txt"
    secret.write_text("private\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (statements / "b-deep" / "img").mkdir(parents=True)
    (statements / "b-deep" / "img" / "x.png").symlink_to(secret)
    (statements / "c-link").symlink_to(outside)
    for linking, linked in (("d-x", "e-y"), ("g-x", "f-y")):  # (either walked first)
        (statements / linked / "sub").mkdir(parents=True)
        (statements / linked / "sub" / "evil.md").symlink_to(secret)
        (statements / linking).mkdir()
        (statements / linking / "sub").symlink_to(Path("..") / linked / "sub")
    assert inputs.scan(project, OPTIONS).unlinked() == {SHIPPED_ID}


class _Cache:
    """A statement cache that knows one folder's content without reading it, and has (or has
    not) its statement."""

    def __init__(self, folder: str, statement: Statement | None) -> None:
        self.folder, self.statement = folder, statement

    def lookup(self, root: Path, name: str, site: Site,
               warnings: list[Problem]) -> Statement | None:
        return self.statement if name == self.folder else None

    def keep(self, folder: Path, statement: Statement,
             warnings: Sequence[Problem]) -> Statement:
        return statement

    def unlinked(self, site: Site) -> Collection[str]:
        return {self.folder}


def test_a_folder_whose_files_are_read_has_its_links_looked_at(project: Path,
                                                             tmp_path: Path) -> None:
    """Even if the scan saw no link there (one made since, say): when its statement is not in
    the cache, its files are read, and a link out of the project is refused first."""
    site = publishing_site(project)
    folder = project / "statements" / SHIPPED_ID
    statement = sources.load_statements(project, site).statements[0]
    secret = tmp_path / "secret.txt"
    secret.write_text("private\n", encoding="utf-8")
    os.symlink(secret, folder / "notes.txt")
    loaded = sources.load_statements(project, site, _Cache(SHIPPED_ID, statement))
    assert loaded.statements == (statement,)  # cached: no file of it read, nor looked at
    with pytest.raises(ContentError) as raised:
        sources.load_statements(project, site, _Cache(SHIPPED_ID, None))
    assert any("outside the project" in p.message for p in raised.value.problems)
    (folder / "notes.txt").unlink()
    shutil.copy(secret, folder / "notes.txt")  # (a copy is the office's own file)
    sources.load_statements(project, site, _Cache(SHIPPED_ID, None))


def test_only_a_folder_unchanged_since_the_last_publish_goes_unlooked_at(
        project: Path, run: Callable[..., object]) -> None:
    """(An edited folder's files are read again: its links are looked at as they are read.)"""
    hour_ago = 1_600_000_000
    for path in (project / "statements").rglob("*"):
        os.utime(path, (hour_ago, hour_ago), follow_symlinks=False)
    run("publish", "--project", project, "--now", "2026-11-28T12:00:00+00:00", "-q")
    recorded = inputs.recorded(project / "dist")
    assert recorded is not None
    assert inputs.known(inputs.scan(project, OPTIONS), recorded).unlinked == {SHIPPED_ID}
    (project / "statements" / SHIPPED_ID / "en.md").touch()
    assert inputs.known(inputs.scan(project, OPTIONS), recorded).unlinked == set()
