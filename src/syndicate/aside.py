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
the scan whole). The child sends the first, goes on with the second and sends it too
(:meth:`Aside.rest`): this process goes on meanwhile.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import sys
from collections.abc import Callable
from types import TracebackType
from typing import BinaryIO, Generic, TypeVar, cast

from syndicate.processes import default_jobs, die_with, fork_is_safe

T = TypeVar("T")
U = TypeVar("U")
LATER_NICENESS = 19  # (the lowest priority)


class Aside(Generic[T, U]):
    """``work``, done in a child from now on when ``wanted`` and it can be, then ``then`` (if
    given) in the same process: its result comes after ``work``'s, which this process can take
    meanwhile. A context manager that stops the child if a result is not taken (an error
    meanwhile)."""

    def __init__(self, work: Callable[[], T], wanted: bool = True,
                 then: Callable[[], U] | None = None) -> None:
        self._work, self._then = work, then
        self._here = False  # (work done in this process: so is then)
        self._child: tuple[int, BinaryIO] | None = None  # its process id, the pipe's reading end
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
        watching.register(self._child[1].fileno(), select.POLLIN | select.POLLHUP)
        return bool(watching.poll(0))

    def result(self) -> T:
        """``work``'s result: the child's, once it has come whole; else (no child, or one that
        failed) ``work`` done here."""
        if self._child is not None:
            taken = self._taken(last=self._then is None)
            if taken is not None:
                return cast(T, taken[0])
        self._here = True
        return self._work()

    def rest(self) -> U | None:
        """``then``'s result, made after :meth:`result`'s in the same process; None when that
        was a child that has failed since (``then`` may need what ``work`` left there)."""
        assert self._then is not None
        if self._here:
            return self._then()
        if self._child is None:
            return None
        taken = self._taken(last=True)
        return None if taken is None else cast(U, taken[0])

    def _taken(self, last: bool) -> tuple[object] | None:
        """The child's next result, when it comes whole (and, for its ``last``, when the
        child then ends well); None, the child stopped, when it does not."""
        assert self._child is not None
        pid, pipe = self._child
        taken = _unpickled(pipe)
        if taken is not None and not last:
            return taken
        self._child = None  # (its pipe closed: it is ending, or stopped, never to be killed later)
        pipe.close()
        if taken is None and _running(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        ended_well = _reaped(pid)
        return taken if ended_well else None

    def __enter__(self) -> Aside[T, U]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        child, self._child = self._child, None
        if child is not None:
            pid, pipe = child
            pipe.close()
            if _running(pid):  # (else reaped unseen already: its number may be another's)
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                _reaped(pid)


def _fork(work: Callable[[], object],
          then: Callable[[], object] | None) -> tuple[int, BinaryIO] | None:
    """A child doing ``work``, then ``then`` (None when none could be forked): its process id,
    and the reading end of the pipe its pickled results come through."""
    for stream in (sys.stdout, sys.stderr):  # (else the child would copy what is buffered)
        stream.flush()
    parent = os.getpid()
    reading, writing = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:
        _child((work, then), parent, reading, writing)
    os.close(writing)
    return pid, os.fdopen(reading, "rb")


def _child(works: tuple[Callable[[], object], Callable[[], object] | None], parent: int,
           reading: int, writing: int) -> None:
    """Do each of ``works`` in turn and write its result, pickled, to ``writing``; leave
    without running the parent's exit handlers or flushing its copied buffers (a Ctrl-C, or
    any error, just ends it: the parent then does the work itself, or goes without)."""
    status = 1
    try:
        gc.disable()  # (no finalizer of the parent's garbage runs here, to print or close)
        os.close(reading)
        die_with(parent)
        with os.fdopen(writing, "wb") as pipe:
            for work in works:
                if work is not None:
                    pipe.write(pickle.dumps(work(), pickle.HIGHEST_PROTOCOL))
                    pipe.flush()
                    # What comes next is needed later: it takes a core only when no other
                    # process wants it (the parent's load, an early worker's imports).
                    os.nice(LATER_NICENESS)
        status = 0
    except BaseException:  # noqa: BLE001  (the parent does the work again)
        pass
    finally:
        os._exit(status)


def _unpickled(pipe: BinaryIO) -> tuple[object] | None:
    """The next result a child wrote, when it wrote it whole (a result cut short, by a child
    killed while writing it, does not unpickle)."""
    try:
        return (pickle.load(pipe),)  # noqa: S301  (this process's own child wrote it)
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
