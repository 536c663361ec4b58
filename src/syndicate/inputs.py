"""What a publish was made from, so that the next one knows, without loading anything, that
nothing changed.

A publish records beside its output (``.dist.inputs.json``) a signature of everything it read:
each file of ``syndicate.toml``, ``statements/`` and ``locales/`` and the logo (path, size,
modification time, inode), the tool's code and templates, the installed fonts, and the options
that change the output (``--base-url``, ``--pdf-variant``, ``--without-pdf``); the span of time
in which the same statements are live (from the latest go-live at or before its clock to the next
embargo's end); the output it made (the version ``dist`` points at, its manifest, the cache
index); and what it said (its warnings and counts). A publish that finds all of that as recorded
changes nothing: it says so and loads nothing, in a time that grows with the number of files
(their stat calls), not with what they hold. An edit's publish, ``check`` and ``status`` take
from it the content hashes of the statement folders whose files are as it saw them
(:func:`known`): only the changed folders' files are read.

What is not looked at: the files in the output folder one by one (a file there changed by hand
is found by ``syndicate verify``; ``publish --full`` looks at every one and repairs it), and
a sealed project (the seal's key is checked at every publish: it goes the whole way).

A file modified within the file system's clock tick of the scan could change again with the
same time (git's "racy" files): such a publish records no signature and leaves its folder out,
and the next looks at them again. The tick is taken as :data:`FINE_SETTLE_NS` where the files'
times have sub-second parts (ext4, XFS, Btrfs: their clock ticks in milliseconds), else as
:data:`SETTLE_NS` (a file system, or an archive's extraction, that keeps whole seconds; FAT keeps
two).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, astuple, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate import cache, files, output, websub
from syndicate.cache import Known
from syndicate.config import STATEMENTS_DIR
from syndicate.errors import Problem
from syndicate.statement_entries import when_from_json, when_to_json
from syndicate.walk import (
    Listing,
    Listings,
    Row,
    expected_units,
    file_rows,
    listed,
    rows,
    rows_hash,
    tree_rows,
)

if TYPE_CHECKING:
    from syndicate.project import Project
    from syndicate.publish import Report

FORMAT = 3  # (3: see walk.rows_hash)
# A file modified this close before the scan is not trusted to stay as seen: where some file's
# time has a sub-second part, and where none has.
FINE_SETTLE_NS = 100_000_000
SETTLE_NS = 2_000_000_000
TEMPLATE_KINDS = ("pdf", "card", "page", "site")


@dataclass(frozen=True, slots=True)
class Options:
    """The options of a publish that change its output."""

    base_url: str | None
    pdf_variant: str | None
    pdfs: bool


@dataclass(frozen=True, slots=True)
class Summary:
    """What a publish said of its output."""

    files: int
    published: int
    scheduled: int
    languages: int


@dataclass(frozen=True, slots=True)
class Record:
    """What the publish that made the current output recorded."""

    signature: str  # "" when a file was modified too recently to be trusted
    extra: tuple[str, ...]  # the files outside the scanned folders it covers (the logo)
    live_from: datetime | None  # the same statements are live from here (None: always)...
    live_until: datetime | None  # ... until here, excluded (None: for ever)
    output: str  # the output's identity (see output_identity)
    summary: Summary
    warnings: tuple[Problem, ...]
    context: str  # the statement cache's context of the content hashes (see cache.Known)
    # statement folder -> (the hash of its files' rows, its content's hash)
    folders: Mapping[str, tuple[str, str]]
    # statement folder -> its own row and the names in it (see walk.Listing)
    listings: Mapping[str, Listing]

    def holds(self, now: datetime) -> bool:
        """Whether the same statements are live at ``now``."""
        return ((self.live_from is None or self.live_from <= now)
                and (self.live_until is None or now < self.live_until))


@dataclass(frozen=True, slots=True)
class Scan:
    """The project's input files as found before a publish loads them."""

    root: Path
    options: Options
    started: int  # when the scan began (ns since the epoch)
    rows: tuple[Row, ...]  # every input file and folder (none in Scanning.whole's)
    tool: object = None  # the code, templates, packaged catalogs and fonts, as at the scan
    links: tuple[str, ...] = ()  # the symbolic links among the rows' paths
    taken: Mapping[str, Listing] = field(default_factory=dict)  # what it took of the record's
    # what folders(), listings() and unlinked() found (a publish asks for each twice or more),
    # the rows by folder, their hash, and trusted_before with whether every row is older
    _made: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)
    _unlinked: list[frozenset[str]] = field(default_factory=list, compare=False, repr=False)
    _grouped: dict[str, list[Row]] = field(default_factory=dict, compare=False, repr=False)
    _hashed: list[str] = field(default_factory=list, compare=False, repr=False)
    _times: list[tuple[int, bool]] = field(default_factory=list, compare=False, repr=False)

    def signature(self, extra: Sequence[str]) -> tuple[str, bool]:
        """The signature of these files and ``extra`` (relative to the project, stat now),
        and whether every one was modified long enough before the scan to be trusted (an
        ``extra`` file changed in any way since the scan began is not)."""
        extra_rows = file_rows(self.root, extra)
        trusted_before, rows_settled = self._settling()
        settled = (rows_settled and all(row[2] < trusted_before for row in extra_rows)
                   and all(row[3] < self.started for row in extra_rows))
        # (the project as spelled, and from where: replayed warnings name its files so)
        where = (str(self.root), os.path.abspath(self.root), os.getcwd())
        return (cache.digest(FORMAT, where, self.tool, asdict(self.options), self._rows_hash(),
                             extra_rows), settled)

    def _rows_hash(self) -> str:
        """The hash of :attr:`rows`, made once (a publish signs its scan twice: to see whether
        anything changed, and to record it): of all of them in one go, which a publish that
        changes nothing makes faster than it groups the rows by folder (figures:
        ``benchmarks/notes.md``)."""
        if not self._hashed:
            assert self.rows, "made before the rows are left out (see Scanning.whole)"
            self._hashed.append(rows_hash(self.rows))
        return self._hashed[0]

    @property
    def trusted_before(self) -> int:
        """The files modified before this instant (ns) are trusted to stay as seen."""
        return self._settling()[0]

    def _settling(self) -> tuple[int, bool]:
        """:attr:`trusted_before`, and whether every row was modified before it; made once."""
        if not self._times:
            assert self.rows, "made before the rows are left out (see Scanning.whole)"
            fine = any(row[2] % 1_000_000_000 for row in self.rows)
            before = self.started - (FINE_SETTLE_NS if fine else SETTLE_NS)
            self._times.append((before, all(row[2] < before for row in self.rows)))
        return self._times[0]

    def folders(self) -> dict[str, str]:
        """Each statement folder's name: the hash of its files' rows, for the folders whose
        files were all modified long enough before the scan to be trusted."""
        if "folders" not in self._made:
            self._made["folders"] = self._grouped_folders()
        return self._made["folders"]

    def unlinked(self) -> frozenset[str]:
        """The statement folders in which the scan found no symbolic link (nor is one) and
        could read every file and folder: no link of theirs can lead out of the project."""
        if not self._unlinked:
            linked = {_statement_folder(path) for path in self.links}
            self._unlinked.append(frozenset(
                name for name, rows in self._by_folder().items()
                if name and name not in linked and all(row[1] != -1 for row in rows)))
        return self._unlinked[0]

    def listings(self) -> dict[str, Listing]:
        """What the next scan may take instead of listing a statement folder again (see
        :data:`walk.Listing`): for each folder of :meth:`folders` that has no link and no
        subfolder and whose own change time is trusted too (the one this scan took of the
        last record's, as it was)."""
        if "listings" not in self._made:
            self._made["listings"] = self._listings()
        return self._made["listings"]

    def _listings(self) -> dict[str, Listing]:
        limit, trusted, unlinked = self.trusted_before, self.folders(), self.unlinked()
        found: dict[str, Listing] = {}
        for name, mine in self._by_folder().items():
            if name not in trusted or name not in unlinked:
                continue
            if (taken := self.taken.get(name)) is not None:
                found[name] = taken
                continue
            own, files = mine[0], mine[1:]
            if (own[0] == f"{STATEMENTS_DIR}/{name}/" and own[3] < limit
                    and not any(row[0].endswith("/") for row in files)):
                found[name] = listed(own, [row[0][len(own[0]):] for row in files])
        return found

    def _grouped_folders(self) -> dict[str, str]:
        limit = self.trusted_before
        return {name: rows_hash(rows) for name, rows in self._by_folder().items()
                if all(row[2] < limit for row in rows)}

    def _by_folder(self) -> dict[str, list[Row]]:
        """The rows under ``statements/``, by statement folder ("": the folder itself); made
        once (folders() and unlinked() both ask: 48,000 rows at 16,000 statements)."""
        grouped = self._grouped
        if not grouped:
            assert self.rows, "made before the rows are left out (see Scanning.whole)"
            inside, rows = "", []  # (the rows are sorted: a folder's are together, its own first)
            for row in self.rows:
                if inside and row[0].startswith(inside):
                    rows.append(row)
                elif (name := _statement_folder(row[0])) is not None:
                    inside = f"{STATEMENTS_DIR}/{name}/" if name else ""
                    rows = grouped.setdefault(name, [])
                    rows.append(row)
        return grouped


def _statement_folder(path: str) -> str | None:
    """The statement folder a path relative to the project is in (None: not in statements/)."""
    prefix = f"{STATEMENTS_DIR}/"
    return path[len(prefix):].partition("/")[0] if path.startswith(prefix) else None


def scan(root: Path, options: Options, last: Record | None = None) -> Scan:
    """The project at ``root`` as it is now, to be published with ``options`` (the
    statement folders still as the ``last`` record saw them are not listed again)."""
    return replace(listing(root, options, last), tool=_tool())


@dataclass(frozen=True, slots=True)
class Scanned:
    """What a publish takes of its scan before it loads (see :class:`Scanning`)."""

    nothing: bool  # nothing to publish, as far as the scan could tell
    same: bool  # the project's files are as the record has them (see as_recorded)
    known: Known = field(default_factory=Known)  # see known (none when nothing)
    expected: int | None = None  # see expected_units


def as_recorded(found: Scan, recorded: Record) -> bool:
    """Whether the project's files ``found`` are as ``recorded`` has them (its signature)."""
    return bool(recorded.signature) and (
        found.signature(recorded.extra)[0] == recorded.signature)


class Scanning:
    """A publish's scan in two parts, which a child may make while the publishing process
    reads the statement pack ahead of its load (see :mod:`syndicate.read_ahead`): first what
    the load needs (:meth:`first`), then the scan whole, which only the publish's record
    needs (:meth:`whole`). The fewer rows the first part holds, the sooner it comes."""

    def __init__(self, root: Path, options: Options, last: Record | None, out: Path,
                 now: datetime | None) -> None:
        self.root, self.options, self.last, self.out, self.now = root, options, last, out, now
        self._found: list[Scan] = []  # (what first found, for whole)

    def first(self) -> Scanned:
        """:func:`scan`, :func:`known` and :func:`expected_units`; only that there is nothing
        to publish into ``out`` at ``now`` (None: not asked), when that is so at the scan
        (:func:`nothing_to_publish`, asked again under the publisher's lock of the output and
        the record, the files as this scan found them)."""
        found = scan(self.root, self.options, self.last)
        found._rows_hash()  # (made here: the record's signature needs it, whatever follows)
        last = self.last
        same = last is not None and as_recorded(found, last)
        if last is not None and self.now is not None and nothing_to_publish(
                same, last, self.out, self.now):
            return Scanned(nothing=True, same=True)
        self._found.append(found)
        return Scanned(False, same, known(found, last),
                       expected_units(self.root, self.out, found.rows, self.options.pdfs))

    def whole(self) -> Scan | None:
        """The scan :meth:`first` made, with what the record takes of it made (its listings,
        folders, unlinked folders, rows' hash and times) and without its rows, which a child
        would send for nothing (64,000 at 16,000 statements); None when nothing to publish."""
        if not self._found:
            return None
        found = self._found[0]
        found.listings()  # (and its folders, the unlinked ones: kept)
        found._settling()  # (listings() makes it too: made here whatever that asks)
        found._grouped.clear()  # (what it made of its rows by folder kept: not sent)
        return replace(found, rows=())


def listing(root: Path, options: Options = Options(None, None, True),
            last: Record | None = None) -> Scan:
    """:func:`scan` but the tool (the code, templates and fonts, which only its signature
    needs): enough to say which folders are as a record has them (:func:`known`)."""
    started = time.time_ns()
    links: list[str] = []
    listings = Listings(last.listings if last is not None else {})
    found = tuple(sorted(rows(root, links, listings)))
    return Scan(root, options, started, found, None, tuple(links), listings.taken)


def _tool() -> object:
    """What of syndicate itself and of this machine the output is made with: the code and the
    libraries' versions, the templates, the packaged interface catalogs, the installed fonts."""
    packaged = tree_rows(cache.PACKAGE / "locales", ".")
    return (cache.code_digest(), [cache.template_digest(k) for k in TEMPLATE_KINDS],
            packaged, cache.fonts_digest())


def recorded(out: Path) -> Record | None:
    """What the last publish into ``out`` recorded (None: nothing to trust)."""
    return _read(output.inputs_path(output.absolute(out)))


def unchanged(same: bool, recorded: Record, out: Path, now: datetime) -> bool:
    """Whether the publish of the current output in ``out`` made ``recorded`` from the inputs
    a scan found as recorded (``same``: see :func:`as_recorded`), its output is as it left it
    and the same statements are live at ``now`` (the caller holds the publisher lock: a record
    read before it is of another output if another publish ran since)."""
    if not recorded.signature or not recorded.holds(now):
        return False
    if output_identity(out) != recorded.output:
        return False
    return same


def nothing_to_publish(same: bool, recorded: Record, out: Path, now: datetime) -> bool:
    """Whether a publish into ``out`` at ``now`` would change nothing: :func:`unchanged`,
    and the current version's ``websub.json`` names no changed feed (a version that names
    some is followed by one that names none). The files are as the scan found them
    (``same``); the output and the record are decisive only with the publisher's lock held."""
    current = output.current_version(out)
    return (current is not None and unchanged(same, recorded, out, now)
            and websub.no_pending_feeds(current))


def known(found: Scan, recorded: Record | None) -> Known:
    """The content hashes of the statement folders whose files are as ``recorded`` has them
    (the statement cache needs not read those again), and which of those have no link."""
    if recorded is None:
        return Known()
    rows = found.folders()
    contents = {name: content for name, (hashed, content) in recorded.folders.items()
                if rows.get(name) == hashed}
    return Known(recorded.context, contents, found.unlinked() & contents.keys())


def record(found: Scan, out: Path, project: Project, now: datetime, report: Report) -> None:
    """Record that ``report``'s publish of ``project`` at ``now`` was made from ``found`` (the
    caller holds the publisher lock, and ``out`` is still that publish's): with no signature
    when a file changed too recently to be trusted, and only the folders that did not."""
    out = output.absolute(out)
    path = output.inputs_path(out)
    extra = (project.site.logo,) if project.site.logo else ()
    signature, settled = found.signature(extra)
    identity = output_identity(out)
    if identity is None:
        path.unlink(missing_ok=True)
        return
    rows = found.folders()
    live_from, live_until = _live_span(project, now)
    files.write_json(path, {
        "format": FORMAT, "signature": signature if settled else "", "extra": list(extra),
        "live_from": when_to_json(live_from), "live_until": when_to_json(live_until),
        "output": identity,
        "summary": asdict(Summary(report.files, report.published, report.scheduled,
                                  report.languages)),
        "warnings": [asdict(warning) for warning in project.warnings],
        "context": project.cache_context, "folders": {
            name: [rows[name], content] for name, content in project.digests.items()
            if name in rows},
        "listings": found.listings(),
    })


def _live_span(project: Project, now: datetime) -> tuple[datetime | None, datetime | None]:
    """From the latest go-live at or before ``now`` to the first after it: the span in which
    the statements live are those live at ``now``."""
    times = [s.goes_live for s in project.statements if not s.draft]
    return (max((t for t in times if t <= now), default=None),
            min((t for t in times if t > now), default=None))


def output_identity(out: Path) -> str | None:
    """The version ``out`` points at, the size, time and inode of each entry at its top, of its
    manifest and of the cache index: None when there is no such output. (A publish trusts the
    files of an output still as its record of the inputs has it: see
    :class:`syndicate.publish.Care`.)"""
    out = output.absolute(out)
    try:
        rows: list[object] = [os.readlink(out)]
        with os.scandir(out) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                info = entry.stat(follow_symlinks=False)
                rows.append((entry.name, info.st_size, info.st_mtime_ns, info.st_ino))
        for path in (out / output.MANIFEST, output.cache_path(out)):
            info = os.stat(path, follow_symlinks=False)
            rows.append((info.st_size, info.st_mtime_ns, info.st_ino))
    except OSError:
        return None
    return cache.digest(rows)


def _read(path: Path) -> Record | None:
    document = files.read_json(path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    try:
        record = Record(
            str(document["signature"]), tuple(map(str, document["extra"])),
            when_from_json(document["live_from"]), when_from_json(document["live_until"]),
            str(document["output"]), Summary(**document["summary"]),
            tuple(Problem(**warning) for warning in document["warnings"]),
            str(document["context"]), {
                str(name): (str(hashed), str(content))
                for name, (hashed, content) in document["folders"].items()},
            _listings(document["listings"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return record if _well_made(record) else None


def _listings(value: object) -> dict[str, Listing]:
    """A record's listings (see :data:`walk.Listing`) as read back: a ValueError unless each
    is text (its names are looked at when it is used: see :meth:`walk.Listings.rows`)."""
    if not isinstance(value, dict):
        raise ValueError("listings")
    found: dict[str, Listing] = {}
    for name, listing in value.items():
        if not isinstance(listing, str):
            raise ValueError(name)
        found[name] = listing
    return found


def _well_made(record: Record) -> bool:
    """Whether a record read back holds what a record is made of (a file edited by hand may
    not): times with their zone, counts as integers, warnings as text."""
    return (all(when is None or when.tzinfo is not None
                for when in (record.live_from, record.live_until))
            and all(type(count) is int for count in astuple(record.summary))
            and all(isinstance(w.path, str) and isinstance(w.message, str)
                    for w in record.warnings))
