"""Web pages, social cards and the sitemap, read back with html5lib and lxml."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import pytest
from click.testing import Result
from lxml import etree
from twitter_text import parse_tweet

from conftest import SHIPPED_ID, copy_project, write
from syndicate.cli import main

NOW = "2026-11-28T00:00:00+00:00"
BASE = "https://press.example.org/"
EN_ONLY, PT_ONLY = "2023-05-01-en-only", "2024-01-15-pt-only"
OG_LOCALES = {"pt": "pt_PT", "en": "en_US"}
TAGS = {"pt": "pt-PT", "en": "en"}
TITLES = {
    "en": "Portugal supports António Vitorino's candidacy for Director-General of the IOM",
    "pt": "Governo apoia candidatura de António Vitorino a Diretor-Geral da OIM",
}
PLATFORMS = ["x", "bluesky", "mastodon", "threads", "linkedin", "facebook", "whatsapp",
             "telegram", "reddit", "email", "sms"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project, dist): the shipped project plus an English-only and a Portuguese-only one."""

    from click.testing import CliRunner

    root = copy_project(tmp_path_factory.mktemp("pages") / "project")
    write(root / "statements" / EN_ONLY / "statement.yaml", "date: 2023-05-01\noriginal: en\n")
    write(root / "statements" / EN_ONLY / "en.md",
          '---\ntitle: "Only in English"\nsummary: "A summary."\n---\n\nBody.\n')
    write(root / "statements" / PT_ONLY / "statement.yaml", "date: 2024-01-15\noriginal: pt\n")
    write(root / "statements" / PT_ONLY / "pt.md",
          '---\ntitle: "Só em português: ação e coração"\n---\n\nCorpo.\n')
    out = root / "dist"
    result = CliRunner().invoke(main, ["publish", "--project", str(root), "--now", NOW])
    assert result.exit_code == 0, result.output
    return root, out


def parse(path: Path) -> ET.Element:
    document: ET.Element = html5lib.parse(path.read_bytes(), treebuilder="etree",
                                          namespaceHTMLElements=False)
    return document


def metas(document: ET.Element, attribute: str, name: str) -> list[str]:
    return [m.get("content", "") for m in document.iter("meta") if m.get(attribute) == name]


def meta(document: ET.Element, attribute: str, name: str) -> str:
    [value] = metas(document, attribute, name)
    return value


def hreflangs(document: ET.Element) -> dict[str, str]:
    head = document.find("head")
    assert head is not None
    links = [link for link in head.iter("link") if link.get("hreflang")]
    found = {link.get("hreflang", ""): link.get("href", "") for link in links}
    assert len(found) == len(links), "an hreflang is listed twice"
    return found


def page_file(dist: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return dist / url[len(BASE):] / "index.html"


def html_pages(dist: Path) -> list[Path]:
    return sorted(dist.rglob("*.html"))


def test_hreflang_reciprocal_on_every_page(site: tuple[Path, Path]) -> None:
    _, dist = site
    pages = html_pages(dist)
    assert len(pages) == 1 + 2 + 2 + 2  # root, indexes, shipped, two one-language statements
    for path in pages:
        document = parse(path)
        canonical = [link.get("href", "") for link in document.iter("link")
                     if link.get("rel") == "canonical"]
        assert len(canonical) == 1
        alternates = hreflangs(document)
        assert canonical[0] in alternates.values(), path  # a page lists itself
        for tag, url in alternates.items():
            target = page_file(dist, url)
            assert target.is_file(), (path, url)
            assert hreflangs(parse(target)) == alternates, (path, url)  # reciprocal
            if tag != "x-default":
                assert parse(target).get("lang") == tag


def test_one_language_statements_list_only_themselves(site: tuple[Path, Path]) -> None:
    _, dist = site
    assert hreflangs(parse(dist / "en" / EN_ONLY / "index.html")) == {
        "en": f"{BASE}en/{EN_ONLY}/"  # no x-default: the default language (pt) is missing
    }
    assert hreflangs(parse(dist / "pt" / PT_ONLY / "index.html")) == {
        "pt-PT": f"{BASE}pt/{PT_ONLY}/", "x-default": f"{BASE}pt/{PT_ONLY}/"
    }
    assert not (dist / "pt" / EN_ONLY).exists() and not (dist / "en" / PT_ONLY).exists()
    assert metas(parse(dist / "pt" / PT_ONLY / "index.html"), "property",
                 "og:locale:alternate") == []


def test_every_head_url_is_absolute(site: tuple[Path, Path]) -> None:
    _, dist = site
    url_properties = {"og:url", "og:image", "twitter:image"}
    for path in html_pages(dist):
        document = parse(path)
        head = document.find("head")
        assert head is not None
        urls = [link.get("href", "") for link in head.iter("link")]
        urls += [m.get("content", "") for m in head.iter("meta")
                 if (m.get("property") or m.get("name")) in url_properties]
        assert urls
        for url in urls:
            parts = urlsplit(url)
            assert parts.scheme == "https" and parts.netloc == "press.example.org", (path, url)


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_statement_head_previews_in_its_own_language(site: tuple[Path, Path], lang: str) -> None:
    _, dist = site
    other = "en" if lang == "pt" else "pt"
    document = parse(dist / lang / SHIPPED_ID / "index.html")
    share = json.loads((dist / lang / SHIPPED_ID / "share.json").read_text(encoding="utf-8"))
    url = f"{BASE}{lang}/{SHIPPED_ID}/"
    card = f"{url}card.png"
    assert document.get("lang") == TAGS[lang]
    assert meta(document, "property", "og:type") == "article"
    assert meta(document, "property", "og:title") == TITLES[lang]
    assert meta(document, "name", "twitter:title") == TITLES[lang]
    assert meta(document, "property", "og:url") == url
    description = meta(document, "property", "og:description")
    assert description and meta(document, "name", "twitter:description") == description
    assert meta(document, "property", "og:image") == card
    assert meta(document, "name", "twitter:image") == card
    assert meta(document, "name", "twitter:card") == "summary_large_image"
    assert meta(document, "property", "og:image:width") == "1200"
    assert meta(document, "property", "og:image:height") == "630"
    alt = meta(document, "property", "og:image:alt")
    assert TITLES[lang] in alt and meta(document, "name", "twitter:image:alt") == alt
    assert ("22 de novembro de 2022" if lang == "pt" else "November 22, 2022") in alt
    og_locale = meta(document, "property", "og:locale")
    assert re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", og_locale) and og_locale == OG_LOCALES[lang]
    assert metas(document, "property", "og:locale:alternate") == [OG_LOCALES[other]]
    assert datetime.fromisoformat(meta(document, "property", "article:published_time"))
    assert datetime.fromisoformat(meta(document, "property", "article:modified_time"))
    tags = metas(document, "property", "article:tag")
    assert tags == (["migrações", "OIM", "multilateralismo"] if lang == "pt"
                    else ["migration", "IOM", "multilateralism"])
    # Nothing of the other language leaks into the preview.
    head_text = " ".join(m.get("content", "") for m in document.iter("meta"))
    assert TITLES[other] not in head_text
    assert f"{BASE}{other}/" not in head_text  # the other language only in hreflang links
    assert share["x"]["url"] == url


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_cards_are_per_language_pngs_in_the_manifest(site: tuple[Path, Path]) -> None:
    _, dist = site
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    cards = {(e["lang"], e["statement"]): e for e in manifest["files"]
             if e["kind"] == "png" and e["path"].endswith("/card.png")}
    assert set(cards) == {("pt", SHIPPED_ID), ("en", SHIPPED_ID), ("en", EN_ONLY),
                          ("pt", PT_ONLY)}
    pt = (dist / "pt" / SHIPPED_ID / "card.png").read_bytes()
    en = (dist / "en" / SHIPPED_ID / "card.png").read_bytes()
    assert png_size(pt) == png_size(en) == (1200, 630)
    assert pt != en
    assert cards[("pt", SHIPPED_ID)]["path"] == f"pt/{SHIPPED_ID}/card.png"


def test_card_is_the_same_bytes_when_rendered_again(site: tuple[Path, Path]) -> None:
    from syndicate import publish
    from syndicate.render.cards import CardRenderer

    root, dist = site
    project = publish.load(root)
    statement = project.statement(SHIPPED_ID)
    again = CardRenderer(project.site).render(statement, "pt")
    assert again.data == (dist / "pt" / SHIPPED_ID / "card.png").read_bytes()



def test_card_stylesheet_parsed_once_gives_the_bytes_of_it_inlined(
    site: tuple[Path, Path],
) -> None:
    """The card's stylesheet, parsed once per renderer and given as a user stylesheet, makes the
    very card it made inlined before the title's size (both author rules)."""
    from syndicate import publish
    from syndicate.render.cards import STYLESHEET, CardRenderer

    root, dist = site
    project = publish.load(root)
    inlined = CardRenderer(project.site)
    inlined._stylesheets = []
    for lang in ("pt", "en"):
        html = inlined.html(project.statement(SHIPPED_ID), lang)
        assert STYLESHEET not in html
        assert inlined.png(html.replace("<style>", f"<style>{STYLESHEET}", 1)) == (
            dist / lang / SHIPPED_ID / "card.png").read_bytes()


def test_a_card_laid_out_uncompressed_is_the_png_of_one_compressed(
    site: tuple[Path, Path],
) -> None:
    """Cards are laid out with their PDF streams left uncompressed (the PDF is only rasterized):
    the published PNG is the very one of the PDF compressed as the communiqués are."""
    from syndicate import publish
    from syndicate.render.cards import CardRenderer
    from syndicate.render.preview import first_page_png

    root, dist = site
    project = publish.load(root)
    renderer = CardRenderer(project.site)
    for lang in ("pt", "en"):
        html = renderer.html(project.statement(SHIPPED_ID), lang)
        compressed = renderer._html_class(string=html, base_url=None).write_pdf(
            font_config=renderer._font_config, stylesheets=renderer._stylesheets)
        assert len(compressed) < len(renderer.pdf(html))  # (the streams were compressed)
        assert first_page_png(compressed, (1200, 630)) == (
            dist / lang / SHIPPED_ID / "card.png").read_bytes()


def test_sitemap_lists_every_page_with_its_translations(site: tuple[Path, Path]) -> None:
    _, dist = site
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "x": "http://www.w3.org/1999/xhtml"}
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    assert [e["path"] for e in manifest["files"] if e["kind"] == "sitemap"] == ["sitemap.xml"]
    tree = etree.parse(str(dist / "sitemap.xml"))
    entries = {
        url.findtext("s:loc", namespaces=ns): {
            link.get("hreflang"): link.get("href")
            for link in url.findall("x:link[@rel='alternate']", namespaces=ns)
        }
        for url in tree.getroot().findall("s:url", namespaces=ns)
    }
    pages = {BASE if p.parent == dist else BASE + p.parent.relative_to(dist).as_posix() + "/"
             for p in html_pages(dist)}
    assert set(entries) == pages
    for loc, alternates in entries.items():
        assert loc in alternates.values()
        for href in alternates.values():
            assert entries[href] == alternates  # reciprocal
        assert alternates == hreflangs(parse(page_file(dist, loc)))  # and as on the page
    assert entries[f"{BASE}pt/{SHIPPED_ID}/"]["en"] == f"{BASE}en/{SHIPPED_ID}/"


def test_the_sitemap_is_written_as_lxml_writes_it_even_with_odd_characters(
    project: Path,
) -> None:
    import dataclasses

    from syndicate import publish
    from syndicate.render import sitemap

    loaded = publish.load(project)
    odd = 'https://example.org/a&b<c>"d\'e/ção/'
    site = dataclasses.replace(loaded.site, base_url=odd)
    published, _ = loaded.due(datetime.fromisoformat(NOW))
    [only] = sitemap.render(site, published)
    data = only.data
    root = etree.fromstring(data)
    # lxml reads it back to the same values and writes the very same bytes
    assert etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True) == data
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    assert root.findtext("s:url/s:loc", namespaces=ns) == odd
    assert root.find("s:url/x:link[@hreflang='x-default']", namespaces=ns).get("href") == odd
    assert len(root.findall("s:url", namespaces=ns)) == 1 + 2 + 2  # root, indexes, pages


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_statement_page_is_semantic_and_has_a_share_panel(
    site: tuple[Path, Path], lang: str
) -> None:
    _, dist = site
    other = "en" if lang == "pt" else "pt"
    path = dist / lang / SHIPPED_ID / "index.html"
    document = parse(path)
    body = document.find("body")
    assert body is not None
    for landmark in ("header", "nav", "main", "footer"):
        assert document.find(f".//{landmark}") is not None, landmark
    assert [e.tag for e in body] == ["header", "main", "footer"]
    times = list(document.iter("time"))
    assert times and all(datetime.fromisoformat(t.get("datetime", "")) for t in times)
    switcher = [a for a in document.iterfind(".//nav//a")]
    assert [(a.get("href"), a.get("hreflang")) for a in switcher] == [
        (f"{BASE}{other}/{SHIPPED_ID}/", TAGS[other])
    ]
    # No script but the JSON-LD data block, which browsers never run
    assert [e.get("type") for e in document.iter("script")] == ["application/ld+json"]
    assert list(document.iter("iframe")) == []
    # The one image is the PDF's first page, inside the PDF link: no tracking pixel, no remote
    # image, and its width and height are half the thumbnail's pixels (no layout shift).
    [image] = list(document.iter("img"))
    # This language's communiqué, then the bilingual edition
    pdf_link, edition = [a for a in document.iter("a") if a.get("type") == "application/pdf"]
    assert edition.get("href") == f"{BASE}{SHIPPED_ID}-bilingual.pdf"
    assert image in list(pdf_link.iter("img")) and image.get("alt") == ""
    pdf_url = f"{BASE}{lang}/{SHIPPED_ID}/{SHIPPED_ID}-{lang}.pdf"
    assert pdf_link.get("href") == pdf_url and image.get("src") == pdf_url[:-4] + ".png"
    png = (dist / lang / SHIPPED_ID / f"{SHIPPED_ID}-{lang}.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    half = (str(round(width / 2)), str(round(height / 2)))
    assert (image.get("width"), image.get("height")) == half
    assert "".join(pdf_link.itertext()).strip() == ("Descarregar PDF" if lang == "pt" else
                                                    "Download PDF")
    share = json.loads((dist / lang / SHIPPED_ID / "share.json").read_text(encoding="utf-8"))
    links = {a.get("data-platform"): a for a in document.iter("a") if a.get("data-platform")}
    assert list(links) == PLATFORMS
    for name, link in links.items():
        assert link.get("href") == share[name]["share_url"]
        assert "noopener" in (link.get("rel") or "")
    texts = {t.get("data-platform"): t for t in document.iter("textarea")}
    assert list(texts) == PLATFORMS
    for name, area in texts.items():
        assert area.get("readonly") is not None
        assert (area.text or "") == share[name]["text"]
        label = [lab for lab in document.iter("label") if lab.get("for") == area.get("id")]
        assert len(label) == 1
    css = (dist / "assets" / "site.css").read_text(encoding="utf-8")
    assert "@media print" in css


def test_index_lists_newest_first_with_localized_dates(site: tuple[Path, Path]) -> None:
    _, dist = site
    document = parse(dist / "pt" / "index.html")
    items = document.findall(".//ol/li")
    assert [li.find("a").get("href") for li in items] == [  # type: ignore[union-attr]
        f"{BASE}pt/{PT_ONLY}/", f"{BASE}pt/{SHIPPED_ID}/"]
    assert [li.find("time").text for li in items] == [  # type: ignore[union-attr]
        "15 de janeiro de 2024", "22 de novembro de 2022"]


# --- syndicate share ---------------------------------------------------------------------


def test_share_prints_a_post_that_fits(run: Callable[..., Result], project: Path) -> None:
    result = run("share", SHIPPED_ID, "--lang", "pt", "--platform", "x", "--project", project)
    assert result.exit_code == 0, result.output
    text = result.stdout.removesuffix("\n")
    tweet = parse_tweet(text)
    assert tweet.valid and tweet.weightedLength <= 280
    assert text.startswith(TITLES["pt"])
    assert text.endswith(f"{BASE}pt/{SHIPPED_ID}/")


def test_share_json_and_base_url(run: Callable[..., Result], project: Path) -> None:
    result = run("share", SHIPPED_ID, "--lang", "en", "--platform", "email", "--json",
                 "--base-url", "https://gov.example.pt", "--project", project)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["subject"] == TITLES["en"]
    assert record["url"] == f"https://gov.example.pt/en/{SHIPPED_ID}/"
    assert record["share_url"].startswith("mailto:?subject=")
    everything = json.loads(run("share", SHIPPED_ID, "--json", "--project", project).stdout)
    assert list(everything) == PLATFORMS
    assert everything["x"]["url"] == f"{BASE}pt/{SHIPPED_ID}/"  # default: the site's language


def test_share_without_platform_shows_every_post_with_its_count(
    run: Callable[..., Result], project: Path
) -> None:
    result = run("share", SHIPPED_ID, "--lang", "en", "--project", project)
    assert result.exit_code == 0, result.output
    headings = re.findall(r"^== (\w+) \((\d+)(?:/(\d+))? ([a-z ]+)\) ==$", result.stdout, re.M)
    assert [h[0] for h in headings] == PLATFORMS
    assert all(int(h[1]) <= int(h[2]) for h in headings if h[2])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "statements/nope: no statement 'nope'"),
        ([SHIPPED_ID, "--lang", "fr"], "no 'fr' translation (it has: pt, en)"),
        ([SHIPPED_ID, "--platform", "myspace"], "unknown platform 'myspace' (known: x, "),
    ],
)
def test_share_rejects_unknown_input(
    run: Callable[..., Result], project: Path, args: list[str], message: str
) -> None:
    result = run("share", *args, "--project", project)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_docstring_examples() -> None:
    import doctest

    from syndicate.render import cards

    result = doctest.testmod(cards)
    assert result.failed == 0 and result.attempted > 0


def test_without_pdf_publishes_and_links_no_pdf_then_a_publish_adds_them(tmp_path: Path) -> None:
    import feedparser
    from click.testing import CliRunner
    from lxml import html as lxml_html

    root = copy_project(tmp_path / "project")
    out = root / "dist"

    def publish(*options: str) -> None:
        result = CliRunner().invoke(main, ["publish", "--project", str(root), "--now", NOW,
                                           *options])
        assert result.exit_code == 0, result.output

    def pdf_links() -> list[str]:
        return [a.get("href") for page in sorted(out.glob("*/*/index.html"))
                for a in lxml_html.fromstring(page.read_bytes()).xpath(
                    '//a[@type="application/pdf"]')]

    def enclosures() -> list[object]:
        return [link for lang in ("pt", "en") for fmt in ("atom", "rss")
                for entry in feedparser.parse(out / lang / f"feed.{fmt}").entries
                for link in entry.get("enclosures", [])]

    publish("--without-pdf")
    manifest = json.loads((out / "manifest.json").read_bytes())["files"]
    assert not [f["path"] for f in manifest if f["kind"] == "pdf" or (
        f["kind"] == "png" and not f["path"].endswith("/card.png"))]  # no PDF, no preview
    assert not list(out.glob("**/*.pdf")) and pdf_links() == [] and enclosures() == []
    assert (out / "pt" / SHIPPED_ID / "index.html").is_file()
    publish()
    assert len(list(out.glob("**/*.pdf"))) == 3
    assert len(pdf_links()) == 4 and len(enclosures()) == 4  # each page: its own and the edition
