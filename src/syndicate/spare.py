"""The next version, prepared in advance: an edit's publish costs what it changes, not what
the archive holds.

Every version of the output folder is whole (see :mod:`syndicate.output`): a publish links
each unchanged file of the current version into the new one, one hard link per file, which
on a large archive costs more than anything the edit itself renders (each link is a folder
entry the file system writes: figures in ``benchmarks/notes.md``). So once a publish of a
large site has switched to its version, a process of its own (GNU ``cp -al``, outside the
publisher lock, after the command returned) links that whole version into a spare beside it,
``.spare-<version>`` (under a ``.part-`` name until it is complete). The next publish that
reuses most of its files takes the spare as its staging folder with one rename: the reused
files are there already; what it writes replaces its path's link with a new file (see
:func:`syndicate.output.write_file`: never a write into a file another version shares); what
the new version no longer has is removed at its commit.

A spare is only ever of the current version (its name says which); any other is garbage,
collected with the old versions; one still being made when the next publish comes is simply
not used. Versions are never modified, so a spare's files are the current version's.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import subprocess
from collections.abc import Iterable
from pathlib import Path

PREFIX = ".spare-"
# Files in a site from which it is large: its versions get a spare, and its old versions are
# removed from the trash after the command returns (below, linking a version's files during
# the publish costs a few tenths of a second at most: figures in benchmarks/notes.md).
FROM_FILES = 2_000
# A publish takes the spare when it renders at most one unit in this many (a full re-render
# would replace every link of it, one more file-system call per file).
REUSED_AT_LEAST = 8
# Link every file of a version into its spare, durable and complete under the spare's name or
# not at all, in the background: the shell returns at once, the work goes on without it.
SCRIPT = ('(cp -al -- "$1" "$2" && sync -f -- "$2" && mv -T -- "$2" "$3") '
          '>/dev/null 2>&1 </dev/null &')


def path_of(version: Path) -> Path:
    """Where the spare of ``version`` (a folder in the versions folder) is kept."""
    return version.parent / f"{PREFIX}{version.name}"


def belongs_to(name: str, version: str) -> bool:
    """Whether ``name``, in the versions folder, is the spare of ``version`` (or is being
    made into it)."""
    return name == f"{PREFIX}{version}" or name.startswith(f"{PREFIX}{version}.part-")


def large(files: int) -> bool:
    """Whether a site of ``files`` files is large (see :data:`FROM_FILES`)."""
    return files >= FROM_FILES


def prepare(version: Path) -> None:
    """Start making the spare of ``version`` (the current version, just switched to) in a
    process of its own that outlives this one (in a session of its own: a Ctrl-C meant for
    the command does not stop it), if GNU ``cp`` and ``mv`` are here."""
    sh, cp, mv = (shutil.which(tool) for tool in ("sh", "cp", "mv"))
    if not (sh and cp and mv):
        return
    spare = path_of(version)
    part = spare.with_name(f"{spare.name}.part-{secrets.token_hex(4)}")
    subprocess.run(  # noqa: S603  (fixed script; the paths are this publish's own folders)
        [sh, "-c", SCRIPT, "sh", os.fspath(version), os.fspath(part), os.fspath(spare)],
        start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, check=False)


def take(version: Path | None, staging: Path) -> bool:
    """Rename the spare of ``version`` (the current version) to ``staging``; whether it was
    there to take (a folder, not a link: never anything but what :func:`prepare` made)."""
    if version is None:
        return False
    spare = path_of(version)
    try:
        found = os.lstat(spare)
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.geteuid():
            return False  # (a link, or a folder this user did not make: not ours)
        os.rename(spare, staging)
    except OSError:
        return False
    if os.path.islink(staging) or not os.path.isdir(staging):  # swapped meanwhile: not ours
        os.rename(staging, staging.with_name(f"{staging.name}-not-a-spare"))
        return False
    return True


def remove(staging: Path, paths: Iterable[str]) -> None:
    """Remove the files ``paths`` (relative, as a manifest lists them: one that is not plain is
    no file of a version, and never looked for) of a taken spare that the new version does not
    have, and every folder that leaves empty."""
    from syndicate.output import plain_path

    folders = set()
    for path in paths:
        if not plain_path(path):
            continue
        try:
            os.unlink(os.path.join(staging, path))
        except OSError:  # gone, or a folder: not a file this version had
            continue
        folders.add(os.path.dirname(path))
    for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
        while folder:
            try:
                os.rmdir(os.path.join(staging, folder))
            except OSError:  # not empty (or gone): neither are its parents
                break
            folder = os.path.dirname(folder)


def leftovers(staging: Path, keep: set[str]) -> list[str]:
    """The files of a taken spare, relative, that are not in ``keep``: what a new version
    whose previous manifest could not be read must remove (a walk of the whole folder)."""
    found = []
    for folder, _, names in os.walk(staging):
        relative = os.path.relpath(folder, staging)
        for name in names:
            path = name if relative == "." else f"{relative}/{name}"
            if path not in keep:
                found.append(path)
    return found
