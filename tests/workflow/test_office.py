"""One bad statement does not hold the office hostage (issue 20, point 6; issue 21's `new`).

A draft's problems are warnings that even ``--strict`` lets pass; ``new`` reads only the
configuration and checks its arguments before writing anything; ``publish --keep-going``
publishes every statement without problems and reports the others.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
import yaml
from click.testing import Result

from conftest import SHIPPED_ID, write

NOW = "2026-11-28T12:00:00+00:00"
Run = Callable[..., Result]
LOCATED = re.compile(r"^\S+?(:\d+)?: \S")  # `path[:line]: message`


def files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (and the folder beside it), by path: to show nothing changed."""
    return {str(p): p.read_bytes() for p in sorted(root.parent.rglob("*")) if p.is_file()}


def output(project: Path) -> dict[str, bytes]:
    """The published output: every file (the dist link followed), where the link points, the
    cache index and the lock beside it."""
    found = {str(p): p.read_bytes() for p in project.rglob("*")
             if p.is_file() and p.relative_to(project).parts[0].startswith((".dist", "dist"))}
    found["dist ->"] = str((project / "dist").readlink()).encode()
    return found


def new(run: Run, project: Path, *args: str) -> Result:
    date = () if "--date" in args else ("--date", "2026-12-24")
    return run("new", *args, "--project", project, *date)


def front_matter(path: Path) -> dict[str, object]:
    """The YAML between the first two `---` lines, read by PyYAML itself."""
    document = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert isinstance(document, dict)
    return document


def test_a_broken_draft_is_warnings_even_with_strict(project: Path, run: Run) -> None:
    assert new(run, project, "Rascunho de um colega", "--lang", "pt").exit_code == 0
    draft = project / "statements" / "2026-12-24-rascunho-de-um-colega"
    write(draft / "pt.md", "---\ntitle: Foo: bar\n---\n\nCorpo.\n")
    write(draft / "en.md", "---\ntitle: [unclosed\n---\n")
    for args in (("check",), ("check", "--strict")):
        result = run(*args, "--project", project)
        assert result.exit_code == 0, result.output
        assert f"{draft.relative_to(project.parent)}/pt.md:2: warning (draft): malformed YAML" \
            in result.stderr.replace(str(project.parent) + "/", "")
        assert "OK: 1 statement(s)" in result.output  # the shipped one
    # status lists it, a draft in every language whose problems the warnings say.
    status = run("status", "--json", "--project", project, "--now", NOW)
    rows = json.loads(status.stdout)
    assert {row["statement"] for row in rows} == {SHIPPED_ID, draft.name}
    assert [(row["lang"], row["state"], row["detail"]) for row in rows
            if row["statement"] == draft.name] == [
        ("pt", "draft", "has problems: see the warnings"),
        ("en", "draft", "has problems: see the warnings")]
    assert f"{draft.name}/en.md:2: warning (draft): malformed YAML" in status.stderr
    table = run("status", "--project", project, "--now", NOW).stdout.splitlines()
    [line] = [line for line in table if line.startswith(draft.name)]
    assert line.split(None, 1)[1].count("draft (has problems: see the warnings)") == 2

    # Once it is no longer a draft, the same problems are errors.
    write(draft / "statement.yaml", "date: 2026-12-24\noriginal: pt\n")
    result = run("check", "--project", project)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(r"pt\.md:2: malformed YAML: mapping values are not allowed here; a value "
                     r"with ': ' in it must be quoted: title: \"Foo: bar\"$", result.stderr,
                     re.MULTILINE), result.stderr


@pytest.mark.parametrize(("statement_yaml", "blocks"), [
    ("date: [unclosed\ndraft: true\n", False),  # unparsable, but it says it is a draft
    ("date: [unclosed\n", True),  # unparsable, and nothing says it is a draft
    ("date: 2026-13-45\ndraft: true\n", False),  # parsed: a draft with a bad date
    ("date: 2026-12-24\ndraft: maybe\n", True),  # not known to be a draft
])
def test_a_draft_is_known_by_its_statement_yaml(project: Path, run: Run, statement_yaml: str,
                                                blocks: bool) -> None:
    folder = project / "statements" / "2026-12-24-colleague"
    write(folder / "statement.yaml", statement_yaml)
    write(folder / "pt.md", "---\ntitle: Título\n---\n\nCorpo.\n")
    result = run("check", "--strict", "--project", project)
    assert result.exit_code == (1 if blocks else 0), result.output
    assert "statement.yaml:" in result.stderr
    assert ("warning (draft)" in result.stderr) is not blocks


def test_a_draft_folder_whose_name_is_no_id_blocks_nothing(project: Path, run: Run) -> None:
    folder = project / "statements" / "Rascunho 3 Dez"
    write(folder / "pt.md", "---\ntitle: Título\n---\n\nCorpo.\n")
    write(folder / "statement.yaml", "date: 2026-12-03\ndraft: true\n")
    strict = run("check", "--strict", "--project", project)
    assert strict.exit_code == 0, strict.output
    assert "warning (draft): invalid statement id 'Rascunho 3 Dez'" in strict.stderr
    write(folder / "statement.yaml", "date: 2026-12-03\n")
    result = run("check", "--project", project)
    assert result.exit_code == 1
    assert re.search(r"Rascunho 3 Dez: invalid statement id 'Rascunho 3 Dez'", result.stderr,
                     re.MULTILINE), result.stderr


def test_new_works_whatever_state_the_other_statements_are_in(project: Path, run: Run) -> None:
    write(project / "statements" / SHIPPED_ID / "statement.yaml", "date: [\n")
    write(project / "statements" / "NOT AN ID" / "pt.md", "")
    result = new(run, project, "Novo comunicado")
    assert result.exit_code == 0, result.output
    assert (project / "statements" / "2026-12-24-novo-comunicado" / "pt.md").is_file()
    shutil.rmtree(project / "statements")  # a project that has none yet
    assert new(run, project, "Primeiro").exit_code == 0
    assert (project / "statements" / "2026-12-24-primeiro" / "statement.yaml").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (("Título", "--lang", "es"),
     r"syndicate\.toml: --lang 'es' is not a configured language \(configured: pt, en\)"),
    (("Título", "--lang", "../../X"), r"syndicate\.toml: --lang '\.\./\.\./X' is not a config"),
    (("Título", "--lang", "pt/../../../X"), r"--lang 'pt/\.\./\.\./\.\./X' is not a config"),
    (("   ",), r"statements: the title is empty"),
    (("\u200b\u200b",), r"statements: the title is empty"),
    (("",), r"statements: the title is empty"),
    (("Bell\x07",), r"statements: the title holds a control character"),
    (("中文标题",), r"statements: the title '中文标题' makes no id .*--id 2026-12-24-"),
    (("Título", "--id", "../X"), r"statements: --id '\.\./X' is not a statement id"),
    (("Título", "--date", "0999-01-01"), r"statements: --date 0999-01-01 is out of range"),
])
def test_new_checks_its_arguments_before_writing(project: Path, run: Run,
                                                  args: tuple[str, ...], message: str) -> None:
    write(project / "X.md", "someone's file\n")
    before = files(project)
    result = new(run, project, *args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert any(re.search(message, line) and LOCATED.match(line) for line in lines), lines
    assert files(project) == before


@pytest.mark.parametrize("title", [
    "Comunicado: a posição do Governo",
    'Aspas "duplas", \\ barra e # cardinal',
    "- começa por hífen: [lista] {mapa} &âncora *alias !tag %diretiva @ `",
    "yes",
    "2026-12-24",
])
def test_new_writes_any_title_as_valid_yaml(project: Path, run: Run, title: str) -> None:
    result = run("new", "--project", project, "--id", "2026-12-24-title", "--", title)
    assert result.exit_code == 0, result.output
    original = project / "statements" / "2026-12-24-title" / "pt.md"
    assert front_matter(original)["title"] == title
    check = run("check", "--project", project)
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(("lang", "locale_words"), [("pt", "Escreva aqui o comunicado."),
                                                     ("en", "Write the statement here.")])
def test_the_placeholder_warns_in_a_draft_and_stops_a_statement(
    project: Path, run: Run, lang: str, locale_words: str
) -> None:
    assert new(run, project, "Placeholder", "--lang", lang).exit_code == 0
    folder = project / "statements" / "2026-12-24-placeholder"
    lines = (folder / f"{lang}.md").read_text(encoding="utf-8").splitlines()
    line = lines.index(locale_words) + 1
    warning = f"{lang}.md:{line}: warning (draft): the placeholder of `syndicate new` is still"
    strict = run("check", "--strict", "--project", project)
    assert strict.exit_code == 0 and warning in strict.stderr, strict.output

    # No longer a draft: an error, so that neither check nor publish lets the placeholder out.
    write(folder / "statement.yaml", f"date: 2026-12-24\noriginal: {lang}\n")
    error = warning.replace(" warning (draft):", "")
    for command in (("check",), ("publish", "--now", "2026-12-25T00:00:00+00:00", "-j", "1")):
        result = run(*command, "--project", project)
        assert result.exit_code == 1 and error in result.stderr, result.output
    assert not (project / "dist").exists()


def test_publish_keep_going_publishes_every_valid_statement(project: Path, run: Run) -> None:
    statements = project / "statements"
    shutil.copytree(statements / SHIPPED_ID, statements / "2022-11-23-second")
    broken = write(statements / "2022-11-24-broken" / "pt.md", "---\ntitle: A: b\n---\n\nX.\n")
    write(broken.parent / "statement.yaml", "date: 2022-11-24\n")
    glyph = statements / "2022-11-25-glyph"  # only rendering finds its problem
    shutil.copytree(statements / SHIPPED_ID, glyph)
    source = glyph / "en.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nThe motto reads 中.\n",
                      encoding="utf-8")
    glyph_line = source.read_text(encoding="utf-8").count("\n")
    write(statements / "2022-11-26-draft" / "statement.yaml", "date: 2022-11-26\ndraft: true\n")
    write(statements / "2022-11-26-draft" / "pt.md", "---\ntitle: [\n---\n")

    stopped = run("publish", "--project", project, "--now", NOW, "--strict")
    assert stopped.exit_code == 1
    assert not (project / "dist").exists()

    result = run("publish", "--project", project, "--now", NOW, "--strict", "--keep-going")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert re.search(r"^\S*statements/2022-11-24-broken/pt\.md:2: malformed YAML",
                     result.stderr, re.MULTILINE), result.stderr
    assert f"statements/2022-11-25-glyph/en.md:{glyph_line}: character '中'" in result.stderr
    assert "2022-11-26-draft/pt.md:2: warning (draft): malformed YAML" in result.stderr
    assert "--keep-going: their statements were left out" in result.stderr
    assert "Published 2 statement(s)" in result.output

    dist = project / "dist"
    manifest = json.loads((dist / "manifest.json").read_bytes())
    listed = {entry["path"] for entry in manifest["files"]}
    on_disk = {str(p.relative_to(dist.resolve())) for p in dist.resolve().rglob("*")
               if p.is_file() and p.name != "manifest.json"}
    assert listed == on_disk
    assert {f"pt/{SHIPPED_ID}/index.html", "pt/2022-11-23-second/index.html"} <= listed
    assert not any(sid in path for path in listed
                   for sid in ("broken", "glyph", "draft"))
    for lang in ("pt", "en"):
        feed = feedparser.parse((dist / lang / "feed.atom").read_bytes())
        assert not feed.bozo
        assert sorted(e.link.rstrip("/").rsplit("/", 1)[1] for e in feed.entries) == [
            SHIPPED_ID, "2022-11-23-second"]


def test_keep_going_with_no_valid_statement_publishes_nothing(project: Path, run: Run) -> None:
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    before = output(project)
    write(project / "statements" / SHIPPED_ID / "pt.md", "---\ntitle: A: b\n---\n\nX.\n")
    result = run("publish", "--project", project, "--now", NOW, "--keep-going")
    assert result.exit_code == 1
    assert "no statement without problems to publish" in result.stderr
    assert re.search(rf"statements/{SHIPPED_ID}/pt\.md:2: malformed YAML", result.stderr)
    assert output(project) == before  # the previous publish is still the site


def test_new_reports_a_folder_it_cannot_write(project: Path, run: Run) -> None:
    shutil.rmtree(project / "statements")
    write(project / "statements", "a file where the folder should be\n")
    result = new(run, project, "Título")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(r"statements\S*: cannot write: ", result.stderr), result.stderr
