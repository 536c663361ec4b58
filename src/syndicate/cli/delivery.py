"""The command that delivers a statement: send (e-mail to press lists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from syndicate.cli.base import main, now_option, project_option, takes


@dataclass(frozen=True, slots=True)
class SendOptions:
    """``send``'s options, as given."""

    statement_id: str
    lists: tuple[str, ...]
    tags: tuple[str, ...]
    embargoed: bool
    resend_uncertain: bool
    retry_failed: bool
    dry_run: Path | None
    preview: bool
    lang: str | None
    show_status: bool
    quiet: bool
    out: Path | None
    project: Path
    now: datetime | None


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
@takes(SendOptions)
def send(options: SendOptions) -> None:
    """E-mail STATEMENT_ID to press lists, each recipient in their language, exactly once."""
    from syndicate.mail import send as mailing
    from syndicate.progress import Progress

    o = options
    request = mailing.Request(o.project, o.statement_id, o.lists, o.tags,
                              o.now or datetime.now(UTC), o.embargoed, o.resend_uncertain,
                              o.retry_failed, o.out)
    if o.show_status or o.preview or o.dry_run:
        click.echo(mailing.status(request) if o.show_status else mailing.preview(request, o.lang)
                   if o.preview else mailing.dry_run(request, o.dry_run or o.project),
                   nl=not o.preview)
        return
    bar = Progress(o.quiet, label="Sending ({reused} already sent)")
    summary = mailing.send(request, bar.start, lambda: bar.advance(""))
    bar.finish()
    if not summary.ok:
        raise mailing.DeliveryError(summary)
    if not o.quiet:
        click.echo(str(summary))
