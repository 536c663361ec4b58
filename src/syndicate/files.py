"""Reading the project's files without trusting what they are.

A name in the project may be anything: a FIFO (reading it waits forever for a writer), a
device, a folder, a link. Only regular files are read: each is opened with ``O_NONBLOCK`` (so
opening a FIFO returns at once) and checked with ``fstat`` on the open descriptor (so it is the
file read, not one swapped in after a check). Anything else raises :class:`NotRegularFile`, an
``OSError`` whose message names the path, like every other failure to read.

Editor droppings (``.#en.md``, ``en.md~``, ``.en.md.swp``, ``#en.md#``) are nobody's content:
:func:`is_dropping` names them, and the loader and the cache skip them.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import hashlib
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from syndicate.errors import Problem

MAX_FILE_BYTES = 1_000_000  # a statement's YAML or Markdown file
CHUNK = 1 << 20  # bytes hashed at a time: a big file is never held in memory whole
DROPPINGS = (".#*", "*~", ".*.sw?", "#*#")
# (one pattern for all: a load asks of every statement folder's name)
_DROPPING = re.compile("|".join(fnmatch.translate(pattern) for pattern in DROPPINGS), re.DOTALL)


class NotRegularFile(OSError):
    """A path that names a FIFO, a device, a socket or a folder where a file was expected."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(errno.EINVAL, "not a regular file", str(path))


class TooLarge(OSError):
    """A file over the size limit of what reads it."""

    def __init__(self, path: Path | str, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"file is {size:,} bytes; the limit is {limit:,}",
                         str(path))
        self.size = size


def is_dropping(name: str) -> bool:
    """Whether ``name`` is an editor's lock, backup or swap file.

    >>> [is_dropping(n) for n in (".#en.md", "en.md~", ".en.md.swp", "#en.md#", "en.md")]
    [True, True, True, True, False]
    """
    return _DROPPING.match(name) is not None


def is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether a listing's ``entry`` is a folder, links followed; False for a link that
    leads nowhere a folder could be (a loop, through a file, unreadable, too long a name)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def open_regular(path: Path | str, blocking: bool = True) -> int:
    """A descriptor open for reading on ``path``, which must be a regular file (links are
    followed: whether they may lead there is the caller's rule). Opened without blocking (a
    FIFO there never holds it up), and left so unless ``blocking``: a read of a regular file
    never waits anyway, and a load opens thousands of them (two system calls each spared)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
        if blocking:
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``; :class:`TooLarge` past ``limit`` bytes (read
    no further than that)."""
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if limit is not None and size > limit:
            raise TooLarge(path, size, limit)
        chunks = []
        total = 0
        while chunk := os.read(fd, CHUNK):
            chunks.append(chunk)
            total += len(chunk)
            if limit is not None and total > limit:  # grew while read
                raise TooLarge(path, total, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_first_line(path: Path | str, guess: int = 4096) -> bytes:
    """The first line of the regular file ``path``, its newline included (none at the end of
    the file): read ``guess`` bytes at a time, what follows the line is never read whole."""
    fd = open_regular(path, blocking=False)
    try:
        data = b""
        while (end := data.find(b"\n", max(0, len(data) - guess))) < 0:
            chunk = os.pread(fd, guess, len(data))
            if not chunk:
                return data
            data += chunk
        return data[:end + 1]
    finally:
        os.close(fd)


def real(path: Path | str) -> Path:
    """``path`` absolute, every link in it followed, as far as they lead: unlike
    ``Path.resolve`` it never raises, not even for a loop of links (left as it is)."""
    return Path(os.path.realpath(path))


def present(path: Path | str) -> bool:
    """Whether something is at ``path``: False only when nothing is, True when something is
    there that may not be readable (reading it then says why).

    A catalog that cannot be read must be an error, not taken for no catalog."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return os.path.islink(path)  # a dangling link is something: reading it says so
    except (OSError, ValueError):
        return True
    return True


def is_regular(path: Path | str) -> bool:
    """Whether ``path`` (links followed) is a regular file, without opening it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def hash_regular(path: Path | str, hasher: hashlib._Hash) -> None:
    """Feed the regular file ``path`` to ``hasher`` in chunks of :data:`CHUNK` bytes."""
    fd = open_regular(path)
    try:
        while chunk := os.read(fd, CHUNK):
            hasher.update(chunk)
    finally:
        os.close(fd)


def links_outside(folder: Path, inside: Path, problems: list[Problem]) -> bool:
    """Report every symbolic link in a statement's folder, its subfolders (or the folder
    itself) that leads out of the project (``inside``, resolved): a statement must not make
    publish read a private file. A folder that is such a link is not looked into; one that
    cannot be read is reported."""
    def report(entry: Path, message: str) -> None:
        problems.append(Problem(printable(entry), None, message))

    def outside(entry: Path) -> bool:
        if real(entry).is_relative_to(inside):
            return False
        report(entry, f"is a link to {os.readlink(entry)}, outside the project: "
                      "copy the file into the project instead")
        return True

    if folder.is_symlink() and outside(folder):
        return True
    before = len(problems)
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            report(current, f"cannot read folder: {exc.strerror}")
            continue
        for entry in entries:
            if is_dropping(entry.name):
                continue
            if entry.is_symlink():
                outside(Path(entry.path))
            elif entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
    return len(problems) > before


def printable(path: Path) -> str:
    """``path`` for a message: a name with control or invisible characters is shown escaped
    (``\\r``, ``\\u200b``) so that it cannot garble or hide in the message."""
    return str(path) if path.name.isprintable() else str(path.parent / ascii(path.name)[1:-1])


def write_json(path: Path, document: object) -> None:
    """Replace ``path`` atomically; a cache that cannot be written is simply not kept."""
    write_json_text(path, json.dumps(document))  # (file names may carry surrogate escapes,
    # which only the \u form can hold)


def write_json_text(path: Path, text: str | Iterable[str | bytes]) -> bool:
    """:func:`write_json` for a document already encoded (ASCII: as ``json.dumps`` writes it,
    or laid out otherwise, as the cache index is), whole or in pieces (text, or its bytes);
    whether it was written (else nothing is left behind)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as file:
            for piece in [text] if isinstance(text, str) else text:
                file.write(piece.encode("ascii") if isinstance(piece, str) else piece)
        os.replace(temporary, path)
    except BaseException as error:  # (a Ctrl-C while the pieces are made, too)
        with contextlib.suppress(OSError):
            temporary.unlink()
        if not isinstance(error, OSError):
            raise
        return False
    return True


def read_json(path: Path) -> object:
    """The JSON document in the regular file ``path``; None when there is none (a FIFO or a
    folder there is never read)."""
    try:
        return json.loads(read_regular(path))
    except (OSError, ValueError):
        return None
