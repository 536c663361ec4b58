"""Orchestration: load everything, render everything, then write it all at once.

Nothing is written until every input has been read and validated and every output rendered;
the output is built in a staging folder beside ``dist/`` and switched in with renames, so a
failure at any point leaves the previous publish as it was.
"""

from __future__ import annotations

import gettext
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from syndicate import __version__
from syndicate.config import load_site
from syndicate.errors import OutputError, Problem
from syndicate.i18n import load_translations
from syndicate.model import Artifact, Site, Statement
from syndicate.sources import load_statements

LOCALES_DIR = "locales"
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    site: Site
    statements: tuple[Statement, ...]
    warnings: tuple[Problem, ...]
    translations: dict[str, gettext.NullTranslations]  # by language code

    def due(self, now: datetime) -> tuple[list[Statement], list[Statement]]:
        """(published, scheduled): a statement dated after ``now`` is in no output."""
        published = [s for s in self.statements if s.date <= now]
        scheduled = [s for s in self.statements if s.date > now]
        return published, scheduled


@dataclass(frozen=True, slots=True)
class Report:
    out: Path
    files: int
    published: int
    scheduled: int
    languages: int


def load(root: Path, base_url: str | None = None) -> Project:
    """Read and validate the whole project; raises ContentError listing every problem."""
    site = load_site(root)
    if base_url:
        site = site.with_base_url(base_url)
    loaded = load_statements(root, site)
    translations = {
        lang.code: load_translations(root / LOCALES_DIR, lang.locale) for lang in site.languages
    }
    return Project(root, site, loaded.statements, loaded.warnings, translations)


def render_all(project: Project, statements: list[Statement]) -> Iterator[Artifact]:
    """Every output of a publish, PDFs first (the feeds need their sizes)."""
    from syndicate.render import feeds, pages, share
    from syndicate.render.pdf import PdfRenderer  # imports WeasyPrint: only when rendering

    site = project.site
    pdfs = PdfRenderer(site, project.translations)
    page_renderer = pages.PageRenderer(site, project.translations)
    pdf_sizes: dict[str, int] = {}
    for statement in statements:
        for translation in statement.translations:
            pdf = pdfs.render(statement, translation.lang)
            pdf_sizes[pdf.path] = len(pdf.data)
            yield pdf
            snippets = share.render(site, statement, translation.lang)
            yield snippets
            yield page_renderer.statement(statement, translation.lang, json.loads(snippets.data))
    for language in site.languages:
        yield page_renderer.index(statements, language.code)
    yield from page_renderer.root()
    yield from feeds.render(site, statements, pdf_sizes)


def manifest(entries: Iterable[dict[str, object]]) -> bytes:
    document = {
        "generator": f"syndicate {__version__}",
        "files": sorted(entries, key=lambda e: str(e["path"])),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def check_output_folder(out: Path, project: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not ours."""
    resolved = out.resolve()
    if resolved in (
        Path("/"),
        Path.home().resolve(),
        project.resolve(),
    ) or project.resolve().is_relative_to(resolved):
        raise OutputError(f"refusing to publish into {out}: it holds the project or your files")
    if resolved.exists():
        if not resolved.is_dir():
            raise OutputError(f"{out} exists and is not a folder")
        if any(resolved.iterdir()) and not (resolved / MANIFEST).is_file():
            raise OutputError(
                f"refusing to replace {out}: it is not empty and has no "
                f"{MANIFEST}, so syndicate did not create it"
            )


def write(artifacts: Iterable[Artifact], out: Path) -> int:
    """Write every artifact and the manifest into a staging folder, then switch it in."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    entries: list[dict[str, object]] = []
    try:
        for artifact in artifacts:
            target = staging / artifact.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(artifact.data)
            entries.append(
                {
                    "path": artifact.path,
                    "kind": artifact.kind,
                    "lang": artifact.lang,
                    "statement": artifact.statement,
                    "size": len(artifact.data),
                    "sha256": hashlib.sha256(artifact.data).hexdigest(),
                }
            )
        (staging / MANIFEST).write_bytes(manifest(entries))
        if out.exists():
            out.rename(retired)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not out.exists():
            retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return len(entries) + 1


def publish(project: Project, out: Path, now: datetime) -> Report:
    check_output_folder(out, project.root)
    published, scheduled = project.due(now)
    count = write(render_all(project, published), out)
    languages = len({t.lang for s in published for t in s.translations})
    return Report(out, count, len(published), len(scheduled), languages)
