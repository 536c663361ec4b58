"""A Ctrl-C that arrives while Python runs a callback whose errors it only prints ("Exception
ignored in ...": an import lock's clean-up, a finalizer) still stops the command."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from syndicate.processes import interrupts_kept


class _InterruptedWhileCollected:
    """An object whose finalizer meets a Ctrl-C (as an import lock's callback may)."""

    def __del__(self) -> None:
        raise KeyboardInterrupt


def _collect_one() -> None:
    doomed = _InterruptedWhileCollected()
    del doomed  # (its finalizer runs here; what it raises is "ignored")
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:  # (long enough for an interrupt delivered again)
        time.sleep(0.001)


def test_an_interrupt_met_in_a_finalizer_stops_the_command() -> None:
    with pytest.raises(KeyboardInterrupt), interrupts_kept():
        _collect_one()


def test_without_it_python_prints_the_interrupt_and_goes_on() -> None:
    """What the above guards against, as Python does it (so that the test above can fail)."""
    program = ("from tests.unit.test_interrupts_kept import _collect_one\n"
               "_collect_one()\nprint('went on')\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.stdout == "went on\n"
    assert "Exception ignored" in done.stderr and "KeyboardInterrupt" in done.stderr


def test_other_ignored_errors_are_reported_as_before() -> None:
    program = ("from syndicate.processes import interrupts_kept\n"
               "class Failing:\n"
               "    def __del__(self):\n"
               "        raise ValueError('a finalizer of its own')\n"
               "with interrupts_kept():\n"
               "    failing = Failing()\n"
               "    del failing\n"
               "print('went on')\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.stdout == "went on\n"
    assert "ValueError: a finalizer of its own" in done.stderr
