"""Domain errors. Only :mod:`syndicate.cli` turns them into messages and exit codes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click


def display_path(path: Path | str) -> str:
    """A path as the user should read it: relative to the current folder when inside it."""
    p = Path(path)
    try:
        return (
            os.path.relpath(p)
            if p.is_absolute() and p.resolve().is_relative_to(Path.cwd())
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

    def __str__(self) -> str:
        where = display_path(self.path) + (f":{self.line}" if self.line else "")
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"


class SyndicateError(click.ClickException):
    """Root of every error syndicate reports to the user (exit status 1)."""

    exit_code = 1


class ContentError(SyndicateError):
    """The project's content or configuration has problems; all of them are carried."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found")

    def format_message(self) -> str:
        return "\n".join([*map(str, self.problems), self.message])


class OutputError(SyndicateError):
    """The output folder cannot be used or written."""
