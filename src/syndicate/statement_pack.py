"""The statement cache's first lines in one file, read from start to end by a load.

A load of a large archive reads the first line of one cache entry per statement (see
:mod:`syndicate.statement_entries`). Warm, those reads cost little; with the files' pages out
of memory (a machine under memory pressure, or one that pages out what is idle, as the
benchmark machine does after a minute) each is a seek: 16,000 of them took 3.2 s, against
1.2 s for one file holding the same lines (figures: ``benchmarks/notes.md``).

``.syndicate-cache/statements/pack`` holds them: a first line naming its format and the
context the keys were made in (:func:`syndicate.cache.context_digest`), then a line per
statement folder, sorted by the folder's name: the name, the key of its entry and the entry's
first line, separated by tabs (neither the name nor the key holds one: what follows the second
is the entry's line, tabs and all). A load asks for the folders in that same
order (:func:`syndicate.sources.load_statements`), so the pack is read once, a line at a time,
and holds no more memory than a line, whatever the archive. A line is taken only when its key
is the folder's now and its entry's file is there (the words are read from it when needed);
the entry's file answers for any other folder. A line out of order, too long or not ended
stops the reading there: the rest of the folders are read from their entries' files.

A publish's load writes the pack again, in one pass (:func:`pack_lines`), when it has more
than :func:`slack` folders it could not answer for (edited, added, removed), or finds it
damaged: an edit does not rewrite an archive's worth of lines.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from syndicate.files import open_regular, read_first_line

PACK = "pack"
FORMAT = b"syndicate statement pack 1"
LINE_MAX = 1 << 20  # bytes in one line (a statement's first line is a few kilobytes)
AHEAD_ASKS = 64  # lines read ahead between two questions whether to stop (see read_ahead)


@dataclass(frozen=True, slots=True)
class Served:
    """Where a load found a folder's entry: its key, and its first line's place in the pack
    (``at`` and ``size``), or ``at`` -1: in the entry's own file."""

    key: str
    at: int = -1
    size: int = 0


def slack(folders: int) -> int:
    """How many of a load's ``folders`` the pack may fail to answer for before a publish writes
    it again (a sixteenth, and at least 16)."""
    return max(16, folders // 16)


class PackReader:
    """The pack of the entries in ``folder`` (their file names ``names``) for ``context``,
    read forward as a load asks for folders by name."""

    def __init__(self, folder: Path, context: str, names: Collection[str]) -> None:
        self.context, self.names = context, names
        self.passed = 0  # lines not taken (a folder gone or edited, a missing entry)
        self.damaged = False  # a line out of order, too long or not ended
        self._file: BinaryIO | None = None
        self._line: tuple[str, str, int, bytes] | None = None  # name, key, at, entry's line
        # by folder name: the lines read ahead of the lookups (see read_ahead), decoded
        self.ahead: dict[str, tuple[Served, object]] = {}
        try:
            self._file = os.fdopen(open_regular(folder / PACK), "rb", buffering=1 << 16)
            if self._file.readline(LINE_MAX) != _header(context):
                self.close()
                return
            self._next()
        except OSError:
            self.close()

    @property
    def usable(self) -> bool:
        """Whether the pack was there, for this context (a damaged one is, up to the damage)."""
        return self._file is not None

    def line(self, name: str, key: str) -> tuple[Served, bytes] | None:
        """The first line of folder ``name``'s entry ``key`` and where it is, if the pack has
        it (a line of another key is the folder's, out of date: counted with the folders the
        pack does not answer for, not in :attr:`passed`)."""
        while self._line is not None and self._line[0] < name:
            self.passed += 1  # (a folder gone, or not a statement's now)
            self._next()
        if self._line is None or self._line[0] != name:
            return None
        _, found, at, line = self._line
        self._next()
        if found != key or f"{key}.json" not in self.names:
            return None
        return Served(key, at, len(line)), line

    def read_ahead(self, decode: Callable[[str, Served, bytes], object],
                   until: Callable[[], bool]) -> None:
        """Read the lines ahead of the lookups into :attr:`ahead`, each as ``decode`` makes
        it of its folder's name, its place and the line, until ``until()`` (asked every
        :data:`AHEAD_ASKS` lines) or the end: what a publish does while its scan runs in
        another process (see :mod:`syndicate.read_ahead`). A lookup takes a folder's line from
        there (:meth:`taken`) as :meth:`line` would give it."""
        read = 0
        while self._line is not None and (read % AHEAD_ASKS or not until()):
            name, key, at, line = self._line
            self._next()
            served = Served(key, at, len(line))
            self.ahead[name] = (served, decode(name, served, line)
                                if f"{key}.json" in self.names else None)  # (see taken)
            read += 1

    def taken(self, name: str, key: str) -> tuple[Served, object] | None:
        """Folder ``name``'s line read ahead, as decoded, if :meth:`line` would have given it
        (it is entry ``key``'s, whose file is there); it is taken either way."""
        ahead = self.ahead.pop(name, None)
        if ahead is None or ahead[0].key != key or f"{key}.json" not in self.names:
            return None
        return ahead

    def pass_the_rest(self) -> None:
        """Read on to the end, counting the lines of folders after the last one asked for
        (the newest statements, removed) in :attr:`passed`, with those read ahead that no
        lookup took."""
        self.passed += len(self.ahead)
        self.ahead.clear()
        while self._line is not None:
            self.passed += 1
            self._next()

    def read(self, served: Served) -> bytes:
        """The first line at ``served``'s place, without its newline (read again: the
        reader holds none but the current line)."""
        assert self._file is not None and served.at >= 0
        return os.pread(self._file.fileno(), served.size, served.at)

    def _next(self) -> None:
        file = self._file
        if file is None:
            self._line = None
            return
        try:
            start = file.tell()
            raw = file.readline(LINE_MAX)
        except OSError:  # (the rest is read from the entries' files)
            self._stop()
            return
        if not raw:  # (the end)
            self._line = None
            return
        parts = raw.split(b"\t", 2)
        previous = self._line[0] if self._line is not None else ""
        if not raw.endswith(b"\n") or len(parts) != 3 or not parts[0].isascii():
            self._stop()
            return
        name = parts[0].decode("ascii")
        if name <= previous:
            self._stop()
            return
        at = start + len(parts[0]) + len(parts[1]) + 2
        self._line = (name, parts[1].decode("ascii", "replace"), at, parts[2][:-1])

    def _stop(self) -> None:
        self.damaged, self._line = True, None

    def refuse(self) -> None:
        """Say that a line taken from the pack was not an entry's (its next publish writes it
        again; the lines after it are still read)."""
        self.damaged = True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._line = None
        self.ahead.clear()


def open_pack(folder: Path, context: str) -> PackReader:
    """The pack of the entries in ``folder`` for ``context``, opened (its entries' names
    listed: a line is taken only when its entry's file is there)."""
    try:
        names: Collection[str] = set(os.listdir(folder))
    except OSError:
        names = ()
    return PackReader(folder, context, names)


def _header(context: str) -> bytes:
    return FORMAT + b" " + context.encode("ascii") + b"\n"


def entry_line(path: str) -> bytes | None:
    """The first line of the entry ``path``, without its newline; None when it cannot be read
    or has none (a torn entry)."""
    try:
        line = read_first_line(path)
    except OSError:
        return None
    return line[:-1] if line.endswith(b"\n") else None


def pack_lines(reader: PackReader, served: Mapping[str, Served],
               prefix: str) -> Iterator[bytes]:
    """The pack of the ``served`` folders' entries (their names statement ids), by folder
    name, for ``reader``'s context: each first line taken from ``reader``'s pack where it was
    found there, else from its entry's file (``prefix`` + key + ``.json``; left out if that
    cannot be read whole, or would make a line the reader refuses)."""
    yield _header(reader.context)
    for name in sorted(served):
        where = served[name]
        line = reader.read(where) if where.at >= 0 else entry_line(f"{prefix}{where.key}.json")
        if line is None:
            continue
        packed = b"%s\t%s\t%s\n" % (name.encode("ascii"), where.key.encode("ascii"), line)
        if len(packed) <= LINE_MAX:
            yield packed
