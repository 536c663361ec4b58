"""Every translation is tracked or said to be untracked; a stale one names what changed.

The paragraph numbers and lines expected here are found by reading the original's file in the
test (blank-line separated blocks after the front matter), not asked of syndicate.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import SHIPPED_ID

NOW = "2026-11-28T12:00:00+00:00"


def folder(project: Path) -> Path:
    return project / "statements" / SHIPPED_ID


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def paragraph_lines(path: Path) -> list[int]:
    """The first line of each paragraph of a Markdown file's body, read independently."""
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)  # the front matter's closing line
    starts, inside = [], False
    for number, line in enumerate(lines[end + 1:], end + 2):
        if line.strip() and not inside:
            starts.append(number)
        inside = bool(line.strip())
    return starts


def drop_record(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"translated_from:\n(  .*\n)+", "", text), encoding="utf-8")


def state(run, project: Path, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    result = run("status", "--json", "--project", project, "--now", NOW)
    assert result.exit_code == 0, result.output
    rows = {(r["statement"], r["lang"]): r for r in json.loads(result.stdout)}
    return str(rows[(SHIPPED_ID, lang)]["state"])


def test_a_translation_without_a_record_is_untracked(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    en = folder(project) / "en.md"
    drop_record(en)
    assert "translated_from" not in en.read_text(encoding="utf-8")
    lenient = run("check", "--project", project)
    assert lenient.exit_code == 0, lenient.output
    assert (
        f"statements/{SHIPPED_ID}/en.md: warning: untracked translation of {SHIPPED_ID}: it does "
        "not record which version of the original (pt.md) it was made from"
    ) in lenient.stderr
    strict = run("check", "--strict", "--project", project)
    assert strict.exit_code == 1
    assert "untracked translation" in strict.stderr and "Traceback" not in strict.output
    assert state(run, project) == "untracked"
    assert state(run, project, "pt") == "published"  # the original is never untracked
    table = run("status", "--project", project, "--now", NOW).stdout
    assert re.search(rf"^{SHIPPED_ID}\s+published\s+untracked$", table, re.M), table
    # Even the original's figures changing cannot be seen: untracked it stays, never "in step".
    edit(folder(project) / "pt.md", "30 milhões", "35 milhões")
    assert state(run, project) == "untracked"

    assert run("translated", SHIPPED_ID, "en", "--project", project).exit_code == 0
    again = run("check", "--strict", "--project", project)
    assert again.exit_code == 0, again.output
    assert state(run, project) == "published"


def test_stale_names_the_changed_paragraph_and_its_line(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    pt = folder(project) / "pt.md"
    assert run("translated", SHIPPED_ID, "en", "--project", project).exit_code == 0
    record = (folder(project) / "en.md").read_text(encoding="utf-8")
    assert re.search(r'^  paragraphs: "[0-9a-f]{8}( [0-9a-f]{8}){4}"$', record, re.M), record
    assert run("check", "--strict", "--project", project).exit_code == 0

    # Paragraph 2 of the original is the one with the figure.
    starts = paragraph_lines(pt)
    second = pt.read_text(encoding="utf-8").split("\n")[starts[1] - 1]
    assert "30 milhões" in second
    edit(pt, "30 milhões", "35 milhões")
    result = run("check", "--project", project)
    assert result.exit_code == 0, result.output
    assert (
        f"statements/{SHIPPED_ID}/en.md: warning: stale translation of {SHIPPED_ID}: since it "
        f"was made, the original changed: paragraph 2 of pt.md changed (line {starts[1]}); "
        f"update it, then run `syndicate translated {SHIPPED_ID} en`"
    ) in result.stderr
    assert state(run, project) == "stale"
    table = run("status", "--project", project, "--now", NOW).stdout
    assert "stale (paragraph 2 changed)" in table

    # The title, paragraph 5, and a new last paragraph: each named, lines as they are now.
    edit(pt, "Governo apoia", "Governo português apoia")
    edit(pt, "António Vitorino é um político", "António Vitorino é um diplomata")
    pt.write_text(pt.read_text(encoding="utf-8") + "\nUm parágrafo novo.\n", encoding="utf-8")
    starts = paragraph_lines(pt)
    result = run("check", "--project", project)
    assert (
        f"the original changed: title changed; paragraphs 2 and 5 of pt.md changed (lines "
        f"{starts[1]}, {starts[4]}); paragraph 6 of pt.md added (line {starts[5]}); update it"
    ) in result.stderr, result.stderr


def test_a_removed_paragraph_is_named_as_the_translator_knew_it(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    pt = folder(project) / "pt.md"
    assert run("translated", SHIPPED_ID, "en", "--project", project).exit_code == 0
    lines = pt.read_text(encoding="utf-8").split("\n")
    fourth = paragraph_lines(pt)[3]
    del lines[fourth - 1 : fourth + 1]  # paragraph 4 and the blank line after it
    pt.write_text("\n".join(lines), encoding="utf-8")
    result = run("check", "--project", project)
    assert "the original changed: paragraph 4 of the version translated removed; update it" in (
        result.stderr
    ), result.stderr


def test_rewrapping_or_respacing_paragraphs_is_no_false_alarm(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    pt = folder(project) / "pt.md"
    assert run("translated", SHIPPED_ID, "en", "--project", project).exit_code == 0
    edit(pt, "\n\nA OIM é", "\n\n\n\nA OIM é")  # more blank lines between paragraphs 1 and 2
    result = run("check", "--strict", "--project", project)
    assert result.exit_code == 0, result.output


def test_an_old_record_still_detects_staleness(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    # The shipped en.md was marked before paragraphs were tracked (title, summary, body).
    record = (folder(project) / "en.md").read_text(encoding="utf-8")
    assert "translated_from:" in record and "paragraphs" not in record
    assert run("check", "--strict", "--project", project).exit_code == 0
    edit(folder(project) / "pt.md", "30 milhões", "35 milhões")
    result = run("check", "--strict", "--project", project)
    assert result.exit_code == 1
    assert "the original changed: body changed; update it" in result.stderr
