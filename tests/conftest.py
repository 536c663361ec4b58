"""Shared fixtures: a copy of the repository's own project (config, statements, catalogs)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syndicate.cli import main

REPO = Path(__file__).resolve().parents[1]
SHIPPED_ID = "2022-11-22-vitorino-iom"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throw-away copy of the shipped project."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "syndicate.toml", root / "syndicate.toml")
    shutil.copytree(REPO / "statements", root / "statements")
    shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns("*.mo"))
    return root


@pytest.fixture
def run() -> Callable[..., Result]:
    """Invoke the CLI in-process and return Click's result (stdout and stderr apart)."""

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
