"""Work done in a forked copy of this process while this one does something else.

On a machine with more than one core, a publish's scan of an archive (a stat call for each of
tens of thousands of files, and a hash of each folder's rows) runs in a child while the
publishing process decodes the statement cache's pack for its load (see
:mod:`syndicate.read_ahead`; figures: ``benchmarks/notes.md``).

The child does the work, pickles its result into a pipe and leaves; this process asks, without
waiting, whether the result has come (:meth:`Aside.done`), then takes it (:meth:`Aside.result`).
Where no child can be forked safely (another thread runs, no fork, one core), or when the child
fails in any way (an exception, a result that does not pickle, killed), the work is done here:
the result is the same either way, only the time differs.

Work may come in two parts: what this process needs at once, then what it needs later (the
publish's load needs which statement folders are unchanged; only its record, at the end, needs
the scan whole). The child sends the first, then makes the second at a lower priority and
writes it into an unlinked temporary file, which this process reads once the child has ended
(:meth:`Aside.rest`): it goes on meanwhile. Reading the second part does not depend on the
child being given the processor, though making it, on a machine busy with other work, may take
the child longer.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO, Generic, TypeVar, cast

from syndicate.processes import default_jobs, die_with, fork_is_safe

T = TypeVar("T")
U = TypeVar("U")
# The second part's priority: under a tenth of a busy core's time while other processes want
# it (the parent's load, an early worker's imports), all of an idle one's.
LATER_NICENESS = 10


@dataclass(frozen=True, slots=True)
class _Child:
    """A child doing an :class:`Aside`'s work."""

    pid: int
    pipe: BinaryIO  # the first result comes through it, then its end (the child is ending)
    later: BinaryIO | None  # an unlinked file the second result is written into, if any


class Aside(Generic[T, U]):
    """``work``, done in a child from now on when ``wanted`` and it can be, then ``then`` (if
    given) in the same process, whose result this process takes later (:meth:`rest`). A
    context manager that stops the child if it has not ended (a result not taken: an error
    meanwhile, or a second one no longer needed)."""

    def __init__(self, work: Callable[[], T], wanted: bool = True,
                 then: Callable[[], U] | None = None) -> None:
        self._work, self._then = work, then
        self._here = False  # (work done in this process: so is then)
        self._taken = False  # (work's result taken)
        self._child: _Child | None = None
        if wanted and default_jobs() > 1 and fork_is_safe():
            self._child = _fork(work, then)

    @property
    def forked(self) -> bool:
        """Whether a child does the work (else :meth:`result` does it)."""
        return self._child is not None

    def done(self) -> bool:
        """Whether the child's first result has begun to come, or the child is gone (then
        :meth:`result` waits only for the rest of it): always, when there is none."""
        if self._child is None:
            return True
        watching = select.poll()  # (not select.select: a descriptor past 1023 is fine)
        watching.register(self._child.pipe.fileno(), select.POLLIN | select.POLLHUP)
        return bool(watching.poll(0))

    def result(self) -> T:
        """``work``'s result: the child's, once it has come whole (and the child has ended
        well, unless ``then`` follows); else (no child, or one that failed) ``work`` done
        here."""
        self._taken = True
        if (child := self._child) is not None:
            taken = _unpickled(child.pipe)
            if taken is not None and (self._then is not None or self._ended_well()):
                return cast(T, taken[0])
            self._stop()
        self._here = True
        return self._work()

    def rest(self) -> U | None:
        """``then``'s result, made after :meth:`result`'s in the same process; None when there
        is no ``then``, or when that process was a child that has failed since (``then`` may
        need what ``work`` left there)."""
        assert self._taken
        if self._then is None:
            return None
        if self._here:
            return self._then()
        if (child := self._child) is None or child.later is None:
            return None
        later = child.later
        ended_well = self._ended_well()  # (on an interrupt meanwhile, the file is closed too)
        with later:
            later.seek(0)
            taken = _unpickled(later) if ended_well else None
        return None if taken is None else cast(U, taken[0])

    def _ended_well(self) -> bool:
        """Wait for the child to end (its pipe's end, then its exit), stopping it if this is
        interrupted meanwhile; whether it ended well, as far as is known (where SIGCHLD is
        ignored, no exit status is seen)."""
        assert self._child is not None
        pid, pipe = self._child.pid, self._child.pipe
        try:
            _all_of(pipe)
            ended_well = _reaped(pid)
        except BaseException:
            self._stop()
            raise
        self._child = None  # (reaped: never to be killed, its number may be another's)
        pipe.close()
        return ended_well

    def _stop(self) -> None:
        """Stop the child, if it has not ended, and reap it."""
        child, self._child = self._child, None
        if child is not None:
            child.pipe.close()
            if child.later is not None:
                child.later.close()
            if _running(child.pid):  # (else reaped already, or unseen: its number may be another's)
                with contextlib.suppress(OSError):
                    os.kill(child.pid, signal.SIGKILL)
                _reaped(child.pid)

    def __enter__(self) -> Aside[T, U]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop()


def _fork(work: Callable[[], object], then: Callable[[], object] | None) -> _Child | None:
    """A child doing ``work``, then ``then`` (None when none could be forked)."""
    for stream in (sys.stdout, sys.stderr):  # (else the child would copy what is buffered)
        stream.flush()
    parent = os.getpid()
    later = None
    try:
        # (the second result's file: closed by Aside.rest, or Aside._stop)
        later = tempfile.TemporaryFile() if then is not None else None  # noqa: SIM115
        reading, writing = os.pipe()
    except OSError:  # (no temporary file, no descriptor left: the work is done here)
        if later is not None:
            later.close()
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        if later is not None:
            later.close()
        return None
    if pid == 0:
        _child((work, then, later), parent, reading, writing)
    os.close(writing)
    return _Child(pid, os.fdopen(reading, "rb"), later)


def _child(works: tuple[Callable[[], object], Callable[[], object] | None, BinaryIO | None],
           parent: int, reading: int, writing: int) -> None:
    """Do ``work`` and write its result, pickled, to ``writing``; then ``then``'s into
    ``later``, at a lower priority (it is needed later); leave without running the parent's
    exit handlers or flushing its copied buffers (a Ctrl-C, or any error, just ends it: the
    parent then does the work itself, or goes without)."""
    work, then, later = works
    status = 1
    try:
        gc.disable()  # (no finalizer of the parent's garbage runs here, to print or close)
        os.close(reading)
        die_with(parent)
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(pickle.dumps(work(), pickle.HIGHEST_PROTOCOL))
            pipe.flush()
            if then is not None and later is not None:
                os.nice(LATER_NICENESS)
                later.write(pickle.dumps(then(), pickle.HIGHEST_PROTOCOL))
                later.flush()
        status = 0
    except BaseException:  # noqa: BLE001  (the parent does the work again)
        pass
    finally:
        os._exit(status)


def _all_of(pipe: BinaryIO) -> bytes:
    try:
        return pipe.read()
    except OSError:
        return b""


def _unpickled(file: BinaryIO) -> tuple[object] | None:
    """The next result a child wrote, when it wrote it whole (a result cut short, by a child
    killed while writing it, does not unpickle)."""
    try:
        return (pickle.load(file),)  # noqa: S301  (this process's own child wrote it)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
            ValueError, IndexError):
        return None


def _running(pid: int) -> bool:
    """Whether the child ``pid`` has not ended (or ended and waits to be reaped)."""
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return False


def _reaped(pid: int) -> bool:
    """Wait for the child ``pid`` to end: whether it ended well, as far as is known (where
    SIGCHLD is ignored, as some services start programs, children are reaped unseen)."""
    try:
        return os.waitpid(pid, 0)[1] == 0
    except ChildProcessError:
        return True
