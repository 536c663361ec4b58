"""The command line: parse, call one function, report. The only module that prints or exits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from syndicate import __version__
from syndicate.errors import Problem

F = TypeVar("F", bound=Callable[..., Any])


class DateTime(click.ParamType):  # type: ignore[type-arg]
    """An ISO 8601 date-time with a UTC offset, e.g. 2022-11-22T10:00:00+00:00."""

    name = "datetime"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date-time", param, ctx)
        if moment.tzinfo is None:
            self.fail(f"{value!r} needs a UTC offset, e.g. {value}+00:00", param, ctx)
        return moment


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
    return click.option("--base-url", help="Publish for this base URL instead of the config's.")(
        command
    )


def now_option(command: F) -> F:
    return click.option(
        "--now",
        type=DateTime(),
        default=None,
        help="Publish as of this instant (ISO 8601 with offset); default: the current time. "
        "Statements dated later are scheduled and appear nowhere.",
    )(command)


def report_warnings(warnings: tuple[Problem, ...]) -> None:
    for warning in warnings:
        click.echo(str(warning), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicate")
def main() -> None:
    """Publish statements written once per language as feeds, PDF communiqués, web pages and
    share snippets."""


@main.command()
@project_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [default: PROJECT/dist].",
)
@base_url_option
@now_option
def publish(project: Path, out: Path | None, base_url: str | None, now: datetime | None) -> None:
    """Publish statements/ into dist/: feeds, PDFs, pages, share snippets and a manifest."""
    from syndicate import publish as pipeline

    loaded = pipeline.load(project, base_url)
    report_warnings(loaded.warnings)
    report = pipeline.publish(loaded, out or project / "dist", now or datetime.now(UTC))
    click.echo(
        f"Published {report.published} statement(s) in {report.languages} language(s): "
        f"{report.files} files in {out or project / 'dist'}"
        + (f"; {report.scheduled} scheduled" if report.scheduled else "")
    )


@main.command()
@project_option
def check(project: Path) -> None:
    """Validate everything publish would read; write nothing."""
    from syndicate import publish as pipeline

    loaded = pipeline.load(project)
    report_warnings(loaded.warnings)
    click.echo(
        f"OK: {len(loaded.statements)} statement(s), "
        f"{sum(len(s.translations) for s in loaded.statements)} translation(s)"
    )
