"""Keeping the languages in step: stale and untracked translations, status, scaffolding,
marking translated, and what may be shared before a statement goes live.

A translation records which version of the original it was made from: ``translated_from`` in
its front matter holds short hashes of the original's title, summary and body, and one per
paragraph (written by ``syndicate translated ID LANG``). When the original changes afterwards,
the translation is *stale*, and the warning names the paragraphs that changed, with their lines;
editing only the original's tags or other front matter is not a change. A record written before
paragraphs were tracked (title, summary, body only) still tells that the body changed. A
translation with no record at all is *untracked*: nothing could tell that it went stale.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from syndicate.config import CONFIG_FILE, SHARED_FILE, STATEMENTS_DIR
from syndicate.errors import ContentError, Problem
from syndicate.frontmatter import XML_INVALID, split_front_matter
from syndicate.model import Site, Statement, Translation, newest_first
from syndicate.placeholders import placeholder
from syndicate.sources import STATEMENT_ID
from syndicate.when import FIRST_YEAR, LAST_YEAR

FIELDS = ("title", "summary", "body")
PARAGRAPHS = "paragraphs"  # the key of the per-paragraph hashes in ``translated_from``
STATES = ("published", "missing", "stale", "untracked", "scheduled", "draft")


@dataclass(frozen=True, slots=True)
class Paragraph:
    line: int  # where it starts in its file
    text: str


def paragraphs(translation: Translation) -> list[Paragraph]:
    """The body's paragraphs as a writer sees them: runs of lines between blank lines.

    >>> from syndicate.model import Translation
    >>> from syndicate.words import Text
    >>> source = "---\\ntitle: T\\n---\\n\\nOne.\\n\\nTwo\\nlines.\\n"
    >>> paragraphs(Translation("en", "T", "", "", (), Text(source, "", "")))
    [Paragraph(line=5, text='One.'), Paragraph(line=7, text='Two\\nlines.')]
    """
    parts = split_front_matter(translation.source)
    body, line = (parts[1], parts[2]) if parts else (translation.source, 1)
    found: list[Paragraph] = []
    current: list[str] = []
    for number, text in enumerate(body.split("\n"), line):
        if text.strip():
            if not current:
                found.append(Paragraph(number, ""))
            current.append(text.rstrip())
        elif current:
            found[-1] = Paragraph(found[-1].line, "\n".join(current))
            current = []
    if current:
        found[-1] = Paragraph(found[-1].line, "\n".join(current))
    return found


def _hash(text: str, length: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def fingerprint(original: Translation) -> dict[str, str]:
    """Short hashes of what a translator translates (not tags, place or dates): title, summary,
    body, and each paragraph's (8 hex digits each, space-separated).

    >>> from syndicate.model import Translation
    >>> from syndicate.words import Text
    >>> t = Translation("en", "Title", "", "", (), Text("", "Body.\\n", "<p>Body.</p>"))
    >>> fingerprint(t)["title"]
    '7e8cd2056da7'
    """
    found = _field_hashes(original)
    found[PARAGRAPHS] = " ".join(_hash(p.text, 8) for p in paragraphs(original))
    return found


def _field_hashes(original: Translation) -> dict[str, str]:
    hashes = {"title": _hash(original.title), "summary": _hash(original.summary),
              "body": body_hash(original)}
    return {field: hashes[field] for field in FIELDS}


def body_hash(translation: Translation) -> str:
    """The hash of the body in a translation's record of its original (kept in its facts)."""
    facts = translation.facts
    return facts.body_hash if facts is not None else _hash(translation.body_markdown.strip())


@dataclass(frozen=True, slots=True)
class Change:
    """One thing that changed in the original since a translation was made."""

    what: str  # "title", "summary", "body" (an old record), or "changed", "added", "removed"
    numbers: tuple[int, ...] = ()  # paragraphs (1 = the first) of the original, as it is now;
    # for "removed", as it was
    lines: tuple[int, ...] = ()  # where those paragraphs start in the original's file

    def phrase(self, original_file: str = "") -> str:
        """In words: ``paragraphs 2 and 5 of pt.md changed (lines 12, 30)``; without
        ``original_file``, no file and no lines."""
        if not self.numbers:
            return f"{self.what} changed"
        names = [str(n) for n in self.numbers]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        noun = "paragraph" if len(names) == 1 else "paragraphs"
        if self.what == "removed":
            return f"{noun} {listed} of the version translated removed"
        where = f" of {original_file}" if original_file else ""
        lines = ""
        if original_file and self.lines:
            lines = f" (line{'s' if len(self.lines) > 1 else ''} "
            lines += ", ".join(str(n) for n in self.lines) + ")"
        return f"{noun} {listed}{where} {self.what}{lines}"


def changes(statement: Statement, translation: Translation) -> list[Change]:
    """What changed in the original since ``translation`` was made ([] when in step or
    untracked)."""
    original = statement.translation(statement.original)
    if original is None or translation.lang == statement.original:
        return []
    recorded = dict(translation.translated_from)
    if not recorded:
        return []
    now = _field_hashes(original)
    found = [Change(field) for field in ("title", "summary") if recorded.get(field) != now[field]]
    if recorded.get("body") == now["body"]:  # (the body's paragraphs are the same too)
        return found
    if PARAGRAPHS not in recorded:  # a record from before paragraphs were tracked
        return [*found, Change("body")]
    return found + _paragraph_changes(recorded[PARAGRAPHS].split(), original)


def _paragraph_changes(before: list[str], original: Translation) -> list[Change]:
    """The paragraphs changed, added and removed between hashes ``before`` and the original."""
    current = paragraphs(original)
    after = [_hash(p.text, 8) for p in current]
    changed: list[int] = []
    added: list[int] = []
    removed: list[int] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":  # side by side: changed; beyond the shorter side: added or removed
            both = min(i2 - i1, j2 - j1)
            changed += range(j1, j1 + both)
            added += range(j1 + both, j2)
            removed += range(i1 + both, i2)
    found = []
    for what, indexes in (("changed", changed), ("added", added)):
        if indexes:
            found.append(Change(what, tuple(i + 1 for i in indexes),
                                tuple(current[i].line for i in indexes)))
    if removed:
        found.append(Change("removed", tuple(i + 1 for i in removed)))
    return found


def untracked(statement: Statement, translation: Translation) -> bool:
    """A translation that does not record which version of the original it was made from."""
    return translation.lang != statement.original and not translation.translated_from


def translation_path(root: Path, statement_id: str, lang: str) -> Path:
    return root / STATEMENTS_DIR / statement_id / f"{lang}.md"


def stale_warnings(root: Path, statements: Sequence[Statement],
                   known: Mapping[str, Sequence[tuple[str, str]]] | None = None) -> list[Problem]:
    """A warning for each stale or untracked translation (``known``: the
    :func:`stale_messages` of some statements, by id, as the statement cache keeps them)."""
    warnings = []
    for statement in statements:
        found = known.get(statement.id) if known else None
        for lang, message in stale_messages(statement) if found is None else found:
            path = str(translation_path(root, statement.id, lang))
            warnings.append(Problem(path, None, message, True))
    return warnings


def stale_messages(statement: Statement) -> list[tuple[str, str]]:
    """The language of each stale or untracked translation of ``statement``, and what to say
    of it (a function of the statement alone)."""
    return [(translation.lang, message) for translation in statement.translations
            if (message := _out_of_step(statement, translation))]


def _out_of_step(statement: Statement, translation: Translation) -> str:
    mark = f"`syndicate translated {statement.id} {translation.lang}`"
    original_file = f"{statement.original}.md"
    if untracked(statement, translation):
        return (f"untracked translation of {statement.id}: it does not record which version of "
                f"the original ({original_file}) it was made from, so no change there can be "
                f"reported; once it matches the original, run {mark}")
    found = changes(statement, translation)
    if not found:
        return ""
    what = "; ".join(change.phrase(original_file) for change in found)
    return (f"stale translation of {statement.id}: since it was made, the original changed: "
            f"{what}; update it, then run {mark}")


@dataclass(frozen=True, slots=True)
class Status:
    statement: str
    lang: str
    state: str  # one of STATES
    goes_live: datetime | None  # for scheduled statements
    detail: str  # what changed (stale), or ""


BROKEN = "has problems: see the warnings"  # a broken draft's detail


def status(site: Site, statements: Sequence[Statement], now: datetime,
           broken_drafts: Sequence[str] = ()) -> list[Status]:
    """Each statement's state by language, newest first; then the drafts left out for their
    problems (``broken_drafts``), which are drafts in every language."""
    rows = []
    for statement in newest_first(statements):
        for language in site.languages:
            translation = statement.translation(language.code)
            live = None
            if translation is None:
                state, detail = "missing", ""
            elif statement.draft:
                state, detail = "draft", ""
            elif statement.goes_live > now:
                state, detail, live = "scheduled", "", statement.goes_live
            elif found := changes(statement, translation):
                state, detail = "stale", "; ".join(change.phrase() for change in found)
            elif untracked(statement, translation):
                state, detail = "untracked", ""
            else:
                state, detail = "published", ""
            rows.append(Status(statement.id, language.code, state, live, detail))
    rows.extend(Status(folder, language.code, "draft", None, BROKEN)
                for folder in broken_drafts for language in site.languages)
    return rows


def next_go_live(statements: Sequence[Statement], now: datetime) -> Statement | None:
    """The scheduled statement that goes live first after ``now`` (drafts never do)."""
    upcoming = [s for s in statements if not s.draft and s.goes_live > now]
    return min(upcoming, key=lambda s: (s.goes_live, s.id), default=None)


def share_banner(root: Path, site: Site, statement: Statement, now: datetime,
                 preview: bool) -> str:
    """"" for a statement live at ``now``; else the line that must head its share posts
    (``EMBARGOED until ... — do not post`` or ``DRAFT — not for publication``). Without
    ``preview`` such a statement's posts are refused: a post would leak it."""
    if statement.draft:
        banner, state = "DRAFT — not for publication", "is a draft (draft: true)"
    elif statement.goes_live > now:
        when = statement.goes_live.astimezone(site.tzinfo).strftime("%Y-%m-%d %H:%M")
        banner = f"EMBARGOED until {when} ({site.timezone}) — do not post"
        state = f"is embargoed until {when} ({site.timezone}): posting now would break it"
    else:
        return ""
    if not preview:
        path = root / STATEMENTS_DIR / statement.id / SHARED_FILE
        raise ContentError([Problem(str(path), None, f"{statement.id} {state}; `syndicate "
                                    f"share --preview` prints its posts under a warning line")])
    return banner


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
    record = "\n".join(  # quoted: a hash of digits alone would read as a number
        ["translated_from:"]
        + [f'  {field}: "{value}"' for field, value in fingerprint(original).items()]
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


MAX_SLUG = 60  # characters: an id's output file names stay far below 255 bytes


def slug(title: str, words: int = 6) -> str:
    """An ASCII id fragment from a title ("" when it has no Latin letter or digit).

    >>> slug("Governo apoia candidatura de António Vitorino a Diretor-Geral da OIM")
    'governo-apoia-candidatura-de-antonio-vitorino'
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(parts[:words])[:MAX_SLUG].strip("-")


@dataclass(frozen=True, slots=True)
class NewStatement:
    """What ``syndicate new`` was asked for."""

    title: str
    lang: str  # the original's language code
    day: date
    statement_id: str = ""  # "" for <day>-<slug of the title>


def scaffold(root: Path, site: Site, request: NewStatement) -> Path:
    """Create ``statements/<id>/`` with the original to write and empty translations, as a
    draft. Every argument is checked first: on a problem nothing is written."""
    title = " ".join(request.title.split())
    statement_id = request.statement_id or f"{request.day.isoformat()}-{slug(title)}"
    folder = root / STATEMENTS_DIR / statement_id
    problems = _new_problems(root, site, request, title, statement_id)
    if not problems and os.path.lexists(folder):
        problems.append(Problem(str(folder), None, "a statement with this id already exists"))
    if problems:
        raise ContentError(problems)
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise _cannot_write(exc, folder) from None
    try:
        _write_scaffold(folder, site, request, title)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)  # the folder it made: no half a statement
        raise _cannot_write(exc, folder) from None
    return folder


def _cannot_write(exc: OSError, folder: Path) -> ContentError:
    return ContentError([Problem(str(exc.filename or folder), None,
                                 f"cannot write: {exc.strerror}")])


def _write_scaffold(folder: Path, site: Site, request: NewStatement, title: str) -> None:
    (folder / "statement.yaml").write_text(
        f"date: {request.day.isoformat()}\noriginal: {request.lang}\ndraft: true\n",
        encoding="utf-8",
    )
    body = placeholder(site.language(request.lang).locale)
    (folder / f"{request.lang}.md").write_text(  # JSON's string is YAML's double-quoted one
        f'---\ntitle: {json.dumps(title, ensure_ascii=False)}\nsummary: ""\nplace: ""\n---\n'
        f"\n{body}\n",
        encoding="utf-8",
    )
    for other in site.languages:
        if other.code != request.lang:
            (folder / f"{other.code}.md").write_text(
                '---\nuntranslated: true\ntitle: ""\n---\n\n', encoding="utf-8"
            )


def _new_problems(root: Path, site: Site, request: NewStatement, title: str,
                  statement_id: str) -> list[Problem]:
    """Everything wrong with the arguments of ``syndicate new``."""
    config, statements = str(root / CONFIG_FILE), str(root / STATEMENTS_DIR)
    configured = [language.code for language in site.languages]
    problems = []
    if request.lang not in configured:
        problems.append(Problem(config, None, f"--lang {request.lang!r} is not a configured "
                                f"language (configured: {', '.join(configured)})"))
    if not FIRST_YEAR <= request.day.year <= LAST_YEAR:
        problems.append(Problem(statements, None, f"--date {request.day.isoformat()} is out of "
                                f"range: the year must be {FIRST_YEAR} to {LAST_YEAR}"))
    visible = [c for c in title if unicodedata.category(c)[0] not in "CZ"]
    if not visible:
        problems.append(Problem(statements, None, "the title is empty: give the statement a title"))
    elif XML_INVALID.search(title):
        problems.append(Problem(statements, None, "the title holds a control character"))
    elif not STATEMENT_ID.match(statement_id) and request.statement_id:
        problems.append(Problem(statements, None, f"--id {statement_id!r} is not a statement id: "
                                "use lowercase ASCII letters, digits and single hyphens"))
    elif not STATEMENT_ID.match(statement_id):
        problems.append(Problem(statements, None, f"the title {title!r} makes no id (it has no "
                                "Latin letter or digit): name the statement with --id, e.g. "
                                f"--id {request.day.isoformat()}-press-release"))
    return problems


