"""A publish's scan takes each statement folder's names from the last publish's record while the
folder is as that record saw it (syndicate.walk.Listing): one stat per file, no listing of the
folder; any change to what the folder holds is still found."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from test_unchanged_inputs import (
    CHANGES,
    HOUR_AGO,
    add_statement,
    copy_statement,
    edit_translation,
    loads,
    publish,
    settle,
)

from conftest import SHIPPED_ID
from syndicate import inputs, walk

RECORD = ".dist.inputs.json"


@pytest.fixture
def recorded(project: Path, run: Callable[..., Result]) -> Path:
    """The shipped project and a second statement published from files settled long enough
    (their change times too: settle sets only the modification times) for the record to hold
    their folders' listings."""
    add_statement(project)
    time.sleep(inputs.FINE_SETTLE_NS / 1e9 * 2)
    result = publish(run, project)
    assert result.stdout.startswith("Published 2 statement(s)"), result.output
    return project


def listed_folders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders the scans list from now on."""
    listed: list[str] = []
    scandir = os.scandir

    def spy(path: str) -> object:
        listed.append(Path(path).name)
        return scandir(path)

    monkeypatch.setattr(walk.os, "scandir", spy)
    return listed


def test_a_scan_lists_no_statement_folder_the_last_publish_saw_as_it_is(
        recorded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = inputs.recorded(recorded / "dist")
    assert record is not None
    assert sorted(record.listings) == sorted([SHIPPED_ID, "2023-01-10-second"])
    everything = inputs.listing(recorded)  # (no record: every folder listed)
    listed = listed_folders(monkeypatch)
    found = inputs.listing(recorded, last=record)
    assert found.rows == everything.rows and found.links == everything.links
    assert "statements" in listed and "locales" in listed
    assert not {SHIPPED_ID, "2023-01-10-second"} & set(listed)
    assert found.listings() == record.listings  # (recorded again as they were)


def test_no_listing_is_kept_for_a_folder_changed_just_before_the_scan(project: Path) -> None:
    """settle() gives the files an old modification time but a new change time (the folder's
    too): a name added in the same tick could leave its times as they were."""
    settle(project)
    found = inputs.listing(project)
    assert SHIPPED_ID in found.folders()  # (its files' times are trusted)
    assert found.listings() == {}


def test_the_next_publish_after_it_says_nothing_changed(
        recorded: Path, run: Callable[..., Result]) -> None:
    assert publish(run, recorded).stdout.startswith("Nothing changed"), "(recorded again)"
    assert publish(run, recorded).stdout.startswith("Nothing changed")


def add_third_statement(root: Path) -> None:
    copy_statement(root, "2023-01-11-third", "date: 2023-01-11\noriginal: pt\n")


@pytest.mark.parametrize("change", [*(c for c in CHANGES if c is not add_statement),
                                    add_third_statement], ids=lambda change: change.__name__)
def test_any_change_goes_the_whole_way_with_the_listings_taken(
        recorded: Path, run: Callable[..., Result], change: Callable[[Path], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """test_unchanged_inputs's changes, made to a project whose record has its listings."""
    record = inputs.recorded(recorded / "dist")
    assert record is not None and record.listings
    change(recorded)
    loaded = loads(monkeypatch)
    result = publish(run, recorded)
    assert result.exit_code == 0 and loaded == [recorded], result.output


def test_a_file_added_to_a_folder_whose_times_are_set_back_is_found(
        project: Path, run: Callable[..., Result]) -> None:
    """A translation added while the folder's modification time is put back as it was (a
    copy that keeps times, an archive's extraction): the folder's change time still says it
    changed, and its English page is published; then, an edit of it in place is too (a listing
    taken although the folder changed would have left the file out of the next scans). (Where
    a folder's size grows with its names, not on ext4, the size alone tells.)"""
    folder = project / "statements" / SHIPPED_ID
    (folder / "en.md").rename(project / "en.md.away")
    settle(project)
    time.sleep(inputs.FINE_SETTLE_NS / 1e9 * 2)
    publish(run, project)  # (its English translation missing: recorded)
    page = project / "dist" / "en" / SHIPPED_ID / "index.html"
    assert not page.exists()
    assert publish(run, project).stdout.startswith("Nothing changed")
    (project / "en.md.away").rename(folder / "en.md")
    os.utime(folder, (HOUR_AGO, HOUR_AGO))  # (the time settle gave it)
    time.sleep(inputs.FINE_SETTLE_NS / 1e9 * 2)
    result = publish(run, project)
    assert result.exit_code == 0 and result.stdout.startswith("Published "), result.output
    assert page.is_file()
    time.sleep(inputs.FINE_SETTLE_NS / 1e9 * 2)
    assert publish(run, project).stdout.startswith("Nothing changed")  # (recorded again)
    edit_translation(project)  # (in place: the folder's times stay)
    result = publish(run, project)
    assert result.stdout.startswith("Published "), result.output
    assert "One more sentence." in page.read_text("utf-8")


def hostile(record: dict[str, object]) -> None:
    """Each listing of the record names files outside its folder, with the folder's own row
    as it is (a record edited by hand)."""
    listings = record["listings"]
    assert isinstance(listings, dict)
    for name, listing in listings.items():
        listings[name] = listing.partition("/")[0] + "/../../syndicate.toml/./"


@pytest.mark.parametrize("damage", [
    hostile,
    lambda record: record.update(listings={SHIPPED_ID: ["4096", "en.md"]}),
    lambda record: record.update(listings=["not", "an", "object"]),
], ids=["paths", "not-text", "not-an-object"])
def test_a_damaged_listing_is_not_taken(recorded: Path, run: Callable[..., Result],
                                        damage: Callable[[dict[str, object]], None],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A listing that names anything but a file in its folder is not taken (the folder is
    listed); a record whose listings are not text is not taken at all (the publish goes the
    whole way). Either way, no traceback, and the output is as it was."""
    manifest = (recorded / "dist" / "manifest.json").read_bytes()
    record = json.loads((recorded / RECORD).read_text("ascii"))
    damage(record)
    (recorded / RECORD).write_text(json.dumps(record), "ascii")
    loaded = loads(monkeypatch)
    result = publish(run, recorded)
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert result.stdout.startswith("Nothing changed"), result.output
    assert loaded == ([] if damage is hostile else [recorded])
    assert (recorded / "dist" / "manifest.json").read_bytes() == manifest


def test_a_folder_with_a_link_or_a_subfolder_is_always_listed(
        project: Path, run: Callable[..., Result]) -> None:
    """No listing is kept for it, and one written by hand that names them as files, or names
    no file this system could hold, is not taken: the link is found as a link, the
    subfolder's files are scanned."""
    add_statement(project)  # (the second: a link in it; a subfolder in the first)
    folder = project / "statements" / SHIPPED_ID
    (folder / "notes").mkdir()
    (folder / "notes" / "draft.txt").write_text("later\n", "utf-8")
    (folder / "copy.txt").symlink_to("en.md")
    (project / "statements" / "2023-01-10-second" / "copy.txt").symlink_to("en.md")
    settle(project)
    time.sleep(inputs.FINE_SETTLE_NS / 1e9 * 2)
    result = publish(run, project)
    assert result.exit_code == 0, result.output
    record = json.loads((project / RECORD).read_text("ascii"))
    assert record["listings"] == {}
    everything = inputs.listing(project)
    info = folder.stat()
    numbers = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode]
    for names in (["copy.txt", "en.md", "notes", "pt.md", "statement.yaml"],
                  ["en.md", "pt.md", "statement.yaml", "\ud800"],
                  ["en.md", "pt.md", "statement.yaml\0"]):
        record["listings"] = {SHIPPED_ID: "/".join([" ".join(map(str, numbers)), *names])}
        (project / RECORD).write_text(json.dumps(record), "ascii")
        found = inputs.listing(project, last=inputs.recorded(project / "dist"))
        assert (found.rows, found.links) == (everything.rows, everything.links)
        assert found.taken == {}


@pytest.mark.parametrize(("names", "taken"), [
    ("", True), ("en.md", True), ("en.md/pt.md/statement.yaml", True), ("...", True),
    (".en.md/é.md", True), ("\udcff.md", True),  # (a byte no encoding held: still a name)
    ("en.md//pt.md", False), ("/en.md", False), ("en.md/", False), (".", False), ("..", False),
    ("en.md/./pt.md", False), ("en.md/..", False), ("../syndicate.toml", False),
    ("en.md\0", False), ("\ud800", False),
])
def test_a_listing_is_taken_only_for_names_a_folder_of_files_can_hold(names: str,
                                                                       taken: bool) -> None:
    """The names of a record's listing (a record edited by hand may hold anything): none
    empty, "." or "..", with a NUL, or that this system cannot encode; each refused before
    any stat, which for an empty name, "." or ".." would find a folder and for a NUL raise."""
    assert walk._file_names(names) is taken
