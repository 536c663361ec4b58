"""First-page previews: a PNG of a PDF's first page, the thumbnail of the page's PDF link.

Rasterized with pypdfium2 (PDFium, the engine of Chrome's PDF viewer, shipped as wheels: no
system package needed) and encoded by Pillow, which writes no date or software chunk into a PNG,
so the same PDF gives the same bytes. PDFium is not thread-safe: render previews from one thread.

Previews and social cards are written as 8-bit palette PNGs: a communiqué or a card is text on a
flat background, which 256 colours chosen by Pillow's fast octree hold without visible loss (no
dithering, near-white snapped back to white). Against 24-bit PNGs that is several times fewer
bytes to download and less time to encode (figures: ``benchmarks/notes.md``).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from syndicate.model import Artifact, Site

if TYPE_CHECKING:
    from PIL.Image import Image

WIDTH = 480  # pixels: the page shows it 240 CSS pixels wide, sharp on a 2x screen

# CSS named page sizes (CSS Paged Media 3) in millimetres, portrait, for the preview's height.
_MM_PER_INCH = 25.4
_PAGE_SIZES_MM = {
    "a5": (148.0, 210.0),
    "a4": (210.0, 297.0),
    "a3": (297.0, 420.0),
    "b5": (176.0, 250.0),
    "b4": (250.0, 353.0),
    "jis-b5": (182.0, 257.0),
    "jis-b4": (257.0, 364.0),
    "letter": (8.5 * _MM_PER_INCH, 11 * _MM_PER_INCH),
    "legal": (8.5 * _MM_PER_INCH, 14 * _MM_PER_INCH),
    "ledger": (11 * _MM_PER_INCH, 17 * _MM_PER_INCH),
}
_WHITE_ENOUGH = 253  # palette entries this close to white become white
_PALETTE_SAMPLE = 3  # the palette is chosen on the image reduced this many times


def page_aspect(page_size: str) -> float:
    """Height over width of a ``[pdf] page_size`` such as ``"A4"`` or ``"letter landscape"``.

    >>> round(page_aspect("A4"), 4), round(page_aspect("letter landscape"), 4)
    (1.4143, 0.7727)
    """
    name, _, orientation = page_size.lower().partition(" ")
    width, height = _PAGE_SIZES_MM[name]
    if orientation == "landscape":
        width, height = height, width
    return height / width


def size(page_size: str, width: int = WIDTH) -> tuple[int, int]:
    """The preview's size in pixels for a page size.

    >>> size("A4"), size("letter")
    ((480, 679), (480, 621))
    """
    return width, round(width * page_aspect(page_size))


def palette_png(image: Image) -> bytes:
    """``image`` (a Pillow RGB image) as an 8-bit palette PNG: 256 colours, no dithering."""
    from PIL import Image

    # The palette is chosen on a copy a third the size (each pixel the mean of 3x3), then every
    # pixel takes its nearest entry: choosing costs most, and text on a flat background has the
    # same colours at any size. Quicker than choosing on the whole image, for the same mean
    # error and hardly a pixel moved further (figures: benchmarks/notes.md).
    palette = image.reduce(_PALETTE_SAMPLE).quantize(
        colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    indexed = image.quantize(palette=palette, dither=Image.Dither.NONE)
    colours = indexed.getpalette() or []
    if colours:
        snapped: list[int] = []
        for rgb in zip(colours[0::3], colours[1::3], colours[2::3], strict=True):
            snapped.extend((255, 255, 255) if min(rgb) >= _WHITE_ENOUGH else rgb)
        indexed.putpalette(snapped)
    buffer = io.BytesIO()
    # zlib level 1: less time than the default 6 for somewhat more bytes; optimize=True is
    # much slower (figures: benchmarks/notes.md).
    indexed.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def first_page_png(pdf: bytes, target: tuple[int, int] | None = None) -> bytes:
    """The first page of ``pdf`` as a PNG of ``target`` pixels (default: 480 wide, its ratio)."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        try:
            width, height = target or (WIDTH, round(WIDTH * page.get_height() / page.get_width()))
            bitmap = page.render(scale=width / page.get_width(), may_draw_forms=False,
                                 rev_byteorder=True)  # RGB, as Pillow wants it: no conversion
            try:
                if bitmap.mode == "RGB" and bitmap.width >= width and bitmap.height >= height:
                    # The rasterizer rounds up by one: Pillow copies the target's rows and
                    # columns out of PDFium's buffer (it shares none in RGB), in one copy
                    # where to_pil() and crop() made two.
                    image = Image.frombuffer("RGB", (width, height), bitmap.buffer, "raw",
                                             "RGB", bitmap.stride, 1)
                else:  # a page whose size is not the site's: fit it
                    image = bitmap.to_pil().convert("RGB").resize((width, height))
            finally:
                bitmap.close()
        finally:
            page.close()
    finally:
        document.close()
    return palette_png(image)


def render(site: Site, pdf: Artifact, made: bytes | None = None) -> Artifact:
    """The preview of a PDF artifact, beside it (``<name>.png``), kind ``png``: ``made`` if
    given (the PNG of the very same first page, as another PDF opens with it)."""
    return Artifact(
        path=site.preview_path(pdf.path),
        kind="png",
        lang=pdf.lang,
        statement=pdf.statement,
        data=made if made is not None else first_page_png(pdf.data, size(site.page_size)),
    )

