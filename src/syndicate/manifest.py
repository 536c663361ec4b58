"""The texts of a publish's records: ``manifest.json`` (here) and the cache index beside the
output (:mod:`syndicate.carry`).

Each file's entry is encoded once (:class:`EncodedEntries`) and written into both. An edit's
manifest is the current one's lines but those of the files that change, with the new files'
lines put in their places (:func:`previous_lines`, :func:`manifest_pieces`): the current
manifest is only taken when its sha256 is its version's name (see
:meth:`syndicate.staging.Staging.commit`), exactly as its publish wrote it, sorted by path.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import operator
import os
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from syndicate import __version__
from syndicate.files import open_regular, read_regular
from syndicate.model import Entry
from syndicate.output import MANIFEST

LINES_PER_PIECE = 1024  # of the manifest, written at once
KEPT_AT_MOST = 20_000  # entries whose texts EncodedEntries keeps (about 3,000 statements' files)
# The manifest's layout: these lines, then a file a line (indented), then the list's end.
_OPEN, _GENERATOR, _FILES = b"{\n", b'  "generator": ', b'  "files": [\n'
_LIST_END, _END = b"  ]\n", b"}\n"
_INDENT = b"    "
_FILE_START = _INDENT + b'{"path": "'  # (each file's line begins so)
_PATH_AT = len(_FILE_START)


class EncodedEntries:
    """Each file entry's JSON text in the manifest and in the cache index, made once: a
    publish makes them while it waits for its last documents (:meth:`prepare`), not after.
    Only the first :data:`KEPT_AT_MOST` are kept; the others' are made again each time a
    record writes them (a whole archive published again would otherwise hold its manifest's
    text in memory to the end: benchmarks/notes.md)."""

    def __init__(self) -> None:
        self._texts: dict[Entry, tuple[str, str]] = {}

    def prepare(self, entries: Iterable[Entry]) -> None:
        for entry in itertools.islice(entries, KEPT_AT_MOST - len(self._texts)):
            self._of(entry)

    def manifest(self, entry: Entry) -> str:
        return self._of(entry)[0]

    def index(self, entry: Entry) -> str:
        return self._of(entry)[1]

    def _of(self, entry: Entry) -> tuple[str, str]:
        texts = self._texts.get(entry)
        if texts is None:
            manifest = _entry_text(entry, _TEXT)  # (the same text in printable ASCII: once)
            same = manifest.isascii() and "\x7f" not in manifest  # (DEL: escaped in the index)
            texts = (manifest, manifest if same else _entry_text(entry, _ASCII_TEXT))
            if len(self._texts) < KEPT_AT_MOST:
                self._texts[entry] = texts
        return texts


_TEXT = json.encoder.encode_basestring  # the JSON encoders' own string writers (in C)
_ASCII_TEXT = json.encoder.encode_basestring_ascii


def _entry_text(entry: Entry, text: Callable[[str], str]) -> str:
    """``entry.as_json()`` as a JSON encoder writes it (``text``: its string writer), without
    the dictionary: an archive's publish writes hundreds of thousands of them."""
    lang = "null" if entry.lang is None else text(entry.lang)
    statement = "null" if entry.statement is None else text(entry.statement)
    return (f'{{"path": {text(entry.path)}, "kind": {text(entry.kind)}, "lang": {lang}, '
            f'"statement": {statement}, "size": {entry.size!r}, '
            f'"sha256": {text(entry.sha256)}}}')


@dataclass(frozen=True, slots=True)
class Lines:
    """The lines of the current manifest a publish keeps, each with a comma after it, in path
    order, and their paths."""

    lines: list[bytes]
    paths: list[str]


def manifest(entries: Iterable[Entry], encoded: EncodedEntries | None = None) -> bytes:
    """``manifest.json``: the generator, then one file per line, sorted by path.

    One line per entry keeps the file readable and diffable, read a line at a time
    (:func:`read_files`), and lets the C JSON encoder write it (``indent`` falls back to the
    pure-Python one, much slower: benchmarks/notes.md).
    """
    return b"".join(manifest_pieces(entries, encoded))


def manifest_pieces(entries: Iterable[Entry], encoded: EncodedEntries | None = None,
                    previous: Lines | None = None) -> Iterator[bytes]:
    """:func:`manifest`'s bytes in pieces of :data:`LINES_PER_PIECE` lines, as they are
    written (an archive's manifest is tens of megabytes, never all in memory); with the lines
    of the ``previous`` manifest that the new one keeps as they are (:func:`previous_lines`)."""
    text = (encoded or EncodedEntries()).manifest
    generator = json.dumps(f"syndicate {__version__}", ensure_ascii=False).encode()
    head = _OPEN + _GENERATOR + generator + b",\n" + _FILES
    if previous is not None and previous.lines:
        yield from _spliced(previous, list(entries), text, head)
        return
    files = sorted(entries, key=lambda e: e.path)
    if not files:
        yield _OPEN + _GENERATOR + generator + b',\n  "files": []\n' + _END
        return
    yield head
    for start in range(0, len(files), LINES_PER_PIECE):
        batch = files[start:start + LINES_PER_PIECE]
        last = start + len(batch) == len(files)
        yield ("".join(f"    {text(entry)},\n" for entry in batch[:-1])
               + f"    {text(batch[-1])}{'' if last else ','}\n").encode()
    yield _LIST_END + _END


def _spliced(previous: Lines, entries: Sequence[Entry], text: Callable[[Entry], str],
             head: bytes) -> Iterator[bytes]:
    """The manifest of ``previous``'s lines and ``entries``' (``text``: an entry's), in path
    order: ``head`` first, then :data:`LINES_PER_PIECE` lines at a time."""
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
    for first in range(0, len(lines), LINES_PER_PIECE):
        piece = b"\n".join(lines[first:first + LINES_PER_PIECE]) + b"\n"
        yield piece if first + LINES_PER_PIECE < len(lines) else piece[:-2] + b"\n"
    yield _LIST_END + _END


def previous_lines(current: Path, replaced: set[str], count: int) -> Lines | None:
    """The lines of the current version's manifest but those of the ``replaced`` paths, if it
    is as its publish wrote it, lists each of them and keeps ``count`` others; else None (the
    publish then lists every file again)."""
    try:
        data = read_regular(current / MANIFEST)
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest()[:16] != current.name[:16]:
        return None
    lines = data.split(b"\n")
    if (len(lines) < 6 or not data.startswith(_OPEN + _GENERATOR)
            or lines[2] + b"\n" != _FILES or not data.endswith(b"\n" + _LIST_END + _END)):
        return None
    files = lines[3:-3]
    if not files or not all(map(bytes.startswith, files, itertools.repeat(_FILE_START))):
        return None  # (a file a line, and one at least)
    files[-1] += b","  # (each then ends with its comma)
    try:
        paths = _paths(files)
    except (ValueError, KeyError, TypeError, RecursionError):  # (not as a publish writes it)
        return None
    if not all(map(operator.lt, paths, itertools.islice(paths, 1, None))):  # (in bulk)
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


def read_files(path: Path) -> Iterator[Entry]:
    """The file entries of the manifest at ``path``, a line at a time as :func:`manifest`
    writes them; one laid out otherwise (by hand, say) is parsed whole, from where the lines
    stopped making sense. Raises ValueError if one is not well formed, OSError if it cannot be
    read."""
    with os.fdopen(open_regular(path), "rb") as file:
        read = 0
        try:
            for entry in _by_line(file):
                read += 1
                yield entry
        except ValueError:
            file.seek(0)
            yield from _whole(file.read())[read:]  # (the same entries first, in order)


def _by_line(file: BinaryIO) -> Iterator[Entry]:
    """The entries of a manifest laid out as :func:`manifest` writes it; ValueError as soon as
    it is not (or is not JSON)."""
    head = [file.readline() for _ in range(3)]
    if head[0] != _OPEN or not head[1].startswith(_GENERATOR) or head[2] != _FILES:
        raise ValueError("not laid out one file per line")
    json.loads(b"{" + head[1].strip().removesuffix(b",") + b"}")  # (well formed too)
    previous = b""
    for line in file:
        if line == _LIST_END:
            if previous.endswith(b",\n"):
                raise ValueError("a comma after the last file")
            if file.read() != _END:
                raise ValueError("more than the manifest")
            return
        if previous and not previous.endswith(b",\n"):
            raise ValueError("no comma between two files")
        yield _entry(json.loads(line.strip().removesuffix(b",")))
        previous = line
    raise ValueError("the list of files does not end")


def _whole(data: bytes) -> list[Entry]:
    files = files_of(json.loads(data))
    if files is None:
        raise ValueError("a file entry is not well formed")
    return files


def _entry(value: object) -> Entry:
    entry = Entry.from_json(value)
    if entry is None:
        raise ValueError(f"not a file entry: {value!r:.80}")
    return entry


def files_of(document: object) -> list[Entry] | None:
    """The entries of a parsed ``manifest.json``; None unless every one is well formed."""
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, list):
        return None
    entries = [Entry.from_json(f) for f in files]
    return [e for e in entries if e is not None] if None not in entries else None
