"""The texts of a publish's records: ``manifest.json`` and the cache index beside the output.

Each file's entry is encoded once (:class:`EncodedEntries`) and written into both.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from syndicate import __version__, cache
from syndicate.carry import Lines, index_pieces, spliced_pieces
from syndicate.files import open_regular
from syndicate.model import Entry

_INDEX_ENCODER = json.JSONEncoder()  # json.dumps's, as cache.write_json writes
LINES_PER_PIECE = 1024  # of the manifest, written at once


class EncodedEntries:
    """Each file entry's JSON text in the manifest and in the cache index, made once: a
    publish makes them while it waits for its last documents (:meth:`prepare`), not after."""

    def __init__(self) -> None:
        self._texts: dict[Entry, tuple[str, str]] = {}

    def prepare(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
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
            index = manifest if same else _entry_text(entry, _ASCII_TEXT)
            texts = self._texts[entry] = (manifest, index)
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
    of the ``previous`` manifest that the new one keeps as they are (see :mod:`syndicate.carry`)."""
    text = (encoded or EncodedEntries()).manifest
    generator = json.dumps(f"syndicate {__version__}", ensure_ascii=False)
    if previous is not None and previous.lines:
        head = f'{{\n  "generator": {generator},\n  "files": [\n'.encode()
        yield from spliced_pieces(previous, list(entries), text, head, LINES_PER_PIECE)
        return
    files = sorted(entries, key=lambda e: e.path)
    if not files:
        yield f'{{\n  "generator": {generator},\n  "files": []\n}}\n'.encode()
        return
    yield f'{{\n  "generator": {generator},\n  "files": [\n'.encode()
    for start in range(0, len(files), LINES_PER_PIECE):
        batch = files[start:start + LINES_PER_PIECE]
        last = start + len(batch) == len(files)
        yield ("".join(f"    {text(entry)},\n" for entry in batch[:-1])
               + f"    {text(batch[-1])}{'' if last else ','}\n").encode()
    yield b"  ]\n}\n"


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
    if (head[0] != b"{\n" or not head[1].startswith(b'  "generator": ')
            or head[2] != b'  "files": [\n'):
        raise ValueError("not laid out one file per line")
    json.loads(b"{" + head[1].strip().removesuffix(b",") + b"}")  # (well formed too)
    previous = b""
    for line in file:
        if line == b"  ]\n":
            if previous.endswith(b",\n"):
                raise ValueError("a comma after the last file")
            if file.read() != b"}\n":
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


def index_json(version: str, site_inputs: str, units: Mapping[str, list[Entry] | bytes],
               documents: Mapping[str, object], encoded: EncodedEntries,
               others: Sequence[Entry] = (),
               seals: Mapping[str, object] | None = None) -> Iterator[bytes]:
    """The cache index beside the output folder: a JSON document, its units last and one per
    line (see :func:`carry.index_pieces`), with the file entries' texts from ``encoded`` and
    the records carried from the current index (``bytes``) as they were: in pieces of
    :data:`LINES_PER_PIECE` units, as they are written (an archive's index is tens of
    megabytes, never all in memory). ``others``: the version's files that are neither a
    unit's nor a document's (the index then lists every file). (Unit keys are hex digests:
    written as they are.)"""
    text = _INDEX_ENCODER.encode
    header = (f'{{"format": {text(cache.FORMAT)}, "version": {text(version)}, '
              f'"site": {text(site_inputs)}, "documents": {text(documents)}, '
              f'"others": [{", ".join(map(encoded.index, others))}]'
              + (f', "seals": {text(seals)}' if seals else ""))
    return index_pieces(header, units, encoded.index, LINES_PER_PIECE)
