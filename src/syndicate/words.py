"""A statement's translation, and its words (its file's text, Markdown body and HTML): in memory,
or kept elsewhere with the few facts every load and plan needs of them (see
:mod:`syndicate.statement_entries`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Facts:
    """What is derived from a translation's words and needed of every statement at each load
    and plan, kept where the words are not (see :class:`Words`)."""

    source_sha256: str  # of its file's text, UTF-8 (for the cache keys)
    body_hash: str  # the body's hash in a translation's record of its original (workflow.py)
    images: tuple[tuple[int, str], ...]  # (line, name) of each image file it shows (assets.py)


@dataclass(frozen=True, slots=True)
class Text:
    """A translation's words, in memory."""

    source: str  # the whole source file's text, as read (for attachments and hashes)
    markdown: str  # the CommonMark body, NFC
    html: str  # safe HTML rendered from it (no raw HTML, no scripts)

    def text(self) -> Text:
        return self

    def facts(self) -> Facts | None:
        return None


class Words(Protocol):
    """A translation's words: a :class:`Text`, or where to read it again when needed (the
    statement cache's entry, with its :class:`Facts`: an archive's texts are not all in
    memory at once)."""

    def text(self) -> Text: ...

    def facts(self) -> Facts | None: ...


@dataclass(frozen=True, slots=True, eq=False)
class Translation:
    """One language's version of a statement. Two are equal when their fields and words are,
    wherever the words are kept."""

    lang: str  # language code, e.g. "pt"
    title: str
    summary: str  # "" when absent
    place: str  # "" when absent
    tags: tuple[str, ...]  # this language's labels (its own, or the statement's shared ones)
    words: Words
    correction: str = ""  # this language's note on the last correction ("" when none)
    # For a translation: the fingerprint of the original it was made from (see workflow.py).
    translated_from: tuple[tuple[str, str], ...] = ()

    @property
    def source(self) -> str:
        """The whole source file's text, as read."""
        return self.words.text().source

    @property
    def body_markdown(self) -> str:
        return self.words.text().markdown

    @property
    def body_html(self) -> str:
        return self.words.text().html

    @property
    def source_sha256(self) -> str:
        facts = self.facts
        if facts is not None:
            return facts.source_sha256
        return hashlib.sha256(self.source.encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def facts(self) -> Facts | None:
        """The facts kept with words kept out of memory (None: the words are in memory)."""
        return self.words.facts()

    def in_memory(self) -> Translation:
        return replace(self, words=self.words.text())

    def _fields(self) -> tuple[object, ...]:
        return (self.lang, self.title, self.summary, self.place, self.tags, self.correction,
                self.translated_from)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Translation):
            return NotImplemented
        return self._fields() == other._fields() and self.words.text() == other.words.text()

    def __hash__(self) -> int:
        return hash((self._fields(), self.source_sha256))
