"""The command line: parse, call one function, report. The only module that prints or exits."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from syndicate import __version__, completion
from syndicate.errors import ContentError, FileSystemError, Problem, problem_lines
from syndicate.variants import PDF_VARIANTS

if TYPE_CHECKING:
    from syndicate.scaffold import Request

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
        if (offset := re.search(r"[+-]\d{2}:?(\d{2})(:[\d.]+)?$", value)) and (
                int(offset.group(1)) > 59 or offset.group(2)):
            self.fail(f"{value!r}: an offset is hours and minutes, 00 to 59", param, ctx)
        return moment


class BaseUrl(click.ParamType):  # type: ignore[type-arg]
    """A base URL, by the same rules as the config's ``base_url``."""

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from syndicate.config import base_url_problem

        if (problem := base_url_problem(value)) is not None:
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
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            raise interrupted() from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            raise FileSystemError(exc) from None
        except KeyboardInterrupt:
            raise interrupted() from None


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


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--language", "languages", multiple=True, metavar="CODE[=TAG]",
              help="A language and its BCP 47 tag, e.g. pt=pt-PT; repeat it; the first is the "
              "default.")
@click.option("--issuer", "issuers", multiple=True, metavar="CODE=NAME",
              help="Who signs the communiqués in that language; once per language.")
@click.option("--title", "titles", multiple=True, metavar="CODE=TEXT",
              help="The feeds' and index pages' title in that language [default: the issuer].")
@click.option("--timezone", default=None, metavar="ZONE",
              help="The IANA time zone, e.g. Europe/Lisbon.")
@click.option("--base-url", default=None, metavar="URL",
              help="Where the output will be published.")
@click.option("--force", is_flag=True, help="Write over the syndicate.toml already there.")
def init(folder: Path, languages: tuple[str, ...], issuers: tuple[str, ...],
         titles: tuple[str, ...], timezone: str | None, base_url: str | None,
         force: bool) -> None:
    """Start a project in FOLDER: syndicate.toml, statements/ and a .gitignore.

    Without --language, asks for everything at the terminal."""
    from syndicate import scaffold

    request = scaffold.Request(languages, issuers, timezone or "", base_url or "", titles, force)
    if not languages:  # no option given: ask for everything
        request = ask_init(request)
    created = scaffold.init(folder, request)
    report_warnings(created.warnings)
    click.echo(f"Wrote {', '.join(map(str, created.written))}\nNext: syndicate new \"Title\""
               + ("" if folder == Path(".") else f" --project {folder}"))


def ask_init(request: Request) -> Request:
    """``init``'s request, asked at the terminal."""
    from dataclasses import replace

    from syndicate import scaffold

    languages = tuple(click.prompt(
        "Languages, the first the default (CODE=BCP 47 tag, e.g. pt=pt-PT en)", default="en"
    ).replace(",", " ").split())
    issuers = tuple(f"{code}={click.prompt(f'Issuer in {code} (who signs the communiqués)')}"
                    for code in scaffold.language_codes(languages))
    return replace(
        request, languages=languages, issuers=issuers,
        timezone=request.timezone or click.prompt("Time zone", default=scaffold.local_timezone()),
        base_url=request.base_url or click.prompt("Base URL (where the output will be published)"))


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
@strict_option
@click.option(
    "--pdf-variant",
    type=click.Choice(PDF_VARIANTS),
    default=None,
    help="PDF flavour of the communiqués, instead of [pdf] variant [default: pdf/a-3u].",
)
@click.option("--jobs", "-j", type=click.IntRange(1), default=None,
              help="Render in this many processes [default: one per core; 1: in-process].")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="Where to render: local processes or a Dask cluster.")
@click.option("--scheduler", default=None,
              help="The Dask scheduler's address for --executor dask, e.g. tcp://host:8786.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but problems.")
@click.option("--verbose", "-v", is_flag=True, help="Print every unit as it is rendered.")
@click.option("--keep-going", "-k", is_flag=True,
              help="Publish every statement without problems, leave out the others and report "
              "them (exit status 1).")
def publish(
    project: Path, out: Path | None, base_url: str | None, now: datetime | None, strict: bool,
    pdf_variant: str | None, jobs: int | None, executor: str, scheduler: str | None,
    quiet: bool, verbose: bool, keep_going: bool,
) -> None:
    """Publish statements/ into dist/: feeds, PDFs, pages, share snippets and a manifest.

    Only what changed since the last publish is rendered; the rest is reused."""
    from syndicate import backends
    from syndicate import publish as pipeline
    from syndicate.progress import Progress
    from syndicate.project import load
    from syndicate.terminal import publish_summary

    # When an input changed, local workers start importing WeasyPrint now, while this loads.
    early = backends.Early(project, out or project / "dist", base_url, pdf_variant)
    with backends.choose(executor, jobs, scheduler, early) as backend:
        loaded = load(project, base_url, pdf_variant, cache=True, jobs=jobs,
                      keep_going=keep_going)
        report_warnings(loaded.warnings, strict)
        report = pipeline.publish(loaded, out or project / "dist", now or datetime.now(UTC),
                                  backend=backend, progress=Progress(quiet, verbose),
                                  keep_going=keep_going)
    if not quiet:
        click.echo(publish_summary(report, out or project / "dist"))
    if left_out := (*loaded.problems, *report.problems):
        raise ContentError(left_out, "--keep-going: their statements were left out, "
                                     "the others published")


@main.command()
@project_option
@strict_option
def check(project: Path, strict: bool) -> None:
    """Validate everything publish would read; write nothing."""
    from syndicate import project as pipeline
    from syndicate.mail.lists import check_lists

    lists = check_lists(project)  # press lists: reported with the content's problems
    try:
        loaded = pipeline.check(project)
    except ContentError as exc:
        raise ContentError([*exc.problems, *lists]) from None
    if lists:
        raise ContentError(lists)
    report_warnings(loaded.warnings, strict)
    click.echo(
        f"OK: {len(loaded.statements)} statement(s), "
        f"{sum(len(s.translations) for s in loaded.statements)} translation(s)"
    )


@main.command()
@project_option
@click.option("--now", type=DateTime(), default=None,
              help="Show each statement's state as of this instant (ISO 8601 with offset), e.g. "
              "what will be live then; default: the current time.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def status(project: Path, now: datetime | None, as_json: bool) -> None:
    """Each statement by language: published, missing, stale, untracked, scheduled or draft.

    Last, which statement goes live next, and when."""
    from syndicate import project as pipeline
    from syndicate import terminal, workflow

    loaded = pipeline.load(project)
    report_warnings(loaded.warnings)  # a broken draft is in no row: its problems say why
    rows = workflow.status(loaded.site, loaded.statements, now or datetime.now(UTC))
    click.echo(terminal.render_status(rows, loaded.site, reader_locale(), as_json))


@main.command()
@click.argument("title")
@project_option
@click.option("--lang", default=None, shell_complete=completion.languages,
              help="The language it is written in [default: the site's].")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Publication date, YYYY-MM-DD [default: today].")
@click.option("--id", "statement_id", default="",
              help="The statement's id [default: the date and the title's first words].")
def new(title: str, project: Path, lang: str | None, day: datetime | None,
        statement_id: str) -> None:
    """Scaffold a statement: the original to write and empty translations, as a draft."""
    from syndicate import workflow
    from syndicate.config import load_site

    site = load_site(project)  # only the configuration: other statements may be broken
    request = workflow.NewStatement(title, site.default_language if lang is None else lang,
                                    (day or datetime.now(UTC)).date(), statement_id)
    folder = workflow.scaffold(project, site, request)
    click.echo(f"Created {folder} (draft: remove 'draft: true' from statement.yaml to publish)")


@main.command()
@click.argument("statement_id", shell_complete=completion.statement_ids)
@click.argument("lang", shell_complete=completion.languages)
@project_option
def translated(statement_id: str, lang: str, project: Path) -> None:
    """Record that LANG's translation of STATEMENT_ID matches the current original."""
    from syndicate import project as pipeline
    from syndicate import workflow

    statement = pipeline.load(project).statement(statement_id)
    path = workflow.mark_translated(project, statement, lang)
    click.echo(f"Marked {path} as translated from the current original")


@main.group()
def i18n() -> None:
    """A project's own interface words (locales/), over the packaged ones."""


@i18n.command("extract")
@project_option
def i18n_extract(project: Path) -> None:
    """Extract every interface string into locales/messages.pot."""
    from syndicate import catalogs

    click.echo(f"Wrote {catalogs.extract(project / 'locales')}")


@i18n.command("update")
@project_option
def i18n_update(project: Path) -> None:
    """Write or update each language's locales/<locale>/LC_MESSAGES/messages.po to override."""
    from syndicate import catalogs
    from syndicate.config import load_site

    for path in catalogs.update(project / "locales", load_site(project)):
        click.echo(f"Updated {path}")


@i18n.command("compile")
@project_option
def i18n_compile(project: Path) -> None:
    """Compile the words publish uses to .mo files (publish does not need them)."""
    from syndicate import catalogs
    from syndicate.config import load_site

    for path in catalogs.compile_all(project / "locales", load_site(project)):
        click.echo(f"Compiled {path}")


@main.command()
@click.argument("statement_id", shell_complete=completion.statement_ids)
@click.option("--lang", default=None, shell_complete=completion.languages,
              help="Language code [default: the site's, if translated].")
@click.option("--platform", default=None, shell_complete=completion.platforms,
              help="One platform (x, bluesky, mastodon, ..., sms).")
@click.option("--json", "as_json", is_flag=True, help="Print the full record(s) as JSON.")
@click.option("--preview", is_flag=True,
              help="Print the posts of a draft or embargoed statement too, under a warning line.")
@click.option("--now", type=DateTime(), default=None,
              help="Judge whether it is live as of this instant [default: the current time].")
@project_option
@base_url_option
def share(statement_id: str, lang: str | None, platform: str | None, as_json: bool,
          preview: bool, now: datetime | None, project: Path, base_url: str | None) -> None:
    """Print a statement's ready-to-paste share posts (all platforms, or one).

    A draft's, or an embargoed or scheduled statement's, only with --preview."""
    from syndicate import project as pipeline
    from syndicate import terminal, workflow

    loaded = pipeline.load(project, base_url)
    statement = loaded.statement(statement_id)
    banner = workflow.share_banner(project, loaded.site, statement, now or datetime.now(UTC),
                                   preview)
    text = terminal.share_posts(loaded.site, statement, lang, platform, as_json)
    if banner:  # first; beside JSON, on stderr, so that the JSON stays JSON
        click.echo(banner, err=as_json)
    click.echo(text)


@main.command()
@project_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--base-url", type=BaseUrl(),
              help="Publish for this base URL [default: the server's own].")
@now_option
def serve(project: Path, port: int, base_url: str | None, now: datetime | None) -> None:
    """Preview the site on 127.0.0.1 as you edit.

    Publishes into PROJECT/.syndicate-serve/ (never into dist/ or beside it: the preview is made
    for the server's own address), serves it on 127.0.0.1 and republishes when a source changes.
    Publish the site itself with `syndicate publish`."""
    from syndicate.serve import Server

    server = Server(project, port, base_url, lambda: now or datetime.now(UTC), click.echo)
    try:
        server.start()
        click.echo(f"Serving {server.url} from {server.out} (Ctrl+C to stop)")
        server.watch()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@main.command()
@click.argument("statement_id")
@click.option("--list", "lists", multiple=True, metavar="NAME",
              help="Send to lists/NAME.csv; repeat for several lists.")
@click.option("--tag", "tags", multiple=True, help="Only recipients with this tag (repeatable).")
@click.option("--embargoed", is_flag=True,
              help="Before go-live: embargoed copies to the accredited recipients only.")
@click.option("--resend-uncertain", is_flag=True,
              help="Also resend what an interrupted send left uncertain (may duplicate).")
@click.option("--retry-failed", is_flag=True,
              help="Also retry what the server refused for good (5xx) in an earlier send.")
@click.option("--dry-run", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write every message as .eml into this folder; send nothing.")
@click.option("--preview", is_flag=True, help="Print one message (in --lang) as it would go out.")
@click.option("--lang", default=None, help="The language of --preview [default: the original].")
@click.option("--status", "show_status", is_flag=True,
              help="Sent, failed, uncertain and pending per list and language.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but problems.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The published folder, whose PDFs are attached [default: PROJECT/dist].")
@project_option
@now_option
def send(statement_id: str, lists: tuple[str, ...], tags: tuple[str, ...], embargoed: bool,
         resend_uncertain: bool, retry_failed: bool, dry_run: Path | None, preview: bool,
         lang: str | None, show_status: bool, quiet: bool, out: Path | None, project: Path,
         now: datetime | None) -> None:
    """E-mail STATEMENT_ID to press lists, each recipient in their language, exactly once."""
    from syndicate.mail import send as mailing
    from syndicate.progress import Progress

    request = mailing.Request(project, statement_id, lists, tags, now or datetime.now(UTC),
                              embargoed, resend_uncertain, retry_failed, out)
    if show_status or preview or dry_run:
        click.echo(mailing.status(request) if show_status else mailing.preview(request, lang)
                   if preview else mailing.dry_run(request, dry_run or project), nl=not preview)
        return
    bar = Progress(quiet, label="Sending ({reused} already sent)")
    summary = mailing.send(request, bar.start, lambda: bar.advance(""))
    bar.finish()
    if not summary.ok:
        raise mailing.DeliveryError(summary)
    if not quiet:
        click.echo(str(summary))


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


@main.command()
@project_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The published folder [default: PROJECT/dist].")
def ping(project: Path, out: Path | None) -> None:
    """Tell the WebSub hub ([feeds] hub) which feeds the last publish changed."""
    from syndicate import websub

    changes = websub.load_changes(out or project / "dist")
    for feed in websub.ping(changes):
        click.echo(f"Notified {changes.hub}: {feed}")
    if not changes.feeds:
        click.echo("No feed changed in the last publish: nothing to notify.")
