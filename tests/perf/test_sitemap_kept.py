"""The sitemap is taken from the current version when what it lists is unchanged (issue 26: at
16,000 statements it is 16 MB written again at every edit), and written again, every file of
it, when anything it shows changed. Read back with lxml; never timed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from conftest import add_numbered, numbered_project
from syndicate import publish as pipeline
from syndicate.backends import InProcess
from syndicate.carry import UNITS_START, unit_records
from syndicate.render import sitemap

NOW = datetime(2026, 11, 28, tzinfo=UTC)
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def publish(root: Path) -> pipeline.Report:
    project = pipeline.load(root, cache=True)
    project = replace(project, site=replace(project.site, pdfs=False))
    return pipeline.publish(project, root / "dist", NOW, backend=InProcess())


def listed(root: Path) -> dict[str, str]:
    """Each statement page's URL in the published sitemap, with its lastmod ("" for none)."""
    tree = etree.parse(str(root / "dist" / "sitemap.xml"))
    return {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", "", NS)
            for url in tree.iterfind("s:url", NS)
            if "-s/" in url.findtext("s:loc", namespaces=NS)}


def written(report: pipeline.Report) -> set[str]:
    return {path for path in report.rendered if path.startswith("sitemap")}


def test_kept_while_its_pages_and_dates_are_the_same_written_again_when_not(
        tmp_path: Path) -> None:
    root = numbered_project(tmp_path / "p", 6, limit=2)
    publish(root)
    folder = root / "statements" / "2020-01-03-s"
    english = folder / "en.md"
    english.write_text(english.read_text(encoding="utf-8").replace("Text 3.", "Text three.")
                       .replace("Statement 3", "Third"), encoding="utf-8")
    report = publish(root)  # (words and a title: no page, no date changed)
    assert written(report) == set() and "sitemap.xml" in report.reused
    original = folder / "pt.md"  # (the original, the statement's first translation)
    original.write_text(original.read_text(encoding="utf-8").replace("Texto 3.", "Texto três."),
                        encoding="utf-8")
    report = publish(root)
    assert written(report) == set() and "sitemap.xml" in report.reused

    (folder / "statement.yaml").write_text(
        "date: 2020-01-03\noriginal: pt\nupdated: 2020-02-01T10:00:00+00:00\n", encoding="utf-8")
    report = publish(root)
    assert written(report) == {"sitemap.xml"}
    assert listed(root)["https://press.example.org/en/2020-01-03-s/"].startswith("2020-02-01")

    add_numbered(root, [7])
    assert written(publish(root)) == {"sitemap.xml"}
    assert "https://press.example.org/pt/2020-01-07-s/" in listed(root)

    (root / "statements" / "2020-01-02-s" / "en.md").unlink()
    assert written(publish(root)) == {"sitemap.xml"}
    assert "https://press.example.org/en/2020-01-02-s/" not in listed(root)
    assert "https://press.example.org/pt/2020-01-02-s/" in listed(root)

    (root / "statements" / "2020-01-02-s" / "en.md").write_text(
        '---\ntitle: "Back"\n---\n\nBack.\n', encoding="utf-8")
    assert written(publish(root)) == {"sitemap.xml"}
    assert "https://press.example.org/en/2020-01-02-s/" in listed(root)


def test_written_again_for_a_new_site_setting(tmp_path: Path) -> None:
    root = numbered_project(tmp_path / "p", 3, limit=2)
    publish(root)
    config = root / "syndicate.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "https://press.example.org/", "https://news.example.org/"), encoding="utf-8")
    assert written(publish(root)) == {"sitemap.xml"}
    assert "https://news.example.org/pt/2020-01-01-s/" in listed(root)


def test_a_sitemap_in_parts_is_kept_whole_or_written_again_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemap, "MAX_URLS", 5)  # (so that six statements need four files)
    root = numbered_project(tmp_path / "p", 6, limit=2)
    files = written(publish(root))
    assert len(files) > 2 and "sitemap-2.xml" in files
    before = {name: (root / "dist" / name).read_bytes() for name in files}
    english = root / "statements" / "2020-01-03-s" / "en.md"
    english.write_text(english.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    report = publish(root)
    assert written(report) == set() and files <= set(report.reused)

    for gone in ("sitemap-2.xml", "sitemap.xml"):  # (one of its files gone by hand)
        (root / "dist" / gone).unlink()
        english.write_text(english.read_text(encoding="utf-8") + "\nAgain.\n",
                           encoding="utf-8")
        report = publish(root)
        assert written(report) == files
        assert {name: (root / "dist" / name).read_bytes() for name in files} == before


def test_a_part_the_cache_index_no_longer_records_makes_it_written_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemap, "MAX_URLS", 5)
    root = numbered_project(tmp_path / "p", 6, limit=2)
    files = written(publish(root))
    index = root / ".dist.cache.json"
    first, rest = index.read_text(encoding="utf-8").split("\n", 1)
    header = json.loads(first.removesuffix(UNITS_START) + "}")  # (laid out as carry writes it)
    last = max(files - {"sitemap.xml"}, key=lambda name: int(name[8:-4]))
    del header["documents"][last]  # (as a damaged index would lose it)
    index.write_text(json.dumps(header)[:-1] + UNITS_START + "\n" + rest, encoding="utf-8")
    assert unit_records(index.read_bytes()) is not None  # (the rest of it still used)
    english = root / "statements" / "2020-01-03-s" / "en.md"
    english.write_text(english.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    report = publish(root)
    assert written(report) == files and "pt/index.html" in report.reused
    assert (root / "dist" / last).is_file()
