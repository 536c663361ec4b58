"""A republish reuses the full feed archive documents and leaves older versions to the trash."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import SHIPPED_ID, numbered_project
from syndicate import publish as pipeline
from syndicate import statement_entries
from syndicate.backends import InProcess
from syndicate.files import read_regular
from syndicate.output import trash_dir
from syndicate.render import feeds

NOW = datetime(2026, 11, 28, tzinfo=UTC)
NEWEST = "2023-02-10-third-statement"


def publish(root: Path) -> pipeline.Report:
    return pipeline.publish(pipeline.load(root, cache=True), root / "dist", NOW,
                            backend=InProcess())


def edit(root: Path, statement_id: str, text: str) -> None:
    with (root / "statements" / statement_id / "pt.md").open("a", encoding="utf-8") as file:
        file.write(f"\n{text}\n")


def fresh_feeds(root: Path) -> dict[str, bytes]:
    """Every feed document rendered from scratch, with the PDF sizes the output lists."""
    project = pipeline.load(root)
    files = json.loads((root / "dist" / "manifest.json").read_bytes())["files"]
    sizes = {f["path"]: f["size"] for f in files if f["kind"] == "pdf" and f["lang"] != "mul"}
    published, _ = project.due(NOW)
    return {a.path: a.data for a in feeds.render(project.site, published, sizes)}


def three_statements(project: Path) -> None:
    """The shipped statement and two newer ones, one feed entry a page."""
    toml = project / "syndicate.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[feeds]\nlimit = 1\n", encoding="utf-8")
    for statement_id, day in (("2023-01-10-second-statement", "2023-01-10"),
                              (NEWEST, "2023-02-10")):
        shutil.copytree(project / "statements" / SHIPPED_ID, project / "statements" / statement_id)
        (project / "statements" / statement_id / "statement.yaml").write_text(
            f"date: {day}\noriginal: pt\n", encoding="utf-8")


def test_archives_are_reused_byte_for_byte_and_old_versions_trashed(project: Path) -> None:
    three_statements(project)
    first = publish(project)
    archives = {p for p in first.rendered if "/archive/" in f"/{p}" and not p.endswith(".html")}
    # 3 statements, one entry a page: two archives a language and format, five combined
    assert len(archives) == 2 * 2 * 2 + 5
    pages = {p for p in first.rendered if "/archive/" in f"/{p}" and p.endswith(".html")}
    assert pages == {f"{lang}/archive/{n}.html" for lang in ("pt", "en") for n in (1, 2)}
    trash = trash_dir(project / "dist")
    assert not trash.exists() or not any(trash.iterdir())

    edit(project, NEWEST, "Uma frase acrescentada.")
    second = publish(project)
    # The newest statement's Portuguese entry is the current one (its English one, on the
    # newest combined archive page, shows nothing of the Portuguese file): every archive
    # page is reused.
    assert not {p for p in second.rendered if "/archive/" in f"/{p}"}
    assert archives | pages <= set(second.reused)  # the index pages too
    fresh = fresh_feeds(project)
    for path in archives:
        assert (project / "dist" / path).read_bytes() == fresh[path], path
    retired = [entry.name for entry in trash.iterdir()]
    assert len(retired) == 1  # the first version, moved aside in one rename

    edit(project, NEWEST, "Outra frase.")
    publish(project)
    assert [entry.name for entry in trash.iterdir()] != retired  # emptied, then the second
    assert len(list(trash.iterdir())) == 1
    assert (project / "dist" / "archive" / "1.atom").read_bytes() == fresh["archive/1.atom"]


SUBSCRIPTIONS = {f"{lang}/feed.{fmt}" for lang in ("pt", "en") for fmt in ("rss", "atom", "json")}
SUBSCRIPTIONS.add("feed.atom")  # all languages


def test_an_edit_of_an_older_statement_leaves_the_subscription_documents_as_they_were(
    project: Path,
) -> None:
    three_statements(project)
    publish(project)
    before = {path: (project / "dist" / path).read_bytes() for path in SUBSCRIPTIONS}
    edit(project, SHIPPED_ID, "Uma correção.")  # the oldest: on the first archive pages only
    report = publish(project)
    feed_documents = {p for p in report.rendered if p.endswith((".rss", ".atom", ".json"))
                      and ("feed." in p or "archive/" in p)}
    # Its Portuguese entry: the first Portuguese archive pages, and the all-languages feed's
    # second (newest first: pt, en; so en is the oldest entry). Its English entry shows
    # nothing of the Portuguese file: the English documents stay as they were.
    assert feed_documents == {"pt/archive/1.rss", "pt/archive/1.atom", "archive/2.atom"}
    assert SUBSCRIPTIONS | {"en/archive/1.rss", "en/archive/1.atom", "archive/1.atom"} <= set(
        report.reused)
    fresh = fresh_feeds(project)
    for path in SUBSCRIPTIONS:
        assert (project / "dist" / path).read_bytes() == before[path] == fresh[path], path
    for path, data in fresh.items():  # (every document as one rendered from scratch)
        assert (project / "dist" / path).read_bytes() == data, path

    edit(project, NEWEST, "Outra frase.")  # the newest: in every subscription document
    report = publish(project)
    portuguese = {path for path in SUBSCRIPTIONS if not path.startswith("en/")}
    assert portuguese <= set(report.rendered)  # (the all-languages feed's too)
    assert SUBSCRIPTIONS - portuguese <= set(report.reused)  # (its English entry unchanged)
    fresh = fresh_feeds(project)
    for path in SUBSCRIPTIONS:
        assert (project / "dist" / path).read_bytes() == fresh[path], path


def test_a_statements_words_are_read_once_per_language_for_every_feed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's entries are in its RSS and Atom documents (the subscription page's in the JSON
    Feed too), and every statement is in the all-languages feed: the words of each are read
    from the statement cache once per language, and once more for the all-languages feed
    (whose entries of one statement follow each other), not once per document. 39
    statements at 10 a page: 19 on each subscription page, the most a page holds."""
    root = numbered_project(tmp_path / "p", 39, 10)
    project = pipeline.load(root, cache=True)  # (each statement's words left in its entry)
    published, _ = project.due(NOW)
    reads: list[str] = []

    def counted(path: str | Path) -> bytes:
        reads.append(str(path))
        return read_regular(path)

    monkeypatch.setattr(statement_entries, "read_regular", counted)
    documents = list(feeds.render(project.site, published, {}))
    # per language 3 subscription documents and 2 archives in 2 formats; 1 + 6 combined
    assert len(documents) == 2 * (3 + 2 * 2) + 7
    assert len(reads) == 3 * 39
    assert len(set(reads)) == 39
