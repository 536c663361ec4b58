"""The records' texts (:mod:`syndicate.manifest`, :mod:`syndicate.carry`): each file's entry
encoded once, the same text in both records when it is ASCII; the cache index written in pieces,
a unit a line; the manifest spliced from the current one's lines as a full listing writes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicate import __version__, cache, carry, files
from syndicate import plan as plans
from syndicate.manifest import (
    LINES_PER_PIECE,
    EncodedEntries,
    manifest,
    manifest_pieces,
    previous_lines,
    read_files,
)
from syndicate.model import Entry

ASCII = Entry("en/a/index.html", "html", "en", "a", 12, "ab" * 32)
ACCENTED = Entry("pt/a/gráfico.png", "image", "pt", "a", 7, "cd" * 32)

# Timing is not what these properties check: on a busy machine one example can pass the
# default 200 ms deadline.
untimed = settings(deadline=None)


def test_an_entry_is_encoded_as_each_record_writes_it_and_an_ascii_text_is_kept_once() -> None:
    encoded = EncodedEntries()
    assert encoded.manifest(ACCENTED) == json.dumps(ACCENTED.as_json(), ensure_ascii=False)
    assert encoded.index(ACCENTED) == json.dumps(ACCENTED.as_json())
    assert "gráfico" in encoded.manifest(ACCENTED) and "gr\\u00e1fico" in encoded.index(ACCENTED)
    assert encoded.index(ASCII) == json.dumps(ASCII.as_json())
    assert encoded.index(ASCII) is encoded.manifest(ASCII)
    assert json.loads(manifest([ACCENTED, ASCII], encoded))["files"] == [
        ASCII.as_json(), ACCENTED.as_json()]


def test_past_the_kept_texts_each_record_still_gets_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A publish of more files than EncodedEntries keeps the texts of writes the same records:
    the texts of the files past them are made again each time a record writes them, and not
    kept."""
    from syndicate import manifest as records

    entries = [Entry(f"en/s{i}/gráfico.png" if i % 2 else f"en/s{i}/index.html", "image", "en",
                     f"s{i}", i, f"{i:064x}") for i in range(6)]
    full = EncodedEntries()
    full.prepare(entries)
    monkeypatch.setattr(records, "KEPT_AT_MOST", 2)
    capped = EncodedEntries()
    capped.prepare(entries)
    assert len(capped._texts) == 2 and len(full._texts) == 6
    assert manifest(entries, capped) == manifest(entries, full)
    assert [capped.index(e) for e in entries] == [full.index(e) for e in entries]
    assert [capped.index(e) for e in entries] == [json.dumps(e.as_json()) for e in entries]
    assert len(capped._texts) == 2


@untimed
@given(st.builds(Entry, st.text(), st.text(), st.none() | st.text(), st.none() | st.text(),
                 st.integers(min_value=0), st.text()))
@example(Entry('a "b"\\\x7f\x00\u2028\udcff.png', "image", None, "s", 2**70, "ff"))
def test_an_entry_is_written_as_json_dumps_writes_it(entry: Entry) -> None:
    """Each record's text of an entry is built without a dictionary, byte for byte as the
    JSON encoders write ``as_json()`` (quotes, controls, DEL, lone surrogates, big sizes)."""
    encoded = EncodedEntries()
    assert encoded.manifest(entry) == json.dumps(entry.as_json(), ensure_ascii=False)
    assert encoded.index(entry) == json.dumps(entry.as_json())


@untimed
@given(st.binary(max_size=64) | st.builds(lambda n, tail: b"x" * n + b"\n" + tail,
                                         st.integers(0, 9000), st.binary(max_size=16)),
       st.integers(1, 5000))
def test_a_cache_entrys_first_line_is_read_alone(content: bytes, guess: int) -> None:
    """(A statement cache entry's words, on its second line, are not read with it.)"""
    import tempfile

    from syndicate.files import read_first_line

    with tempfile.NamedTemporaryFile() as file:
        file.write(content)
        file.flush()
        line = read_first_line(file.name, guess)
    assert line == content.partition(b"\n")[0] + (b"\n" if b"\n" in content else b"")


def test_the_cache_index_is_written_in_pieces_one_unit_per_line(tmp_path: Path) -> None:
    carried = json.dumps([ASCII.as_json()]).encode()  # (a record taken as it was read)
    units: dict[str, list[Entry] | bytes] = {
        "k1": [ASCII, ACCENTED], "k2": [], "k3": [ACCENTED], "k4": carried}
    documents = {"en/feed.atom": {"key": "f", "entry": ASCII.as_json()}}
    seals = {"k1": {"mode": "pades"}}
    stamps = {"feeds": "f", "index": "i"}
    for number, fields in enumerate([None, {"seals": seals}, {"seals": {}, "stamps": stamps}]):
        path = tmp_path / f"index-{number}.json"
        pieces = list(carry.index_json("v1", "site", units, documents, EncodedEntries(),
                                       [ACCENTED], fields))
        assert len(pieces) == 3  # (units in pieces: never the whole text at once)
        assert files.write_json_text(path, iter(pieces))
        header = {"format": cache.FORMAT, "version": "v1", "site": "site",
                  "documents": documents, "others": [ACCENTED.as_json()],
                  **{name: value for name, value in (fields or {}).items() if value}}
        records = {key: json.loads(entries) if isinstance(entries, bytes)
                   else [e.as_json() for e in entries] for key, entries in units.items()}
        text = path.read_text(encoding="ascii")
        assert json.loads(text) == {**header, "units": records}
        assert text.split("\n") == [
            json.dumps(header)[:-1] + ', "units": {',
            *(f"{json.dumps(key)}: {json.dumps(record)}{',' if key != 'k4' else ''}"
              for key, record in records.items()), "}}"]
        read = carry.unit_records(path.read_bytes())
        assert read is not None and read[0] == header and read[1]["k4"] == carried
        assert {key: json.loads(record) for key, record in read[1].items()} == records
    for damaged in (b"", b"{}", text.replace("}}", "}").encode(),
                    text.replace('"k2": [],', '"k2" [],').encode(),
                    text.replace('\n"k2"', '\n k2"').encode(),  # (a line not a quoted key)
                    text.replace('"k2": [],', '"k2": []').encode(),  # (no comma after it)
                    text.replace('"k2": [],', '"k2": [] ,').encode(),
                    text.replace("\n}}", ",\n}}").encode()):  # (a comma after the last)
        assert carry.unit_records(damaged) is None, damaged


def test_a_cache_index_of_the_older_layout_is_not_used(tmp_path: Path) -> None:
    out, current = tmp_path / "dist", tmp_path / "v1"
    current.mkdir()
    files.write_json(tmp_path / ".dist.cache.json", {
        "format": cache.FORMAT, "version": "v1", "site": "site",
        "units": {"k1": [ASCII.as_json()]}, "documents": {}, "others": []})
    assert plans.read_index(out, current) == plans.CacheIndex()


paths = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12)


@untimed
@given(st.lists(paths, unique=True, max_size=40), st.data())
@example(['a"b', "a\\b", "a\x01b", "ab", "gráfico", "a\u2028"], None)
def test_a_manifest_spliced_from_the_current_ones_lines_is_the_manifest(
        names: list[str], data: st.DataObject | None) -> None:
    """The lines of the files kept, the new files' put in their places: byte for byte the
    manifest of all the files (quotes, escapes, accents; a replaced file, a removed one)."""
    import hashlib
    import tempfile

    def entry(name: str, size: int) -> Entry:
        return Entry(name, "html", "en", None, size, f"{size:064x}")

    old = [entry(name, 1) for name in names]
    if data is None:
        replaced, added = set(names[::2]), [entry(name, 2) for name in names[::4]] + [
            entry("zz-new", 3), entry("0-new", 3)]
    else:
        replaced = set(data.draw(st.lists(st.sampled_from(names), unique=True))
                       if names else [])
        added = [entry(name, 2) for name in data.draw(st.lists(paths, unique=True))
                 if name not in set(names) - replaced]
    kept = [e for e in old if e.path not in replaced]
    written = manifest(old)
    with tempfile.TemporaryDirectory() as folder:
        current = Path(folder) / hashlib.sha256(written).hexdigest()[:16]
        current.mkdir()
        (current / "manifest.json").write_bytes(written)
        lines = previous_lines(current, replaced, len(kept))
        assert previous_lines(current, replaced, len(kept) + 1) is None
        if replaced:
            assert previous_lines(current, replaced | {"elsewhere"}, len(kept)) is None
    if not old:
        assert lines is None  # (an empty manifest has no lines to keep)
        return
    assert lines is not None and lines.paths == sorted(e.path for e in kept)
    spliced = b"".join(manifest_pieces(reversed(added), previous=lines))
    assert spliced == manifest([*kept, *added])


def test_a_manifest_whose_lines_are_out_of_order_or_not_a_file_each_is_not_spliced(
        tmp_path: Path) -> None:
    """(Its paths are bisected: a manifest not sorted, or with a path twice, or a line that
    is not one file's as a publish writes it, is listed again in full.)"""
    import hashlib

    lines = manifest(entries(5)).split(b"\n")
    files = lines[3:8]
    assert all(line.startswith(b'    {"path": "') for line in files)
    swapped = [files[1], files[0], *files[2:]]
    twice = [files[0], files[0], *files[1:]]
    indented = [b"  " + files[0].lstrip(), *files[1:]]
    for why, changed in {"swapped": swapped, "twice": twice, "indented": indented}.items():
        body = [line.removesuffix(b",") for line in changed]  # (each line's comma as written)
        data = b"\n".join([*lines[:3], *(line + b"," for line in body[:-1]), body[-1],
                            *lines[8:]])
        current = tmp_path / hashlib.sha256(data).hexdigest()[:16]
        current.mkdir()
        (current / "manifest.json").write_bytes(data)
        assert previous_lines(current, set(), len(changed)) is None, why
    empty = b"\n".join([*lines[:3], *lines[-3:]])  # (no file at all)
    current = tmp_path / hashlib.sha256(empty).hexdigest()[:16]
    current.mkdir()
    (current / "manifest.json").write_bytes(empty)
    assert previous_lines(current, set(), 0) is None
    right = b"\n".join(lines)
    current = tmp_path / hashlib.sha256(right).hexdigest()[:16]
    current.mkdir()
    (current / "manifest.json").write_bytes(right)
    assert previous_lines(current, set(), 5) is not None  # (the same, in order: spliced)


def test_a_manifest_whose_sha256_is_not_its_versions_name_is_not_spliced(
        tmp_path: Path) -> None:
    files = entries(5)
    written = manifest(files)
    import hashlib

    right = tmp_path / hashlib.sha256(written).hexdigest()[:16]
    right.mkdir()
    (right / "manifest.json").write_bytes(written)
    assert previous_lines(right, set(), 5) is not None
    wrong = tmp_path / "0123456789abcdef"
    wrong.mkdir()
    (wrong / "manifest.json").write_bytes(written)
    assert previous_lines(wrong, set(), 5) is None
    (right / "manifest.json").write_bytes(written.replace(b'"size": 1,', b'"size": 9,'))
    assert previous_lines(right, set(), 5) is None


def test_an_index_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    def pieces() -> Iterator[str]:
        yield '{"format": '
        raise OSError("disk full")

    assert not files.write_json_text(tmp_path / "index.json", pieces())
    assert list(tmp_path.iterdir()) == []


def entries(count: int) -> list[Entry]:
    kinds = ["html", "rss", "pdf", "atom"]
    return [Entry(f"{'pt' if n % 2 else 'en'}/s{n:05}/f{n}.{kinds[n % 4]}", kinds[n % 4],
                  "pt" if n % 2 else "en", f"s{n:05}", n, f"{n:064x}") for n in range(count)]


def as_written_whole(files: list[Entry]) -> bytes:
    """The manifest as it was written whole, one entry per line (before it was in pieces)."""
    generator = json.dumps(f"syndicate {__version__}", ensure_ascii=False)
    lines = ",\n    ".join(json.dumps(e.as_json(), ensure_ascii=False)
                           for e in sorted(files, key=lambda e: e.path))
    body = f"[\n    {lines}\n  ]" if files else "[]"
    return f'{{\n  "generator": {generator},\n  "files": {body}\n}}\n'.encode()


def test_the_manifest_in_pieces_is_the_manifest_and_reads_back_a_line_at_a_time(
        tmp_path: Path) -> None:
    for count in (0, 1, LINES_PER_PIECE, LINES_PER_PIECE + 1, 2 * LINES_PER_PIECE + 5):
        files = [*entries(count), *([ACCENTED] if count else [])]
        pieces = list(manifest_pieces(reversed(files)))
        assert b"".join(pieces) == manifest(files) == as_written_whole(files)
        assert len(pieces) <= 3 + count // LINES_PER_PIECE
        path = tmp_path / f"manifest-{count}.json"
        path.write_bytes(b"".join(pieces))
        assert list(read_files(path)) == sorted(files, key=lambda e: e.path)
        assert json.loads(path.read_bytes())["files"] == [
            e.as_json() for e in sorted(files, key=lambda e: e.path)]


def test_a_manifest_laid_out_otherwise_is_read_whole_and_a_damaged_one_is_refused(
        tmp_path: Path) -> None:
    files = entries(5)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"generator": "x", "files": [e.as_json() for e in files]},
                               indent=1), encoding="utf-8")
    assert list(read_files(path)) == files
    written = manifest(files)
    lines = written.splitlines(keepends=True)
    damaged = {
        "an entry without its sha256": written.replace(b', "sha256": "' + b"0" * 64 + b'"', b""),
        "an entry cut short": b"".join([*lines[:5], lines[5][:40] + b"\n", *lines[6:]]),
        "no end to the list": b"".join(lines[:-2]),
        "something after it": written + b"[]\n",
        "a line that is not JSON": b"".join([*lines[:4], b"    {oops},\n", *lines[4:]]),
    }
    for why, data in damaged.items():
        path.write_bytes(data)
        with pytest.raises(ValueError):
            list(read_files(path))
        assert plans.published(tmp_path) == plans.Published(), why


def test_what_a_publish_keeps_of_the_current_manifest_is_its_paths_and_feed_checksums(
        tmp_path: Path) -> None:
    files = entries(3000)
    (tmp_path / "manifest.json").write_bytes(manifest(files))
    found = plans.published(tmp_path)
    assert found.paths == {e.path for e in files}
    assert found.feeds == {e.path: e.sha256 for e in files if e.kind in ("rss", "atom")}
    assert plans.published(None) == plans.published(tmp_path / "gone") == plans.Published()


def test_a_manifest_named_by_its_sha256_but_not_as_a_publish_writes_it_is_not_spliced(
        tmp_path: Path) -> None:
    """(A hostile project can ship a version folder named after its own manifest's hash.)"""
    import hashlib

    written = manifest(entries(3))
    lines = written.split(b"\n")
    for bad in (b'    {"path": "a\\u12", "kind": "x"},', b'    {"path": "a\\" 1},',
                b'    {"path": "\xff\xfe", "kind": "x"},', b'    {"path": 7},'):
        data = b"\n".join([*lines[:4], bad, *lines[4:]])
        current = tmp_path / hashlib.sha256(data).hexdigest()[:16]
        current.mkdir()
        (current / "manifest.json").write_bytes(data)
        assert previous_lines(current, set(), 4) is None, bad


def test_a_unit_with_no_files_is_never_reused(tmp_path: Path) -> None:
    from syndicate.units import Unit

    unit = Unit("page", None, "en", "k1")  # type: ignore[arg-type]
    index = plans.CacheIndex("site", {"k1": b"[]"})
    for verify in (True, False):
        assert plans.reusable_units(index, tmp_path, (unit,), verify) == {}
