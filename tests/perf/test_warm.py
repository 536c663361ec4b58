"""The files a publish reads whole, asked of the kernel as its scan starts (syndicate.read_ahead's
warm): after the call, the kernel reads them into its page cache without the process reading
them, each whole, whatever its size; what cannot be warmed is left alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from syndicate import output, read_ahead
from syndicate.cache import StatementCache
from syndicate.processes import default_jobs
from syndicate.read_ahead import WARM_AT_MOST, WARM_STEP, warm, warm_for_publish
from syndicate.statement_pack import PACK

pytestmark = pytest.mark.skipif(
    not hasattr(os, "posix_fadvise") or shutil.which("fincore") is None,
    reason="needs posix_fadvise and util-linux's fincore")


def resident(path: Path) -> int:
    """How many bytes of ``path`` the page cache holds, as util-linux's fincore reports it."""
    done = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


def evicted(path: Path) -> bool:
    """``path``'s pages dropped from the page cache (written to disk first: dirty pages stay);
    whether they went (not on a file system kept in memory)."""
    with open(path, "rb+") as file:
        os.fsync(file.fileno())
        os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    return resident(path) < path.stat().st_size // 2


def in_memory_soon(path: Path) -> bool:
    """Whether ``path`` is all in the page cache within 10 s."""
    size, waited = path.stat().st_size, 0.0
    while resident(path) < size:
        if waited > 10:
            return False
        time.sleep(0.05)
        waited += 0.05
    return True


def test_a_file_larger_than_one_calls_reach_is_warmed_whole(tmp_path: Path) -> None:
    path = tmp_path / "large"
    path.write_bytes(os.urandom(20_000_123))  # (past what one call reads on most disks)
    if not evicted(path):
        pytest.skip("this file system keeps its files in memory")
    warm([path])
    assert in_memory_soon(path), resident(path)


def test_the_calls_ask_for_each_file_in_steps_up_to_its_limit_and_stop_when_told(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(Each call within what any disk reads a call; a hostile project's sparse file of
    terabytes asked for up to the limit only; a publish whose scan is over stops asking.)"""
    asked: list[tuple[str, int, int]] = []

    def advise(fd: int, start: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_WILLNEED
        asked.append((os.readlink(f"/proc/self/fd/{fd}"), start, length))

    monkeypatch.setattr(os, "posix_fadvise", advise)
    small, huge = tmp_path / "small", tmp_path / "huge"
    small.write_bytes(b"x" * (5 * WARM_STEP + 1))
    with open(huge, "wb") as file:
        file.truncate(1 << 40)  # (sparse: no block of it on the disk)
    warm([small, huge])
    assert [start for path, start, _ in asked if path == str(small)] == [
        n * WARM_STEP for n in range(6)]
    assert [start for path, start, _ in asked if path == str(huge)] == list(
        range(0, WARM_AT_MOST, WARM_STEP))
    assert {length for _, _, length in asked} == {WARM_STEP}
    asked.clear()
    warm([huge, small], until=lambda: True)  # (told to stop: after the first look)
    assert len(asked) == read_ahead.WARM_ASKS and {p for p, _, _ in asked} == {str(huge)}


def test_what_is_missing_or_no_regular_file_is_left_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "folder").mkdir()
    path = tmp_path / "file"
    path.write_bytes(os.urandom(1_000_000))
    if not evicted(path):
        pytest.skip("this file system keeps its files in memory")
    raised: list[BaseException] = []
    opened: list[str] = []
    monkeypatch.setattr(read_ahead, "open_regular", lambda path, blocking: opened.append(
        str(path)) or os.open(path, os.O_RDONLY | os.O_NONBLOCK))

    def call() -> None:
        try:
            warm([tmp_path / "gone", fifo, tmp_path / "folder", path])
        except BaseException as error:  # noqa: BLE001  (reported below)
            raised.append(error)

    called = threading.Thread(target=call, daemon=True)
    called.start()
    called.join(10)
    assert not called.is_alive()  # (a FIFO with no writer never holds it up)
    assert not raised
    assert opened == [str(path)]  # (a FIFO or a device is not even opened)
    assert in_memory_soon(path)  # (the regular file among them, warmed still)


@pytest.mark.skipif(default_jobs() < 2, reason="a scan in a child needs two cores")
def test_a_publish_asks_for_the_manifest_while_its_scan_runs(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before its scan a publish cannot know whether it will read the files an edit reads
    whole (the current manifest, the cache index, the statement pack): it asks for them while
    its child scans, which costs the disk's time, not the process's. After a publish that
    changed nothing, the manifest, which nothing else in it reads, is in memory again."""
    def syndicate_publish() -> None:
        subprocess.run([sys.executable, "-m", "syndicate", "publish", "--project", project,
                        "--without-pdf", "--quiet"], check=True)

    syndicate_publish()  # (the pack, the cache index and the manifest written)
    syndicate_publish()  # (the record of its inputs made by then: the next one is a no-op)
    out = output.absolute(project / "dist")
    current = output.current_version(out)
    assert current is not None
    manifest = current / output.MANIFEST
    if not evicted(manifest):
        pytest.skip("this file system keeps its files in memory")
    syndicate_publish()
    assert in_memory_soon(manifest), resident(manifest)
    assert output.current_version(out) == current  # (it changed nothing)
    asked: list[str] = []
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, *_: asked.append(
        os.readlink(f"/proc/self/fd/{fd}")))
    warm_for_publish(project, out, lambda: False)
    assert list(dict.fromkeys(asked)) == [os.path.realpath(path) for path in (
        manifest, output.cache_path(out), StatementCache(project).folder / PACK)]
    asked.clear()
    warm_for_publish(project, project / "nowhere", lambda: False)  # (no output: no error)
    assert not asked
