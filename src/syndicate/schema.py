"""The declarative schema of ``syndicate.toml``: each table's keys (:class:`Key`: required or
not, the type, a check of the value) and the one function that validates a table against them,
every problem with the line of its key (:func:`locate`). Cross-key checks stay small functions
beside the tables that need them (:mod:`syndicate.config`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from syndicate.errors import Problem


@dataclass(frozen=True, slots=True)
class Key:
    required: bool
    kind: type
    check: Callable[[Any], str | None] | None = None  # returns a message when the value is wrong


_TYPE_NAMES = {str: "a string", dict: "a table", int: "an integer", list: "a list"}


def locate(text: str, table: tuple[str, ...], key: str | None) -> int | None:
    """The line defining ``key`` in ``[table]`` (or the table's header when key is None; for a
    table only made by its sub-tables' headers, such as ``[languages.es.contact]`` alone, the
    first of those)."""
    current: tuple[str, ...] = ()
    header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
    within: int | None = None
    for number, line in enumerate(text.splitlines(), 1):
        match = header.match(line)
        if match:
            current = tuple(part.strip().strip('"') for part in match.group(1).split("."))
            if key is None and current == table:
                return number
            if key is None and table and within is None and current[:len(table)] == table:
                within = number
            continue
        if (
            key is not None
            and current == table
            and re.match(rf'^\s*"?{re.escape(key)}"?\s*=', line)
        ):
            return number
    return within


def check_table(
    values: dict[str, Any], schema: dict[str, Key], table: tuple[str, ...], text: str, path: str
) -> list[Problem]:
    problems = []
    where = ".".join(table)
    for name in values:
        if name not in schema:
            known = ", ".join(sorted(schema))
            problems.append(
                Problem(
                    path,
                    locate(text, table, name) or locate(text, (*table, name), None),
                    f"unknown key {name!r}{' in [' + where + ']' if where else ''}"
                    f" (known keys: {known})",
                )
            )
    for name, key in schema.items():
        line = locate(text, table, name)
        if name not in values:
            if key.required:
                problems.append(
                    Problem(
                        path,
                        locate(text, table, None) if table else None,
                        f"missing required key {name!r}{' in [' + where + ']' if where else ''}",
                    )
                )
            continue
        value = values[name]
        if not isinstance(value, key.kind):
            problems.append(Problem(path, line, f"{name} must be {_TYPE_NAMES[key.kind]}"))
        elif key.check and (message := key.check(value)):
            problems.append(Problem(path, line, message))
    return problems
