"""processes.collections_paused: what a load or a plan builds is not walked by the young
collections that follow, and garbage in cycles made meanwhile is still freed.

The collector's state is the whole process's: a thread another test left running (a server,
a publish in the background) may pause it or freeze objects at any moment. Each case runs in
an interpreter of its own (this file, run with the case's name), where nothing else does."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import pytest

from syndicate.processes import collections_paused


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def built_meanwhile_leaves_the_young_generation_and_cycles_are_still_freed() -> None:
    assert gc.isenabled()
    gc.collect()  # (so that no collection meets the cycle below before the pause does)
    earlier = Node()
    earlier.other = earlier
    before = weakref.ref(earlier)
    del earlier
    with collections_paused():
        assert before() is None  # (the youngest collected first: not carried to the oldest)
        assert not gc.isenabled()
        kept = [[number] for number in range(50_000)]  # (tracked: a collection walks each)
        cycle = Node()
        cycle.other = cycle
        gone = weakref.ref(cycle)
        del cycle
    assert gc.isenabled() and gc.get_freeze_count() == 0  # (none left out of collections)
    assert gc.get_count()[0] < 1_000  # (the 50,000 lists are no young collection's to walk)
    assert gone() is not None  # (nothing collected meanwhile)
    gc.collect()
    assert gone() is None and len(kept) == 50_000


def disabled_before_stays_disabled() -> None:
    gc.disable()
    with collections_paused():
        pass
    assert not gc.isenabled()


def what_another_part_froze_stays_frozen() -> None:
    frozen = [[number] for number in range(1_000)]
    gc.freeze()
    count = gc.get_freeze_count()
    assert count >= 1_000
    with collections_paused():
        pass
    assert gc.get_freeze_count() == count and gc.isenabled() and len(frozen) == 1_000


CASES = {case.__name__: case for case in (
    built_meanwhile_leaves_the_young_generation_and_cycles_are_still_freed,
    disabled_before_stays_disabled, what_another_part_froze_stays_frozen)}


@pytest.mark.parametrize("case", CASES)
def test_case_in_a_process_of_its_own(case: str) -> None:
    done = subprocess.run([sys.executable, "-W", "error", __file__, case],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout == f"{case} held\n"


if __name__ == "__main__":
    CASES[sys.argv[1]]()
    print(sys.argv[1], "held")
