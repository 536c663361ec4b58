"""The trash beside the output folder (``.dist.trash/``, see :mod:`syndicate.output`): the
versions older publishes retired, removed by the next publish once it has switched to its own
version, in a thread (for a large site, an ``rm`` that outlives the command)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
from collections.abc import Set as AbstractSet
from pathlib import Path

from syndicate.output import absolute, check_siblings, own_folder, trash_dir
from syndicate.processes import helper_thread


class Cleaner:
    """The trash being emptied by a thread (see :func:`empty`)."""

    def __init__(self, thread: threading.Thread, started: threading.Event) -> None:
        self._thread, self._started = thread, started

    def finish(self, large: bool) -> None:
        """Wait until the trash is empty; for a ``large`` site (see
        :func:`syndicate.spare.large`), only until its ``rm`` runs, which goes on after this
        process ends (a second one on the same entries is harmless)."""
        if large:
            self._started.wait()
        else:
            self._thread.join()


def retired(out: Path) -> frozenset[str]:
    """The names in the trash beside ``out`` now (none when it cannot be listed): what a
    publish removes once it has switched to its own version (see :func:`empty`)."""
    with own_folder(trash_dir(absolute(out))) as fd:
        try:
            return frozenset(os.listdir(fd)) if fd is not None else frozenset()
        except OSError:
            return frozenset()


def empty(out: Path, names: AbstractSet[str] | None = None) -> Cleaner:
    """Start removing the trash beside ``out`` (older versions; only those ``names`` in it,
    if given) in a thread; the caller holds the lock and finishes it before releasing it.
    Never touches ``out`` or its version, and never follows a link: the trash is opened
    without following one, and its entries are removed through that descriptor
    (``/proc/self/fd/N/...`` for ``rm``)."""
    folder = trash_dir(absolute(out))
    check_siblings(absolute(out))
    started = threading.Event()

    def remove() -> None:
        try:
            with own_folder(folder) as fd:
                if fd is not None:
                    _remove_entries(fd, started, names)
        finally:
            started.set()

    thread = helper_thread(remove, "syndicate-empty-trash")
    thread.start()
    return Cleaner(thread, started)


def _remove_entries(fd: int, started: threading.Event,
                    names: AbstractSet[str] | None = None) -> None:
    """Remove everything in the folder open as ``fd`` (only ``names``, if given); ``started``
    is set once ``rm`` runs (before, when there is none)."""
    try:
        entries = sorted(name for name in os.listdir(fd) if names is None or name in names)
    except OSError:
        return
    rm = shutil.which("rm") if entries else None
    through = f"/proc/self/fd/{fd}"
    if rm is not None and os.path.isdir(through):
        # A process of its own: shutil.rmtree's loop needs the interpreter lock for each of
        # a version's files (12,000 at 1,000 statements), which the publishing thread
        # holds, so a one-statement publish waited for it at the end; `rm -rf` never waits
        # for the lock (figures: benchmarks/notes.md).
        with subprocess.Popen([rm, "-rf", "--", *(f"{through}/{name}" for name in entries)],
                              pass_fds=(fd,), stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as removing:
            started.set()
            removing.wait()
    for name in entries:  # without rm, or what it left
        try:
            mode = os.lstat(name, dir_fd=fd).st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            shutil.rmtree(name, dir_fd=fd, ignore_errors=True)
        else:
            try:
                os.unlink(name, dir_fd=fd)
            except OSError:
                pass
