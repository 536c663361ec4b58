"""Writing a publish: one publisher at a time, and the output folder is always one whole publish.

Layout beside the output folder ``dist`` (any name works the same way)::

    dist -> .dist.versions/<sha>    a symbolic link: what the web server serves
    .dist.versions/<sha>/           complete publishes (only the current one survives a publish)
    .dist.versions/.staging-<rnd>/  a publish being written (never pointed at)
    .dist.trash/                    older versions, removed by the next publish
    .dist.lock                      flock()ed by the running publisher
    .dist.cache.json                what the current version's files were rendered from
                                    (see :mod:`syndicate.cache`): unchanged files are reused

A publish writes every file into a staging folder, fsyncs it, renames it to its final version
name, and then replaces the ``dist`` link with ``os.replace`` of a new link: the switch is one
``rename(2)``, atomic on POSIX, so a reader (or a publish killed at any instant) sees either the
previous publish or the new one, complete, never a mixture and never nothing. Durability before
the switch is one ``syncfs(2)`` of the output's file system. After the switch, old versions and
leftover staging folders are renamed into ``.dist.trash/`` (one rename each); the next publish
removes what the trash held when it began, in a background thread (for a large site, a process
that outlives it): while it renders when it writes much, else (an edit) once it has written its
version or failed, where the removal no longer shares the disk with its writes and its
``syncfs`` (a small site's edit waits for it then; see :mod:`syndicate.trash`). A publish killed
meanwhile leaves trash that the next one removes.

A plain ``dist/`` folder from an older syndicate is migrated by exchanging it with the new link
in one ``renameat2(RENAME_EXCHANGE)`` where the system has it (Linux), else by two renames.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from syndicate import libc, spare
from syndicate.errors import OutputError, display_path
from syndicate.files import read_regular, real

MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.json.p7s"  # its detached CMS signature, when the PDFs are sealed
GENERATOR_PREFIX = "syndicate "
STAGING_PREFIX = ".staging-"


def versions_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.versions"


def cache_path(out: Path) -> Path:
    return out.parent / f".{out.name}.cache.json"


def inputs_path(out: Path) -> Path:
    """What the current version was published from (see :mod:`syndicate.inputs`)."""
    return out.parent / f".{out.name}.inputs.json"


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def absolute(path: Path) -> Path:
    """``path`` made absolute with its parent resolved, but the last component left as it is
    (so a ``dist`` link stays the link and is not replaced by its target)."""
    path = Path(os.path.abspath(path))
    return real(path.parent) / path.name


def _is_ours(out: Path) -> bool:
    """Whether ``out`` is a link into our versions folder or a folder with our manifest."""
    if out.is_symlink():
        target = Path(os.readlink(out))
        if target.is_absolute() or len(target.parts) != 2:
            return False
        return target.parts[0] == versions_dir(out).name and ".." not in target.parts
    try:
        document = json.loads(read_regular(out / MANIFEST))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and str(document.get("generator", "")).startswith(
        GENERATOR_PREFIX
    )


# The folders syndicate reads in a project: an output folder inside one would be read back
# (and its files, under statements/, taken for content).
SOURCE_FOLDERS = ("statements", "locales")


def _siblings(out: Path) -> list[tuple[Path, int]]:
    """The names beside ``out`` that syndicate makes and then trusts, with the file type each
    must have (``stat.S_IFDIR``, ``stat.S_IFREG``) when present."""
    return [(versions_dir(out), stat.S_IFDIR), (trash_dir(out), stat.S_IFDIR),
            (lock_path(out), stat.S_IFREG), (cache_path(out), stat.S_IFREG),
            (inputs_path(out), stat.S_IFREG)]


def check_siblings(out: Path) -> None:
    """Refuse to use a name beside ``out`` (``.dist.versions``, ``.dist.trash``, ``.dist.lock``,
    ``.dist.cache.json``, ``.dist.inputs.json``) that is a symbolic link, or not the kind of
    file syndicate makes there: someone else put it there (the output's parent may be writable
    by others), and following it would empty, truncate or move files that are not ours."""
    for path, kind in _siblings(out):
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(mode):
            raise OutputError(f"refusing to use {display_path(path)}: it is a symbolic link "
                              f"syndicate did not create (to {os.readlink(path)}); remove it "
                              "and publish again")
        if stat.S_IFMT(mode) != kind:
            what = "folder" if kind == stat.S_IFDIR else "regular file"
            raise OutputError(f"refusing to use {display_path(path)}: syndicate keeps a {what} "
                              "there and this is not one; remove it and publish again")


def _unlisted(folder: Path) -> list[str]:
    """The files in an older syndicate's plain output folder that its manifest does not list
    (links not followed): someone else's."""
    try:
        files = json.loads(read_regular(folder / MANIFEST))["files"]
        listed = {str(entry["path"]) for entry in files} | {MANIFEST}
    except (OSError, ValueError, KeyError, TypeError):
        return []
    found = []
    for top, folders, names in os.walk(folder):
        relative = os.path.relpath(top, folder)
        for name in names + [f for f in folders if os.path.islink(os.path.join(top, f))]:
            path = name if relative == "." else f"{relative}/{name}"
            if path not in listed:
                found.append(path)
    return sorted(found)


def check_output_folder(out: Path, project: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not ours.

    The marker of a folder syndicate made is its ``manifest.json`` (whose ``generator`` names
    syndicate); an output folder that is a link is ours only when it points into our versions
    folder. An older syndicate's plain folder holding files its manifest does not list is
    refused: replacing it would delete them, and taking them into a publish would publish
    files nobody reviewed.
    """
    where = absolute(out)
    resolved = real(out)
    project = real(project)
    for forbidden, what in (
        (Path("/"), "the root folder"),
        (Path.home().resolve(), "your home folder"),
        (project, "the project folder"),
    ):
        if forbidden in (where, resolved):
            raise OutputError(f"refusing to publish into {out}: it is {what}")
    if project.is_relative_to(where) or project.is_relative_to(resolved):
        raise OutputError(f"refusing to publish into {out}: it holds the project folder")
    for source in SOURCE_FOLDERS:
        if (where.is_relative_to(project / source) or resolved.is_relative_to(project / source)):
            raise OutputError(f"refusing to publish into {out}: it is inside the project's "
                              f"{source}/ folder, which syndicate reads")
    check_siblings(where)
    if where.is_symlink():
        if not _is_ours(where):
            raise OutputError(
                f"refusing to replace {out}: it is a link syndicate did not create "
                f"(to {os.readlink(where)})"
            )
        return
    if where.exists():
        if not where.is_dir():
            raise OutputError(f"refusing to replace {out}: it exists and is not a folder")
        if any(where.iterdir()) and not _is_ours(where):
            raise OutputError(
                f"refusing to replace {out}: it is not empty and has no {MANIFEST} "
                "written by syndicate, so syndicate did not create it"
            )
        if unlisted := _unlisted(where):
            raise OutputError(
                f"refusing to replace {out}: {len(unlisted)} file(s) in it are not in its "
                f"{MANIFEST}, so syndicate did not write them (first: {unlisted[0]}); "
                "move them out of it and publish again"
            )


@contextmanager
def publisher_lock(out: Path) -> Iterator[None]:
    """Hold the lock beside ``out`` for the duration; fail at once when another publish has it."""
    where = absolute(out)
    where.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(where)
    try:  # never through a link, never a FIFO: someone else may have put either there
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK,
                     0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            check_siblings(where)  # says which link
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutputError(f"refusing to use {path}: it is not a regular file")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            raise OutputError(
                f"another publish into {out} is running"
                + (f" (process {holder})" if holder.isdigit() else "")
                + f"; it holds {path.name}. Try again when it has finished."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock; the file stays (removing it would race)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes | bytearray | memoryview | Iterable[bytes]) -> None:
    """Write ``data`` (whole, or in pieces) to ``path`` in a staging folder.

    No fsync here: :meth:`Staging.commit` makes every file durable with one ``syncfs`` before
    the version becomes visible, and a file fsynced one by one costs several times the write
    (figures: ``benchmarks/notes.md``).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:  # a link a spare holds (see syndicate.spare): another version's
        os.unlink(path)  # file, never written into
        fd = os.open(path, flags, 0o644)
    try:
        for piece in [data] if isinstance(data, bytes | bytearray | memoryview) else data:
            view = memoryview(piece)
            while view:
                view = view[os.write(fd, view) :]
    except OSError as exc:  # (os.write names no file: a full disk must say where)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two names (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    renameat2 = libc.function("renameat2")
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, bytes(a), at_fdcwd, bytes(b), rename_exchange)
    if result == 0:
        return True
    code = libc.last_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def switch(out: Path, version: Path) -> None:
    """Point ``out`` at ``version`` in one atomic rename (migrating a plain folder first)."""
    link = out.parent / f".{out.name}.link-{secrets.token_hex(4)}"
    os.symlink(Path(version.parent.name) / version.name, link)
    if out.is_dir() and not out.is_symlink():
        # An older syndicate's plain folder: swap it with the link, then retire it.
        retired = version.parent / f"{STAGING_PREFIX}legacy-{secrets.token_hex(4)}"
        if _exchange(link, out):
            link.rename(retired)
        else:  # two renames: without renameat2 there is a short window with no output folder
            out.rename(retired)
            link.rename(out)
    else:
        os.replace(link, out)
    fsync_dir(out.parent)


def sync_file_system(path: Path) -> None:
    """Make everything written so far on ``path``'s file system durable: one ``syncfs(2)``
    (Linux) instead of an fsync of each of thousands of folders; ``sync(2)`` elsewhere."""
    syncfs = libc.function("syncfs")
    if syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        if syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def plain_path(path: str) -> bool:
    """A relative path that stays inside its folder and reads as no option."""
    return (not path.startswith(("/", "-")) and "\0" not in path
            and all(part not in ("", ".", "..") for part in path.split("/")))


def trash_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.trash"


@contextmanager
def own_folder(path: Path, create: bool = False) -> Iterator[int | None]:
    """A descriptor of the folder ``path``, opened without following a link (None when it
    does not exist): what is done inside it through the descriptor stays inside it, even if
    someone replaces the name with a link meanwhile."""
    if create:
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        yield None
        return
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise OutputError(f"refusing to use {display_path(path)}: it is a symbolic link or "
                              "not a folder, so syndicate did not create it; remove it and "
                              "publish again") from None
        raise
    try:
        yield fd
    finally:
        os.close(fd)


def collect_garbage(versions: Path, keep: str, trash: Path) -> None:
    """Move every other version (and leftover staging folder) into the trash: one rename each.
    Removing their thousands of files is left to :mod:`syndicate.trash`, off the
    critical path. Both folders are used through descriptors opened without following links."""
    with own_folder(versions) as versions_fd, own_folder(trash, create=True) as trash_fd:
        if versions_fd is None or trash_fd is None:
            return
        for name in os.listdir(versions_fd):
            if name != keep and not spare.belongs_to(name, keep):
                into_trash(name, versions_fd, trash_fd)


def into_trash(name: str, versions_fd: int, trash_fd: int) -> None:
    """Move the folder ``name`` into the trash (each open as a descriptor), or remove it."""
    try:
        os.rename(name, f"{name}-{secrets.token_hex(4)}", src_dir_fd=versions_fd,
                  dst_dir_fd=trash_fd)
    except OSError:
        shutil.rmtree(name, dir_fd=versions_fd, ignore_errors=True)


def retire_leftovers(out: Path, current: Path) -> None:
    """Under the publisher lock, with nothing to publish: move what killed publishes left
    (staging folders, versions never switched to) into the trash. One rename each; nothing at
    all in the usual case."""
    versions = versions_dir(absolute(out))
    if any(entry.name != current.name and not spare.belongs_to(entry.name, current.name)
           for entry in versions.iterdir()):
        collect_garbage(versions, keep=current.name, trash=trash_dir(absolute(out)))


def current_version(out: Path) -> Path | None:
    """The version folder ``out`` points at, or None (no publish yet, or an older plain folder)."""
    out = absolute(out)
    if not out.is_symlink() or not _is_ours(out):
        return None
    target = out.parent / os.readlink(out)
    return target if target.is_dir() else None
