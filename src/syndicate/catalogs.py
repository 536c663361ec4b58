"""Interface-word catalogs: extract, update, compile and check them with Babel.

``messages.pot`` is extracted from the package's Python code and Jinja2 templates; the package
ships each language's words in ``syndicate/locales/<locale>/LC_MESSAGES/messages.po``, and a
project's ``locales/`` overrides them message by message. Compiled ``.mo`` files are build
products (publish compiles in memory; ``compile`` exists for other gettext tools).
"""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from syndicate import i18n
from syndicate.errors import ContentError, Problem
from syndicate.files import present
from syndicate.i18n import (
    DOMAIN,
    FIXED_DATE,
    catalog_path,
    interface_catalog,
    is_translated,
    placeholder_problem,
    read_catalog,
    writes_msgids,
)
from syndicate.model import Language, Site

TEMPLATE = f"{DOMAIN}.pot"
PACKAGE = Path(__file__).resolve().parent
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS_MAP = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}  # N_ marks constants
PACKAGED_NOTE = "packaged: "  # the comment above a message giving the word syndicate ships
OVERRIDE_HEADER = """\
# This site's own interface words, over the ones syndicate ships.
#
# A msgstr written here replaces the packaged word on this site's pages and PDFs; an empty or
# fuzzy one keeps the packaged word (shown in the "packaged:" comment above each message)."""


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True
    )
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename: whatever was there (a FIFO, a link) is
    replaced, never written through or waited on, and a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.new")
    temporary.unlink(missing_ok=True)
    temporary.write_bytes(data)
    os.replace(temporary, path)


def extract(locales: Path) -> Path:
    """Write ``messages.pot`` from every translatable string in the package."""
    catalog = Catalog(
        project="syndicate",
        domain=DOMAIN,
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        fuzzy=False,
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, METHOD_MAP, OPTIONS_MAP, keywords=KEYWORDS
    ):
        catalog.add(
            message,
            None,
            [(f"syndicate/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    locales.mkdir(parents=True, exist_ok=True)
    path = locales / TEMPLATE
    _write(path, _po_bytes(catalog))
    return path


def _read(path: Path, locale: str | None = None) -> Catalog:
    catalog = read_catalog(path, locale)
    if catalog is None:
        raise FileNotFoundError(errno.ENOENT, "no such file", str(path))
    return catalog


def template() -> Catalog:
    """The msgids to translate: the package's ``messages.pot`` (a project's own extract is the
    same words, or older ones)."""
    return _read(i18n.PACKAGED_LOCALES / TEMPLATE)


def update(locales: Path, site: Site) -> list[Path]:
    """Bring every configured language's catalog in ``locales`` in line with the package's
    template.

    A new catalog's messages are empty: an empty msgstr keeps the packaged word, so the file
    overrides nothing until someone writes a word in it."""
    wanted = template()
    written = []
    for language in site.languages:
        path = catalog_path(locales, language.locale)
        if present(path):
            catalog = _read(path, language.locale)
        else:
            catalog = Catalog(
                locale=language.locale,
                domain=DOMAIN,
                project="syndicate",
                header_comment=OVERRIDE_HEADER,
                creation_date=FIXED_DATE,
                revision_date=FIXED_DATE,
                fuzzy=False,
            )
            path.parent.mkdir(parents=True, exist_ok=True)
        # No fuzzy matching: an override guessed from a similar word ("Comunicados" for "Newer
        # statements") would be a warning to clear, where an empty one keeps the packaged word.
        catalog.update(wanted, no_fuzzy_matching=True, update_header_comment=False)
        _show_packaged_words(catalog, language.locale)
        catalog.revision_date = FIXED_DATE
        catalog.creation_date = FIXED_DATE
        _write(path, _po_bytes(catalog))
        written.append(path)
    return written


def _show_packaged_words(catalog: Catalog, locale: str) -> None:
    """Above each message, a ``# packaged: ...`` comment with the word syndicate ships for it
    (what an empty msgstr publishes), kept up to date at each update."""
    packaged = interface_catalog(None, locale)
    for message in catalog:
        if not message.id:
            continue
        comments = [c for c in message.user_comments if not c.startswith(PACKAGED_NOTE)]
        word = packaged.get(message.id, message.context)
        if word is not None:
            shown = word.string if isinstance(word.string, str) else " | ".join(word.string or ())
            comments.append(f"{PACKAGED_NOTE}{shown}")
        message.user_comments = comments


def compile_all(locales: Path, site: Site) -> list[Path]:
    """Compile, for each language with a catalog in ``locales``, the words publish uses (that
    catalog over the packaged one) to a ``.mo`` beside it."""
    written = []
    for language in site.languages:
        path = catalog_path(locales, language.locale)
        if present(path):
            target = path.with_suffix(".mo")
            buffer = io.BytesIO()
            write_mo(buffer, interface_catalog(locales, language.locale), use_fuzzy=False)
            _write(target, buffer.getvalue())
            written.append(target)
    return written


def problems(locales: Path, site: Site) -> Iterable[Problem]:
    """Warnings for interface words a language has in neither the project's catalog nor the
    packaged one (never for English, the msgids' language) and for the project's fuzzy words
    (left out: the packaged word shows instead); errors for the project's translations whose
    placeholders are not the original's. Raises :class:`ContentError` naming every project
    catalog that is not a valid catalog."""
    wanted = [m for m in template() if m.id]
    found: list[Problem] = []
    errors: list[Problem] = []
    for language in site.languages:
        try:
            found.extend(_language_problems(locales, language, wanted))
        except ContentError as exc:
            errors.extend(exc.problems)
    if errors:
        raise ContentError(dict.fromkeys(errors))
    return found


def _language_problems(locales: Path, language: Language, wanted: list[Message]) -> list[Problem]:
    path = catalog_path(locales, language.locale)
    own = read_catalog(path, language.locale)
    found = _overrides(path, own)
    if writes_msgids(language.locale):
        return found
    words = interface_catalog(locales, language.locale)
    missing = [m for m in wanted if not is_translated(words.get(m.id, m.context))]
    if missing and len(missing) == len(wanted):
        return [*found, Problem(str(path), None, _no_catalog(language), True)]
    for message in missing:
        mine = own.get(message.id, message.context) if own else None
        found.append(Problem(str(path), mine.lineno if mine else None,
                             f"missing translation of interface string {_text(message)!r}", True))
    return found


def _text(message: Message) -> str:
    return message.id if isinstance(message.id, str) else str(message.id[0])


def _overrides(path: Path, catalog: Catalog | None) -> list[Problem]:
    """Warnings for the project's fuzzy words (left out: the packaged word shows), errors for
    those whose placeholders are not the original's."""
    found = []
    for message in catalog or ():
        if not message.id:
            continue
        if message.fuzzy:
            found.append(Problem(str(path), message.lineno,
                                 f"fuzzy translation of interface string {_text(message)!r}",
                                 True))
        elif message.string and (wrong := placeholder_problem(message.id, message.string)):
            found.append(Problem(str(path), message.lineno,
                                 f"translation of {_text(message)!r}: {wrong}"))
    return found


def packaged_locales() -> list[str]:
    """The locales syndicate ships interface words for.

    >>> packaged_locales()
    ['ar', 'en', 'es', 'fr', 'pt_PT']
    """
    return sorted(path.parent.parent.name
                  for path in i18n.PACKAGED_LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _no_catalog(language: Language) -> str:
    """A language with no interface word at all: which words, what the package has instead."""
    words = ", ".join(repr(_text(m)) for m in template() if m.id)
    shipped = packaged_locales()
    base = language.locale.split("_")[0]
    others = [name.replace("_", "-") for name in shipped if name.split("_")[0] == base]
    note = "".join(f" ({other}'s words are not used for {language.tag}: if {other} is meant, "
                   f"write tag = \"{other}\")" for other in others)
    return (f"no interface words for {language.tag} ({language.locale}): {words} would be "
            f"English on its pages and PDFs; syndicate ships {', '.join(shipped)}{note}. "
            f"Translate them in this file (`syndicate i18n update` writes it)")
