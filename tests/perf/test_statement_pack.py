"""The statement cache's pack (syndicate.statement_pack): one file holding the first line of
every entry, read forward by a load. Whatever it holds, a load gives the statements a load
without any cache gives; a publish's load writes it when it is missing or out of date, and
an edit does not. All of it holds as well when the pack was read ahead of the load, whole or
in part (syndicate.read_ahead: a publish does that while its scan runs in another process)."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import SHIPPED_ID
from syndicate import publish as pipeline
from syndicate import statement_pack
from syndicate.cache import CACHE_DIR, Known
from syndicate.errors import ContentError
from syndicate.keys import keyed_units
from syndicate.project import Project
from syndicate.read_ahead import read_ahead
from syndicate.statement_pack import PACK, slack

COPIES = 24  # statements besides the shipped one: more than a pack may miss at that size
# How a publish's load finds the pack: not read yet, read ahead whole, or up to its third line
AHEAD: dict[str, Callable[[], Callable[[], bool]] | None] = {"until": None}


@pytest.fixture(autouse=True, params=["not read ahead", "read ahead", "read ahead in part"])
def reading_ahead(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statement_pack, "AHEAD_ASKS", 1)  # (asked whether to stop at each line)
    monkeypatch.setitem(AHEAD, "until", {
        "not read ahead": None,
        "read ahead": lambda: lambda: False,
        "read ahead in part": lambda: _after(3),
    }[request.param])


def _after(lines: int) -> Callable[[], bool]:
    asked = itertools.count()
    return lambda: next(asked) >= lines


@pytest.fixture
def archive(project: Path) -> Path:
    for number in range(1, COPIES + 1):
        shutil.copytree(project / "statements" / SHIPPED_ID,
                        project / "statements" / f"2023-01-{number:02d}-copy")
    return project


def pack_of(project: Path) -> Path:
    return project / CACHE_DIR / "statements" / PACK


def publish_load(project: Path) -> list[str]:
    """A publish's load (it writes the pack): the statements' reprs, words read in."""
    until = AHEAD["until"]
    ahead = read_ahead(project, None, None, until()) if until is not None else None
    try:
        loaded = pipeline.load(project, cache=Known(), ahead=ahead)
    finally:
        if ahead is not None:
            ahead.reader.close()
    return [repr(s.in_memory()) for s in loaded.statements]


def fresh(project: Path) -> list[str]:
    return [repr(s) for s in pipeline.load(project).statements]


def edit(project: Path, statement_id: str) -> None:
    path = project / "statements" / statement_id / "en.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


def test_a_load_takes_each_statement_from_the_pack(archive: Path) -> None:
    assert publish_load(archive) == fresh(archive)
    lines = pack_of(archive).read_bytes().splitlines()
    assert len(lines) == 1 + COPIES + 1  # its format and context, then a line per folder
    names = [line.split(b"\t")[0] for line in lines[1:]]
    assert names == sorted(names)
    # Each entry's own first line damaged: the load does not read it, the pack answers (a
    # damaged entry read would be parsed again, and written again).
    damaged = spoil_entries(archive, b"{")
    assert publish_load(archive) == fresh(archive)
    assert [repr(s.in_memory()) for s in pipeline.check(archive).statements] == fresh(archive)
    assert entries(archive) == damaged


def entries(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (project / CACHE_DIR / "statements").glob("*.json")}


def spoil_entries(project: Path, start: bytes) -> dict[str, bytes]:
    """Each entry's first line made invalid JSON (of the same length), its words kept."""
    for entry in (project / CACHE_DIR / "statements").glob("*.json"):
        first, words = entry.read_bytes().split(b"\n", 1)
        entry.write_bytes(start + b" " * (len(first) - 1) + b"\n" + words)
    return entries(project)


def test_an_edit_does_not_write_the_pack_again_and_many_do(archive: Path) -> None:
    publish_load(archive)
    before = os.stat(pack_of(archive)).st_ino
    edit(archive, "2023-01-05-copy")
    shutil.rmtree(archive / "statements" / "2023-01-06-copy")
    assert publish_load(archive) == fresh(archive)
    assert os.stat(pack_of(archive)).st_ino == before  # (two lines out of date: within slack)
    assert slack(COPIES) < COPIES - 2
    for number in range(7, COPIES + 1):
        edit(archive, f"2023-01-{number:02d}-copy")
    assert publish_load(archive) == fresh(archive)
    assert os.stat(pack_of(archive)).st_ino != before
    lines = pack_of(archive).read_bytes().splitlines()
    assert len(lines) == 1 + COPIES  # (one folder removed)
    # Written again from the lines of the old pack and the new entries: a load from it alone.
    damaged = spoil_entries(archive, b"[")
    assert publish_load(archive) == fresh(archive)
    assert entries(archive) == damaged


@pytest.mark.parametrize("damage", [
    lambda lines: [lines[0], b"junk", *lines[1:]],
    lambda lines: [lines[0], *reversed(lines[1:])],  # out of order
    lambda lines: [lines[0], *lines[1:4], lines[2], *lines[4:]],  # a line twice
    lambda lines: [lines[0], lines[1] + b"x" * (1 << 20), *lines[2:]],  # too long
    lambda lines: [lines[0], lines[1][:-9], *lines[2:]],  # a line cut short
    lambda lines: [b"syndicate statement pack 1 another-site", *lines[1:]],
    lambda lines: [lines[0], *(line.replace(b"[", b"{", 1) for line in lines[1:])],
    # Only the last line wrong: one folder read from its entry, the pack written again for it
    lambda lines: [*lines[:-1], lines[-1][:-9]],
    lambda lines: [*lines[:-2], lines[-1], lines[-2]],
    lambda lines: [*lines[:-1], lines[-1].replace(b', ["2023-01-24-', b', ["2023-01-23-', 1)],
    # A time zone that names a folder of tzdata (OSError, not ValueError)
    lambda lines: [*lines[:-1], lines[-1].replace(b'"Europe/Lisbon"', b'"Europe"')],
    # Not as its check says: its translations, decoded only when asked for (a tag changed), or
    # its languages, which only the statement's part says (a language made up)
    lambda lines: [*lines[:-1], _translations_changed(lines[-1])],
    lambda lines: [*lines[:-1], lines[-1].replace(b'["pt", "en"], false]', b'["pt", "x"], false]')],
], ids=["junk", "order", "twice", "long", "cut", "context", "json", "last-cut", "last-order",
        "last-id", "last-zone", "last-translations", "last-languages"])
def test_a_damaged_pack_gives_the_same_statements_and_is_written_again(
    archive: Path, damage: object,
) -> None:
    publish_load(archive)
    lines = pack_of(archive).read_bytes().splitlines()
    assert callable(damage)
    assert damage(lines) != lines
    pack_of(archive).write_bytes(b"\n".join(damage(lines)) + b"\n")
    assert publish_load(archive) == fresh(archive)
    assert pack_of(archive).read_bytes().splitlines() == lines


def _translations_changed(line: bytes) -> bytes:
    """``line`` with a tag changed in its translations (after its last tab), its length kept."""
    head, tab, translations = line.rpartition(b"\t")
    assert translations.count(b'"IOM"') == 1
    return head + tab + translations.replace(b'"IOM"', b'"OIM"')


def _cut(line: bytes) -> tuple[bytes, bytes]:
    """``line`` cut before its entry's kept hashes: the second-last element of its array
    (the entry's line is its check, its array, its translations), before the folder as the
    load that made it spelled it."""
    name, key, check, rest = line.split(b"\t", 3)
    end = len(line) - len(rest) + rest.index(b"\t")
    folder = line.rindex(b', "', 0, end)
    hashes = line.rindex(b', "', 0, folder)
    return line[:hashes], line[hashes:]


def _checked(line: bytes) -> bytes:
    """``line`` with its entry's check made again for what it holds now (as a hand would)."""
    name, key, _, rest = line.split(b"\t", 3)
    return b"\t".join([name, key, b"%08x" % zlib.crc32(rest), rest])


def _stale(line: bytes, kept: bytes) -> bytes:
    """``line`` with ``kept`` as its entry's stale-translation messages (the list before the
    hashes), its check made again."""
    head, tail = _cut(line)
    assert head.endswith(b", []")
    return _checked(head[:-2] + kept + tail)


def _hashes(line: bytes, first: bytes) -> bytes:
    """``line`` with the first character of its entry's kept hashes (its first translation's
    own inputs') replaced by ``first``, its check made again."""
    head, tail = _cut(line)
    assert tail[3:4] in b"0123456789abcdef"
    return _checked(head + tail[:3] + first + tail[4:])


@pytest.mark.parametrize("damage", [
    lambda line: _hashes(line, b"z"),  # (a letter no hash has)
    lambda line: _hashes(line, b"\\u00e9"),  # (a character no hash has, the length kept)
    lambda line: _stale(line, b"[[1, 2]]"),
    lambda line: _stale(line, b'[["xx", "a language it has not"]]'),
    lambda line: _stale(line, b'["en"]'),
], ids=["hashes-letter", "hashes-accent", "stale-numbers", "stale-language", "stale-short"])
def test_what_an_entry_keeps_for_the_warnings_and_the_plan_is_taken_only_well_formed(
    archive: Path, damage: object,
) -> None:
    """A line whose kept stale-translation messages or hashes are not what a parse gives is
    not taken, even with a check that holds: the load gives the warnings, and the plan the
    keys, that a load without the cache gives (never a traceback)."""
    def keyed(project: Project) -> dict[str, str]:  # (an edition's: of the folder's hash too)
        return {u.name: u.key for u in keyed_units(project, list(project.statements))
                if u.kind != "bilingual"}

    publish_load(archive)
    lines = pack_of(archive).read_bytes().splitlines()
    assert callable(damage) and damage(lines[-1]) != lines[-1]
    pack_of(archive).write_bytes(b"\n".join([*lines[:-1], damage(lines[-1])]) + b"\n")
    loaded, parsed = pipeline.load(archive, cache=Known()), pipeline.load(archive)
    assert loaded.warnings == parsed.warnings
    assert keyed(loaded) == keyed(parsed)


def test_a_publish_writes_the_pack_again_past_its_slack_only(archive: Path) -> None:
    # Each edited folder counts once (its line out of date, its entry read from its file).
    publish_load(archive)
    before = os.stat(pack_of(archive)).st_ino
    allowed = slack(COPIES + 1)
    for number in range(1, allowed + 1):
        edit(archive, f"2023-01-{number:02d}-copy")
    assert publish_load(archive) == fresh(archive)
    assert os.stat(pack_of(archive)).st_ino == before
    edit(archive, f"2023-01-{allowed + 1:02d}-copy")
    publish_load(archive)
    assert os.stat(pack_of(archive)).st_ino != before


def test_the_lines_of_the_newest_statements_removed_count(archive: Path) -> None:
    # Past the last folder a load asks for: read all the same, each counted once.
    publish_load(archive)
    before = pack_of(archive).read_bytes()
    for number in range(COPIES - 8, COPIES + 1):
        shutil.rmtree(archive / "statements" / f"2023-01-{number:02d}-copy")
    assert publish_load(archive) == fresh(archive)
    assert pack_of(archive).read_bytes() == before  # (9 removed: within the slack of 16)
    removed = range(COPIES - slack(COPIES), COPIES - 8)
    for number in removed:
        shutil.rmtree(archive / "statements" / f"2023-01-{number:02d}-copy")
    assert publish_load(archive) == fresh(archive)
    assert len(pack_of(archive).read_bytes().splitlines()) == 1 + COPIES + 1 - 9 - len(removed)


def test_a_damaged_line_past_the_last_folder_asked_for_is_written_again(archive: Path) -> None:
    publish_load(archive)
    for number in (22, 23, 24):
        shutil.rmtree(archive / "statements" / f"2023-01-{number:02d}-copy")
    lines = pack_of(archive).read_bytes().splitlines()
    pack_of(archive).write_bytes(b"\n".join([*lines[:-1], b"junk"]) + b"\n")
    assert publish_load(archive) == fresh(archive)
    assert pack_of(archive).read_bytes().splitlines() == lines[:-3]


def test_the_lines_of_statements_removed_in_the_middle_count(archive: Path) -> None:
    publish_load(archive)
    before = os.stat(pack_of(archive)).st_ino
    removed = range(2, 3 + slack(COPIES))
    for number in removed:
        shutil.rmtree(archive / "statements" / f"2023-01-{number:02d}-copy")
    assert publish_load(archive) == fresh(archive)
    assert os.stat(pack_of(archive)).st_ino != before
    assert len(pack_of(archive).read_bytes().splitlines()) == 1 + COPIES + 1 - len(removed)


def test_a_pack_line_whose_entry_is_gone_is_parsed_again(archive: Path) -> None:
    publish_load(archive)
    for entry in (archive / CACHE_DIR / "statements").glob("*.json"):
        entry.unlink()
    statements = pipeline.load(archive, cache=Known()).statements
    assert [repr(s.in_memory()) for s in statements] == fresh(archive)  # (words readable)


def test_only_a_publish_writes_the_pack(archive: Path) -> None:
    pipeline.check(archive)
    pipeline.load(archive, cache=True)
    assert not pack_of(archive).exists()
    publish_load(archive)
    before = pack_of(archive).read_bytes()
    pack_of(archive).write_bytes(before.replace(b"\t", b" "))  # (answers for nothing)
    pipeline.check(archive)
    assert pack_of(archive).read_bytes() == before.replace(b"\t", b" ")


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    """Fail, rather than hang, past ``seconds``."""
    def late(*_: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, late)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_fifo_for_a_pack_holds_nothing_up(archive: Path) -> None:
    publish_load(archive)
    pack_of(archive).unlink()
    os.mkfifo(pack_of(archive))
    with at_most(60):
        assert publish_load(archive) == fresh(archive)  # (opened without waiting, not read)
    assert pack_of(archive).is_file()


def test_a_statement_folder_name_ending_in_a_newline_is_not_an_id(archive: Path) -> None:
    folder = archive / "statements" / "2023-02-01-copy\n"
    shutil.copytree(archive / "statements" / SHIPPED_ID, folder)
    with pytest.raises(ContentError) as caught:
        pipeline.load(archive, cache=Known())
    assert "invalid statement id '2023-02-01-copy\\n'" in str(caught.value.problems[0])
