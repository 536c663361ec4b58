"""When this process may start helpers by forking, and how many cores it may use."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading


def fork_is_safe() -> bool:
    """True when a child can be forked from this process: fork exists, and no other thread runs
    (a thread may hold a lock at the moment of the fork, which the child would then wait on
    forever). On macOS fork exists but system libraries are not safe in a forked child."""
    return (threading.active_count() == 1 and sys.platform != "darwin"
            and "fork" in multiprocessing.get_all_start_methods())


def default_jobs() -> int:
    """One process per core: what ``--jobs`` and the loading of statements use by default."""
    return os.cpu_count() or 1
