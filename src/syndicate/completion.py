"""Shell completion of statement ids, language codes and platforms (Click's ``shell_complete``).

Enabled per shell with Click's variable, e.g. ``eval "$(_SYNDICATE_COMPLETE=bash_source
syndicate)"``. Completion reads only folder names and ``syndicate.toml``'s language table, never
the statements, and offers nothing rather than fail on a broken project.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import click
from click.shell_completion import CompletionItem


def _project(ctx: click.Context) -> Path:
    """The ``--project`` typed so far on the command line, else the current folder."""
    value = ctx.params.get("project")
    return Path(value) if value else Path(".")


def _matching(names: list[str], incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def statement_ids(ctx: click.Context, param: click.Parameter,
                  incomplete: str) -> list[CompletionItem]:
    """The statement folders under ``statements/``, newest first."""
    from syndicate.config import STATEMENTS_DIR  # (at completion time: it imports Babel)

    try:
        with os.scandir(_project(ctx) / STATEMENTS_DIR) as entries:
            names = [e.name for e in entries if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return []
    return _matching(sorted(names, reverse=True), incomplete)


def languages(ctx: click.Context, param: click.Parameter,
              incomplete: str) -> list[CompletionItem]:
    """The language codes ``syndicate.toml`` configures, in its order."""
    from syndicate.config import CONFIG_FILE

    try:
        data = tomllib.loads((_project(ctx) / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    table = data.get("languages")
    return _matching([str(code) for code in table], incomplete) if isinstance(table, dict) else []


def platforms(ctx: click.Context, param: click.Parameter,
              incomplete: str) -> list[CompletionItem]:
    """The platforms ``share --platform`` knows."""
    from syndicate.render.share import PLATFORMS

    return _matching(list(PLATFORMS), incomplete)
