"""Units handed to workers a window at a time, each made ready (its words and image bytes read)
only as it goes: an archive's texts are never all in memory at once.

A publish's units carry their words lazily (see :mod:`syndicate.words`); a worker process
never reads the project, so each unit is made ready (:data:`Ready`) just before it leaves this
process. A feeding thread keeps at most ``window`` batches with the workers and hands over the
next as one finishes, while this process renders the pages; the outcomes come back in the
order they finish.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, wait

from syndicate.errors import ContentError
from syndicate.units import Outcome, Unit

Ready = Callable[[Unit], Unit]  # a unit with its words and image bytes in memory
Submit = Callable[[list[Unit]], "Future[list[Outcome]]"]  # hands a batch of ready units over

WINDOW_PER_WORKER = 8  # batches with each worker at once: none waits for the next


def made_ready(unit: Unit, ready: Ready) -> Unit | Outcome:
    """``unit`` made ready, or the outcome of one that cannot be (an image changed since it
    was read: its problem is reported with the others, never a traceback)."""
    try:
        return ready(unit)
    except ContentError as error:
        return Outcome(unit.name, problems=list(error.problems))


class Handover:
    """``batches`` of units handed to ``submit`` by a thread of their own, each unit made
    ``ready`` as its batch goes, at most ``window`` batches unfinished at once.

    Iterate :meth:`outcomes` (it raises what handing over raised), then :meth:`close`, in a
    ``finally``: it stops the handing over, cancels what has not started and waits for what
    has (none may write into the staging folder once it is gone)."""

    def __init__(self, batches: Sequence[list[Unit]], ready: Ready, submit: Submit,
                 window: int) -> None:
        self._batches, self._ready, self._submit = batches, ready, submit
        self._slots = threading.Semaphore(max(1, window))
        self._stopped = threading.Event()
        self._finished: queue.SimpleQueue[Future[list[Outcome]] | list[Outcome]
                                          | BaseException] = queue.SimpleQueue()
        self._unfinished: set[Future[list[Outcome]]] = set()  # (a finished one is let go)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._feed, name="handover", daemon=True)
        self._thread.start()

    def outcomes(self) -> Iterator[Outcome]:
        for _ in self._batches:
            got = self._finished.get()
            if isinstance(got, BaseException):
                raise got
            yield from got if isinstance(got, list) else got.result()

    def close(self) -> None:
        self._stopped.set()
        self._thread.join()
        with self._lock:
            unfinished = list(self._unfinished)
        for future in unfinished:
            future.cancel()
        wait(unfinished)

    def _feed(self) -> None:
        try:
            for batch in self._batches:
                if not self._slot():
                    return
                self._hand(batch)
        except BaseException as error:  # (to the consumer, who raises it: e.g. a broken pool)
            self._finished.put(error)

    def _slot(self) -> bool:
        """Wait for a free slot; False once closed."""
        while not self._slots.acquire(timeout=0.1):
            if self._stopped.is_set():
                return False
        return not self._stopped.is_set()

    def _hand(self, batch: list[Unit]) -> None:
        made = [made_ready(unit, self._ready) for unit in batch]
        failed = [outcome for outcome in made if isinstance(outcome, Outcome)]
        units = [unit for unit in made if isinstance(unit, Unit)]
        if self._stopped.is_set():  # (closed while these were read: nothing more goes)
            return
        if not units:
            self._slots.release()
            self._finished.put(failed)
            return
        future = self._submit(units)
        with self._lock:
            self._unfinished.add(future)
        future.add_done_callback(lambda done: self._done(done, failed))

    def _done(self, future: Future[list[Outcome]], failed: list[Outcome]) -> None:
        with self._lock:
            self._unfinished.discard(future)
        self._slots.release()
        if failed and not future.cancelled() and future.exception() is None:
            self._finished.put([*failed, *future.result()])
        else:
            self._finished.put(future)
