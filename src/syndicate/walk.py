"""The project's input files as a publish's scan finds them (see :mod:`syndicate.inputs`): a
row of numbers per file and folder, one stat call each, and what lets the next scan take a
statement folder's names from the last publish's record instead of listing the folder again.

At 16,000 statements, listing the 16,000 folders is half the scan's system calls: a folder is
opened, read and closed, where each of its files takes one stat (figures:
``benchmarks/notes.md``).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from syndicate.config import CONFIG_FILE, LOCALES_DIR, SHARED_FILE, STATEMENTS_DIR
from syndicate.files import is_folder

# A file's or folder's path (relative to the project; a folder's ends with "/"), size, mtime,
# ctime (any change to the file, its times or its mode), inode and mode; -1 where it cannot be
# read.
Row = tuple[str, int, int, int, int, int]
# A statement folder's own row but its path (its numbers separated by spaces), then the names of
# the files in it, each after a slash. While the folder is as that row says, it holds those
# names: adding, removing or renaming a name changes the folder's modification and change times
# (its change time, even when the modification time is set back). Text: a record holds one per
# statement folder.
Listing = str
UNREADABLE = (-1, -1, -1, -1, -1)
TREES = (STATEMENTS_DIR, LOCALES_DIR)  # the source folders a scan looks under (and CONFIG_FILE)


class Listings:
    """The listings a scan may take (see :data:`Listing`: the last record's, by statement
    folder), and those it took."""

    def __init__(self, recorded: Mapping[str, Listing]) -> None:
        self.recorded = recorded
        self.taken: dict[str, Listing] = {}

    def rows(self, relative: str, path: str, info: os.stat_result) -> list[Row] | None:
        """The rows of the files in the folder ``relative`` (at ``path``, its stat ``info``) if
        it is a statement folder as its listing has it, each a regular file still; else None
        (the folder is listed)."""
        name = relative.removeprefix(f"{STATEMENTS_DIR}/")
        listing = self.recorded.get(name) if name != relative and "/" not in name else None
        if listing is None:
            return None
        own, _, names = listing.partition("/")
        if own != _numbers_of(info) or not _file_names(names):
            return None
        found = _named_rows(relative, path, names.split("/") if names else [])
        if found is not None:
            self.taken[name] = listing
        return found


def _file_names(names: str) -> bool:
    """Whether a listing's ``names`` can only be names of files in its folder (a record edited
    by hand could name others, or what is no name of this system: the folder is listed)."""
    if not names:
        return True  # (an empty folder)
    if not names.isascii():
        try:
            os.fsencode(names)
        except UnicodeError:
            return False
    between = f"/{names}/"  # (each name between slashes: none empty, "." or "..")
    return not ("//" in between or "/./" in between or "/../" in between or "\0" in names)


def listed(own: Row, names: Iterable[str]) -> Listing:
    """The :data:`Listing` of a statement folder whose row is ``own``, holding ``names``."""
    return "/".join([_numbers(own), *names])


def _numbers(row: Row) -> str:
    """A row's numbers (all but its path), as a :data:`Listing` has them."""
    return " ".join(map(str, row[1:]))


def _numbers_of(info: os.stat_result) -> str:
    """:func:`_numbers` of the row of ``info`` (a scan compares 16,000 of them)."""
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino} {info.st_mode}"


def rows(root: Path, links: list[str] | None = None,
         listings: Listings | None = None) -> list[Row]:
    """The row of every input file and folder of the project at ``root`` (its configuration,
    and what is under ``statements/`` and ``locales/``), one stat call each; the path of every
    symbolic link among them is added to ``links``. A statement folder as ``listings`` has it
    is not listed: its names there are stat'ed."""
    found = file_rows(root, [CONFIG_FILE])
    for folder in TREES:
        found.extend(tree_rows(root, folder, links, listings))
    return found


def rows_hash(rows: tuple[Row, ...] | list[Row]) -> str:
    """The hash of ``rows`` as :mod:`marshal` writes them in its version 2, which has no
    references between objects: the same rows give the same bytes, however their texts were
    made (its later versions mark a text met twice, or interned, as such); faster to make
    than their ``repr``, for a scan that hashes each statement folder's rows (figures:
    ``benchmarks/notes.md``)."""
    return hashlib.blake2b(marshal.dumps(rows, 2), digest_size=16).hexdigest()


def file_rows(root: Path, names: Iterable[str]) -> list[Row]:
    return [_row(name, root / name) for name in names]


def _row(name: str, path: Path | str) -> Row:
    """``path``'s row (links followed: a link's target is what is read)."""
    try:
        return _row_of(name, os.stat(path))
    except OSError:
        return (name, *UNREADABLE)


def _row_of(name: str, info: os.stat_result) -> Row:
    return (name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode)


def _named_rows(relative: str, path: str, names: list[str]) -> list[Row] | None:
    """The rows of the files ``names`` in the folder ``path`` (``relative`` to the project);
    None if one is not there or is no regular file (a link, a folder: a listing is taken only
    for a folder of files, see :meth:`Scan.listings`, which a record edited by hand may not
    be)."""
    found = []
    for name in names:
        try:
            info = os.lstat(f"{path}/{name}")
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):  # (a link, a folder, or no file at all)
            return None
        found.append(_row_of(f"{relative}/{name}", info))
    return found


def tree_rows(root: Path, folder: str, links: list[str] | None = None,
              listings: Listings | None = None) -> list[Row]:
    """The rows of ``root/folder`` and of every file and folder under it, links followed (a
    statement folder may be a link, as the loader reads it), each folder once; the path of
    every symbolic link met is added to ``links``. A statement folder as ``listings`` has it
    is not listed: its names there are stat'ed."""
    rows: list[Row] = []
    seen: set[tuple[int, int]] = set()  # (device, inode) of the folders listed
    pending = [(folder, os.path.join(root, folder))]
    while pending:
        relative, path = pending.pop()
        try:
            info = os.stat(path)
        except OSError:
            rows.append((f"{relative}/", *UNREADABLE))
            continue
        rows.append(_row_of(f"{relative}/", info))
        if (info.st_dev, info.st_ino) in seen:  # (listed under another path: reached by a
            if links is not None:                # link, so this one counts as one too)
                links.append(relative)
            continue
        seen.add((info.st_dev, info.st_ino))
        if listings is not None and (named := listings.rows(relative, path, info)) is not None:
            rows.extend(named)
            continue
        try:
            with os.scandir(path) as entries:
                found = list(entries)
        except OSError:
            rows.append((f"{relative}/*", *UNREADABLE))
            continue
        for entry in found:
            name = f"{relative}/{entry.name}"
            if links is not None and entry.is_symlink():
                links.append(name)
            if is_folder(entry):
                pending.append((name, entry.path))
            else:
                try:
                    rows.append(_row_of(name, entry.stat()))
                except OSError:
                    rows.append((name, *UNREADABLE))
    return rows


# What a changed statement folder re-renders with WeasyPrint: an edited translation, about its
# communiqué and the bilingual edition (a new title adds the cards, which are quick); a new or
# otherwise changed statement, all five documents of a bilingual statement. Without PDFs
# (--without-pdf), an edited translation brings none (a new title's card starts its worker
# then), and a new or otherwise changed statement its two cards.
EDIT_UNITS = 2
STATEMENT_UNITS = 5
STATEMENT_CARDS = 2


def expected_units(root: Path, out: Path, found: Iterable[Row] | None = None,
                   pdfs: bool = True) -> int | None:
    """About how many documents for WeasyPrint the inputs newer than the last publish's cache
    index bring: for each statement folder with newer files, EDIT_UNITS when the one newer file
    is a translation, else STATEMENT_UNITS (without ``pdfs``: none and STATEMENT_CARDS). None
    when anything may change: no cache index, or a newer configuration or catalog. Stat calls
    only (the rows a publish's scan ``found``, else a scan of its own: :func:`rows`)."""
    from syndicate.output import absolute, cache_path

    try:
        since = cache_path(absolute(out)).stat().st_mtime_ns
    except OSError:
        return None
    changed: dict[str, list[str]] = {}
    for row in rows(root) if found is None else found:
        name, modified = row[0], row[2]  # (not unpacked whole: an archive has 64,000 rows)
        if name.endswith("/") or not (modified > since or name == CONFIG_FILE and modified < 0):
            continue  # (a folder, or a file as it was; no configuration: changed)
        top, _, rest = name.partition("/")
        if top != STATEMENTS_DIR:  # the configuration or a catalog
            return None
        folder, _, file = rest.partition("/")
        changed.setdefault(folder, []).append(file)
    edit, statement = (EDIT_UNITS, STATEMENT_UNITS) if pdfs else (0, STATEMENT_CARDS)
    return sum(edit if len(names) == 1 and names[0] not in ("", SHARED_FILE) else statement
               for names in changed.values())
