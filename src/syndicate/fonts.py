"""Which characters the installed fonts can draw, as fontconfig (which WeasyPrint's Pango asks
for every character, falling back through all installed fonts) knows them.

``check`` uses it to report, without rendering, a character no font has; publish's PDF renderer
remains the authority (it listens for the ``.notdef`` glyphs WeasyPrint draws, see
:mod:`syndicate.render.pdf`) and reports the same message.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Characters Pango never asks a font for, so that no ``.notdef`` is drawn (found by publishing
# each): controls, format characters (bidi marks, joiners) but the shorthand format controls,
# separators, combining joiners and variation selectors, tags. Hangul fillers (U+115F, U+1160,
# U+3164, U+FFA0) are drawn, and so reported.
_NEVER_DRAWN = {"Cc", "Cf", "Zl", "Zp", "Zs"}
# The shorthand format controls are drawn, but Pango does not fall back to another font for a
# format character: the text's own font (DejaVu, Noto) has none, so they are a ``.notdef``
# although Noto Sans Duployan, installed, has them.
_DRAWN_FORMAT = range(0x1BCA0, 0x1BCA4)
_IGNORABLE = (
    range(0x034F, 0x0350), range(0x17B4, 0x17B6), range(0x180B, 0x1810), range(0xFE00, 0xFE10),
    range(0xFFF0, 0xFFF9), range(0xE0000, 0xE1000),
)


@dataclass(frozen=True, slots=True)
class Coverage:
    """The union of every installed font's characters, as sorted, merged ranges."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]  # inclusive

    def has(self, char: str) -> bool:
        code = ord(char)
        index = bisect.bisect_right(self.starts, code) - 1
        return index >= 0 and code <= self.ends[index]

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` (once each, in order) no installed font can draw."""
        return [c for c in dict.fromkeys(text)
                if c >= "\x80" and _drawn(c) and (ord(c) in _DRAWN_FORMAT or not self.has(c))]


def _drawn(char: str) -> bool:
    code = ord(char)
    if code in _DRAWN_FORMAT:
        return True
    return unicodedata.category(char) not in _NEVER_DRAWN and not any(
        code in ignorable for ignorable in _IGNORABLE)


def parse_charsets(lines: Iterable[str]) -> Coverage:
    """Coverage from fontconfig's charset lists (``fc-list --format '%{charset}\\n'``).

    >>> coverage = parse_charsets(["20-7e a0", "41-5a 400-4ff"])
    >>> coverage.has("Ж"), coverage.has("\\ue000")
    (True, False)
    """
    ranges: list[tuple[int, int]] = []
    for line in lines:
        for item in line.split():
            first, _, last = item.partition("-")
            ranges.append((int(first, 16), int(last or first, 16)))
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return Coverage(tuple(r[0] for r in merged), tuple(r[1] for r in merged))


def installed() -> Coverage | None:
    """What the installed fonts cover, or None when fontconfig's ``fc-list`` is not there
    (then only publish can tell)."""
    program = shutil.which("fc-list")
    if program is None:
        return None
    try:
        listed = subprocess.run([program, "--format", "%{charset}\n"], capture_output=True,
                                text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_charsets(listed.splitlines())
