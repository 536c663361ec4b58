"""The translation workflow: stale detection, status, scaffolding, drafts and embargoes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SHIPPED_ID, write

NOW = "2026-11-28T12:00:00+00:00"


def statement_dir(project: Path) -> Path:
    return project / "statements" / SHIPPED_ID


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_project_is_in_step(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "--strict", "--project", project)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_editing_the_original_body_makes_the_translation_stale(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    # The shipped statement was written in Portuguese: English is the translation.
    edit(statement_dir(project) / "pt.md", "30 milhões", "35 milhões")
    strict = run("check", "--strict", "--project", project)
    assert strict.exit_code == 1
    # The shipped en.md has a record from before paragraphs were tracked: the body, no detail.
    assert (
        f"statements/{SHIPPED_ID}/en.md: warning: stale translation of {SHIPPED_ID}: since it "
        f"was made, the original changed: body changed; update it, then run `syndicate "
        f"translated {SHIPPED_ID} en`"
    ) in strict.stderr
    assert "--strict makes warnings errors" in strict.stderr
    lenient = run("check", "--project", project)
    assert lenient.exit_code == 0
    assert "stale translation" in lenient.stderr
    status = run("status", "--project", project, "--now", NOW)
    assert "stale (body changed)" in status.stdout
    assert run("translated", SHIPPED_ID, "en", "--project", project).exit_code == 0
    again = run("check", "--strict", "--project", project)
    assert again.exit_code == 0, again.output


def test_editing_only_tags_is_no_false_alarm(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    edit(
        statement_dir(project) / "pt.md",
        "tags: [migrações, OIM, multilateralismo]",
        "tags: [migrações, OIM]",
    )
    edit(statement_dir(project) / "pt.md", "place: Lisboa", "place: Porto")
    result = run("check", "--strict", "--project", project)
    assert result.exit_code == 0, result.output


def test_title_change_is_named(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    edit(statement_dir(project) / "pt.md", "Governo apoia", "Governo português apoia")
    result = run("check", "--project", project)
    assert "the original changed: title changed; update it" in result.stderr


def test_marking_the_original_is_refused(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("translated", SHIPPED_ID, "pt", "--project", project)
    assert result.exit_code == 1
    assert f"pt is the original of {SHIPPED_ID}, not a translation" in result.stderr


def status_json(run, project: Path, now: str = NOW) -> dict[tuple[str, str], dict[str, object]]:  # type: ignore[no-untyped-def]
    result = run("status", "--json", "--project", project, "--now", now)
    assert result.exit_code == 0, result.output
    return {(r["statement"], r["lang"]): r for r in json.loads(result.stdout)}


def add_statement(
    project: Path, sid: str, shared: str, langs: tuple[str, ...] = ("pt", "en"), extra: str = ""
) -> None:
    write(project / "statements" / sid / "statement.yaml", shared)
    for lang in langs:
        write(
            project / "statements" / sid / f"{lang}.md",
            f"---\ntitle: {sid} {lang}\n{extra}---\n\nTexto {lang}.\n",
        )


def test_status_words(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    add_statement(project, "2026-12-01-future", "date: 2026-12-01\noriginal: pt\n")
    add_statement(project, "2026-11-01-draft", "date: 2026-11-01\noriginal: pt\ndraft: true\n")
    add_statement(project, "2026-11-02-half", "date: 2026-11-02\noriginal: pt\n", ("pt",))
    add_statement(
        project,
        "2026-11-03-embargo",
        "date: 2026-11-03\noriginal: pt\nembargo: 2026-11-28T12:00:01+00:00\n",
    )
    add_statement(project, "2026-11-04-untracked", "date: 2026-11-04\noriginal: pt\n")
    edit(statement_dir(project) / "pt.md", "30 milhões", "35 milhões")
    rows = status_json(run, project)
    assert rows[("2026-11-04-untracked", "en")]["state"] == "untracked"
    assert rows[("2026-11-04-untracked", "pt")]["state"] == "published"
    assert rows[(SHIPPED_ID, "pt")]["state"] == "published"
    assert rows[(SHIPPED_ID, "en")]["state"] == "stale"
    assert rows[("2026-12-01-future", "en")]["state"] == "scheduled"
    assert rows[("2026-12-01-future", "en")]["goes_live"] == "2026-12-01T00:00:00+00:00"
    assert rows[("2026-11-01-draft", "pt")]["state"] == "draft"
    assert rows[("2026-11-02-half", "pt")]["state"] == "published"
    assert rows[("2026-11-02-half", "en")]["state"] == "missing"
    assert rows[("2026-11-03-embargo", "pt")]["state"] == "scheduled"
    table = run("status", "--project", project, "--now", NOW).stdout
    for word in ("published", "missing", "stale", "untracked", "scheduled", "draft"):
        assert word in table


def test_scheduled_time_in_site_zone_and_reader_locale(
    project: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # 1 July is summer time in Lisbon: midnight there is 23:00 UTC the day before.
    add_statement(project, "2027-07-01-summer", "date: 2027-07-01T09:30:00+00:00\noriginal: pt\n")
    monkeypatch.setenv("LC_ALL", "pt_PT.UTF-8")
    table = run("status", "--project", project, "--now", NOW).stdout
    assert "scheduled (01/07/2027, 10:30:00 Europe/Lisbon)" in table
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    table = run("status", "--project", project, "--now", NOW).stdout
    assert "scheduled (1 Jul 2027, 10:30:00 Europe/Lisbon)" in table


@pytest.mark.parametrize(
    ("shared", "now", "visible"),
    [
        # A bare date is midnight in Lisbon. On 2026-10-25 summer time (UTC+1) is still in force at
        # midnight (it ends at 02:00), so the statement goes live at 23:00 UTC the day before.
        ("date: 2026-10-25", "2026-10-24T22:59:59+00:00", False),
        ("date: 2026-10-25", "2026-10-24T23:00:00+00:00", True),
        # On 2027-03-28 summer time starts at 01:00 UTC: midnight is still UTC+0.
        ("date: 2027-03-28", "2027-03-27T23:59:59+00:00", False),
        ("date: 2027-03-28", "2027-03-28T00:00:00+00:00", True),
        # An embargo given with an offset is an exact instant, in the repeated hour too.
        (
            "date: 2026-10-24\nembargo: 2026-10-25T01:30:00+00:00",
            "2026-10-25T00:30:00+00:00",
            False,
        ),
        ("date: 2026-10-24\nembargo: 2026-10-25T01:30:00+01:00", "2026-10-25T00:30:00+00:00", True),
    ],
)
def test_going_live_around_dst_changes(
    project: Path, run, tmp_path: Path, shared: str, now: str, visible: bool
) -> None:  # type: ignore[no-untyped-def]
    add_statement(project, "2026-10-24-timed", f"{shared}\noriginal: pt\n")
    out = tmp_path / "out"
    result = run("publish", "--project", project, "--out", out, "--now", now)
    assert result.exit_code == 0, result.output
    found = any(b"2026-10-24-timed" in p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert found is visible


def test_draft_and_embargo_are_in_no_output(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_statement(
        project, "2026-11-01-secret-draft", "date: 2026-11-01\noriginal: pt\ndraft: true\n"
    )
    add_statement(
        project,
        "2026-11-02-secret-embargo",
        "date: 2026-11-02\noriginal: pt\nembargo: 2030-01-01T00:00:00+00:00\n",
    )
    out = tmp_path / "out"
    result = run("publish", "--project", project, "--out", out, "--now", NOW)
    assert result.exit_code == 0, result.output
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"secret" not in data, path
    assert (out / "pt" / SHIPPED_ID / "index.html").is_file()


def test_new_scaffolds_a_draft(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "new",
        "Governo anuncia «novas» medidas",
        "--lang",
        "pt",
        "--date",
        "2026-12-24",
        "--project",
        project,
    )
    assert result.exit_code == 0, result.output
    folder = project / "statements" / "2026-12-24-governo-anuncia-novas-medidas"
    assert (
        (folder / "pt.md")
        .read_text(encoding="utf-8")
        .startswith('---\ntitle: "Governo anuncia «novas» medidas"\n')
    )
    assert "untranslated: true" in (folder / "en.md").read_text(encoding="utf-8")
    check = run("check", "--project", project)
    assert check.exit_code == 0, check.output
    assert "en.md: warning (draft): not translated yet" in check.stderr
    assert "untracked" not in check.stderr  # a scaffold is missing, not untracked
    rows = status_json(run, project, "2027-01-01T00:00:00+00:00")
    assert rows[("2026-12-24-governo-anuncia-novas-medidas", "pt")]["state"] == "draft"
    assert rows[("2026-12-24-governo-anuncia-novas-medidas", "en")]["state"] == "missing"
