"""Commands for writing statements and their words: new, translated, i18n, share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from syndicate import completion
from syndicate.cli.base import DateTime, base_url_option, main, project_option, takes


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


@dataclass(frozen=True, slots=True)
class ShareOptions:
    """``share``'s options, as given."""

    statement_id: str
    lang: str | None
    platform: str | None
    as_json: bool
    preview: bool
    now: datetime | None
    project: Path
    base_url: str | None


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
@takes(ShareOptions)
def share(options: ShareOptions) -> None:
    """Print a statement's ready-to-paste share posts (all platforms, or one).

    A draft's, or an embargoed or scheduled statement's, only with --preview."""
    from syndicate import project as pipeline
    from syndicate import terminal, workflow

    o = options
    loaded = pipeline.load(o.project, o.base_url)
    statement = loaded.statement(o.statement_id)
    banner = workflow.share_banner(o.project, loaded.site, statement,
                                   o.now or datetime.now(UTC), o.preview)
    text = terminal.share_posts(loaded.site, statement, o.lang, o.platform, o.as_json)
    if banner:  # first; beside JSON, on stderr, so that the JSON stays JSON
        click.echo(banner, err=o.as_json)
    click.echo(text)
