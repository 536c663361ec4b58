"""Rendering units of work in this process, in a pool of warm processes, or on a Dask cluster.

A :class:`Unit` is the smallest thing a publish renders or reuses: one communiqué and its
preview, the bilingual edition and its preview, one social card, or one page with its share
file. Each worker process builds its renderers once (one WeasyPrint ``FontConfiguration``, one
set of Jinja environments) and keeps them for every unit it is given.

Communiqués, bilingual editions and cards (what WeasyPrint lays out) go to the workers; pages
and share files render in the publishing process meanwhile. Local workers write their files
straight into the staging folder and return only the manifest entries. So do Dask workers that
see the staging folder (on this machine, or on a shared disk); the others return the bytes and
the main process writes them.
"""

from __future__ import annotations

import gc
import gettext
import hashlib
import json
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syndicate import libc
from syndicate.errors import ContentError, Problem, SyndicateError
from syndicate.model import Artifact, Image, Site, Statement
from syndicate.processes import default_jobs, fork_is_safe, ignore_interrupts, interrupts_held

KINDS = ("pdf", "bilingual", "card", "page")
# The kinds WeasyPrint lays out: with more than one job they go to warm worker processes, while
# this process renders the pages (Jinja and the share snippets: no WeasyPrint, no PDFium).
HEAVY = frozenset({"pdf", "bilingual", "card"})  # (see HEAVY_ORDER)


@dataclass(frozen=True, slots=True)
class Unit:
    kind: str  # one of KINDS
    statement: Statement
    lang: str  # the language ("mul" for the bilingual edition)
    key: str  # the hash of every input (see syndicate.cache)
    # The image files its output shows, as read (a worker never reads the project): given
    # to a unit about to render, not to one that is reused.
    images: tuple[Image, ...] = ()
    langs: tuple[str, ...] = ()  # a multilingual edition's languages, in order

    @property
    def name(self) -> str:
        edition = f":{'-'.join(self.langs)}" if self.langs else ""
        return f"{self.kind}:{self.statement.id}:{self.lang}{edition}"


@dataclass(frozen=True, slots=True)
class Context:
    """What every worker needs once: the site, the interface catalogs (compiled ``.mo`` bytes,
    None for none) and the logo."""

    site: Site
    catalogs: Mapping[str, bytes | None]
    logo: bytes | None

    def translations(self) -> dict[str, gettext.NullTranslations]:
        from syndicate.i18n import translations_from

        return {code: translations_from(data) for code, data in self.catalogs.items()}


def compiled_catalogs(locales: Path, site: Site) -> dict[str, bytes | None]:
    """Each language's interface words (the project's ``locales/`` over the packaged catalogs)
    compiled to ``.mo`` bytes, as :func:`i18n.load_translations` loads them."""
    from syndicate.i18n import compiled_catalog

    return {language.code: compiled_catalog(locales, language.locale)
            for language in site.languages}


@dataclass(slots=True)
class Outcome:
    """What a unit produced: manifest entries (local) or artifacts (remote), or problems."""

    unit: str
    entries: list[dict[str, object]] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class Renderers:
    """One worker's renderers, built on first use and kept warm."""

    def __init__(self, context: Context) -> None:
        self.site = context.site
        self.logo = context.logo
        self.translations = context.translations()
        self._pdf: Any = None
        self._cards: Any = None
        self._pages: Any = None
        # The latest images made safe to publish, by (name, hash of the file): the pages, the
        # communiqués and the bilingual edition of a statement often show the same one.
        self._images: dict[tuple[str, bytes], bytes] = {}

    def render(self, unit: Unit) -> list[Artifact]:
        from syndicate.render import preview

        statement, lang = unit.statement, unit.lang
        images = sanitized(statement.id, unit.images, self._images)
        if unit.kind == "pdf":
            pdf = self.pdf().render(statement, lang, images)
            return [pdf, preview.render(self.site, pdf)]
        if unit.kind == "bilingual":
            pdf = self.pdf().render_bilingual(statement, unit.langs, images)
            return [pdf, preview.render(self.site, pdf)]
        if unit.kind == "card":
            return [self.cards().render(statement, lang)]
        if unit.kind == "page":
            from syndicate.render import share

            snippets = share.render(self.site, statement, lang)
            page = self.pages().statement(statement, lang, json.loads(snippets.data))
            return [snippets, page, *(
                Artifact(self.site.image_path(statement.id, image.lang, image.name), "image",
                         image.lang, statement.id, image.data) for image in images)]
        raise ValueError(f"unknown unit kind {unit.kind!r}")

    def pdf(self) -> Any:
        if self._pdf is None:
            from syndicate.render.pdf import PdfRenderer

            self._pdf = PdfRenderer(self.site, self.translations, self.logo)
        return self._pdf

    def cards(self) -> Any:
        if self._cards is None:
            from syndicate.render.cards import CardRenderer

            self._cards = CardRenderer(self.site)
        return self._cards

    def pages(self) -> Any:
        if self._pages is None:
            from syndicate.render.pages import PageRenderer

            self._pages = PageRenderer(self.site, self.translations)
        return self._pages


MEMO_IMAGES = 16  # sanitized images a worker keeps


def sanitized(statement_id: str, images: Sequence[Image],
              memo: dict[tuple[str, bytes], bytes]) -> tuple[Image, ...]:
    """``images`` as they are published (see :mod:`syndicate.images`), taken from ``memo`` if
    made before; raises ContentError naming the file for one that cannot be (check refuses it
    first: the file changed since)."""
    from syndicate.config import STATEMENTS_DIR
    from syndicate.images import ImageError, sanitize

    published = []
    problems = []
    for image in images:
        key = (image.name, hashlib.sha256(image.data).digest())
        try:
            if key not in memo:
                if len(memo) >= MEMO_IMAGES:
                    memo.clear()
                memo[key] = sanitize(image.name, image.data)
            published.append(Image(image.lang, image.name, memo[key]))
        except ImageError as exc:
            problems.append(Problem(f"{STATEMENTS_DIR}/{statement_id}/{image.name}", None,
                                    str(exc)))
    if problems:
        raise ContentError(problems)
    return tuple(published)


def _render(renderers: Renderers, unit: Unit, write: Callable[[Artifact], None] | None) -> Outcome:
    outcome = Outcome(unit.name)
    try:
        artifacts = renderers.render(unit)
    except ContentError as exc:  # e.g. a character no font has: reported, never a traceback
        outcome.problems = list(exc.problems)
        return outcome
    for artifact in artifacts:
        if write is None:
            outcome.artifacts.append(artifact)
        else:
            write(artifact)
            outcome.entries.append(artifact.manifest_entry())
    return outcome


# Local process pool -----------------------------------------------------------------------

_renderers: dict[str, Renderers] = {}  # in a worker: the renderers of the latest context


def _renderers_for(key: str, context: Context | bytes) -> Renderers:
    """This worker's renderers for the context whose hash is ``key`` (given pickled, or not),
    built on first use and kept warm."""
    renderers = _renderers.get(key)
    if renderers is None:
        _renderers.clear()
        if isinstance(context, bytes):
            context = pickle.loads(context)  # noqa: S301  (from the publish that started us)
        assert isinstance(context, Context)
        renderers = _renderers[key] = Renderers(context)
    return renderers


def _die_with_parent() -> None:
    """Linux: a worker gets SIGKILL when the publish that started it dies (e.g. killed).

    The request only covers a death after it is made: a publish killed while this worker was
    still starting has already gone, and then the worker leaves at once instead of taking work
    from the queue and writing into a staging folder that a later publish has cleared away.
    """
    prctl = libc.function("prctl")
    if prctl is not None:
        pr_set_pdeathsig = 1
        prctl(pr_set_pdeathsig, signal.SIGKILL)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)


# Where an early worker finds the project it will render for: its folder, and the publish's
# --base-url and --pdf-variant.
EarlyProject = tuple[str, str | None, str | None]


def _init_worker(work_waiting: Any, project: EarlyProject | None = None) -> None:
    ignore_interrupts()
    _die_with_parent()
    # What every publish needs, before its first unit arrives (and before the publish has even
    # loaded its project): WeasyPrint, PDFium, the renderers' modules, a first layout. The
    # layout (0.1-0.35 s) only pays when it is done before a unit comes: it saves the first
    # unit about 0.06-0.2 s, so a worker whose unit already waits skips it. Then, the same way,
    # this project's renderers (see _warm_renderers).
    from syndicate.render import cards, pdf  # noqa: F401

    if not work_waiting.is_set():
        pdf.warm_up()
        if project is not None and not work_waiting.is_set():
            _warm_renderers(*project)
    # What is alive now (modules, fonts, classes) lives as long as the worker: out of the
    # collector's sight (an O(1) move), a full collection no longer walks it (the collector's
    # time while rendering 200 units here: 1.06 s -> 0.55 s).
    gc.freeze()


def publish_context(root: Path, site: Site, logo: bytes | None) -> Context:
    """The context a publish of the project at ``root`` hands its workers."""
    from syndicate.config import LOCALES_DIR

    return Context(site, compiled_catalogs(root / LOCALES_DIR, site), logo)


def project_context(root: Path, base_url: str | None = None,
                    pdf_variant: str | None = None) -> Context:
    """:func:`publish_context`, everything read from the project's files."""
    from syndicate.assets import load_logo
    from syndicate.config import publishing_site

    site = publishing_site(root, base_url, pdf_variant)
    return publish_context(root, site, load_logo(root, site))


def context_key(blob: bytes) -> str:
    """The key a worker keeps its renderers by: the hash of the pickled context."""
    return hashlib.sha256(blob).hexdigest()


def _warm_renderers(root: str, base_url: str | None, pdf_variant: str | None) -> None:
    """Build the renderers of the project at ``root`` as its publish will ask for them (the
    publish's context, read here from the same files, pickles to the same bytes) and do once
    what the first communiqué in each language would (see ``PdfRenderer.warm_up``): the first
    communiqué and bilingual edition of an edit took 0.2-0.25 s longer than the next ones.

    A project this cannot read is left to the publish, which reports its problems."""
    try:
        context = project_context(Path(root), base_url, pdf_variant)
        _renderers_for(context_key(pickle.dumps(context)), context).pdf().warm_up()
    except Exception:  # noqa: BLE001  (the publish reads the project again and says what fails)
        _renderers.clear()


def _render_in_worker(key: str, context: bytes, staging: Path, unit: Unit) -> Outcome:
    return _render(_renderers_for(key, context), unit, write_into(staging))


class Workers:
    """Local worker processes, started at once: each takes about a second to import WeasyPrint,
    which it does while the caller goes on (see :func:`early_workers` and :func:`run_local`).
    More can be added (:meth:`grow`); units go round the processes in turn. Stop them with
    :meth:`stop` or :meth:`abandon`."""

    def __init__(self, jobs: int, start: str = "spawn",
                 project: EarlyProject | None = None) -> None:
        self._project = project  # what the workers warm up for, when they have time
        self._sent: tuple[Context, str, bytes] | None = None  # the context, its hash, pickled
        self._pools: list[tuple[ProcessPoolExecutor, Any]] = []  # with its "work waits" event
        self._turns: list[int] = []  # a pool's index per process of it: units go round them
        self._submitted = 0
        self._processes: list[Any] = []  # (a pool forgets its processes when it shuts down)
        try:
            self._add(jobs, start)
        except BaseException:  # e.g. Ctrl-C, delivered as the processes have started
            self.abandon()
            raise

    def _add(self, jobs: int, start: str) -> None:
        if start == "fork":  # the children copy whatever is buffered for the terminal
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
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
            for _ in range(jobs):  # a spawning pool starts a process per pending task: all now
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

    def submit(self, context: Context, staging: Path, unit: Unit) -> Future[Outcome]:
        """Render ``unit`` in a worker (which builds its renderers for ``context`` once)."""
        if self._sent is None or self._sent[0] is not context:
            blob = pickle.dumps(context)  # a few KB, sent with each unit: workers keep one copy
            self._sent = (context, context_key(blob), blob)
        _, key, blob = self._sent
        pool, work_waiting = self._pools[self._turns[self._submitted % len(self._turns)]]
        self._submitted += 1
        work_waiting.set()
        return pool.submit(_render_in_worker, key, blob, staging, unit)

    def processes(self) -> list[Any]:
        """The worker processes (``multiprocessing.Process``) started so far."""
        found = list(self._processes)
        for pool, _ in self._pools:  # (one interrupted while starting them knows them too)
            found.extend(p for p in (getattr(pool, "_processes", None) or {}).values()
                         if p not in found)
        return found

    def stop(self) -> None:
        """Cancel what has not started, wait for what has."""
        for pool, _ in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)

    def abandon(self) -> None:
        """Stop now, even a worker still starting: for workers that got nothing to do (or
        whose work is no longer wanted). Harmless after :meth:`stop`."""
        for process in self.processes():
            process.terminate()
        self.stop()


# What a changed statement folder re-renders with WeasyPrint: an edited translation, about its
# communiqué and the bilingual edition (a new title adds the cards, which are quick); a new or
# otherwise changed statement, all five documents of a bilingual statement.
EDIT_UNITS = 2
STATEMENT_UNITS = 5
# Early workers fewer than the jobs are joined by more when each has more documents than this:
# a spawned worker starts in about a second, the time of three communiqués.
GROW_AFTER = 8


def early_workers(root: Path, out: Path, jobs: int | None = None,
                  executor: str = "local", base_url: str | None = None,
                  pdf_variant: str | None = None) -> Workers | None:
    """Local workers started before the project is even loaded, when this publish will
    probably render: they import WeasyPrint (most of a second) and build the renderers of the
    project at ``root`` (published with ``base_url`` and ``pdf_variant``, as given) while this
    process loads, plans and links. Give them to the publish; :meth:`~Workers.abandon` them
    afterwards in any case.

    None when they would not be used (one job, Dask) or when no input is newer than the last
    publish (:func:`expected_units`): a no-op publish starts no worker. How many: see
    :func:`early_worker_count`. A wrong guess costs time, never correctness: unneeded workers
    are stopped, a publish with more work than they can do adds more (:func:`run_local`), and
    a publish without them starts its own.
    """
    jobs = jobs or default_jobs()
    if executor != "local" or jobs <= 1:
        return None
    units = expected_units(root, out)
    if units == 0:
        return None
    return Workers(early_worker_count(units, jobs, default_jobs()), _quickest_start(),
                   (str(root), base_url, pdf_variant))


def early_worker_count(units: int | None, jobs: int, cores: int) -> int:
    """How many workers to start early: ``jobs``, unless the expected documents (``units``,
    None: any number) are no more than that. Then the publishing process, which loads, plans,
    renders pages and feeds meanwhile, keeps a core: one edit among 1,000 statements on 2 cores
    published in 2.2 s with one worker, 2.9 s with two (medians of 7 and 8 runs here), since
    three busy processes shared the two cores while they started.

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
    child then needs no new interpreter and no imports but WeasyPrint's: about 0.3 s sooner
    here), else by spawning. Forking a process with threads can deadlock a child on a lock
    some thread held; a pool started later, beside the linking thread, always spawns."""
    return "fork" if fork_is_safe() else "spawn"


def expected_units(root: Path, out: Path) -> int | None:
    """About how many documents for WeasyPrint the inputs newer than the last publish's cache
    index bring: for each statement folder with newer files, EDIT_UNITS when the one newer file
    is a translation, else STATEMENT_UNITS. None when anything may change: no cache index, or a
    newer configuration or catalog. Stat calls only (about 10 ms for 1,000 statements)."""
    from syndicate.config import CONFIG_FILE, LOCALES_DIR, SHARED_FILE, STATEMENTS_DIR
    from syndicate.output import absolute, cache_path

    try:
        since = cache_path(absolute(out)).stat().st_mtime_ns
        if (root / CONFIG_FILE).stat().st_mtime_ns > since:
            return None
    except OSError:
        return None
    if _newer_files(root / LOCALES_DIR, since):
        return None
    changed: dict[str, list[str]] = {}
    statements = root / STATEMENTS_DIR
    for path in _newer_files(statements, since):
        folder, _, name = os.path.relpath(path, statements).partition(os.sep)
        changed.setdefault(folder, []).append(name)
    return sum(EDIT_UNITS if len(names) == 1 and names[0] not in ("", SHARED_FILE)
               else STATEMENT_UNITS for names in changed.values())


def _newer_files(top: Path, since: int) -> list[str]:
    """The files under ``top`` modified after ``since`` (nanoseconds), any depth."""
    found = []
    folders = [str(top)]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.stat(follow_symlinks=False).st_mtime_ns > since:
                        found.append(entry.path)
        except OSError:
            continue
    return found


def write_into(folder: Path) -> Callable[[Artifact], None]:
    from syndicate.output import write_file

    def write(artifact: Artifact) -> None:
        if not folder.is_dir():  # the publish is gone: never make its staging folder again
            raise FileNotFoundError(f"staging folder {folder} is gone")
        target = folder / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, artifact.data)

    return write


class Rendering:
    """Outcomes in the order they finish; :meth:`close` stops whatever has not started.

    Work may already be under way when this is returned (see :func:`run_local`): iterate it
    or close it, in a ``finally``.
    """

    def __init__(self, outcomes: Iterator[Outcome], close: Callable[[], None]) -> None:
        self._outcomes = outcomes
        self._close = close

    def __iter__(self) -> Iterator[Outcome]:
        return self._outcomes

    def close(self) -> None:
        self._close()


def _in_process(context: Context, units: list[Unit],
                staging: Path) -> Generator[Outcome, None, None]:
    if units:
        renderers = Renderers(context)
        write = write_into(staging)
        for unit in units:
            yield _render(renderers, unit, write)


# The order in which workers get documents: the one-language communiqués first, since the
# feeds need their sizes (the publishing process writes the feeds while the rest renders); the
# cards, the shortest, last, so that the workers finish together.
HEAVY_ORDER = {"pdf": 0, "bilingual": 1, "card": 2}


def _split(units: list[Unit]) -> tuple[list[Unit], list[Unit]]:
    """(what WeasyPrint lays out, in HEAVY_ORDER, the rest in the given order)."""
    return (sorted((unit for unit in units if unit.kind in HEAVY),
                   key=lambda unit: HEAVY_ORDER[unit.kind]),
            [unit for unit in units if unit.kind not in HEAVY])


def run_local(context: Context, units: list[Unit], staging: Path, jobs: int,
              workers: Workers | None = None) -> Rendering:
    """Render ``units`` into ``staging``.

    With ``jobs`` 1, or nothing for WeasyPrint to lay out, everything renders in this process
    as the outcomes are asked for. Otherwise the communiqués, bilingual editions and cards are
    handed at once to up to ``jobs`` worker processes (``workers``, if started earlier, else
    new ones), while the caller goes on with its own work; the pages render in this process
    when the outcomes are asked for. The rendering owns ``workers``: it uses or stops them.
    """
    heavy, light = _split(units)
    if workers is not None and (jobs <= 1 or not heavy):
        workers.abandon()
        workers = None
    if jobs <= 1 or not heavy:
        outcomes = _in_process(context, units, staging)
        return Rendering(outcomes, outcomes.close)
    wanted = min(jobs, len(heavy))
    if workers is None:
        workers = Workers(wanted)
    try:
        if workers.size < wanted and len(heavy) > GROW_AFTER * workers.size:
            workers.grow(wanted - workers.size)  # fewer were started early than this work needs
        futures = [workers.submit(context, staging, unit) for unit in heavy]
    except BaseException:  # e.g. Ctrl-C: no worker may outlive this publish
        workers.abandon()
        raise
    return _meanwhile(context, light, staging, futures, workers.stop)


def _meanwhile(context: Context, light: list[Unit], staging: Path,
               futures: Sequence[Future[Any]], stop: Callable[[], None]) -> Rendering:
    """The pages rendered here, then the outcomes of ``futures`` (one unit's, or a batch's) as
    they finish; closing it cancels what has not started and calls ``stop``."""

    def finished() -> Iterator[Outcome]:
        yield from _in_process(context, light, staging)
        for future in as_completed(futures):
            done: Outcome | list[Outcome] = future.result()
            if isinstance(done, Outcome):
                yield done
            else:
                yield from done

    def close() -> None:
        for future in futures:
            future.cancel()
        stop()

    return Rendering(finished(), close)


# Dask -------------------------------------------------------------------------------------

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
    keeps glibc's defaults, whose thresholds grow to 32 MiB mapped, 64 MiB kept. Measured on a
    LocalCluster, 50 statements: with the Nanny's setting, publishes took 1.13x as long and the
    workers' system time doubled. Set once per process: other tasks of the worker get the same.
    """
    mallopt = libc.function("mallopt")
    if mallopt is not None:  # else not glibc: nothing to undo
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
        mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD_MAX)


# A Dask task renders several units: each task costs the scheduler, the worker's event loop and
# the client 5-8 ms of CPU (measured with 250 tasks of 50 ms on a 2-worker LocalCluster), 3-5%
# of an average unit. Tasks shrink towards the end (see _batches) so workers finish together.
REMOTE_BATCH = 8


def _batches(units: list[Unit], threads: int) -> list[list[Unit]]:
    """``units`` in order, cut into tasks of at most REMOTE_BATCH units, each at most a quarter
    of what is left per worker thread, so that the last tasks are single units."""
    batches: list[list[Unit]] = []
    start = 0
    while start < len(units):
        size = max(1, min(REMOTE_BATCH, (len(units) - start) // (4 * max(threads, 1))))
        batches.append(units[start:start + size])
        start += size
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
        fresh = context_key not in _renderers
        if not _renderers:  # this process's first unit
            _glibc_thresholds()
        renderers = _renderers_for(context_key, context)
        if fresh:  # what the renderers of an earlier context held is garbage now
            gc.unfreeze()
        for unit in units:
            outcomes.append(_render(renderers, unit, write))
            if fresh:
                # As in a local worker (see _init_worker), once the renderers have rendered:
                # a Dask worker holds about 150,000 objects of its own, which every full
                # collection walked (1.3-1.6 s of its 24 s over 125 units here).
                gc.freeze()
                fresh = False
    return outcomes


class SchedulerError(SyndicateError):
    """The Dask scheduler cannot be used."""


def run_dask(context: Context, context_key: str, units: list[Unit], scheduler: str,
             staging: Path, timeout: float = 10.0) -> Rendering:
    """Render the units that need WeasyPrint on the Dask cluster at ``scheduler``, in batches
    (see _batches), and, as the local pool does, the pages in this process meanwhile, into
    ``staging`` (a worker that cannot see it returns the bytes, for this process to write).
    The work is handed to the cluster at once."""
    try:
        import distributed

        connect: Any = distributed.Client
    except ImportError:
        raise SchedulerError(
            "--executor dask needs dask.distributed: pip install 'syndicate[dask]'"
        ) from None
    try:
        client: Any = connect(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    heavy, light = _split(units)
    try:
        shared = client.scatter(context, broadcast=True, hash=False)
        executor: Any = client.get_executor(pure=False)
        threads = sum(client.nthreads().values())
        futures: list[Future[list[Outcome]]] = [
            executor.submit(_render_remote, context_key, shared, str(staging), batch)
            for batch in _batches(heavy, threads)
        ]
    except BaseException:
        client.close()
        raise

    def stop() -> None:
        try:
            executor.shutdown(wait=True)
        finally:
            client.close()

    return _meanwhile(context, light, staging, futures, stop)
