"""Every bad-input case: a `path:line: message` on stderr, exit status 1, no traceback."""

from __future__ import annotations

from pathlib import Path

from conftest import SHIPPED_ID, write


def statement_dir(project: Path) -> Path:
    return project / "statements" / SHIPPED_ID


def assert_fails(result, *messages: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for message in messages:
        assert message in result.stderr, result.stderr


def test_malformed_yaml(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    write(statement_dir(project) / "statement.yaml", "date: 2022-11-22\ntags: [a, b\n")
    result = run("check", "--project", project)
    assert_fails(result, f"statements/{SHIPPED_ID}/statement.yaml:3: malformed YAML")


def test_malformed_front_matter(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = statement_dir(project) / "en.md"
    text = path.read_text(encoding="utf-8").replace("place: Lisbon", "place: [Lisbon")
    path.write_text(text, encoding="utf-8")
    result = run("check", "--project", project)
    assert_fails(result, f"statements/{SHIPPED_ID}/en.md:", "malformed YAML")


def test_missing_date(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    write(statement_dir(project) / "statement.yaml", "original: pt\n")
    result = run("check", "--project", project)
    assert_fails(result, f"statements/{SHIPPED_ID}/statement.yaml: missing date")


def test_invalid_date(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    write(statement_dir(project) / "statement.yaml", "original: pt\ndate: 2022-02-30\n")
    result = run("check", "--project", project)
    assert_fails(
        result, f"statements/{SHIPPED_ID}/statement.yaml:2: date: '2022-02-30' is not a real date"
    )


def test_date_time_skipped_by_the_clocks(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    write(statement_dir(project) / "statement.yaml", "date: 2026-03-29 01:30\noriginal: pt\n")
    result = run("check", "--project", project)
    assert_fails(
        result,
        "statement.yaml:1: date: 2026-03-29 01:30 does not exist in Europe/Lisbon (the clocks go "
        "forward then): 01:30+00:00 or 01:30+01:00; write the offset",
    )


def test_missing_title(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    write(statement_dir(project) / "en.md", "---\nsummary: s\n---\n\nBody.\n")
    result = run("check", "--project", project)
    assert_fails(result, f"statements/{SHIPPED_ID}/en.md:1: missing title")


def test_unconfigured_language(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    write(statement_dir(project) / "fr.md", "---\ntitle: Bonjour\n---\n\nCorps.\n")
    result = run("check", "--project", project)
    assert_fails(result, f"statements/{SHIPPED_ID}/fr.md: language 'fr' is not configured")


def test_invalid_folder_name(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    (project / "statements" / SHIPPED_ID).rename(project / "statements" / "Vitorino_IOM")
    result = run("check", "--project", project)
    assert_fails(result, "statements/Vitorino_IOM: invalid statement id 'Vitorino_IOM'")


def test_invalid_utf8(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = statement_dir(project) / "pt.md"
    path.write_bytes(path.read_bytes().replace(b"Governo apoia", b"Governo \xe9 apoia", 1))
    result = run("check", "--project", project)
    assert_fails(result, f"statements/{SHIPPED_ID}/pt.md:2: invalid UTF-8 (byte 0xe9)")


def test_character_xml_cannot_carry(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = statement_dir(project) / "en.md"
    text = path.read_text(encoding="utf-8").replace("The IOM is", "The \x0bIOM is")
    path.write_text(text, encoding="utf-8")
    line = text[: text.index("\x0b")].count("\n") + 1
    result = run("check", "--project", project)
    assert_fails(result, f"statements/{SHIPPED_ID}/en.md:{line}: character U+000B is not allowed")


def test_unknown_config_key(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    config = project / "syndicate.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'timezone = "Europe/Lisbon"', 'timezone = "Europe/Lisbon"\ntime_zone = "UTC"'
        ),
        encoding="utf-8",
    )
    result = run("check", "--project", project)
    assert_fails(result, "syndicate.toml:4: unknown key 'time_zone'")


def test_unknown_language_key(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    config = project / "syndicate.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'tag = "pt-PT"', 'tag = "pt-PT"\nlocale = "pt_PT"'
        ),
        encoding="utf-8",
    )
    result = run("check", "--project", project)
    assert_fails(result, "syndicate.toml:8: unknown key 'locale' in [languages.pt]")


def test_unknown_time_zone(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    config = project / "syndicate.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("Europe/Lisbon", "Europe/Atlantis"),
        encoding="utf-8",
    )
    result = run("check", "--project", project)
    assert_fails(result, "syndicate.toml:3: unknown time zone 'Europe/Atlantis'")


def test_unknown_front_matter_key(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = statement_dir(project) / "en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("place:", "plaec:"), encoding="utf-8")
    result = run("check", "--project", project)
    assert_fails(result, f"statements/{SHIPPED_ID}/en.md:4: unknown key 'plaec'")


def test_every_problem_in_one_run(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    write(statement_dir(project) / "statement.yaml", "date: someday\n")
    write(statement_dir(project) / "en.md", "---\nsummary: s\n---\n\nBody.\n")
    write(project / "statements" / "Bad Name" / "statement.yaml", "date: 2022-01-01\n")
    result = run("check", "--project", project)
    assert_fails(
        result,
        "statement.yaml:1: date: 'someday'",
        "en.md:1: missing title",
        "invalid statement id 'Bad Name'",
        "3 problems found",
    )


def test_failed_publish_keeps_existing_output(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    out = project / "dist"
    assert run("publish", "--project", project, "--now", "2026-01-01T00:00:00+00:00").exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write(statement_dir(project) / "en.md", "---\nsummary: s\n---\n\nBody.\n")
    result = run("publish", "--project", project, "--now", "2026-01-01T00:00:00+00:00")
    assert_fails(result, "en.md:1: missing title")
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_missing_translation_is_a_warning(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (statement_dir(project) / "en.md").unlink()
    result = run(
        "publish",
        "--project",
        project,
        "--out",
        tmp_path / "out",
        "--now",
        "2026-01-01T00:00:00+00:00",
    )
    assert result.exit_code == 0, result.output
    assert f"statements/{SHIPPED_ID}/en.md: warning: missing translation" in result.stderr
    assert (tmp_path / "out" / "pt" / SHIPPED_ID / f"{SHIPPED_ID}-pt.pdf").is_file()
    assert not (tmp_path / "out" / "en" / SHIPPED_ID).exists()


def test_now_needs_an_offset(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("publish", "--project", project, "--now", "2026-01-01T00:00:00")
    assert result.exit_code == 2
    assert "needs a UTC offset" in result.stderr
