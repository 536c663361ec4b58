"""The trash beside the output folder (``.dist.trash/``, see :mod:`syndicate.output`): the
versions older publishes retired. A publish that changes something lists it once it has
planned (:func:`retired`) and removes those, in a thread (for a large site, an ``rm`` that
outlives the command): while it renders when it writes much (its new version needs the space),
else once it has written its version or failed (an edit, whose writes the removal would slow;
see ``syndicate.publish._publish``). A publish that changes nothing removes everything there.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from syndicate.errors import OutputError
from syndicate.output import absolute, check_siblings, own_folder, trash_dir
from syndicate.processes import helper_thread


class Cleaner:
    """Names in the trash being removed by a thread (see :meth:`Retired.empty`)."""

    def __init__(self, thread: threading.Thread, started: threading.Event) -> None:
        self._thread, self._started = thread, started

    def finish(self, large: bool) -> None:
        """Wait until they are removed; for a ``large`` site (see
        :func:`syndicate.spare.large`), only until its ``rm`` runs, which goes on after this
        process ends (a second one on the same entries is harmless)."""
        if large:
            self._started.wait()
        else:
            self._thread.join()


@dataclass(frozen=True, slots=True)
class Retired:
    """The names in the trash beside ``out`` when it was listed (see :func:`retired`)."""

    out: Path
    names: frozenset[str]

    def empty(self) -> Cleaner:
        """Start removing them in a thread (those still there); the caller holds the lock and
        finishes it before releasing it. Never touches ``out`` or its version, and never
        follows a link: the trash is opened without following one, and its entries are
        removed through that descriptor (``/proc/self/fd/N/...`` for ``rm``)."""
        folder, names = trash_dir(absolute(self.out)), self.names
        started = threading.Event()

        def remove() -> None:
            try:
                with own_folder(folder) as fd:
                    if fd is not None:
                        _remove_entries(fd, started, names)
            except (OSError, OutputError):  # (replaced or made unreadable since: left as it is)
                pass
            finally:
                started.set()

        thread = helper_thread(remove, "syndicate-empty-trash")
        thread.start()
        return Cleaner(thread, started)


def retired(out: Path) -> Retired:
    """What the trash beside ``out`` holds now; the names beside ``out`` checked first (see
    :func:`output.check_siblings`: a link there is refused before anything is written); no
    name when it cannot be listed (what it holds is left for a later publish)."""
    check_siblings(absolute(out))
    try:
        with own_folder(trash_dir(absolute(out))) as fd:
            return Retired(out, frozenset(os.listdir(fd)) if fd is not None else frozenset())
    except OSError:
        return Retired(out, frozenset())


def empty(out: Path) -> Cleaner:
    """Start removing everything in the trash beside ``out`` (see :meth:`Retired.empty`)."""
    return retired(out).empty()


def _remove_entries(fd: int, started: threading.Event, names: AbstractSet[str]) -> None:
    """Remove the entries ``names`` (those still there) in the folder open as ``fd``;
    ``started`` is set once ``rm`` runs (before, when there is none)."""
    try:
        entries = sorted(name for name in os.listdir(fd) if name in names)
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
            _yielding(removing.pid)
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


# The priority of the trash's `rm` (the lowest): an archive's removal outlives the publish that
# started it by seconds, and a publish made meanwhile (an office's next edit, `serve`'s next
# save) should not share its cores with it evenly (figures: benchmarks/notes.md).
REMOVAL_NICENESS = 19


def _yielding(pid: int) -> None:
    """Give the process ``pid`` the lowest priority (if it is still there)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, REMOVAL_NICENESS)
    except OSError:  # (gone already, or not allowed)
        pass
