"""Hostile cases for ``[editions]`` (issue 22): which languages each multilingual PDF puts
together. Unknown keys, unknown languages, a set of one language or of one language twice, a
set that is no list: every one reported with its line in one run, nothing published touched."""

from __future__ import annotations

import re
from collections.abc import Callable

from hostile_harness import CHECK, PUBLISH, Case, World

CONFIG = "syndicate.toml"


def editions(table: str) -> Callable[[World], None]:
    """``[editions]`` with ``table`` (TOML lines) appended to the project's configuration."""

    def apply(world: World) -> None:
        text = world.path(CONFIG).read_text(encoding="utf-8")
        world.write(CONFIG, text + "\n[editions]\n" + table)

    return apply


def at(message: str) -> str:
    """``message`` on a line of syndicate.toml."""
    return rf"^(\./)?{re.escape(CONFIG)}:\d+: {re.escape(message)}"


CASES: list[Case] = [
    Case("editions-unknown-key-and-language", editions('sets = [["pt", "xx"]]\ncolour = 1\n'),
         (at("unknown key 'colour' in [editions] (known keys: sets)"),
          at("[editions] sets: edition 1: unknown language(s) 'xx' (configured: pt, en)"))),
    Case("editions-one-language", editions('sets = [["en"], ["pt", "pt"]]\n'),
         (at("[editions] sets: edition 1 must name two or more different languages, "
                     "not ['en']"),
          at("[editions] sets: edition 2 must name two or more different languages, "
                     "not ['pt', 'pt']"))),
    Case("editions-not-lists", editions('sets = ["pt", [1, 2]]\n'),
         (at("[editions] sets: edition 1 must be a list of language codes"),
          at("[editions] sets: edition 2 must be a list of language codes")),
         command=CHECK),
    Case("editions-missing-sets", editions("\n"),
         (at("missing required key 'sets' in [editions]"),)),
    Case("editions-sets-not-a-list", editions('sets = "pt en"\n'),
         (at("sets must be a list"),), command=PUBLISH),
]
