"""The ``syndicate`` program itself (the console script, and ``python -m syndicate``): it ends
without the interpreter's teardown (:func:`syndicate.cli.base.run`), so what a user sees is
checked through a real process and pipe: every line printed arrives, in order, with the exit
status the command gave."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

SCRIPT = Path(sys.executable).parent / "syndicate"


@pytest.mark.parametrize("program", [[str(SCRIPT)], [sys.executable, "-m", "syndicate"]])
def test_what_a_command_prints_arrives_whole_through_a_pipe(
        project: Path, run: Callable[..., Result], program: list[str]) -> None:
    """(A pipe buffers the output: a process ending without flushing it would lose it. The
    commands print with click, which flushes each line; the program flushes again before it
    ends, for whatever else wrote.)"""
    result = subprocess.run([*program, "status", "--project", str(project)],
                            capture_output=True, text=True, timeout=120, check=False)
    expected = run("status", "--project", project)
    assert (result.returncode, result.stdout) == (0, expected.stdout)
    assert result.stdout.count("\n") >= 2


@pytest.mark.parametrize(("words", "status", "said"), [
    (["publish", "--project", "{missing}"], 1, "no syndicate.toml here"),
    (["publish", "--no-such-option"], 2, "No such option '--no-such-option'"),
    (["--version"], 0, "syndicate, version "),
])
def test_the_exit_status_and_message_are_the_commands(
        tmp_path: Path, words: list[str], status: int, said: str) -> None:
    command = [str(SCRIPT), *(w.format(missing=tmp_path / "none") for w in words)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == status
    assert said in result.stdout + result.stderr


def test_a_command_started_with_its_output_closed_still_succeeds(project: Path) -> None:
    """(As some cron and service wrappers start a program: ``>&-``. Python then has no
    sys.stdout at all; the program must not fail flushing it.)"""
    result = subprocess.run(f'"{SCRIPT}" status --project "{project}" >&- 2>&-', shell=True,
                            timeout=120, check=False)
    assert result.returncode == 0
