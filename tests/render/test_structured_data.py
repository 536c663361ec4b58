"""What crawlers and link previews read in a publish (issue 22): the JSON-LD ``NewsArticle`` of
every statement page (read with extruct, checked against the page and the feeds), the index and
root pages' description and Open Graph tags, ``robots.txt`` (read with the standard library's
robots parser), the multilingual editions linked from the pages, and one order of statements
everywhere a reader sees a list of them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.robotparser import RobotFileParser

import extruct
import feedparser
import lxml.html
import pytest
from click.testing import CliRunner

from conftest import SHIPPED_ID, append, copy_project, write
from syndicate import publish as pipeline
from syndicate import workflow
from syndicate.cli import main

NOW = "2026-11-28T00:00:00+00:00"
BASE = "https://press.example.org/"
LOGO = BASE + "logo.png"
ISSUERS = {"pt": "Governo de Portugal", "en": "Portuguese Government", "ar": "الحكومة البرتغالية"}
OG_LOCALES = {"pt": "pt_PT", "en": "en_US", "ar": "ar_AR"}
ALPHA, BETA = "2023-03-01-alpha", "2023-03-01-beta"  # the same date and time
EMBARGOED = "2023-02-01-embargoed"  # dated before them, but lifted after them
CORRECTED = "2023-04-01-corrected"  # in three languages, corrected later
EMBARGO_LIFT = "2023-03-05T09:00:00+00:00"  # Lisbon is on UTC in March
CORRECTION = "2023-04-03T12:00:00+01:00"
NEWEST_FIRST = [CORRECTED, EMBARGOED, BETA, ALPHA, SHIPPED_ID]
CONFIG = f"""
[languages.ar]
tag = "ar"
title = "الحكومة البرتغالية — بيانات صحفية"
description = "البيانات الصحفية للحكومة البرتغالية"
issuer = "{ISSUERS['ar']}"

[feeds]
logo = "{LOGO}"
"""


def statement(root: Path, statement_id: str, shared: str, texts: dict[str, str]) -> None:
    folder = root / "statements" / statement_id
    write(folder / "statement.yaml", shared)
    for lang, title in texts.items():
        write(folder / f"{lang}.md", f'---\ntitle: "{title}"\nsummary: "{title}, in short."\n'
                                     f"tags: [{lang}-tag]\n---\n\nThe body of {title}.\n")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("structured") / "project")
    append(root / "syndicate.toml", CONFIG)
    for statement_id in (ALPHA, BETA):
        statement(root, statement_id, "date: 2023-03-01T10:00:00+00:00\noriginal: en\n",
                  {"en": f"Note {statement_id[-4:]}", "pt": f"Nota {statement_id[-4:]}"})
    statement(root, EMBARGOED, f"date: 2023-02-01\nembargo: {EMBARGO_LIFT}\noriginal: en\n",
              {"en": "Embargoed note"})
    statement(root, CORRECTED, f"date: 2023-04-01\nupdated: {CORRECTION}\noriginal: pt\n",
              {"pt": "Nota corrigida", "en": "Corrected note", "ar": "مذكرة مصححة"})
    out = root / "dist"
    result = CliRunner().invoke(main, ["publish", "--project", str(root), "--now", NOW])
    assert result.exit_code == 0, result.output
    return out


def pages(dist: Path) -> list[Path]:
    return sorted(dist.glob("*/*/index.html"))


def article(page: Path) -> dict[str, Any]:
    """The one JSON-LD object of a page, as extruct reads it."""
    found = extruct.extract(page.read_text(encoding="utf-8"), syntaxes=["json-ld"])["json-ld"]
    assert len(found) == 1, found
    data: dict[str, Any] = found[0]
    return data


def head(page: Path) -> dict[str, list[str]]:
    """The page's <meta> values by name or property, and its canonical URL and <h1> texts."""
    tree = lxml.html.fromstring(page.read_bytes())
    found: dict[str, list[str]] = {}
    for element in tree.head.iter("meta"):
        key = element.get("property") or element.get("name")
        if key:
            found.setdefault(key, []).append(element.get("content") or "")
    found["canonical"] = [e.get("href") or "" for e in tree.head.iter("link")
                          if e.get("rel") == "canonical"]
    found["h1"] = [e.text_content() for e in tree.body.iter("h1")]
    found["lang"] = [tree.get("lang") or ""]
    return found


def feed_entry(dist: Path, statement_id: str, lang: str) -> Any:
    parsed = feedparser.parse((dist / lang / "feed.atom").read_bytes())
    [entry] = [e for e in parsed.entries if e.id.endswith(f":{statement_id}/{lang}")]
    return entry


# JSON-LD


def test_every_statement_page_has_one_news_article(dist: Path) -> None:
    assert len(pages(dist)) == 3 * 2 + 1 + 3  # shipped, alpha, beta: 2 each; embargoed 1; 3
    for page in pages(dist):
        lang, statement_id = page.parent.parent.name, page.parent.name
        data, meta = article(page), head(page)
        url = f"{BASE}{lang}/{statement_id}/"
        assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
        assert data["@id"] == data["url"] == data["mainEntityOfPage"] == url
        assert [url] == meta["canonical"] == meta["og:url"]
        assert [data["headline"]] == meta["h1"] == meta["og:title"]
        assert [data["description"]] == meta["description"]
        assert [data["inLanguage"]] == meta["lang"]
        entry = feed_entry(dist, statement_id, lang)
        assert data["datePublished"] == entry.published
        assert [data["datePublished"]] == meta["article:published_time"]
        assert data.get("dateModified") == (entry.updated if statement_id == CORRECTED else None)
        issuer = {"@type": "Organization", "name": ISSUERS[lang], "url": f"{BASE}{lang}/"}
        assert data["author"] == issuer
        assert data["publisher"] == {**issuer, "logo": {"@type": "ImageObject", "url": LOGO}}
        assert [data["image"]["url"]] == meta["og:image"]
        assert (data["image"]["width"], data["image"]["height"]) == (1200, 630)
        assert data["keywords"] == [f"{lang}-tag"] or statement_id == SHIPPED_ID


def test_the_go_live_and_correction_times_are_the_feeds(dist: Path) -> None:
    embargoed = article(dist / "en" / EMBARGOED / "index.html")
    assert embargoed["datePublished"] == EMBARGO_LIFT and "dateModified" not in embargoed
    corrected = article(dist / "ar" / CORRECTED / "index.html")
    assert corrected["datePublished"] == "2023-04-01T00:00:00+01:00"
    assert corrected["dateModified"] == CORRECTION


def test_the_sitemap_says_when_each_page_last_changed_for_readers(dist: Path) -> None:
    """Its lastmod is the page's article:modified_time: the go-live (an embargo's lift, not the
    date) or the correction."""
    from lxml import etree

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = etree.parse(str(dist / "sitemap.xml"))
    lastmod = {url.findtext("s:loc", namespaces=ns): url.findtext("s:lastmod", namespaces=ns)
               for url in sitemap.iterfind("s:url", ns)}
    assert lastmod[f"{BASE}en/{EMBARGOED}/"] == EMBARGO_LIFT
    assert lastmod[f"{BASE}ar/{CORRECTED}/"] == CORRECTION
    for page in pages(dist):
        lang, statement_id = page.parent.parent.name, page.parent.name
        [modified] = lxml.html.parse(str(page)).xpath(
            "//meta[@property='article:modified_time']/@content")
        assert lastmod[f"{BASE}{lang}/{statement_id}/"] == modified


def test_translations_point_at_the_original_and_the_original_at_them(dist: Path) -> None:
    originals = {SHIPPED_ID: "pt", ALPHA: "en", BETA: "en", EMBARGOED: "en", CORRECTED: "pt"}
    for statement_id, original in originals.items():
        found = {page.parent.parent.name: article(page)
                 for page in sorted(dist.glob(f"*/{statement_id}/index.html"))}
        source = found.pop(original)
        assert "translationOfWork" not in source
        listed = {t["@id"]: t["inLanguage"] for t in source.get("workTranslation", [])}
        assert listed == {data["@id"]: data["inLanguage"] for data in found.values()}
        for data in found.values():
            assert "workTranslation" not in data
            assert data["translationOfWork"]["@id"] == source["@id"]
            assert data["translationOfWork"]["inLanguage"] == source["inLanguage"]
    assert "workTranslation" not in article(dist / "en" / EMBARGOED / "index.html")


# Index and root pages


def test_index_and_root_pages_describe_themselves_for_link_previews(dist: Path) -> None:
    root = head(dist / "index.html")
    assert len(root["h1"]) == 1 and root["h1"] == root["og:title"]
    for page, lang in [(dist / "index.html", "pt"), *((dist / c / "index.html", c)
                                                      for c in ("pt", "en", "ar"))]:
        meta = head(page)
        url = BASE if page.parent == dist else f"{BASE}{lang}/"
        assert meta["og:type"] == ["website"]
        assert meta["og:url"] == meta["canonical"] == [url]
        assert meta["description"] == meta["og:description"] and meta["description"][0]
        assert meta["og:site_name"][0] and meta["og:title"][0]
        assert meta["og:locale"] == [OG_LOCALES[lang]]
        assert sorted(meta["og:locale:alternate"]) == sorted(
            v for k, v in OG_LOCALES.items() if k != lang)
        assert meta["og:image"] == [LOGO]
        assert len(meta["h1"]) == 1


def test_arabic_is_ar_ar_in_open_graph(dist: Path) -> None:
    assert head(dist / "ar" / CORRECTED / "index.html")["og:locale"] == ["ar_AR"]
    assert "ar_AR" in head(dist / "en" / CORRECTED / "index.html")["og:locale:alternate"]


def test_robots_txt_names_the_sitemap_and_is_in_the_manifest(dist: Path) -> None:
    data = (dist / "robots.txt").read_bytes()
    parser = RobotFileParser()
    parser.parse(data.decode("utf-8").splitlines())
    assert parser.site_maps() == [BASE + "sitemap.xml"]
    assert parser.can_fetch("AnyBot", BASE + "en/") and parser.can_fetch("*", BASE)
    files = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))["files"]
    [entry] = [f for f in files if f["path"] == "robots.txt"]
    assert entry["kind"] == "robots" and entry["size"] == len(data)


# Editions


def test_statement_pages_link_the_editions_they_are_in(dist: Path) -> None:
    for statement_id, edition, langs in [
        (SHIPPED_ID, f"{SHIPPED_ID}-bilingual.pdf", ("pt", "en")),
        (CORRECTED, f"{CORRECTED}-multilingual.pdf", ("pt", "en", "ar")),
    ]:
        assert (dist / edition).read_bytes().startswith(b"%PDF-")
        for lang in langs:
            tree = lxml.html.fromstring((dist / lang / statement_id / "index.html").read_bytes())
            links = [a for a in tree.iter("a") if a.get("href") == BASE + edition]
            assert len(links) == 1 and links[0].get("type") == "application/pdf"
            assert "English" in links[0].text_content()
    tree = lxml.html.fromstring((dist / "en" / EMBARGOED / "index.html").read_bytes())
    assert [a.get("href") for a in tree.iter("a") if a.get("type") == "application/pdf"] == [
        f"{BASE}en/{EMBARGOED}/{EMBARGOED}-en.pdf"]  # one language: no edition


# One order


def listed(dist: Path, lang: str) -> list[str]:
    """The statement ids of ``lang``'s index page, top to bottom."""
    tree = lxml.html.fromstring((dist / lang / "index.html").read_bytes())
    return [(a.get("href") or "").rstrip("/").rsplit("/", 1)[-1]
            for a in tree.iterfind(".//ol//a")]


def test_feeds_index_pages_and_status_list_statements_in_one_order(dist: Path) -> None:
    """Newest go-live first; of two going live together, the greater id first."""
    for lang in ("en", "pt", "ar"):
        index = listed(dist, lang)
        assert index == [i for i in NEWEST_FIRST if (dist / lang / i).is_dir()]
        for fmt in ("atom", "rss"):
            parsed = feedparser.parse((dist / lang / f"feed.{fmt}").read_bytes())
            assert [e.id.rsplit(":", 1)[1].split("/")[0] for e in parsed.entries] == index
        feed = json.loads((dist / lang / "feed.json").read_text(encoding="utf-8"))
        assert [item["url"].rstrip("/").rsplit("/", 1)[-1] for item in feed["items"]] == index
    combined = feedparser.parse((dist / "feed.atom").read_bytes())
    ids = [e.id.rsplit(":", 1)[1].split("/")[0] for e in combined.entries]
    assert list(dict.fromkeys(ids)) == NEWEST_FIRST
    project = pipeline.load(dist.parent)
    rows = workflow.status(project.site, project.statements, datetime.fromisoformat(NOW))
    assert list(dict.fromkeys(row.statement for row in rows)) == NEWEST_FIRST
