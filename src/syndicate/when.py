"""Dates and date-times as statements write them (``statement.yaml``): a bare date, or a
wall-clock time in the site's time zone unless it ends with an offset."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from syndicate.model import Site

# Dates outside these years are typing mistakes (and near the ends of Python's range, a time
# zone conversion overflows).
FIRST_YEAR, LAST_YEAR = 1900, 2999

# How a date or date-time is written (front matter, statement.yaml).
WHEN = ("YYYY-MM-DD or a date-time like 2022-11-22T10:30, in the site's time zone unless it "
        "ends with an offset such as +01:00")

_Fail = Callable[[str], object]  # told what is wrong with a value (its line is known)


def parse_when(value: str, site: Site, fail: _Fail) -> datetime | None:
    """A bare date is the start of that day in the site's time zone; a date-time without an
    offset is read in the site's time zone too (a wall-clock time that a daylight-saving change
    repeats or skips there is refused, naming its two readings)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        fail(f"{value!r} is out of range: the year must be {FIRST_YEAR} to {LAST_YEAR}")
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            fail(f"{value!r} is not a real date")
            return None
        return _in_whole_minutes(datetime.combine(day, time(0), tzinfo=site.tzinfo), value,
                                 site, fail)
    if (offset := re.search(r"[+-]\d{2}:?(\d{2})$", value)) and int(offset.group(1)) > 59:
        fail(f"{value!r} has an offset of {offset.group(1)} minutes; an offset's minutes are "
             "00 to 59")
        return None
    if not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", value
    ):
        fail(f"{value!r} is not {WHEN}")
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{value!r} is not a real date and time")
        return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        fail(f"{value!r} is out of range: the year must be {FIRST_YEAR} to {LAST_YEAR}")
        return None
    if moment.tzinfo is None:
        local = local_time(moment, value, site.timezone, fail)
        return None if local is None else _in_whole_minutes(local, value, site, fail)
    return _in_whole_minutes(moment, value, site, fail)


def _in_whole_minutes(moment: datetime, value: str, site: Site, fail: _Fail) -> datetime | None:
    """``moment``, unless the site's time zone then had an offset of seconds, which feeds,
    sitemaps and pages cannot write (RFC 3339 offsets are hours and minutes): local mean time,
    as in Europe/Lisbon before 1912. Such a date is refused (see SECURITY.md)."""
    local = moment.astimezone(site.tzinfo)
    offset = local.utcoffset()
    if offset is None or offset.seconds % 60 == 0:
        return moment
    start = _whole_minutes_from(local, site)
    then = local.isoformat(timespec="seconds")[19:]
    fail(f"{value!r} is before {start}, when {site.timezone} took an offset of whole minutes "
         f"(its offset then, {then}, is local mean time, which feeds cannot write)")
    return None


def _whole_minutes_from(moment: datetime, site: Site) -> str:
    """The first day after ``moment`` from which the site's zone has whole-minute offsets."""
    low, high = moment, datetime(LAST_YEAR, 1, 1, tzinfo=site.tzinfo)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        offset = middle.astimezone(site.tzinfo).utcoffset()
        if offset is not None and offset.seconds % 60:
            low = middle
        else:
            high = middle
    return high.astimezone(site.tzinfo).date().isoformat()


def local_time(wall: datetime, value: str, zone: str, fail: _Fail) -> datetime | None:
    """The instant a wall-clock time names in ``zone``, or None (and ``fail`` called) when a
    daylight-saving change makes it ambiguous (the clocks go back) or skips it (forward).

    >>> local_time(datetime(2026, 7, 1, 10, 30), "", "Europe/Lisbon", print).isoformat()
    '2026-07-01T10:30:00+01:00'
    >>> local_time(datetime(2026, 10, 25, 1, 30), "2026-10-25T01:30", "Europe/Lisbon", print)
    2026-10-25T01:30 is ambiguous in Europe/Lisbon: 01:30+01:00 or 01:30+00:00; write the offset
    """
    tz = ZoneInfo(zone)
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    readings = f"{_clock(first)} or {_clock(second)}"
    if _exists(first):
        fail(f"{value} is ambiguous in {zone}: {readings}; write the offset")
    else:
        fail(f"{value} does not exist in {zone} (the clocks go forward then): {readings}; "
             "write the offset")
    return None


def _exists(moment: datetime) -> bool:
    """Whether an aware ``moment``'s wall-clock time really occurs in its zone."""
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None, fold=0) == moment.replace(tzinfo=None, fold=0)


def _clock(moment: datetime) -> str:
    """The wall-clock time with the offset it is read with, e.g. ``01:30+01:00``."""
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")[11:]
