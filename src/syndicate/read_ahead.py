"""The statement pack decoded ahead of a publish's load, while its scan runs in another process.

A publish scans the project's files before it loads (see :mod:`syndicate.inputs`): which
statement cache entries still hold depends on what the scan finds. Where the scan runs in a
child (see :mod:`syndicate.aside`), this process meanwhile reads the pack's lines in order and
decodes each (:meth:`~syndicate.statement_pack.PackReader.read_ahead`), until the scan's result
comes. The load's lookups then take those lines as they would have read them (an entry whose key
is no longer its folder's is not taken), and read the rest as ever. An archive's load is mostly
that decoding, which then costs the publish little more than its scan (figures:
``benchmarks/notes.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from syndicate.aside import Aside
from syndicate.cache import StatementCache, context_digest
from syndicate.config import publishing_site
from syndicate.errors import SyndicateError
from syndicate.processes import collections_paused
from syndicate.statement_pack import PackReader, open_pack

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True, slots=True)
class ReadAhead:
    """The statement pack of ``project`` (as the load is given it: its lines are decoded
    with its folders' paths spelled from it), read ahead of the load's lookups."""

    project: Path
    reader: PackReader


def read_ahead(project: Path, base_url: str | None, pdf_variant: str | None,
               until: Callable[[], bool]) -> ReadAhead | None:
    """``project``'s statement pack for a load with a publish's ``--base-url`` and
    ``--pdf-variant``, read ahead until ``until()`` (or its end); None when the configuration
    cannot be read (the load says why). The caller closes its reader if no load takes it."""
    try:
        site = publishing_site(project, base_url, pdf_variant)
    except (SyndicateError, OSError):
        return None
    entries = StatementCache(project)  # (only its folder and how it decodes a line)
    reader = open_pack(entries.folder, context_digest(site))
    try:
        with collections_paused():  # (as the load's: statements by the thousand, kept)
            reader.read_ahead(entries.decode, until)
    except BaseException:
        reader.close()
        raise
    return ReadAhead(project, reader)


@contextmanager
def while_scanning(scan: Callable[[], T], project: Path, base_url: str | None,
                   pdf_variant: str | None, wanted: bool = True,
                   meanwhile: Callable[[Callable[[], bool]], object] | None = None,
                   then: Callable[[], U] | None = None,
                   ) -> Iterator[tuple[T, ReadAhead | None, Callable[[], U | None]]]:
    """``scan``'s result, made in a child when ``wanted`` and it can be (see
    :mod:`syndicate.aside`) while this process reads ``project``'s statement pack ahead of the
    load (see :func:`read_ahead`), then does ``meanwhile`` (told whether the child is done);
    the pack read ahead, if any (closed at the end, unless a load took it and closed it); and
    what gives ``then``'s result, made after ``scan``'s in the same process (see
    :meth:`Aside.rest`), until the end."""
    ahead = None
    try:
        with Aside(scan, wanted, then) as scanning:
            if scanning.forked:
                ahead = read_ahead(project, base_url, pdf_variant, scanning.done)
                if meanwhile is not None:
                    meanwhile(scanning.done)
            yield scanning.result(), ahead, scanning.rest
    finally:
        if ahead is not None:
            ahead.reader.close()
