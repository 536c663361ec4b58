"""The load stage: read and validate the whole project into one frozen :class:`Project`.

Every problem of every file is found in one run (see :mod:`syndicate.sources`); statements
whose files are unchanged since the last load come from the statement cache; the interface
catalogs are compiled once, here, for this process and for the workers.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate import catalogs
from syndicate.assets import image_files, load_logo, read_images
from syndicate.cache import CACHE_DIR, Known, StatementCache, context_digest
from syndicate.config import LOCALES_DIR, OUTPUT_DIR, STATEMENTS_DIR, publishing_site
from syndicate.errors import ContentError, Problem
from syndicate.i18n import translations_from
from syndicate.model import ImageFile, Site, Statement
from syndicate.sources import load_statements
from syndicate.units import Context, Unit, compiled_catalogs
from syndicate.workflow import stale_warnings

if TYPE_CHECKING:
    from syndicate.inputs import Record
    from syndicate.read_ahead import ReadAhead


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    site: Site
    statements: tuple[Statement, ...]
    warnings: tuple[Problem, ...]
    translations: dict[str, gettext.NullTranslations]  # by language code
    # the same interface words compiled to .mo bytes (None: none), as workers receive them
    catalogs: Mapping[str, bytes | None]
    logo: bytes | None = None  # the issuer's SVG for the communiqués ([pdf] logo)
    # statement id -> hash of everything it was loaded from (when loaded through the cache)
    digests: Mapping[str, str] = field(default_factory=dict)
    # loaded with keep_going: the problems of the statements left out
    problems: tuple[Problem, ...] = ()
    # statement id -> the image files its translations show (see assets.referenced_images)
    images: Mapping[str, tuple[ImageFile, ...]] = field(default_factory=dict)
    # the folders of drafts left out for their problems (reported as warnings)
    broken_drafts: tuple[str, ...] = ()
    cache_context: str = ""  # what the digests are valid for (see cache.Known)
    # statement id -> the hashes of what its outputs are made of that is its own (see
    # keys.statement_parts), when kept with its statement cache entry
    parts: Mapping[str, str] = field(default_factory=dict)

    def images_of(self, statement: Statement, lang: str | None = None) -> list[ImageFile]:
        """The image files ``statement`` shows in ``lang`` (None: in every language)."""
        return [f for f in self.images.get(statement.id, ()) if lang in (None, f.lang)]

    def with_images(self, unit: Unit) -> Unit:
        """``unit`` carrying the bytes of the image files its output shows (read now, as they
        were hashed: a worker never reads the project)."""
        if unit.kind not in ("pdf", "page", "bilingual"):
            return unit
        files = self.images_of(unit.statement, None if unit.kind == "bilingual" else unit.lang)
        if not files:
            return unit
        return unit._replace(images=read_images(self.root, unit.statement.id, files))

    def context(self) -> Context:
        """What every process that renders this project needs once."""
        return Context(self.site, self.catalogs, self.logo)

    def statement(self, statement_id: str) -> Statement:
        for statement in self.statements:
            if statement.id == statement_id:
                return statement
        raise ContentError([Problem(str(self.root / STATEMENTS_DIR / statement_id), None,
                                    f"no statement {statement_id!r}")])

    def due(self, now: datetime) -> tuple[list[Statement], list[Statement]]:
        """(published, scheduled): a statement dated or embargoed after ``now``, or a draft,
        is in no output."""
        published: list[Statement] = []
        scheduled: list[Statement] = []
        for statement in self.statements:  # (one pass: an archive has tens of thousands)
            if not statement.draft:
                (published if statement.goes_live <= now else scheduled).append(statement)
        return published, scheduled


def load(root: Path, base_url: str | None = None, pdf_variant: str | None = None,
         cache: bool | Known = False, jobs: int | None = None,
         keep_going: bool = False, ahead: ReadAhead | None = None) -> Project:
    """Read and validate the whole project; raises ContentError listing every problem (with
    ``keep_going``, a statement's problems leave it out, in :attr:`Project.problems`).

    With ``cache``, statements whose files are unchanged since the last load are taken from
    ``.syndicate-cache/`` instead of being parsed again (see :mod:`syndicate.cache`). A
    publish's load gives a :class:`~syndicate.cache.Known` (which folders are unchanged, known
    without reading their files) and drops the entries it did not use; other loads (check,
    status, serve: maybe with other options, maybe while a publish runs) leave them. Many
    statements to parse are parsed in up to ``jobs`` processes (default: one per core).
    ``ahead``: the statement pack read already (see :mod:`syndicate.read_ahead`).
    """
    site = publishing_site(root, base_url, pdf_variant)
    logo = load_logo(root, site)
    statement_cache = (None if cache is False
                       else StatementCache(root, None if cache is True else cache, ahead))
    catalog_problems = list(catalogs.problems(root / LOCALES_DIR, site))
    wrong = [problem for problem in catalog_problems if not problem.warning]  # every statement's
    try:
        try:
            loaded = load_statements(root, site, statement_cache, jobs, keep_going)
        except ContentError as exc:
            raise ContentError([*exc.problems, *wrong]) from None
        if wrong:
            raise ContentError(wrong)
        if statement_cache is not None and isinstance(cache, Known) and cache.publishing:
            statement_cache.save()
    finally:
        if statement_cache is not None:
            statement_cache.close()  # (its pack: the words are read from the entries)
    warnings = drafts_never_block(root, loaded.statements, (
        *loaded.warnings,
        *stale_warnings(root, loaded.statements,
                        statement_cache.out_of_step if statement_cache is not None else None),
        *(problem for problem in catalog_problems if problem.warning),
    ))
    compiled = compiled_catalogs(root / LOCALES_DIR, site)
    translations = {code: translations_from(data) for code, data in compiled.items()}
    digests = statement_cache.digests if statement_cache is not None else {}
    images = image_files(root, loaded.statements)  # (check has read them; a cached
    # statement's images in a subfolder may have changed since)
    broken = [problem for found in images.problems.values() for problem in found]
    if broken and not keep_going:
        raise ContentError(broken)
    statements = tuple(s for s in loaded.statements if s.id not in images.problems)
    return Project(root, site, statements, warnings, translations, compiled, logo, digests,
                   (*loaded.problems, *broken), images.files, loaded.broken_drafts,
                   context_digest(site) if statement_cache is not None else "",
                   statement_cache.parts if statement_cache is not None else {})


def drafts_never_block(root: Path, statements: Iterable[Statement],
                       warnings: Iterable[Problem]) -> tuple[Problem, ...]:
    """``warnings``, those about a draft's files marked as a draft's (--strict lets them pass:
    a draft is published nowhere)."""
    drafts = [root / STATEMENTS_DIR / s.id for s in statements if s.draft]
    return tuple(
        w.in_draft() if any(Path(w.path).is_relative_to(folder) for folder in drafts) else w
        for w in warnings
    )


def load_since_publish(root: Path) -> Project:
    """:func:`load` for a command that is not a publish (check, status): the statement folders
    unchanged since the last publish into ``dist`` known by a stat of each file instead of a
    read, in another process while this one reads the statement pack ahead of the load (see
    :mod:`syndicate.read_ahead`)."""
    from syndicate import inputs
    from syndicate.read_ahead import while_scanning

    recorded = inputs.recorded(root / OUTPUT_DIR)
    if recorded is None or recorded.context != context_digest(publishing_site(root)):
        return load(root, cache=Known(publishing=False))  # (never published, or otherwise)
    with while_scanning(partial(_known, root, recorded), root, None, None) as (known, ahead, _):
        return load(root, cache=replace(known, publishing=False), ahead=ahead)


def _known(root: Path, recorded: Record) -> Known:
    from syndicate import inputs

    return inputs.known(inputs.listing(root, last=recorded), recorded)


def check(root: Path) -> Project:
    """:func:`load`, and what only rendering would find otherwise: a character no installed
    font can draw (the same problem publish's PDF renderer reports)."""
    from syndicate import fonts
    from syndicate.render.pdf_sandbox import missing_glyph_problems

    project = load_since_publish(root)
    coverage = fonts.installed()
    if coverage is None:
        return project
    covered = fonts.CoveredTexts(root / CACHE_DIR, coverage)  # (their words are not read)
    problems = []
    for statement in project.statements:
        for translation in statement.translations:
            if covered.holds(translation.source_sha256):
                continue
            if missing := coverage.missing(translation.source):
                problems.extend(missing_glyph_problems(statement, [translation], missing))
            else:
                covered.add(translation.source_sha256)
    covered.save()
    if problems:
        raise ContentError(problems)
    return project
