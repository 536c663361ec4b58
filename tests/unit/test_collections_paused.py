"""processes.collections_paused: what a load or a plan builds is not walked by the young
collections that follow, and garbage in cycles made meanwhile is still freed."""

from __future__ import annotations

import gc
import weakref

from syndicate.processes import collections_paused


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_what_is_built_meanwhile_leaves_the_young_generation_and_cycles_are_still_freed() -> None:
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


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_another_part_froze_stays_frozen() -> None:
    frozen = [[number] for number in range(1_000)]
    gc.freeze()
    try:
        count = gc.get_freeze_count()
        with collections_paused():
            pass
        assert gc.get_freeze_count() == count and gc.isenabled() and len(frozen) == 1_000
    finally:
        gc.unfreeze()
