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

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from syndicate.cache import CACHE_DIR, FORMAT, STATEMENTS_FOLDER, context_digest
from syndicate.config import STATEMENTS_DIR, publishing_site
from syndicate.errors import SyndicateError
from syndicate.processes import collections_paused
from syndicate.statement_entries import Decoded, decoded
from syndicate.statement_pack import PackReader, Served, open_pack


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
    folder = project / CACHE_DIR / STATEMENTS_FOLDER
    statements = project / STATEMENTS_DIR

    def decode(name: str, served: Served, line: bytes) -> Decoded | None:
        return decoded(line, FORMAT, f"{folder}/{served.key}.json",
                       os.path.join(statements, name))

    reader = open_pack(folder, context_digest(site))
    try:
        with collections_paused():  # (as the load's: statements by the thousand, kept)
            reader.read_ahead(decode, until)
    except BaseException:
        reader.close()
        raise
    return ReadAhead(project, reader)
