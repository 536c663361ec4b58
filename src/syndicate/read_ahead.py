"""The statement pack decoded ahead of a publish's load, while its scan runs in another process.

A publish scans the project's files before it loads (see :mod:`syndicate.inputs`): which
statement cache entries still hold depends on what the scan finds. Where the scan runs in a
child (see :mod:`syndicate.aside`), this process first asks the kernel for the files a publish
reads whole (:func:`warm`), so that the disk reads them while the scan runs; then it reads the
pack's lines in order and decodes each (:meth:`~syndicate.statement_pack.PackReader.read_ahead`),
until the scan's result comes. The load's lookups then take those lines as they would have
read them (an entry whose key is no longer its folder's is not taken), and read the rest as
ever. An archive's load is mostly that decoding, which then costs the publish little more than
its scan (figures: ``benchmarks/notes.md``).

Then, while the child still scans, the output's cache index is read ahead of the plan
(:func:`index_ahead`), in steps, until the child is done: the plan takes it (its rest read
then) if the output is still as it was then (see :class:`IndexAhead`), under the publisher's
lock, and else reads it again. A publish that changes nothing leaves it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from syndicate import output
from syndicate.aside import Aside
from syndicate.cache import StatementCache, context_digest
from syndicate.config import publishing_site
from syndicate.errors import SyndicateError
from syndicate.files import open_regular
from syndicate.inputs import output_identity
from syndicate.processes import collections_paused
from syndicate.statement_pack import PACK, PackReader, open_pack

if TYPE_CHECKING:
    from syndicate.carry import CacheIndex, Steps

T = TypeVar("T")
U = TypeVar("U")


# Bytes a call asks the kernel for: it reads no more than a disk's read-ahead or request size a
# call (128 KB at least by default), and an archive's files are asked for whole.
WARM_STEP = 128 << 10
WARM_AT_MOST = 1 << 30  # bytes of one file asked for (an archive's are tens of megabytes)
WARM_ASKS = 64  # calls between two looks at whether to stop (a call waits when the disk is busy)


def warm(paths: Iterable[Path], until: Callable[[], bool] = lambda: False) -> None:
    """Ask the kernel to read the regular files ``paths`` into its page cache (their first
    :data:`WARM_AT_MOST` bytes), without this process reading them (``posix_fadvise``,
    WILLNEED), until ``until()`` (looked at every :data:`WARM_ASKS` calls: a call waits when
    the disk's queue is full). A publish reads an archive's cache index, manifest and statement
    pack whole, tens of megabytes each at 16,000 statements, and a machine left idle since the
    last publish may have evicted them: asked for while the scan runs, they are in memory when
    the publish reads them (figures: ``benchmarks/notes.md``). Nothing is done where the call
    is missing, and a path that is not a regular file is not even opened."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for path in paths:
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):  # (a device is never opened)
                continue
            fd = open_regular(path, blocking=False)
        except OSError:  # (gone, or swapped for something else: whoever reads it says why)
            continue
        try:
            for at, start in enumerate(range(0, min(os.fstat(fd).st_size, WARM_AT_MOST),
                                             WARM_STEP), 1):
                advise(fd, start, WARM_STEP, os.POSIX_FADV_WILLNEED)
                if at % WARM_ASKS == 0 and until():
                    return
        except OSError:
            pass
        finally:
            os.close(fd)


def warm_for_publish(project: Path, out: Path, until: Callable[[], bool]) -> None:
    """:func:`warm` (until ``until()``) the files a publish of ``project`` into ``out``
    (absolute) reads whole when something changed: the current version's manifest (read by
    the plan), its cache index (read ahead, or by the plan) and the statement pack (read
    ahead at once: the kernel's own read-ahead follows); none when there is no current
    version."""
    try:
        current = output.current_version(out)
    except OSError:  # (the plan says why, if it is to)
        return
    if current is not None:
        warm([current / output.MANIFEST, output.cache_path(out),
              StatementCache(project).folder / PACK], until)


@dataclass(frozen=True, slots=True)
class ReadAhead:
    """The statement pack of ``project`` (as the load is given it: its lines are decoded
    with its folders' paths spelled from it), read ahead of the load's lookups."""

    project: Path
    reader: PackReader


def read_ahead(project: Path, base_url: str | None, pdf_variant: str | None,
               until: Callable[[], bool]) -> ReadAhead | None:
    """``project``'s statement pack for a load with a publish's ``--base-url`` and
    ``--pdf-variant``, read ahead until ``until()`` (or its end); None when the configuration
    cannot be read (the load says why). The caller closes its reader if no load takes it."""
    try:
        site = publishing_site(project, base_url, pdf_variant)
    except (SyndicateError, OSError):
        return None
    entries = StatementCache(project)  # (only its folder and how it decodes a line)
    reader = open_pack(entries.folder, context_digest(site))
    try:
        with collections_paused():  # (as the load's: statements by the thousand, kept)
            reader.read_ahead(entries.decode, until)
    except BaseException:
        reader.close()
        raise
    return ReadAhead(project, reader)


class IndexAhead:
    """An output's cache index read, in steps, before the publisher's lock is taken, with
    the output's identity then (see :func:`inputs.output_identity`: the version it points at,
    the size, time and inode of each entry at its top, of its manifest and of its cache
    index)."""

    def __init__(self, identity: str, steps: Steps[CacheIndex]) -> None:
        self._identity = identity
        self._steps: Steps[CacheIndex] | None = steps
        self._read: CacheIndex | None = None  # (once its steps are all taken)

    def advance(self, until: Callable[[], bool]) -> None:
        """Read on until ``until()`` or the end."""
        while self._steps is not None and not until():
            try:
                next(self._steps)
            except StopIteration as end:
                self._steps, self._read = None, end.value

    def take(self, identity: str | None) -> CacheIndex | None:
        """The index, read to its end, if the output's ``identity`` (under the lock) is still
        the one it was read with; once (an archive's index is tens of megabytes: not kept to
        the end of the publish)."""
        from syndicate.carry import finish

        steps, read, self._steps, self._read = self._steps, self._read, None, None
        if identity != self._identity:
            return None
        return finish(steps) if steps is not None else read


def index_ahead(out: Path, until: Callable[[], bool]) -> IndexAhead | None:
    """The cache index of the output ``out`` (absolute), read until ``until()`` (the rest is
    read when it is taken); None when there is no output."""
    from syndicate.carry import index_steps  # (a publish that changes nothing needs none of it)

    try:  # (the identity first: a version switched to after it is not the identity's)
        identity = output_identity(out)
        current = output.current_version(out)
    except (OSError, SyndicateError):  # (the plan says why, if it is to)
        return None
    if identity is None:
        return None
    ahead = IndexAhead(identity, index_steps(out, current))
    ahead.advance(until)
    return ahead


class Meanwhile(Protocol):
    """What a process does while its child scans (see :func:`while_scanning`)."""

    def start(self, done: Callable[[], bool]) -> None:
        """Done first, once the child scans, told whether the child is done."""

    def __call__(self, done: Callable[[], bool]) -> None:
        """Done once the statement pack is read ahead, told whether the child is done."""


@contextmanager
def while_scanning(scan: Callable[[], T], project: Path, base_url: str | None,
                   pdf_variant: str | None, wanted: bool = True,
                   meanwhile: Meanwhile | None = None,
                   then: Callable[[], U] | None = None,
                   ) -> Iterator[tuple[T, ReadAhead | None, Callable[[], U | None]]]:
    """``scan``'s result, made in a child when ``wanted`` and it can be (see
    :mod:`syndicate.aside`) while this process reads ``project``'s statement pack ahead of the
    load (see :func:`read_ahead`), then does ``meanwhile`` (its start first: all of it only
    while a child scans); the pack read ahead, if any (closed at the end, unless a load took
    it and closed it); and what gives ``then``'s result, made after ``scan``'s in the same
    process (see :meth:`Aside.rest`), until the end."""
    ahead = None
    try:
        with Aside(scan, wanted, then) as scanning:
            if scanning.forked:
                if meanwhile is not None:
                    meanwhile.start(scanning.done)
                ahead = read_ahead(project, base_url, pdf_variant, scanning.done)
                if meanwhile is not None:
                    meanwhile(scanning.done)
            yield scanning.result(), ahead, scanning.rest
    finally:
        if ahead is not None:
            ahead.reader.close()
