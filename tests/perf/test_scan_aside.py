"""A publish's scan in a child process, while the publishing process reads the statement pack
ahead of its load (syndicate.aside, syndicate.read_ahead): the same output, byte for byte, and
the same record of its inputs, as a publish that scans and then loads in one process."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from test_index_ahead import spy_on_reads
from test_unchanged_inputs import copy_statement, settle

from conftest import SHIPPED_ID
from syndicate import aside, backends, inputs, walk
from syndicate.aside import Aside
from syndicate.processes import fork_is_safe
from syndicate.statement_pack import PackReader

NOW = "2026-11-28T12:00:00+00:00"
COPIES = 12


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``folder``, by relative path."""
    return {path.relative_to(folder).as_posix(): None if path.is_dir() else path.read_bytes()
            for path in sorted(folder.rglob("*"))}


def scanners(folder: Path) -> set[int]:
    """The processes that scanned, as the spies left their ids in ``folder``."""
    return {int(path.name.rsplit("-", 1)[1]) for path in folder.glob("scanned-by-*")}


def copy_name(number: int) -> str:
    return f"2023-01-{number:02d}-copy"


def change(project: Path) -> None:
    """One statement edited, one removed, one added."""
    statements = project / "statements"
    edited = statements / copy_name(3) / "en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n",
                      encoding="utf-8")
    shutil.rmtree(statements / copy_name(5))
    shutil.copytree(statements / SHIPPED_ID, statements / copy_name(COPIES + 1))


@pytest.mark.skipif(not fork_is_safe() or (os.cpu_count() or 1) < 2,
                    reason="no child is forked here: the scan runs in-process")
@pytest.mark.parametrize("ahead", ["the whole pack", "none of it"])
def test_an_edit_scanned_in_a_child_publishes_the_same_as_one_scanned_here(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        ahead: str) -> None:
    for number in range(1, COPIES + 1):
        shutil.copytree(project / "statements" / SHIPPED_ID,
                        project / "statements" / copy_name(number))
    other = tmp_path / "other"
    shutil.copytree(project, other)
    publish = ("publish", "--now", NOW, "--without-pdf", "-q", "--project")
    for folder in (project, other):
        assert run(*publish, folder, "--jobs", "1").exit_code == 0
        change(folder)
    first, whole = inputs.Scanning.first, inputs.Scanning.whole  # (what the child did is seen
    wholes = tmp_path / "wholes"  # here through files)
    wholes.mkdir()

    def spied(self: inputs.Scanning) -> inputs.Scanned:
        (tmp_path / f"scanned-by-{os.getpid()}").touch()
        return first(self)

    def spied_whole(self: inputs.Scanning) -> inputs.Scan | None:
        (wholes / f"scanned-by-{os.getpid()}").touch()
        return whole(self)

    took: list[str] = []
    taken = PackReader.taken

    def counted(self: PackReader, name: str, key: str) -> object:
        found = taken(self, name, key)
        if found is not None:
            took.append(name)
        return found

    monkeypatch.setattr(inputs, "FINE_SETTLE_NS", 0)  # (the files just changed: trusted)
    monkeypatch.setattr(inputs.Scanning, "first", spied)
    monkeypatch.setattr(inputs.Scanning, "whole", spied_whole)
    monkeypatch.setattr(PackReader, "taken", counted)
    # (the cache index read by the plan, not taken from what was read ahead)
    read_again = spy_on_reads(monkeypatch)
    # The child's result asked for once the pack is read whole, or at once (none read ahead).
    monkeypatch.setattr(Aside, "done", lambda self: ahead == "none of it")
    early, given = backends.Early, []  # (what early workers are told to expect)
    monkeypatch.setattr(backends, "Early", lambda *args: given.append(args[-1]) or early(*args))
    units = walk.expected_units(project, project / "dist", pdfs=False)  # (a walk of its own)
    assert run(*publish, project).exit_code == 0
    assert given == [units] and units == 0  # (an edited text brings no card: no early worker)
    scanned_in = scanners(tmp_path)
    assert len(scanned_in) == 1 and os.getpid() not in scanned_in
    assert scanners(wholes) == scanned_in  # (the scan whole, for the record, sent after)
    # Every statement but the edited and the added one taken from the lines read ahead.
    expected = sorted({SHIPPED_ID, *map(copy_name, range(1, COPIES + 1))}
                      - {copy_name(3), copy_name(5)})
    assert sorted(took) == (expected if ahead == "the whole pack" else [])
    assert len(read_again) == (0 if ahead == "the whole pack" else 1)  # (the index likewise)
    assert run(*publish, other, "--jobs", "1").exit_code == 0
    assert tree((project / "dist").resolve()) == tree((other / "dist").resolve())
    # What the publish recorded of its inputs lets the next one see that nothing changed.
    recorded, alone = inputs.recorded(project / "dist"), inputs.recorded(other / "dist")
    assert recorded is not None and alone is not None and recorded.signature
    assert recorded.folders.keys() == alone.folders.keys()
    assert recorded.listings.keys() == alone.listings.keys()
    result = run(*publish[:-2], "--project", project)
    assert result.exit_code == 0 and "Nothing changed" in result.output


@pytest.mark.skipif(not fork_is_safe() or (os.cpu_count() or 1) < 2,
                    reason="no child is forked here: the scan runs in-process")
def test_check_and_status_scanned_in_a_child_say_what_they_say_scanned_here(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for number in range(1, COPIES + 1):
        shutil.copytree(project / "statements" / SHIPPED_ID,
                        project / "statements" / copy_name(number))
    assert run("publish", "--now", NOW, "--without-pdf", "-q", "--jobs", "1",
               "--project", project).exit_code == 0
    change(project)
    listing = inputs.listing

    def spied(*args: Any, **named: Any) -> inputs.Scan:
        (tmp_path / f"scanned-by-{os.getpid()}").touch()
        return listing(*args, **named)

    monkeypatch.setattr(inputs, "listing", spied)
    monkeypatch.setattr(Aside, "done", lambda self: False)  # (the whole pack read ahead)
    commands = (("status", "--now", NOW, "--project", project), ("check", "--project", project))
    forked = [run(*command).output for command in commands]
    children = scanners(tmp_path)
    assert len(children) == 2 and os.getpid() not in children  # (a child for each command)
    monkeypatch.setattr(aside, "fork_is_safe", lambda: False)
    assert [run(*command).output for command in commands] == forked
    assert scanners(tmp_path) == {*children, os.getpid()}


@pytest.mark.parametrize("settled", [True, False], ids=["settled", "a file just changed"])
def test_the_scan_a_record_is_made_from_holds_no_rows_and_records_the_same(
        project: Path, run: Any, settled: bool) -> None:
    """What a child sends for the record (the scan whole, without its rows) signs, lists and
    trusts the files as the scan with its rows does, whether or not a file changed too
    recently to be trusted."""
    assert run("publish", "--project", project, "--now", NOW, "--without-pdf", "-q",
               "--jobs", "1").exit_code == 0
    (project / "statements" / SHIPPED_ID / "en.md").write_text("x", "utf-8")
    if settled:
        settle(project)
    recorded, options = inputs.recorded(project / "dist"), inputs.Options(None, None, False)
    scanning = inputs.Scanning(project, options, recorded, project / "dist", None)
    scanning.first()
    sent = scanning.whole()
    assert sent is not None and sent.rows == ()
    kept = scanning._found[0]  # (the same scan with its rows, made again from them alone)
    scanned = inputs.Scan(kept.root, kept.options, kept.started, kept.rows, kept.tool,
                          kept.links, kept.taken)
    assert scanned.rows
    for extra in ((), ("syndicate.toml",)):
        assert sent.signature(extra) == scanned.signature(extra)
        assert sent.signature(extra)[1] == settled
    assert sent.trusted_before == scanned.trusted_before
    assert sent.folders() == scanned.folders() and sent.unlinked() == scanned.unlinked()
    assert sent.listings() == scanned.listings()


def test_files_as_recorded_with_something_to_publish_are_scanned_once(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A statement going live, or the version after one that changed feeds, with no file
    changed: the scan finds something to publish, and is the one the publish takes (in a
    child or not, never a second one)."""
    copy_statement(project, "2026-12-10-later", "date: 2026-12-10\noriginal: pt\n")
    config = project / "syndicate.toml"
    config.write_text(config.read_text("utf-8") + '\n[feeds]\nhub = "https://hub.example/"\n',
                      "utf-8")
    settle(project)
    scan = inputs.scan
    scans = tmp_path / "scans"
    scans.mkdir()

    def counted(*args: Any, **named: Any) -> inputs.Scan:
        (scans / f"{os.getpid()}-{time.monotonic_ns()}").touch()
        return scan(*args, **named)

    monkeypatch.setattr(inputs, "scan", counted)
    steps = [("--now", NOW, "1 scheduled"),  # (feeds changed: the next publishes a version)
             ("--now", NOW, "Published 1 statement(s)"),
             ("--now", NOW, "Nothing changed"),
             ("--now", "2026-12-11T00:00:00+00:00", "Published 2 statement(s)")]
    for number, (option, now, said) in enumerate(steps, start=1):
        result = run("publish", "--project", project, option, now, "--without-pdf")
        assert result.exit_code == 0 and said in result.stdout, result.output
        assert len(list(scans.iterdir())) == number, said


@pytest.mark.skipif(not fork_is_safe() or (os.cpu_count() or 1) < 2,
                    reason="no child is forked here: the scan runs in-process")
def test_a_child_lost_after_its_first_part_leaves_no_record(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan whole comes after what the load needs; a child lost in between leaves the
    publish without it: the output is published, no record claims what was scanned (the last
    one is removed: it is of another output), and the next publish, with none to trust,
    finds nothing to change and records its inputs again."""
    for number in range(1, COPIES + 1):
        shutil.copytree(project / "statements" / SHIPPED_ID,
                        project / "statements" / copy_name(number))
    publish = ("publish", "--now", NOW, "--without-pdf", "-q", "--project", project)
    assert run(*publish).exit_code == 0
    change(project)
    parent, whole = os.getpid(), inputs.Scanning.whole

    def lost(self: inputs.Scanning) -> inputs.Scan | None:
        if os.getpid() != parent:
            os._exit(1)
        return whole(self)

    monkeypatch.setattr(inputs, "FINE_SETTLE_NS", 0)  # (the files just changed: trusted)
    monkeypatch.setattr(inputs.Scanning, "whole", lost)
    result = run(*publish[:-3], "--project", project)
    assert result.exit_code == 0 and "Published" in result.output, result.output
    assert inputs.recorded(project / "dist") is None
    monkeypatch.setattr(inputs.Scanning, "whole", whole)
    result = run(*publish[:-3], "--project", project)
    assert result.exit_code == 0 and "Nothing changed" in result.output, result.output
    assert inputs.recorded(project / "dist") is not None
