"""The records' texts (:mod:`syndicate.manifest`): each file's entry encoded once, the same
text in both records when it is ASCII, the cache index written in pieces as json.dumps would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from syndicate import cache
from syndicate.manifest import EncodedEntries, index_json, manifest
from syndicate.model import Entry

ASCII = Entry("en/a/index.html", "html", "en", "a", 12, "ab" * 32)
ACCENTED = Entry("pt/a/gráfico.png", "image", "pt", "a", 7, "cd" * 32)


def test_an_entry_is_encoded_as_each_record_writes_it_and_an_ascii_text_is_kept_once() -> None:
    encoded = EncodedEntries()
    assert encoded.manifest(ACCENTED) == json.dumps(ACCENTED.as_json(), ensure_ascii=False)
    assert encoded.index(ACCENTED) == json.dumps(ACCENTED.as_json())
    assert "gráfico" in encoded.manifest(ACCENTED) and "gr\\u00e1fico" in encoded.index(ACCENTED)
    assert encoded.index(ASCII) == json.dumps(ASCII.as_json())
    assert encoded.index(ASCII) is encoded.manifest(ASCII)
    assert json.loads(manifest([ACCENTED, ASCII], encoded))["files"] == [
        ASCII.as_json(), ACCENTED.as_json()]


def test_the_cache_index_is_written_in_pieces_as_json_dumps_writes_it(tmp_path: Path) -> None:
    units = {"k1": [ASCII, ACCENTED], "k2": [], "k3": [ACCENTED]}
    documents = {"en/feed.atom": {"key": "f", "entry": ASCII.as_json()}}
    seals = {"k1": {"mode": "pades"}}
    for sealed in (None, seals):
        path = tmp_path / f"index-{bool(sealed)}.json"
        pieces = list(index_json("v1", "site", units, documents, EncodedEntries(), sealed))
        assert len(pieces) == len(units) + 2  # one per unit: never the whole text at once
        assert cache.write_json_text(path, iter(pieces))
        expected = {"format": cache.FORMAT, "version": "v1", "site": "site",
                    "units": {key: [e.as_json() for e in entries]
                              for key, entries in units.items()},
                    "documents": documents, **({"seals": sealed} if sealed else {})}
        assert path.read_text(encoding="ascii") == json.dumps(expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index-False.json", "index-True.json"]


def test_an_index_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    def pieces() -> Iterator[str]:
        yield '{"format": '
        raise OSError("disk full")

    assert not cache.write_json_text(tmp_path / "index.json", pieces())
    assert list(tmp_path.iterdir()) == []
