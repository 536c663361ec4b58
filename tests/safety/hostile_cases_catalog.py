"""The first hostile catalog (test_hostile.py, in-process `check`) again as real processes.

A case that stops with an error runs `publish` (nothing may reach the output); a case that is
published with a warning runs `check` (the same problems, without rendering).
"""

from __future__ import annotations

import re

import test_hostile
from hostile_harness import CHECK, PUBLISH, Case, S, World


def _pattern(line: str) -> str:
    """An exact line of the old catalog as a regular expression for the harness's relative paths."""
    prefix = line.endswith("...")
    text = line[:-3] if prefix else line
    rules = {"{s}": re.escape(S), "{p}/": "", "{t}": ".*"}
    parts = re.split(r"(\{p\}/|\{[st]\})", text)
    pattern = "".join(rules.get(part, re.escape(part)) for part in parts)
    return "^" + pattern + ("" if prefix else "$")


def _setup(old: test_hostile.Case):  # type: ignore[no-untyped-def]
    def apply(world: World) -> None:
        old.setup(world.project)

    return apply


CASES = [
    Case(
        id=f"catalog-{old.id}",
        setup=_setup(old),
        expect=tuple(_pattern(line) for line in old.lines),
        exit=old.exit,
        command=PUBLISH if old.exit else CHECK,
    )
    for old in test_hostile.CASES
]
