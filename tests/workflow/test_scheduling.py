"""Embargoes and scheduling you can trust: local times read in the site's zone (and refused
where a daylight-saving change makes them ambiguous or skips them), feeds published at the
go-live instant, share refusing what is not live, serve publishing when it goes live, status
naming the next go-live. Time is always given (``--now``, or the server's clock argument).

Lisbon's clocks in 2026: forward at 01:00 UTC on 29 March (local 01:00-01:59 does not exist),
back at 01:00 UTC on 25 October (local 01:00-01:59 happens twice).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner, Result

from conftest import SHIPPED_ID, copy_project, write
from syndicate.cli import main
from syndicate.serve import Server

BEFORE = "2026-01-01T00:00:00+00:00"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def add(project: Path, sid: str, shared: str, title: str = "", summary: str = "") -> None:
    """A statement written in Portuguese (the shipped site's default), translated to English."""
    folder = project / "statements" / sid
    write(folder / "statement.yaml", f"{shared}\noriginal: pt\n")
    for lang in ("pt", "en"):
        write(folder / f"{lang}.md", f'---\ntitle: "{title or sid} {lang}"\n'
              f'summary: "{summary or "Resumo"} {lang}"\n---\n\nTexto {lang}.\n')


def status_row(run: Callable[..., Result], project: Path, sid: str, now: str) -> dict[str, str]:
    result = run("status", "--json", "--project", project, "--now", now)
    assert result.exit_code == 0, result.output
    return next(r for r in json.loads(result.stdout) if r["statement"] == sid and r["lang"] == "pt")


@pytest.mark.parametrize(
    ("embargo", "instant"),
    [
        ("2026-03-29T00:59", "2026-03-29T00:59:00+00:00"),  # the last minute of winter time
        ("2026-03-29T02:00", "2026-03-29T01:00:00+00:00"),  # the first of summer time
        ("2026-07-01T10:00", "2026-07-01T09:00:00+00:00"),  # summer: +01:00, not +00:00
        ("2026-10-25T00:59", "2026-10-24T23:59:00+00:00"),  # still summer time
        ("2026-10-25 02:00:00", "2026-10-25T02:00:00+00:00"),  # winter again
        ("2026-10-25T01:30+00:00", "2026-10-25T01:30:00+00:00"),  # an offset is exact
    ],
)
def test_a_local_embargo_goes_live_at_the_lisbon_instant(
    project: Path, run: Callable[..., Result], embargo: str, instant: str
) -> None:
    add(project, "2026-01-01-timed", f"date: 2026-01-01\nembargo: {embargo}")
    check = run("check", "--project", project)
    assert check.exit_code == 0, check.output
    moment = utc(instant)
    just_before = (moment - timedelta(seconds=1)).isoformat()
    row = status_row(run, project, "2026-01-01-timed", just_before)
    assert row["state"] == "scheduled"
    assert utc(row["goes_live"]) == moment
    assert status_row(run, project, "2026-01-01-timed", instant)["state"] == "published"


@pytest.mark.parametrize(
    ("embargo", "message"),
    [
        (
            "2026-10-25T01:30",
            "embargo: 2026-10-25T01:30 is ambiguous in Europe/Lisbon: 01:30+01:00 or "
            "01:30+00:00; write the offset",
        ),
        (
            "2026-03-29T01:00",
            "embargo: 2026-03-29T01:00 does not exist in Europe/Lisbon (the clocks go forward "
            "then): 01:00+00:00 or 01:00+01:00; write the offset",
        ),
    ],
)
def test_a_local_time_the_clocks_repeat_or_skip_is_refused(
    project: Path, run: Callable[..., Result], embargo: str, message: str
) -> None:
    add(project, "2026-01-01-timed", f"date: 2026-01-01\nembargo: {embargo}")
    result = run("check", "--project", project)
    assert result.exit_code == 1
    assert f"statements/2026-01-01-timed/statement.yaml:2: {message}\n" in result.stderr
    assert "Traceback" not in result.output and "+00:00 e.g." not in result.stderr


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project with two timed statements, published once after both went live."""
    project = copy_project(tmp_path_factory.mktemp("timed") / "project")
    add(project, "2026-07-01-summer", "date: 2026-07-01\nembargo: 2026-07-01T10:00")
    add(project, "2026-11-03-afternoon", "date: 2026-11-03T15:30")
    result = CliRunner().invoke(main, ["publish", "--project", str(project),
                                       "--now", "2026-12-01T00:00:00+00:00"])
    assert result.exit_code == 0, result.output
    return project / "dist"


@pytest.mark.parametrize("feed", ["pt/feed.atom", "pt/feed.rss", "en/feed.atom", "feed.atom"])
def test_feed_published_is_the_go_live_instant(published: Path, feed: str) -> None:
    parsed = feedparser.parse((published / feed).read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    entries = {e.id.rsplit(":", 1)[1].split("/")[0]: e for e in parsed.entries}
    summer, afternoon = entries["2026-07-01-summer"], entries["2026-11-03-afternoon"]
    # Published when the embargo lifted (10:00 in Lisbon = 09:00 UTC), not at midnight.
    assert datetime(*summer.published_parsed[:6], tzinfo=UTC) == utc("2026-07-01T09:00:00Z")
    assert datetime(*afternoon.published_parsed[:6], tzinfo=UTC) == utc("2026-11-03T15:30:00Z")
    # The entry's id still comes from its date, so it is the one any reader already had.
    assert summer.id.startswith("tag:press.example.org,2026-07-01:2026-07-01-summer/")
    if "updated_parsed" in summer and summer.updated_parsed:  # Atom: never before it went live
        assert summer.updated_parsed >= summer.published_parsed


def test_json_feed_published_is_the_go_live_instant(published: Path) -> None:
    items = json.loads((published / "pt" / "feed.json").read_text(encoding="utf-8"))["items"]
    summer = next(i for i in items if "2026-07-01-summer" in i["id"])
    assert utc(summer["date_published"]) == utc("2026-07-01T09:00:00Z")
    assert utc(summer["date_modified"]) >= utc(summer["date_published"])


EMBARGOED = "2026-12-04-embargoed"
BANNER = "EMBARGOED until 2026-12-04 10:00 (Europe/Lisbon) — do not post"


def test_share_refuses_an_embargoed_statement(project: Path, run: Callable[..., Result]) -> None:
    add(project, EMBARGOED, "date: 2026-12-04\nembargo: 2026-12-04T10:00",
        title="Notícia reservada", summary="Números ainda secretos")
    refused = run("share", EMBARGOED, "--project", project, "--now", "2026-12-04T09:59:59Z")
    assert refused.exit_code == 1
    assert refused.stdout == ""  # nothing of the news on the terminal
    assert (
        f"statements/{EMBARGOED}/statement.yaml: {EMBARGOED} is embargoed until 2026-12-04 10:00 "
        "(Europe/Lisbon): posting now would break it; `syndicate share --preview` prints"
    ) in refused.stderr
    assert "Traceback" not in refused.output

    preview = run("share", EMBARGOED, "--preview", "--project", project, "--now", BEFORE)
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.splitlines()[0] == BANNER
    assert "Números ainda secretos pt" in preview.stdout

    # --json stays JSON: the warning goes first to stderr.
    as_json = run("share", EMBARGOED, "--preview", "--json", "--platform", "x",
                  "--project", project, "--now", BEFORE)
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["text"].startswith("Notícia reservada pt")
    assert as_json.stderr.splitlines()[0] == BANNER

    live = run("share", EMBARGOED, "--project", project, "--now", "2026-12-04T10:00:00Z")
    assert live.exit_code == 0, live.output
    assert "EMBARGOED" not in live.stdout and "Notícia reservada pt" in live.stdout


def test_share_refuses_a_draft(project: Path, run: Callable[..., Result]) -> None:
    add(project, "2026-11-01-draft", "date: 2026-11-01\ndraft: true", title="Rascunho")
    refused = run("share", "2026-11-01-draft", "--project", project)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "2026-11-01-draft is a draft (draft: true)" in refused.stderr
    preview = run("share", "2026-11-01-draft", "--preview", "--project", project)
    assert preview.exit_code == 0
    assert preview.stdout.splitlines()[0] == "DRAFT — not for publication"
    assert "Rascunho pt" in preview.stdout
    shipped = run("share", SHIPPED_ID, "--project", project)  # live: no banner
    assert shipped.exit_code == 0 and not shipped.stdout.startswith(("DRAFT", "EMBARGOED"))


def test_status_names_the_next_go_live(
    project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    add(project, "2026-12-10-later", "date: 2026-12-10")
    add(project, EMBARGOED, "date: 2026-12-04\nembargo: 2026-12-04T10:00")
    add(project, "2026-12-02-draft", "date: 2026-12-02\ndraft: true")  # never goes live
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    table = run("status", "--project", project, "--now", "2026-12-01T00:00:00Z").stdout
    assert table.splitlines()[-1] == (
        f"Next to go live: {EMBARGOED} at 4 Dec 2026, 10:00:00 (Europe/Lisbon)"
    )
    later = run("status", "--project", project, "--now", "2026-12-04T10:00:00Z").stdout
    assert later.splitlines()[-1].startswith("Next to go live: 2026-12-10-later at 10 Dec 2026")
    after = run("status", "--project", project, "--now", "2026-12-10T00:00:00Z").stdout
    assert "Next to go live" not in after


def test_serve_publishes_when_the_embargo_lifts(project: Path) -> None:
    add(project, EMBARGOED, "date: 2026-12-04\nembargo: 2026-12-04T10:00",
        title="Notícia reservada")
    clock = [utc("2026-12-04T09:59:00Z")]
    messages: list[str] = []
    server = Server(project, 0, None, lambda: clock[0], messages.append)

    def feed_ids() -> set[str]:
        parsed = feedparser.parse((server.out / "pt" / "feed.atom").read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        return {entry.id for entry in parsed.entries}

    try:
        server.start()
        assert not any(EMBARGOED in entry for entry in feed_ids())
        assert not server.poll()  # no source changed, and 10:00 has not come
        clock[0] = utc("2026-12-04T09:59:59Z")
        assert not server.poll()
        clock[0] = utc("2026-12-04T10:00:00Z")
        assert server.poll()  # nothing changed on disk: the clock alone republished
        assert any(EMBARGOED in entry for entry in feed_ids())
        assert not server.poll()  # once
    finally:
        server.stop()
    assert sum(m.startswith("Published") for m in messages) == 2, messages
