"""Commands that prove where a publication comes from: verify."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from syndicate.cli.base import main, project_option
from syndicate.errors import SyndicateError


@main.command()
@click.argument("target", metavar="PATH|URL")
@click.option("--trust", "roots", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path), metavar="FILE",
              help="A root certificate to trust (PEM or DER); repeat it [default: the "
              "project's [seal] trust_roots].")
@project_option
def verify(target: str, roots: tuple[Path, ...], project: Path) -> None:
    """Check a sealed PDF, or a published folder or site (URL): the seals, the signed
    manifest and every file's SHA-256.

    Prints one line per file (ok or FAIL, and why, in the reader's language where syndicate
    has its words); exit status 0 only when every check holds."""
    from syndicate.cli.base import reader_locale
    from syndicate.seal import report
    from syndicate.seal.settings import trust_root_files
    from syndicate.seal.verify import (
        FolderVerdict,
        load_trust_roots,
        verify_folder,
        verify_pdf,
        verify_url,
    )

    files = roots or trust_root_files(project)
    if not files:
        raise SyndicateError("no root to trust: give --trust FILE (the seal's root "
                             "certificate) or set [seal] trust_roots in syndicate.toml")
    trusted, now = load_trust_roots(files), datetime.now(UTC)
    words = report.words_for(reader_locale())
    path = Path(target)
    if target.startswith(("http://", "https://")):
        verdict = verify_url(target, trusted, now, words)
    elif path.is_dir():
        verdict = verify_folder(path, trusted, now, words)
    else:
        verdict = verify_pdf(path.read_bytes(), trusted, now, words)
    if isinstance(verdict, FolderVerdict):
        lines = [(file.ok, file.path, file.reason) for file in (verdict.manifest, *verdict.files)]
        failed = sum(not ok for ok, _, _ in lines)
        summary = words(report.FILES_FAILED if failed else report.FILES_HOLD) % {
            "count": len(lines), "failed": failed}
    else:
        lines = [(verdict.ok, target, verdict.describe(words))]
        summary = words(report.SEAL_HOLDS if verdict.ok else report.SEAL_FAILS)
    for ok, name, reason in lines:
        click.echo(f"{'ok  ' if ok else 'FAIL'} {name}: {reason}")
    click.echo(summary)
    if not verdict.ok:
        raise click.exceptions.Exit(1)
