"""What a publish holds to the end is kept only when the program ends the process itself
(``syndicate``, see cli.base.run): a caller of the command in its own process, as a test's
runner or a resident tool, keeps nothing of each publish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from syndicate.cli import base

NOW = "2026-11-28T12:00:00+00:00"


def test_a_publish_called_in_process_keeps_nothing(
        project: Path, run: Callable[..., Result]) -> None:
    result = run("publish", "--project", project, "--now", NOW, "--without-pdf")
    assert result.exit_code == 0, result.output
    assert "Published" in result.output
    assert base._HELD == []


def test_the_program_keeps_what_a_publish_held() -> None:
    kept: list[object] = []
    base._RUN.append(True)
    try:
        base.hold_to_the_end(kept)
        assert base._HELD == [kept]
    finally:
        base._RUN.clear()
        base._HELD.clear()
