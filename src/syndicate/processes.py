"""When this process may start helpers by forking, how many cores it may use, and how often it
looks for garbage."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sys import UnraisableHookArgs

# Python's cycle collector, run after this many new objects in place of 700 (its older
# generations after 20 and 10 of the younger's runs, as by default): see fewer_collections.
FEWER_COLLECTIONS = (100_000, 20, 10)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cycle collector less often while a command runs. A publish holds a large
    archive's statements and entries (millions of objects at 16,000 statements) and makes few
    cycles; by default it collects every 700 new objects, and the older generations are walked
    whole again and again (figures: benchmarks/notes.md). Rendering workers set the same
    thresholds (a layout makes objects by the million). Garbage without cycles is freed as
    ever, at once."""
    before = gc.get_threshold()
    gc.set_threshold(*FEWER_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def collections_paused() -> Iterator[None]:
    """No cycle collection while a stage builds what the command then keeps: a load's cached
    statements, a publish's plan (about a million objects at 16,000 statements, none in a
    cycle, which each young collection walked: benchmarks/notes.md). The youngest objects are
    collected first, as they would have been; at its end what was built joins the oldest
    generation without being walked, and a full collection, as rare as ever, frees a cycle
    made meanwhile. What another part of the process froze stays frozen (nothing is moved
    then). Never around a fork: a process forked meanwhile would collect nothing."""
    if not gc.isenabled():
        yield
        return
    moves = gc.get_freeze_count() == 0  # (unfreezing would let go what another part froze)
    gc.collect(0)
    gc.disable()
    try:
        yield
    finally:
        if moves:
            gc.freeze()  # (every object tracked, to the permanent generation: nothing walked)
            gc.unfreeze()  # (and from there to the oldest)
        gc.enable()


INTERRUPT_AGAIN_AFTER = 0.01  # seconds: see interrupts_kept


@contextmanager
def interrupts_kept() -> Iterator[None]:
    """Keep a Ctrl-C that Python would print and drop: one that arrives while it runs a
    callback whose errors it only reports ("Exception ignored in ...", e.g. an import lock's
    clean-up) was printed with a traceback, and the command went on as if nothing had been
    pressed. While this holds, such an interrupt is sent again a moment later (from a thread:
    sent at once, it would meet the callback again), as SIGINT to the main thread, which it
    stops as any Ctrl-C does (held as any, see interrupts_held; a wait it is in ends). One not
    sent again before this ends is raised as it ends. Other such errors are reported as ever."""
    previous, kept = sys.unraisablehook, _KeptInterrupts()

    def keep(unraisable: UnraisableHookArgs) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            kept.keep()
        else:
            previous(unraisable)

    sys.unraisablehook = keep
    try:
        yield
    finally:
        sys.unraisablehook = previous
        if kept.end():  # (one it sent is raised in there, as it waits for its thread)
            raise KeyboardInterrupt


class _KeptInterrupts:
    """The interrupts :func:`interrupts_kept` keeps, each sent again by a helper thread."""

    def __init__(self) -> None:
        self._lock, self._ending = threading.Lock(), threading.Event()
        self._unsent = 0  # kept, not sent again yet
        self._helpers: list[threading.Thread] = []

    def keep(self) -> None:
        with self._lock:
            self._unsent += 1
            if self._unsent > 1:  # (a helper waits to send one: it sends for both)
                return
        helper = helper_thread(self._send, "interrupt-again")
        self._helpers.append(helper)
        helper.start()

    def _send(self) -> None:
        if self._ending.wait(INTERRUPT_AGAIN_AFTER):
            return  # (the command ended first: raised as it ends)
        with self._lock:
            self._unsent = 0
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    def end(self) -> bool:
        """Stop sending; whether an interrupt kept was never sent again."""
        self._ending.set()
        for helper in self._helpers:
            helper.join()
        return self._unsent > 0


def fork_is_safe() -> bool:
    """True when a child can be forked from this process: fork exists, and no other thread runs
    (a thread may hold a lock at the moment of the fork, which the child would then wait on
    forever). On macOS fork exists but system libraries are not safe in a forked child."""
    return (threading.active_count() == 1 and sys.platform != "darwin"
            and "fork" in multiprocessing.get_all_start_methods())


def die_with(parent: int) -> None:
    """Linux: this child process (of ``parent``) gets SIGKILL when its parent dies (e.g. killed).

    The request only covers a death after it is made: a parent gone already (while the child
    was still starting) makes the child leave at once, instead of working for nobody.
    """
    from syndicate import libc  # (ctypes, only in a child)

    prctl = libc.function("prctl")
    if prctl is not None:
        pr_set_pdeathsig = 1
        prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def default_jobs() -> int:
    """One process per core: what ``--jobs`` and the loading of statements use by default."""
    return os.cpu_count() or 1


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold back SIGINT (Ctrl-C) in this thread while helper processes start: they inherit the
    blocked signal (across ``exec`` too) until :func:`ignore_interrupts` runs in them, so a
    Ctrl-C never meets a helper half started (whose traceback would be printed). This process
    gets the signal when the block ends."""
    held = (hasattr(signal, "pthread_sigmask")
            and threading.current_thread() is threading.main_thread())
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def ignore_interrupts() -> None:
    """In a helper process: ignore Ctrl-C (the terminal sends it to every process of the
    command; the publishing process alone decides what stops, and stops its helpers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def helper_thread(target: Callable[[], None], name: str) -> threading.Thread:
    """A daemon thread running ``target`` that never receives SIGINT: the kernel hands a
    process's signal to any thread not blocking it, and then Python raises KeyboardInterrupt
    in the main thread at once, even inside :func:`interrupts_held`."""

    def run() -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        target()

    return threading.Thread(target=run, name=name, daemon=True)
