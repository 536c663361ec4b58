"""Where units render: in this process, in a pool of warm local processes, or on a Dask cluster.

One interface, :class:`Backend`: ``render(context, units, staging, ready)`` starts handing
the units over and returns a :class:`Rendering`, the outcomes as they finish; each unit is
made ``ready`` (its words and image bytes read) only as it goes (see
:mod:`syndicate.handover`). A backend is a context manager that owns its workers: the CLI
builds it once (:func:`choose`) before it loads the project, so that a local pool can start
its workers early (see :mod:`syndicate.pool`), and leaving it stops them, whatever happened.
In every backend the pages and share files render in the publishing process, while the
workers lay out the documents (see :mod:`syndicate.kinds`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from syndicate.handover import WINDOW_PER_WORKER, Handover, Ready, made_ready
from syndicate.kinds import Renderers, render, split, together
from syndicate.pool import GROW_AFTER, WarmRenderers, Workers, early_workers
from syndicate.processes import default_jobs
from syndicate.units import Context, Outcome, Unit, write_into


class Rendering:
    """Outcomes in the order they finish; :meth:`close` stops whatever has not started and
    waits for what has.

    Work may already be under way when this is returned: iterate it or close it, in a
    ``finally``.
    """

    def __init__(self, outcomes: Iterator[Outcome], close: Callable[[], None]) -> None:
        self._outcomes = outcomes
        self._close = close

    def __iter__(self) -> Iterator[Outcome]:
        return self._outcomes

    def close(self) -> None:
        self._close()


class Backend:
    """Renders units into a staging folder; a context manager that owns its workers."""

    # Whether workers on other machines write into the staging folder (with their own copy of
    # syndicate): then a publish never starts from a spare (see syndicate.spare), whose files
    # another version shares.
    remote = False

    def render(self, context: Context, units: list[Unit], staging: Path,
               ready: Ready) -> Rendering:
        """Start rendering ``units`` into ``staging`` (at once: the caller goes on meanwhile),
        each made ``ready`` just before it renders or leaves this process."""
        outcomes = _in_process(context, units, staging, ready)
        return Rendering(outcomes, outcomes.close)

    def close(self) -> None:
        """Stop the workers, if any (called on leaving the ``with`` block)."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class InProcess(Backend):
    """Everything in this process, as the outcomes are asked for (``--jobs 1``)."""


class Resident(Backend):
    """Renders in this process, its renderers kept from one publish to the next while the
    context is the same (``serve``'s: a saved statement is rendered by renderers built once,
    fonts and stylesheets loaded); many documents at once (a first publish, a new template)
    go to local worker processes, which then stay for the next such publish."""

    def __init__(self, jobs: int | None = None) -> None:
        self._warm = WarmRenderers()
        self._jobs = jobs or default_jobs()
        self._pool: LocalPool | None = None

    def render(self, context: Context, units: list[Unit], staging: Path,
               ready: Ready) -> Rendering:
        heavy, _ = split(units)
        if len(heavy) > GROW_AFTER and self._jobs > 1:
            if self._pool is None:
                self._pool = LocalPool(self._jobs)
            return self._pool.render(context, units, staging, ready)
        outcomes = _in_process(context, units, staging, ready, self._warm)
        return Rendering(outcomes, outcomes.close)

    def renderers(self, context: Context) -> Renderers:
        """This process's renderers for ``context``, the ones its renders use (kept warm)."""
        return self._warm.get(context.pickled()[0], context)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


@dataclass(frozen=True, slots=True)
class Early:
    """A publish of the project at ``root``, with the options that make its renderers
    (``--base-url``, ``--pdf-variant``): what early workers warm up for; ``units``, the
    documents for WeasyPrint its changed inputs are expected to bring (see
    :func:`walk.expected_units`; None: any number)."""

    root: Path
    base_url: str | None
    pdf_variant: str | None
    units: int | None


class LocalPool(Backend):
    """Up to ``jobs`` local worker processes for what WeasyPrint lays out. With ``early``,
    workers start on entering, when the publish will probably render (see
    :func:`pool.early_workers`); else when the first document is handed over. A publish with
    more documents than the early workers can take adds more; one with none stops them.
    ``workers``: workers started already, now owned by the pool."""

    def __init__(self, jobs: int, early: Early | None = None,
                 workers: Workers | None = None) -> None:
        self.jobs = jobs
        self._early = early
        self._workers = workers
        self._used = False  # whether the workers were given work (then they stop gracefully)

    def __enter__(self) -> LocalPool:
        if self._early is not None and self._workers is None:
            early = self._early
            self._workers = early_workers(self.jobs, (
                str(early.root), early.base_url, early.pdf_variant), early.units)
        return self

    def render(self, context: Context, units: list[Unit], staging: Path,
               ready: Ready) -> Rendering:
        heavy, light = split(units)
        if not heavy:
            self.close()  # workers started early for nothing: they stop now, not at the end
            return super().render(context, units, staging, ready)
        try:
            workers = self._workers_for(len(heavy))
            self._used = True
            handover = Handover(together(heavy), ready,
                                lambda batch: workers.submit(context, staging, batch),
                                WINDOW_PER_WORKER * workers.size)
        except BaseException:  # e.g. Ctrl-C: no worker may outlive this publish
            self.close()
            raise
        return meanwhile(context, (light, staging, ready), handover, lambda: None)

    def _workers_for(self, documents: int) -> Workers:
        wanted = min(self.jobs, documents)
        workers = self._workers
        if workers is None:
            workers = self._workers = Workers(wanted)
        elif workers.size < wanted and documents > GROW_AFTER * workers.size:
            workers.grow(wanted - workers.size)  # fewer were started early than this needs
        return workers

    def close(self) -> None:
        workers, self._workers = self._workers, None
        if workers is not None:
            try:
                if self._used:
                    workers.stop()
            finally:  # (a second Ctrl-C while they finish: none outlives the publish)
                workers.abandon()


NEEDS_SCHEDULER = "--executor dask needs --scheduler tcp://HOST:PORT"


class Scheduler(NamedTuple):
    """``--scheduler`` and ``--scheduler-timeout``: a Dask scheduler's address (None when not
    given) and how long to keep trying to reach it, in seconds."""

    address: str | None
    timeout: float


def choose(executor: str = "local", jobs: int | None = None, scheduler: Scheduler | None = None,
           early: Early | None = None) -> Backend:
    """The backend for ``--executor``, ``--jobs`` (default: one per core) and the Dask
    ``scheduler``; a local pool warms up ``early`` (see :class:`LocalPool`)."""
    if executor == "dask":
        from syndicate.cluster import Dask

        return Dask(scheduler)
    jobs = jobs or default_jobs()
    return LocalPool(jobs, early) if jobs > 1 else InProcess()


def _in_process(context: Context, units: list[Unit], staging: Path, ready: Ready,
                warm: WarmRenderers | None = None) -> Generator[Outcome, None, None]:
    """``units`` made ready and rendered here, one at a time, as they are asked for; by
    ``warm``'s renderers for the context (kept from one render to the next), else by renderers
    built for this one."""
    if units:
        renderers = (warm.get(context.pickled()[0], context) if warm is not None
                     else Renderers(context))
        write = write_into(staging)
        for unit in units:
            made = made_ready(unit, ready)
            yield made if isinstance(made, Outcome) else render(renderers, made, write)


Here = tuple[list[Unit], Path, Ready]  # units rendered in this process, where, made ready how


def meanwhile(context: Context, here: Here, handover: Handover,
              stop: Callable[[], None]) -> Rendering:
    """The units ``here`` rendered in this process, then the outcomes of what ``handover``
    hands to workers, as they finish; closing it stops the handing over, cancels what has not
    started, waits for what has, and calls ``stop``."""
    light, staging, ready = here

    def finished() -> Iterator[Outcome]:
        yield from _in_process(context, light, staging, ready)
        yield from handover.outcomes()

    def close() -> None:
        try:
            handover.close()  # none may write into the staging folder once it is gone
        finally:
            stop()

    return Rendering(finished(), close)
