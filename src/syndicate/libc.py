"""The C library, for the few system calls Python's :mod:`os` lacks (Linux's ``renameat2``,
``syncfs``, ``prctl``, glibc's ``mallopt``): loaded once per process, with ``errno`` kept."""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache


@cache
def _library() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    except (OSError, TypeError):
        return None


def function(name: str) -> Callable[..., int] | None:
    """The C library's function ``name``, or None where this system has none.

    >>> function("getpid") is not None, function("no_such_function") is None
    (True, True)
    """
    library = _library()
    found: Callable[..., int] | None = None if library is None else getattr(library, name, None)
    return found


def last_errno() -> int:
    """The ``errno`` the last call of a :func:`function` left in this thread."""
    return ctypes.get_errno()
