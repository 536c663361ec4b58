"""Locales, dates and interface words.

Every Babel call names its locale and time zone explicitly; nothing depends on the process
locale. Interface words come from gettext catalogs: the package's own
(``syndicate/locales/<locale>/LC_MESSAGES/messages.po``), overridden message by message by a
project's ``locales/``, compiled in memory when loaded (``.mo`` files are never needed).
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global, parse_locale
from babel.dates import DateTimePattern, get_date_format
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from syndicate.errors import ContentError, Problem
from syndicate.files import present, read_regular

DOMAIN = "messages"
# The catalogs syndicate ships (en, pt_PT, fr, es, ar); a project's locales/ overrides them.
PACKAGED_LOCALES = Path(__file__).resolve().parent / "locales"
SOURCE_LANGUAGE = "en"  # the language the msgids are written in
# A fixed header date keeps catalogs (and the cache keys made from them) byte-stable.
FIXED_DATE = datetime(2022, 11, 22, tzinfo=UTC)


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
    call, a good part of its time, and an index page of 1,000 statements shows 2,000 dates."""
    parsed = Locale.parse(locale)
    return parsed, get_date_format("long", locale=parsed)


def dateline(place: str, when: datetime, tz: ZoneInfo, locale: str) -> str:
    """A press dateline: place and date, formatted per locale.

    >>> from datetime import timezone
    >>> lisbon = ZoneInfo("Europe/Lisbon")
    >>> dateline("Lisbon", datetime(2022, 11, 22, tzinfo=timezone.utc), lisbon, "en")
    'Lisbon, November 22, 2022'
    >>> dateline("لشبونة", datetime(2022, 11, 22, tzinfo=timezone.utc), lisbon, "ar")
    'لشبونة، 22 نوفمبر 2022'
    """
    date = long_date(when, tz, locale)
    return f"{place}{comma(locale)}{date}" if place else date


# The comma of a script that does not write ",", with the space after it.
_COMMAS = {"Arab": "\u060c "}


def script(locale: str) -> str:
    """The ISO 15924 code of the script ``locale`` is written in (CLDR's likely one).

    >>> script("ar"), script("pt_PT"), script("sr_Latn"), script("fa")
    ('Arab', 'Latn', 'Latn', 'Arab')
    """
    parsed = Locale.parse(locale)
    if parsed.script:
        return str(parsed.script)
    likely = get_global("likely_subtags").get(parsed.language)
    return (parse_locale(likely)[2] if likely else None) or "Latn"


def comma(locale: str) -> str:
    """The comma and space that separate the items of a dateline or a list in ``locale``.

    >>> comma("en"), comma("ar")
    (', ', '، ')
    """
    return _COMMAS.get(script(locale), ", ")


def catalog_path(locales_dir: Path, locale: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_chain(locale: str) -> tuple[str, ...]:
    """The catalogs a locale takes its words from, in order: its own, then its base language's
    (never another region's: ``pt_BR`` does not get ``pt_PT``'s words).

    >>> catalog_chain("en_GB"), catalog_chain("pt_BR"), catalog_chain("fr")
    (('en_GB', 'en'), ('pt_BR', 'pt'), ('fr',))
    """
    base = Locale.parse(locale).language
    return (locale,) if base == locale else (locale, base)


def writes_msgids(locale: str) -> bool:
    """Whether the locale's language is the one the interface's msgids are written in.

    >>> writes_msgids("en_GB"), writes_msgids("pt_PT")
    (True, False)
    """
    return Locale.parse(locale).language == SOURCE_LANGUAGE


def read_catalog(path: Path, locale: str | None = None) -> Catalog | None:
    """The catalog in the ``.po`` (or ``.pot``) file at ``path``, None when there is none; a
    syntax error or a bad encoding is a :class:`ContentError` at its line (Babel would only
    print a warning, with no file name); a file that cannot be read (no permission, a folder, a
    FIFO: never waited on) an ``OSError`` naming it, reported as every other."""
    if not present(path):
        return None
    data = read_regular(path)
    try:
        return read_po(io.BytesIO(data), locale=locale, domain=DOMAIN, abort_invalid=True)
    except PoFileError as exc:
        message = str(exc).rsplit(" on ", 1)[0]
        problem = Problem(str(path), exc.lineno + 1, f"invalid catalog: {message}: {exc.line!r}")
    except UnicodeDecodeError:
        line = next((number for number, text in enumerate(data.split(b"\n"), 1)
                     if not _decodes(text)), None)
        problem = Problem(str(path), line, "invalid catalog: invalid UTF-8 (a catalog is UTF-8 "
                                           "text)")
    except (LookupError, ValueError) as exc:  # charset, plural forms
        problem = Problem(str(path), None, f"invalid catalog: {exc}")
    raise ContentError([problem])


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# A %-directive as Python's "%" operator reads it: every translation is formatted with the
# message's named variables (see syndicate.templating), so its directives must be the msgid's.
_DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?.?", re.DOTALL)


def placeholder_problem(msgid: str | Sequence[str], msgstr: str | Sequence[str]) -> str | None:
    """What is wrong with the placeholders of a translation, or None: each of its
    %-directives must be ``%%`` or one of the msgid's, written alike (a translation formatted
    with another name or type would fail at publish; :func:`interface_catalog` leaves it out).

    >>> placeholder_problem("On %(platform)s", "Em %(plataforma)s")
    "'%(plataforma)s' is no placeholder of the original (it has '%(platform)s')"
    >>> placeholder_problem("Page %(page)s", "Página %(page)d")
    "'%(page)d' is no placeholder of the original (it has '%(page)s')"
    """
    ids = (msgid,) if isinstance(msgid, str) else msgid
    known = {d for text in ids for d in _DIRECTIVE.findall(text)} - {"%%"}
    for text in (msgstr,) if isinstance(msgstr, str) else msgstr:
        for directive in _DIRECTIVE.findall(text or ""):
            if directive != "%%" and directive not in known:
                has = ", ".join(repr(d) for d in sorted(known)) or "none"
                hint = "" if directive.startswith("%(") else "; write %% for a percent sign"
                return f"{directive!r} is no placeholder of the original (it has {has}){hint}"
    return None


def is_translated(message: Message | None) -> bool:
    """A message with every form translated and not fuzzy (what ``msgfmt`` keeps)."""
    if message is None or message.fuzzy or not message.id:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def interface_catalog(locales_dir: Path | None, locale: str) -> Catalog:
    """The words ``locale`` is published with: message by message, the project's catalog in
    ``locales_dir`` first (None: the packaged words alone), then the packaged one, for the
    locale and then its base language (see :func:`catalog_chain`). Untranslated and fuzzy
    messages are left out, and so are those that cannot be filled in (see
    :func:`placeholder_problem`).

    >>> interface_catalog(None, "en_GB").get("Press release").string
    'Press release'
    >>> interface_catalog(None, "pt_BR").get("Press release") is None
    True
    """
    merged = Catalog(locale=locale, domain=DOMAIN, project="syndicate", fuzzy=False,
                     creation_date=FIXED_DATE, revision_date=FIXED_DATE)
    folders = (PACKAGED_LOCALES,) if locales_dir is None else (locales_dir, PACKAGED_LOCALES)
    for candidate in catalog_chain(locale):
        for folder in folders:
            catalog = read_catalog(catalog_path(folder, candidate), candidate)
            for message in catalog or ():
                if (is_translated(message)
                        and placeholder_problem(message.id, message.string or "") is None
                        and merged.get(message.id, message.context) is None):
                    merged.add(message.id, message.string, context=message.context,
                               flags=message.flags)
    return merged


def compiled_catalog(locales_dir: Path, locale: str) -> bytes | None:
    """:func:`interface_catalog` compiled to ``.mo`` bytes; None when it has no message."""
    catalog = interface_catalog(locales_dir, locale)
    if not len(catalog):
        return None
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def translations_from(compiled: bytes | None) -> gettext.NullTranslations:
    """Gettext translations from :func:`compiled_catalog`'s bytes (English without any)."""
    return gettext.GNUTranslations(io.BytesIO(compiled)) if compiled else gettext.NullTranslations()


def load_translations(locales_dir: Path, locale: str) -> gettext.NullTranslations:
    """The interface words for ``locale`` (see :func:`interface_catalog`); English source
    strings for any message no catalog translates."""
    return translations_from(compiled_catalog(locales_dir, locale))


def N_(message: str) -> str:  # noqa: N802 (the conventional gettext marker name)
    """Mark a string for extraction into the catalogs; translate it later with gettext.

    >>> N_("Press release")
    'Press release'
    """
    return message
