"""A language's index in pages: the newest statements on the index, the older ones on archive
pages numbered from the oldest that stay the same as statements arrive; read with lxml."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import add_numbered, numbered_project
from syndicate.cli import main

NOW = "2026-11-28T00:00:00+00:00"
BASE = "https://press.example.org/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def publish(root: Path) -> Path:
    result = CliRunner().invoke(main, ["publish", "--project", str(root), "--now", NOW])
    assert result.exit_code == 0, result.output
    return root / "dist"


def listed(page: Path) -> list[str]:
    """The titles an index page lists, in order."""
    return [a.text_content() for a in
            lxml.html.fromstring(page.read_bytes()).xpath('//ol[@class="statements"]/li/a')]


def links(page: Path) -> dict[str, str]:
    """The pager's links (rel -> URL) and the canonical URL of an index page."""
    document = lxml.html.fromstring(page.read_bytes())
    found = {a.get("rel"): a.get("href") for a in document.xpath('//nav[@class="pager"]/a')}
    found["canonical"] = document.xpath('//link[@rel="canonical"]')[0].get("href")
    return found


@pytest.fixture(scope="module")
def seven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return numbered_project(tmp_path_factory.mktemp("index") / "project", 7, limit=3)


def test_the_index_lists_the_newest_and_links_the_archive(seven: Path) -> None:
    out = publish(seven)
    assert listed(out / "pt" / "index.html") == [f"Comunicado {n}" for n in (7, 6, 5, 4)]
    assert listed(out / "pt" / "archive" / "1.html") == [f"Comunicado {n}" for n in (3, 2, 1)]
    assert listed(out / "en" / "archive" / "1.html") == [f"Statement {n}" for n in (3, 2, 1)]
    assert links(out / "pt" / "index.html") == {
        "next": f"{BASE}pt/archive/1.html", "canonical": f"{BASE}pt/"}
    assert links(out / "pt" / "archive" / "1.html") == {
        "prev": f"{BASE}pt/", "canonical": f"{BASE}pt/archive/1.html"}
    archive = lxml.html.fromstring((out / "pt" / "archive" / "1.html").read_bytes())
    assert archive.findtext(".//title") == "Comunicados — Arquivo 1"
    assert [a.text_content() for a in archive.xpath('//nav[@class="pager"]/a')] == [
        "Comunicados mais recentes"]
    assert archive.xpath("//link[@hreflang]") == []  # no page is its translation
    assert archive.get("lang") == "pt-PT"
    sitemap = etree.parse(str(out / "sitemap.xml"))
    locations = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert f"{BASE}pt/archive/1.html" in locations and f"{BASE}en/archive/1.html" in locations


def test_archive_pages_stay_as_statements_arrive(seven: Path) -> None:
    out = publish(seven)
    first = (out / "pt" / "archive" / "1.html").read_bytes()
    add_numbered(seven, range(8, 11))
    out = publish(seven)
    # A full page changes once: its "newer" link goes to the next page once there is one.
    assert (out / "pt" / "archive" / "1.html").read_bytes() == first.replace(
        f'rel="prev" href="{BASE}pt/"'.encode(),
        f'rel="prev" href="{BASE}pt/archive/2.html"'.encode())
    assert listed(out / "pt" / "archive" / "2.html") == [f"Comunicado {n}" for n in (6, 5, 4)]
    assert listed(out / "pt" / "index.html") == [f"Comunicado {n}" for n in (10, 9, 8, 7)]
    assert links(out / "pt" / "index.html")["next"] == f"{BASE}pt/archive/2.html"
    assert links(out / "pt" / "archive" / "2.html") == {
        "prev": f"{BASE}pt/", "next": f"{BASE}pt/archive/1.html",
        "canonical": f"{BASE}pt/archive/2.html"}
    assert links(out / "pt" / "archive" / "1.html")["prev"] == f"{BASE}pt/archive/2.html"
    pages = {n: (out / "pt" / "archive" / f"{n}.html").read_bytes() for n in (1, 2)}
    files = {n: (out / "pt" / "archive" / f"{n}.html").stat().st_ino for n in (1, 2)}
    add_numbered(seven, range(11, 12))
    out = publish(seven)
    assert {n: (out / "pt" / "archive" / f"{n}.html").read_bytes() for n in (1, 2)} == pages
    # Not even written again: the same files, linked from the previous version.
    assert {n: (out / "pt" / "archive" / f"{n}.html").stat().st_ino for n in (1, 2)} == files


def summaries(page: Path) -> list[str]:
    """The summaries an index page shows, in order."""
    return [p.text_content() for p in
            lxml.html.fromstring(page.read_bytes()).xpath('//ol[@class="statements"]/li/p')]


def test_an_edited_summary_is_shown_by_the_archive_page_listing_it(tmp_path: Path) -> None:
    """Each page is taken from the previous version while what it shows is unchanged: a new
    summary is a change (its statement parsed again, the others from the statement cache)."""
    root = numbered_project(tmp_path / "project", 7, limit=3)
    out = publish(root)
    archive = out / "en" / "archive" / "1.html"
    assert summaries(archive) == []
    english = root / "statements" / "2020-01-02-s" / "en.md"
    english.write_text(english.read_text(encoding="utf-8").replace(
        'title: "Statement 2"', 'title: "Statement 2"\nsummary: "Now with a summary."'),
        encoding="utf-8")
    index = (out / "en" / "index.html").stat().st_ino
    out = publish(root)
    assert listed(archive) == [f"Statement {n}" for n in (3, 2, 1)]
    assert summaries(archive) == ["Now with a summary."]
    assert (out / "en" / "index.html").stat().st_ino == index  # (it lists 7 to 4: kept)


@pytest.mark.parametrize("limit", [("MAX_URLS", 3), ("MAX_BYTES", 2_000)])
def test_a_sitemap_past_the_protocols_limits_is_an_index_of_sitemaps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: tuple[str, int]) -> None:
    """Past 50,000 URLs or 50 MB (here, lowered), sitemap.xml is a sitemap index whose
    numbered sitemaps list every URL the single file lists, each within the limits."""
    from syndicate.render import sitemap as sitemaps

    root = numbered_project(tmp_path / "project", 4, limit=3)

    def published(out: str) -> Path:
        result = CliRunner().invoke(main, ["publish", "--project", str(root), "--now", NOW,
                                           "--without-pdf", "--out", str(root / out)])
        assert result.exit_code == 0, result.output
        return root / out

    whole = etree.parse(str(published("whole") / "sitemap.xml")).getroot()
    assert whole.tag == f"{SITEMAP}urlset"
    monkeypatch.setattr(sitemaps, *limit)
    out = published("parts")
    index = etree.parse(str(out / "sitemap.xml")).getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    listed = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert listed == [f"{BASE}sitemap-{n}.xml" for n in range(1, len(listed) + 1)]
    assert len(listed) > 1
    urls = []
    for loc in listed:
        data = (out / loc.removeprefix(BASE)).read_bytes()
        part = etree.fromstring(data)
        assert part.tag == f"{SITEMAP}urlset"
        assert len(part) <= (limit[1] if limit[0] == "MAX_URLS" else 50_000)
        assert limit[0] == "MAX_URLS" or len(data) <= limit[1] or len(part) == 1
        urls += [etree.tostring(url, with_tail=False) for url in part]
    assert urls == [etree.tostring(url, with_tail=False) for url in whole]  # all, in order
    modified = [e.text for e in index.iter(f"{SITEMAP}lastmod")]
    assert modified and all(modified)  # (each part lists statement pages)
    assert etree.tostring(index, xml_declaration=True, encoding="UTF-8",
                          pretty_print=True) == (out / "sitemap.xml").read_bytes()
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert all(f'"{loc.removeprefix(BASE)}"' in manifest for loc in listed)
