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

import os
import pickle
import select
import signal
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar, cast

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
        """Whether :meth:`result` would wait no longer for the child (its result has begun to
        come, or it is gone): always, when there is none."""
        if self._child is None:
            return True
        return bool(select.select([self._child[1]], [], [], 0)[0])

    def result(self) -> T:
        """The child's result, once it has come whole; else (no child, or one that failed)
        ``work`` done here."""
        child, self._child = self._child, None
        if child is not None:
            taken = _taken(*child)
            if taken is not None:
                return cast(T, taken[0])
        return self._work()

    def __enter__(self) -> Aside[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        child, self._child = self._child, None
        if child is not None:
            pid, reading = child
            os.close(reading)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)


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


def _taken(pid: int, reading: int) -> tuple[object] | None:
    """The result a child wrote to ``reading``, when it wrote it whole and ended well."""
    with os.fdopen(reading, "rb") as pipe:
        try:
            data = pipe.read()
        except OSError:
            data = b""
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    try:
        return (pickle.loads(data),)  # noqa: S301  (this process's own child wrote it)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
            ValueError):
        return None
