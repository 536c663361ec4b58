"""How a publish shows its progress: a bar with counts and ETA when standard error is a
terminal; otherwise nothing until the one-line summary (standard error carries problems only);
every unit on standard output with ``--verbose``; nothing but problems with ``--quiet``.

Used by :mod:`syndicate.cli` only (the one module that talks to the terminal).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


class Progress:
    def __init__(self, quiet: bool = False, verbose: bool = False,
                 tty: bool | None = None, label: str = "Rendering ({reused} reused)") -> None:
        self.quiet = quiet
        self.label = label
        self.verbose = verbose
        self.tty = sys.stderr.isatty() if tty is None else tty
        self._bar: ProgressBar[int] | None = None

    def start(self, total: int, reused: int) -> None:
        if self.quiet:
            return
        if total and self.tty and not self.verbose:
            self._bar = click.progressbar(
                length=total, label=self.label.format(reused=reused), file=sys.stderr,
                show_pos=True, show_eta=True,
            )
            self._bar.__enter__()
        elif self.verbose:
            click.echo(f"Rendering {total} unit(s), {reused} reused")

    def advance(self, unit: str) -> None:
        if self._bar is not None:
            self._bar.update(1)
        elif self.verbose and not self.quiet:
            click.echo(f"rendered {unit}")

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
