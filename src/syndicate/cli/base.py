"""The command line's frame: the group, the options several commands share, and the one place
that turns a failure of the system into a message. The only package that prints or exits."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from syndicate import __version__
from syndicate.errors import ContentError, FileSystemError, Problem, WorkerLost, problem_lines

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class DateTime(click.ParamType):  # type: ignore[type-arg]
    """An ISO 8601 date-time with a UTC offset, e.g. 2022-11-22T10:00:00+00:00."""

    name = "datetime"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        value = str(value)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date-time", param, ctx)
        if moment.tzinfo is None:
            self.fail(f"{value!r} needs a UTC offset, e.g. {value}+00:00", param, ctx)
        if (offset := re.search(r"[+-]\d{2}:?(\d{2})(:[\d.]+)?$", value)) and (
                int(offset.group(1)) > 59 or offset.group(2)):
            self.fail(f"{value!r}: an offset is hours and minutes, 00 to 59", param, ctx)
        return moment


class BaseUrl(click.ParamType):  # type: ignore[type-arg]
    """A base URL, by the same rules as the config's ``base_url``."""

    name = "url"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        from syndicate.config import base_url_problem

        if (problem := base_url_problem(str(value))) is not None:
            self.fail(problem.removeprefix("base_url "), param, ctx)
        return str(value)


def project_option(command: F) -> F:
    return click.option(
        "--project",
        "project",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="The project folder (holds syndicate.toml and statements/).",
    )(command)


def base_url_option(command: F) -> F:
    return click.option("--base-url", type=BaseUrl(),
                        help="Publish for this base URL instead of the config's.")(command)


def now_option(command: F) -> F:
    return click.option(
        "--now",
        type=DateTime(),
        default=None,
        help="Publish as of this instant (ISO 8601 with offset); default: the current time. "
        "Statements dated later are scheduled and appear nowhere.",
    )(command)


def strict_option(command: F) -> F:
    return click.option(
        "--strict", is_flag=True, help="Treat warnings as errors (exit status 1), for CI."
    )(command)


def report_warnings(warnings: tuple[Problem, ...], strict: bool = False) -> None:
    """Print the warnings (at most 20 a file); with ``strict``, those outside drafts are
    errors."""
    fatal = [warning for warning in warnings if not warning.draft] if strict else []
    for line in problem_lines(warning for warning in warnings if warning not in fatal):
        click.echo(line, err=True)
    if fatal:
        raise ContentError(fatal, "--strict makes warnings errors")


INTERRUPTED = 130  # the shell's status for a command ended by SIGINT (128 + 2)


class Syndicate(click.Group):
    """The commands, with the one place that turns a failure of the system into a message:
    any ``OSError`` (a file that cannot be read or written, a full disk) becomes
    ``path: what went wrong``, exit status 1; Ctrl-C ends quietly with status 130. Its
    ``--help`` shows each command's summary whole."""

    group_class = type  # (its subgroups are Syndicates too)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list with each summary whole (wrapped), never cut off with "..."."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: object) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            raise interrupted() from None

    def invoke(self, ctx: click.Context) -> object:
        from syndicate.processes import (  # (not for --help: multiprocessing)
            fewer_collections,
            interrupts_kept,
        )

        try:
            with fewer_collections(), interrupts_kept():
                return super().invoke(ctx)
        except OSError as exc:
            raise FileSystemError(exc) from None
        except KeyboardInterrupt:
            raise interrupted() from None
        except Exception as exc:
            if _worker_lost(exc):
                raise WorkerLost() from None
            raise


def _worker_lost(error: Exception) -> bool:
    """Whether ``error`` is a pool's, one of whose workers was killed (its futures say only
    that). Asked of ``concurrent.futures`` only if a pool imported it: ``--help`` does not."""
    import sys

    futures = sys.modules.get("concurrent.futures")
    return futures is not None and isinstance(error, futures.BrokenExecutor)


def interrupted() -> click.exceptions.Exit:
    """Ctrl-C: one line, status 130 (whatever was being published was left unfinished, and
    the output folder shows the previous publish)."""
    click.echo("Interrupted: nothing more was written.", err=True)
    return click.exceptions.Exit(INTERRUPTED)


@click.group(cls=Syndicate, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="syndicate")
def main() -> None:
    """Publish statements written once per language as feeds, PDF communiqués, web pages and
    share snippets."""


# What a command asked to keep to the end (see hold_to_the_end), once run() will end the process
_HELD: list[object] = []
_RUN: list[bool] = []  # [True] once run() runs the program


def hold_to_the_end(*objects: object) -> None:
    """Keep ``objects`` until the process ends, when :func:`run` ends it: an archive's
    statements and scan are then not freed one by one as the command returns (figures:
    ``benchmarks/notes.md``). Called from anything else (a test's runner calling
    :func:`main`), it keeps nothing."""
    if _RUN:
        _HELD.extend(objects)


def run() -> None:
    """The ``syndicate`` program: :func:`main`, then the process ends as soon as what it
    printed is out, without the interpreter's teardown: a last collection and the freeing, one
    by one, of what a command over a large archive still holds (figures:
    ``benchmarks/notes.md``). Every file it wrote is closed by then, and every thread of its
    own is a daemon; a child process still running (none should be) gets the usual exit."""
    _RUN.append(True)
    try:
        main()
    except SystemExit as done:
        status = done.code
    else:  # (click's standalone mode always exits)
        status = 0
    _end(status)


def _end(status: str | int | None) -> None:
    import multiprocessing
    import os
    import sys

    if not isinstance(status, int) or multiprocessing.active_children():
        sys.exit(status)  # (a message to print, or a child to wait for: the usual way)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # (None: started with that descriptor closed)
                stream.flush()
    except (OSError, ValueError):  # e.g. a closed pipe: the usual exit says so, as ever
        sys.exit(status)
    os._exit(status)


def takes(options: Callable[..., T]) -> Callable[[Callable[[T], None]], Callable[..., None]]:
    """Give the command its options as one object (built from them by ``options``, e.g. a
    frozen dataclass whose fields are the options' names) instead of a parameter each."""

    def decorate(command: Callable[[T], None]) -> Callable[..., None]:
        @functools.wraps(command)
        def callback(**values: object) -> None:
            command(options(**values))

        return callback

    return decorate


def reader_locale() -> str:
    """The locale of the person at the terminal (LC_ALL, LC_TIME, LANG), English otherwise."""
    import os

    from babel import Locale, UnknownLocaleError

    for variable in ("LC_ALL", "LC_TIME", "LANG"):
        value = os.environ.get(variable, "").split(".")[0].split("@")[0]
        if value:
            try:
                return "en" if value in ("C", "POSIX") else str(Locale.parse(value))
            except (UnknownLocaleError, ValueError):
                return "en"
    return "en"
