"""The Dask backend: the documents WeasyPrint lays out render on a Dask cluster.

Units go to the cluster in batches (see :func:`_batches`); a worker that sees the publish's
staging folder (a cluster on this machine, or a shared disk) writes the files there, as a
local worker does; any other returns their bytes and the publishing process writes them.
"""

from __future__ import annotations

import gc
import os
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from syndicate import libc
from syndicate.backends import NEEDS_SCHEDULER, Backend, Rendering, Scheduler, meanwhile
from syndicate.errors import SyndicateError
from syndicate.handover import WINDOW_PER_WORKER, Handover, Ready
from syndicate.kinds import render, split, together
from syndicate.pool import WARM
from syndicate.units import Context, Outcome, Unit, write_into

# PDFium and the renderers are not thread-safe: a Dask worker running several threads renders
# one unit at a time (start workers with --nthreads 1 and one worker per core instead).
_remote_lock = threading.Lock()


# glibc's mallopt parameters, and the values its own dynamic thresholds reach at most (64-bit).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024


def _glibc_thresholds() -> None:
    """Undo, in this Dask worker, the Nanny's ``MALLOC_TRIM_THRESHOLD_=65536``.

    That setting (``distributed.nanny.pre-spawn-environ``) makes glibc return freed memory at
    once, and, since any explicit threshold stops glibc's dynamic ones, it also maps and unmaps
    every block over 128 KiB (bitmaps, PDF bytes) afresh, page faults included. A local worker
    keeps glibc's defaults, whose thresholds grow to 32 MiB mapped, 64 MiB kept; with the
    Nanny's setting publishes took longer (benchmarks/notes.md). Set once per process: other
    tasks of the worker get the same.
    """
    mallopt = libc.function("mallopt")
    if mallopt is not None:  # else not glibc: nothing to undo
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
        mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD_MAX)


# A Dask task renders several units: each task costs the scheduler, the worker's event loop and
# the client a few percent of an average unit (benchmarks/notes.md). Tasks shrink towards the
# end (see _batches) so workers finish together.
REMOTE_BATCH = 8


def _batches(units: list[Unit], threads: int) -> list[list[Unit]]:
    """``units`` in order, cut into tasks of at most REMOTE_BATCH units (or one statement's
    documents, which go together: see :func:`kinds.together`), each at most a quarter of what
    is left per worker thread, so that the last tasks are single units or statements."""
    batches: list[list[Unit]] = []
    size, left = 0, len(units)
    for group in together(units):
        if batches and len(batches[-1]) + len(group) <= size:
            batches[-1].extend(group)
        else:  # a new task, as large as what is left allows
            size = max(1, min(REMOTE_BATCH, left // (4 * max(threads, 1))))
            batches.append(list(group))
        left -= len(group)
    return batches


def _sees(folder: Path) -> bool:
    """Whether this process can write into ``folder``."""
    return folder.is_dir() and os.access(folder, os.W_OK)


def _render_remote(context_key: str, context: Context, staging: str,
                   units: list[Unit]) -> list[Outcome]:
    """Render ``units`` in this Dask worker. A worker that sees the publish's staging folder
    (a cluster on this machine, or a shared disk: the folder's name is new and random) writes
    the files there, as a local worker does; any other returns their bytes."""
    folder = Path(staging)
    write = write_into(folder) if _sees(folder) else None
    outcomes: list[Outcome] = []
    with _remote_lock:
        fresh = context_key not in WARM
        if not WARM:  # this process's first unit
            _glibc_thresholds()
        renderers = WARM.get(context_key, context)
        if fresh:  # what the renderers of an earlier context held is garbage now
            gc.unfreeze()
        for unit in units:
            outcomes.append(render(renderers, unit, write))
            if fresh:
                # As in a local worker (see pool._init_worker), once the renderers have rendered:
                # a Dask worker holds about 150,000 objects of its own, which every full
                # collection walked (benchmarks/notes.md).
                gc.freeze()
                fresh = False
    return outcomes


class SchedulerError(SyndicateError):
    """The Dask scheduler cannot be used."""


class Dask(Backend):
    """The Dask cluster of ``scheduler`` (connected to for each rendering, within its
    timeout)."""

    remote = True  # (its workers write with their own syndicate, maybe an older one)

    def __init__(self, scheduler: Scheduler | None) -> None:
        self.scheduler = scheduler

    def render(self, context: Context, units: list[Unit], staging: Path,
               ready: Ready) -> Rendering:
        """The heavy units on the cluster, handed over in batches as the cluster's threads
        take them (see :mod:`syndicate.handover`), and, as the local pool does, the pages in
        this process meanwhile."""
        client = self._connect()
        heavy, light = split(units)
        try:
            key, _ = context.pickled()
            shared = client.scatter(context, broadcast=True, hash=False)
            executor = client.get_executor(pure=False)
            threads = max(1, sum(client.nthreads().values()))

            def submit(batch: list[Unit]) -> Future[list[Outcome]]:
                future: Future[list[Outcome]] = executor.submit(
                    _render_remote, key, shared, str(staging), batch)
                return future

            handover = Handover(_batches(heavy, threads), ready, submit,
                                WINDOW_PER_WORKER * threads)
        except BaseException:
            client.close()
            raise

        def stop() -> None:
            try:
                executor.shutdown(wait=True)
            finally:
                client.close()

        return meanwhile(context, (light, staging, ready), handover, stop)

    def _connect(self) -> Any:  # a distributed.Client (untyped)
        if self.scheduler is None or not self.scheduler.address:
            raise SchedulerError(NEEDS_SCHEDULER)
        address, timeout = self.scheduler
        try:
            from distributed import Client  # type: ignore[import-untyped, unused-ignore]
        except ImportError:
            raise SchedulerError(
                "--executor dask needs dask.distributed: pip install 'syndicate[dask]'"
            ) from None
        try:
            connect: Any = Client
            return connect(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerError(
                f"cannot reach the Dask scheduler at {address}: {exc}") from None
