"""A statement's own part of its units' keys (see :func:`syndicate.plan.keyed_units`): what its
communiqués, pages and cards are made of that is neither the site's nor an image's.

Hashed when the statement is parsed and kept with it in the statement cache (see
:mod:`syndicate.cache`): a publish of an archive takes an unchanged statement's from there
instead of hashing its fields again (figures: ``benchmarks/notes.md``). An entry is only ever
read back by the code that wrote it (its name hashes the tool), so what it keeps is what
:func:`own_keys` said of the statement as parsed; like the rest of the entry, it is trusted
(a cache is no defence against a hand that edits it: delete ``.syndicate-cache/`` then).
"""

from __future__ import annotations

from dataclasses import dataclass

from syndicate.hashes import digest
from syndicate.model import Statement


@dataclass(frozen=True, slots=True)
class OwnKeys:
    """For each of its languages, in their order: the hash of what its communiqué and page are
    made of (its images aside), then of what its card shows (one flat tuple: an archive's load
    reads thousands)."""

    hashes: tuple[str, ...]

    def of(self, index: int) -> tuple[str, str]:
        """The page's and the card's hash of the ``index``-th language."""
        return self.hashes[2 * index], self.hashes[2 * index + 1]


def own_keys(statement: Statement) -> OwnKeys:
    shared = shared_inputs(statement)
    return OwnKeys(tuple(hashed for lang in statement.languages for hashed in (
        digest(shared, one_language(statement, lang)), digest(card_inputs(statement, lang)))))


def keys_to_json(keys: OwnKeys) -> list[str]:
    return list(keys.hashes)


def keys_from_json(data: object, statement: Statement) -> OwnKeys | None:
    """The keys :func:`keys_to_json` wrote for ``statement``; None when they are not two hashes
    for each of its languages, as text (an entry written without them, or damaged)."""
    if (isinstance(data, list) and len(data) == 2 * len(statement.translations)
            and all(type(value) is str for value in data)):
        return OwnKeys(tuple(data))
    return None


def shared_inputs(statement: Statement) -> str:
    """The hash of the statement's own fields and the list of its languages (the alternates):
    what each language's communiqué and page is made of besides its translation."""
    return digest(
        statement.id, statement.date, statement.updated, statement.original, statement.draft,
        statement.embargo, statement.untranslated, statement.languages,
    )


def one_language(statement: Statement, lang: str) -> tuple[object, ...]:
    """What one language's communiqué and page are made of besides :func:`shared_inputs`:
    that translation (its file's text, from which everything else in it is derived, and its
    tags, which may come from ``statement.yaml``)."""
    translation = statement.translation(lang)
    assert translation is not None
    return lang, translation.tags, translation.source_sha256


def card_inputs(statement: Statement, lang: str) -> tuple[object, ...]:
    """What a social card shows (see :mod:`syndicate.render.cards`): title, date, language."""
    translation = statement.translation(lang)
    assert translation is not None
    return (statement.id, statement.date, lang, translation.title)
