"""``statements/`` -> :class:`~syndicate.model.Statement` objects, validated.

The only module that reads the project's content. Every problem in every file is collected
before anything is reported (``path:line: message``); warnings ride along with the result.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import yaml

from syndicate.assets import embedded_problems, image_file_problems, reserved_names
from syndicate.config import SHARED_FILE, STATEMENTS_DIR
from syndicate.errors import SHOWN_PER_FILE, ContentError, Problem
from syndicate.files import (
    MAX_FILE_BYTES,
    NotRegularFile,
    TooLarge,
    is_dropping,
    read_regular,
    real,
)
from syndicate.markup import lint, overload, parse, to_html
from syndicate.model import Site, Statement, Translation
from syndicate.placeholders import placeholder_line
from syndicate.processes import default_jobs, fork_is_safe, ignore_interrupts, interrupts_held

STATEMENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_MAX = 255  # bytes in one file name, on every common file system
SHARED_KEYS = {"date", "draft", "embargo", "original", "tags", "updated"}
TRANSLATION_KEYS = {
    "title", "summary", "place", "tags", "correction", "translated_from", "untranslated",
}
# Characters XML 1.0 cannot carry (and so no feed can): C0 controls but tab/LF/CR, surrogates,
# U+FFFE and U+FFFF.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Dates outside these years are typing mistakes (and near the ends of Python's range, a time
# zone conversion overflows).
FIRST_YEAR, LAST_YEAR = 1900, 2999
MAX_YAML_DEPTH = 10  # front matter needs 2 (a list in a mapping)
# Front-matter text is laid out in every PDF, page and feed: a very long title kept each PDF's
# layout busy (see benchmarks/hostile.md). Generous for a press statement.
TEXT_LIMITS = {"title": 500, "summary": 2_000, "place": 200, "correction": 2_000, "tag": 100}
MAX_TAGS = 50


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings so we parse them ourselves."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same rules on libyaml's C parser (much faster), for well-formed front matter;
    anything it rejects is parsed again by :class:`_Loader`, whose messages are the reference."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


class _Fallback(Exception):
    """The fast parser gave up: parse with the reference loader."""


@dataclass(frozen=True, slots=True)
class Loaded:
    statements: tuple[Statement, ...]
    warnings: tuple[Problem, ...]
    # With keep_going: the problems of the statements left out (each folder's, all of them)
    problems: tuple[Problem, ...] = ()


@dataclass(slots=True)
class _Mapping:
    """A YAML mapping's values with the line of each key."""

    values: dict[str, Any]
    lines: dict[str, int]


class _File:
    """One source file being validated; collects its problems."""

    def __init__(
        self,
        path: Path,
        problems: list[Problem],
        first_line: int = 1,
        warnings: list[Problem] | None = None,
    ) -> None:
        self.path = path
        self.shown = str(path)
        self.problems = problems
        self.offset = first_line - 1
        self.warnings = warnings

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.shown, line, message))

    def warn(self, line: int | None, message: str) -> None:
        if self.warnings is not None:
            self.warnings.append(Problem(self.shown, line, message, True))

    def read_text(self) -> str | None:
        try:
            raw = read_regular(self.path, MAX_FILE_BYTES)
        except (NotRegularFile, TooLarge) as exc:
            self.error(None, str(exc.strerror))
            return None
        except OSError as exc:
            self.error(None, f"cannot read: {exc.strerror}")
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.error(line, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
            return None
        if raw.startswith(b"\xef\xbb\xbf"):
            self.warn(1, "byte order mark removed")
        if "\r" in text:
            self.warn(text.count("\n", 0, text.index("\r")) + 1, "CRLF line endings converted")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if self.refuse_characters(text):
            return None
        normalized = unicodedata.normalize("NFC", text)
        if normalized != text:
            pairs = enumerate(zip(text, normalized, strict=False))
            first = next((i for i, (a, b) in pairs if a != b), 0)
            self.warn(text.count("\n", 0, first) + 1, "text normalized to NFC")
        return normalized

    def refuse_characters(self, text: str) -> bool:
        """Report the characters XML cannot carry (the first few with their lines: the count
        of lines before each grows with the file); True when there is one."""
        line, position, found = 1, 0, 0
        for match in XML_INVALID.finditer(text):
            found += 1
            if found == SHOWN_PER_FILE:  # this line and those before: all that is shown
                self.error(None, f"{len(XML_INVALID.findall(text, match.start())):,} more "
                                 "characters that are not allowed (control characters)")
                break
            line += text.count("\n", position, match.start())
            position = match.start()
            self.error(line, f"character U+{ord(match.group()):04X} is not allowed "
                             "(a control character that feeds and pages cannot carry)")
        return found > 0

    def refuse_tags_and_aliases(self, text: str, loader: type[Any] = _Loader) -> bool:
        """Report the first YAML tag (``!!python/object``...), anchor, alias or too deep
        nesting; True when there is none.

        Safe loading already constructs no objects; refusing aliases also rules out alias
        bombs (billion laughs), the depth limit PyYAML's recursion, and a statement never
        needs any of them.
        """
        depth = 0
        for event in yaml.parse(text, Loader=loader):
            line = (event.start_mark.line if event.start_mark else 0) + 1 + self.offset
            tag = getattr(event, "tag", None)
            message = None
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                message = "YAML anchors and aliases (&name, *name) are not allowed: write the "
                message += "value out"
            elif tag and tag != "!" and not (
                isinstance(event, yaml.ScalarEvent) and event.implicit[0]
            ):
                shown = tag.replace("tag:yaml.org,2002:", "!!", 1)
                message = f"YAML tag {shown!r} is not allowed: write plain values"
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    message = f"YAML nested more than {MAX_YAML_DEPTH} levels deep"
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if message:
                self.error(line, message)
                return False
        return True

    def parse_yaml(self, text: str, allowed: set[str]) -> _Mapping | None:
        if _FastLoader is not _Loader and not yaml.reader.Reader.NON_PRINTABLE.search(text):
            before = len(self.problems)
            try:
                return self._parse_yaml(text, allowed, _FastLoader)
            except _Fallback:
                del self.problems[before:]
        return self._parse_yaml(text, allowed, _Loader)

    def _parse_yaml(self, text: str, allowed: set[str], loader_class: type[Any]) -> _Mapping | None:
        fast = loader_class is _FastLoader
        try:
            loader = loader_class(text)
        except yaml.reader.ReaderError as exc:  # a character YAML does not accept
            where = text.count("\n", 0, exc.position) + 1 + self.offset
            message = f"character U+{exc.character:04X} is not allowed in YAML"
            self.error(where, f"{message} (a control character)")
            return None
        try:
            if not self.refuse_tags_and_aliases(text, loader_class):
                return None
            node = loader.get_single_node()
            if node is None:
                return _Mapping({}, {})
            if not isinstance(node, yaml.MappingNode):
                self.error(
                    node.start_mark.line + 1 + self.offset,
                    "expected 'key: value' lines, not a single value or list",
                )
                return None
            mapping = _Mapping({}, {})
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1 + self.offset
                try:
                    key = loader.construct_object(key_node, deep=True)
                except ValueError:  # Python's limit on digits (4,300) of a number
                    key = "(a number too long to read)"
                if not isinstance(key, str):
                    self.error(line, f"key {key!r} must be a word")
                    continue
                if key in mapping.values:
                    self.error(line, f"duplicate key {key!r} (first on line {mapping.lines[key]})")
                    continue
                if key not in allowed:
                    self.error(
                        line, f"unknown key {key!r} (known keys: {', '.join(sorted(allowed))})"
                    )
                    continue
                try:
                    value = _join_surrogates(loader.construct_object(value_node, deep=True))
                except ValueError:  # Python's limit on digits (4,300) of a number
                    self.error(line, f"{key} is a number too long to read: write text in "
                                     "quotes, or a shorter number")
                    continue
                if (bad := _invalid_character(value)) is not None:  # e.g. "\x00" or "\uD800"
                    kind = ("a lone surrogate, half of a UTF-16 pair" if "\ud800" <= bad <= "\udfff"
                            else "a control character")
                    self.error(
                        line,
                        f"character U+{ord(bad):04X} is not allowed ({kind} "
                        "that feeds and pages cannot carry, written as a YAML escape)",
                    )
                    continue
                mapping.values[key] = value
                mapping.lines[key] = line
            return mapping
        except yaml.YAMLError as exc:
            if fast:
                raise _Fallback from exc
            if not isinstance(exc, yaml.MarkedYAMLError):
                self.error(None, f"malformed YAML: {exc}")
                return None
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 + self.offset if mark else None
            hint = _quote_hint(text, mark.line) if mark and exc.problem == COLON_PROBLEM else ""
            self.error(line, f"malformed YAML: {exc.problem or exc.context}{hint}")
            return None
        finally:
            loader.dispose()

    def string(
        self,
        mapping: _Mapping,
        key: str,
        *,
        required: bool = False,
        missing_line: int | None = None,
    ) -> str:
        value = mapping.values.get(key)
        if value is None:
            if required and key in mapping.values:
                self.error(mapping.lines[key], f"{key} is empty")
            elif required:
                self.error(missing_line, f"missing {key}")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(mapping.lines[key], f"{key} must be text")
            return ""
        text = " ".join(str(value).split())
        if len(text) > TEXT_LIMITS.get(key, len(text)):
            self.error(mapping.lines[key], f"{key} is {len(text):,} characters long; the limit "
                                           f"is {TEXT_LIMITS[key]:,}")
            return ""
        if required and not text:
            self.error(mapping.lines[key], f"{key} is empty")
        elif required and not any(map(_visible, text)):
            self.error(mapping.lines[key], f"{key} has no visible character "
                       f"(only {', '.join(sorted({f'U+{ord(c):04X}' for c in text}))})")
            return ""
        elif (unclosed := _unclosed_bidi(text)) is not None:
            self.error(mapping.lines[key], f"{key}: {unicodedata.name(unclosed).lower()} "
                       f"(U+{ord(unclosed):04X}) is not closed, so it would reorder what "
                       "follows the text in titles, feeds and PDFs: close it or remove it")
            return ""
        return text

    def flag(self, mapping: _Mapping, key: str) -> bool:
        value = mapping.values.get(key, False)
        if not isinstance(value, bool):
            self.error(mapping.lines[key], f"{key} must be true or false")
            return False
        return value

    def fingerprint(self, mapping: _Mapping, key: str) -> tuple[tuple[str, str], ...]:
        """A mapping of short words to short strings, e.g. the hashes ``translated`` writes."""
        value = mapping.values.get(key)
        if value is None:
            return ()
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            self.error(mapping.lines[key], f"{key} must map names to hashes (written by "
                                           "`syndicate translated`)")
            return ()
        return tuple(sorted(value.items()))

    def tags(self, mapping: _Mapping) -> tuple[str, ...] | None:
        if "tags" not in mapping.values:
            return None
        value = mapping.values["tags"]
        line = mapping.lines["tags"]
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            self.error(line, "tags must be a list of words, e.g. [migration, IOM]")
            return ()
        tags = tuple(dict.fromkeys(" ".join(t.split()) for t in value))
        if len(tags) > MAX_TAGS or any(len(tag) > TEXT_LIMITS["tag"] for tag in tags):
            self.error(line, f"tags: at most {MAX_TAGS} tags of at most {TEXT_LIMITS['tag']} "
                             "characters each")
            return ()
        return tags

    def when(self, mapping: _Mapping, key: str, site: Site, *, required: bool) -> datetime | None:
        if key not in mapping.values:
            if required:
                self.error(None, f"missing {key} ({WHEN})")
            return None
        value, line = mapping.values[key], mapping.lines[key]
        if not isinstance(value, str):
            self.error(line, f"{key} must be {WHEN}")
            return None
        return parse_when(
            value.strip(), site, lambda message: self.error(line, f"{key}: {message}")
        )


# How a date or date-time is written (front matter, statement.yaml).
WHEN = ("YYYY-MM-DD or a date-time like 2022-11-22T10:30, in the site's time zone unless it "
        "ends with an offset such as +01:00")
COLON_PROBLEM = "mapping values are not allowed here"  # PyYAML's words for `key: a: b`


def _quote_hint(text: str, index: int) -> str:
    """For a value with ``: `` in it: how to write it, quoted."""
    key, _, value = text.split("\n")[index].partition(":")
    if not key.strip() or key[:1].isspace() or not value.strip():
        return ""
    quoted = json.dumps(value.strip(), ensure_ascii=False)
    return f"; a value with ': ' in it must be quoted: {key.strip()}: {quoted}"


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


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts), or None when there is no front matter."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for number, line in enumerate(lines[1:], 1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]), number + 2
    return None


def _no_front_matter(text: str) -> str:
    """Why :func:`split_front_matter` found none in ``text``."""
    first = text.split("\n", 1)[0]
    if first.lstrip("\ufeff").rstrip() == "---":
        if first.startswith("\ufeff"):
            return ("a second byte order mark (U+FEFF) before the front matter's '---': "
                    "remove it (save the file as UTF-8 without BOM)")
        return "front matter not closed: end it with a line '---' before the body"
    return "missing front matter: start the file with '---', then 'title: ...', then '---'"


class StatementCache(Protocol):
    """Statements kept from an earlier load (see :mod:`syndicate.cache`)."""

    def lookup(self, folder: Path, site: Site, warnings: list[Problem]) -> Statement | None:
        """The statement of ``folder`` as loaded before (its warnings added to ``warnings``),
        or None when its files changed since."""

    def keep(self, folder: Path, statement: Statement, warnings: Sequence[Problem]) -> None:
        """Remember a statement just loaded without problems (after ``lookup`` said None)."""


# Statements to parse before a pool of processes pays for its start (starting a process costs
# about as much as parsing ten statements: benchmarks/notes.md), and how many go to a process
# at a time.
PARALLEL_FROM = 64
BATCH = 25

_Result = tuple["Statement | None", list[Problem], list[Problem]]  # statement, problems, warnings


def load_statements(project: Path, site: Site, cache: StatementCache | None = None,
                    jobs: int | None = None, keep_going: bool = False) -> Loaded:
    """Read and validate every statement; raise :class:`ContentError` with all problems (with
    ``keep_going``, leave out the statements that have some and return their problems).

    A draft's problems are warnings (:meth:`Problem.in_draft`): a colleague's unfinished draft
    never stops the others. ``cache`` may answer for a folder whose files it has seen. The
    others are parsed in up to ``jobs`` processes (default: one per core) when there are many
    (see :func:`_load_all`); problems and warnings come in the same order either way: folder by
    folder, by name."""
    root = project / STATEMENTS_DIR
    inside = real(project)
    results: list[_Result] = []  # one per folder, in order
    to_load: list[tuple[int, Path]] = []  # (index in results, folder) of those to parse
    for folder in _statement_folders(root, inside):
        if folder.name.startswith(".") or is_dropping(folder.name):
            continue
        problems: list[Problem] = []
        warnings: list[Problem] = []
        results.append((None, problems, warnings))
        if not folder.is_dir():
            warnings.append(
                Problem(
                    _printable(folder),
                    None,
                    "ignored: statements/ holds one folder per statement",
                    True,
                )
            )
            continue
        if not STATEMENT_ID.match(folder.name):
            hidden = [c for c in folder.name if unicodedata.category(c) in ("Cf", "Cc", "Zs")]
            note = f" (it holds the invisible character U+{ord(hidden[0]):04X})" if hidden else ""
            invalid = Problem(
                _printable(folder),
                None,
                f"invalid statement id {folder.name!r}: use lowercase ASCII "
                "letters, digits and single hyphens, e.g. 2022-11-22-vitorino-iom"
                + note,
            )
            if _says_draft(folder):
                warnings.append(invalid.in_draft())
            else:
                problems.append(invalid)
            continue
        if _links_outside(folder, inside, problems) or _names_too_long(folder, site, problems):
            continue
        cached = cache.lookup(folder, site, warnings) if cache is not None else None
        if cached is not None:
            results[-1] = (cached, problems, warnings)
        else:
            to_load.append((len(results) - 1, folder))
    loaded = _load_all([folder for _, folder in to_load], site, jobs or default_jobs())
    for (index, folder), result in zip(to_load, loaded, strict=True):
        results[index] = result
        statement, mine, my_warnings = result
        if cache is not None and statement is not None and not mine:
            cache.keep(folder, statement, my_warnings)
    problems = [problem for _, found, _ in results for problem in found]
    if problems and not keep_going:
        raise ContentError(problems)
    return Loaded(
        tuple(statement for statement, found, _ in results if statement is not None and not found),
        tuple(warning for _, _, found in results for warning in found),
        tuple(problems),
    )


def _statement_folders(root: Path, inside: Path) -> list[Path]:
    """The entries of ``statements/``, by name; a :class:`ContentError` when it is missing,
    unreadable or a link out of the project (never scanned then)."""
    def fail(message: str) -> ContentError:
        return ContentError([Problem(str(root), None, message)])

    if root.is_symlink() and not real(root).is_relative_to(inside):
        raise fail(f"is a link to {os.readlink(root)}, outside the project: "
                   "statements must be in the project")
    if not root.is_dir():
        raise fail("no statements folder: `syndicate new TITLE` writes the first statement "
                   "(`syndicate init` starts a project)")
    try:
        return sorted(root.iterdir())
    except OSError as exc:
        raise fail(f"cannot read folder: {exc.strerror}") from None


def _names_too_long(folder: Path, site: Site, problems: list[Problem]) -> bool:
    """Report a statement id that makes an output file name longer than file systems allow
    (255 bytes): publish would fail to write it."""
    name = max((part for path in site.statement_paths(folder.name) for part in path.split("/")),
               key=lambda part: len(part.encode()))
    if len(name.encode()) <= NAME_MAX:
        return False
    problems.append(Problem(
        str(folder), None,
        f"statement id is too long ({len(folder.name)} characters): its output file {name!r} "
        f"would have a name of {len(name.encode())} bytes, over the {NAME_MAX} file systems "
        f"allow; use at most {len(folder.name) - len(name.encode()) + NAME_MAX} characters"))
    return True


def _load_all(folders: Sequence[Path], site: Site, jobs: int) -> list[_Result]:
    """Each folder's statement, problems and warnings, in order: in this process, or for many
    folders, when this process may fork (see :func:`syndicate.processes.fork_is_safe`), in a
    process per core. Parsing Markdown is most of a load's time and Python runs it on one core
    (figures: ``benchmarks/notes.md``)."""
    jobs = min(jobs, len(folders) // (PARALLEL_FROM // 2))  # at least 32 statements a process
    if jobs < 2 or not fork_is_safe():
        return _load_batch(folders, site)
    batches = [folders[i : i + BATCH] for i in range(0, len(folders), BATCH)]
    # (A fork pool starts its processes before its own thread; one that dies raises here.)
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                             initializer=ignore_interrupts) as pool, interrupts_held():
        loaded = pool.map(functools.partial(_load_batch, site=site), batches)
    return [result for batch in loaded for result in batch]


def _load_batch(folders: Sequence[Path], site: Site) -> list[_Result]:
    results: list[_Result] = []
    for folder in folders:
        problems: list[Problem] = []
        warnings: list[Problem] = []
        results.append((_load_statement(folder, site, problems, warnings), problems, warnings))
    return results


# A top-level `draft: true` line (YAML 1.1's words for true), for a statement.yaml that YAML
# cannot parse: its statement is still a draft, whose problems block nothing.
DRAFT_LINE = re.compile(r"^draft:[ \t]*(?:true|True|TRUE|yes|Yes|YES|on|On|ON)[ \t]*(?:#.*)?$",
                        re.MULTILINE)


def _says_draft(folder: Path) -> bool:
    """Whether the ``statement.yaml`` of a folder that is no statement (e.g. its name is no
    id) says ``draft: true``, as :func:`_load_statement` would read it."""
    reader = _File(folder / SHARED_FILE, [])
    if reader.path.is_symlink() or not reader.path.is_file():
        return False
    text = reader.read_text()
    if text is None:
        return False
    shared = reader.parse_yaml(text, SHARED_KEYS)
    return bool(DRAFT_LINE.search(text)) if shared is None else shared.values.get("draft") is True


def _load_statement(
    folder: Path, site: Site, problems: list[Problem], warnings: list[Problem]
) -> Statement | None:
    """The statement of ``folder``, or None with its problems added to ``problems``; those of
    a draft are added to ``warnings`` instead (see :meth:`Problem.in_draft`)."""
    before, warned = len(problems), len(warnings)
    draft: list[bool] = []  # [True] once statement.yaml says it is a draft
    statement = _read_statement(folder, site, problems, warnings, draft)
    if draft:
        warnings[warned:] = [p.in_draft() for p in (*warnings[warned:], *problems[before:])]
        del problems[before:]
    return statement


def _read_statement(
    folder: Path, site: Site, problems: list[Problem], warnings: list[Problem],
    draft_seen: list[bool],
) -> Statement | None:
    before = len(problems)
    shared_file = _File(folder / SHARED_FILE, problems, warnings=warnings)
    shared = None
    if not os.path.lexists(shared_file.path):
        shared_file.error(None, "missing: every statement needs a statement.yaml with its date")
    elif (text := shared_file.read_text()) is not None:
        shared = shared_file.parse_yaml(text, SHARED_KEYS)
        if shared is None and DRAFT_LINE.search(text):
            draft_seen.append(True)

    published = updated = embargo = None
    draft = False
    original = site.default_language
    shared_tags: tuple[str, ...] = ()
    if shared is not None:
        published = shared_file.when(shared, "date", site, required=True)
        updated = shared_file.when(shared, "updated", site, required=False)
        if published and updated and updated < published:
            shared_file.error(shared.lines["updated"], "updated is earlier than date")
        shared_tags = shared_file.tags(shared) or ()
        embargo = shared_file.when(shared, "embargo", site, required=False)
        draft = shared_file.flag(shared, "draft")
        if draft:
            draft_seen.append(True)
        if "original" in shared.values:
            original = shared_file.string(shared, "original")
            if original not in {language.code for language in site.languages}:
                shared_file.error(
                    shared.lines["original"], f"original {original!r} is not a configured language"
                )

    configured = {language.code for language in site.languages}
    found: dict[str, Translation] = {}
    untranslated: list[str] = []
    for source in sorted(folder.glob("*.md")):
        if is_dropping(source.name):
            continue
        lang = source.stem
        if lang not in configured:
            problems.append(
                Problem(
                    _printable(source),
                    None,
                    f"language {lang!r} is not configured in syndicate.toml "
                    f"(configured: {', '.join(sorted(configured))})",
                )
            )
            continue
        translation = _load_translation(
            source, lang, site, folder.name, shared_tags, problems, untranslated, warnings
        )
        if translation is not None:
            found[lang] = translation

    if len(problems) > before or published is None:
        return None
    if not found:
        problems.append(Problem(str(folder), None, "no translation: add at least one <lang>.md"))
        return None
    if original not in found:
        problems.append(
            Problem(
                str(folder / f"{original}.md"),
                None,
                f"missing: the original ({original}) of this statement",
            )
        )
        return None
    for language in site.languages:
        if language.code not in found:
            state = "not translated yet" if language.code in untranslated else "missing translation"
            warnings.append(
                Problem(
                    str(folder / f"{language.code}.md"),
                    None,
                    f"{state}; published in {', '.join(sorted(found))} only",
                    True,
                )
            )
    return Statement(
        id=folder.name,
        date=published,
        updated=updated,
        original=original,
        translations=tuple(found[lang.code] for lang in site.languages if lang.code in found),
        draft=draft,
        embargo=embargo,
        untranslated=tuple(sorted(untranslated)),
    )


def _load_translation(
    path: Path,
    lang: str,
    site: Site,
    statement_id: str,
    shared_tags: tuple[str, ...],
    problems: list[Problem],
    untranslated: list[str],
    warnings: list[Problem] | None = None,
) -> Translation | None:
    reader = _File(path, problems, warnings=warnings)
    text = reader.read_text()
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        reader.error(1, _no_front_matter(text))
        return None
    front, body, body_line = parts
    reader.offset = 1
    meta = reader.parse_yaml(front, TRANSLATION_KEYS)
    if meta is None:
        return None
    if reader.flag(meta, "untranslated"):
        untranslated.append(lang)  # a scaffold waiting for its translator: counts as missing
        return None
    title = reader.string(meta, "title", required=True, missing_line=1)
    correction = reader.string(meta, "correction")
    translated_from = reader.fingerprint(meta, "translated_from")
    summary = reader.string(meta, "summary")
    place = reader.string(meta, "place")
    tags = reader.tags(meta)
    if not body.strip():
        reader.error(body_line, "the statement has no body text")
    if not title or not body.strip():
        return None
    parsed = parse(body)  # once: the checks and the HTML below share it
    for line, message in embedded_problems(body, body_line, parsed):  # images: sandbox, alt
        reader.error(line, message)
    for line, message in overload(parsed):  # what the PDF's layout could not do in seconds
        reader.error(body_line + line - 1, message)
    for line, message in image_file_problems(path.parent, body, body_line, parsed,
                                             reserved_names(site, statement_id, lang)):
        reader.error(line, message)  # the image files: there, regular, small, really images
    for line, message in lint(body, site.page_url(statement_id, lang), parsed):
        reader.warn(body_line + line - 1, message)
    if (left := placeholder_line(body)) is not None:
        reader.warn(body_line + left - 1, "the placeholder of `syndicate new` is still here: "
                    "write the statement in its place")
    return Translation(
        lang=lang,
        title=title,
        summary=summary,
        place=place,
        tags=shared_tags if tags is None else tags,
        body_markdown=body.strip("\n") + "\n",
        body_html=to_html(body, site.page_url(statement_id, lang), parsed),
        source=text,
        correction=correction,
        translated_from=translated_from,
    )


def _links_outside(folder: Path, inside: Path, problems: list[Problem]) -> bool:
    """Report every symbolic link in a statement's folder, its subfolders (or the folder
    itself) that leads out of the project (``inside``, resolved): a statement must not make
    publish read a private file. A folder that is such a link is not looked into; one that
    cannot be read is reported."""
    def report(entry: Path, message: str) -> None:
        problems.append(Problem(_printable(entry), None, message))

    def outside(entry: Path) -> bool:
        if real(entry).is_relative_to(inside):
            return False
        report(entry, f"is a link to {os.readlink(entry)}, outside the project: "
                      "copy the file into the project instead")
        return True

    if folder.is_symlink() and outside(folder):
        return True
    before = len(problems)
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            report(current, f"cannot read folder: {exc.strerror}")
            continue
        for entry in entries:
            if is_dropping(entry.name):
                continue
            if entry.is_symlink():
                outside(Path(entry.path))
            elif entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
    return len(problems) > before


# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern).
_BLANK = set("\u115f\u1160\u3164\uffa0\u2800")
_EMBEDDINGS, _POP = set("\u202a\u202b\u202d\u202e"), "\u202c"
_ISOLATES, _POP_ISOLATE = set("\u2066\u2067\u2068"), "\u2069"


def _visible(char: str) -> bool:
    """True for a character that draws something: a letter, digit, punctuation or symbol.

    >>> _visible("a"), _visible("\u200b"), _visible("\u3164")
    (True, False, False)
    """
    return unicodedata.category(char)[0] in "LNPS" and char not in _BLANK


def _unclosed_bidi(text: str) -> str | None:
    """The first bidirectional embedding, override or isolate of ``text`` still open at its
    end (as Unicode's bidi algorithm pairs them), or None.

    >>> _unclosed_bidi("\u202eevil"), _unclosed_bidi("\u2067x\u2069 and \u202by\u202c")
    ('\u202e', None)
    """
    stack: list[str] = []
    for char in text:
        if char in _EMBEDDINGS or char in _ISOLATES:
            stack.append(char)
        elif char == _POP and stack and stack[-1] in _EMBEDDINGS:
            stack.pop()
        elif char == _POP_ISOLATE and any(c in _ISOLATES for c in stack):
            while stack.pop() not in _ISOLATES:
                pass
    return stack[0] if stack else None


def _printable(path: Path) -> str:
    """``path`` for a message: a name with control or invisible characters is shown escaped
    (``\\r``, ``\\u200b``) so that it cannot garble or hide in the message."""
    return str(path) if path.name.isprintable() else str(path.parent / ascii(path.name)[1:-1])


_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _join_surrogates(value: Any) -> Any:
    """``value`` with each UTF-16 surrogate pair made the character it stands for, as JSON
    reads them: YAML's ``"\\ud83d\\ude00"`` is one emoji (PyYAML decodes each half alone)."""
    if isinstance(value, str):
        return _SURROGATE_PAIR.sub(
            lambda pair: pair.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"),
            value)
    if isinstance(value, list):
        return [_join_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_join_surrogates(k): _join_surrogates(v) for k, v in value.items()}
    return value


def _invalid_character(value: object) -> str | None:
    """The first character XML cannot carry in a YAML value (escapes such as ``"\\x00"`` in a
    double-quoted string make one without its byte ever being in the file)."""
    if isinstance(value, str):
        match = XML_INVALID.search(value)
        return match.group() if match else None
    if isinstance(value, list | tuple):
        return next((c for c in map(_invalid_character, value) if c is not None), None)
    if isinstance(value, dict):
        return _invalid_character([*value.keys(), *value.values()])
    return None
