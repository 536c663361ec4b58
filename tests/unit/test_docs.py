"""Nothing a user can type or configure is undocumented: the README names every command,
option and config key (a new one without documentation fails here)."""

from __future__ import annotations

import click
import pytest

from conftest import REPO
from syndicate import config
from syndicate.cli import main

README = (REPO / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "syndicate") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found.extend(commands(command, path))
        else:
            found.append((path, command))
    return found


@pytest.mark.parametrize(("path", "command"), commands(main), ids=lambda v: str(v))
def test_every_command_and_option_is_in_the_readme(path: str, command: click.Command) -> None:
    words = path.split()
    assert " ".join(words[:2]) in README, f"{path} is not documented in README.md"
    for parameter in command.params:
        for option in getattr(parameter, "opts", []):
            if option.startswith("--") and option != "--help":
                assert option in README, f"{path} {option} is not documented in README.md"


@pytest.mark.parametrize("table", ["SITE_KEYS", "LANGUAGE_KEYS", "FEEDS_KEYS", "PDF_KEYS",
                                   "MAIL_KEYS", "EDITIONS_KEYS"])
def test_every_config_key_is_in_the_readme(table: str) -> None:
    for key in getattr(config, table):
        assert key in README, f"config key {key!r} ({table}) is not documented in README.md"
