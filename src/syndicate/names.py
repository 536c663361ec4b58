"""Whether a statement id makes an output file name longer than file systems allow."""

from __future__ import annotations

from pathlib import Path

from syndicate.errors import Problem
from syndicate.model import Site

NAME_MAX = 255  # bytes in one file name, on every common file system


def too_long(root: Path, statement_id: str, site: Site, problems: list[Problem]) -> bool:
    """Report a statement id (its folder in ``root``) that makes an output file name longer
    than file systems allow (255 bytes): publish would fail to write it."""
    if len(statement_id) <= id_room(site):  # (an id is ASCII: its length is its bytes)
        return False
    name = max((part for path in site.statement_paths(statement_id) for part in path.split("/")),
               key=lambda part: len(part.encode()))
    if len(name.encode()) <= NAME_MAX:
        return False
    problems.append(Problem(
        str(root / statement_id), None,
        f"statement id is too long ({len(statement_id)} characters): its output file {name!r} "
        f"would have a name of {len(name.encode())} bytes, over the {NAME_MAX} file systems "
        f"allow; use at most {len(statement_id) - len(name.encode()) + NAME_MAX} characters"))
    return True


_ROOM: tuple[Site | None, int] = (None, 0)  # the last site id_room was asked of, its room


def id_room(site: Site) -> int:
    """:func:`_room` of ``site``, worked out once for a load's folders (known by the site's
    identity: hashing a site for each folder of an archive cost more than the check itself,
    see benchmarks/notes.md)."""
    global _ROOM
    last, room = _ROOM
    if last is not site:
        room = _room(site)
        _ROOM = (site, room)
    return room


def _room(site: Site) -> int:
    """The longest statement id whose output file names all fit in NAME_MAX bytes: each name
    grows with the id as the names made for the ids "a" and "aa" differ (once per character
    for an id it holds once)."""
    one, two = ([part for path in site.statement_paths(probe) for part in path.split("/")]
                for probe in ("a", "aa"))
    room = NAME_MAX
    for short, longer in zip(one, two, strict=True):
        growth = len(longer) - len(short)
        if growth > 0:
            room = min(room, 1 + (NAME_MAX - len(short.encode())) // growth)
        elif len(short.encode()) > NAME_MAX:  # (too long whatever the id: said in full)
            room = 0
    return room
