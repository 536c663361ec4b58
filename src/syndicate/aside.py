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


class Aside(Generic[T]):
    """``work``, done in a child from now on when ``wanted`` and it can be; a context manager
    that stops the child if its result is not taken (an error meanwhile)."""

    def __init__(self, work: Callable[[], T], wanted: bool = True) -> None:
        self._work = work
        self._child: tuple[int, int] | None = None  # its process id, the pipe's reading end
        if wanted and default_jobs() > 1 and fork_is_safe():
            self._child = _fork(work)

    @property
    def forked(self) -> bool:
        """Whether a child does the work (else :meth:`result` does it)."""
        return self._child is not None

    def done(self) -> bool:
        """Whether the child's result has begun to come, or the child is gone (then
        :meth:`result` waits only for the rest of it): always, when there is none."""
        if self._child is None:
            return True
        watching = select.poll()  # (not select.select: a descriptor past 1023 is fine)
        watching.register(self._child[1], select.POLLIN | select.POLLHUP)
        return bool(watching.poll(0))

    def result(self) -> T:
        """The child's result, once it has come whole; else (no child, or one that failed)
        ``work`` done here."""
        if self._child is not None:
            pid, reading = self._child
            self._child = (pid, -1)  # (the reading end closed with the pipe from here on)
            with os.fdopen(reading, "rb") as pipe:
                data = _all_of(pipe)
            self._child = None  # (it has closed the pipe: it is ending, never to be killed now)
            ended_well = _reaped(pid)
            if ended_well and (taken := _unpickled(data)) is not None:
                return cast(T, taken[0])
        return self._work()

    def __enter__(self) -> Aside[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        child, self._child = self._child, None
        if child is not None:
            pid, reading = child
            if reading >= 0:
                os.close(reading)
            if _running(pid):  # (else reaped unseen already: its number may be another's)
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                _reaped(pid)


def _fork(work: Callable[[], object]) -> tuple[int, int] | None:
    """A child doing ``work`` (None when none could be forked): its process id, and the
    reading end of the pipe its pickled result comes through."""
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
        _child(work, parent, reading, writing)
    os.close(writing)
    return pid, reading


def _child(work: Callable[[], object], parent: int, reading: int, writing: int) -> None:
    """Do ``work`` and write its result, pickled, to ``writing``; leave without running the
    parent's exit handlers or flushing its copied buffers (a Ctrl-C, or any error, just ends
    it: the parent then does the work itself)."""
    status = 1
    try:
        gc.disable()  # (no finalizer of the parent's garbage runs here, to print or close)
        os.close(reading)
        die_with(parent)
        data = pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(data)
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


def _unpickled(data: bytes) -> tuple[object] | None:
    """What a child wrote, when it wrote it whole (a result cut short, by a child killed
    while writing it, does not unpickle)."""
    if not data:
        return None
    try:
        return (pickle.loads(data),)  # noqa: S301  (this process's own child wrote it)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
            ValueError):
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
