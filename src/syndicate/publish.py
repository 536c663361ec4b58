"""The publish: plan, render what changed, write it all at once, switch.

    load (syndicate.project) -> plan (syndicate.plan) -> render (syndicate.backends)
        -> write (here, into a staging folder of syndicate.output) -> Report

Nothing is written until every input has been read and validated; the output is built in a
staging folder beside ``dist/`` and switched in with one atomic rename (see
:mod:`syndicate.output`), so a failure or a kill at any point leaves the previous publish.
Rendering and writing overlap: workers lay out the documents while this process links the
unchanged files, renders the pages and, once the communiqués' sizes are known, the feeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from syndicate import cache, carry, files, output, spare, trash
from syndicate import plan as plans
from syndicate.answers import KeptAnswers
from syndicate.backends import Backend, Rendering, choose
from syndicate.carry import Damaged, index_json
from syndicate.config import STATEMENTS_DIR
from syndicate.errors import ContentError, Problem, SyndicateError
from syndicate.inputs import output_identity
from syndicate.manifest import EncodedEntries, manifest_pieces
from syndicate.model import Entry
from syndicate.plan import Plan
from syndicate.processes import collections_paused
from syndicate.project import Project
from syndicate.project import check as check  # the load stage, for callers of the pipeline
from syndicate.project import load as load
from syndicate.seal.step import SEALED_KINDS, Seal, SealStep
from syndicate.site_outputs import SiteFeeds, SitePages
from syndicate.site_outputs import render_site as render_site  # (the benchmarks call it)
from syndicate.staging import SpareClash, Staging
from syndicate.units import Unit

if TYPE_CHECKING:
    from syndicate.read_ahead import IndexAhead


@dataclass(frozen=True, slots=True)
class Report:
    out: Path
    files: int
    published: int
    scheduled: int
    languages: int
    rendered: tuple[str, ...] = ()  # paths rendered by this publish (feeds and indexes too)
    reused: tuple[str, ...] = ()  # paths taken unchanged from the previous publish
    removed: tuple[str, ...] = ()  # paths of the previous publish that are gone
    resealed: tuple[str, ...] = ()  # paths sealed anew from the previous publish's layout
    deferred: tuple[str, ...] = ()  # paths left as they were, to be laid out again (serve)
    changed: bool = True  # False: nothing changed, the previous publish stays as it was
    version: str = ""  # the name of the version folder the output points at after it
    problems: tuple[Problem, ...] = ()  # with keep_going: of the statements left out in rendering


class Progress(Protocol):
    """Told how a publish advances (see :mod:`syndicate.progress`)."""

    def start(self, total: int, reused: int) -> None: ...

    def advance(self, unit: str) -> None: ...

    def finish(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Care:
    """What a publish forgives and what it checks."""

    # statements whose rendering has problems (a character no font has) left out, the
    # others published: the problems are in Report.problems
    keep_going: bool = False
    # the output's identity in the last publish's record of its inputs (see
    # syndicate.inputs): when the output is still so, the files taken from its current
    # version are trusted to be as that publish left them, not checked one by one (see
    # plan.make); None: each is checked
    recorded: str | None = None
    # the output's cache index read before the publisher's lock (see read_ahead.IndexAhead):
    # the plan takes it if the output is still as it was then; None: the plan reads it
    index: IndexAhead | None = None


def publish(project: Project, out: Path, now: datetime, *, backend: Backend | None = None,
            progress: Progress | None = None, seal: Seal | None = None,
            care: Care = Care()) -> Report:
    """Render what changed since the publish in ``out``, reuse the rest, switch ``out`` to it.

    ``backend`` renders (default: local processes, one per core, for this publish only). A
    project with ``[seal]`` is published with its ``seal`` opened (see
    :func:`seal.step.open_seal`). ``care``: see :class:`Care`.
    """
    if project.site.sealed != (seal is not None):
        raise SyndicateError("a project with a [seal] is published with its seal opened "
                             "(syndicate.seal.step.open_seal), one without with none: else "
                             "its PDFs say they are sealed when they are not, or the reverse")
    if backend is None:
        with choose() as own:
            return publish(project, out, now, backend=own, progress=progress, seal=seal,
                           care=care)
    if project.problems and not project.due(now)[0]:  # an empty site is no publish
        raise ContentError(project.problems, "no statement without problems to publish")
    run = Run(backend, progress, seal, recorded=care.recorded, index=care.index)
    try:
        return _publish(project, out, now, run)
    except ContentError as error:
        problems = tuple(error.problems)
        left_out = _statements_named(project, problems) if care.keep_going else set()
        if not left_out or {s.id for s in project.due(now)[0]} <= left_out:
            raise
    rest = replace(project, statements=tuple(
        s for s in project.statements if s.id not in left_out))
    return replace(_publish(rest, out, now, run), problems=problems)


def publish_pages_first(project: Project, out: Path, now: datetime,
                        backend: Backend) -> Report:
    """What changed, published at once but for its laid-out documents (communiqués, editions,
    cards): the current version's files stand in for them until a :func:`publish` lays them
    out (``serve``'s first publish of a change; never for a sealed project). A new statement's
    documents are laid out as usual. :attr:`Report.deferred` names what was left for later."""
    if project.site.sealed:
        raise SyndicateError("a sealed project is published whole (see publish)")
    return _publish(project, out, now, Run(backend, None, defer=True))


@dataclass(frozen=True, slots=True)
class Run:
    """How a publish runs: where it renders, whom it tells how it advances."""

    backend: Backend
    progress: Progress | None
    seal: Seal | None = None  # the PDFs' seal (None: not sealed)
    defer: bool = False  # the changed laid-out documents later (see plan.deferring)
    recorded: str | None = None  # see Care.recorded
    index: IndexAhead | None = None  # see Care.index (taken by the first plan only: _plan)


@dataclass(slots=True)
class Written:
    """What a publish's staging folder got so far."""

    seals: SealStep  # the PDFs' seals, and their records
    rendered: list[str] = field(default_factory=list)  # paths rendered
    reused: list[str] = field(default_factory=list)  # paths linked from the current version
    # unit key -> its files (a carried unit's: its record as read, see plan.Plan.carried)
    kept: dict[str, list[Entry] | bytes] = field(default_factory=dict)
    resealed: list[str] = field(default_factory=list)  # paths sealed anew, not laid out


def _statements_named(project: Project, problems: Iterable[Problem]) -> set[str]:
    """The ids of the statements ``problems`` are in, or none if one is in none of them."""
    ids = {s.id for s in project.statements}
    found = set()
    for problem in problems:
        parts = Path(problem.path).parts
        named = {b for a, b in zip(parts, parts[1:], strict=False) if a == STATEMENTS_DIR} & ids
        if len(named) != 1:
            return set()
        found |= named
    return found


def _publish(project: Project, out: Path, now: datetime, run: Run) -> Report:
    output.check_output_folder(out, project.root)
    with output.publisher_lock(out):
        output.check_output_folder(out, project.root)  # again, now that no other publish runs
        identity = (output_identity(out)
                    if run.recorded is not None or run.index is not None else None)
        trusted = run.recorded is not None and identity == run.recorded
        plan = _plan(project, out, now, run, verify=not trusted, identity=identity)
        if plan.unchanged:
            return _unchanged(plan)
        # The versions older publishes retired: removed meanwhile when this one writes much
        # (its version needs their space), else once it is written or failed (an archive's rm
        # would share the disk with an edit's writes and its syncfs).
        retired = trash.retired(out)
        amount = _Amount.of(plan)
        cleaner = None if amount.writes_little else retired.empty()
        try:
            try:
                return _write(plan, run, amount)
            except Damaged:
                if not trusted:
                    raise
            plan = _plan(project, out, now, run, verify=True)  # (a file gone by hand, say)
            amount = _Amount.of(plan)
            if cleaner is None and not amount.writes_little:
                cleaner = retired.empty()
            return _unchanged(plan) if plan.unchanged else _write(plan, run, amount)
        finally:
            large = spare.large(len(plan.units))  # (a unit has one file at least)
            (cleaner or retired.empty()).finish(large)


def _plan(project: Project, out: Path, now: datetime, run: Run, verify: bool,
          identity: str | None = None) -> Plan:
    """The plan (see :func:`plan.make`), with the cache index read ahead if the output's
    ``identity`` is still the one it was read with (see :class:`Care`: only the first plan
    of a publish takes it; only the plan keeps what it needs of it)."""
    with collections_paused():  # (every unit, its key, the cache index's records)
        index = run.index.take(identity) if run.index is not None else None
        plan = plans.make(project, out, now, run.seal.identity if run.seal else None, verify,
                          index)
    return plans.deferring(plan) if run.defer else plan


def _unchanged(plan: Plan) -> Report:
    """The report of a publish that changes nothing (the current version stays)."""
    assert plan.current is not None
    output.retire_leftovers(plan.out, plan.current)
    cleaner = trash.empty(plan.out)  # as every publish does
    files = plan.current_paths()
    cleaner.finish(spare.large(len(files)))
    return Report(plan.out, len(files) + 1, len(plan.published), len(plan.scheduled),
                  plan.languages, reused=tuple(sorted(files)), changed=False,
                  version=plan.current.name)


def _write(plan: Plan, run: Run, amount: _Amount) -> Report:
    """:func:`_write_version`, from the current version's spare when it is worth taking (see
    :class:`_Amount`); made again without it if the spare had a file where the new version has
    a folder, or the reverse (see staging.SpareClash)."""
    takes_spare = amount.renders_little and not run.backend.remote
    try:
        return _write_version(plan, run, takes_spare)
    except SpareClash:
        pass  # (made again below, not in here: the error would keep the first try's memory)
    if run.progress is not None:  # (its bar starts again)
        run.progress.finish()
    return _write_version(plan, run, False)


@dataclass(frozen=True, slots=True)
class _Amount:
    """How much of its version a plan writes, against :data:`spare.REUSED_AT_LEAST`: whether
    it renders at most one of its units in that many (an edit: worth making its version from
    the current version's spare), and whether it writes as little with its PDFs sealed anew
    counted (each a new file: the trash is then emptied once its version is written)."""

    renders_little: bool
    writes_little: bool

    @staticmethod
    def of(plan: Plan) -> _Amount:
        rendered, units = len(plan.todo), len(plan.units)  # (todo: a pass over every unit)
        return _Amount(rendered * spare.REUSED_AT_LEAST <= units,
                       (rendered + len(plan.resealable)) * spare.REUSED_AT_LEAST <= units)


def _write_version(plan: Plan, run: Run, takes_spare: bool) -> Report:
    """Render ``plan.todo`` into a staging folder, link the rest, write the site-wide
    outputs, the manifest and the cache index, and switch the output folder to it."""
    project, written = plan.project, Written(SealStep(run.seal))
    todo = plan.todo  # (their words read as each goes: see _render)
    with Staging(plan.out, plan.current if takes_spare else None,
                 spare.large(len(plan.units)), followed=bool(plan.stale)) as staging:
        # Workers start on the communiqués now, while this process reads the previous manifest,
        # links the unchanged files and renders the pages (after the share counts are known).
        rendering = _render(project, todo, staging, run.backend)
        try:  # (from here on: a Ctrl-C stops the workers before the staging folder goes)
            counts = (_remember_share_counts(project.root)
                      if any(u.kind == "page" for u in todo) else None)
            previous = plan.previous
            staging.replacing(previous.paths, plan.carried_paths)
            staging.reuse_all(_unchanged_files(plan, written))  # a thread links them
            _carry(plan, staging, written)
            _reseal(plan, staging, written)
            if run.progress is not None:
                run.progress.start(len(todo), len(plan.units) - len(todo))
            site_pages = SitePages(plan, staging)  # rendered meanwhile, too
            encoded = EncodedEntries()
            feeds = SiteFeeds(plan, previous.feeds, staging, encoded)
            problems = _collect(rendering, todo, staging, written, run.progress, feeds.render)
        finally:
            rendering.close()
        if problems:  # (an image that cannot publish: once, not once per output showing it)
            raise ContentError(list(dict.fromkeys(problems)))
        feeds.render()  # (done already if a communiqué was rendered)
        written.reused.extend([*site_pages.reused, *feeds.reused])
        written.rendered.extend([*site_pages.rendered, *feeds.rendered])
        name = staging.commit(lambda entries: manifest_pieces(entries, encoded, plan.kept),
                              _manifest_signature(plan, run.seal))
        documents = {**site_pages.index_records(), **feeds.index_records()}
        files.write_json_text(output.cache_path(output.absolute(plan.out)), index_json(
            name, plan.site_inputs, written.kept, documents, encoded,
            _others(staging.entries, written.kept, documents),
            {"seals": written.seals.records, "stamps": plan.since.stamps}))
    if counts is not None:
        _keep_share_counts(counts)
    return replace(_report(plan, staging.entries, written, previous), version=name)


def _others(entries: list[Entry], kept: dict[str, list[Entry] | bytes],
            documents: dict[str, object]) -> list[Entry]:
    """The files of ``entries`` that are neither a unit's (``kept``) nor a document's: the
    cache index lists them too, and so every file of the version (see plan.published). (A
    carried unit's files are not in ``entries``.)"""
    recorded = {entry.path for unit in kept.values() if not isinstance(unit, bytes)
                for entry in unit}
    return [e for e in entries if e.path not in recorded and e.path not in documents]


def _render(project: Project, units: list[Unit], staging: Staging,
            backend: Backend) -> Rendering:
    """Start rendering ``units``, each with its words and the bytes of the images it shows
    read just before it renders or goes to a worker (which never reads the project): an
    archive's texts are never all in memory at once."""
    if not units:
        return Rendering(iter(()), lambda: None)
    return backend.render(project.context(), units, staging.path,
                          lambda unit: project.with_images(unit.in_memory()))


def _unchanged_files(plan: Plan, written: Written) -> list[tuple[str, Entry]]:
    """The files of the units reused, to link from the current version (recorded as kept),
    and of those deferred (standing in: not recorded)."""
    links: list[tuple[str, Entry]] = []
    for unit in plan.units:
        if unit.key in plan.reusable:
            written.kept[unit.key] = plan.reusable[unit.key]
            written.seals.kept(unit.key, plan.index.seals.get(unit.key))
        for entry in plan.reusable.get(unit.key) or plan.stale.get(unit.key) or ():
            links.append((f"{plan.current}/{entry.path}", entry))
            written.reused.append(entry.path)
    return links


def _carry(plan: Plan, staging: Staging, written: Written) -> None:
    """The carried units (see :mod:`syndicate.carry`): recorded as kept, as they were; their
    files linked from the current version unless the staging folder is its spare already."""
    for unit in plan.units:
        record = plan.carried.get(unit.key)
        if record is not None:
            written.kept[unit.key] = record
            written.seals.kept(unit.key, plan.index.seals.get(unit.key))
    if staging.spare or not plan.carried:
        return
    links = [(f"{plan.current}/{entry.path}", entry) for record in plan.carried.values()
             for entry in carry.parsed_or_damaged(record)]
    if sorted(entry.path for _, entry in links) != plan.carried_paths:
        raise Damaged("the cache index's records are not the current manifest's files")
    staging.reuse_all(links, listed=False)


def _reseal(plan: Plan, staging: Staging, written: Written) -> None:
    """The units laid out as now but sealed otherwise: their PDFs sealed anew from their
    layout in the current version (see :mod:`syndicate.seal.step`), their other files linked."""
    for unit in plan.units:
        entries = plan.resealable.get(unit.key)
        if entries is None or plan.current is None:
            continue
        sealed = written.seals.resealed(plan.current, unit.key, entries,
                                        plan.index.seals.get(unit.key), unit.statement)
        for artifact in sealed:
            staging.add(artifact)
            written.resealed.append(artifact.path)
        kept = staging.entries[len(staging.entries) - len(sealed):]
        for entry in entries:
            if not entry.path.endswith(".pdf"):
                staging.reuse(f"{plan.current}/{entry.path}", entry)
                written.reused.append(entry.path)
                kept.append(entry)
        written.kept[unit.key] = kept


def _manifest_signature(plan: Plan, seal: Seal | None) -> Callable[[bytes], bytes] | None:
    """How ``manifest.json`` is signed (None: it is not)."""
    if seal is None:
        return None
    return lambda document: seal.sign_manifest(document, plan.published)


def _report(plan: Plan, entries: list[Entry], written: Written,
            previous: plans.Published) -> Report:
    files = {e.path for e in entries}  # (but the carried ones: see plan.Plan.carried)
    carried = plan.carried_paths
    return Report(plan.out, len(files) + len(carried) + 1, len(plan.published),
                  len(plan.scheduled), plan.languages, rendered=tuple(sorted(written.rendered)),
                  reused=tuple(sorted([*written.reused, *carried])),
                  resealed=tuple(sorted(written.resealed)),
                  deferred=tuple(sorted(e.path for es in plan.stale.values() for e in es)),
                  removed=tuple(sorted(previous.paths - files)))


def _remember_share_counts(root: Path) -> KeptAnswers:
    """Give the share snippets twitter-text's answers from earlier publishes (for this code and
    these libraries), a shard at a time as their pages ask: pages then count links without
    importing it. Returns where they are kept."""
    from syndicate.render import counting

    kept = KeptAnswers(root / cache.CACHE_DIR)
    counting.ANSWERS.attach(kept.shard)
    return kept


def _keep_share_counts(kept: KeptAnswers) -> None:
    """Keep the twitter-text answers this process learned, in their shards."""
    from syndicate.render import counting

    counting.ANSWERS.attach(None)
    learned, asked = counting.ANSWERS.take_learned()
    if learned:
        kept.save(learned, asked)


def _collect(rendering: Rendering, units: list[Unit], staging: Staging,
             written: Written, progress: Progress | None,
             communiques_done: Callable[[], None]) -> list[Problem]:
    """Record every outcome as it finishes; returns the problems (rendering goes on past them,
    so that one run reports them all). Calls ``communiques_done`` once every one-language
    communiqué has been rendered without a problem, if one was to be."""
    problems: list[Problem] = []
    by_name = {unit.name: unit for unit in units}
    communiques = sum(unit.kind == "pdf" for unit in units)
    for outcome in rendering:
        unit = by_name[outcome.unit]
        problems.extend(outcome.problems)
        for artifact in outcome.artifacts:  # from a remote worker: bytes to write
            staging.add(artifact)
            outcome.entries.append(staging.entries.pop())
        if not outcome.problems and unit.kind in SEALED_KINDS:
            outcome.entries[:] = written.seals.sealed(staging.path, unit.key, outcome.entries,
                                                      unit.statement)
        for entry in outcome.entries:
            staging.written(entry)
        if not outcome.problems:
            written.kept[unit.key] = list(outcome.entries)
            written.rendered.extend(e.path for e in outcome.entries)
            if unit.kind == "pdf":
                communiques -= 1
                if communiques == 0:
                    communiques_done()
        if progress is not None:
            progress.advance(outcome.unit)
    if progress is not None:
        progress.finish()
    return problems
