"""Local worker processes: started once, kept warm, started early when a publish will render.

Each worker builds its renderers once (see :class:`WarmRenderers`) and keeps them for every
unit it is given; it writes its files straight into the staging folder and returns only the
manifest entries. Workers may start before the project is even loaded (:func:`early_workers`):
they import WeasyPrint (most of a second) and build the renderers of the project while the
publishing process loads, plans and links. :class:`syndicate.backends.LocalPool` owns them.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate.kinds import Renderers, render
from syndicate.processes import (
    FEWER_COLLECTIONS,
    default_jobs,
    die_with,
    fork_is_safe,
    ignore_interrupts,
    interrupts_held,
)
from syndicate.units import Context, Outcome, Unit, project_context, write_into

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess


class WarmRenderers:
    """In a worker process: the renderers of the latest context, by the hash of its pickled
    bytes (a worker renders for one publish's context at a time)."""

    def __init__(self) -> None:
        self._by_key: dict[str, Renderers] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def keys(self) -> list[str]:
        return list(self._by_key)

    def get(self, key: str, context: Context | bytes) -> Renderers:
        """The renderers for the context whose hash is ``key`` (given pickled, or not), built
        on first use and kept warm."""
        renderers = self._by_key.get(key)
        if renderers is None:
            self._by_key.clear()
            if isinstance(context, bytes):
                context = pickle.loads(context)  # noqa: S301  (from the publish that started us)
            assert isinstance(context, Context)
            renderers = self._by_key[key] = Renderers(context)
        return renderers

    def clear(self) -> None:
        self._by_key.clear()


WARM = WarmRenderers()  # this process's, when it is a worker


TRACKER_WARNING = "ignore:resource_tracker:UserWarning"


def _quiet_resource_tracker() -> None:
    """multiprocessing's resource tracker (a process started with the first pool) removes the
    semaphores of a pool that a Ctrl-C interrupted as it was being made, and says so on the
    terminal, after the publish's one line; it inherits this filter of that message."""
    current = os.environ.get("PYTHONWARNINGS", "")
    if TRACKER_WARNING not in current.split(","):
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [current, TRACKER_WARNING]))


def _die_with_parent() -> None:
    """A worker gets SIGKILL when the publish that started it dies (e.g. killed): it does not
    take work from the queue and write into a staging folder that a later publish has cleared
    away (see :func:`processes.die_with`)."""
    parent = multiprocessing.parent_process()
    if parent is not None and parent.pid is not None:
        die_with(parent.pid)


# Where an early worker finds the project it will render for: its folder, and the publish's
# --base-url and --pdf-variant.
EarlyProject = tuple[str, str | None, str | None]


def _init_worker(work_waiting: Event, project: EarlyProject | None = None) -> None:
    ignore_interrupts()
    _die_with_parent()
    gc.set_threshold(*FEWER_COLLECTIONS)  # (a layout makes objects by the million)
    # What every publish needs, before its first unit arrives (and before the publish has even
    # loaded its project): WeasyPrint, PDFium, the renderers' modules, a first layout. The
    # layout only pays when it is done before a unit comes (it costs more than it saves the
    # first unit), so a worker whose unit already waits skips it. Then, the same way, this
    # project's renderers (see _warm_renderers).
    from syndicate.render import cards, pdf  # noqa: F401

    if not work_waiting.is_set():
        pdf.warm_up()
        if project is not None and not work_waiting.is_set():
            _warm_renderers(*project)
    # What is alive now (modules, fonts, classes) lives as long as the worker: out of the
    # collector's sight (an O(1) move), a full collection no longer walks it (it halved the
    # collector's time: see benchmarks/notes.md). The warm-up's garbage is collected first:
    # frozen, it would stay.
    gc.collect()
    gc.freeze()


def _warm_renderers(root: str, base_url: str | None, pdf_variant: str | None) -> None:
    """Build the renderers of the project at ``root`` as its publish will ask for them (the
    publish's context, read here from the same files, pickles to the same bytes) and do once
    what the first communiqué in each language would (see ``PdfRenderer.warm_up``): the first
    communiqué and bilingual edition of an edit took longer than the next ones without it.

    A project this cannot read is left to the publish, which reports its problems."""
    try:
        context = project_context(Path(root), base_url, pdf_variant)
        WARM.get(context.pickled()[0], context).pdf().warm_up()
    except Exception:  # noqa: BLE001  (the publish reads the project again and says what fails)
        WARM.clear()


def _render_in_worker(key: str, context: bytes, staging: Path,
                      units: list[Unit]) -> list[Outcome]:
    renderers, write = WARM.get(key, context), write_into(staging)
    return [render(renderers, unit, write) for unit in units]


class Workers:
    """Local worker processes, started at once: each takes about a second to import WeasyPrint,
    which it does while the caller goes on (see :func:`early_workers` and
    :class:`syndicate.backends.LocalPool`). More can be added (:meth:`grow`); units go round
    the processes in turn. Stop them with :meth:`stop` or :meth:`abandon`."""

    def __init__(self, jobs: int, start: str = "spawn",
                 project: EarlyProject | None = None) -> None:
        self._project = project  # what the workers warm up for, when they have time
        self._sent: tuple[Context, str, bytes] | None = None  # the context, its hash, pickled
        self._pools: list[tuple[ProcessPoolExecutor, Event]] = []  # with its "work waits" event
        self._turns: list[int] = []  # a pool's index per process of it: units go round them
        self._submitted = 0
        self._processes: list[BaseProcess] = []  # (a pool forgets its processes when it shuts down)
        try:
            self._add(jobs, start)
        except BaseException:  # e.g. Ctrl-C, delivered as the processes have started
            self.abandon()
            raise

    def _add(self, jobs: int, start: str) -> None:
        if start == "fork":  # the children copy whatever is buffered for the terminal
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
        _quiet_resource_tracker()
        context = multiprocessing.get_context(start)
        work_waiting = context.Event()
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_init_worker,
            initargs=(work_waiting, self._project),
        )
        self._pools.append((pool, work_waiting))  # (known to abandon() from now on)
        with interrupts_held():  # (a Ctrl-C meanwhile comes once they are all known)
            _start_all(pool)
            for _ in range(jobs):  # (each ready for work: the first unit meets no start)
                pool.submit(os.getpid)
            self._processes.extend((getattr(pool, "_processes", None) or {}).values())
            self._turns.extend([len(self._pools) - 1] * jobs)

    @property
    def size(self) -> int:
        """How many processes render."""
        return len(self._turns)

    def grow(self, jobs: int) -> None:
        """Add ``jobs`` processes, spawned (this process may run other threads by now)."""
        self._add(jobs, "spawn")

    def submit(self, context: Context, staging: Path,
               units: list[Unit]) -> Future[list[Outcome]]:
        """Render ``units`` in a worker, in order (it builds its renderers for ``context``
        once)."""
        if self._sent is None or self._sent[0] is not context:
            # A few KB, sent with each batch: workers keep one copy.
            self._sent = (context, *context.pickled())
        _, key, blob = self._sent
        pool, work_waiting = self._pools[self._turns[self._submitted % len(self._turns)]]
        self._submitted += 1
        work_waiting.set()
        return pool.submit(_render_in_worker, key, blob, staging, units)

    def processes(self) -> list[BaseProcess]:
        """The worker processes (``multiprocessing.Process``) started so far."""
        found = list(self._processes)
        for pool, _ in self._pools:  # (one interrupted while starting them knows them too)
            found.extend(p for p in (getattr(pool, "_processes", None) or {}).values()
                         if p not in found)
        return found

    def stop(self) -> None:
        """Cancel what has not started, wait for what has; when a worker died (the
        out-of-memory killer), nothing runs any more: every worker is stopped at once."""
        if any(getattr(pool, "_broken", False) for pool, _ in self._pools):
            self._terminate()
        self._shut_down()

    def abandon(self) -> None:
        """Stop now, even a worker still starting: for workers that got nothing to do (or
        whose work is no longer wanted). Harmless after :meth:`stop`."""
        self._terminate()
        self._shut_down()

    def _terminate(self) -> None:
        for process in self.processes():
            process.terminate()

    def _shut_down(self) -> None:
        for pool, _ in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)


def _start_all(pool: ProcessPoolExecutor) -> None:
    """Start every process of ``pool`` now, before its managing thread (which the first
    submit starts): a spawning pool would start one per submit, and when one of them died
    while the next started, the pool's clean-up missed the new one and waited for it for
    ever (the publish hung), or gave it a queue it had closed. Python's own, private: a
    pool without it starts them as it always did."""
    start = getattr(pool, "_launch_processes", None)
    if start is not None:
        start()


# Early workers fewer than the jobs are joined by more when each has more documents than this:
# a spawned worker starts in about a second, the time of three communiqués.
GROW_AFTER = 8


def early_workers(jobs: int, project: EarlyProject, units: int | None) -> Workers | None:
    """Local workers started before the project is even loaded, when this publish will
    probably render: they import WeasyPrint (most of a second) and build the renderers of
    ``project`` while the publishing process loads, plans and links.

    None when they would not be used (one job) or when no input is newer than the last
    publish (``units``, the documents expected: see :func:`walk.expected_units`): a no-op
    publish starts no worker. How many: see :func:`early_worker_count`. A wrong guess costs
    time, never correctness: unneeded workers are stopped, a publish with more work than they
    can do adds more, and a publish without them starts its own (see
    :class:`syndicate.backends.LocalPool`).
    """
    if jobs <= 1 or units == 0:
        return None
    return Workers(early_worker_count(units, jobs, default_jobs()), _quickest_start(), project)


def early_worker_count(units: int | None, jobs: int, cores: int) -> int:
    """How many workers to start early: ``jobs``, unless the expected documents (``units``,
    None: any number) are no more than that. Then the publishing process, which loads, plans,
    renders pages and feeds meanwhile, keeps a core: an edit on 2 cores published sooner with
    one early worker than with two, since three busy processes shared the two cores while they
    started (benchmarks/notes.md).

    >>> early_worker_count(None, 2, 2), early_worker_count(2, 2, 2), early_worker_count(5, 2, 2)
    (2, 1, 2)
    >>> early_worker_count(2, 8, 8), early_worker_count(2, 2, 1)
    (2, 1)
    """
    if units is None or units > jobs:
        return jobs
    return max(1, min(units, cores - 1))


def _quickest_start() -> str:
    """How to start workers now: by forking this process while it runs no other thread (a
    child then needs no new interpreter and no imports but WeasyPrint's: it is ready sooner),
    else by spawning. Forking a process with threads can deadlock a child on a lock
    some thread held; a pool started later, beside the linking thread, always spawns."""
    return "fork" if fork_is_safe() else "spawn"
