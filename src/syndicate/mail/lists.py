"""Press lists: ``lists/<name>.csv`` in the project, one recipient a row.

Columns (a header row names them; only ``address`` and ``language`` are required)::

    address,name,language,tags,accredited
    ana@jornal.example,Ana Lima,pt-BR en,politics migration,yes

``language`` is one or more BCP 47 tags in order of preference; ``tags`` are words separated by
spaces (``send --tag``); ``accredited`` (yes/no) marks who may receive embargoed copies. Lists are
read by ``check`` and ``send`` only: nothing from them reaches a published file.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

from syndicate.errors import ContentError, Problem
from syndicate.i18n import cldr_locale
from syndicate.model import Site, Statement

LISTS_DIR = "lists"
COLUMNS = ("address", "name", "language", "tags", "accredited")
REQUIRED = ("address", "language")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str  # normalized (domain in lowercase ASCII)
    name: str
    languages: tuple[str, ...]  # BCP 47 tags, preferred first
    tags: tuple[str, ...]
    accredited: bool  # may receive embargoed copies
    list: str  # the list's name
    path: str  # where it was read, for messages
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def list_path(project: Path, name: str) -> Path:
    return project / LISTS_DIR / f"{name}.csv"


def site_language(tag: str, site: Site) -> str | None:
    """The site's language code serving a reader of ``tag`` (RFC 4647 lookup by truncation).

    >>> from syndicate.model import Language
    >>> site = Site("https://press.example/", "UTC", (Language("pt", "pt-PT", "pt_PT", "", "", ""),
    ...             Language("en", "en", "en", "", "", "")), "pt")
    >>> site_language("pt-BR", site), site_language("en-GB", site), site_language("de", site)
    ('pt', 'en', None)
    """
    subtags = tag.lower().split("-")
    for end in range(len(subtags), 0, -1):
        wanted = "-".join(subtags[:end])
        for language in site.languages:
            own = language.tag.lower().split("-")
            if wanted == language.code or wanted in ("-".join(own[:n]) for n in range(1, 9)):
                return language.code
    return None


def served_language(recipient: Recipient, statement: Statement, site: Site) -> str:
    """The translation a recipient gets: their first language the statement has, else the
    original."""
    for tag in recipient.languages:
        code = site_language(tag, site)
        if code is not None and statement.translation(code) is not None:
            return code
    return statement.original


def read_list(path: Path, site: Site | None) -> tuple[list[Recipient], list[Problem]]:
    """Every recipient of one list and every problem in it (``site`` None: languages are not
    compared with the site's)."""
    shown, name = str(path), path.stem
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Problem(shown, None, f"invalid UTF-8 ({exc.reason})")]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in next(reader, [])]
    problems = _header_problems(shown, header)
    if problems:
        return [], problems
    recipients: list[Recipient] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        recipient = _recipient(dict(zip(header, row, strict=False)), name, shown, line, site,
                               problems)
        if recipient is None:
            continue
        key = recipient.address.casefold()
        if key in seen:
            problems.append(Problem(shown, line, f"{recipient.address} is already on line "
                                    f"{seen[key]}"))
            continue
        seen[key] = line
        recipients.append(recipient)
    return recipients, problems


def _header_problems(shown: str, header: list[str]) -> list[Problem]:
    problems = [Problem(shown, 1, f"unknown column {column!r} (known: {', '.join(COLUMNS)})")
                for column in header if column not in COLUMNS]
    problems += [Problem(shown, 1, f"missing column {column!r} (the first line names the "
                         f"columns: {', '.join(COLUMNS)})")
                 for column in REQUIRED if column not in header]
    return problems


def _recipient(row: dict[str, str], name: str, shown: str, line: int, site: Site | None,
               problems: list[Problem]) -> Recipient | None:
    from email_validator import EmailNotValidError, validate_email

    found = len(problems)
    raw = row.get("address", "").strip()
    address = ""
    try:
        address = validate_email(raw, check_deliverability=False,
                                 allow_smtputf8=False).normalized
    except EmailNotValidError as exc:
        problems.append(Problem(shown, line, f"invalid address {raw!r}: {exc}"))
    person = row.get("name", "").strip()
    if CONTROL.search(person):
        problems.append(Problem(shown, line, "the name contains a control character"))
    languages = tuple(row.get("language", "").replace(",", " ").split())
    problems.extend(Problem(shown, line, message) for message in _language_problems(languages,
                                                                                    site))
    accredited = row.get("accredited", "").strip().lower()
    if accredited not in YES | NO:
        problems.append(Problem(shown, line, f"accredited must be yes or no, not {accredited!r}"))
    if len(problems) > found:
        return None
    return Recipient(address, person, languages, tuple(row.get("tags", "").split()),
                     accredited in YES, name, shown, line)


@functools.lru_cache(maxsize=256)  # a list of thousands has a handful of language columns
def _language_problems(languages: tuple[str, ...], site: Site | None) -> tuple[str, ...]:
    if not languages:
        return ("no language (a BCP 47 tag such as 'pt-PT' or 'en')",)
    problems = []
    for tag in languages:
        try:
            cldr_locale(tag)
        except ValueError:
            problems.append(f"unknown language tag {tag!r} (BCP 47, e.g. 'pt-PT', 'en')")
    if not problems and site is not None and all(site_language(t, site) is None
                                                 for t in languages):
        published = ", ".join(language.tag for language in site.languages)
        problems.append(f"the site publishes no language for {' '.join(languages)!r} "
                        f"(it publishes {published}) and has none to fall back to")
    return tuple(problems)


def all_lists(project: Path) -> list[Path]:
    folder = project / LISTS_DIR
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def all_problems(project: Path, site: Site | None) -> list[Problem]:
    """Every problem of every list in ``lists/`` (for ``check``)."""
    found: list[Problem] = []
    for path in all_lists(project):
        found.extend(read_list(path, site)[1])
    return found


def load_recipients(project: Path, names: tuple[str, ...], tags: tuple[str, ...],
                    site: Site) -> list[Recipient]:
    """The recipients of the named lists (with one of ``tags``, when given), each address once
    (the first list naming it wins); a :class:`ContentError` with every problem."""
    found: list[Problem] = []
    recipients: dict[str, Recipient] = {}
    for name in names:
        path = list_path(project, name)
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or not path.is_file():
            known = ", ".join(p.stem for p in all_lists(project)) or "none"
            found.append(Problem(str(path), None, f"no list {name!r} (lists: {known})"))
            continue
        members, problems_here = read_list(path, site)
        found.extend(problems_here)
        for member in members:
            if not tags or set(tags) & set(member.tags):
                recipients.setdefault(member.address.casefold(), member)
    if found:
        raise ContentError(found)
    return list(recipients.values())


def check_lists(project: Path) -> list[Problem]:
    """For ``check``: every list's problems, languages compared with the site's when the
    configuration can be read (its own problems are reported by the rest of ``check``)."""
    from syndicate.config import load_site

    try:
        site: Site | None = load_site(project)
    except ContentError:
        site = None
    return all_problems(project, site)
