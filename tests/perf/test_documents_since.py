"""An edit's feed documents and index pages keep the keys the current version recorded where
nothing they show changed (:class:`syndicate.keys.Since`): after each publish, every recorded
key is the one a plan from scratch makes, and every document is what a render from scratch
writes; an edit makes again only the keys of the documents that show what it changed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import add_numbered, numbered_project, write
from syndicate import keys, output
from syndicate import publish as pipeline
from syndicate.backends import InProcess
from syndicate.model import Statement, in_reading_order
from syndicate.project import Project
from syndicate.render import feeds, pages
from syndicate.site_outputs import render_site_pages

NOW = datetime(2026, 11, 28, tzinfo=UTC)
LIMIT = 2
COUNT = 12  # statements: six pages of each language's feed and index, twelve all-languages


def loaded(root: Path, cache: bool = True, pdfs: bool = True) -> Project:
    """The project, without its communiqués and editions unless ``pdfs`` (as ``publish
    --without-pdf``)."""
    project = pipeline.load(root, cache=cache)
    return project if pdfs else replace(project, site=replace(project.site, pdfs=False))


def publish(root: Path, pdfs: bool = True) -> pipeline.Report:
    return pipeline.publish(loaded(root, pdfs=pdfs), root / "dist", NOW, backend=InProcess())


def recorded_keys(root: Path) -> dict[str, str]:
    """The keys of the current version's feed documents and index pages, as its cache index
    records them (read as JSON, by a reader of its own)."""
    index = json.loads(output.cache_path(root / "dist").read_bytes())
    return {path: record["key"] for path, record in index["documents"].items()
            if not path.startswith("sitemap")}


def pdf_sizes(root: Path) -> dict[str, int]:
    files = json.loads((root / "dist" / "manifest.json").read_bytes())["files"]
    return {f["path"]: f["size"] for f in files if f["kind"] == "pdf" and f["lang"] != "mul"}


def assert_as_from_scratch(root: Path, pdfs: bool = True) -> None:
    """The recorded keys are those made from every statement parsed again (no statement
    cache, no current version), and each feed document and index page in the output is what a
    render from scratch writes."""
    project = loaded(root, cache=False, pdfs=pdfs)
    newest = in_reading_order(project.due(NOW)[0])
    sizes = pdf_sizes(root)
    fresh = {**keys.feed_keys(project, newest, sizes), **keys.index_page_keys(project, newest)}
    assert recorded_keys(root) == fresh
    rendered = [*feeds.render(project.site, newest, sizes, catalogs=project.translations),
                *render_site_pages(project, newest)]
    for artifact in rendered:
        if artifact.path in fresh:
            assert (root / "dist" / artifact.path).read_bytes() == artifact.data, artifact.path


def append(root: Path, statement_id: str, lang: str, text: str) -> None:
    with (root / "statements" / statement_id / f"{lang}.md").open("a", encoding="utf-8") as f:
        f.write(f"\n{text}\n")


def numbered_id(n: int) -> str:
    return f"2020-01-{n:02d}-s"


def test_edits_of_every_kind_leave_the_keys_a_publish_from_scratch_makes(
        tmp_path: Path) -> None:
    root = numbered_project(tmp_path / "p", COUNT, LIMIT)
    publish(root, pdfs=False)
    assert_as_from_scratch(root, pdfs=False)
    changes = [
        lambda: append(root, numbered_id(3), "pt", "Uma frase."),  # an old statement's text
        lambda: write(root / "statements" / numbered_id(9) / "statement.yaml",  # a correction
                      "date: 2020-01-09\noriginal: pt\nupdated: 2020-02-01T10:00:00+00:00\n"),
        lambda: (_png(root / "statements" / numbered_id(6) / "chart.png", "red"),
                 append(root, numbered_id(6), "en", "![A chart](chart.png)")),
        lambda: _png(root / "statements" / numbered_id(6) / "chart.png", "blue"),  # its bytes
        lambda: write(root / "statements" / numbered_id(5) / "en.md",  # a title
                      '---\ntitle: "Statement five, renamed"\n---\n\nText 5.\n'),
        lambda: write(root / "statements" / numbered_id(4) / "statement.yaml",  # moved
                      "date: 2020-01-09\noriginal: pt\n"),
        lambda: add_numbered(root, [COUNT + 1]),  # a new statement: every page moves
        lambda: shutil.rmtree(root / "statements" / numbered_id(7)),  # one gone
        lambda: (root / "statements" / numbered_id(8) / "en.md").unlink(),  # a language gone
        lambda: write(root / "syndicate.toml", (root / "syndicate.toml").read_text(
            encoding="utf-8").replace(f"limit = {LIMIT}", f"limit = {LIMIT + 1}")),
    ]
    for change in changes:
        change()
        publish(root, pdfs=False)
        assert_as_from_scratch(root, pdfs=False)


def _png(path: Path, colour: str) -> None:
    from PIL import Image

    Image.new("RGB", (8, 8), colour).save(path, "PNG")


def test_a_recorded_key_is_taken_under_its_stamp_only_and_when_well_formed(
        tmp_path: Path) -> None:
    statement = loaded(numbered_project(tmp_path / "p", 1, 1), cache=False).statements[0]
    since = keys.Since({"feeds": "s"}, {"feeds": "s", "index": "i"},
                       {"a": {"key": "ka"}, "b": {"key": 7}, "c": "not a record"},
                       frozenset({(statement.id, "en")}))
    assert since.taken("feeds") is since
    assert since.taken("index") is None  # (this publish has no stamp of that kind)
    assert keys.Since({"feeds": "s"}, {"feeds": "t"}).taken("feeds") is None  # (another)
    assert since.keys(["a"], [(statement, "pt")]) == ["ka"]
    assert since.keys(["a"], [(statement, "en")]) is None  # (a translation changed)
    for broken in (["a", "b"], ["c"], ["d"]):  # a key not text, a record not one, none
        assert since.keys(broken, [(statement, "pt")]) is None
    assert keys.Since({"feeds": "s"}, {"feeds": ["s"]}).taken("feeds") is None


def test_an_edit_makes_the_keys_of_the_documents_showing_it_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = numbered_project(tmp_path / "p", COUNT, LIMIT)
    publish(root, pdfs=False)
    made = _counting(monkeypatch)
    write(root / "statements" / numbered_id(3) / "pt.md",
          '---\ntitle: "Comunicado 3, corrigido"\n---\n\nTexto 3.\n')
    report = publish(root, pdfs=False)
    # Statement 3's Portuguese entry is on a page of the Portuguese feed (with statement 4's,
    # as LIMIT is 2) and on one of the all-languages feed (with its English entry): those
    # entries' lines are made, and the inputs of the one Portuguese index page listing it
    # (written again: its title changed); the English page of the same number is reused.
    assert set(made.lines) == {(numbered_id(3), "pt"), (numbered_id(4), "pt"),
                               (numbered_id(3), "en")}
    assert len(made.index_pages) == 1 and made.index_pages[0][0] == "pt"
    number = made.index_pages[0][1]
    assert f"pt/archive/{number}.html" in report.rendered
    assert f"en/archive/{number}.html" in report.reused
    assert_as_from_scratch(root, pdfs=False)


@dataclass
class _Made:
    """Each feed entry's line and each index page's inputs (its language and number) made by
    :mod:`syndicate.keys`."""

    lines: list[tuple[str, str]] = field(default_factory=list)
    index_pages: list[tuple[str, int]] = field(default_factory=list)


def _counting(monkeypatch: pytest.MonkeyPatch) -> _Made:
    made = _Made()
    line, inputs = keys._FeedLines.line, pages.index_page_inputs

    def counted_line(self: keys._FeedLines, statement: Statement, lang: str) -> str:
        made.lines.append((statement.id, lang))
        return line(self, statement, lang)

    def counted_inputs(lang: str, listed: Sequence[Statement], pager: pages.Pager,
                       item: Callable[[Statement, str], object]) -> tuple[object, ...]:
        made.index_pages.append((lang, pager.number))
        return inputs(lang, listed, pager, item)

    monkeypatch.setattr(keys._FeedLines, "line", counted_line)
    monkeypatch.setattr(pages, "index_page_inputs", counted_inputs)
    return made


def test_a_changed_logo_gives_every_entry_its_communiques_new_size(tmp_path: Path) -> None:
    """A logo's new bytes (the same file) lay out every communiqué again, and no page: the
    feeds' entries show the communiqués' new sizes, though no statement changed."""
    root = numbered_project(tmp_path / "p", 3, 1)
    logo = root / "assets" / "logo.svg"
    write(logo, _svg("#003399"))
    (root / "syndicate.toml").write_text(
        (root / "syndicate.toml").read_text(encoding="utf-8")
        .replace("[feeds]", '[pdf]\nlogo = "assets/logo.svg"\n\n[feeds]'), encoding="utf-8")
    publish(root)
    before = pdf_sizes(root)
    write(logo, _svg("#cc0000") + "<!-- " + "a longer logo " * 40 + "-->\n")
    report = publish(root)
    assert pdf_sizes(root) != before  # (else this shows nothing)
    assert not any(path.endswith(".html") and "/archive/" not in path
                   for path in report.rendered if path.count("/") == 2)  # no page again
    assert_as_from_scratch(root)


def _svg(colour: str) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" '
            f'viewBox="0 0 40 40"><rect width="40" height="40" fill="{colour}"/></svg>\n')
