"""Domain errors. Only :mod:`syndicate.cli` turns them into messages and exit codes."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import click


def display_path(path: Path | str) -> str:
    """A path as the user should read it: relative to the current folder when inside it."""
    p = Path(path)
    try:
        return (
            os.path.relpath(p)
            if p.is_absolute() and Path(os.path.realpath(p)).is_relative_to(Path.cwd())
            else str(p)
        )
    except (OSError, ValueError):
        return str(p)


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in the input, located as precisely as known."""

    path: str
    line: int | None
    message: str
    warning: bool = False
    draft: bool = False  # in a draft statement: a warning that even --strict lets pass

    def __str__(self) -> str:
        where = display_path(self.path) + (f":{self.line}" if self.line else "")
        kind = "warning (draft): " if self.draft else "warning: " if self.warning else ""
        return f"{where}: {kind}{self.message}"

    def in_draft(self) -> Problem:
        """This problem as a draft's: a warning, never fatal (a draft is published nowhere)."""
        return Problem(self.path, self.line, self.message, True, True)


# Problems shown per file; the rest are counted (a file can hold a million bad characters).
SHOWN_PER_FILE = 20


def problem_lines(problems: Iterable[Problem]) -> Iterator[str]:
    """Each problem as ``path:line: message``, at most :data:`SHOWN_PER_FILE` a file, then
    how many more that file has.

    >>> list(problem_lines([Problem("a.md", n, "bad") for n in range(1, 23)]))[-2:]
    ['a.md:20: bad', 'a.md: ... and 2 more problems in this file']
    """
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.path] = seen = counts.get(problem.path, 0) + 1
        if seen <= SHOWN_PER_FILE:
            yield str(problem)
    for path, count in counts.items():
        if count > SHOWN_PER_FILE:
            more = count - SHOWN_PER_FILE
            yield (f"{display_path(path)}: ... and {more:,} more problem{'s' if more != 1 else ''}"
                   " in this file")


class SyndicateError(click.ClickException):
    """Root of every error syndicate reports to the user (exit status 1)."""

    exit_code = 1


class ContentError(SyndicateError):
    """The project's content or configuration has problems; all of them are carried."""

    def __init__(self, problems: Iterable[Problem], note: str = "") -> None:
        # (None lines first: a dataclass order would compare None with an int and fail)
        # (each once: two renderings of one text find the same problem)
        self.problems = sorted(dict.fromkeys(problems),
                               key=lambda p: (p.path, p.line or 0, p.message))
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} found" + (f" ({note})" if note else "")
        )

    def show(self, file: IO[str] | None = None) -> None:
        """Each problem on its own line (``path:line: message``), then the count."""
        for line in problem_lines(self.problems):
            click.echo(line, err=True, file=file)
        click.echo(f"Error: {self.message}", err=True, file=file)


class OutputError(SyndicateError):
    """The output folder cannot be used or written."""


class WorkerLost(SyndicateError):
    """A worker process (rendering or loading) ended without a word: killed, by the system's
    out-of-memory killer most likely. Whatever was being published was not: the unfinished
    version is removed as for any error."""

    def __init__(self) -> None:
        super().__init__(
            "a worker process ended abruptly (killed, perhaps for want of memory), and the "
            "command stopped: nothing was published, the output folder shows the previous "
            "publish (if any); try again, or with fewer processes (--jobs 1)")


# What the system says about a file, in the user's terms: the strerror alone is often cryptic.
_EXPLAINED = {
    errno.ENOSPC: "no space left on the device: the disk is full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "the file name is too long for the file system",
    errno.ELOOP: "is a symbolic link (or a loop of them), which syndicate does not follow here",
}


class FileSystemError(SyndicateError):
    """The system refused to read or write a file (permissions, a full disk, a FIFO...):
    shown as ``path: what went wrong (the system's words)``."""

    def __init__(self, error: OSError) -> None:
        self.error = error
        names = [display_path(os.fsdecode(name)) for name in (error.filename, error.filename2)
                 if name is not None]  # (two for a rename or a link: from -> to)
        where = " -> ".join(names) or "syndicate"
        what = error.strerror or str(error)
        explained = _EXPLAINED.get(error.errno or 0)
        if explained is not None and explained != what:
            what = f"{explained} ({what})"
        notes = getattr(error, "__notes__", ())  # e.g. what became of the publish
        super().__init__("; ".join([f"{where}: {what}", *notes]))

    def show(self, file: IO[str] | None = None) -> None:
        click.echo(self.message, err=True, file=file)
