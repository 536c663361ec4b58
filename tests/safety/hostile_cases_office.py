"""A press office's careless and hostile moves: `new` with bad arguments, broken drafts,
unquoted colons, `--keep-going` with nothing valid (issue 20 point 6, issue 21's `new`)."""

from __future__ import annotations

from collections.abc import Callable

from hostile_harness import CHECK, NOW, PUBLISH, Case, S, World

DRAFT = "statements/2026-11-30-colleague"


def nothing(world: World) -> None:
    pass


def broken_draft(world: World) -> None:
    world.write(f"{DRAFT}/statement.yaml", "date: 2026-11-30\ndraft: true\n")
    world.write(f"{DRAFT}/pt.md", "---\ntitle: Reunião: ordem do dia\n---\n\nCorpo.\n")
    world.write(f"{DRAFT}/en.md", "---\ntitle: [\n---\n")


def draft_with(statement_yaml: str) -> Callable[[World], None]:
    def setup(world: World) -> None:
        world.write(f"{DRAFT}/statement.yaml", statement_yaml)
        world.write(f"{DRAFT}/pt.md", "---\ntitle: Título\n---\n\n")

    return setup


def broken_shipped(world: World) -> None:
    world.write(f"{S}/statement.yaml", "date: [\n")


def unquoted_colon(world: World) -> None:
    world.edit(f"{S}/en.md", 'title: "Portugal supports', "title: Lisbon: Portugal supports")
    world.edit(f"{S}/en.md", "of the IOM\"", "of the IOM")


def statements_is_a_file(world: World) -> None:
    world.write(DRAFT, "")  # statements/<id> taken by a file: `new --id` cannot make the folder


def placeholder_left(world: World) -> None:
    world.write(f"{DRAFT}/statement.yaml", "date: 2026-11-30\n")
    world.write(f"{DRAFT}/pt.md", "---\ntitle: Título\n---\n\nEscreva aqui o comunicado.\n")


def new(*args: str) -> tuple[str, ...]:
    return ("new", *args, "--date", "2026-11-30")


NOT_CONFIGURED = (r"^syndicate\.toml: --lang '{}' is not a configured language "
                  r"\(configured: pt, en\)$")

CASES = [
    Case("office-new-lang-traversal", nothing,
         (NOT_CONFIGURED.format(r"\.\./\.\./X"),), command=new("Título", "--lang", "../../X")),
    Case("office-new-lang-to-outside", nothing,
         (NOT_CONFIGURED.format(r"\.\./\.\./\.\./outside/secret"),),
         command=new("Título", "--lang", "../../../outside/secret")),
    Case("office-new-lang-absolute", nothing,
         (NOT_CONFIGURED.format(r"/tmp/x"),), command=new("Título", "--lang", "/tmp/x")),
    Case("office-new-lang-not-configured", nothing,
         (NOT_CONFIGURED.format("es"),), command=new("Título", "--lang", "es")),
    Case("office-new-lang-empty", nothing,
         (NOT_CONFIGURED.format(""),), command=new("Título", "--lang", "")),
    Case("office-new-blank-title", nothing,
         (r"^statements: the title is empty",), command=new("   ")),
    Case("office-new-empty-title", nothing,
         (r"^statements: the title is empty",), command=new("")),
    Case("office-new-invisible-title", nothing,
         (r"^statements: the title is empty",), command=new("\u200b\u2060\u200b")),
    Case("office-new-control-in-title", nothing,
         (r"^statements: the title holds a control character",), command=new("Sino\x07")),
    Case("office-new-title-without-id", nothing,
         (r"^statements: the title '中文标题' makes no id .* --id 2026-11-30-",),
         command=new("中文标题")),
    Case("office-new-id-traversal", nothing,
         (r"^statements: --id '\.\./\.\./outside/x' is not a statement id",),
         command=new("Título", "--id", "../../outside/x")),
    Case("office-new-id-uppercase", nothing,
         (r"^statements: --id 'Press-Release' is not a statement id",),
         command=new("Título", "--id", "Press-Release")),
    Case("office-new-date-out-of-range", nothing,
         (r"^statements: --date 0999-01-01 is out of range",),
         command=("new", "Título", "--date", "0999-01-01")),
    Case("office-new-existing-id", nothing,
         (r"^statements/2022-11-22-vitorino-iom: a statement with this id already exists",),
         command=new("Título", "--id", "2022-11-22-vitorino-iom")),
    Case("office-new-folder-taken-by-a-file", statements_is_a_file,
         (rf"^{DRAFT}: a statement with this id already exists",),
         command=new("Título", "--id", DRAFT.split("/")[1])),
    Case("office-new-beside-a-broken-statement", broken_shipped, (), exit=0,
         command=new("Um comunicado novo")),
    Case("office-new-beside-a-broken-draft", broken_draft, (), exit=0,
         command=new("Um comunicado novo")),
    Case("office-broken-draft-publishes-the-others", broken_draft,
         (rf"^{DRAFT}/pt\.md:2: warning \(draft\): malformed YAML", rf"^{DRAFT}/en\.md"),
         exit=0, command=(*PUBLISH, "--strict")),
    Case("office-broken-draft-check-strict", broken_draft,
         (rf"^{DRAFT}/pt\.md:2: warning \(draft\): malformed YAML: .* must be quoted: "
          r'title: "Reunião: ordem do dia"$',), exit=0, command=("check", "--strict")),
    Case("office-unparsable-draft-says-draft", draft_with("date: [\ndraft: true\n"),
         (rf"^{DRAFT}/statement\.yaml:\d+: warning \(draft\): malformed YAML",), exit=0,
         command=CHECK),
    Case("office-unparsable-statement-yaml-is-no-draft", draft_with("date: [\n"),
         (rf"^{DRAFT}/statement\.yaml:\d+: malformed YAML",)),
    Case("office-draft-maybe-is-no-draft", draft_with("date: 2026-11-30\ndraft: maybe\n"),
         (rf"^{DRAFT}/statement\.yaml:2: draft must be true or false",)),
    Case("office-unquoted-colon-in-title", unquoted_colon,
         (rf"^{S}/en\.md:2: malformed YAML: mapping values are not allowed here; a value with "
          r"': ' in it must be quoted: title: \"Lisbon: Portugal supports",)),
    Case("office-keep-going-with-nothing-valid", broken_shipped,
         (rf"^{S}/statement\.yaml:2: malformed YAML",
          r"no statement without problems to publish"),
         command=("publish", "--now", NOW, "--jobs", "1", "--keep-going")),
    Case("office-placeholder-left", placeholder_left,
         (rf"^{DRAFT}/pt\.md:5: the placeholder of `syndicate new` is still here",),
         command=("check",)),
    Case("office-placeholder-left-publishes-nothing", placeholder_left,
         (rf"^{DRAFT}/pt\.md:5: the placeholder of `syndicate new` is still here",)),
]
