"""Hostile cases for tracked translations and embargoes (issue 20, items 3 and 4).

Local times a daylight-saving change repeats or skips, translation records that are not
hashes, an untracked translation under --strict, and `share` asked for what is not public.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hostile_harness import CHECK, NOW, Case, S, World

YAML = f"{S}/statement.yaml"
EN = f"{S}/en.md"
ID = S.rsplit("/", 1)[1]


def shared(extra: str) -> Callable[[World], None]:
    def apply(world: World) -> None:
        world.write(YAML, f"date: 2022-11-22\noriginal: pt\n{extra}\n")

    return apply


def record(new: str) -> Callable[[World], None]:
    """en.md's ``translated_from`` block replaced by ``new`` (YAML lines, or nothing)."""

    def apply(world: World) -> None:
        text = world.path(EN).read_text(encoding="utf-8")
        start, end = text.index("translated_from:"), text.index("\n---\n")
        world.write(EN, text[:start] + new + text[end:])

    return apply


def line(text: str) -> str:
    return re.escape(text)


CASES = [
    Case(
        "workflow-embargo-in-the-repeated-hour",
        shared("embargo: 2026-10-25T01:59"),
        (line(f"{YAML}:3: embargo: 2026-10-25T01:59 is ambiguous in Europe/Lisbon: 01:59+01:00 "
              "or 01:59+00:00; write the offset"),),
    ),
    Case(
        "workflow-updated-in-the-skipped-hour",
        shared("updated: 2026-03-29 01:15:30"),
        (line(f"{YAML}:3: updated: 2026-03-29 01:15:30 does not exist in Europe/Lisbon (the "
              "clocks go forward then): 01:15:30+00:00 or 01:15:30+01:00; write the offset"),),
    ),
    Case(
        "workflow-two-bad-local-times-in-one-run",
        shared("embargo: 2026-10-25T01:00\nupdated: 2027-03-28T01:30"),
        (line(f"{YAML}:3: embargo: 2026-10-25T01:00 is ambiguous"),
         line(f"{YAML}:4: updated: 2027-03-28T01:30 does not exist in Europe/Lisbon")),
        command=CHECK,
    ),
    Case(
        "workflow-paragraph-hashes-as-a-list",
        record("translated_from:\n  title: 9f1f77988b11\n  paragraphs: [a, b]"),
        (line(f"{EN}:6: translated_from must map names to hashes (written by `syndicate "
              "translated`)"),),
    ),
    Case(
        "workflow-untracked-translation-under-strict",
        record(""),
        (line(f"{EN}: warning: untracked translation of {ID}"),
         line("--strict makes warnings errors")),
        command=("check", "--strict"),
    ),
    Case(
        "workflow-share-before-the-embargo",
        shared("embargo: 2026-12-01T13:00"),  # NOW is 12:00 UTC = 12:00 in Lisbon in December
        (line(f"{YAML}: {ID} is embargoed until 2026-12-01 13:00 (Europe/Lisbon): posting now "
              "would break it"),),
        command=("share", ID, "--now", NOW),
    ),
    Case(
        "workflow-share-a-draft",
        shared("draft: true"),
        (line(f"{YAML}: {ID} is a draft (draft: true)"),),
        command=("share", ID, "--platform", "x"),
    ),
    Case(
        "workflow-share-preview-of-a-draft",
        shared("draft: true"),
        (r"^DRAFT — not for publication$",),  # with --json the warning line is on stderr
        exit=0,
        command=("share", ID, "--preview", "--json"),
    ),
]
