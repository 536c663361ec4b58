"""Commands that make a project and publish it: init, publish, check, status, serve, ping."""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from syndicate.cli.base import (
    BaseUrl,
    DateTime,
    base_url_option,
    hold_to_the_end,
    main,
    now_option,
    project_option,
    reader_locale,
    report_warnings,
    strict_option,
    takes,
)
from syndicate.errors import ContentError
from syndicate.variants import PDF_VARIANTS

if TYPE_CHECKING:
    from syndicate.inputs import Options, Record, Scan, Scanned
    from syndicate.project import Project
    from syndicate.publish import Report
    from syndicate.read_ahead import IndexAhead, ReadAhead
    from syndicate.scaffold import Request


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


@dataclass(frozen=True, slots=True)
class PublishOptions:
    """``publish``'s options, as given."""

    project: Path
    out: Path | None
    base_url: str | None
    now: datetime | None
    strict: bool
    pdf_variant: str | None
    jobs: int | None
    executor: str
    scheduler: str | None
    scheduler_timeout: float
    quiet: bool
    verbose: bool
    keep_going: bool
    without_pdf: bool
    full: bool

    @property
    def dist(self) -> Path:
        """The output folder: ``--out``, else the project's ``dist``."""
        from syndicate.config import OUTPUT_DIR

        return self.out or self.project / OUTPUT_DIR


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """``value`` unless it is not a number or infinite (which a float range lets through)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds")
    return value


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
@click.option("--scheduler-timeout", type=click.FloatRange(0, min_open=True), default=10.0,
              show_default=True, metavar="SECONDS", callback=_finite,
              help="How long to keep trying to reach the Dask scheduler before giving up.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but problems.")
@click.option("--verbose", "-v", is_flag=True, help="Print every unit as it is rendered.")
@click.option("--keep-going", "-k", is_flag=True,
              help="Publish every statement without problems, leave out the others and report "
              "them (exit status 1).")
@click.option("--without-pdf", is_flag=True,
              help="Publish the pages, feeds and share files without the PDF communiqués and "
              "editions (a quick look at a large archive; nothing links a PDF).")
@click.option("--full", is_flag=True,
              help="Load and plan everything even when no input changed since the last "
              "publish, and repair the output's files changed by hand.")
@takes(PublishOptions)
def publish(options: PublishOptions) -> None:
    """Publish statements/ into dist/: feeds, PDFs, pages, share snippets and a manifest.

    Only what changed since the last publish is rendered; the rest is reused."""
    from syndicate import inputs, output
    from syndicate.read_ahead import while_scanning

    o = options
    _check_executor(o)
    now = o.now or datetime.now(UTC)
    recorded = None if o.full else inputs.recorded(o.dist)  # (read once, for its three uses)
    out = output.absolute(o.dist)
    scanning = inputs.Scanning(o.project, _input_options(o), recorded, out, now)
    hold_to_the_end(scanning)  # (with the rows of a scan made here: see Scanning.whole)
    meanwhile = _Meanwhile(o.project, out)
    # (in a child, with a record to compare with and more than one process allowed)
    with while_scanning(scanning.first, o.project, o.base_url, o.pdf_variant,
                        recorded is not None and o.jobs != 1, meanwhile,
                        scanning.whole) as (scanned, ahead, whole):
        if recorded is not None and _nothing_changed(o, scanned, recorded, now):
            return  # (before importing what loads and renders)
        if scanned.nothing:  # (yet something now: another publish ran since; scanned again)
            again = inputs.Scanning(o.project, _input_options(o), recorded, out, None)
            hold_to_the_end(again)
            scanned, whole = again.first(), again.whole
        _publish_changes(o, scanned, whole, ahead, recorded, now, meanwhile.index)


def _input_options(o: PublishOptions) -> Options:
    from syndicate.inputs import Options

    return Options(o.base_url, o.pdf_variant, not o.without_pdf)


# What a publish that changes something imports after its scan, in the order it needs it
PUBLISH_MODULES = ("syndicate.backends", "syndicate.project", "syndicate.publish",
                   "syndicate.progress", "syndicate.terminal", "syndicate.seal.step",
                   "syndicate.render.pages", "syndicate.render.feeds")


class _Meanwhile:
    """What a publish does while a child scans (see :class:`read_ahead.Meanwhile`): it asks
    the kernel for the files it reads whole if something changed, which it cannot know yet
    (see :func:`read_ahead.warm_for_publish`); once the statement pack is read ahead, it imports
    :data:`PUBLISH_MODULES` one by one, then reads the output's cache index ahead of the plan
    (see :func:`read_ahead.index_ahead`), until the child is done. This process would wait
    anyway, and a publish that changes nothing needs none of it."""

    def __init__(self, project: Path, out: Path) -> None:
        self.project, self.out = project, out
        self.index: IndexAhead | None = None  # the cache index, if its reading began

    def start(self, done: Callable[[], bool]) -> None:
        from syndicate.read_ahead import warm_for_publish

        warm_for_publish(self.project, self.out, done)

    def __call__(self, done: Callable[[], bool]) -> None:
        for name in PUBLISH_MODULES:
            if done():
                return
            importlib.import_module(name)
        if not done():
            from syndicate.read_ahead import index_ahead

            self.index = index_ahead(self.out, done)


def _publish_changes(o: PublishOptions, scanned: Scanned, whole: Callable[[], Scan | None],
                     ahead: ReadAhead | None, recorded: Record | None, now: datetime,
                     index: IndexAhead | None = None) -> None:
    """Publish what changed since ``recorded`` (None: all), as ``scanned`` says (its statement
    folders known: see :func:`inputs.known`); the scan ``whole`` taken for the record; the
    statement pack and the cache index, if they were read ``ahead``."""
    from syndicate import backends
    from syndicate.project import load

    # When an input changed, local workers start importing WeasyPrint now, while this loads.
    early = backends.Early(o.project, o.base_url, o.pdf_variant, scanned.expected)
    scheduler = backends.Scheduler(o.scheduler, o.scheduler_timeout)
    with backends.choose(o.executor, o.jobs, scheduler, early) as backend:
        loaded = load(o.project, o.base_url, o.pdf_variant, cache=scanned.known, jobs=o.jobs,
                      keep_going=o.keep_going, ahead=ahead)
        if o.without_pdf:
            loaded = replace(loaded, site=replace(loaded.site, pdfs=False))
        report_warnings(loaded.warnings, o.strict)
        # (imported once the statements load: a publish that stops there never imports them)
        from syndicate import publish as pipeline
        from syndicate.progress import Progress
        from syndicate.seal.step import open_seal
        from syndicate.terminal import publish_summary

        # The key is checked before any rendering, and at the real time, not --now's: its
        # validity is today's question whatever day the publish is made as of.
        with open_seal(o.project, loaded.site, datetime.now(UTC)) as seal:
            report = pipeline.publish(loaded, o.dist, now, backend=backend, seal=seal,
                                      progress=Progress(o.quiet, o.verbose),
                                      care=pipeline.Care(
                                          o.keep_going, recorded.output if recorded else None,
                                          index))
    left_out = (*loaded.problems, *report.problems)
    found = _remember(whole, loaded, report, now, bool(left_out))
    hold_to_the_end(found, loaded, recorded)
    if not o.quiet:
        click.echo(publish_summary(report, o.dist))
    if left_out:
        raise ContentError(left_out, "--keep-going: their statements were left out, "
                                     "the others published")


def _check_executor(o: PublishOptions) -> None:
    """A Dask cluster needs its scheduler's address, and only a Dask cluster has one: said
    before anything is read, not after the statements load."""
    if o.executor == "dask" and not o.scheduler:
        from syndicate.backends import NEEDS_SCHEDULER

        raise click.UsageError(NEEDS_SCHEDULER)
    if o.executor != "dask" and o.scheduler:
        raise click.UsageError("--scheduler is for --executor dask (local processes render "
                               "without one)")


def _nothing_changed(o: PublishOptions, scanned: Scanned, recorded: Record,
                     now: datetime) -> bool:
    """Whether the last publish into ``o.dist``, which made ``recorded``, was made from the
    inputs ``scanned``, and its statements are those live ``now`` (see :mod:`syndicate.inputs`):
    then it says what that publish said, and nothing is loaded."""
    from syndicate import inputs, output, spare, trash
    from syndicate.terminal import unchanged_summary

    out = output.absolute(o.dist)
    output.check_output_folder(o.dist, o.project)  # (as a publish does first: same messages)
    with output.publisher_lock(out):
        current = output.current_version(out)
        if current is None or not inputs.nothing_to_publish(scanned.same, recorded, out, now):
            return False
        output.retire_leftovers(out, current)
        trash.empty(out).finish(spare.large(recorded.summary.files))
    report_warnings(recorded.warnings, o.strict)
    if not o.quiet:
        click.echo(unchanged_summary(recorded.summary, o.dist))
    return True


def _remember(whole: Callable[[], Scan | None], loaded: Project, report: Report,
              now: datetime, left_out: bool) -> Scan | None:
    """Record what ``report``'s publish was made from (the scan ``whole`` gives, unless it
    is not known), for the next publish to compare, when it published the whole unsealed
    project and its output is still the current one; the scan, if it was taken."""
    from syndicate import inputs, output
    from syndicate.errors import OutputError

    out = output.absolute(report.out)
    found = None if left_out or loaded.site.sealed else whole()
    try:
        with output.publisher_lock(out):
            current = output.current_version(out)
            if found is None or current is None or current.name != report.version:
                output.inputs_path(out).unlink(missing_ok=True)
                return found
            inputs.record(found, out, loaded, now, report)
    except OutputError:  # another publish has begun: it records its own
        pass
    return found


@main.command()
@project_option
@strict_option
def check(project: Path, strict: bool) -> None:
    """Validate everything publish would read; write nothing but the statement cache."""
    from syndicate import project as pipeline
    from syndicate.mail.lists import check_lists
    from syndicate.seal.step import open_seal

    lists = check_lists(project)  # press lists: reported with the content's problems
    try:
        loaded = pipeline.check(project)
    except ContentError as exc:
        raise ContentError([*exc.problems, *lists]) from None
    if lists:
        raise ContentError(lists)
    with open_seal(project, loaded.site, datetime.now(UTC)):  # the key, as publish opens it
        pass
    report_warnings(loaded.warnings, strict)
    click.echo(
        f"OK: {len(loaded.statements)} statement(s), "
        f"{sum(len(s.languages) for s in loaded.statements)} translation(s)"
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

    loaded = pipeline.load_since_publish(project)
    report_warnings(loaded.warnings)  # a broken draft's row says to read them
    rows = workflow.status(loaded.site, loaded.statements, now or datetime.now(UTC),
                           loaded.broken_drafts)
    click.echo(terminal.render_status(rows, loaded.site, reader_locale(), as_json))


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
@project_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The published folder [default: PROJECT/dist].")
def ping(project: Path, out: Path | None) -> None:
    """Tell the WebSub hub ([feeds] hub) which feeds the last publish changed."""
    from syndicate import websub
    from syndicate.config import OUTPUT_DIR

    changes = websub.load_changes(out or project / OUTPUT_DIR)
    for feed in websub.ping(changes):
        click.echo(f"Notified {changes.hub}: {feed}")
    if not changes.feeds:
        click.echo("No feed changed in the last publish: nothing to notify.")
