"""The statement cache's entries: a parsed statement as JSON, its translations' words apart.

An entry is two lines. The first (:func:`entry_first_line`): a check of the rest of it; a
JSON array of the statement but its translations, and of what a load and a plan say of it (its
warnings, which translations are out of step with the original, the hashes of its own inputs:
see :meth:`syndicate.cache.StatementCache.keep`), and its folder as the load that made it
spelled it, which its warnings name; then each translation but its words, with its
:class:`~syndicate.words.Facts`, as JSON. The second: the words. A load checks the first line
whole and decodes its array only (:func:`entry_from_line`); a statement's translations are
decoded when something first asks for them (:class:`KeptStatement`), and a translation's
words are read again when something needs them (:class:`Kept`): an archive's texts are never
all in memory at once. A line of an earlier layout is not an entry's: its check does not hold.
"""

from __future__ import annotations

import json
import os
import re
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from syndicate.errors import Problem, SyndicateError, display_path
from syndicate.files import read_regular
from syndicate.model import Statement, Translation
from syndicate.words import Facts, Text


def when_to_json(value: datetime | None) -> object:
    found = _when(value)
    return None if found is None else dict(zip(("iso", "zone", "fold"), found, strict=True))


def when_from_json(value: Any) -> datetime | None:
    return None if value is None else _when_from([value["iso"], value["zone"], value["fold"]])


def _when(value: datetime | None) -> list[object] | None:
    """An instant as an array: (ISO text, the name of its time zone or None, fold)."""
    if value is None:
        return None
    zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
    return [value.isoformat(), zone, value.fold]


def _when_from(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise TypeError("an instant is an array")
    iso, zone, fold = value
    moment = datetime.fromisoformat(iso)
    return moment.replace(tzinfo=ZoneInfo(zone), fold=fold) if zone else moment


def _statement_row(statement: Statement) -> list[object]:
    """The statement but its translations, and its languages and whether any of them shows an
    image file: arrays, not objects (a load decodes thousands of these, and the names of the
    fields would be most of their bytes)."""
    return [
        statement.id, _when(statement.date), _when(statement.updated), statement.original,
        statement.draft, _when(statement.embargo), list(statement.untranslated),
        list(statement.languages), shows_images(statement),
    ]


def translations_to_json(statement: Statement) -> str:
    """Each translation but its words (see :func:`texts_to_json`), with its :class:`Facts`."""
    return json.dumps([[t.lang, t.title, t.summary, t.place, list(t.tags), t.correction,
                        [list(pair) for pair in t.translated_from], _facts_to_json(facts_of(t))]
                       for t in statement.translations])


HASH = 64  # the characters of one of cache.digest's hashes, lowercase hexadecimal
# What keys.statement_parts holds (kept with a statement's entry): for each translation, the
# hash of its communiqué's and page's own inputs, of its card's and of its item on the index
# pages (PARTS characters in all), in that order; then the statement's (its sitemap entry).
OWN, CARD, ITEM = range(3)
PARTS = 3 * HASH
_HASHES = re.compile(r"[0-9a-f]*\Z")


def entry_first_line(form: int, statement: Statement, warnings: Sequence[Problem],
                     stale: Sequence[tuple[str, str]], parts: str, folder: str) -> str:
    """An entry's first line (see :meth:`syndicate.cache.StatementCache.keep`), in three parts
    separated by tabs (JSON holds none): the CRC-32 of the other two, in hexadecimal; a JSON
    array of its format ``form``, the statement but its translations, its warnings, its
    translations out of step (see :func:`workflow.stale_messages`), its own inputs' hashes
    (:func:`keys.statement_parts`) and its ``folder`` as the load spelled it, which its
    warnings' paths start with; its translations but their words (:func:`translations_to_json`),
    decoded only when asked for (:class:`KeptStatement`)."""
    row = [form, _statement_row(statement), [[w.path, w.line, w.message] for w in warnings],
           [list(pair) for pair in stale], parts, folder]
    rest = f"{json.dumps(row)}\t{translations_to_json(statement)}"  # (ASCII: json.dumps
    return f"{_check(rest.encode('ascii'))}\t{rest}"                # escapes the rest)


def _check(rest: bytes) -> str:
    return f"{zlib.crc32(rest):08x}"


_DECODER = json.JSONDecoder()  # (json.loads of bytes first looks for their encoding)
# What a line that is not an entry's raises (OSError: a time zone named after a folder of
# tzdata, or too long a name; RecursionError: JSON nested too deep)
NOT_AN_ENTRY = (KeyError, TypeError, ValueError, AssertionError, OverflowError, OSError,
                RecursionError)


def entry_from_line(line: bytes, form: int, path: str, folder: str) -> tuple[
        KeptStatement, list[Problem], tuple[tuple[str, str], ...], str]:
    """What :func:`entry_first_line` made in format ``form`` (the statement's words left in
    the entry ``path``, its translations decoded when asked for), its warnings naming the
    statement's files from ``folder``, as this load spells it; one of :data:`NOT_AN_ENTRY`
    when it is not what a parse gives (damaged: not as its check says)."""
    check, _, rest = line.partition(b"\t")
    if check.decode() != _check(rest):
        raise ValueError("damaged")
    tab = rest.index(b"\t")
    found, data, warned, stale, parts, made_in = _DECODER.decode(rest[:tab].decode())
    if found != form:
        raise ValueError("format")
    statement = statement_from_row(data, rest[tab + 1:], path)
    warnings = [Problem(_moved(p, made_in, folder), at, message, True)
                for p, at, message in warned]
    out_of_step = tuple(_stale_message(item, statement) for item in stale)
    if (not isinstance(parts, str) or not _HASHES.match(parts)
            or len(parts) != len(statement.languages) * PARTS + HASH):
        raise ValueError("hashes")
    return statement, warnings, out_of_step, parts


# What a load takes of an entry's first line (see entry_from_line)
Decoded = tuple["KeptStatement", list[Problem], tuple[tuple[str, str], ...], str]


def decoded(line: bytes, form: int, path: str, folder: str) -> Decoded | None:
    """:func:`entry_from_line`, or None when ``line`` is not an entry's of the statement in
    ``folder`` (a statement's id is its folder's name)."""
    try:
        entry = entry_from_line(line, form, path, folder)
    except NOT_AN_ENTRY:
        return None
    return entry if entry[0].id == os.path.basename(folder) else None


def _moved(path: object, old: object, new: str) -> str:
    """A warning's ``path``, made when the statement's folder was spelled ``old`` (the project
    named relative to another folder, or by its whole path), with the folder spelled ``new``.

    >>> _moved("statements/a/en.md", "statements/a", "/p/statements/a")
    '/p/statements/a/en.md'
    """
    if not (isinstance(path, str) and isinstance(old, str)):
        raise TypeError("a path is text")
    inside = path == old or path.startswith(old + os.sep)
    return new + path[len(old):] if inside else path


def _stale_message(item: object, statement: Statement) -> tuple[str, str]:
    """A kept stale-translation message of ``statement``: its language and what to say of it
    (ValueError for anything else: the entry is not taken)."""
    if not isinstance(item, list) or len(item) != 2:
        raise ValueError(item)
    lang, message = item
    if not (isinstance(lang, str) and isinstance(message, str)) or lang not in statement.languages:
        raise ValueError(item)
    return lang, message


def texts_to_json(statement: Statement) -> list[dict[str, object]]:
    """Each translation's words: its source, its HTML, and where its Markdown body starts."""
    return [{"source": t.source, **_body_markdown(t.source, t.body_markdown),
             "html": t.body_html} for t in statement.translations]


def facts_of(translation: Translation) -> Facts:
    """What every load and plan needs of the words of ``translation`` (see :class:`Facts`)."""
    from syndicate.assets import translation_images
    from syndicate.workflow import body_hash

    if (known := translation.facts) is not None:
        return known
    return Facts(translation.source_sha256, body_hash(translation),
                 tuple(translation_images(translation)))


def _pair(value: list[str]) -> tuple[str, str]:
    first, second = value
    return first, second


def _facts_to_json(facts: Facts) -> list[object]:
    return [facts.source_sha256, facts.body_hash, [list(image) for image in facts.images]]


@dataclass(frozen=True, slots=True)
class Kept:
    """A translation's words left in the statement cache: the ``index``-th of the entry
    ``path``, read again when needed (the last entry read is remembered: a statement's
    translations are mostly read together)."""

    path: str
    index: int
    known: Facts

    def facts(self) -> Facts:
        return self.known

    def text(self) -> Text:
        texts = _kept_texts(self.path)
        if self.index >= len(texts):
            raise _gone(self.path, "words missing")
        return texts[self.index]


class _LastRead(threading.local):
    """The entry this thread read last, and its words (the pages render in one thread while
    another hands the documents to workers: each keeps its own)."""

    entry: tuple[str, tuple[Text, ...]] = ("", ())


_LAST_READ = _LastRead()


def _kept_texts(path: str) -> tuple[Text, ...]:
    read, texts = _LAST_READ.entry
    if read == path:
        return texts
    try:
        data = read_regular(path)
        texts = tuple(_text_from_json(t) for t in json.loads(data[data.index(b"\n") + 1:]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _gone(path, str(exc)) from None
    _LAST_READ.entry = (path, texts)
    return texts


def _gone(path: str, why: str) -> SyndicateError:
    """The error of a statement cache entry whose words cannot be read back: it is removed (a
    damaged one would be found again by every run), so that the next run parses it again."""
    try:
        os.unlink(path)
    except OSError:
        pass
    return SyndicateError(f"{display_path(path)}: the statement cache changed while this ran "
                          f"({why}); run it again")


def _text_from_json(data: object) -> Text:
    if not isinstance(data, dict):
        raise TypeError("words are an object")
    source = str(data["source"])
    markdown = (str(data["body_markdown"]) if "body_markdown" in data
                else _body_from(source, int(data["body_at"])))
    return Text(source, markdown, str(data["html"]))


def _body_markdown(source: str, body: str) -> dict[str, object]:
    """How an entry keeps a translation's Markdown body: as the offset in its source file's
    text where it starts (it is that text's end, blank lines stripped), not a third copy of it
    beside the source and the HTML (less to decode: ``benchmarks/notes.md``)."""
    start = len(source.rstrip("\n")) - len(body) + 1
    if start >= 0 and _body_from(source, start) == body:
        return {"body_at": start}
    return {"body_markdown": body}


def _body_from(source: str, start: int) -> str:
    return source[start:].strip("\n") + "\n"


def statement_from_row(data: Any, translations: bytes, path: str) -> KeptStatement:
    """The statement :func:`_statement_row` made, its ``translations`` (as
    :func:`translations_to_json` made them) decoded when first asked for, their words left in
    the entry ``path``."""
    statement_id, date, updated, original, draft, embargo, untranslated, languages, images = data
    when = _when_from(date)
    assert when is not None
    languages = tuple(languages)
    "".join(languages)  # (a TypeError unless each is text)
    statement = object.__new__(KeptStatement)
    # (its slots set one by one: the translations are not made yet, see KeptStatement)
    for setter, value in zip(_SETTERS, (
            str(statement_id), when, _when_from(updated), str(original), bool(draft),
            _when_from(embargo), tuple(untranslated), languages, bool(images),
            (translations, path)), strict=True):
        setter(statement, value)
    return statement


class KeptStatement(Statement):
    """A statement from the statement cache, its translations (but their words) decoded from
    their JSON when something first asks for them: a plan of an archive's edit asks for those
    of the statements it renders or lists on a changed page, not of the thousands of others.
    The entry's first line was checked whole when it was read (:func:`entry_from_line`).

    Equal to, hashed, shown and sent to another process as the :class:`Statement` of the same
    fields: only where its translations are differs."""

    __slots__ = ("_languages", "images", "_kept")
    _languages: tuple[str, ...]
    images: bool  # whether a translation shows an image file (see shows_images)
    # the translations' JSON, and the entry that holds their words (None once decoded)
    _kept: tuple[bytes, str] | None

    def __getattr__(self, name: str) -> Any:
        # (called for a slot not set: the translations until decoded; the others only in one
        # made by dataclasses.replace, whose translations are given)
        if name in ("_languages", "images"):
            plain = self.plain()
            return plain.languages if name == "_languages" else shows_images(plain)
        if name != "translations":
            raise AttributeError(name)
        kept = self._kept
        if kept is None:  # (decoded by another thread since this one found the slot unset)
            return object.__getattribute__(self, "translations")
        data, path = kept
        try:
            found = tuple([_translation(t, path, index)
                           for index, t in enumerate(json.loads(data))])
        except NOT_AN_ENTRY as exc:  # (its check held: written so by hand)
            raise _gone(path, str(exc)) from None
        if tuple(t.lang for t in found) != self._languages:
            raise _gone(path, "languages")
        # (two threads may both decode it: the same translations, set twice, before the JSON
        # is let go)
        object.__setattr__(self, "translations", found)
        object.__setattr__(self, "_kept", None)
        return found

    @property
    def languages(self) -> tuple[str, ...]:
        return self._languages

    def plain(self) -> Statement:
        """The :class:`Statement` of the same fields."""
        return Statement(**{name: getattr(self, name) for name in _FIELDS})

    def in_memory(self) -> Statement:
        return self.plain().in_memory()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Statement):
            return NotImplemented
        return self.plain() == (other.plain() if isinstance(other, KeptStatement) else other)

    def __hash__(self) -> int:
        return hash(self.plain())

    def __repr__(self) -> str:
        return repr(self.plain())

    def __reduce__(self) -> tuple[object, ...]:
        return (Statement, tuple(getattr(self, name) for name in _FIELDS))


def shows_images(statement: Statement) -> bool:
    """Whether a translation of ``statement`` shows an image file (for one from the cache,
    known without decoding its translations)."""
    if isinstance(statement, KeptStatement):
        return statement.images
    from syndicate.assets import translation_images

    return any(translation_images(translation) for translation in statement.translations)


_FIELDS = tuple(field.name for field in fields(Statement))
# The slots statement_from_row sets, in its order: the fields but the translations, then the
# kept statement's own (each slot's own setter: a frozen dataclass's __setattr__ refuses)
_SETTERS = tuple(getattr(KeptStatement, name).__set__ for name in (
    *(name for name in _FIELDS if name != "translations"), "_languages", "images", "_kept"))


def _translation(data: Any, path: str, index: int) -> Translation:
    """The ``index``-th translation of :func:`translations_to_json`'s, its words in ``path``."""
    lang, title, summary, place, tags, correction, translated_from, facts = data
    source_sha256, body_hash, images = facts  # (mostly no image: a load reads thousands)
    known = Facts(str(source_sha256), str(body_hash),
                  tuple((int(line), str(name)) for line, name in images) if images else ())
    return Translation(lang, title, summary, place, tuple(tags), Kept(path, index, known),
                       correction, tuple(map(_pair, translated_from)))
