"""``syndicate init``, ``-V``, the command list and shell completion, as a user meets them."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import SHIPPED_ID
from syndicate import __version__
from syndicate.cli import main

FLAGS = ("--language", "pt=pt-PT", "--language", "en",
         "--issuer", "pt=Governo de Portugal", "--issuer", "en=Portuguese Government",
         "--timezone", "Europe/Lisbon", "--base-url", "https://imprensa.example.pt/")


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*"))}


def test_init_writes_a_project_check_accepts(tmp_path: Path, run: Callable[..., Result]) -> None:
    folder = tmp_path / "office"
    result = run("init", folder, *FLAGS, "--title", "en=Press statements")
    assert result.exit_code == 0, result.output
    config = tomllib.loads((folder / "syndicate.toml").read_text(encoding="utf-8"))
    assert config["default_language"] == "pt"
    assert config["timezone"] == "Europe/Lisbon"
    assert config["languages"]["pt"] == {"tag": "pt-PT", "title": "Governo de Portugal",
                                         "issuer": "Governo de Portugal"}
    assert config["languages"]["en"]["title"] == "Press statements"
    assert (folder / "statements").is_dir()
    ignored = (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/dist", "/.dist.*", "/.syndicate-cache/", "/.syndicate-serve/"} <= set(ignored)
    assert (folder / "syndicate.toml").read_text(encoding="utf-8").startswith("#")  # commented
    assert result.stderr == ""
    checked = run("check", "--strict", "--project", folder)
    assert checked.exit_code == 0, checked.output


def test_init_warns_about_a_tag_without_interface_words(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    """Bare `pt` is Brazilian Portuguese in CLDR: init says at once that no words ship for it
    (and that pt_PT's are not used), as check would; the project is written all the same."""
    result = run("init", tmp_path, "--language", "pt", "--issuer", "pt=Governo",
                 "--timezone", "Europe/Lisbon", "--base-url", "https://imprensa.example.pt/")
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.splitlines()
    assert "warning: no interface words for pt (pt): 'Archive %(number)s', 'Copy the text'" in line
    assert "(pt-PT's words are not used for pt: if pt-PT is meant, write tag = \"pt-PT\")" in line
    assert (tmp_path / "syndicate.toml").is_file()


def test_init_keeps_the_gitignore_it_finds(tmp_path: Path, run: Callable[..., Result]) -> None:
    (tmp_path / ".gitignore").write_text("notes.txt\n/dist\n", encoding="utf-8")
    assert run("init", tmp_path, *FLAGS).exit_code == 0
    lines = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["notes.txt", "/dist"] and lines.count("/dist") == 1
    assert "/.syndicate-cache/" in lines


def test_init_refuses_a_folder_that_holds_a_project(
    project: Path, run: Callable[..., Result]
) -> None:
    before = files(project)
    result = run("init", project, *FLAGS)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{project / 'syndicate.toml'}: this folder already holds a syndicate project "
        "(`syndicate init --force` writes a new syndicate.toml over this one)")
    assert "Traceback" not in result.output
    assert files(project) == before
    forced = run("init", project, *FLAGS, "--force")
    assert forced.exit_code == 0, forced.output
    assert (project / "statements" / SHIPPED_ID).is_dir()  # the statements stay
    assert "imprensa.example.pt" in (project / "syndicate.toml").read_text(encoding="utf-8")


def test_init_names_every_bad_answer_and_writes_nothing(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    folder = tmp_path / "office"
    result = run("init", folder, "--language", "pt=pt-XX", "--language", "EN",
                 "--language", "en", "--language", "en", "--issuer", "pt=Governo",
                 "--issuer", "fr=Gouvernement", "--issuer", "Government",
                 "--timezone", "Europe/Lisbn", "--base-url", "ftp://example.org")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "--base-url: base_url must be an absolute http(s) URL, not 'ftp://example.org'",
        "--issuer: 'Government' must be CODE=TEXT, e.g. pt=Government",
        "--issuer: fr='Gouvernement': 'fr' is not one of the languages (pt, EN, en, en)",
        "--issuer: no issuer for 'en': who signs its communiqués, e.g. --issuer en=NAME",
        "--language: language 'en' is given twice",
        "--language: language code 'EN' must be lowercase letters, e.g. 'pt' (then =pt-PT, "
        "its tag)",
        "--language: pt=pt-XX: unknown BCP 47 language tag 'pt-XX' (e.g. 'en', 'pt-PT')",
        "--timezone: unknown time zone 'Europe/Lisbn' (use an IANA name such as "
        "'Europe/Lisbon')",
        "Error: 8 problems found",
    ]
    assert not folder.exists()


def test_init_without_the_missing_answers(tmp_path: Path, run: Callable[..., Result]) -> None:
    result = run("init", tmp_path, "--language", "pt=pt-PT")
    assert result.exit_code == 1
    assert "--base-url: missing: where the output will be published" in result.stderr
    assert "--timezone: missing: an IANA time zone" in result.stderr
    assert "--issuer: no issuer for 'pt'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_asks_what_it_is_not_told(tmp_path: Path) -> None:
    answers = "pt=pt-PT en\nGoverno de Portugal\nPortuguese Government\nEurope/Lisbon\n" \
              "https://imprensa.example.pt/\n"
    result = CliRunner().invoke(main, ["init", str(tmp_path)], input=answers)
    assert result.exit_code == 0, result.output
    assert "Issuer in en (who signs the communiqués):" in result.output
    config = tomllib.loads((tmp_path / "syndicate.toml").read_text(encoding="utf-8"))
    assert config["languages"]["en"]["issuer"] == "Portuguese Government"
    assert config["base_url"] == "https://imprensa.example.pt/"


def test_dash_capital_v_prints_the_version(run: Callable[..., Result]) -> None:
    assert run("-V").output == run("--version").output == f"syndicate, version {__version__}\n"


def test_the_command_list_cuts_no_summary_off() -> None:
    result = subprocess.run([sys.executable, "-m", "syndicate", "--help"], capture_output=True,
                            text=True, env={**os.environ, "COLUMNS": "80"}, check=True)
    commands = result.stdout.partition("Commands:")[2]
    assert "init" in commands and "..." not in commands
    assert "empty translations, as a draft." in " ".join(commands.split())


def test_status_now_says_what_status_does(run: Callable[..., Result]) -> None:
    text = " ".join(run("status", "--help").output.split())
    assert "Show each statement's state as of this instant" in text
    assert "Publish as of" not in text


def complete(project: Path, *words: str) -> list[str]:
    """What bash completion offers for the last word, from the installed entry point."""
    env = {**os.environ, "_SYNDICATE_COMPLETE": "bash_complete",
           "COMP_WORDS": " ".join(["syndicate", *words]), "COMP_CWORD": str(len(words))}
    result = subprocess.run(
        [sys.executable, "-c", "from syndicate.cli import main; main(prog_name='syndicate')"],
        cwd=project, env=env, capture_output=True, text=True, check=True)
    return [line.partition(",")[2] for line in result.stdout.splitlines()
            if line.startswith("plain,")]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("translated", "2022"), [SHIPPED_ID]),
        (("translated", ""), ["2030-01-01-later", SHIPPED_ID]),
        (("share", "2030"), ["2030-01-01-later"]),
        (("translated", SHIPPED_ID, ""), ["pt", "en"]),
        (("share", SHIPPED_ID, "--lang", "e"), ["en"]),
        (("new", "Title", "--lang", ""), ["pt", "en"]),
        (("share", SHIPPED_ID, "--platform", "b"), ["bluesky"]),
    ],
)
def test_completion_offers_ids_languages_and_platforms(
    project: Path, words: tuple[str, ...], expected: list[str]
) -> None:
    (project / "statements" / "2030-01-01-later").mkdir()
    assert complete(project, *words) == expected


def test_a_folder_without_a_project_points_to_init(tmp_path: Path,
                                                   run: Callable[..., Result]) -> None:
    result = run("check", "--project", tmp_path)
    assert result.exit_code == 1
    assert "no syndicate.toml here (use --project DIR, or start a project with `syndicate init`)" \
        in result.stderr
