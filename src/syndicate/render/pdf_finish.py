"""What is done to WeasyPrint's PDF objects before they are written (its ``finisher`` hook):
attachments listed once, reproducible font files, table header scopes, line-break hyphens that
extract as soft hyphens, and each part of a multilingual edition tagged with its language."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from syndicate.render import sfnt

if TYPE_CHECKING:
    import pydyf
    from weasyprint.document import Document

Finisher = Callable[["Document", "pydyf.PDF"], None]


def finisher(page_tags: Sequence[str], soft_hyphens: bool) -> Finisher:
    """What is done to a document's PDF before it is written; ``page_tags``: a multilingual
    edition's language tag of each page (empty for a communiqué)."""

    def finish(document: Document, pdf: pydyf.PDF) -> None:
        _deduplicate_associated_files(pdf)
        _pin_font_timestamps(pdf)
        _scope_header_cells(pdf)
        if soft_hyphens:
            _line_break_hyphens_as_soft_hyphens(pdf)
        if page_tags:
            _tag_parts_with_languages(pdf, page_tags)
            _label_pages_by_part(pdf, page_tags)

    return finish


def _reference(reference: bytes | str) -> int:
    """The object number of a pydyf reference (``b"12 0 R"``)."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return int(text.split()[0])


def _pin_font_timestamps(pdf: pydyf.PDF) -> None:
    """Make each embedded font file reproducible (see :mod:`syndicate.render.sfnt`): WeasyPrint
    70 re-saves colour emoji fonts with the clock in ``head.modified``."""
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/FontDescriptor":
            for key in ("FontFile2", "FontFile3"):
                if key in obj:
                    stream = pdf.objects[_reference(obj[key])]
                    stream.stream[:] = [sfnt.pin_modified(b"".join(stream.stream))]


def _scope_header_cells(pdf: pydyf.PDF) -> None:
    """Give each table header cell (``TH``) the ``/Scope /Column`` PDF/UA asks for.

    WeasyPrint 70 associates data cells with their column's header cells (``/Headers``) but
    writes no scope; a statement's tables come from Markdown, whose header cells are its first
    row, so each heads a column.
    """
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("S") == "/TH" and isinstance(obj.get("A"), dict):
            obj["A"]["Scope"] = "/Column"


# A ToUnicode entry mapping a glyph to U+2010 (HYPHEN), as WeasyPrint 70 writes it.
_HYPHEN_ENTRY = re.compile(rb"^(<[0-9a-f]{4}>) <2010>$")


def _line_break_hyphens_as_soft_hyphens(pdf: pydyf.PDF) -> None:
    """Have the hyphen WeasyPrint draws at a hyphenated line break extract as a soft hyphen.

    WeasyPrint draws its ``hyphenate-character`` (U+2010) and its fonts' ToUnicode maps say so:
    search, copy and screen readers then meet words cut in two ("Gener‐ al"). Tagged PDF
    marks such a hyphen as U+00AD, which readers drop when they join the lines; the glyph drawn
    is unchanged. Only called for a document whose own text holds no U+2010 (a glyph maps to one
    character, and that character would then be a real hyphen too).
    """
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Subtype") == "/Type0" and "ToUnicode" in obj:
            stream = pdf.objects[_reference(obj["ToUnicode"])]
            stream.stream[:] = [_HYPHEN_ENTRY.sub(rb"\1 <00ad>", line) for line in stream.stream]


def _deduplicate_associated_files(pdf: pydyf.PDF) -> None:
    """Work around WeasyPrint 70 listing each attachment twice in the catalog's ``/AF``.

    Its PDF/A-3 step adds every file specification once from the ``EmbeddedFiles`` name tree and
    once more from the object list; an archive validator expects each associated file once.
    """
    if "AF" in pdf.catalog:
        unique = dict.fromkeys(pdf.catalog["AF"])
        pdf.catalog["AF"].clear()
        pdf.catalog["AF"].extend(unique)


def _tag_parts_with_languages(pdf: pydyf.PDF, page_tags: Sequence[str]) -> None:
    """Give each part's structure elements the part's ``/Lang``: WeasyPrint 70 writes
    ``/Lang`` only on the catalog (the first part's), not for elements with their own
    ``lang``, so the top-level structure elements of each page get its part's language."""
    from pydyf import String

    def ref(reference: bytes | str) -> str:
        return reference.decode() if isinstance(reference, bytes) else str(reference)

    by_page = {ref(reference): tag
               for reference, tag in zip(pdf.page_references, page_tags, strict=True)}
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("S") == "/Document" and "K" in obj:
            for kid in obj["K"]:
                element = pdf.objects[int(ref(kid).split()[0])]
                tag = by_page.get(ref(element.get("Pg", "")))
                if tag:
                    element["Lang"] = String(tag)


def _label_pages_by_part(pdf: pydyf.PDF, page_tags: Sequence[str]) -> None:
    """Page labels that start again with each part, as its footer does ("pt-PT 1", "en 1"):
    a reader's page box agrees with the page it shows."""
    from pydyf import Array, Dictionary, String

    numbers = Array()
    for index, tag in enumerate(page_tags):
        if index == 0 or page_tags[index - 1] != tag:
            numbers.extend([index, Dictionary({"S": "/D", "P": String(f"{tag} ")})])
    pdf.catalog["PageLabels"] = Dictionary({"Nums": numbers})
