"""A multilingual edition made of its communiqués' pages: each translation is laid out once.

An edition is each language's communiqué one after the other, page for page (each part opens
with its letterhead and numbers its own pages, as the communiqué does); WeasyPrint documents
combine page by page (``Document.copy``), so the edition takes the pages its communiqués were
laid out into, in the same worker, just before it (see :func:`syndicate.kinds.split`). Its
metadata is the edition's own (both titles, every issuer, every tag); its parts are tagged with
their languages and labelled by part (see :mod:`syndicate.render.pdf_finish`).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from syndicate.model import Artifact, Image, Site
from syndicate.render import preview

if TYPE_CHECKING:
    from weasyprint.document import Document


class Layouts:
    """The communiqués of the statement rendered last, laid out, by language: with the HTML and
    the image bytes they were laid out from, which must be the same to take them again."""

    def __init__(self) -> None:
        self._statement = ""
        self._kept: dict[str, tuple[tuple[str, tuple[str, ...]], Document]] = {}
        self._openings: dict[str, Document] = {}  # by PDF path: the layout of its first page
        self._previews: list[tuple[Document, bytes]] = []  # a layout's first page, as a PNG

    def find(self, statement_id: str, lang: str, html: str,
             images: Sequence[Image]) -> Document | None:
        kept = self._kept.get(lang) if statement_id == self._statement else None
        if kept is None or kept[0] != (html, _fingerprint(images)):
            return None
        return kept[1]

    def html(self, statement_id: str, lang: str) -> str:
        """The HTML the statement's communiqué in ``lang`` was laid out from (kept)."""
        assert statement_id == self._statement
        return self._kept[lang][0][0]

    def keep(self, statement_id: str, lang: str, html: str, images: Sequence[Image],
             document: Document) -> None:
        if statement_id != self._statement:  # (another statement's pages go)
            self._statement, self._kept, self._openings, self._previews = statement_id, {}, {}, []
        elif (replaced := self._kept.get(lang)) is not None:
            self._forget(replaced[1])
        self._kept[lang] = ((html, _fingerprint(images)), document)

    def _forget(self, document: Document) -> None:
        """A layout of the statement replaced by a new one (``serve`` lays the statement being
        edited out again at each save): what opened with it and its preview go too, else
        each save kept one more layout and its PNG."""
        self._openings = {path: kept for path, kept in self._openings.items()
                          if kept is not document}
        self._previews = [(kept, png) for kept, png in self._previews if kept is not document]

    def opens(self, path: str, document: Document) -> None:
        """The PDF just written at ``path`` opens with ``document``'s first page (a kept
        communiqué's layout)."""
        self._openings[path] = document

    def preview(self, pdf: Artifact, site: Site) -> Artifact:
        """The preview of ``pdf``, just written: a communiqué and the editions opening with it
        share their first page (the same layout), which is rasterized once."""
        opening = self._openings.get(pdf.path)
        made = next((png for document, png in self._previews if document is opening), None)
        artifact = preview.render(site, pdf, made)
        if opening is not None and made is None:
            self._previews.append((opening, artifact.data))
        return artifact


def _fingerprint(images: Sequence[Image]) -> tuple[str, ...]:
    return tuple(sorted(f"{image.lang}/{image.name}:{hashlib.sha256(image.data).hexdigest()}"
                        for image in images))


def assembled(parts: Sequence[Document], titles: Sequence[str]) -> Document:
    """One document of ``parts``' pages, in order, with the edition's metadata: the parts'
    ``titles`` joined, every issuer and every keyword once (its description, dates and
    language are the first part's)."""
    edition = parts[0].copy([page for part in parts for page in part.pages])
    metadata = edition.metadata = copy.copy(parts[0].metadata)
    metadata.title = " / ".join(titles)
    authors = dict.fromkeys(author for part in parts for author in part.metadata.authors)
    metadata.authors = [" / ".join(authors)] if authors else []
    metadata.keywords = list(dict.fromkeys(
        keyword for part in parts for keyword in part.metadata.keywords))
    return edition


def page_tags(parts: Sequence[Document], langs: Sequence[str], site: Site) -> list[str]:
    """The language tag of each page of the edition of ``parts`` (in ``langs``)."""
    return [site.language(lang).tag for lang, part in zip(langs, parts, strict=True)
            for _ in part.pages]
