"""The plan stage: what a publish renders, what it reuses, what it removes.

Every unit of rendering gets the hash of its inputs (its cache key, see
:mod:`syndicate.cache`); the cache index beside the output folder names the files of the
current version each key made, so a unit whose key is there, with its files unchanged, is
reused. :func:`make` returns one frozen :class:`Plan`; the publish renders ``plan.todo`` and
links the rest. Feed documents are planned the same way once the communiqués' sizes are known
(:func:`feed_keys`, :func:`reusable_feeds`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate import cache, output, websub
from syndicate.files import read_regular
from syndicate.model import MULTIPLE_LANGUAGES, Statement
from syndicate.output import MANIFEST
from syndicate.project import Project
from syndicate.units import Unit

Entry = dict[str, object]  # a file's manifest entry


@dataclass(frozen=True, slots=True)
class Plan:
    project: Project
    out: Path
    published: list[Statement]  # live at the publish's instant, in the outputs
    scheduled: list[Statement]  # dated or embargoed later
    units: tuple[Unit, ...]  # every unit of the published statements, with its key
    site_inputs: str  # the hash of the site-wide outputs' inputs (see site_key)
    current: Path | None  # the current version of the output folder, if any
    index: Mapping[str, Any]  # its cache index (empty when it is not for that version)
    reusable: Mapping[str, list[Entry]]  # by unit key: the current version's files of it
    feeds_pending: bool  # the current version's websub.json names changed feeds

    @property
    def languages(self) -> int:
        """How many languages the published statements are in."""
        return len({t.lang for s in self.published for t in s.translations})

    @property
    def todo(self) -> list[Unit]:
        """The units to render."""
        return [unit for unit in self.units if unit.key not in self.reusable]

    @property
    def unchanged(self) -> bool:
        """Whether the current version is this publish's output already."""
        return (self.current is not None and len(self.reusable) == len(self.units)
                and self.index.get("site") == self.site_inputs and not self.feeds_pending)


def make(project: Project, out: Path, now: datetime) -> Plan:
    """The plan of a publish of ``project`` into ``out`` at ``now`` (with the publisher's lock
    held: the current version does not change meanwhile)."""
    published, scheduled = project.due(now)
    units = tuple(keyed_units(project, published))
    current = output.current_version(out)
    index = read_index(out, current)
    return Plan(project, out, published, scheduled, units, site_key(project, units), current,
                index, reusable_units(index, current, units),
                current is not None and not _no_pending_feeds(current))


def keyed_units(project: Project, statements: list[Statement]) -> list[Unit]:
    """Every unit of rendering of ``statements``, each with the hash of its inputs."""
    site = project.site
    base = cache.digest(cache.code_digest(), site)
    fonts = cache.fonts_digest()
    logo = cache.digest(project.logo)
    catalog = {code: cache.catalog_digest(t) for code, t in project.translations.items()}
    templates = {kind: cache.template_digest(kind) for kind in ("pdf", "page")}
    units = []
    for statement in statements:
        source = cache.digest(project.digests.get(statement.id) or cache.digest(statement),
                              project.images_of(statement))
        langs = statement.languages
        for lang in langs:
            # A communiqué, card or page shows one translation: editing another language's
            # file re-renders none of them (only the bilingual edition shows them all); nor
            # does replacing an image it does not show.
            mine = cache.digest(one_language(statement, lang), project.images_of(statement, lang))
            units.append(Unit("pdf", statement, lang, cache.digest(
                "pdf", base, mine, lang, templates["pdf"], catalog[lang], logo, fonts)))
            units.append(Unit("card", statement, lang, cache.digest(
                "card", base, card_inputs(statement, lang), fonts)))
            units.append(Unit("page", statement, lang, cache.digest(
                "page", base, mine, lang, templates["page"], catalog[lang])))
        for edition in site.statement_editions(statement):
            units.append(Unit("bilingual", statement, MULTIPLE_LANGUAGES, cache.digest(
                "bilingual", base, source, edition, templates["pdf"], sorted(catalog.items()),
                logo, fonts), langs=edition))
    return units


def one_language(statement: Statement, lang: str) -> str:
    """The hash of what one language's communiqué and page are made of: the statement's own
    fields, the list of its languages (the alternates) and that translation (its file's text,
    from which everything else in it is derived, and its tags, which may come from
    ``statement.yaml``)."""
    translation = statement.translation(lang)
    assert translation is not None
    return cache.digest(
        statement.id, statement.date, statement.updated, statement.original, statement.draft,
        statement.embargo, statement.untranslated, statement.languages,
        lang, translation.tags, translation.source.encode("utf-8", "surrogatepass"),
    )


def card_inputs(statement: Statement, lang: str) -> tuple[object, ...]:
    """What a social card shows (see :mod:`syndicate.render.cards`): title, date, language."""
    translation = statement.translation(lang)
    assert translation is not None
    return (statement.id, statement.date, lang, translation.title)


def site_key(project: Project, units: tuple[Unit, ...]) -> str:
    """The hash of the site-wide outputs' inputs (indexes, root, sitemap, feeds): every unit."""
    return cache.digest(
        "site", cache.code_digest(), project.site, cache.template_digest("site"),
        sorted(cache.catalog_digest(t) for t in project.translations.values()),
        cache.keys_digest(u.key for u in units),
    )



def read_index(out: Path, current: Path | None) -> dict[str, Any]:
    """The cache index of the current version (empty when it is not for that version)."""
    if current is None:
        return {}
    index = cache.read_json(output.cache_path(output.absolute(out)))
    if (not isinstance(index, dict) or index.get("format") != cache.FORMAT
            or index.get("version") != current.name or not isinstance(index.get("units"), dict)):
        return {}
    return index


def reusable_units(index: Mapping[str, Any], current: Path | None,
                   units: tuple[Unit, ...]) -> dict[str, list[Entry]]:
    """The units whose files the current version has, unchanged (checked by size)."""
    found: dict[str, list[dict[str, object]]] = {}
    if current is None:
        return found
    stored = index.get("units", {})
    for unit in units:
        entries = stored.get(unit.key)
        if not isinstance(entries, list) or not entries:
            continue
        try:
            if all(os.stat(f"{current}/{e['path']}").st_size == e["size"] for e in entries):
                found[unit.key] = entries
        except (OSError, KeyError, TypeError):
            continue
    return found



def feed_keys(project: Project, statements: list[Statement],
               pdf_sizes: dict[str, int]) -> dict[str, str]:
    """The hash of each feed document's inputs (see :func:`feeds.document_inputs`)."""
    from syndicate.render import feeds

    # The catalogs: a corrected entry's content has the correction line in its language.
    base = cache.digest("feed", cache.code_digest(), project.site,
                        sorted((code, cache.catalog_digest(t))
                               for code, t in project.translations.items()))
    by_id = {s.id: s for s in statements}
    sources: dict[str, str] = {}

    def source(statement_id: str) -> str:
        if statement_id not in sources:
            statement = by_id[statement_id]
            sources[statement_id] = cache.digest(
                project.digests.get(statement_id) or cache.digest(statement),
                project.images_of(statement))
        return sources[statement_id]

    return {
        path: cache.digest(base, inputs, [source(statement_id) for statement_id in ids])
        for path, (inputs, ids) in feeds.document_inputs(project.site, statements,
                                                         pdf_sizes).items()
    }


def reusable_feeds(index: Mapping[str, Any], current: Path | None,
                   keys: dict[str, str]) -> dict[str, Entry]:
    """The feed documents of the current version whose inputs are unchanged: by path,
    their manifest entries."""
    found: dict[str, dict[str, object]] = {}
    stored = index.get("feeds")
    if current is None or not isinstance(stored, dict):
        return found
    for path, key in keys.items():
        record: Any = stored.get(path)
        try:
            entry = record["entry"]
            if (record["key"] == key and entry["path"] == path
                    and os.stat(current / path).st_size == entry["size"]):
                found[path] = dict(entry)
        except (OSError, KeyError, TypeError):
            continue
    return found


def _no_pending_feeds(current: Path) -> bool:
    """Whether the current publish's ``websub.json`` (if any) names no changed feed: else a
    publish without changes is still a new publish, one that changed no feed."""
    try:
        return not websub.load_changes(current).feeds
    except websub.PingError:
        return True


def manifest_files(current: Path | None) -> list[dict[str, Any]]:
    """The file entries of the current version's manifest (empty when it has none)."""
    if current is None:
        return []
    try:
        files = json.loads(read_regular(current / MANIFEST))["files"]
        if isinstance(files, list) and all(isinstance(f, dict) and "path" in f for f in files):
            return files
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return []
