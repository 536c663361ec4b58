"""The hostile-input catalog: every case its own test, with its exact message and exit status.

Input that can be made safe without changing its meaning (raw HTML shown as text, NFD made NFC,
a byte order mark or CRLF line endings absorbed, a link with a forbidden scheme dropped) is
published with a warning (exit 0); anything else stops with an error (exit 1). Never a
traceback. (Messages are whole lines, so some lines are long; "..." ends a prefix when the
rest of the line lists what other features may extend, such as the known keys.)
"""

# ruff: noqa: E501

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, SHIPPED_ID
from syndicate.cli import main

S = f"statements/{SHIPPED_ID}"
BILLION_LAUGHS = "\n".join(
    ["---", "title: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"t{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    + ["---", "", "Body."]
)


def _file(project: Path, name: str) -> Path:
    return project / S / name


def put(name: str, text: str) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        _file(project, name).write_text(text, encoding="utf-8")

    return apply


def put_bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        _file(project, name).write_bytes(data)

    return apply


def edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = _file(project, name)
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def edit_bytes(name: str, transform: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = _file(project, name)
        path.write_bytes(transform(path.read_bytes()))

    return apply


def edit_config(old: str, new: str) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / "syndicate.toml"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def rename_statement(name: str) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        (project / S).rename(project / "statements" / name)

    return apply


def _shipped_record() -> str:
    """The shipped en.md's ``translated_from`` as a YAML flow mapping (one line)."""
    text = (REPO / S / "en.md").read_text(encoding="utf-8")
    pairs = re.findall(r"^  (\w+): \"?([0-9a-f ]+)\"?$", text, re.M)
    assert pairs, "the shipped translation records what it was translated from"
    return "{" + ", ".join(f'{key}: "{value}"' for key, value in pairs) + "}"


def body(markdown: str) -> Callable[[Path], None]:
    # Still a tracked translation of the unchanged original (no "untracked" warning), with the
    # whole front matter on one line so that the body's lines stay where the messages say.
    front = f"{{title: A title, translated_from: {_shipped_record()}}}"
    return put("en.md", f"---\n{front}\n---\n\n{markdown}\n")


def link_outside(name: str) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        secret = project.parent / "secret.md"
        secret.write_text("---\ntitle: secret\n---\n\nTOP SECRET\n", encoding="utf-8")
        _file(project, name).unlink()
        _file(project, name).symlink_to(secret)

    return apply


def folder_link_outside(project: Path) -> None:
    elsewhere = project.parent / "elsewhere"
    (project / S).rename(elsewhere)
    (project / "statements" / "linked").symlink_to(elsewhere)


def case_duplicates(project: Path) -> None:
    (project / "statements" / "Foo").mkdir()
    (project / "statements" / "foo").mkdir()


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Path], None]
    exit: int
    lines: tuple[str, ...]  # exact stderr lines; {p} stands for the project folder


CASES = [
    # ---- the publish pipeline's own cases: stop with an error
    Case(
        "malformed-yaml",
        put("statement.yaml", "date: 2022-11-22\ntags: [a, b\n"),
        1,
        (
            "{s}/statement.yaml:3: malformed YAML: expected ',' or ']', but got '<stream end>'",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "front-matter-not-a-mapping",
        put("en.md", "---\n- a list\n---\n\nBody.\n"),
        1,
        (
            "{s}/en.md:2: expected 'key: value' lines, not a single value or list",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "duplicate-key",
        put("en.md", "---\ntitle: A\ntitle: B\n---\n\nBody.\n"),
        1,
        (
            "{s}/en.md:3: duplicate key 'title' (first on line 2)",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "missing-date",
        put("statement.yaml", "original: pt\n"),
        1,
        (
            "{s}/statement.yaml: missing date (YYYY-MM-DD or a date-time like 2022-11-22T10:30, "
            "in the site's time zone unless it ends with an offset such as +01:00)",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "invalid-date",
        put("statement.yaml", "date: 2022-02-30\noriginal: pt\n"),
        1,
        (
            "{s}/statement.yaml:1: date: '2022-02-30' is not a real date",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "date-is-a-list",
        put("statement.yaml", "date: [2022]\noriginal: pt\n"),
        1,
        (
            "{s}/statement.yaml:1: date must be YYYY-MM-DD or a date-time like 2022-11-22T10:30, "
            "in the site's time zone unless it ends with an offset such as +01:00",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "date-in-the-repeated-hour",
        put("statement.yaml", "date: 2026-10-25T01:30\n"),
        1,
        (
            "{s}/statement.yaml:1: date: 2026-10-25T01:30 is ambiguous in Europe/Lisbon: 01:30+01:00 or 01:30+00:00; write the offset",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "missing-title",
        put("en.md", "---\nsummary: s\n---\n\nBody.\n"),
        1,
        (
            "{s}/en.md:1: missing title",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "title-is-a-mapping",
        put("en.md", "---\ntitle: {a: b}\n---\n\nBody.\n"),
        1,
        (
            "{s}/en.md:2: title must be text",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "empty-body",
        put("en.md", "---\ntitle: A title\n---\n\n\n"),
        1,
        (
            "{s}/en.md:4: the statement has no body text",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "unconfigured-language",
        put("fr.md", "---\ntitle: Bonjour\n---\n\nCorps.\n"),
        1,
        (
            "{s}/fr.md: language 'fr' is not configured in syndicate.toml (configured: en, pt)",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "invalid-folder-id",
        rename_statement("Vitorino_IOM"),
        1,
        (
            "{p}/statements/Vitorino_IOM: invalid statement id 'Vitorino_IOM': use lowercase ASCII letters, digits and single hyphens, e.g. 2022-11-22-vitorino-iom",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "invalid-utf8",
        edit_bytes("pt.md", lambda b: b.replace(b"Governo", b"\xe9", 1)),
        1,
        (
            "{s}/pt.md:2: invalid UTF-8 (byte 0xe9); save the file as UTF-8",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "binary-file",
        put_bytes("en.md", b"%PDF-1.7\n\x00\xff\xfe binary"),
        1,
        (
            "{s}/en.md:2: invalid UTF-8 (byte 0xff); save the file as UTF-8",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "unknown-config-key",
        edit_config('timezone = "', 'time_zone = "UTC"\ntimezone = "'),
        1,
        (
            "{p}/syndicate.toml:3: unknown key 'time_zone' (known keys: base_url, ...",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "unknown-front-matter-key",
        edit("en.md", "place:", "plaec:"),
        1,
        (
            "{s}/en.md:4: unknown key 'plaec' (known keys: ...",
            "Error: 1 problem found",
        ),
    ),
    # ---- YAML tags and aliases: no object construction, no alias bombs
    Case(
        "yaml-python-object",
        put("statement.yaml", "date: !!python/object/apply:os.system [ls]\n"),
        1,
        (
            "{s}/statement.yaml:1: YAML tag '!!python/object/apply:os.system' is not allowed: write plain values",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "yaml-python-name",
        put("en.md", "---\ntitle: !!python/name:os.system\n---\n\nBody.\n"),
        1,
        (
            "{s}/en.md:2: YAML tag '!!python/name:os.system' is not allowed: write plain values",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "yaml-local-tag",
        put("en.md", "---\ntitle: !secret x\n---\n\nBody.\n"),
        1,
        (
            "{s}/en.md:2: YAML tag '!secret' is not allowed: write plain values",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "yaml-alias",
        put("en.md", "---\ntitle: &t Hello\nsummary: *t\n---\n\nBody.\n"),
        1,
        (
            "{s}/en.md:2: YAML anchors and aliases (&name, *name) are not allowed: write the value out",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "yaml-alias-bomb",
        put("en.md", BILLION_LAUGHS),
        1,
        (
            "{s}/en.md:2: YAML anchors and aliases (&name, *name) are not allowed: write the value out",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "yaml-deep-nesting",
        put("en.md", "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n\nB.\n"),
        1,
        (
            "{s}/en.md:2: YAML nested more than 10 levels deep",
            "Error: 1 problem found",
        ),
    ),
    # ---- size, links out of the project
    Case(
        "huge-markdown",
        put("en.md", "---\ntitle: Big\n---\n\n" + "word " * 210_000),
        1,
        (
            "{s}/en.md: file is 1,050,020 bytes; the limit is 1,000,000",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "huge-yaml",
        put("statement.yaml", "date: 2022-11-22\n" + "#" * 1_000_001 + "\n"),
        1,
        (
            "{s}/statement.yaml: file is 1,000,019 bytes; the limit is 1,000,000",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "symlink-file-outside",
        link_outside("en.md"),
        1,
        (
            "{s}/en.md: is a link to {t}/secret.md, outside the project: copy the file into the project instead",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "symlink-folder-outside",
        folder_link_outside,
        1,
        (
            "{p}/statements/linked: is a link to {t}/elsewhere, outside the project: copy the file into the project instead",
            "Error: 1 problem found",
        ),
    ),
    # ---- characters
    Case(
        "control-character",
        edit("en.md", 'title: "Portugal', 'title: "\x07Portugal'),
        1,
        (
            "{s}/en.md:2: character U+0007 is not allowed (a control character that feeds and pages cannot carry)",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "nul",
        edit("en.md", "The IOM is", "The\x00IOM is"),
        1,
        (
            "{s}/en.md:14: character U+0000 is not allowed (a control character that feeds and pages cannot carry)",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "lone-surrogate",
        edit_bytes("en.md", lambda b: b.replace(b"IOM is", b"IOM \xed\xa0\x80is", 1)),
        1,
        (
            "{s}/en.md:14: invalid UTF-8 (byte 0xed); save the file as UTF-8",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "noncharacter-fffe",
        edit("en.md", "The IOM is", "The \ufffeIOM is"),
        1,
        (
            "{s}/en.md:14: character U+FFFE is not allowed (a control character that feeds and pages cannot carry)",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "zero-width-in-id",
        rename_statement("2022-11-22-vitorino\u200b-iom"),
        1,
        (
            "{p}/statements/2022-11-22-vitorino\\u200b-iom: invalid statement id '2022-11-22-vitorino\\u200b-iom': use lowercase ASCII letters, digits and single hyphens, e.g. 2022-11-22-vitorino-iom (it holds the invisible character U+200B)",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "ids-differing-in-case",
        case_duplicates,
        1,
        (
            "{p}/statements/Foo: invalid statement id 'Foo': use lowercase ASCII letters, digits and single hyphens, e.g. 2022-11-22-vitorino-iom",
            "{p}/statements/foo/statement.yaml: missing: every statement needs a statement.yaml with its date",
            "Error: 2 problems found",
        ),
    ),
    # ---- dates and time zones
    Case(
        "year-0001",
        put("statement.yaml", "date: 0001-01-01\n"),
        1,
        (
            "{s}/statement.yaml:1: date: '0001-01-01' is out of range: the year must be 1900 to 2999",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "year-1800",
        put("statement.yaml", "date: 1800-06-01T12:00:00+00:00\n"),
        1,
        (
            "{s}/statement.yaml:1: date: '1800-06-01T12:00:00+00:00' is out of range: the year must be 1900 to 2999",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "year-9999-overflow",
        put("statement.yaml", "date: 9999-12-31T23:59:59-14:00\n"),
        1,
        (
            "{s}/statement.yaml:1: date: '9999-12-31T23:59:59-14:00' is out of range: the year must be 1900 to 2999",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "offset-out-of-range",
        put("statement.yaml", "date: 2022-11-22T10:00:00+25:00\n"),
        1,
        (
            "{s}/statement.yaml:1: date: '2022-11-22T10:00:00+25:00' is not a real date and time",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "time-zone-does-not-exist",
        edit_config("Europe/Lisbon", "Europe/Atlantis"),
        1,
        (
            "{p}/syndicate.toml:3: unknown time zone 'Europe/Atlantis' (use an IANA name such as 'Europe/Lisbon')",
            "Error: 1 problem found",
        ),
    ),
    Case(
        "time-zone-path-traversal",
        edit_config("Europe/Lisbon", "../../../../etc/passwd"),
        1,
        (
            "{p}/syndicate.toml:3: unknown time zone '../../../../etc/passwd' (use an IANA name such as 'Europe/Lisbon')",
            "Error: 1 problem found",
        ),
    ),
    # ---- made safe without changing the meaning: published with a warning
    Case(
        "javascript-link",
        body("[click](javascript:alert(1))"),
        0,
        (
            "{s}/en.md:5: warning: link to 'javascript:alert(1)' dropped: only http, https and mailto links are published",
        ),
    ),
    Case(
        "javascript-autolink",
        body("<javascript:alert(1)>"),
        0,
        (
            "{s}/en.md:5: warning: link to 'javascript:alert(1)' dropped: only http, https and mailto links are published",
        ),
    ),
    Case(
        "data-link",
        body("[x](data:text/html;base64,PHNjcmlwdD4=)"),
        0,
        (
            "{s}/en.md:5: warning: link to 'data:text/html;base64,PHNjcmlwdD4=' dropped: only http, https and mailto links are published",
        ),
    ),
    Case(
        "raw-html-inline",
        body("Hello <b onclick='x()'>world</b>"),
        0,
        ("{s}/en.md:5: warning: raw HTML shown as text",),
    ),
    Case(
        "raw-html-script",
        body("Intro.\n\n<script>alert(1)</script>"),
        0,
        ("{s}/en.md:7: warning: raw HTML shown as text",),
    ),
    Case(
        "deep-markdown-nesting",
        body(">" * 5000 + " deep"),
        0,
        ("{s}/en.md:5: warning: blocks nested more than 19 levels deep: the deeper text is "
         "dropped",),
    ),
    Case(
        "bom",
        edit_bytes("en.md", lambda b: b"\xef\xbb\xbf" + b),
        0,
        ("{s}/en.md:1: warning: byte order mark removed",),
    ),
    Case(
        "crlf",
        edit_bytes("en.md", lambda b: b.replace(b"\n", b"\r\n")),
        0,
        ("{s}/en.md:1: warning: CRLF line endings converted",),
    ),
    Case(
        "nfd",
        edit("en.md", "António", "Anto\u0301nio"),
        0,
        ("{s}/en.md:2: warning: text normalized to NFC",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, project: Path) -> None:
    case.setup(project)
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert "Traceback" not in result.output
    folder = project / S
    expected = [line.format(p=project, t=project.parent, s=folder) for line in case.lines]
    found = result.stderr.splitlines()
    assert len(found) == len(expected), result.stderr
    for line, wanted in zip(found, expected, strict=True):
        if wanted.endswith("..."):
            assert line.startswith(wanted[:-3]), result.stderr
        else:
            assert line == wanted, result.stderr
    assert result.exit_code == case.exit, result.output
