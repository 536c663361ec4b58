"""The declarative schema of a project's files, every value with its line.

``syndicate.toml``: each table's keys (:class:`Key`: required or not, the type, a check of the
value), validated by :func:`check_table`, each problem at its key's line (:func:`locate`).
``statement.yaml`` and a translation's front matter: :class:`StatementYaml` and
:class:`FrontMatter`, whose fields are the keys, each declared with how its value is read
(:func:`read_fields`; the :class:`~syndicate.frontmatter.SourceFile` reports each problem at
its key's line). Cross-key checks stay small functions beside the code that needs them
(:mod:`syndicate.config`, :mod:`syndicate.sources`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from syndicate.errors import Problem

if TYPE_CHECKING:
    from syndicate.frontmatter import SourceFile, YamlMapping
    from syndicate.model import Site


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


# statement.yaml and a translation's front matter -------------------------------------------

Reader = Callable[["SourceFile", "YamlMapping", str, "Site"], object]


D = TypeVar("D")


def _read(reader: Reader, default: D) -> D:
    """A field declared with how its value is read (its problems reported at its line)."""
    return field(default=default, metadata={"read": reader})


def _when(required: bool = False) -> datetime | None:
    return _read(lambda file, mapping, key, site: file.when(mapping, key, site,
                                                            required=required), None)


def _text(required: bool = False) -> str:
    return _read(lambda file, mapping, key, site: file.string(
        mapping, key, required=required, missing_line=1 if required else None), "")


def _flag() -> bool:
    return _read(lambda file, mapping, key, site: file.flag(mapping, key), False)


@dataclass(frozen=True, slots=True)
class StatementYaml:
    """``statement.yaml``: what a statement's languages share. Its keys are these fields, read
    in this order (see :func:`read_fields`); cross-key checks are in :mod:`syndicate.sources`."""

    date: datetime | None = _when(required=True)
    updated: datetime | None = _when()
    tags: tuple[str, ...] = _read(lambda file, mapping, key, site: file.tags(mapping) or (), ())
    embargo: datetime | None = _when()
    draft: bool = _flag()
    original: str = _read(lambda file, mapping, key, site: file.string(mapping, key)
                          if key in mapping.values else site.default_language, "")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A translation's front matter (``<lang>.md``), read as :class:`StatementYaml` is."""

    untranslated: bool = _flag()
    title: str = _text(required=True)
    correction: str = _text()
    translated_from: tuple[tuple[str, str], ...] = _read(
        lambda file, mapping, key, site: file.fingerprint(mapping, key), ())
    summary: str = _text()
    place: str = _text()
    tags: tuple[str, ...] | None = _read(lambda file, mapping, key, site: file.tags(mapping),
                                         None)


T = TypeVar("T", StatementYaml, FrontMatter)


def keys(schema: type[StatementYaml | FrontMatter]) -> set[str]:
    """The keys a file of this kind may have."""
    return {f.name for f in fields(schema)}


def read_fields(schema: type[T], file: SourceFile, mapping: YamlMapping, site: Site) -> T:
    """Every field of ``schema`` read from ``mapping``, in order; the problems are ``file``'s."""
    values = {f.name: f.metadata["read"](file, mapping, f.name, site) for f in fields(schema)}
    return schema(**values)
