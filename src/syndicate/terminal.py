"""What the command line prints: the publish summary, the status table, the share posts.

Terminal formatting lives here, in the CLI's layer; the stages below return data
(:class:`syndicate.publish.Report`, :class:`syndicate.workflow.Status` rows, share records).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate.errors import ContentError, Problem
from syndicate.inputs import Summary
from syndicate.model import Site, Statement

if TYPE_CHECKING:
    from syndicate.publish import Report
    from syndicate.workflow import Status


def publish_summary(report: Report, out: Path) -> str:
    said = Summary(report.files, report.published, report.scheduled, report.languages)
    if not report.changed:
        return unchanged_summary(said, out)
    return (f"Published {_statements(said)}: {report.files} files in {out} "
            f"(rendered {len(report.rendered)}, "
            + (f"re-sealed {len(report.resealed)}, " if report.resealed else "")
            + f"reused {len(report.reused)}, removed {len(report.removed)})")


def unchanged_summary(said: Summary, out: Path) -> str:
    """What a publish that changed nothing says (``said``: of the output that stays)."""
    return f"Nothing changed: {out} stays as it was ({_statements(said)}, {said.files} files)"


def _statements(said: Summary) -> str:
    return (f"{said.published} statement(s) in {said.languages} language(s)"
            + (f"; {said.scheduled} scheduled" if said.scheduled else ""))


def render_status(rows: Sequence[Status], site: Site, locale: str, as_json: bool) -> str:
    """The status as a table (one row per statement, one column per language) or JSON."""
    if as_json:
        return json.dumps(
            [
                {
                    "statement": r.statement,
                    "lang": r.lang,
                    "state": r.state,
                    "goes_live": r.goes_live.isoformat() if r.goes_live else None,
                    "detail": r.detail,
                }
                for r in rows
            ],
            ensure_ascii=False,
            indent=2,
        )
    codes = [language.code for language in site.languages]
    table: dict[str, dict[str, str]] = {}
    for row in rows:
        table.setdefault(row.statement, {})[row.lang] = describe(row, site, locale)
    header = ["STATEMENT", *(code.upper() for code in codes)]
    lines = [header] + [[sid, *(cells[c] for c in codes)] for sid, cells in table.items()]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ) + _next_line(rows, site, locale)


def _next_line(rows: Sequence[Status], site: Site, locale: str) -> str:
    """The table's last line: which statement goes live next, and when ("" for none)."""
    upcoming = [row for row in rows if row.goes_live is not None]
    if not upcoming:
        return ""
    first = min(upcoming, key=lambda row: (row.goes_live, row.statement))
    assert first.goes_live is not None
    from babel.dates import format_datetime

    when = format_datetime(first.goes_live, "medium", tzinfo=site.tzinfo, locale=locale)
    return f"\n\nNext to go live: {first.statement} at {when} ({site.timezone})"


def describe(row: Status, site: Site, locale: str) -> str:
    """One status cell in words, the go-live time in the site's zone and the reader's locale."""
    if row.state == "scheduled" and row.goes_live is not None:
        from babel.dates import format_datetime

        when = format_datetime(row.goes_live, "medium", tzinfo=site.tzinfo, locale=locale)
        return f"scheduled ({when} {site.timezone})"
    if row.state in ("stale", "draft") and row.detail:
        return f"{row.state} ({row.detail})"
    return row.state


def share_posts(site: Site, statement: Statement, lang: str | None, platform: str | None,
                 as_json: bool) -> str:
    """What ``syndicate share`` prints: the post ready to paste, or with ``as_json`` the record.

    ``lang`` defaults to the site's default language when the statement has it, else to the
    language it was written in. Without ``platform`` every platform's post is shown, each under
    a heading with its count. Raises :class:`~syndicate.errors.ContentError` for a language
    the statement does not have or an unknown platform.
    """
    from syndicate.render.share import PLATFORMS, records

    where = f"statements/{statement.id}"
    if lang is None:
        lang = (site.default_language if site.default_language in statement.languages
                else statement.original)
    if statement.translation(lang) is None:
        raise ContentError([Problem(where, None, f"no {lang!r} translation (it has: "
                                    f"{', '.join(statement.languages)})")])
    if platform is not None and platform not in PLATFORMS:
        raise ContentError([Problem(where, None, f"unknown platform {platform!r} (known: "
                                    f"{', '.join(PLATFORMS)})")])
    found = records(site, statement, lang)
    if as_json:
        chosen: object = found[platform] if platform else found
        return json.dumps(chosen, ensure_ascii=False, indent=2)
    if platform:
        return str(found[platform]["text"])
    parts = []
    for name, record in found.items():
        count = (f"{record['length']}/{record['limit']} {record['unit']}"
                 if record["limit"] is not None else f"{record['length']} {record['unit']}")
        subject = f"Subject: {record['subject']}\n" if "subject" in record else ""
        parts.append(f"== {name} ({count}) ==\n{subject}{record['text']}\n")
    return "\n".join(parts).rstrip("\n")
