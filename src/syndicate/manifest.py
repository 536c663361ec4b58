"""The texts of a publish's records: ``manifest.json`` and the cache index beside the output.

Each file's entry is encoded once (:class:`EncodedEntries`) and written into both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from syndicate import __version__, cache

_ENTRY_ENCODER = json.JSONEncoder(ensure_ascii=False)  # one, not one per json.dumps call
_INDEX_ENCODER = json.JSONEncoder()  # json.dumps's, as cache.write_json writes


class EncodedEntries:
    """Each file entry's JSON text in the manifest and in the cache index, made once: a
    publish makes them while it waits for its last documents (:meth:`prepare`), not after.

    Entries are never changed once made (the staging folder and the cache index share them).
    """

    def __init__(self) -> None:
        self._texts: dict[int, tuple[dict[str, object], str, str]] = {}

    def prepare(self, entries: Iterable[dict[str, object]]) -> None:
        for entry in entries:
            self._of(entry)

    def manifest(self, entry: dict[str, object]) -> str:
        return self._of(entry)[1]

    def index(self, entry: dict[str, object]) -> str:
        return self._of(entry)[2]

    def _of(self, entry: dict[str, object]) -> tuple[dict[str, object], str, str]:
        texts = self._texts.get(id(entry))
        if texts is None or texts[0] is not entry:  # (an id is unique while its entry lives)
            texts = (entry, _ENTRY_ENCODER.encode(entry), _INDEX_ENCODER.encode(entry))
            self._texts[id(entry)] = texts
        return texts


def manifest(entries: Iterable[dict[str, object]],
             encoded: EncodedEntries | None = None) -> bytes:
    """``manifest.json``: the generator, then one file per line, sorted by path.

    One line per entry keeps the file readable and diffable, and lets the C JSON encoder write
    it (``indent`` falls back to the pure-Python one, much slower: benchmarks/notes.md).
    """
    files = sorted(entries, key=lambda e: str(e["path"]))
    lines = ",\n    ".join(map((encoded or EncodedEntries()).manifest, files))
    generator = json.dumps(f"syndicate {__version__}", ensure_ascii=False)
    body = f"[\n    {lines}\n  ]" if files else "[]"
    return f'{{\n  "generator": {generator},\n  "files": {body}\n}}\n'.encode()


def index_json(version: str, site_inputs: str, units: Mapping[str, list[dict[str, object]]],
               feeds: Mapping[str, object], encoded: EncodedEntries) -> str:
    """The cache index beside the output folder, as ``json.dumps`` writes it, with the file
    entries' texts from ``encoded``."""
    text = _INDEX_ENCODER.encode
    body = ", ".join(f"{text(key)}: [{', '.join(map(encoded.index, entries))}]"
                     for key, entries in units.items())
    return (f'{{"format": {text(cache.FORMAT)}, "version": {text(version)}, '
            f'"site": {text(site_inputs)}, "units": {{{body}}}, "feeds": {text(feeds)}}}')
