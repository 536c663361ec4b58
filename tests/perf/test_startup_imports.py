"""`syndicate --help` and `syndicate check` start without importing any renderer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RENDERERS = {"weasyprint", "pypdfium2", "feedgen", "PIL", "distributed"}


def imported_modules(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "syndicate", *args],
        capture_output=True, text=True, check=True,
    )
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:")}


@pytest.mark.parametrize("args", [["--help"], ["publish", "--help"]])
def test_help_imports_no_renderer(args: list[str]) -> None:
    modules = imported_modules(*args)
    assert "click" in modules
    assert RENDERERS.isdisjoint(modules)


def test_check_imports_no_renderer(project: Path) -> None:
    modules = imported_modules("check", "--project", str(project))
    assert "syndicate.sources" in modules
    assert RENDERERS.isdisjoint(modules)
