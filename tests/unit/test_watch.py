"""serve's watcher (syndicate.watch): the kernel's inotify, read back as the paths a poll would
have found changed, or "anything may have changed" when it cannot name them all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SHIPPED_ID
from syndicate.serve import snapshot
from syndicate.watch import Watcher, watcher


def watching(project: Path) -> Watcher:
    found = watcher(project)
    assert found is not None, "this Linux machine can watch the shipped project"
    return found


def test_a_saved_file_is_named_and_nothing_else_is(project: Path) -> None:
    source = project / "statements" / SHIPPED_ID / "en.md"
    found = watching(project)
    try:
        assert found.changes() == set()  # nothing changed: no path, and no file looked at
        source.write_text(source.read_text(encoding="utf-8") + "\nOne more line.\n",
                          encoding="utf-8")
        assert found.wait(5)
        assert found.changes() == {f"statements/{SHIPPED_ID}/en.md"}
        assert found.changes() == set()  # (told once)
        (project / "syndicate.toml").write_text(
            (project / "syndicate.toml").read_text(encoding="utf-8"), encoding="utf-8")
        (project / ".syndicate-cache").mkdir(exist_ok=True)
        (project / ".syndicate-cache" / "scratch").write_bytes(b"not a source")
        (project / "notes.txt").write_text("not a source either\n", encoding="utf-8")
        assert found.changes() == {"syndicate.toml"}
        os.utime(source, ns=(1, 1))  # (a time set back, as an archive's extraction does)
        assert found.changes() == {f"statements/{SHIPPED_ID}/en.md"}
        os.utime(source.parent)  # (a folder's own times: its row, no more)
        assert found.changes() == {f"statements/{SHIPPED_ID}/"}
        assert not found.wait(0.01)
    finally:
        found.close()


def test_an_editors_save_names_what_the_scan_sees_changed(project: Path) -> None:
    """A new file renamed over the old one: both names (a scan sees the one changed, and its
    folder, whose times change with its entries)."""
    source = project / "statements" / SHIPPED_ID / "pt.md"
    before = snapshot(project)
    found = watching(project)
    try:
        saved = source.with_name("pt.md.new")
        saved.write_text(source.read_text(encoding="utf-8") + "\nMais uma linha.\n",
                         encoding="utf-8")
        os.replace(saved, source)
        named = found.changes()
        after = snapshot(project)
        differing = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        assert named == {f"statements/{SHIPPED_ID}/pt.md", f"statements/{SHIPPED_ID}/pt.md.new"}
        assert differing <= named | {f"{path.rpartition('/')[0]}/" for path in named}
    finally:
        found.close()


def test_a_new_folder_or_a_link_means_anything_may_have_changed(project: Path) -> None:
    statements = project / "statements"
    found = watching(project)
    try:
        gone = statements / "2030-01-02-gone"
        gone.mkdir()
        gone.rmdir()  # (gone before its event is read: nothing to watch, nothing lost)
        assert found.changes() is None
        assert not found.lost
        added = statements / "2030-01-01-added"
        added.mkdir()
        (added / "en.md").write_text("written before any watch on its folder\n",
                                     encoding="utf-8")
        assert found.changes() is None  # (the folder's first files may be unnamed)
        assert not found.lost  # (watched from then on)
        (added / "en.md").write_text("edited\n", encoding="utf-8")
        assert found.changes() == {"statements/2030-01-01-added/en.md"}
        (added / "pt.md").symlink_to(project / "syndicate.toml")
        assert found.changes() is None  # (its target changes where no watch is)
        assert found.lost
        assert watcher(project) is None  # a link among the sources: every poll looks
    finally:
        found.close()


def test_a_removed_folder_and_a_full_queue_mean_anything_may_have_changed(
        project: Path) -> None:
    found = watching(project)
    try:
        folder = project / "statements" / SHIPPED_ID
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()
        assert found.changes() is None
        assert not found.lost
    finally:
        found.close()
    many = project / "locales" / "many"
    many.mkdir()
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"the kernel queues {limit} events: too many files to make")
    found = watching(project)
    try:
        for number in range(limit + 1):  # (distinct names: the kernel merges no two)
            (many / f"{number}.txt").touch()
        assert found.changes() is None
        assert found.lost  # (events were dropped: every folder is watched anew)
    finally:
        found.close()


def test_no_watcher_where_inotify_is_missing_or_full(project: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes
    import errno

    from syndicate import libc

    real = libc.function

    def full(*arguments: object) -> int:  # (the user's watches all taken)
        ctypes.set_errno(errno.ENOSPC)
        return -1

    monkeypatch.setattr(libc, "function",
                        lambda name: full if name == "inotify_add_watch" else real(name))
    assert watcher(project) is None
    monkeypatch.setattr(libc, "function", lambda name: None)
    assert watcher(project) is None


def test_a_folder_moved_is_watched_under_its_new_name_and_not_once_moved_away(
        project: Path, tmp_path: Path) -> None:
    statements = project / "statements"
    found = watching(project)
    try:
        renamed = statements / "2030-01-01-renamed"
        (statements / SHIPPED_ID).rename(renamed)
        assert found.changes() is None
        assert not found.lost  # (no need to watch every folder anew)
        (renamed / "en.md").write_text("edited\n", encoding="utf-8")
        assert found.changes() == {"statements/2030-01-01-renamed/en.md"}
        away = tmp_path / "away"
        renamed.rename(away)
        assert found.changes() is None
        (away / "en.md").write_text("no longer a source\n", encoding="utf-8")
        assert found.changes() == set()
    finally:
        found.close()


def test_a_save_in_steps_is_taken_once_it_has_settled(project: Path) -> None:
    """An editor's save is several events (the file emptied, written, closed): serve waits
    until the kernel has been quiet a moment, so it does not take a file half written."""
    import threading
    import time

    source = project / "statements" / SHIPPED_ID / "en.md"
    text = source.read_text(encoding="utf-8")
    found = watching(project)

    def save() -> None:
        with source.open("w", encoding="utf-8") as file:  # (emptied: an event)
            time.sleep(0.02)
            file.write(text + "\nOne more line.\n")  # (written and closed: two more)

    try:
        saving = threading.Thread(target=save)
        saving.start()
        assert found.wait(5)
        found.settle(0.3, 5)
        assert source.read_text(encoding="utf-8").endswith("One more line.\n")  # (all of it)
        assert not found.wait(0)  # (the write and the close taken by the settling: none left)
        saving.join()
        assert found.changes() == {f"statements/{SHIPPED_ID}/en.md"}
    finally:
        found.close()

