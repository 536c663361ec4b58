"""``serve``'s live pages: a saved statement's web pages rendered at once, in memory, by the
renderers the server keeps warm, and served until the publish that follows writes them.

A publish of a change plans against the whole archive (its cost grows with it); a statement's
page depends on that statement alone (its words, its languages, its images: see
:meth:`syndicate.render.pages.PageRenderer.statement`), so it can be shown before. Only a
change the page can stand for alone takes this way: files changed inside the folders of
statements already published, each still published, without a problem or a warning, in the
same languages (a translation added or removed changes other pages). Anything else (the
configuration, the catalogs, a new statement, a draft, an error) waits for the publish, which
reports it. The pages are the publish's own bytes: the same renderers, the same units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from syndicate.assets import image_files
from syndicate.config import STATEMENTS_DIR
from syndicate.errors import ContentError
from syndicate.kinds import Renderers
from syndicate.model import Statement
from syndicate.project import Project
from syndicate.sources import load_one
from syndicate.units import Unit

Files = dict[str, bytes]  # output path -> bytes


def changed_statements(changed: Iterable[str]) -> set[str] | None:
    """The ids of the statement folders the ``changed`` files and folders (relative to the
    project, as :func:`serve.snapshot` names them) are in; None when one is anywhere else (a
    whole publish's change)."""
    statements = f"{STATEMENTS_DIR}/"
    found = set()
    for path in changed:
        statement_id, slash, _ = path.removeprefix(statements).partition("/")
        if not path.startswith(statements) or not slash:
            return None
        found.add(statement_id)
    return found


def render(project: Project, ids: set[str], now: datetime, renderers: Renderers) -> Files | None:
    """The pages (and share files, and shown images) of the statements ``ids`` as their
    folders now are, by output path; None when one cannot be shown before a publish (see the
    module's docstring)."""
    published = {s.id: s for s in project.due(now)[0]}
    files: Files = {}
    for statement_id in sorted(ids):
        before = published.get(statement_id)
        statement = load_one(project.root / STATEMENTS_DIR / statement_id, project.site)
        if before is None or statement is None or not _still_shown(before, statement, now):
            return None
        pages = _pages(project, statement, renderers)
        if pages is None:
            return None
        files.update(pages)
    return files


def _still_shown(before: Statement, statement: Statement, now: datetime) -> bool:
    """Whether ``statement`` is published, as it was, in the same languages."""
    return (not statement.draft and statement.goes_live <= now
            and statement.languages == before.languages)


def _pages(project: Project, statement: Statement, renderers: Renderers) -> Files | None:
    """The statement's pages, or None when an image cannot be read or published (the publish
    says which)."""
    found = image_files(project.root, [statement])
    if found.problems:
        return None
    now = replace(project, images={**project.images, **found.files})  # (its images as they are)
    files: Files = {}
    try:
        for lang in statement.languages:
            unit = now.with_images(Unit("page", statement, lang, ""))
            for artifact in renderers.render(unit):
                files[artifact.path] = artifact.data
    except ContentError:
        return None
    return files
