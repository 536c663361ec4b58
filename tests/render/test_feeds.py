"""Feeds as readers see them: checked with feedparser, lxml, newsboat and the RFC 4287 schema."""

from __future__ import annotations

import calendar
import email.utils
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import pytest
from feedgen.entry import FeedEntry
from lxml import etree

import syndicate
from conftest import serving
from syndicate.model import Artifact, Language, Site, Statement, Translation
from syndicate.render import feeds
from syndicate.render.feedgen_links import set_links
from syndicate.words import Text

LISBON = ZoneInfo("Europe/Lisbon")
ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = Path(__file__).parents[1] / "data" / "atom.rng"
RFC822 = re.compile(
    r"^(?P<day>Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

SITE = Site(
    base_url="https://press.example.org/",
    timezone="Europe/Lisbon",
    languages=(
        Language("en", "en", "en", "Press statements", "Government of Portugal",
                 "Official statements of the Government of Portugal"),
        Language("pt", "pt-PT", "pt_PT", "Comunicados", "Governo de Portugal", ""),
    ),
    default_language="en",
)

EN_TITLE = "Portugal supports António Vitorino's candidacy for Director-General of the IOM"
PT_TITLE = "Governo apoia candidatura de António Vitorino a Diretor-Geral da OIM"


def translation(lang: str, title: str, summary: str = "", tags: tuple[str, ...] = (),
                body_html: str = "<p>Text.</p>\n") -> Translation:
    return Translation(lang=lang, title=title, summary=summary, place="Lisboa", tags=tags,
                       words=Text("", "Text.", body_html))


VITORINO = Statement(
    id="2022-11-22-vitorino-iom",
    date=datetime(2022, 11, 22, 0, 0, tzinfo=LISBON),
    updated=None,
    original="pt",
    translations=(
        translation("en", EN_TITLE, "Lisbon backs a Portuguese candidate & <former> commissioner.",
                    ("IOM", "migration"),
                    '<p>See the <a href="annex.pdf">annex</a> and <a href="/pt/">Portuguese</a>'
                    ' &amp; <a href="#note">note</a>.</p>\n<p><img src="photo.jpg" alt="x"></p>\n'),
        translation("pt", PT_TITLE, "O Governo apoia a candidatura.", ("OIM", "migrações")),
    ),
)
OCEAN = Statement(
    id="2022-06-30-ocean-conference",
    date=datetime(2022, 6, 30, 18, 0, tzinfo=LISBON),
    updated=datetime(2022, 7, 1, 9, 15, tzinfo=LISBON),
    original="en",
    translations=(
        translation("en", "UN Ocean Conference closes in Lisbon"),
        translation("pt", "Conferência dos Oceanos da ONU termina em Lisboa"),
    ),
)
VACCINES = Statement(
    id="2021-03-15-vaccines",
    date=datetime(2021, 3, 15, 10, 30, tzinfo=LISBON),
    updated=None,
    original="en",
    translations=(translation("en", "Vaccination plan: second phase", "Phase two starts."),),
)
STATEMENTS = (VACCINES, VITORINO, OCEAN)  # deliberately not in date order
PDF_SIZES = {
    SITE.pdf_path(VITORINO.id, "en"): 48213,
    SITE.pdf_path(VITORINO.id, "pt"): 50102,
    SITE.pdf_path(OCEAN.id, "en"): 30007,
}


def render(statements: tuple[Statement, ...] = STATEMENTS,
           pdf_sizes: dict[str, int] | None = None) -> dict[tuple[str, str], Artifact]:
    artifacts = feeds.render(SITE, statements, PDF_SIZES if pdf_sizes is None else pdf_sizes)
    return {(a.lang or "", a.kind): a for a in artifacts}


def data(lang: str, kind: str, statements: tuple[Statement, ...] = STATEMENTS) -> bytes:
    return render(statements)[lang, kind].data


def parse(lang: str, kind: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data(lang, kind))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def xml(lang: str, kind: str, statements: tuple[Statement, ...] = STATEMENTS) -> etree._Element:
    return etree.fromstring(data(lang, kind, statements))


def page(statement: Statement, lang: str) -> str:
    return f"https://press.example.org/{lang}/{statement.id}/"


# The artifacts


def test_one_rss_atom_and_json_feed_per_language_in_site_order() -> None:
    artifacts = feeds.render(SITE, STATEMENTS, PDF_SIZES)
    assert [(a.path, a.kind, a.lang, a.statement) for a in artifacts] == [
        ("en/feed.rss", "rss", "en", None),
        ("en/feed.atom", "atom", "en", None),
        ("en/feed.json", "jsonfeed", "en", None),
        ("pt/feed.rss", "rss", "pt", None),
        ("pt/feed.atom", "atom", "pt", None),
        ("pt/feed.json", "jsonfeed", "pt", None),
        ("feed.atom", "atom", "mul", None),
    ]


def test_output_is_identical_for_identical_input_in_any_order() -> None:
    first = feeds.render(SITE, STATEMENTS, PDF_SIZES)
    again = feeds.render(SITE, tuple(reversed(STATEMENTS)), dict(reversed(PDF_SIZES.items())))
    assert [a.data for a in first] == [a.data for a in again]


def test_xml_is_pretty_printed_utf8_with_declaration() -> None:
    for kind in ("rss", "atom"):
        raw = data("pt", kind)
        assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
        assert "António".encode() in raw
        assert b"\n  " in raw


# What feedparser sees


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feedparser_reads_languages_titles_and_newest_first(kind: str) -> None:
    english, portuguese = parse("en", kind), parse("pt", kind)
    assert english.feed.language == "en"
    assert portuguese.feed.language == "pt-PT"
    assert [e.title for e in english.entries] == [
        EN_TITLE, "UN Ocean Conference closes in Lisbon", "Vaccination plan: second phase"]
    assert [e.title for e in portuguese.entries] == [
        PT_TITLE, "Conferência dos Oceanos da ONU termina em Lisboa"]
    assert english.feed.title == "Press statements"
    assert english.feed.link == "https://press.example.org/en/"


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("lang", ["en", "pt"])
def test_feedparser_entry_link_is_the_page_in_the_feeds_language(lang: str, kind: str) -> None:
    statements = [VITORINO, OCEAN, VACCINES] if lang == "en" else [VITORINO, OCEAN]
    assert [e.link for e in parse(lang, kind).entries] == [page(s, lang) for s in statements]


def test_atom_entries_link_their_translations_with_hreflang() -> None:
    entry = parse("en", "atom").entries[0]
    alternates = {(link.href, link.get("hreflang")) for link in entry.links
                  if link.rel == "alternate"}
    assert (page(VITORINO, "pt"), "pt-PT") in alternates
    assert (page(VITORINO, "en"), "en") in alternates
    portuguese = parse("pt", "atom").entries[0]
    assert (page(VITORINO, "en"), "en") in {
        (link.href, link.get("hreflang")) for link in portuguese.links}


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_pdf_enclosure_only_where_the_pdf_exists(kind: str) -> None:
    english, portuguese = parse("en", kind), parse("pt", kind)
    vitorino = english.entries[0].enclosures
    assert [(e.href, e.length, e.type) for e in vitorino] == [
        ("https://press.example.org/en/2022-11-22-vitorino-iom/2022-11-22-vitorino-iom-en.pdf",
         "48213", "application/pdf")]
    assert portuguese.entries[0].enclosures[0].length == "50102"
    assert english.entries[1].enclosures[0].length == "30007"
    assert portuguese.entries[1].enclosures == []  # no Portuguese PDF of the ocean statement
    assert english.entries[2].enclosures == []


def test_plain_text_stays_plain_text() -> None:
    entry = parse("en", "atom").entries[0]
    assert entry.title_detail.type == "text/plain"
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary == "Lisbon backs a Portuguese candidate & <former> commissioner."
    root = xml("en", "atom")
    for element in root.iter(f"{ATOM}title", f"{ATOM}summary", f"{ATOM}subtitle"):
        assert len(element) == 0 and element.get("type") in (None, "text")
    description = parse("en", "rss").entries[0].summary  # HTML, as RSS readers take it
    assert lxml.html.fragment_fromstring(description, create_parent="div").text_content() == (
        "Lisbon backs a Portuguese candidate & <former> commissioner.")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_content_is_the_body_with_absolute_urls(kind: str) -> None:
    entry = parse("en", kind).entries[0]
    body = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
    urls = [e.get("href") or e.get("src") for e in body.iter("a", "img")]
    assert urls == [
        "https://press.example.org/en/2022-11-22-vitorino-iom/annex.pdf",
        "https://press.example.org/pt/",
        "https://press.example.org/en/2022-11-22-vitorino-iom/#note",
        "https://press.example.org/en/2022-11-22-vitorino-iom/photo.jpg",
    ]
    assert "Portuguese & note" in body.text_content()


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_categories_and_author(kind: str) -> None:
    entry = parse("pt", kind).entries[0]
    assert [t.term for t in entry.tags] == ["OIM", "migrações"]
    assert entry.author == "Governo de Portugal"


# What lxml sees


def test_rss_dates_are_rfc_822_in_english_with_the_right_weekday() -> None:
    channel = xml("en", "rss").find("channel")
    assert channel is not None
    dates = [e.text or "" for e in channel.iter("pubDate", "lastBuildDate")]
    assert len(dates) == 4
    for text in dates:
        match = RFC822.match(text)
        assert match, text
        parsed = email.utils.parsedate_to_datetime(text)
        assert match["day"] == calendar.day_abbr[parsed.weekday()]
    assert [e.text for e in channel.iter("pubDate")] == [
        "Tue, 22 Nov 2022 00:00:00 +0000",
        "Thu, 30 Jun 2022 18:00:00 +0100",
        "Mon, 15 Mar 2021 10:30:00 +0000",
    ]
    assert channel.findtext("lastBuildDate") == "Tue, 22 Nov 2022 00:00:00 +0000"


def test_rss_dates_are_english_under_a_portuguese_locale(tmp_path: Path) -> None:
    """feedgen must not let the process locale into RFC 822 dates."""
    if shutil.which("localedef") is None:
        pytest.skip("localedef is not installed")
    made = subprocess.run(["localedef", "-i", "pt_PT", "-f", "UTF-8",
                           str(tmp_path / "pt_PT.UTF-8")], capture_output=True)
    if not (tmp_path / "pt_PT.UTF-8").exists():
        pytest.skip(f"cannot build the pt_PT locale: {made.stderr.decode()}")
    script = textwrap.dedent("""
        import locale, sys
        from datetime import datetime
        from zoneinfo import ZoneInfo
        locale.setlocale(locale.LC_ALL, "pt_PT.UTF-8")
        assert datetime(2022, 11, 22).strftime("%a %b") == "ter nov"
        from syndicate.model import Language, Site, Statement, Translation
        from syndicate.words import Text
        from syndicate.render import feeds
        site = Site("https://press.example.org/", "Europe/Lisbon",
                    (Language("pt", "pt-PT", "pt_PT", "Comunicados", "Governo", ""),), "pt")
        statement = Statement("s", datetime(2022, 11, 22, tzinfo=ZoneInfo("Europe/Lisbon")),
                              None, "pt",
                              (Translation("pt", "T", "", "", (), Text("", "", "<p>x</p>")),))
        sys.stdout.buffer.write(next(feeds.render(site, [statement], {})).data)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True,
                         env={"LOCPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert b"<pubDate>Tue, 22 Nov 2022 00:00:00 +0000</pubDate>" in run.stdout


def test_atom_dates_are_rfc_3339() -> None:
    root = xml("en", "atom")
    dates = [e.text or "" for e in root.iter(f"{ATOM}updated", f"{ATOM}published")]
    assert len(dates) == 7
    assert all(RFC3339.match(text) for text in dates), dates
    ocean = root.findall(f"{ATOM}entry")[1]
    assert ocean.findtext(f"{ATOM}published") == "2022-06-30T18:00:00+01:00"
    assert ocean.findtext(f"{ATOM}updated") == "2022-07-01T09:15:00+01:00"
    assert root.findtext(f"{ATOM}updated") == "2022-11-22T00:00:00+00:00"


def test_entry_ids_are_permanent_tag_uris() -> None:
    atom = [e.findtext(f"{ATOM}id") for e in xml("en", "atom").iter(f"{ATOM}entry")]
    assert atom == [
        "tag:press.example.org,2022-11-22:2022-11-22-vitorino-iom/en",
        "tag:press.example.org,2022-06-30:2022-06-30-ocean-conference/en",
        "tag:press.example.org,2021-03-15:2021-03-15-vaccines/en",
    ]
    guids = list(xml("en", "rss").iter("guid"))
    assert [g.text for g in guids] == atom
    assert {g.get("isPermaLink") for g in guids} == {"false"}
    portuguese = [e.findtext(f"{ATOM}id") for e in xml("pt", "atom").iter(f"{ATOM}entry")]
    assert len(set(atom + portuguese)) == len(atom + portuguese)


def test_tag_uri_date_is_the_publication_day_in_the_site_time_zone() -> None:
    late = replace(VITORINO, date=datetime(2022, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 in Lisbon
    assert feeds.entry_id(SITE, late, "pt") == (
        "tag:press.example.org,2022-07-01:2022-11-22-vitorino-iom/pt")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_self_link_is_the_feeds_absolute_url(kind: str) -> None:
    root = xml("pt", kind)
    selves = [e.get("href") for e in root.iter(f"{ATOM}link") if e.get("rel") == "self"]
    assert selves == [f"https://press.example.org/pt/feed.{kind}"]


@pytest.mark.parametrize("kind", ["rss", "atom", "jsonfeed"])
def test_all_urls_are_absolute_and_no_locale_leaks(kind: str) -> None:
    for lang in ("en", "pt"):
        raw = data(lang, kind)
        assert b"pt_PT" not in raw
        if kind == "jsonfeed":
            continue
        root = etree.fromstring(raw)
        urls = [e.get("href") or e.get("url") for e in root.iter(f"{ATOM}link", "enclosure")]
        urls += [e.text for e in root.iter("link", f"{ATOM}id") if e.text]
        for url in urls:
            assert url and (urlsplit(url).scheme in ("https", "tag")), url


def test_atom_alternates_start_and_end_with_the_own_page_without_duplicates() -> None:
    for lang in ("en", "pt"):
        for entry in xml(lang, "atom").iter(f"{ATOM}entry"):
            alternates = [e for e in entry.iter(f"{ATOM}link") if e.get("rel") == "alternate"]
            own = entry.findtext(f"{ATOM}id", "").rsplit(":", 1)[1].split("/")
            expected = f"https://press.example.org/{own[1]}/{own[0]}/"
            assert alternates[0].get("href") == expected
            assert alternates[-1].get("href") == expected
            keys = [(e.get("type"), e.get("hreflang")) for e in alternates]
            assert len(keys) == len(set(keys))  # RFC 4287, 4.1.1


def test_atom_enclosure_link_keeps_its_attributes() -> None:
    entry = xml("pt", "atom").find(f"{ATOM}entry")
    assert entry is not None
    [enclosure] = [e for e in entry.iter(f"{ATOM}link") if e.get("rel") == "enclosure"]
    assert dict(enclosure.attrib) == {
        "href": "https://press.example.org/pt/2022-11-22-vitorino-iom/2022-11-22-vitorino-iom-pt.pdf",
        "rel": "enclosure", "type": "application/pdf", "hreflang": "pt-PT", "length": "50102"}


def test_generator_and_feed_metadata() -> None:
    root = xml("pt", "atom")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "pt-PT"
    generator = root.find(f"{ATOM}generator")
    assert generator is not None
    assert (generator.text, generator.get("version")) == ("syndicate", syndicate.__version__)
    assert root.findtext(f"{ATOM}subtitle") == "Comunicados"  # no description: the title
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Governo de Portugal"
    channel = xml("en", "rss").find("channel")
    assert channel is not None
    assert channel.findtext("description") == "Official statements of the Government of Portugal"
    assert channel.findtext("generator") == "syndicate"


# Corrections and empty feeds


def test_a_correction_changes_only_the_entrys_content_and_the_feeds_updated() -> None:
    corrected = replace(VITORINO, updated=datetime(2022, 11, 23, 10, 0, tzinfo=LISBON))
    statements = (VACCINES, corrected, OCEAN)
    before, after = xml("en", "atom"), xml("en", "atom", statements)
    assert after.findtext(f"{ATOM}updated") == "2022-11-23T10:00:00+00:00"
    changed = after.find(f"{ATOM}entry")
    assert changed is not None
    assert changed.findtext(f"{ATOM}updated") == "2022-11-23T10:00:00+00:00"
    assert changed.findtext(f"{ATOM}published") == "2022-11-22T00:00:00+00:00"
    assert changed.findtext(f"{ATOM}id") == feeds.entry_id(SITE, VITORINO, "en")
    line = ('<p class="correction"><time datetime="2022-11-23T10:00:00+00:00">'
            "Corrected on November 23, 2022</time></p>\n")
    assert changed.findtext(f"{ATOM}content") == line + before.find(
        f"{ATOM}entry").findtext(f"{ATOM}content")
    for root in (before, after):
        root.remove(root.find(f"{ATOM}updated"))
        entry = root.find(f"{ATOM}entry")
        entry.remove(entry.find(f"{ATOM}updated"))
        entry.remove(entry.find(f"{ATOM}content"))
    assert etree.tostring(before) == etree.tostring(after)

    rss_before, rss_after = xml("en", "rss"), xml("en", "rss", statements)
    assert rss_after.findtext("channel/lastBuildDate") == "Wed, 23 Nov 2022 10:00:00 +0000"
    for root in (rss_before, rss_after):
        root.find("channel").remove(root.find("channel/lastBuildDate"))
        item = root.find("channel/item")
        item.remove(item.find("{http://purl.org/rss/1.0/modules/content/}encoded"))
    assert etree.tostring(rss_before) == etree.tostring(rss_after)

    json_before = json.loads(data("en", "jsonfeed"))
    json_after = json.loads(data("en", "jsonfeed", statements))
    assert json_after["items"][0].pop("date_modified") == "2022-11-23T10:00:00+00:00"
    json_before["items"][0].pop("date_modified")
    assert json_after["items"][0].pop("content_html").startswith(line)
    json_before["items"][0].pop("content_html")
    assert json_before == json_after


def test_a_language_without_statements_gets_valid_empty_feeds() -> None:
    artifacts = render(statements=(VACCINES,), pdf_sizes={})
    for kind in ("rss", "atom"):
        parsed = feedparser.parse(artifacts["pt", kind].data)
        assert parsed.bozo == 0 and parsed.entries == []
        assert parsed.feed.language == "pt-PT"
    root = etree.fromstring(artifacts["pt", "atom"].data)
    assert root.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00+00:00"
    assert etree.fromstring(artifacts["pt", "rss"].data).findtext("channel/lastBuildDate") == (
        "Thu, 01 Jan 1970 00:00:00 +0000")
    assert json.loads(artifacts["pt", "jsonfeed"].data)["items"] == []
    assert list(feeds.render(SITE, (VACCINES,), {})) == list(feeds.render(SITE, (VACCINES,), {}))


# JSON Feed


def test_json_feed_1_1() -> None:
    raw = data("en", "jsonfeed")
    assert raw.endswith(b"}\n") and "António".encode() in raw
    feed = json.loads(raw)
    assert {k: v for k, v in feed.items() if k != "items"} == {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Press statements",
        "home_page_url": "https://press.example.org/en/",
        "feed_url": "https://press.example.org/en/feed.json",
        "description": "Official statements of the Government of Portugal",
        "language": "en",
        "authors": [{"name": "Government of Portugal"}],
    }
    first = feed["items"][0]
    assert first["id"] == "tag:press.example.org,2022-11-22:2022-11-22-vitorino-iom/en"
    assert first["url"] == page(VITORINO, "en")
    assert first["title"] == EN_TITLE
    assert first["summary"] == "Lisbon backs a Portuguese candidate & <former> commissioner."
    assert 'href="https://press.example.org/en/2022-11-22-vitorino-iom/annex.pdf"' in (
        first["content_html"])
    assert first["tags"] == ["IOM", "migration"]
    assert first["language"] == "en"
    assert first["attachments"] == [{
        "url": "https://press.example.org/en/2022-11-22-vitorino-iom/2022-11-22-vitorino-iom-en.pdf",
        "mime_type": "application/pdf", "size_in_bytes": 48213}]
    assert [i["id"] for i in feed["items"]] == [
        e.findtext(f"{ATOM}id") for e in xml("en", "atom").iter(f"{ATOM}entry")]
    for item in feed["items"]:
        assert RFC3339.match(item["date_published"]) and RFC3339.match(item["date_modified"])
    assert feed["items"][1]["date_modified"] == "2022-07-01T09:15:00+01:00"
    assert "attachments" not in feed["items"][2]
    assert json.loads(data("pt", "jsonfeed"))["language"] == "pt-PT"


# Schema


def test_atom_feeds_are_valid_against_the_rfc_4287_schema() -> None:
    schema = etree.RelaxNG(etree.parse(SCHEMA))
    broken = xml("en", "atom")
    broken.find(f"{ATOM}entry").remove(broken.find(f"{ATOM}entry/{ATOM}id"))
    assert not schema.validate(broken)  # the schema does check
    for statements in (STATEMENTS, ()):
        for lang in ("en", "pt"):
            root = xml(lang, "atom", statements)
            assert schema.validate(root), schema.error_log


# The feedgen workaround


def test_feedgen_still_drops_atom_entry_link_attributes() -> None:
    """Pins feedgen 1.0.0's bug (upstream issues 135, 143).

    When this fails, feedgen writes the attributes itself: delete
    syndicate/render/feedgen_links.py and this test, and call ``FeedEntry.link`` directly.
    """
    link = {"href": "https://press.example.org/en/x/x-en.pdf", "rel": "enclosure",
            "type": "application/pdf", "hreflang": "en", "length": "42"}
    plain = FeedEntry()
    plain.id("tag:press.example.org,2022-11-22:x/en")
    plain.title("x")
    plain.content("x")
    plain.link(dict(link))
    [written] = [e for e in plain.atom_entry() if etree.QName(e).localname == "link"]
    assert dict(written.attrib) == {"href": link["href"]}

    fixed = FeedEntry()
    fixed.id("tag:press.example.org,2022-11-22:x/en")
    fixed.title("x")
    fixed.content("x")
    set_links(fixed, [link])
    [written] = [e for e in fixed.atom_entry() if etree.QName(e).localname == "link"]
    assert dict(written.attrib) == link


# newsboat


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """Serve a folder on 127.0.0.1; yield the folder and its base URL."""
    root = tmp_path / "www"
    root.mkdir()
    with serving(root) as base:
        yield root, base


def newsboat_items(tmp_path: Path, url: str, name: str) -> list[tuple[str, str]]:
    """Fetch one feed with newsboat, in a fresh home; return (title, url) of its items."""
    home = tmp_path / f"home-{name}"
    home.mkdir()
    cache = home / "cache.db"
    (home / "urls").write_text(url + "\n", encoding="utf-8")
    (home / "config").write_text(f'cache-file "{cache}"\n', encoding="utf-8")
    subprocess.run(["newsboat", "-u", str(home / "urls"), "-c", str(cache),
                    "-C", str(home / "config"), "-x", "reload"],
                   env={"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                   capture_output=True, check=True, timeout=60)
    with sqlite3.connect(cache) as db:
        rows = db.execute("SELECT title, url FROM rss_item ORDER BY pubDate DESC").fetchall()
    db.close()
    return [(str(title), str(link)) for title, link in rows]


needs_newsboat = pytest.mark.skipif(shutil.which("newsboat") is None,
                                    reason="newsboat is not installed")


@needs_newsboat
@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("lang", ["en", "pt"])
def test_newsboat_opens_the_page_in_the_feeds_language(
        serve: tuple[Path, str], tmp_path: Path, lang: str, kind: str) -> None:
    root, base = serve
    artifact = render()[lang, kind]
    (root / "feed").write_bytes(artifact.data)
    items = newsboat_items(tmp_path, base + "feed", f"{lang}-{kind}")
    statements = [VITORINO, OCEAN, VACCINES] if lang == "en" else [VITORINO, OCEAN]
    titles = [s.translation(lang).title for s in statements]  # type: ignore[union-attr]
    assert items == list(zip(titles, [page(s, lang) for s in statements], strict=True))


@needs_newsboat
def test_readers_take_the_last_alternate(serve: tuple[Path, str], tmp_path: Path) -> None:
    """Why the own page closes the alternates too: newsboat and feedparser use the last one."""
    root, base = serve
    probe = textwrap.dedent("""\
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom"><id>tag:x,2022:f</id><title>f</title>
        <updated>2022-11-22T00:00:00Z</updated><author><name>a</name></author>
        <entry><id>tag:x,2022:e</id><title>e</title><updated>2022-11-22T00:00:00Z</updated>
        <link rel="alternate" type="text/html" hreflang="en" href="https://x.example/first"/>
        <link rel="alternate" type="text/html" hreflang="pt-PT" href="https://x.example/last"/>
        </entry></feed>
        """).encode()
    (root / "probe").write_bytes(probe)
    assert newsboat_items(tmp_path, base + "probe", "probe") == [("e", "https://x.example/last")]
    assert feedparser.parse(probe).entries[0].link == "https://x.example/last"


# Archives (RFC 5005): pages numbered from the oldest never change when statements arrive


def numbered(count: int) -> tuple[Statement, ...]:
    return tuple(replace(OCEAN, id=f"2020-01-{n:02d}-s", date=datetime(2020, 1, n, tzinfo=LISBON),
                         updated=None) for n in range(1, count + 1))


def test_archive_pages_are_stable_as_statements_arrive() -> None:
    site = replace(SITE, feed_limit=3)

    def docs(count: int) -> dict[str, bytes]:
        return {a.path: a.data for a in feeds.render(site, numbered(count), {})}

    seven, eight, nine = docs(7), docs(8), docs(9)
    assert [p for p in seven if "archive" in p] == [
        "en/archive/1.rss", "en/archive/1.atom", "pt/archive/1.rss", "pt/archive/1.atom",
        "archive/1.atom", "archive/2.atom", "archive/3.atom"]
    for path in ("en/archive/1.rss", "en/archive/1.atom", "archive/1.atom", "archive/2.atom"):
        assert seven[path] == eight[path]
    assert "en/archive/2.atom" in nine
    # the page that was the newest only gains its next-archive link
    first = etree.fromstring(nine["en/archive/1.atom"])
    [link] = [e for e in first.iter(f"{ATOM}link") if e.get("rel") == "next-archive"]
    assert link.get("href") == "https://press.example.org/en/archive/2.atom"
    first.remove(link)
    assert etree.tostring(first) == etree.tostring(etree.fromstring(seven["en/archive/1.atom"]))
    current = feedparser.parse(seven["en/feed.atom"])
    assert [e.id.split(":")[-1] for e in current.entries] == [
        f"2020-01-{n:02d}-s/en" for n in (7, 6, 5, 4)]


def test_paginate_keeps_order_and_bounds() -> None:
    for count in range(12):
        entries = list(range(count, 0, -1))
        current, pages = feeds.paginate(entries, 3)
        assert current + [e for page in reversed(pages) for e in page] == entries
        assert all(len(page) == 3 for page in pages)
        assert len(current) == count if count < 3 else 3 <= len(current) <= 5
