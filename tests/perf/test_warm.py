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

from syndicate import output
from syndicate.cache import StatementCache
from syndicate.read_ahead import warm, warm_for_publish
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
    path.write_bytes(os.urandom(20_000_123))  # (past what one call reads on any disk)
    if not evicted(path):
        pytest.skip("this file system keeps its files in memory")
    warm([path])
    assert in_memory_soon(path), resident(path)


def test_what_is_missing_or_no_regular_file_is_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "folder").mkdir()
    path = tmp_path / "file"
    path.write_bytes(os.urandom(1_000_000))
    if not evicted(path):
        pytest.skip("this file system keeps its files in memory")
    raised: list[BaseException] = []

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
    assert in_memory_soon(path)  # (the regular file among them, warmed still)


def test_a_publish_asks_for_its_cache_index_manifest_and_pack_before_its_scan(
        project: Path) -> None:
    """Before its scan a publish cannot know whether it will read them (an edit reads them
    whole, a publish that changes nothing does not): it asks for them either way, which
    costs the disk's time, not the process's. After a publish that changed nothing, they are
    in memory again though it never read them (with one process: no scan in a child, so no
    statement pack or cache index read ahead meanwhile)."""
    def syndicate_publish() -> None:
        subprocess.run([sys.executable, "-m", "syndicate", "publish", "--project", project,
                        "--without-pdf", "--quiet", "--jobs", "1"], check=True)

    syndicate_publish()  # (the pack, the cache index and the manifest written)
    syndicate_publish()  # (the record of its inputs made by then: the next one is a no-op)
    out = output.absolute(project / "dist")
    current = output.current_version(out)
    assert current is not None
    read_whole = [output.cache_path(out), current / output.MANIFEST,
                  StatementCache(project).folder / PACK]
    if not all(evicted(path) for path in read_whole):
        pytest.skip("this file system keeps its files in memory")
    syndicate_publish()
    assert all(in_memory_soon(path) for path in read_whole), list(map(resident, read_whole))
    assert output.current_version(out) == current  # (it changed nothing)
    warm_for_publish(project, project / "nowhere")  # (no output: nothing asked, no error)
