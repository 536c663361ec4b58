"""Keeping the languages in step: stale translations, status, scaffolding, marking translated.

A translation records which version of the original it was made from: ``translated_from`` in
its front matter holds a short hash of the original's title, summary and body (written by
``syndicate translated ID LANG``). When the original changes afterwards, the translation is
*stale*; editing only the original's tags or other front matter is not a change.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_datetime

from syndicate.config import STATEMENTS_DIR
from syndicate.errors import ContentError, Problem
from syndicate.model import Site, Statement, Translation
from syndicate.sources import STATEMENT_ID, split_front_matter

FIELDS = ("title", "summary", "body")
STATES = ("published", "missing", "stale", "scheduled", "draft")


def fingerprint(original: Translation) -> dict[str, str]:
    """Short hashes of what a translator translates (not tags, place or dates).

    >>> from syndicate.model import Translation
    >>> t = Translation("en", "Title", "", "", (), "Body.\\n", "<p>Body.</p>", "")
    >>> fingerprint(t)["title"]
    '7e8cd2056da7'
    """
    texts = {
        "title": original.title,
        "summary": original.summary,
        "body": original.body_markdown.strip(),
    }
    return {
        field: hashlib.sha256(texts[field].encode("utf-8")).hexdigest()[:12] for field in FIELDS
    }


def changed_fields(statement: Statement, translation: Translation) -> list[str]:
    """What changed in the original since ``translation`` was made ([] when in step or unknown)."""
    original = statement.translation(statement.original)
    if original is None or translation.lang == statement.original:
        return []
    recorded = dict(translation.translated_from)
    if not recorded:
        return []
    now = fingerprint(original)
    return [field for field in FIELDS if recorded.get(field) != now[field]]


def translation_path(root: Path, statement_id: str, lang: str) -> Path:
    return root / STATEMENTS_DIR / statement_id / f"{lang}.md"


def stale_warnings(root: Path, statements: Sequence[Statement]) -> list[Problem]:
    warnings = []
    for statement in statements:
        for translation in statement.translations:
            fields = changed_fields(statement, translation)
            if fields:
                warnings.append(
                    Problem(
                        str(translation_path(root, statement.id, translation.lang)),
                        None,
                        f"stale translation of {statement.id}: the original "
                        f"({statement.original}.md) changed its {', '.join(fields)} since this "
                        f"translation was made; update it, then run "
                        f"`syndicate translated {statement.id} {translation.lang}`",
                        True,
                    )
                )
    return warnings


@dataclass(frozen=True, slots=True)
class Status:
    statement: str
    lang: str
    state: str  # one of STATES
    goes_live: datetime | None  # for scheduled statements
    detail: str  # what changed (stale), or ""


def status(site: Site, statements: Sequence[Statement], now: datetime) -> list[Status]:
    rows = []
    for statement in sorted(statements, key=lambda s: (s.date, s.id), reverse=True):
        for language in site.languages:
            translation = statement.translation(language.code)
            live = None
            if translation is None:
                state, detail = "missing", ""
            elif statement.draft:
                state, detail = "draft", ""
            elif statement.goes_live > now:
                state, detail, live = "scheduled", "", statement.goes_live
            elif fields := changed_fields(statement, translation):
                state, detail = "stale", ", ".join(fields)
            else:
                state, detail = "published", ""
            rows.append(Status(statement.id, language.code, state, live, detail))
    return rows


def describe(row: Status, site: Site, locale: str) -> str:
    """One status cell in words, the go-live time in the site's zone and the reader's locale."""
    if row.state == "scheduled" and row.goes_live is not None:
        when = format_datetime(row.goes_live, "medium", tzinfo=site.tzinfo, locale=locale)
        return f"scheduled ({when} {site.timezone})"
    if row.state == "stale":
        return f"stale ({row.detail} changed)"
    return row.state


def mark_translated(root: Path, statement: Statement, lang: str) -> Path:
    """Record in ``<lang>.md`` that it now matches the current original."""
    original = statement.translation(statement.original)
    path = translation_path(root, statement.id, lang)
    if lang == statement.original:
        raise ContentError(
            [
                Problem(
                    str(path), None, f"{lang} is the original of {statement.id}, not a translation"
                )
            ]
        )
    if original is None or statement.translation(lang) is None:
        raise ContentError(
            [Problem(str(path), None, f"no {lang} translation of {statement.id} to mark")]
        )
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    parts = split_front_matter(text)
    assert parts is not None  # loading succeeded, so the front matter is there
    front, body, _ = parts
    kept = _drop_keys(front, {"translated_from", "untranslated"})
    record = "\n".join(
        ["translated_from:"]
        + [f"  {field}: {value}" for field, value in fingerprint(original).items()]
    )
    path.write_text(f"---\n{kept.rstrip()}\n{record}\n---\n{body}", encoding="utf-8")
    return path


def _drop_keys(front: str, keys: set[str]) -> str:
    """Front matter without the top-level ``keys`` (and their indented continuation lines)."""
    out, skipping = [], False
    for line in front.split("\n"):
        top = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if top:
            skipping = top.group(1) in keys
        elif line and not line[0].isspace():
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out)


def slug(title: str, words: int = 6) -> str:
    """An ASCII id fragment from a title.

    >>> slug("Governo apoia candidatura de António Vitorino a Diretor-Geral da OIM")
    'governo-apoia-candidatura-de-antonio-vitorino'
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(parts[:words]) or "statement"


def scaffold(root: Path, site: Site, title: str, lang: str, day: date) -> Path:
    """Create ``statements/<date>-<slug>/`` with the original and empty translations."""
    statement_id = f"{day.isoformat()}-{slug(title)}"
    assert STATEMENT_ID.match(statement_id)
    folder = root / STATEMENTS_DIR / statement_id
    if folder.exists():
        raise ContentError([Problem(str(folder), None, "a statement with this id already exists")])
    folder.mkdir(parents=True)
    (folder / "statement.yaml").write_text(
        f"date: {day.isoformat()}\noriginal: {lang}\ndraft: true\n", encoding="utf-8"
    )
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    (folder / f"{lang}.md").write_text(
        f'---\ntitle: "{quoted}"\nsummary: ""\nplace: ""\n---\n\nWrite the statement here.\n',
        encoding="utf-8",
    )
    for other in site.languages:
        if other.code != lang:
            (folder / f"{other.code}.md").write_text(
                '---\nuntranslated: true\ntitle: ""\n---\n\n', encoding="utf-8"
            )
    return folder


def render_status(rows: Sequence[Status], site: Site, locale: str, as_json: bool) -> str:
    """The status as a table (one row per statement, one column per language) or JSON."""
    if as_json:
        return json.dumps(
            [
                {
                    "statement": r.statement,
                    "lang": r.lang,
                    "state": r.state,
                    "goes_live": r.goes_live.isoformat() if r.goes_live else None,
                    "detail": r.detail,
                }
                for r in rows
            ],
            ensure_ascii=False,
            indent=2,
        )
    codes = [language.code for language in site.languages]
    table: dict[str, dict[str, str]] = {}
    for row in rows:
        table.setdefault(row.statement, {})[row.lang] = describe(row, site, locale)
    header = ["STATEMENT", *(code.upper() for code in codes)]
    lines = [header] + [[sid, *(cells[c] for c in codes)] for sid, cells in table.items()]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
