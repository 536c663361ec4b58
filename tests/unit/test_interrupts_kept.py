"""A Ctrl-C that arrives while Python runs a callback whose errors it only prints ("Exception
ignored in ...": an import lock's clean-up, a finalizer) still stops the command."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from syndicate.processes import interrupts_kept

# A finalizer that meets a Ctrl-C (as an import lock's callback may), run, then a wait.
MET_IN_A_FINALIZER = """
import threading

class InterruptedWhileCollected:
    def __del__(self):
        raise KeyboardInterrupt

def collect_one(then_wait):
    doomed = InterruptedWhileCollected()
    del doomed  # (its finalizer runs here: what it raises is "ignored")
    threading.Event().wait(then_wait)
"""
namespace: dict[str, object] = {}
exec(MET_IN_A_FINALIZER, namespace)
collect_one = namespace["collect_one"]


@pytest.fixture(autouse=True)
def as_at_a_terminal() -> Iterator[None]:
    """Ctrl-C handled as in a command started from a terminal (Python's own handler, the
    signal not blocked): a test run started in the background inherits SIGINT ignored, and
    then no Ctrl-C could reach the command at all."""
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, handler)


def test_an_interrupt_met_in_a_finalizer_stops_the_command_even_in_a_wait() -> None:
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), interrupts_kept():
        collect_one(10)  # type: ignore[operator]
    assert time.monotonic() - started < 5, "the wait was not interrupted"


def test_each_interrupt_kept_is_sent_again_and_none_raised_twice() -> None:
    """A second one kept (the first sent again, caught, and another met in a finalizer) is
    sent again too, not held until the end; none is raised again as the command ends."""
    started = time.monotonic()
    with interrupts_kept():
        for _ in range(2):
            with pytest.raises(KeyboardInterrupt):
                collect_one(10)  # type: ignore[operator]
    assert time.monotonic() - started < 10, "a wait was not interrupted"


def test_one_kept_as_the_command_ends_is_raised_then_and_never_later() -> None:
    with pytest.raises(KeyboardInterrupt), interrupts_kept():
        collect_one(0)  # type: ignore[operator]
    threading.Event().wait(0.2)  # (no interrupt sent after the end: this wait is not cut)
    assert not [t for t in threading.enumerate() if t.name == "interrupt-again"]


def test_without_it_python_prints_the_interrupt_and_goes_on() -> None:
    """What the above guards against, as Python does it (so that the tests above can fail)."""
    program = MET_IN_A_FINALIZER + "collect_one(0.2)\nprint('went on')\n"
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
