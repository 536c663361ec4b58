"""What a publish holds to the end is kept only when the program ends the process itself
(``syndicate``, see cli.base.run): a caller of the command in its own process, as a test's
runner or a resident tool, keeps nothing of each publish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from syndicate.cli import base
from syndicate.inputs import Scan
from syndicate.project import Project

NOW = "2026-11-28T12:00:00+00:00"


def test_a_publish_called_in_process_keeps_nothing(
        project: Path, run: Callable[..., Result]) -> None:
    result = run("publish", "--project", project, "--now", NOW, "--without-pdf")
    assert result.exit_code == 0, result.output
    assert "Published" in result.output
    assert base._HELD == []


def test_the_program_keeps_the_statements_and_the_scan_of_a_publish(
        project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_RUN", [True])  # (as when run() runs the program)
    monkeypatch.setattr(base, "_HELD", [])
    result = run("publish", "--project", project, "--now", NOW, "--without-pdf")
    assert result.exit_code == 0, result.output
    kinds = {type(kept) for kept in base._HELD}
    assert {Project, Scan} <= kinds
