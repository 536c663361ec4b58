"""twitter-text's answers kept between publishes (see :mod:`syndicate.render.counting`), in
shards: ``.syndicate-cache/twitter-text/<xx>.json``, a question's shard named by the first two
hexadecimal digits of its sha256.

A publish reads a shard only when a page asks one of its questions, and writes again only the
shards it learned answers for: an edit that renders two pages reads and writes a few small
files, not every answer an archive's pages ever needed (64,000 at 16,000 statements; figures:
``benchmarks/notes.md``). Each shard names the code that answered (the tool and its
libraries, twitter-text among them); one of other code, or not well formed, is not believed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path

from syndicate import cache, files

FOLDER = "twitter-text"  # in .syndicate-cache/
OLD_FILE = "twitter-text.json"  # the single file of earlier versions, removed
MAX_PER_SHARD = 2_000  # past it, a shard keeps only the answers its last publish asked for


def shard_of(question: str) -> str:
    return hashlib.sha256(question.encode("utf-8", "surrogatepass")).hexdigest()[:2]


class KeptAnswers:
    """The answers kept in a project's cache folder, read a shard at a time."""

    def __init__(self, cache_folder: Path) -> None:
        self.folder = cache_folder / FOLDER
        self._old = cache_folder / OLD_FILE
        self._read: dict[str, Mapping[str, object]] = {}  # shard -> its answers, as read

    def shard(self, question: str) -> Mapping[str, object]:
        """The answers of the shard ``question`` is in, the first time it is asked for; then
        nothing (they were given already)."""
        name = shard_of(question)
        if name in self._read:
            return {}
        self._read[name] = self._load(name)
        return self._read[name]

    def _load(self, name: str) -> Mapping[str, object]:
        document = files.read_json(self.folder / f"{name}.json")
        if (isinstance(document, dict) and document.get("format") == cache.FORMAT
                and document.get("code") == cache.code_digest()
                and isinstance(answers := document.get("answers"), dict)):
            return answers
        return {}

    def save(self, learned: Mapping[str, object], asked: AbstractSet[str]) -> None:
        """Write the shards of the answers ``learned``, each with its answers kept so far;
        past :data:`MAX_PER_SHARD`, only those of the questions ``asked`` by this run (the
        files only save time: the others are asked again if ever they are needed)."""
        by_shard: dict[str, dict[str, object]] = {}
        for question, answer in learned.items():
            by_shard.setdefault(shard_of(question), {})[question] = answer
        for name, new in sorted(by_shard.items()):
            kept = self._read.get(name)
            answers = {**(self._load(name) if kept is None else kept), **new}
            if len(answers) > MAX_PER_SHARD:
                answers = {q: a for q, a in answers.items() if q in asked}
            files.write_json(self.folder / f"{name}.json", {
                "format": cache.FORMAT, "code": cache.code_digest(), "answers": answers})
            self._read[name] = answers
        try:
            os.unlink(self._old)
        except OSError:
            pass
