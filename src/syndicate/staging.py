"""A new version of the output folder being written: the write stage's one place of writing.

Files go in written (:meth:`Staging.add`), already written by a worker (:meth:`Staging.written`)
or linked from the current version (:meth:`Staging.reuse_all`), each with its manifest entry;
:meth:`Staging.commit` makes them durable, names the version and switches the output folder to
it (see :mod:`syndicate.output` for the layout and the switch).
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from syndicate import output, spare
from syndicate.carry import Damaged
from syndicate.errors import OutputError
from syndicate.files import read_regular
from syndicate.model import Artifact, Entry
from syndicate.processes import helper_thread

if TYPE_CHECKING:
    from hashlib import _Hash as Hash


# What a write into a taken spare meets where the new version has a folder at the path of one
# of the previous version's files, or a file at the path of one of its folders (an image
# replaced by a folder of its name): the spare's paths are the previous version's. (EPERM:
# what unlinking a folder gives on macOS, where Linux gives EISDIR.)
CLASHES = (errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.EPERM)


class SpareClash(Exception):
    """A write into a taken spare met a path of the previous version's in its way (see
    :data:`CLASHES`); the unfinished version is gone: publish again without the spare."""


class Staging:
    """A new version being written: files go in (written, or linked from the current version),
    each with its manifest entry; :meth:`commit` fsyncs, names and switches to it.

    Use as a context manager: leaving it without a commit removes the staging folder. For a
    ``large`` site, it starts as the ``current`` version's spare if one is ready, and its
    commit starts making its own (see :mod:`syndicate.spare`) unless ``followed``: another
    publish comes at once, which could not use a spare still being made.
    """

    def __init__(self, out: Path, current: Path | None = None, large: bool = False,
                 followed: bool = False) -> None:
        self.out = output.absolute(out)
        self.current, self.large, self.followed = current, large, followed
        self.spare = False  # started as the current version's spare
        self._previous: AbstractSet[str] = frozenset()  # the current version's files (but
        # the carried ones, when there are: see replacing)
        self._carried: Sequence[str] = ()  # those kept as they are (see replacing)
        self.versions = output.versions_dir(self.out)
        self.path = self.versions / f"{output.STAGING_PREFIX}{secrets.token_hex(6)}"
        self._folders: set[str] = {str(self.path)}
        self.entries: list[Entry] = []
        self.name: str | None = None
        self._threads: list[threading.Thread] = []  # linking (see reuse_all)
        self._failures: list[BaseException] = []

    def __enter__(self) -> Staging:
        # Made here, not in __init__: once __enter__ returns, __exit__ runs whatever happens
        # (a Ctrl-C between the two would leave the folder behind); and removed here if a
        # Ctrl-C comes before this returns (just after the folder was made, say).
        self.versions.mkdir(parents=True, exist_ok=True)
        try:
            self.spare = self.large and spare.take(self.current, self.path)
            if not self.spare:
                self.path.mkdir()
            return self
        except BaseException as error:
            self._remove(error)
            raise

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self._wait()
        if self.name is None:
            self._remove(error)
            if self._clashed(error):
                raise SpareClash(str(error)) from error
            if isinstance(error, OSError):  # e.g. a full disk: say what became of the output
                error.add_note(f"nothing was published: {self.out.name} still shows the "
                               "previous publish (if any), and the unfinished one was removed")

    def _remove(self, error: object) -> None:
        """Remove the unfinished version (left by ``error``)."""
        full = isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
        if self.large and not full:  # (thousands of files: removed off the critical path;
            _discard(self.path, self.out)  # a full disk wants its space back now)
        else:
            shutil.rmtree(self.path, ignore_errors=True)

    def _clashed(self, error: object) -> TypeGuard[OSError]:
        """Whether ``error`` is a write into a taken spare that met one of its paths (see
        :data:`CLASHES`): not any error of those numbers, only one at a path in here."""
        if not (self.spare and isinstance(error, OSError) and error.errno in CLASHES):
            return False
        inside = os.path.join(self.path, "")
        return any(name is not None and os.fsdecode(name).startswith(inside)
                   for name in (error.filename, error.filename2))

    def _target(self, path: str) -> str:
        # Plain strings, one mkdir per folder: a republish takes thousands of files through here.
        target = os.path.join(self.path, path)
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return target

    def add(self, artifact: Artifact) -> None:
        """Write one artifact."""
        output.write_file(Path(self._target(artifact.path)), artifact.data)
        self.entries.append(artifact.manifest_entry())

    def written(self, entry: Entry) -> None:
        """Record a file another process has already written into :attr:`path`."""
        self.entries.append(entry)

    def reuse(self, source: str | Path, entry: Entry) -> None:
        """Take an unchanged file from a previous version: a hard link (versions are never
        modified in place), or a copy where links are impossible; nothing to do when this
        version started as the current one's spare and the file is the current one's (its
        link is here already: see :meth:`_held`)."""
        if not self._held(source, entry.path):
            self._take(source, entry.path)
        self.entries.append(entry)

    def _held(self, source: str | Path, path: str) -> bool:
        """Whether this version started as the current one's spare and ``source`` is the
        current version's own file at ``path``: the spare has its link there already."""
        return self.spare and str(source) == f"{self.current}/{path}"

    def reuse_all(self, files: list[tuple[str, Entry]], listed: bool = True) -> None:
        """:meth:`reuse` for many files, linked while this thread goes on: by GNU ``cp`` in
        a process of its own when they all come from one folder, else (or for what it left)
        by a thread. :meth:`commit` waits for it and raises what it raised. Unless ``listed``,
        their entries are not added to :attr:`entries` (the manifest has their lines already:
        see :func:`syndicate.manifest.previous_lines`).

        A Python loop needs the interpreter lock between links, which the publishing thread
        holds, so the main thread ended up waiting for the links; ``cp`` needs no lock and
        the wait mostly goes (figures: ``benchmarks/notes.md``).

        Then the thread makes the links durable (one ``syncfs``, while the renderers still
        work): :meth:`commit` syncs again, with only what was written since left to flush.
        """
        if listed:
            self.entries.extend(entry for _, entry in files)
        if self.spare:  # the current version's files are here already
            files = [(source, entry) for source, entry in files
                     if not self._held(source, entry.path)]
            if not files:
                return

        def link() -> None:
            try:
                paths = [entry.path for _, entry in files]
                if not self._link_in_one_process(files, paths):
                    for (source, _), path in zip(files, paths, strict=True):
                        if not os.path.lexists(os.path.join(self.path, path)):
                            self._take(source, path)
                output.sync_file_system(self.path)
            except FileNotFoundError as exc:  # (a carried file: see syndicate.carry)
                self._failures.append(exc if listed else Damaged(str(exc)))
            except BaseException as exc:  # noqa: BLE001  (raised again by commit)
                self._failures.append(exc)

        thread = helper_thread(link, "syndicate-links")
        thread.start()
        self._threads.append(thread)

    def _link_in_one_process(self, files: list[tuple[str, Entry]],
                             paths: list[str]) -> bool:
        """Hard-link every ``files`` source to its path here with ``xargs cp -l --parents``
        when they are all ``<one folder>/<path>`` and each path is plain (relative, no ``..``);
        whether every link was made."""
        cp, xargs = shutil.which("cp"), shutil.which("xargs")
        if not files or cp is None or xargs is None:
            return False
        root = files[0][0][:-len(paths[0]) - 1]
        if not all(source == f"{root}/{path}" and output.plain_path(path)
                   for (source, _), path in zip(files, paths, strict=True)):
            return False
        done = subprocess.run(
            [xargs, "-0", cp, "-lP", "--parents", "-t", str(self.path), "--"],
            input=b"\0".join(os.fsencode(path) for path in paths), cwd=root, check=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return done.returncode == 0

    def _take(self, source: str | Path, path: str) -> None:
        target = self._target(path)
        try:
            os.link(source, target)
        except FileExistsError:  # the spare's link: this very file, or another one's
            if not os.path.samefile(source, target):
                os.unlink(target)
                self._take(source, path)
        except OSError:
            shutil.copyfile(source, target)
            with open(target, "rb+") as handle:
                os.fsync(handle.fileno())

    def replacing(self, paths: AbstractSet[str], carried: Sequence[str] = ()) -> None:
        """The files of the current version (the ones of its manifest) but the ``carried``
        ones (kept as they are, not in :attr:`entries`: see :mod:`syndicate.carry`): those the
        new version does not have are removed from a spare at :meth:`commit`."""
        self._previous, self._carried = paths, carried

    def _drop_stale(self, signed: bool) -> None:
        """A spare's files the new version does not have, removed (its manifest's signature
        too, unless the new one is signed)."""
        keep = {entry.path for entry in self.entries}
        stale = ([path for path in self._previous if path not in keep] if self._previous
                 else spare.leftovers(self.path, keep | {output.MANIFEST, *self._carried}))
        if not signed:
            stale.append(output.MANIFEST_SIGNATURE)
        spare.remove(self.path, stale)

    def _wait(self) -> None:
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def commit(self, manifest: Callable[[list[Entry]], Iterable[bytes]],
               sign: Callable[[bytes], bytes] | None = None) -> str:
        """Write the manifest (its pieces as they come; with ``sign``, its detached signature
        beside it), make everything durable, switch ``out`` to this version and remove the
        older ones. Returns the version's name."""
        self._wait()
        if self._failures:
            raise self._failures[0]
        versions, out = self.versions, self.out
        if self.spare:
            self._drop_stale(sign is not None)
        digest = hashlib.sha256()
        output.write_file(self.path / output.MANIFEST, _hashed(manifest(self.entries), digest))
        if sign is not None:
            document = read_regular(self.path / output.MANIFEST)
            output.write_file(self.path / output.MANIFEST_SIGNATURE, sign(document))
        output.sync_file_system(self.path)  # every file and folder entry, in one call
        name = digest.hexdigest()[:16]
        current = os.readlink(out) if out.is_symlink() else None
        if (versions / name).exists() and current != f"{versions.name}/{name}":
            with output.own_folder(versions) as versions_fd:  # a leftover, not served: replace it
                shutil.rmtree(name, dir_fd=versions_fd)
        if (versions / name).exists():  # same publish as the current one: fresh name
            name = f"{name}-{secrets.token_hex(3)}"
        self.path.rename(versions / name)
        self.name = name
        output.fsync_dir(versions)
        output.switch(out, versions / name)
        output.collect_garbage(versions, keep=name, trash=output.trash_dir(out))
        if self.large and not self.followed:
            spare.prepare(versions / name)
        return name


def _discard(folder: Path, out: Path) -> None:
    """Move ``folder``, a version never switched to (in the versions folder of ``out``), into
    the trash with one rename: its thousands of files are removed by the next publish, as an
    old version's are (see :mod:`syndicate.trash`); removed now if it cannot be moved."""
    try:
        with output.own_folder(folder.parent) as versions_fd, \
                output.own_folder(output.trash_dir(out), create=True) as trash_fd:
            if versions_fd is not None and trash_fd is not None:
                output.into_trash(folder.name, versions_fd, trash_fd)
                return
    except (OSError, OutputError):  # (no trash to be had: never hides the publish's error)
        pass
    shutil.rmtree(folder, ignore_errors=True)


def _hashed(pieces: Iterable[bytes], digest: Hash) -> Iterator[bytes]:
    """``pieces``, each added to ``digest`` as it passes."""
    for piece in pieces:
        digest.update(piece)
        yield piece
