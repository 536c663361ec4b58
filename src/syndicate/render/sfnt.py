"""The one volatile field of an embedded font file (TrueType/OpenType, "sfnt"): ``head.modified``.

WeasyPrint re-saves a colour emoji font with fontTools to drop its bitmaps (Noto Color Emoji's
PNG glyphs are drawn as images instead), and fontTools stamps the saved font's ``head.modified``
with the clock: each publish then embeds a different font, so the PDF's bytes and the content
hash in its trailer ``/ID`` differ. :func:`pin_modified` sets ``head.modified`` to
``head.created`` (a date of the font itself), and recomputes the two checksums that cover it, so
the same input gives the same font bytes, whichever font and whenever.
"""

from __future__ import annotations

import struct

_DIRECTORY = 12  # sfnt header: version, numTables, searchRange, entrySelector, rangeShift
_RECORD = 16  # table record: tag, checksum, offset, length
_ADJUSTMENT, _CREATED, _MODIFIED = 8, 20, 28  # offsets in the head table
_HEAD_LENGTH = 54
_MAGIC = 0xB1B0AFBA


def checksum(data: bytes) -> int:
    """The OpenType checksum: the sum of big-endian 32-bit words, zero-padded, modulo 2**32.

    >>> hex(checksum(b"\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x02\\x01"))
    '0x1000003'
    """
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}L", padded)
    return sum(words) & 0xFFFFFFFF


def _head_record(font: bytes) -> int | None:
    """The offset of the ``head`` table's record in the table directory, or None."""
    if len(font) < _DIRECTORY:
        return None
    (tables,) = struct.unpack_from(">H", font, 4)
    for index in range(tables):
        record = _DIRECTORY + index * _RECORD
        if record + _RECORD > len(font):
            return None
        if font[record:record + 4] == b"head":
            return record
    return None


def pin_modified(font: bytes) -> bytes:
    """``font`` with ``head.modified`` equal to ``head.created`` and its checksums made right
    again (``font`` itself when it has nothing to change or is not an sfnt it can read)."""
    record = _head_record(font)
    if record is None:
        return font
    offset, length = struct.unpack_from(">LL", font, record + 8)
    if length < _HEAD_LENGTH or offset + length > len(font):
        return font
    created = font[offset + _CREATED:offset + _CREATED + 8]
    if font[offset + _MODIFIED:offset + _MODIFIED + 8] == created:
        return font
    data = bytearray(font)
    data[offset + _MODIFIED:offset + _MODIFIED + 8] = created
    struct.pack_into(">L", data, offset + _ADJUSTMENT, 0)
    head = bytes(data[offset:offset + length])
    struct.pack_into(">L", data, record + 4, checksum(head))
    adjustment = (_MAGIC - checksum(bytes(data))) & 0xFFFFFFFF
    struct.pack_into(">L", data, offset + _ADJUSTMENT, adjustment)
    return bytes(data)
