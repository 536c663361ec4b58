"""Locales, dates and interface words.

Every Babel call names its locale and time zone explicitly; nothing depends on the process
locale. Interface words come from gettext catalogs in ``locales/<locale>/LC_MESSAGES/messages.po``,
compiled in memory when loaded (compiled ``.mo`` files are build products, never needed).
"""

from __future__ import annotations

import gettext
import io
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import DateTimePattern, get_date_format
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from syndicate.errors import ContentError, Problem
from syndicate.files import present, read_regular

DOMAIN = "messages"


def cldr_locale(tag: str) -> str:
    """The CLDR locale for a BCP 47 tag; raises ValueError for an unknown one.

    >>> cldr_locale("pt-PT")
    'pt_PT'
    >>> cldr_locale("en")
    'en'
    """
    try:
        return str(Locale.parse(tag, sep="-"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown language tag {tag!r}") from exc


def text_direction(locale: str) -> str:
    """``rtl`` or ``ltr``, from CLDR's character order for the locale.

    >>> text_direction("ar"), text_direction("pt_PT")
    ('rtl', 'ltr')
    """
    return "rtl" if Locale.parse(locale).character_order == "right-to-left" else "ltr"


def long_date(when: datetime, tz: ZoneInfo, locale: str) -> str:
    """The calendar date of ``when`` in the site's time zone, in the locale's long format.

    >>> from datetime import timezone
    >>> lisbon = ZoneInfo("Europe/Lisbon")
    >>> long_date(datetime(2022, 11, 22, 9, tzinfo=timezone.utc), lisbon, "pt_PT")
    '22 de novembro de 2022'
    """
    parsed, pattern = _long_date_format(locale)
    return pattern.apply(when.astimezone(tz).date(), parsed)


@cache
def _long_date_format(locale: str) -> tuple[Locale, DateTimePattern]:
    """The parsed locale and its long date pattern: Babel's ``format_date`` parses both on every
    call, a quarter of its 25 microseconds here (2,000 dates per index page of 1,000)."""
    parsed = Locale.parse(locale)
    return parsed, get_date_format("long", locale=parsed)


def dateline(place: str, when: datetime, tz: ZoneInfo, locale: str) -> str:
    """A press dateline: place and date, formatted per locale.

    >>> from datetime import timezone
    >>> lisbon = ZoneInfo("Europe/Lisbon")
    >>> dateline("Lisbon", datetime(2022, 11, 22, tzinfo=timezone.utc), lisbon, "en")
    'Lisbon, November 22, 2022'
    """
    date = long_date(when, tz, locale)
    return f"{place}, {date}" if place else date


def catalog_path(locales_dir: Path, locale: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """The catalog in the ``.po`` (or ``.pot``) file at ``path``; a syntax error is a
    :class:`ContentError` at its line (Babel would only print a warning, with no file name)."""
    try:
        handle = io.BytesIO(read_regular(path))
        return read_po(handle, locale=locale, domain=DOMAIN, abort_invalid=True)
    except PoFileError as exc:
        message = str(exc).rsplit(" on ", 1)[0]
        problem = Problem(str(path), exc.lineno + 1, f"invalid catalog: {message}: {exc.line!r}")
    except (UnicodeDecodeError, LookupError, ValueError) as exc:  # encoding, charset, plural
        problem = Problem(str(path), None, f"invalid catalog: {exc}")
    raise ContentError([problem])


def load_translations(locales_dir: Path, locale: str) -> gettext.NullTranslations:
    """The compiled catalog for ``locale``; English source strings when there is none.

    Fuzzy entries are left out, as ``msgfmt`` does.
    """
    path = catalog_path(locales_dir, locale)
    if not present(path):
        return gettext.NullTranslations()
    catalog = read_catalog(path, locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def N_(message: str) -> str:  # noqa: N802 (the conventional gettext marker name)
    """Mark a string for extraction into the catalogs; translate it later with gettext.

    >>> N_("Press release")
    'Press release'
    """
    return message
