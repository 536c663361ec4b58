"""Pinning an embedded font's ``head.modified`` (render.sfnt), read back with fontTools."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from syndicate.render.sfnt import pin_modified

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def stamped(modified: int) -> bytes:
    """DejaVu Sans saved by fontTools with ``head.modified`` set to ``modified``."""
    font = TTFont(DEJAVU, recalcTimestamp=False, lazy=False)
    font["head"].modified = modified
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs fonts-dejavu-core")
def test_two_fonts_saved_at_different_times_are_the_same_bytes_once_pinned() -> None:
    first, second = stamped(3_900_000_000), stamped(3_900_000_007)
    assert first != second
    assert pin_modified(first) == pin_modified(second)
    font = TTFont(io.BytesIO(pin_modified(first)), checkChecksums=2)  # raises on a bad checksum
    for tag in font.keys():
        font[tag]
    assert font["head"].modified == font["head"].created


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs fonts-dejavu-core")
def test_a_pinned_font_is_left_as_it_is() -> None:
    pinned = pin_modified(stamped(3_900_000_000))
    assert pin_modified(pinned) is pinned


TRUNCATED = b"\0\1\0\0\0\1" + b"\0" * 6 + b"head" + b"\xff" * 12  # head's table lies past the end


@pytest.mark.parametrize("data", [b"", b"OTTO", TRUNCATED])
def test_what_is_not_a_readable_font_is_returned_unchanged(data: bytes) -> None:
    assert pin_modified(data) is data
