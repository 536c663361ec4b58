"""Hostile cases for the press contact and unrendered Markdown (issue 20, items 7 and 9).

A contact that is no table, that has an e-mail without an "@", a phone of letters, a key that
does not exist or nothing to reach anyone by; every one reported with its line in one run, and
Markdown of other grammars failing `check --strict` with its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hostile_harness import CHECK, Case, S, World

CONFIG = "syndicate.toml"
EN = f"{S}/en.md"


def contact(table: str) -> Callable[[World], None]:
    """``table`` (TOML lines) appended to the project's configuration."""

    def apply(world: World) -> None:
        text = world.path(CONFIG).read_text(encoding="utf-8")
        world.write(CONFIG, text + "\n" + table)

    return apply


# The shipped syndicate.toml has 16 lines; an appended table's header is line 18 (offset 1),
# after a blank line 17.
BASE = 17


def config_line(offset: int, message: str) -> str:
    return rf"^(\./)?{re.escape(CONFIG)}:{BASE + offset}: {re.escape(message)}"


def body(extra: str) -> Callable[[World], None]:
    def apply(world: World) -> None:
        text = world.path(EN).read_text(encoding="utf-8")
        world.write(EN, text.rstrip("\n") + "\n\n" + extra)

    return apply


CASES = [
    Case(
        "render-contact-every-problem-in-one-run",
        contact('[languages.pt.contact]\nname = "Gabinete"\nemail = "imprensa at gov"\n'
                'phone = "ligue-nos"\nfax = "+351 1"\n\n[languages.en.contact]\nname = "Press"\n'),
        (config_line(3, "email must be an address such as 'press@example.org', not "
                        "'imprensa at gov'"),
         config_line(4, "phone must be digits"),
         config_line(5, "unknown key 'fax' in [languages.pt.contact]"),
         config_line(7, "[languages.en.contact] needs an email or a phone")),
        command=CHECK,
    ),
    Case(
        "render-unknown-table-under-a-language",
        contact('[languages.pt.extra]\n'),
        (r"syndicate\.toml:\d+: unknown key 'extra' in \[languages\.pt\]",),
    ),
    Case(
        "render-contact-inline-table-with-unknown-key",
        lambda world: world.edit(CONFIG, 'issuer = "Portuguese Government"',
                                 'issuer = "Portuguese Government"\n'
                                 'contact = { phone = "+351 21", mobile = "+351 91" }'),
        (r"syndicate\.toml:\d+: unknown key 'mobile' in \[languages\.en\.contact\]",),
    ),
    Case(
        "render-contact-a-string",
        lambda world: world.edit(CONFIG, 'issuer = "Portuguese Government"',
                                 'issuer = "Portuguese Government"\ncontact = "press@x.org"'),
        (r"syndicate\.toml:\d+: contact must be a table",),
    ),
    Case(
        "render-contact-phone-of-two-digits",
        contact('[languages.pt.contact]\nphone = "12"\n'),
        (config_line(2, "phone must be digits"),),
        command=CHECK,
    ),
    Case(
        "render-contact-name-not-a-string",
        contact('[languages.pt.contact]\nname = 42\nemail = "imprensa@gov.example.pt"\n'),
        (config_line(2, "name must be a string"),),
        command=CHECK,
    ),
    Case(
        "render-contact-empty-table",
        contact("[languages.pt.contact]\n"),
        (config_line(1, "[languages.pt.contact] needs an email or a phone"),),
    ),
    Case(
        "render-contact-email-with-a-space",
        contact('[languages.en.contact]\nemail = "press office@gov.example.pt"\n'),
        (config_line(2, "email must be an address such as"),),
    ),
    Case(
        "render-contact-of-a-language-not-configured",
        contact('[languages.es.contact]\nemail = "prensa@gov.example.pt"\n'),
        (r"syndicate\.toml:\d+: missing required key 'tag' in \[languages\.es\]",),
        command=CHECK,
    ),
    Case(
        "render-definition-list-and-broken-table-fail-strict",
        body("Provisional\n: not yet confirmed.\n\n| Area | Count |\n| Azores | 310 |\n"),
        (rf"^{re.escape(EN)}:\d+: warning: definition list is not rendered",
         rf"^{re.escape(EN)}:\d+: warning: rows of \| shown as typed, not as a table",
         r"--strict makes warnings errors"),
        command=("check", "--strict"),
    ),
    Case(
        "render-footnotes-and-task-lists-fail-strict",
        body("A figure[^1].\n\n- [x] checked\n\n[^1]: The source.\n"),
        (rf"^{re.escape(EN)}:\d+: warning: footnote \[\^1\] is not rendered",
         rf"^{re.escape(EN)}:\d+: warning: task list box '\[x\]' is not rendered",
         r"--strict makes warnings errors"),
        command=("check", "--strict"),
    ),
]
