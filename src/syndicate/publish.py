"""Orchestration: load everything, render everything, then write it all at once.

Nothing is written until every input has been read and validated and every output rendered;
the output is built in a staging folder beside ``dist/`` and switched in with one atomic rename
(see :mod:`syndicate.output`), so a failure or a kill at any point leaves the previous publish.
"""

from __future__ import annotations

import gettext
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from syndicate import __version__, catalogs, output, websub
from syndicate.assets import load_logo
from syndicate.config import load_site
from syndicate.errors import ContentError, Problem
from syndicate.i18n import load_translations
from syndicate.model import Artifact, Site, Statement
from syndicate.sources import STATEMENTS_DIR, load_statements
from syndicate.workflow import stale_warnings

LOCALES_DIR = "locales"
MANIFEST = output.MANIFEST


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    site: Site
    statements: tuple[Statement, ...]
    warnings: tuple[Problem, ...]
    translations: dict[str, gettext.NullTranslations]  # by language code
    logo: bytes | None = None  # the issuer's SVG for the communiqués ([pdf] logo)

    def statement(self, statement_id: str) -> Statement:
        for statement in self.statements:
            if statement.id == statement_id:
                return statement
        raise ContentError([Problem(str(self.root / STATEMENTS_DIR / statement_id), None,
                                    f"no statement {statement_id!r}")])

    def due(self, now: datetime) -> tuple[list[Statement], list[Statement]]:
        """(published, scheduled): a statement dated or embargoed after ``now``, or a draft,
        is in no output."""
        published = [s for s in self.statements if not s.draft and s.goes_live <= now]
        scheduled = [s for s in self.statements if not s.draft and s.goes_live > now]
        return published, scheduled


@dataclass(frozen=True, slots=True)
class Report:
    out: Path
    files: int
    published: int
    scheduled: int
    languages: int


def load(root: Path, base_url: str | None = None, pdf_variant: str | None = None) -> Project:
    """Read and validate the whole project; raises ContentError listing every problem."""
    site = load_site(root)
    if base_url:
        site = site.with_base_url(base_url)
    if pdf_variant:
        site = replace(site, pdf_variant=pdf_variant)
    logo = load_logo(root, site)
    loaded = load_statements(root, site)
    warnings = (
        *loaded.warnings,
        *stale_warnings(root, loaded.statements),
        *catalogs.problems(root / LOCALES_DIR, site),
    )
    translations = {
        lang.code: load_translations(root / LOCALES_DIR, lang.locale) for lang in site.languages
    }
    return Project(root, site, loaded.statements, warnings, translations, logo)


def render_all(project: Project, statements: list[Statement]) -> Iterator[Artifact]:
    """Every output of a publish, PDFs first (the feeds need their sizes)."""
    from syndicate.render import feeds, pages, preview, share, sitemap
    from syndicate.render.cards import CardRenderer
    from syndicate.render.pdf import PdfRenderer  # imports WeasyPrint: only when rendering

    site = project.site
    pdfs = PdfRenderer(site, project.translations, project.logo)
    cards = CardRenderer(site)
    page_renderer = pages.PageRenderer(site, project.translations)
    pdf_sizes: dict[str, int] = {}
    for statement in statements:
        for translation in statement.translations:
            pdf = pdfs.render(statement, translation.lang)
            pdf_sizes[pdf.path] = len(pdf.data)
            yield pdf
            yield preview.render(site, pdf)
            yield cards.render(statement, translation.lang)
            snippets = share.render(site, statement, translation.lang)
            yield snippets
            yield page_renderer.statement(statement, translation.lang, json.loads(snippets.data))
        if len(statement.translations) > 1:  # the bilingual edition, kind pdf, lang "mul"
            bilingual = pdfs.render_bilingual(statement)
            yield bilingual
            yield preview.render(site, bilingual)
    for language in site.languages:
        yield page_renderer.index(statements, language.code)
    yield from page_renderer.root()
    yield sitemap.render(site, statements)
    yield from feeds.render(site, statements, pdf_sizes)


def manifest(entries: Iterable[dict[str, object]]) -> bytes:
    document = {
        "generator": f"syndicate {__version__}",
        "files": sorted(entries, key=lambda e: str(e["path"])),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def check_output_folder(out: Path, project: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not ours."""
    output.check_output_folder(out, project)


def write(artifacts: Iterable[Artifact], out: Path) -> int:
    """Write every artifact and the manifest as a new version, then switch ``out`` to it."""
    return output.write(artifacts, out, manifest)


def publish(project: Project, out: Path, now: datetime) -> Report:
    check_output_folder(out, project.root)
    published, scheduled = project.due(now)
    with output.publisher_lock(out):
        check_output_folder(out, project.root)  # again, now that no other publish runs
        previous = websub.feed_checksums(out)
        count = write(websub.record_changes(project.site, render_all(project, published),
                                            previous), out)
    languages = len({t.lang for s in published for t in s.translations})
    return Report(out, count, len(published), len(scheduled), languages)
