"""Nothing a user can type or configure is undocumented, and each is documented where it belongs:
every command with every option in the synopsis of "Commands", every syndicate.toml key in the
section of its table, every statement.yaml and front-matter key in its bullet of "The project
folder". Deleting one of those lines from README.md fails here (the last tests prove it)."""

from __future__ import annotations

import re

import click
import pytest

from conftest import REPO
from syndicate import config, schema
from syndicate.cli import main

README = (REPO / "README.md").read_text(encoding="utf-8")

# Each table of syndicate.toml: its key table in syndicate.config, the README section that
# documents it and the name of the table as written there ("" for the top level).
CONFIG_TABLES = {
    "SITE_KEYS": ("The project folder", ""),
    "LANGUAGE_KEYS": ("The project folder", "languages.<code>"),
    "CONTACT_KEYS": ("The project folder", "languages.<code>.contact"),
    "FEEDS_KEYS": ("Feeds", "feeds"),
    "PDF_KEYS": ("The PDF communiqué", "pdf"),
    "EDITIONS_KEYS": ("The PDF communiqué", "editions"),
    "MAIL_KEYS": ("E-mail to press lists (for press officers)", "mail"),
    "SEAL_KEYS": ("Sealed communiqués (for the press office)", "seal"),
}
# Each file of a statement: its schema in syndicate.schema and its bullet in the README.
STATEMENT_FILES = {"StatementYaml": "`statement.yaml`", "FrontMatter": "`<lang>.md`"}


def sections(text: str) -> dict[str, str]:
    """Each heading's section: its text up to the next heading of its level or above (a
    "#" line inside a fenced code block is no heading)."""
    found: dict[str, str] = {}
    open_headings: list[tuple[int, str]] = []
    fenced = False
    for line in text.splitlines():
        fenced ^= line.startswith("```")
        heading = None if fenced else re.match(r"(#+) (.+)", line)
        if heading:
            level = len(heading.group(1))
            open_headings = [(lv, t) for lv, t in open_headings if lv < level]
            open_headings.append((level, heading.group(2)))
            found[heading.group(2)] = ""
        for _, title in open_headings:
            found[title] += line + "\n"
    return found


def toml_assignments(section: str) -> set[tuple[str, str]]:
    """(table, key) of every key set in the section's TOML blocks, commented out or not, with
    a language's code in a table name written ``<code>``."""
    found = set()
    for block in re.findall(r"```toml\n(.*?)```", section, re.DOTALL):
        table = ""
        for line in block.splitlines():
            line = line.lstrip("# ")
            if header := re.match(r"\[([\w.]+)\]", line):
                table = re.sub(r"^languages\.\w+", "languages.<code>", header.group(1))
                # A table's header documents it as a key of its parent table.
                parent, _, key = table.replace(".<code>", "").rpartition(".")
                found.add(("languages.<code>" if parent == "languages" else parent, key))
            elif key := re.match(r"(\w+) *=", line):
                found.add((table, key.group(1)))
    return found


def config_gaps(readme: str) -> list[str]:
    found = sections(readme)
    gaps = []
    for name, (title, table) in CONFIG_TABLES.items():
        section = found.get(title, "")
        assigned = toml_assignments(section)
        for key in getattr(config, name):
            mentioned = (f"[{table}] {key}", f"`{key}`", f"`{key} =")
            if (table, key) not in assigned and not any(m in section for m in mentioned):
                gaps.append(f"[{table}] {key} ({name}) is not documented in {title!r}")
    return gaps


def bullets(section: str) -> dict[str, str]:
    """Each top-level bullet of a section, by its first word."""
    return {item.split()[0].rstrip(":"): item for item in re.findall(r"^- (.*?)(?=^\S|\Z)", section,
                                                          re.MULTILINE | re.DOTALL)}


def front_matter_gaps(readme: str) -> list[str]:
    items = bullets(sections(readme).get("The project folder", ""))
    gaps = []
    for name, bullet in STATEMENT_FILES.items():
        text = items.get(bullet, "")
        for key in sorted(schema.keys(getattr(schema, name))):
            if f"`{key}`" not in text and f"`{key}:" not in text:
                gaps.append(f"{bullet} key {key!r} ({name}) is not documented in its bullet")
    return gaps


def synopsis(readme: str) -> dict[str, set[str]]:
    """The option words of each command in the synopsis that opens "Commands" (``syndicate
    i18n extract|update|compile`` stands for three commands)."""
    block = re.search(r"\n((?: {4}.*\n)+)", sections(readme).get("Commands", ""))
    entries: dict[str, set[str]] = {}
    current: list[str] = []
    for line in block.group(1).splitlines() if block else []:
        words = line.split()
        if words[0] == "syndicate":
            names = [w for w in words[1:3] if re.fullmatch(r"[a-z0-9|]+", w)]
            paths = [" ".join(["syndicate", *names[:-1], alternative])
                     for alternative in names[-1].split("|")] if names else []
            current = paths
            for path in paths:
                entries[path] = set()
        for path in current:
            entries[path] |= set(re.findall(r"(?<![\w-])--?[a-zA-Z][\w-]*", line))
    return entries


def commands(group: click.Group, prefix: str = "syndicate") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found.extend(commands(command, path))
        else:
            found.append((path, command))
    return found


def options(command: click.Command) -> list[str]:
    return [o for p in command.params if isinstance(p, click.Option)
            for o in [*p.opts, *p.secondary_opts] if o != "--help"]


def cli_gaps(readme: str) -> list[str]:
    entries = synopsis(readme)
    gaps = []
    for path, command in commands(main):
        if path not in entries:
            gaps.append(f"{path} has no line in the synopsis of 'Commands'")
        gaps.extend(f"{path} {option} is not in its synopsis line"
                    for option in options(command) if option not in entries.get(path, ()))
    commands_section = sections(readme).get("Commands", "")
    gaps.extend(f"syndicate {option} is not documented in 'Commands'"
                for option in options(main) if f"`syndicate {option}`" not in commands_section
                and f"(`{option}`)" not in commands_section)
    return gaps


def test_every_command_and_option_is_in_the_synopsis() -> None:
    assert cli_gaps(README) == []


def test_every_config_key_is_documented_in_the_section_of_its_table() -> None:
    tables = {name for name in vars(config) if name.endswith("_KEYS")}
    assert tables == set(CONFIG_TABLES), "a new table of syndicate.toml: say where it is documented"
    assert config_gaps(README) == []


def test_every_statement_key_is_documented_in_the_bullet_of_its_file() -> None:
    assert front_matter_gaps(README) == []


def without(line_start: str) -> str:
    """README.md without its one line starting with ``line_start`` (after indentation)."""
    lines = [line for line in README.splitlines(keepends=True)
             if not line.lstrip().startswith(line_start)]
    assert len(lines) == len(README.splitlines()) - 1, line_start
    return "".join(lines)


@pytest.mark.parametrize(("line_start", "gap"), [
    ("# dkim_selector =", "[mail] dkim_selector (MAIL_KEYS) is not documented"),
    ('phone = "', "[languages.<code>.contact] phone (CONTACT_KEYS) is not documented"),
    ("`[pdf] variant", "[pdf] variant (PDF_KEYS) is not documented"),
])
def test_a_config_key_whose_line_is_deleted_is_caught(line_start: str, gap: str) -> None:
    assert any(g.startswith(gap) for g in config_gaps(without(line_start)))


def test_a_front_matter_key_whose_line_is_deleted_is_caught() -> None:
    gaps = front_matter_gaps(without("own labels), `correction`"))
    assert "`<lang>.md` key 'correction' (FrontMatter) is not documented in its bullet" in gaps


def test_an_option_whose_line_is_deleted_is_caught() -> None:
    gaps = cli_gaps(without("[--resend-uncertain] [--retry-failed]"))
    assert "syndicate send --resend-uncertain is not in its synopsis line" in gaps
    assert "syndicate ping has no line in the synopsis of 'Commands'" in cli_gaps(
        without("syndicate ping "))
