"""Handing units to workers a window at a time (:mod:`syndicate.handover`), with real threads
and a real executor: how many are in memory at once, what comes back, what a stop stops."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from syndicate.errors import ContentError, Problem
from syndicate.handover import Handover
from syndicate.publish import load
from syndicate.units import Outcome, Unit


@pytest.fixture
def units(project: Path) -> list[Unit]:
    """Twelve units of the shipped statement (their keys tell them apart)."""
    statement = load(project).statements[0]
    return [Unit("pdf", statement, "en", key=f"key{n}") for n in range(12)]


class Counting:
    """A ``ready`` that counts the units made ready and not yet rendered."""

    def __init__(self, broken: str = "") -> None:
        self.broken, self.lock = broken, threading.Lock()
        self.held = self.most = self.made = 0

    def __call__(self, unit: Unit) -> Unit:
        if unit.key == self.broken:
            raise ContentError([Problem("statements/x/chart.png", None, "changed since read")])
        with self.lock:
            self.made += 1
            self.held += 1
            self.most = max(self.most, self.held)
        return unit._replace(lang="pt")  # (what a worker gets is the unit made ready)

    def rendered(self, batch: list[Unit]) -> list[Outcome]:
        time.sleep(0.01)
        with self.lock:
            self.held -= len(batch)
        return [Outcome(f"{unit.key}:{unit.lang}") for unit in batch]


def batches_of(units: list[Unit], size: int) -> list[list[Unit]]:
    return [units[at:at + size] for at in range(0, len(units), size)]


def test_every_unit_comes_back_once_made_ready_and_at_most_a_window_is_held(
        units: list[Unit]) -> None:
    ready = Counting()
    with ThreadPoolExecutor(2) as pool:
        handover = Handover(batches_of(units, 2), ready,
                            lambda batch: pool.submit(ready.rendered, batch), window=2)
        try:
            got = [outcome.unit for outcome in handover.outcomes()]
        finally:
            handover.close()
    assert sorted(got) == sorted(f"key{n}:pt" for n in range(12))
    assert ready.made == 12
    assert 2 <= ready.most <= 4  # two batches of two at most: never the whole archive


def test_a_unit_that_cannot_be_made_ready_is_a_problem_and_its_batch_still_renders(
        units: list[Unit]) -> None:
    ready = Counting(broken="key3")
    with ThreadPoolExecutor(2) as pool:
        handover = Handover(batches_of(units, 3), ready,
                            lambda batch: pool.submit(ready.rendered, batch), window=1)
        try:
            outcomes = list(handover.outcomes())
        finally:
            handover.close()
    failed = [o for o in outcomes if o.problems]
    assert [o.unit for o in failed] == [units[3].name]
    assert failed[0].problems[0].message == "changed since read"
    assert {o.unit for o in outcomes if not o.problems} == {
        f"key{n}:pt" for n in range(12) if n != 3}


def test_a_batch_of_units_none_of_which_can_be_made_ready_still_comes_back(
        units: list[Unit]) -> None:
    ready = Counting(broken="key0")
    with ThreadPoolExecutor(1) as pool:
        handover = Handover([units[:1], units[1:2]], ready,
                            lambda batch: pool.submit(ready.rendered, batch), window=1)
        try:
            outcomes = list(handover.outcomes())
        finally:
            handover.close()
    assert [bool(o.problems) for o in outcomes] == [True, False]


def test_closing_stops_the_handing_over_and_waits_for_what_started(units: list[Unit]) -> None:
    ready, started, release = Counting(), threading.Event(), threading.Event()
    finished: list[Future[list[Outcome]]] = []
    handed = threading.Event()  # (a window's worth: three batches)

    def slow(batch: list[Unit]) -> list[Outcome]:
        started.set()
        release.wait(5)
        return ready.rendered(batch)

    with ThreadPoolExecutor(1) as pool:
        def submit(batch: list[Unit]) -> Future[list[Outcome]]:
            finished.append(pool.submit(slow, batch))
            if len(finished) == 3:
                handed.set()
            return finished[-1]

        handover = Handover(batches_of(units, 1), ready, submit, window=3)
        assert started.wait(5) and handed.wait(5)
        # The running one finishes only once closing has cancelled the queued two, however
        # busy the machine (it was a timer).
        queued = finished[1:]
        for future in queued:
            future.add_done_callback(
                lambda _: release.set() if all(f.done() for f in queued) else None)
        handover.close()  # (waits for the one running, cancels the two queued)
        made = ready.made
        time.sleep(0.3)
    assert made == ready.made == 3  # nothing more made ready, or handed over, once closed
    assert [f.done() for f in finished] == [True] * 3
    assert [f.cancelled() for f in finished] == [False, True, True]


def test_what_handing_over_raises_is_raised_to_the_reader(units: list[Unit]) -> None:
    def broken_pool(batch: list[Unit]) -> Future[list[Outcome]]:
        raise RuntimeError("a worker died")

    handover = Handover(batches_of(units, 4), Counting(), broken_pool, window=2)
    try:
        with pytest.raises(RuntimeError, match="a worker died"):
            list(handover.outcomes())
    finally:
        handover.close()
