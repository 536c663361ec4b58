"""Interface-word catalogs in ``locales/``: extract, update, compile and check them with Babel.

``locales/messages.pot`` is extracted from the package's Python code and Jinja2 templates;
``locales/<locale>/LC_MESSAGES/messages.po`` holds each language's words. Compiled ``.mo`` files
are build products (publish compiles in memory; ``compile`` exists for other gettext tools).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from syndicate.errors import Problem
from syndicate.files import present
from syndicate.i18n import DOMAIN, catalog_path, read_catalog
from syndicate.model import Site

TEMPLATE = f"{DOMAIN}.pot"
PACKAGE = Path(__file__).resolve().parent
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS_MAP = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}  # N_ marks constants
# A fixed header date keeps the files byte-stable: they change only when the words do.
FIXED_DATE = datetime(2022, 11, 22, tzinfo=UTC)


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True
    )
    return buffer.getvalue()


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
    path.write_bytes(_po_bytes(catalog))
    return path


def _read(path: Path, locale: str | None = None) -> Catalog:
    return read_catalog(path, locale)


def update(locales: Path, site: Site) -> list[Path]:
    """Bring every configured language's catalog in line with ``messages.pot``."""
    template = _read(locales / TEMPLATE)
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
                creation_date=FIXED_DATE,
                revision_date=FIXED_DATE,
                fuzzy=False,
            )
            path.parent.mkdir(parents=True, exist_ok=True)
        catalog.update(template, update_header_comment=False)
        catalog.revision_date = FIXED_DATE
        catalog.creation_date = FIXED_DATE
        path.write_bytes(_po_bytes(catalog))
        written.append(path)
    return written


def compile_all(locales: Path, site: Site) -> list[Path]:
    written = []
    for language in site.languages:
        path = catalog_path(locales, language.locale)
        if present(path):
            target = path.with_suffix(".mo")
            with target.open("wb") as handle:
                write_mo(handle, _read(path, language.locale), use_fuzzy=False)
            written.append(target)
    return written


# A %-directive as Python's "%" operator reads it: every translation is formatted with the
# message's named variables (see syndicate.templating), so its directives must be the msgid's.
_DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?.?", re.DOTALL)


def placeholder_problem(msgid: str | Sequence[str], msgstr: str | Sequence[str]) -> str | None:
    """What is wrong with the placeholders of a translation, or None: each of its
    %-directives must be ``%%`` or one of the msgid's, written alike (a translation formatted
    with another name or type would fail at publish).

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


def problems(locales: Path, site: Site) -> Iterable[Problem]:
    """Warnings for interface words a language lacks or has only as fuzzy guesses, and errors
    for translations whose placeholders are not the original's."""
    template_path = locales / TEMPLATE
    if not present(template_path):
        return []
    wanted = [m.id for m in _read(template_path) if m.id]
    found: list[Problem] = []
    for language in site.languages:
        path = catalog_path(locales, language.locale)
        if not present(path):
            found.append(
                Problem(
                    str(path),
                    None,
                    f"no catalog for {language.locale}: the "
                    f"interface words of {language.code} pages and PDFs would be "
                    "English (run `syndicate i18n update`)",
                    True,
                )
            )
            continue
        catalog = _read(path, language.locale)
        for msgid in wanted:
            message = catalog.get(msgid)
            text = msgid if isinstance(msgid, str) else msgid[0]
            if (
                message is None
                or not message.string
                or (isinstance(message.string, tuple) and not all(message.string))
            ):
                found.append(
                    Problem(
                        str(path),
                        message.lineno if message else None,
                        f"missing translation of interface string {text!r}",
                        True,
                    )
                )
            elif (wrong := placeholder_problem(message.id, message.string)) is not None:
                found.append(Problem(str(path), message.lineno,
                                     f"translation of {text!r}: {wrong}"))
            elif message.fuzzy:
                found.append(
                    Problem(
                        str(path),
                        message.lineno,
                        f"fuzzy translation of interface string {text!r}",
                        True,
                    )
                )
    return found
