"""The plan stage: what a publish renders, what it reuses, what it removes.

Every unit of rendering gets the hash of its inputs (its cache key, see
:mod:`syndicate.keys`); the cache index beside the output folder names the files of the
current version each key made, so a unit whose key is there, with its files unchanged, is
reused. :func:`make` returns one frozen :class:`Plan`; the publish renders ``plan.todo`` and
links the rest. Feed documents are planned the same way once the communiqués' sizes are known
(:func:`keys.feed_keys`, :func:`reusable_documents`), and so are index pages
(:func:`keys.index_page_keys`) and the sitemap (:func:`keys.sitemap_key`,
:func:`site_outputs.sitemap_files`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from syndicate import carry, output, websub
from syndicate.carry import CacheIndex, read_index
from syndicate.keys import SHOWN_KINDS, Since, keyed_units, reading_order, site_key, stamps
from syndicate.kinds import KINDS
from syndicate.manifest import Lines, previous_lines, read_files
from syndicate.model import Entry, NewestFirst, Statement, in_reading_order
from syndicate.output import MANIFEST, MANIFEST_SIGNATURE
from syndicate.project import Project
from syndicate.seal.step import SEALED_KINDS, recorded_identity
from syndicate.units import Unit


@dataclass(frozen=True, slots=True)
class Published:
    """What a publish needs of the current version's manifest: the paths it lists that the
    publish does not take over as they are (:attr:`Plan.carried`; every path when it takes
    none): what may be removed; and each subscription feed's sha256 (what WebSub says
    changed)."""

    paths: AbstractSet[str] = frozenset()
    feeds: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Plan:
    project: Project
    out: Path
    published: list[Statement]  # live at the publish's instant, in the outputs
    scheduled: list[Statement]  # dated or embargoed later
    units: tuple[Unit, ...]  # every unit of the published statements, with its key
    site_inputs: str  # the hash of the site-wide outputs' inputs besides the units (site_key)
    current: Path | None  # the current version of the output folder, if any
    index: CacheIndex  # its cache index (empty when it is not for that version)
    reusable: Mapping[str, list[Entry]]  # by unit key: the current version's files of it
    feeds_pending: bool  # the current version's websub.json names changed feeds
    # by unit key: its files in the current version, laid out as now but sealed otherwise
    # (see syndicate.seal.step): re-sealed, not laid out again
    resealable: Mapping[str, list[Entry]] = field(default_factory=dict)
    unsigned: bool = False  # sealing, and the current version's manifest has no signature
    # by unit key: the current version's files standing in for a laid-out unit that changed
    # (see deferring): linked, never recorded as the new key's
    stale: Mapping[str, list[Entry]] = field(default_factory=dict)
    previous: Published = Published()  # of the current version (its cache index's, read once)
    # by unit key: its files' records in the current cache index, as written, for the units
    # taken over with their lines of the current manifest (see syndicate.carry): parsed only
    # to link their files (no spare) or to read a communiqué's size
    carried: Mapping[str, bytes] = field(default_factory=dict)
    kept: Lines | None = None  # those lines, when there are carried units
    # the published statements in the order readers see them (see model.newest_first), sorted
    # once for the site-wide documents and their keys
    newest: NewestFirst = NewestFirst()
    # what the feed documents' and index pages' keys may take of the current version's
    since: Since = Since()
    others: bool = True  # whether the cache index has units that are not among ``units``

    @property
    def languages(self) -> int:
        """How many languages the published statements are in."""
        return len(set().union(*(s.languages for s in self.published)))

    @property
    def todo(self) -> list[Unit]:
        """The units to render."""
        return [unit for unit in self.units if unit.key not in self.reusable
                and unit.key not in self.carried and unit.key not in self.resealable
                and unit.key not in self.stale]

    @property
    def carried_paths(self) -> list[str]:
        """The paths of the carried units' files, sorted (none when none is carried)."""
        return self.kept.paths if self.kept else []

    def current_paths(self) -> set[str]:
        """Every path of the current version."""
        return set(self.previous.paths).union(self.carried_paths)

    @property
    def unchanged(self) -> bool:
        """Whether the current version is this publish's output already."""
        return (self.current is not None and not self.others
                and len(self.reusable) + len(self.carried) == len(self.units)
                and self.index.site == self.site_inputs and not self.feeds_pending
                and not self.unsigned)


def make(project: Project, out: Path, now: datetime, seal: str | None = None,
         verify: bool = True, index: CacheIndex | None = None) -> Plan:
    """The plan of a publish of ``project`` into ``out`` at ``now`` (with the publisher's lock
    held: the current version does not change meanwhile), its PDFs sealed with the seal of
    identity ``seal`` (None: not sealed). With ``verify``, each file a unit would take from the
    current version is checked (by size) first; without, the current version is trusted to be
    as its publish left it (the caller knows it is: see syndicate.inputs). ``index``: the
    current version's cache index, read already (see :func:`read_index`)."""
    live, scheduled = project.due(now)
    units = tuple(keyed_units(project, live))
    current = output.current_version(out)
    if index is None:
        index = read_index(out, current)
    found = reusable_units(index, current, units, verify)
    resealable = _resealable(index, units, found, seal)
    previous, kept = taken_over(index, current, found)
    reusable = {} if kept else {key: entries for key, record in found.items()
                                if (entries := carry.parsed(record)) is not None}
    carried = found if kept else {}
    # (each unit found, and as many in the index as units: the index has no other; a key
    # twice among the units is found once, so that they are not all reusable)
    others = len(index.units) != len(units)
    # The records of every file are in found and previous now: the rest of them goes (an
    # archive's index holds hundreds of thousands, which would stay in memory to the end).
    index = replace(index, units={}, others=None)
    newest = in_reading_order(live)
    since = Since(stamps(project, reading_order(newest)), index.stamps, index.documents,
                  _changed(units, reusable, carried))
    return Plan(project, out, live, scheduled, units, site_key(project), current,
                index, reusable, current is not None and not websub.no_pending_feeds(current),
                resealable, seal is not None and current is not None
                and not (current / MANIFEST_SIGNATURE).is_file(), previous=previous,
                carried=carried, kept=kept, newest=newest, since=since, others=others)


def _changed(units: tuple[Unit, ...], reusable: Mapping[str, object],
             carried: Mapping[str, object]) -> frozenset[tuple[str, str]]:
    """The translations (statement id and language) with a unit of :data:`keys.SHOWN_KINDS`
    that is not taken from the current version as it is (neither ``reusable`` nor ``carried``,
    by key): whose entries in the feeds and items on the index pages may show otherwise now
    (see :class:`keys.Since`)."""
    return frozenset((unit.statement.id, unit.lang) for unit in units
                     if unit.kind in SHOWN_KINDS and unit.key not in reusable
                     and unit.key not in carried)


def _resealable(index: CacheIndex, units: tuple[Unit, ...], found: dict[str, bytes],
                seal: str | None) -> dict[str, list[Entry]]:
    """The units of ``found`` laid out as now but sealed otherwise (see
    syndicate.seal.step), taken out of it: by key, their files."""
    resealable = {}
    for unit in units:
        if (unit.kind in SEALED_KINDS and unit.key in found
                and recorded_identity(index.seals.get(unit.key)) != seal):
            entries = carry.parsed(found.pop(unit.key))
            if entries is not None:
                resealable[unit.key] = entries
    return resealable


def taken_over(index: CacheIndex, current: Path | None,
               found: Mapping[str, bytes]) -> tuple[Published, Lines | None]:
    """The current version's :class:`Published`, and the lines of its manifest that the
    ``found`` units' files keep in the new one (None: the new one lists every file again)."""
    if current is None:
        return Published(), None
    listed = _listed_entries(index)
    replaced = _replaced(index, found, listed)
    if found and listed is not None and replaced is not None:
        lines = previous_lines(current, replaced, carry.count_entries(found.values()))
        if lines is not None:
            return Published(frozenset(replaced), _feeds(listed)), lines
    return published(current, index), None


def deferring(plan: Plan) -> Plan:
    """``plan`` with the laid-out units that changed (communiqués, editions, cards) left for
    later where the current version has their files: those stand in, so that the pages and
    feeds of a change are published at once (``serve``'s first publish of a change). A unit
    with no previous files (a new statement) is laid out as usual."""
    if plan.current is None:
        return plan
    current = {entry.path: entry for entry in manifest_files(plan.current)}
    stale = {}
    for unit in plan.todo:
        if KINDS[unit.kind].heavy:
            paths = KINDS[unit.kind].paths(plan.project.site, unit)
            if all(path in current for path in paths):
                stale[unit.key] = [current[path] for path in paths]
    return replace(plan, stale=stale)


def reusable_units(index: CacheIndex, current: Path | None, units: tuple[Unit, ...],
                   verify: bool = True) -> dict[str, bytes]:
    """The records of the units whose files the current version has, unchanged (with
    ``verify``: each is checked, by size; else the current version is trusted)."""
    found: dict[str, bytes] = {}
    if current is None:
        return found
    for unit in units:
        record = index.units.get(unit.key)
        if (record is not None and record != b"[]"  # (a unit has one file at least)
                and (not verify or _same_sizes(current, record))):
            found[unit.key] = record
    return found


def _same_sizes(current: Path, record: bytes) -> bool:
    entries = carry.parsed(record)
    if not entries:  # (a record that does not parse, or lists no file)
        return False
    return all(_same_size(current, entry) for entry in entries)


def _same_size(current: Path, entry: Entry) -> bool:
    try:
        return os.stat(f"{current}/{entry.path}").st_size == entry.size
    except OSError:
        return False


def _replaced(index: CacheIndex, found: Mapping[str, bytes],
              listed: list[Entry] | None) -> set[str] | None:
    """The paths of the current version that are not the ``found`` units' files, as the cache
    index lists them (``listed``: its documents' and others' entries); None unless each of
    their records is well formed."""
    if listed is None:
        return None
    paths = {entry.path for entry in listed}
    for key, record in index.units.items():
        if key not in found:
            entries = carry.parsed(record)
            if entries is None:
                return None
            paths.update(entry.path for entry in entries)
    return paths


def _listed_entries(index: CacheIndex) -> list[Entry] | None:
    """The entries of the site-wide documents and other files the cache index lists; None
    unless each is well formed (or when it has no list of the others)."""
    if not isinstance(index.others, list):
        return None
    records = [record.get("entry") if isinstance(record, dict) else None
               for record in index.documents.values()]
    entries = [Entry.from_json(record) for record in [*records, *index.others]]
    return None if None in entries else [e for e in entries if e is not None]


def _feeds(listed: list[Entry]) -> dict[str, str]:
    """Each subscription feed's sha256, from the cache index's ``listed`` entries (a feed is a
    site-wide document, never a unit's file)."""
    return {entry.path: entry.sha256 for entry in listed if entry.kind in websub.TOPIC_KINDS}


def reusable_documents(index: CacheIndex, current: Path | None,
                       keys: dict[str, str]) -> dict[str, Entry]:
    """The site-wide documents (feed documents, index pages, sitemaps) of the current version whose
    inputs are unchanged: by path, their manifest entries."""
    found: dict[str, Entry] = {}
    if current is None:
        return found
    for path, key in keys.items():
        record = index.documents.get(path)
        if not isinstance(record, dict) or record.get("key") != key:
            continue
        entry = Entry.from_json(record.get("entry"))
        if entry is not None and entry.path == path and _same_size(current, entry):
            found[path] = entry
    return found


def manifest_files(current: Path | None) -> list[Entry]:
    """The file entries of the current version's manifest (empty when it has none)."""
    if current is None:
        return []
    try:
        return list(read_files(current / MANIFEST))
    except (OSError, ValueError):
        return []


def published(current: Path | None, index: CacheIndex | None = None) -> Published:
    """The current version's :class:`Published`: from its cache ``index`` (read already, and
    for this very version) when that lists every file, even if the manifest was damaged since;
    else from its manifest, read a line at a time (an archive's manifest lists hundreds of
    thousands of files: their entries are never all in memory); empty when it has none, or
    one not well formed."""
    if current is None:
        return Published()
    if index is not None and (listed := _listed(index)) is not None:
        return listed
    paths: set[str] = set()
    feeds: dict[str, str] = {}
    try:
        for entry in read_files(current / MANIFEST):
            paths.add(entry.path)
            if entry.kind in websub.TOPIC_KINDS:
                feeds[entry.path] = entry.sha256
    except (OSError, ValueError):
        return Published()
    return Published(paths, feeds)


def _listed(index: CacheIndex) -> Published | None:
    """The :class:`Published` of a cache index that lists every file of its version (the
    units', the documents' and the others'); None unless each record is well formed."""
    listed = _listed_entries(index)
    if listed is None:
        return None
    paths = {entry.path for entry in listed}
    for record in index.units.values():
        entries = carry.parsed(record) if isinstance(record, bytes) else None
        if entries is None:
            return None
        paths.update(entry.path for entry in entries)
    return Published(paths, _feeds(listed))
