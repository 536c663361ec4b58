"""First-page previews: a PNG of a PDF's first page, for web pages and social cards.

Rasterized with pypdfium2 (PDFium, the engine of Chrome's PDF viewer, shipped as wheels: no
system package needed) and encoded by Pillow, which writes no date or software chunk into a PNG,
so the same PDF gives the same bytes. PDFium is not thread-safe: render previews from one thread.
"""

from __future__ import annotations

import io

from syndicate.model import Artifact, Site

WIDTH = 900  # pixels; an A4 page becomes 900 x 1273


def first_page_png(pdf: bytes, width: int = WIDTH) -> bytes:
    """The first page of ``pdf`` as a PNG ``width`` pixels wide (white background, RGB)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        try:
            bitmap = page.render(scale=width / page.get_width(), may_draw_forms=False)
            try:
                image = bitmap.to_pil().convert("RGB")
            finally:
                bitmap.close()
        finally:
            page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # optimize=True: 4-5x slower for 1.4% smaller
    return buffer.getvalue()


def render(site: Site, pdf: Artifact) -> Artifact:
    """The preview of a PDF artifact, beside it (``<name>.png``), kind ``png``."""
    return Artifact(
        path=site.preview_path(pdf.path),
        kind="png",
        lang=pdf.lang,
        statement=pdf.statement,
        data=first_page_png(pdf.data),
    )
