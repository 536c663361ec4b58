"""The cache index beside the output (``.<out>.cache.json``), as text: one JSON document, its
units last and one per line (:func:`index_json`), read back with each unit's record as the text
it was written in (:func:`unit_records`).

An edit of one statement in an archive keeps hundreds of thousands of files. The units whose
key is unchanged are carried: their records are neither parsed nor encoded again, but copied
into the new index; their files' lines are those of the current manifest (see
:func:`syndicate.manifest.previous_lines`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import TypeVar, cast

from syndicate import cache, output
from syndicate.files import read_regular
from syndicate.manifest import LINES_PER_PIECE, EncodedEntries
from syndicate.model import Entry

T = TypeVar("T")
Steps = Generator[None, None, T]  # work in steps: its result once they are all taken
_INDEX_ENCODER = json.JSONEncoder()  # json.dumps's, as files.write_json writes
UNITS_START = ', "units": {'  # the cache index's first line ends so; then a unit per line
UNITS_END = "}}"


class Damaged(Exception):
    """A carried unit's record or file is not as the cache index says (a record that does not
    parse, a file gone from the current version): the publish plans again, checking each
    file it takes (see :func:`syndicate.plan.make`)."""


def count_entries(records: Iterable[bytes]) -> int:
    """How many file entries unit records hold (as the cache index writes them: an entry's
    text begins so, and a path's quotes are escaped)."""
    return sum(map(bytes.count, records, repeat(b'{"path": ')))


def unit_records(data: bytes) -> tuple[object, dict[str, bytes]] | None:
    """The cache index's first line parsed (all but its units), and each unit's record as
    the text it was written in, by key; None unless it is laid out as :func:`index_pieces`
    writes it."""
    return finish(unit_record_steps(data))


def unit_record_steps(data: bytes) -> Steps[tuple[object, dict[str, bytes]] | None]:
    """:func:`unit_records` in steps (each a few hundredths of a second at 16,000
    statements: 27 MB), which a publish takes while its scan runs (see
    :mod:`syndicate.read_ahead`)."""
    lines = data.split(b"\n")
    yield
    head = lines[0]
    if len(lines) < 2 or not head.endswith(UNITS_START.encode()) or lines[-1] != b"}}":
        return None
    try:
        header = json.loads(head[:-len(UNITS_START)] + b"}")
    except (ValueError, RecursionError):
        return None
    files = lines[1:-1]
    if not files:
        return header, {}
    yield
    files[-1] += b","  # (each then ends with its comma)
    # (each line a quoted key and a list, checked in bulk: an archive's index has a
    # hundred thousand)
    if not all(map(bytes.startswith, files, repeat(b'"'))):
        return None
    yield
    if not all(map(bytes.endswith, files, repeat(b"],"))):
        return None
    yield
    ends = [line.find(b'": [', 1) for line in files]
    if min(ends) < 0:
        return None
    yield
    records = [line[end + 3:-1] for line, end in zip(files, ends, strict=True)]
    yield
    keys = b"\n".join([line[1:end] for line, end in zip(files, ends, strict=True)])
    yield
    return header, dict(zip(keys.decode("ascii", "replace").split("\n"), records,
                            strict=True))


def finish(steps: Steps[T]) -> T:
    """What ``steps`` give once taken to their end."""
    while True:
        try:
            next(steps)
        except StopIteration as end:
            return cast(T, end.value)


def index_pieces(header: str, units: Mapping[str, list[Entry] | bytes],
                 text: Callable[[Entry], str], per_piece: int) -> Iterator[bytes]:
    """The cache index: ``header`` (its JSON object but the units, and without its closing
    brace), then one unit per line, the carried ones (``bytes``) as they were read:
    ``per_piece`` lines at a time."""
    yield (header + UNITS_START).encode("ascii")
    lines = [b'\n"' + key.encode("ascii") + b'": '
             + (entries if isinstance(entries, bytes)
                else f"[{', '.join(map(text, entries))}]".encode("ascii"))
             for key, entries in units.items()]
    for first in range(0, len(lines), per_piece):
        yield b",".join(lines[first:first + per_piece]) + (
            b"," if first + per_piece < len(lines) else b"")
    yield ("\n" + UNITS_END).encode("ascii")


def parsed_or_damaged(record: bytes) -> list[Entry]:
    """:func:`parsed`, raising :class:`Damaged` for a record that does not parse."""
    entries = parsed(record)
    if entries is None:
        raise Damaged("a unit's record in the cache index is not well formed")
    return entries


def parsed(record: bytes) -> list[Entry] | None:
    """A unit's files as its record lists them; None unless each is well formed."""
    try:
        value = json.loads(record)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    entries = [Entry.from_json(item) for item in value]
    return None if None in entries else [e for e in entries if e is not None]


@dataclass(frozen=True, slots=True)
class CacheIndex:
    """The cache index of the current version (see :func:`index_json`): the hash of
    the site-wide inputs, and by unit key (or feed document path) the files it made, as read:
    each record is checked when it is used (a carried unit's, by the count of the current
    manifest's lines it keeps, and when its files are linked or its sizes read: see
    syndicate.carry)."""

    site: object = None
    units: Mapping[str, bytes] = field(default_factory=dict)  # each record as written
    # by path: a site-wide document's key and entry (feed documents, index pages)
    documents: Mapping[str, object] = field(default_factory=dict)
    seals: Mapping[str, object] = field(default_factory=dict)  # see syndicate.seal.step
    others: object = None  # the entries of the version's other files (see published)
    # what its feed documents' and index pages' keys were made under (see keys.Since)
    stamps: Mapping[str, object] = field(default_factory=dict)


def read_index(out: Path, current: Path | None) -> CacheIndex:
    """The cache index of the current version (empty when it is not for that version)."""
    return finish(index_steps(out, current))


def index_steps(out: Path, current: Path | None) -> Steps[CacheIndex]:
    """:func:`read_index` in steps (the file read first: see :func:`unit_record_steps`)."""
    if current is None:
        return CacheIndex()
    try:
        data = read_regular(output.cache_path(output.absolute(out)))
    except OSError:
        return CacheIndex()
    yield
    read = yield from unit_record_steps(data)
    if read is None:
        return CacheIndex()
    document, units = read
    if (not isinstance(document, dict) or document.get("format") != cache.FORMAT
            or document.get("version") != current.name):
        return CacheIndex()
    seals, documents = document.get("seals"), document.get("documents")
    stamps = document.get("stamps")
    return CacheIndex(document.get("site"), units,
                      documents if isinstance(documents, dict) else {},
                      seals if isinstance(seals, dict) else {}, document.get("others"),
                      stamps if isinstance(stamps, dict) else {})


def index_json(version: str, site_inputs: str, units: Mapping[str, list[Entry] | bytes],
               documents: Mapping[str, object], encoded: EncodedEntries,
               others: Sequence[Entry] = (),
               fields: Mapping[str, Mapping[str, object]] | None = None) -> Iterator[bytes]:
    """The cache index beside the output folder: a JSON document, its units last and one per
    line (see :func:`index_pieces`), with the file entries' texts from ``encoded`` and
    the records carried from the current index (``bytes``) as they were: in pieces of
    :data:`LINES_PER_PIECE` units, as they are written (an archive's index is tens of
    megabytes, never all in memory). ``others``: the version's files that are neither a
    unit's nor a document's (the index then lists every file). ``fields``: the others of its
    header, each written unless empty (``seals``: see syndicate.seal.step; ``stamps``: see
    syndicate.keys.Since). (Unit keys are hex digests: written as they are.)"""
    text = _INDEX_ENCODER.encode
    header = (f'{{"format": {text(cache.FORMAT)}, "version": {text(version)}, '
              f'"site": {text(site_inputs)}, "documents": {text(documents)}, '
              f'"others": [{", ".join(map(encoded.index, others))}]'
              + "".join(f', {text(name)}: {text(value)}'
                        for name, value in (fields or {}).items() if value))
    return index_pieces(header, units, encoded.index, LINES_PER_PIECE)
