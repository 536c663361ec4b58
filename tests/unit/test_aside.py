"""Work done in a forked child (syndicate.aside): the same result as done here, whatever
happens to the child, and no child left behind."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

import pytest

from syndicate import aside
from syndicate.aside import Aside
from syndicate.processes import fork_is_safe

pytestmark = pytest.mark.skipif(not fork_is_safe() or (os.cpu_count() or 1) < 2,
                                reason="no child is forked here: the work is done in-process")


def _reaped(pid: int) -> bool:
    """Whether ``pid`` is no child of this process any more (ended and waited for)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_work_is_done_in_a_child_and_its_result_comes_back() -> None:
    parent = os.getpid()
    with Aside(lambda: (os.getpid(), {"rows": list(range(100_000))})) as work:
        assert work.forked
        while not work.done():
            time.sleep(0.01)
        pid, result = work.result()
    assert pid != parent  # (done in another process)
    assert result == {"rows": list(range(100_000))}  # (more than a pipe holds at once)
    assert _reaped(pid)


def test_a_child_that_fails_leaves_the_work_to_this_process() -> None:
    parent = os.getpid()

    def work() -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child's disk is gone")
        return 42

    with Aside(work) as failing:
        assert failing.forked
        assert failing.result() == 42


def test_a_child_killed_leaves_the_work_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    parent, forked = os.getpid(), []
    fork = aside._fork

    def remembered(work: Callable[[], object],
                   then: Callable[[], object] | None) -> Any:
        child = fork(work, then)
        assert child is not None
        forked.append(child.pid)
        return child

    def work() -> int:
        if os.getpid() != parent:
            time.sleep(30)
        return os.getpid()

    monkeypatch.setattr(aside, "_fork", remembered)
    with Aside(work) as slow:
        os.kill(forked[0], signal.SIGKILL)
        started = time.monotonic()
        assert slow.result() == os.getpid()  # (done here, at once)
    assert time.monotonic() - started < 10
    assert _reaped(forked[0])


def test_a_result_not_taken_stops_the_child() -> None:
    with Aside(lambda: time.sleep(30)) as slow:
        pid = slow._child.pid if slow._child else 0
        assert pid
    assert _reaped(pid)


def test_a_result_that_does_not_pickle_is_made_here() -> None:
    with Aside(lambda: (lambda: 1) if os.getpid() else None) as unpicklable:
        made = unpicklable.result()
    assert made is not None and made() == 1


def test_unwanted_or_unsafe_no_child_is_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    with Aside(os.getpid, wanted=False) as here:
        assert not here.forked and here.done()
        assert here.result() == os.getpid()
    monkeypatch.setattr(aside, "fork_is_safe", lambda: False)
    with Aside(os.getpid) as unsafe:
        assert not unsafe.forked
        assert unsafe.result() == os.getpid()


def test_a_child_reaped_unseen_still_gives_its_result() -> None:
    """(Where SIGCHLD is ignored, as some services start programs, no exit status is seen.)"""
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        with Aside(os.getpid) as work:
            assert work.result() != os.getpid()
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_a_second_part_comes_after_the_first_from_the_same_child() -> None:
    """(What ``then`` makes may use what ``work`` left in its process: the scan it made.)"""
    made: list[int] = []

    def work() -> int:
        made.append(os.getpid())
        return os.getpid()

    def then() -> tuple[int, int, list[int]]:
        return made[0], os.getpid(), list(range(100_000))

    with Aside(work, then=then) as parts:
        assert parts.forked
        child = parts.result()
        assert child != os.getpid() and not made  # (the first part, from the child)
        assert parts.rest() == (child, child, list(range(100_000)))
    assert _reaped(child)


def test_a_child_that_fails_after_its_first_part_gives_no_second() -> None:
    """The second part cannot be made here: what the first left is in the child."""

    def then() -> int:
        time.sleep(30)
        return 1

    with Aside(os.getpid, then=then) as parts:
        child = parts.result()
        assert parts.forked and child != os.getpid()
        os.kill(child, signal.SIGKILL)
        started = time.monotonic()
        assert parts.rest() is None
    assert time.monotonic() - started < 10
    assert _reaped(child)


def test_both_parts_are_made_here_when_the_first_is(monkeypatch: pytest.MonkeyPatch) -> None:
    parent, made = os.getpid(), []

    def work() -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child's disk is gone")
        made.append(42)
        return 42

    with Aside(work, then=lambda: made[0] + 1) as failing:
        assert failing.forked
        assert (failing.result(), failing.rest()) == (42, 43)
    monkeypatch.setattr(aside, "fork_is_safe", lambda: False)
    made.clear()
    with Aside(work, then=lambda: made[0] + 1) as here:
        assert not here.forked
        assert (here.result(), here.rest()) == (42, 43)


def test_a_second_part_not_taken_stops_the_child() -> None:
    with Aside(os.getpid, then=lambda: time.sleep(30)) as parts:
        child = parts.result()
        assert parts.forked and child != os.getpid()
        started = time.monotonic()
    assert time.monotonic() - started < 10
    assert _reaped(child)


def test_a_second_part_is_waited_for_where_no_exit_is_seen() -> None:
    """(Where SIGCHLD is ignored, no exit status is seen: the second part is still waited for,
    and taken.)"""
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        with Aside(os.getpid, then=lambda: time.sleep(0.5) or list(range(100_000))) as parts:
            child = parts.result()
            assert parts.forked and child != os.getpid()
            assert parts.rest() == list(range(100_000))
    finally:
        signal.signal(signal.SIGCHLD, previous)


def _descriptors() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc here")
def test_no_descriptor_is_left_open_whatever_happens() -> None:
    """(The pipe, and the second part's temporary file: closed on every path.)"""
    before = _descriptors()
    with Aside(os.getpid, then=lambda: 1) as parts:  # (both parts taken)
        parts.result()
        assert parts.rest() == 1
    with Aside(os.getpid, then=lambda: time.sleep(30)) as parts:  # (the second not taken)
        parts.result()
    with Aside(os.getpid, then=lambda: time.sleep(30)) as parts:  # (the child killed)
        child = parts.result()
        assert parts.forked and child != os.getpid()
        os.kill(child, signal.SIGKILL)
        assert parts.rest() is None
    with Aside(lambda: time.sleep(30), then=lambda: 1) as parts:  # (nothing taken)
        assert parts.forked
    assert _descriptors() == before


def test_an_interrupt_while_waiting_for_the_second_part_stops_the_child(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(pipe: object) -> bytes:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), Aside(os.getpid, then=lambda: time.sleep(30)) as parts:
        child = parts.result()
        assert parts.forked and child != os.getpid()
        monkeypatch.setattr(aside, "_all_of", interrupted)
        started = time.monotonic()
        parts.rest()
    assert time.monotonic() - started < 10
    assert _reaped(child)


def test_no_temporary_file_means_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def none_left() -> object:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(aside.tempfile, "TemporaryFile", none_left)
    with Aside(os.getpid, then=lambda: 1) as parts:
        assert not parts.forked
        assert (parts.result(), parts.rest()) == (os.getpid(), 1)
