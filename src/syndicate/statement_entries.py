"""The statement cache's entries: a parsed statement as JSON, its translations' words apart.

An entry is two lines of JSON: the statement with each translation's :class:`~syndicate.model.Facts`
(and the warnings), then the words. A load decodes the first line only; a translation's words
are read again when something needs them (:class:`Kept`): an archive's texts are never all in
memory at once.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from syndicate.errors import SyndicateError, display_path
from syndicate.files import read_regular
from syndicate.model import Statement, Translation
from syndicate.words import Facts, Text


def when_to_json(value: datetime | None) -> object:
    if value is None:
        return None
    zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
    return {"iso": value.isoformat(), "zone": zone, "fold": value.fold}


def when_from_json(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value["iso"])
    if value["zone"]:
        moment = moment.replace(tzinfo=ZoneInfo(value["zone"]), fold=value["fold"])
    return moment


def statement_to_json(statement: Statement) -> dict[str, Any]:
    """The statement but its translations' words (see :func:`texts_to_json`), with the
    :class:`Facts` of each."""
    return {
        "id": statement.id,
        "date": when_to_json(statement.date),
        "updated": when_to_json(statement.updated),
        "original": statement.original,
        "draft": statement.draft,
        "embargo": when_to_json(statement.embargo),
        "untranslated": list(statement.untranslated),
        "translations": [
            {
                "lang": t.lang, "title": t.title, "summary": t.summary, "place": t.place,
                "tags": list(t.tags), "correction": t.correction,
                "translated_from": [list(pair) for pair in t.translated_from],
                "facts": _facts_to_json(facts_of(t)),
            }
            for t in statement.translations
        ],
    }


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


def _facts_to_json(facts: Facts) -> dict[str, object]:
    return {"source_sha256": facts.source_sha256, "body_hash": facts.body_hash,
            "images": [list(image) for image in facts.images]}


def _facts_from_json(data: object) -> Facts:
    if not isinstance(data, dict):
        raise TypeError("facts are an object")
    images = data["images"]  # (mostly none: a load reads thousands of these)
    return Facts(str(data["source_sha256"]), str(data["body_hash"]),
                 tuple((int(line), str(name)) for line, name in images) if images else ())


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


def statement_from_json(data: Any, path: str) -> Statement:
    """The statement :func:`statement_to_json` made, its words left in the entry ``path``."""
    date = when_from_json(data["date"])
    assert date is not None
    return Statement(
        id=str(data["id"]),
        date=date,
        updated=when_from_json(data["updated"]),
        original=str(data["original"]),
        draft=bool(data["draft"]),
        embargo=when_from_json(data["embargo"]),
        untranslated=tuple(data["untranslated"]),
        translations=tuple(
            Translation(
                lang=t["lang"], title=t["title"], summary=t["summary"], place=t["place"],
                tags=tuple(t["tags"]), words=Kept(path, index, _facts_from_json(t["facts"])),
                correction=t["correction"],
                translated_from=tuple(map(_pair, t["translated_from"])),
            )
            for index, t in enumerate(data["translations"])
        ),
    )
