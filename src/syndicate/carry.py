"""The current version's files a publish takes over as they are: as their lines of text.

An edit of one statement in an archive keeps hundreds of thousands of files. Their records are
neither parsed nor encoded again: the cache index gives each unit's record as the text it was
written in (:func:`unit_records`), and the new version's ``manifest.json`` is the current one's
lines, but those of the files that change, with the new files' lines put in their places
(:func:`previous_lines`, :func:`spliced_pieces`). The current manifest is only taken when its
sha256 is its version's name (see :meth:`syndicate.staging.Staging.commit`): it is then exactly
the one that publish wrote, sorted by path.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from syndicate.files import read_regular
from syndicate.model import Entry

_HEAD = (b"{", b'  "generator": ', b'  "files": [')  # the lines before the files'
_TAIL = [b"  ]", b"}", b""]  # and after them (the file ends with a newline)
_INDENT = b"    "
_PATH_AT = len(b'    {"path": "')
UNITS_START = ', "units": {'  # the cache index's first line ends so; then a unit per line
UNITS_END = "}}"


class Damaged(Exception):
    """A carried unit's record or file is not as the cache index says (a record that does not
    parse, a file gone from the current version): the publish plans again, checking each
    file it takes (see :func:`syndicate.plan.make`)."""


@dataclass(frozen=True, slots=True)
class Lines:
    """The lines of the current manifest a publish keeps, each with a comma after it, in path
    order, and their paths."""

    lines: list[bytes]
    paths: list[str]


def previous_lines(current: Path, replaced: set[str], count: int) -> Lines | None:
    """The lines of the current version's manifest but those of the ``replaced`` paths, if it
    is as its publish wrote it, lists each of them and keeps ``count`` others; else None (the
    publish then lists every file again)."""
    try:
        data = read_regular(current / "manifest.json")
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest()[:16] != current.name[:16]:
        return None
    lines = data.split(b"\n")
    if (len(lines) < 6 or lines[0] != _HEAD[0] or not lines[1].startswith(_HEAD[1])
            or lines[2] != _HEAD[2] or lines[-3:] != _TAIL):
        return None
    files = lines[3:-3]
    if data.count(b'\n    {"path": "') != len(files):  # (one file a line, as written)
        return None
    files[-1] += b","  # (each then ends with its comma)
    try:
        paths = _paths(files)
    except (ValueError, KeyError, TypeError, RecursionError):  # (not as a publish writes it)
        return None
    if any(later <= earlier for earlier, later in zip(paths, paths[1:], strict=False)):
        return None
    kept = _without(files, paths, replaced)
    return kept if kept is not None and len(kept.lines) == count else None


def _paths(lines: list[bytes]) -> list[str]:
    """The paths of manifest lines (in bulk: an archive's manifest has hundreds of thousands)."""
    texts = b"\n".join([line[_PATH_AT:line.find(b'"', _PATH_AT)] for line in lines])
    if b"\\" in texts:  # (an escape in a path: each is parsed)
        return [line_path(line) for line in lines]
    return texts.decode().split("\n")


def _without(lines: list[bytes], paths: list[str], replaced: set[str]) -> Lines | None:
    """``lines`` (sorted by their ``paths``) but those of the ``replaced`` paths; None unless
    each of those is there."""
    kept, kept_paths = [], []
    start = 0
    for path in sorted(replaced):
        at = bisect_left(paths, path, lo=start)
        if at == len(paths) or paths[at] != path:
            return None
        kept += lines[start:at]
        kept_paths += paths[start:at]
        start = at + 1
    kept += lines[start:]
    kept_paths += paths[start:]
    return Lines(kept, kept_paths)


def line_path(line: bytes) -> str:
    """The path of a manifest's file line (its JSON text is parsed only when it has an escape).

    >>> line_path(b'    {"path": "en/a b/index.html", "kind": "html"},')
    'en/a b/index.html'
    >>> line_path(b'    {"path": "en/\\\\"q\\\\"/x", "kind": "html"}')
    'en/"q"/x'
    """
    end = line.find(b'"', _PATH_AT)
    text = line[_PATH_AT:end]
    if b"\\" not in text:
        return text.decode()
    path = json.loads(line.strip().removesuffix(b","))["path"]
    if not isinstance(path, str):
        raise TypeError("a manifest line's path is text")
    return path


def count_entries(records: Iterable[bytes]) -> int:
    """How many file entries unit records hold (as the cache index writes them: an entry's
    text begins so, and a path's quotes are escaped)."""
    return sum(record.count(b'{"path": ') for record in records)


def spliced_pieces(previous: Lines, entries: Sequence[Entry], text: Callable[[Entry], str],
                   head: bytes, per_piece: int) -> Iterator[bytes]:
    """The manifest of ``previous``'s lines and ``entries``' (``text``: an entry's), in path
    order: ``head`` first, then ``per_piece`` lines at a time."""
    files = sorted(entries, key=lambda e: e.path)
    lines: list[bytes] = []
    start = 0
    for entry in files:
        at = bisect_left(previous.paths, entry.path, lo=start)
        lines.extend(previous.lines[start:at])
        lines.append(_INDENT + text(entry).encode() + b",")
        start = at
    lines.extend(previous.lines[start:])
    yield head
    for first in range(0, len(lines), per_piece):
        piece = b"\n".join(lines[first:first + per_piece]) + b"\n"
        yield piece if first + per_piece < len(lines) else piece[:-2] + b"\n"
    yield b"  ]\n}\n"


def unit_records(data: bytes) -> tuple[object, dict[str, bytes]] | None:
    """The cache index's first line parsed (all but its units), and each unit's record as
    the text it was written in, by key; None unless it is laid out as :func:`index_pieces`
    writes it."""
    lines = data.split(b"\n")
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
    files[-1] += b","  # (each then ends with its comma)
    # (each line a quoted key and a list, counted in bulk: an archive's index has a
    # hundred thousand)
    if (data.count(b'\n"') != len(files) or data.count(b"],\n") != len(files) - 1
            or not files[-1].endswith(b"],")):
        return None
    ends = [line.find(b'": [', 1) for line in files]
    if min(ends) < 0:
        return None
    records = [line[end + 3:-1] for line, end in zip(files, ends, strict=True)]
    keys = b"\n".join([line[1:end] for line, end in zip(files, ends, strict=True)])
    return header, dict(zip(keys.decode("ascii", "replace").split("\n"), records,
                            strict=True))


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
