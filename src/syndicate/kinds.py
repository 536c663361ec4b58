"""The renderer registry: what each kind of unit is made of and how it renders.

Every kind of output a statement has is one entry of :data:`KINDS`: whether WeasyPrint lays it
out (then it goes to worker processes: each statement's documents together, its communiqués
then its editions, which are made of their pages; the cards, the shortest, last, so that the
workers finish together; see :func:`split`) and the function that renders it from a process's
:class:`Renderers`. Pages
and share files render in the publishing process (Jinja and the share snippets: no WeasyPrint,
no PDFium). The inputs of each kind's cache key are declared in :mod:`syndicate.plan`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from syndicate.errors import ContentError, Problem
from syndicate.model import Artifact, Image, Site
from syndicate.units import Context, Outcome, Unit

if TYPE_CHECKING:
    from syndicate.render.cards import CardRenderer
    from syndicate.render.pages import PageRenderer
    from syndicate.render.pdf import PdfRenderer

MEMO_IMAGES = 16  # sanitized images a process keeps


class Renderers:
    """One process's renderers, built on first use and kept warm (one WeasyPrint
    ``FontConfiguration``, one set of Jinja environments for every unit it is given)."""

    def __init__(self, context: Context) -> None:
        self.site = context.site
        self.logo = context.logo
        self.translations = context.translations()
        self._pdf: PdfRenderer | None = None
        self._cards: CardRenderer | None = None
        self._pages: PageRenderer | None = None
        # The latest images made safe to publish, by (name, hash of the file): the pages, the
        # communiqués and the bilingual edition of a statement often show the same one.
        self._images: dict[tuple[str, bytes], bytes] = {}

    def render(self, unit: Unit) -> list[Artifact]:
        """The files of ``unit``; raises ContentError for what cannot be published."""
        images = sanitized(unit.statement.id, unit.images, self._images)
        return KINDS[unit.kind].render(self, unit, images)

    def pdf(self) -> PdfRenderer:
        if self._pdf is None:
            from syndicate.render.pdf import PdfRenderer

            self._pdf = PdfRenderer(self.site, self.translations, self.logo)
        return self._pdf

    def cards(self) -> CardRenderer:
        if self._cards is None:
            from syndicate.render.cards import CardRenderer

            self._cards = CardRenderer(self.site)
        return self._cards

    def pages(self) -> PageRenderer:
        if self._pages is None:
            from syndicate.render.pages import PageRenderer

            self._pages = PageRenderer(self.site, self.translations)
        return self._pages


def sanitized(statement_id: str, images: Sequence[Image],
              memo: dict[tuple[str, bytes], bytes]) -> tuple[Image, ...]:
    """``images`` as they are published (see :mod:`syndicate.images`), taken from ``memo`` if
    made before; raises ContentError naming the file for one that cannot be (check refuses it
    first: the file changed since)."""
    from syndicate.config import STATEMENTS_DIR
    from syndicate.images import ImageError, sanitize

    published = []
    problems = []
    for image in images:
        key = (image.name, hashlib.sha256(image.data).digest())
        try:
            if key not in memo:
                if len(memo) >= MEMO_IMAGES:
                    memo.clear()
                memo[key] = sanitize(image.name, image.data)
            published.append(Image(image.lang, image.name, memo[key]))
        except ImageError as exc:
            problems.append(Problem(f"{STATEMENTS_DIR}/{statement_id}/{image.name}", None,
                                    str(exc)))
    if problems:
        raise ContentError(problems)
    return tuple(published)


def _communique(renderers: Renderers, unit: Unit, images: tuple[Image, ...]) -> list[Artifact]:
    pdf = renderers.pdf().render(unit.statement, unit.lang, images)
    return [pdf, renderers.pdf().preview(pdf)]


def _edition(renderers: Renderers, unit: Unit, images: tuple[Image, ...]) -> list[Artifact]:
    pdf = renderers.pdf().render_bilingual(unit.statement, unit.langs, images)
    return [pdf, renderers.pdf().preview(pdf)]


def _document_paths(site: Site, pdf: str) -> list[str]:
    return [pdf, site.preview_path(pdf)]


def _card(renderers: Renderers, unit: Unit, images: tuple[Image, ...]) -> list[Artifact]:
    return [renderers.cards().render(unit.statement, unit.lang)]


def _page(renderers: Renderers, unit: Unit, images: tuple[Image, ...]) -> list[Artifact]:
    """The page, its share file, and the images it shows."""
    from syndicate.render import share

    site, statement, lang = renderers.site, unit.statement, unit.lang
    snippets = share.render(site, statement, lang)
    page = renderers.pages().statement(statement, lang, json.loads(snippets.data))
    return [snippets, page, *(
        Artifact(site.image_path(statement.id, image.lang, image.name), "image", image.lang,
                 statement.id, image.data) for image in images)]


@dataclass(frozen=True, slots=True)
class OutputKind:
    heavy: bool  # laid out by WeasyPrint: rendered by worker processes when there are some
    render: Callable[[Renderers, Unit, tuple[Image, ...]], list[Artifact]]
    # the paths of its files (a page's images aside: they depend on its text)
    paths: Callable[[Site, Unit], list[str]]


# The heavy kinds in the order workers get them (see the module's docstring).
KINDS: dict[str, OutputKind] = {
    "pdf": OutputKind(True, _communique, lambda site, unit: _document_paths(
        site, site.pdf_path(unit.statement.id, unit.lang))),
    "bilingual": OutputKind(True, _edition, lambda site, unit: _document_paths(
        site, site.edition_path(unit.statement.id, unit.langs))),
    "card": OutputKind(True, _card, lambda site, unit: [
        site.card_path(unit.statement.id, unit.lang)]),
    "page": OutputKind(False, _page, lambda site, unit: [
        site.share_path(unit.statement.id, unit.lang),
        site.page_path(unit.statement.id, unit.lang)]),
}
DOCUMENTS = ("pdf", "bilingual")  # laid out by the PDF renderer
HEAVY_ORDER = {kind: order for order, kind in enumerate(k for k in KINDS if KINDS[k].heavy)}


def split(units: Sequence[Unit]) -> tuple[list[Unit], list[Unit]]:
    """(the heavy units, in the order workers get them; the rest in the given order). Each
    statement's documents come together, its communiqués before its multilingual editions
    (made of the communiqués' pages, laid out once: see :mod:`syndicate.render.pdf_edition`),
    and the cards last."""
    heavy = [unit for unit in units if KINDS[unit.kind].heavy]
    first: dict[str, int] = {}
    for unit in heavy:
        first.setdefault(unit.statement.id, len(first))
    return (sorted(heavy, key=lambda unit: (unit.kind == "card", first[unit.statement.id],
                                            HEAVY_ORDER[unit.kind])),
            [unit for unit in units if not KINDS[unit.kind].heavy])


def together(heavy: Sequence[Unit]) -> list[list[Unit]]:
    """``heavy`` (in :func:`split`'s order) in the batches one worker takes at once: each
    statement's documents (its editions take its communiqués' pages), every card alone."""
    batches: list[list[Unit]] = []
    for unit in heavy:
        previous = batches[-1][-1] if batches else None
        if (previous is not None and unit.kind in DOCUMENTS and previous.kind in DOCUMENTS
                and previous.statement.id == unit.statement.id):
            batches[-1].append(unit)
        else:
            batches.append([unit])
    return batches


def render(renderers: Renderers, unit: Unit,
           write: Callable[[Artifact], None] | None) -> Outcome:
    """Render ``unit``: its files written with ``write`` (their manifest entries in the
    outcome), or, without, their bytes in the outcome; its problems, never a traceback."""
    outcome = Outcome(unit.name)
    try:
        artifacts = renderers.render(unit)
    except ContentError as exc:  # e.g. a character no font has: reported, never a traceback
        outcome.problems = list(exc.problems)
        return outcome
    for artifact in artifacts:
        if write is None:
            outcome.artifacts.append(artifact)
        else:
            write(artifact)
            outcome.entries.append(artifact.manifest_entry())
    return outcome
