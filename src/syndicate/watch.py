"""Which of a project's sources changed, as the kernel tells it (Linux's inotify), for ``serve``.

``serve`` found a change by looking at every source file (a stat call each, as a publish's
scan): at 16,000 statements that is 64,000 calls every half second, whether or not anything
changed, and a save waited for the next look (figures: ``benchmarks/notes.md``).

A :class:`Watcher` holds a watch on the project's folder, on ``statements/`` and ``locales/``
and on every folder under them, and says which paths the kernel named since it was last asked
(nothing, when nothing changed: no file is looked at). It says "anything may have changed"
(None) when it cannot name them all: a folder appeared (it is watched from then on, but its
first files may have been written before), one was removed or moved, the kernel's queue
overflowed, or a symbolic link appeared (its target changes where no watch is). ``serve`` then
looks at every file, as it always did; after the last two, or when the project's folder itself
is moved or removed, or a new folder cannot be watched, the watcher is :attr:`~Watcher.lost`
and ``serve`` makes another (or, when it cannot, looks at every file at each poll from then
on, until it is started again).

What no watch sees: a write through another hard link of a source file, made outside the
project, and another machine's writes to a network file system. ``serve`` looks at every file
every few seconds all the same (:data:`syndicate.serve.LOOK_EVERY`), so those are found then.
Where it cannot watch at all (another system, inotify's limits, a symbolic link among the
sources), :func:`watcher` gives None and ``serve`` looks at every file at each poll.
"""

from __future__ import annotations

import ctypes
import errno
import os
import select
import struct
import time
from pathlib import Path

from syndicate import libc
from syndicate.config import CONFIG_FILE
from syndicate.walk import TREES

# From <sys/inotify.h> (the same on every Linux architecture)
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF = 0x400, 0x800
IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR = 0x2000, 0x4000, 0x8000, 0x40000000
IN_ONLYDIR, IN_DONT_FOLLOW = 0x1000000, 0x2000000
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
CHANGES = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
           | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
# (a folder only, never through a link: one swapped in after the listing is not followed)
WATCH = CHANGES | IN_ONLYDIR | IN_DONT_FOLLOW
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of name
SOURCES = (CONFIG_FILE, *TREES)  # what a scan looks at in the project's folder itself
GONE = (errno.ENOENT, errno.ENOTDIR)  # a folder gone before its watch (nothing to watch there)


class Watcher:
    """Watches on ``root``'s source folders (see the module's docstring)."""

    def __init__(self, root: Path, fd: int) -> None:
        self.root, self._fd = root, fd
        self._folders: dict[int, str] = {}  # watch descriptor: folder relative to root ("": it)
        self._found: set[str] = set()  # the paths named since last asked
        self._uncertain = False  # since last asked: a change no path names
        self.lost = False  # it no longer watches every source folder (see the module)

    def watch_all(self) -> bool:
        """Watch the project's folder and every source folder; False when one cannot be
        watched or a symbolic link is among the sources."""
        if any(os.path.islink(self.root / name) for name in SOURCES) or not self._add(""):
            return False
        return all(self._add_tree(top) for top in TREES if os.path.isdir(self.root / top))

    def _add_tree(self, top: str) -> bool:
        """Watch the folder ``top`` (relative to the root) and every folder under it (a folder
        watched already keeps its watch, under this name now); False at a symbolic link or a
        folder that cannot be watched (one gone meanwhile is left out: its parent told)."""
        if os.path.islink(self.root / top):
            return False
        pending = [top]  # (each listed in its parent as no link)
        while pending:
            relative = pending.pop()
            if not self._add(relative):
                return False
            try:
                with os.scandir(self.root / relative) as entries:
                    found = list(entries)
            except OSError as error:
                if error.errno in GONE:
                    continue
                return False
            for entry in found:
                if entry.is_symlink():
                    return False
                if entry.is_dir(follow_symlinks=False):
                    pending.append(f"{relative}/{entry.name}")
        return True

    def _add(self, relative: str) -> bool:
        """Watch the folder ``relative``; False when it cannot be (True when it is gone)."""
        add = libc.function("inotify_add_watch")
        if add is None:
            return False
        path = os.fsencode(os.path.join(self.root, relative))
        wd = add(self._fd, ctypes.c_char_p(path), ctypes.c_uint32(WATCH))
        if wd < 0:
            return libc.last_errno() in GONE
        self._folders[wd] = relative
        return True

    def wait(self, timeout: float) -> bool:
        """Wait until the kernel has something to tell, or ``timeout`` seconds: whether it has
        (at once, once closed)."""
        fd = self._fd  # (read once: stop may close it meanwhile)
        if fd < 0:
            return False
        watching = select.poll()
        watching.register(fd, select.POLLIN)
        return bool(watching.poll(timeout * 1000))

    def settle(self, quiet: float, most: float) -> None:
        """Take what the kernel tells until it has told nothing for ``quiet`` seconds (a save
        is several events: the file emptied, written, closed or renamed), or for ``most``."""
        deadline = time.monotonic() + most
        self._collect()
        while time.monotonic() < deadline and self.wait(quiet):
            self._collect()

    def changes(self) -> set[str] | None:
        """The paths (relative to the project; a folder's ends with a slash) the kernel named
        since the last call (empty: nothing changed); None when anything may have changed."""
        self._collect()
        found, uncertain = self._found, self._uncertain
        self._found, self._uncertain = set(), False
        return None if uncertain else found

    def _collect(self) -> None:
        try:
            while (data := self._read()) is not None:
                at = 0
                while at + _EVENT.size <= len(data):
                    wd, mask, _, size = _EVENT.unpack_from(data, at)
                    name = data[at + _EVENT.size:at + _EVENT.size + size].rstrip(b"\0")
                    at += _EVENT.size + size
                    self._take(wd, mask, os.fsdecode(name))
        except OSError:  # (the queue unreadable, a new folder unlistable: watched anew)
            self._uncertain = self.lost = True

    def _read(self) -> bytes | None:
        if self._fd < 0:
            return None
        try:
            return os.read(self._fd, 65536) or None
        except (BlockingIOError, InterruptedError):
            return None

    def _take(self, wd: int, mask: int, name: str) -> None:
        """One event: its path named, or what it makes uncertain."""
        if mask & (IN_Q_OVERFLOW | IN_UNMOUNT):  # (events lost; a file system gone under it)
            self._uncertain = self.lost = True
            return
        folder = self._folders.get(wd)
        if folder is None:
            return  # (a watch forgotten: its folder left the sources)
        if mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF):  # (the folder itself gone
            self._uncertain = True                                # or moved)
            self.lost = self.lost or folder == ""
            if mask & IN_IGNORED:
                del self._folders[wd]
            return
        if not name:  # (the folder's own times or mode: its row; the project's own has none)
            if folder:
                self._found.add(f"{folder}/")
            return
        if folder == "" and name not in SOURCES:
            return  # (the project's other files: the output, the caches)
        path = f"{folder}/{name}" if folder else name
        if mask & IN_ISDIR:
            self._found.add(f"{path}/")
            if mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE):
                self._uncertain = True  # (its files: written before its watch, or gone)
            if mask & (IN_MOVED_FROM | IN_DELETE):
                self._forget(path)
            if mask & (IN_CREATE | IN_MOVED_TO) and not self._add_tree(path):
                self.lost = True
            return
        self._found.add(path)
        if mask & (IN_CREATE | IN_MOVED_TO) and os.path.islink(self.root / path):
            self._uncertain = self.lost = True

    def _forget(self, gone: str) -> None:
        """Stop watching the folder ``gone`` and those under it (moved away, or removed)."""
        remove = libc.function("inotify_rm_watch")
        for wd, folder in list(self._folders.items()):
            if folder == gone or folder.startswith(f"{gone}/"):
                del self._folders[wd]
                if remove is not None:
                    remove(self._fd, ctypes.c_int(wd))

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def watcher(root: Path) -> Watcher | None:
    """A :class:`Watcher` on every source folder of ``root``; None where it cannot watch them
    all (see the module's docstring)."""
    init = libc.function("inotify_init1")
    fd = init(IN_NONBLOCK | IN_CLOEXEC) if init is not None else -1
    if fd < 0:
        return None
    found = Watcher(root, fd)
    try:
        if found.watch_all():
            return found
    except BaseException:
        found.close()
        raise
    found.close()
    return None
