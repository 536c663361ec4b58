"""Which characters the installed fonts can draw, as fontconfig (which WeasyPrint's Pango asks
for every character, falling back through all installed fonts) knows them.

``check`` uses it to report, without rendering, a character no font has; publish's PDF renderer
remains the authority (it listens for the ``.notdef`` glyphs WeasyPrint draws, see
:mod:`syndicate.render.pdf`) and reports the same message.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

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
    latin1: bool = False  # every character of U+0080-U+00FF that is drawn is covered

    def has(self, char: str) -> bool:
        code = ord(char)
        index = bisect.bisect_right(self.starts, code) - 1
        return index >= 0 and code <= self.ends[index]

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` (once each, in order) no installed font can draw.

        With Latin-1 covered, only the characters past it are looked at, found in C: an
        archive's check reads tens of thousands of texts (figures: benchmarks/notes.md)."""
        if self.latin1:
            text = "".join(_BEYOND_LATIN1.findall(text))
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
    coverage = Coverage(tuple(r[0] for r in merged), tuple(r[1] for r in merged))
    return replace(coverage, latin1=not coverage.missing(_LATIN1_HIGH))


_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
_LATIN1_HIGH = "".join(map(chr, range(0x80, 0x100)))


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


GLYPHS_FILE = "glyphs.json"  # in .syndicate-cache/


class CoveredTexts:
    """The texts (by the sha256 of their source file) a check found every character of drawn
    with the installed fonts, kept between checks in the project's cache folder: an archive's
    check then reads only the texts that changed, or all again when the fonts (or the tool)
    did. A text with a problem is never kept: its problem is reported by every check."""

    def __init__(self, cache_folder: Path, coverage: Coverage) -> None:
        from syndicate import cache, files

        self.path = cache_folder / GLYPHS_FILE
        self.key = cache.digest(cache.code_digest(), coverage.starts, coverage.ends)
        document = files.read_json(self.path)
        listed: object = None
        if isinstance(document, dict) and document.get("coverage") == self.key:
            listed = document.get("covered")
        self._known = ({sha for sha in listed if isinstance(sha, str)}
                       if isinstance(listed, list) else set())
        self._seen: set[str] = set()  # covered, among this check's texts

    def holds(self, sha256: str) -> bool:
        """Whether the text of this sha256 was found covered by an earlier check."""
        if sha256 in self._known:
            self._seen.add(sha256)
            return True
        return False

    def add(self, sha256: str) -> None:
        """A text this check found covered."""
        self._seen.add(sha256)

    def save(self) -> None:
        """Keep this check's covered texts (those of texts gone since are let go)."""
        from syndicate import cache, files

        if self._seen != self._known:
            files.write_json(self.path, {"format": cache.FORMAT, "coverage": self.key,
                                         "covered": sorted(self._seen)})
