"""What a press release carries besides its text, checked on one real publish: the press contact
(page and communiqué), the correction line in every feed, the index's summaries and feed links,
the communiqué's footer URL (it wraps only after a slash) and American English hyphenation.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import feedparser
import pyphen
import pytest
from click.testing import CliRunner
from lxml import html

from conftest import REPO, SHIPPED_ID, copy_project, write
from syndicate.cli import main

NOW = "2026-11-28T12:00:00+00:00"
CONTACTS = """
[languages.pt.contact]
name = "Gabinete de Imprensa"
email = "imprensa@gov.example.pt"
phone = "+351 213 923 500"

[languages.en.contact]
email = "press@gov.example.pt"
phone = "+351 213 923 501"
"""
CONTACT_LINES = {
    "pt": "Para mais informações: Gabinete de Imprensa, imprensa@gov.example.pt, +351 213 923 500",
    "en": "For more information: press@gov.example.pt, +351 213 923 501",
}
CORRECTIONS = {
    "pt": "Corrigido em 23 de novembro de 2022: Corrigida a data das eleições.",
    "en": "Corrected on November 23, 2022",
}
LONG_ID = "2022-12-02-environmental-organizations-meet-the-government"
# Words that pyphen's American and British dictionaries break in different places.
WORDS = ("representatives", "responsibility", "organization", "environmental",
         "commemoration", "characteristically", "democracy", "presentation")
HYPHENATED = " ".join(f"The {word} of {WORDS[(i + 3) % len(WORDS)]} and"
                      for i, word in enumerate(WORDS * 12)) + "."


def shell(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("extras") / "project")
    write(root / "syndicate.toml", (REPO / "syndicate.toml").read_text(encoding="utf-8") + CONTACTS)
    folder = root / "statements" / SHIPPED_ID
    write(folder / "statement.yaml",
          "date: 2022-11-22\noriginal: pt\nupdated: 2022-11-23T15:00:00+00:00\n")
    pt = folder / "pt.md"
    pt.write_text(pt.read_text(encoding="utf-8").replace(
        "place: Lisboa", "place: Lisboa\ncorrection: Corrigida a data das eleições."),
        encoding="utf-8")
    write(root / "statements" / LONG_ID / "statement.yaml", "date: 2022-12-02\noriginal: en\n")
    write(root / "statements" / LONG_ID / "en.md",
          '---\ntitle: "Representatives meet"\nsummary: "A meeting on the environment."\n'
          f"---\n\n{HYPHENATED}\n")
    out = root.parent / "dist"
    result = CliRunner().invoke(main, ["publish", "--project", str(root), "--out", str(out),
                                       "--now", NOW])
    assert result.exit_code == 0, result.output
    return out


def pdf_text(path: Path, *options: str) -> str:
    return shell("pdftotext", *options, path, "-")


# Regions of an A4 communiqué's pages, in points (pdftotext's -x -y -W -H at 72 dpi): the text
# above the footer, and the footer's left box (the URL) without the page numbers.
ABOVE_FOOTER = ("-x", "0", "-y", "0", "-W", "595", "-H", "768")
FOOTER_URL = ("-x", "0", "-y", "768", "-W", "460", "-H", "74")


def words(text: str) -> str:
    return " ".join(text.split())


# The press contact


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_the_page_ends_with_the_press_contact(published: Path, lang: str) -> None:
    page = html.parse(published / lang / SHIPPED_ID / "index.html")
    [contact] = page.xpath("//article/p[@class='contact']")
    assert words(contact.text_content()) == CONTACT_LINES[lang]
    hrefs = contact.xpath("a/@href")
    assert hrefs[0] == "mailto:" + CONTACT_LINES[lang].split(", ")[-2].split()[-1]
    assert hrefs[1] == "tel:" + CONTACT_LINES[lang].split(", ")[-1].replace(" ", "")
    body = page.xpath("//article/div[@class='body']")[0]
    assert body.getnext() is contact  # right after the text


def test_the_communiques_end_with_the_press_contact(published: Path) -> None:
    for lang in ("pt", "en"):
        text = words(pdf_text(published / lang / SHIPPED_ID / f"{SHIPPED_ID}-{lang}.pdf"))
        assert CONTACT_LINES[lang] in text
        assert CONTACT_LINES["en" if lang == "pt" else "pt"] not in text
    bilingual = words(pdf_text(published / f"{SHIPPED_ID}-bilingual.pdf"))
    assert bilingual.index(CONTACT_LINES["pt"]) < bilingual.index(CONTACT_LINES["en"])


def test_a_bad_contact_is_reported_with_its_line(project: Path) -> None:
    config = project / "syndicate.toml"
    config.write_text(config.read_text(encoding="utf-8") + """
[languages.pt.contact]
name = "Gabinete"
email = "imprensa at gov"
phone = "call us"
fax = "+351 1"

[languages.en.contact]
name = "Press office"
""", encoding="utf-8")
    lines = config.read_text(encoding="utf-8").splitlines()

    def line(text: str) -> int:
        return lines.index(text) + 1

    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    shown = str(config)
    for where, message in [
        (line('email = "imprensa at gov"'), "email must be an address such as"),
        (line('phone = "call us"'), "phone must be digits"),
        (line('fax = "+351 1"'), "unknown key 'fax' in [languages.pt.contact]"),
        (line("[languages.en.contact]"), "[languages.en.contact] needs an email or a phone"),
    ]:
        assert f"{shown}:{where}: {message}" in result.stderr, result.stderr


# Corrections in the feeds


def correction_text(content: str) -> str:
    [line] = html.fragment_fromstring(content, create_parent="div").xpath(
        "p[@class='correction']")
    assert line.xpath("time/@datetime") == ["2022-11-23T15:00:00+00:00"]
    return words(line.text_content())


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_every_feed_tells_subscribers_what_was_corrected(published: Path, lang: str) -> None:
    contents = []
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse((published / lang / f"feed.{fmt}").read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        [entry] = [e for e in parsed.entries if e.id.endswith(f"{SHIPPED_ID}/{lang}")]
        contents.append(entry.content[0].value)
    document = json.loads((published / lang / "feed.json").read_bytes())
    [item] = [i for i in document["items"] if i["id"].endswith(f"{SHIPPED_ID}/{lang}")]
    contents.append(item["content_html"])
    combined = feedparser.parse((published / "feed.atom").read_bytes())
    [entry] = [e for e in combined.entries if e.id.endswith(f"{SHIPPED_ID}/{lang}")]
    contents.append(entry.content[0].value)
    for content in contents:
        assert correction_text(content) == CORRECTIONS[lang]
    uncorrected = feedparser.parse((published / "en" / "feed.atom").read_bytes())
    [entry] = [e for e in uncorrected.entries if e.id.endswith(f"{LONG_ID}/en")]
    assert "correction" not in entry.content[0].value


# Index pages and feed links


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_the_index_shows_summaries_and_links_its_feeds(published: Path, lang: str) -> None:
    index = html.parse(published / lang / "index.html")
    feeds = {f"https://press.example.org/{lang}/feed.{fmt}": mime for fmt, mime in [
        ("atom", "application/atom+xml"), ("rss", "application/rss+xml"),
        ("json", "application/feed+json")]}
    visible = index.xpath("//main//p[@class='feeds']/a")
    assert {a.get("href"): a.get("type") for a in visible} == feeds
    assert [a.text for a in visible] == ["Atom", "RSS", "JSON Feed"]
    for url in feeds:
        assert (published / url.removeprefix("https://press.example.org/")).is_file()
    statement = html.parse(published / lang / SHIPPED_ID / "index.html")
    for page in (index, statement):
        linked = {link.get("href"): link.get("type")
                  for link in page.xpath("/html/head/link[@rel='alternate'][@type]")}
        assert feeds.items() <= linked.items()
    summaries = {item.xpath("a")[0].text: words(item.xpath("p[@class='summary']")[0].text)
                 for item in index.xpath("//ol[@class='statements']/li")
                 if item.xpath("p[@class='summary']")}
    own = statement.xpath("//article/p[@class='standfirst']")[0].text
    title = statement.xpath("//article//h1")[0].text
    assert summaries[title] == words(own)


# The communiqué's footer and hyphenation


def test_the_footer_url_wraps_only_after_a_slash(published: Path) -> None:
    url = f"https://press.example.org/en/{LONG_ID}/"
    pdf = published / "en" / LONG_ID / f"{LONG_ID}-en.pdf"
    for page in pdf_text(pdf, *FOOTER_URL).split("\f")[:-1]:  # every page's footer
        pieces = page.split()
        assert "".join(pieces) == url
        assert len(pieces) > 1  # long enough to wrap
        assert all(piece.endswith("/") for piece in pieces), pieces


def test_english_is_hyphenated_the_american_way(published: Path) -> None:
    text = pdf_text(published / "en" / LONG_ID / f"{LONG_ID}-en.pdf", *ABOVE_FOOTER)
    american, british = pyphen.Pyphen(lang="en_US"), pyphen.Pyphen(lang="en_GB")
    breaks = re.findall(r"([A-Za-z]+)\u00ad\n([a-z]+)", text)  # a line-break hyphen is soft
    assert len(breaks) >= 5
    only_american = 0
    for head, tail in breaks:
        word = head + tail
        assert len(head) in american.positions(word), (head, tail)
        only_american += len(head) not in british.positions(word)
    assert only_american >= 1


# The next publish


def override_correction_line(project: Path) -> None:
    """The project's own Portuguese word for the correction line (over the packaged one)."""
    catalog = project / "locales" / "pt_PT" / "LC_MESSAGES" / "messages.po"
    catalog.write_text(catalog.read_text(encoding="utf-8")
                       + '\nmsgid "Corrected on %(date)s"\nmsgstr "Retificado em %(date)s"\n',
                       encoding="utf-8")


def test_a_changed_contact_or_catalog_reaches_every_output_next_time(
    project: Path, tmp_path: Path
) -> None:
    """The contact and the interface words are inputs of the communiqués, pages and feeds: a
    publish after changing them renders those again instead of reusing the previous files."""
    config = project / "syndicate.toml"
    config.write_text(config.read_text(encoding="utf-8") + CONTACTS, encoding="utf-8")
    write(project / "statements" / SHIPPED_ID / "statement.yaml",
          "date: 2022-11-22\noriginal: pt\nupdated: 2022-11-23T15:00:00+00:00\n")
    out = tmp_path / "dist"

    def publish() -> None:
        result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out",
                                           str(out), "--now", NOW])
        assert result.exit_code == 0, result.output

    publish()
    config.write_text(config.read_text(encoding="utf-8").replace("+351 213 923 500",
                                                                 "+351 210 000 000"),
                      encoding="utf-8")
    override_correction_line(project)
    publish()
    pdf = words(pdf_text(out / "pt" / SHIPPED_ID / f"{SHIPPED_ID}-pt.pdf"))
    assert "Gabinete de Imprensa, imprensa@gov.example.pt, +351 210 000 000" in pdf
    page = html.parse(out / "pt" / SHIPPED_ID / "index.html")
    assert words(page.xpath("//p[@class='contact']")[0].text_content()).endswith("210 000 000")
    for fmt in ("atom", "rss"):
        [entry] = feedparser.parse((out / "pt" / f"feed.{fmt}").read_bytes()).entries
        assert correction_text(entry.content[0].value) == "Retificado em 23 de novembro de 2022"


def test_the_feeds_cache_key_includes_the_interface_words(project: Path) -> None:
    """Even when no communiqué changes size (the other input of a feed's key), a feed is not
    reused once the words of its correction line changed."""
    from syndicate import project as loading
    from syndicate.keys import feed_keys

    loaded = loading.load(project)
    sizes = {f"{lang}/{SHIPPED_ID}/{SHIPPED_ID}-{lang}.pdf": 1000 for lang in ("pt", "en")}
    before = feed_keys(loaded, list(loaded.statements), sizes)
    override_correction_line(project)
    reloaded = loading.load(project)
    after = feed_keys(reloaded, list(reloaded.statements), sizes)
    assert before.keys() == after.keys()
    changed = {path for path in before if before[path] != after[path]}
    portuguese = {path for path in before if path.startswith("pt/")} | {"feed.atom"}
    assert len(portuguese) > 1 and portuguese <= changed, (portuguese, changed)


def test_a_feeds_cache_key_follows_the_size_of_each_pdf_it_lists(project: Path) -> None:
    """A feed entry's enclosure has its PDF's exact length: a communiqué of another size
    changes the key of every feed document that lists it (its language's RSS, Atom and JSON
    feeds and the all-languages feed), and of no other."""
    from syndicate import project as loading
    from syndicate.keys import feed_keys

    loaded = loading.load(project)
    statements = list(loaded.statements)
    sizes = {f"{lang}/{SHIPPED_ID}/{SHIPPED_ID}-{lang}.pdf": 1000 for lang in ("pt", "en")}
    before = feed_keys(loaded, statements, sizes)
    after = feed_keys(loaded, statements, {**sizes, f"en/{SHIPPED_ID}/{SHIPPED_ID}-en.pdf": 1001})
    changed = {path for path in before if before[path] != after[path]}
    assert changed == {path for path in before if path.startswith("en/")} | {"feed.atom"}
    assert {"en/feed.rss", "en/feed.atom", "en/feed.json"} <= changed
    assert feed_keys(loaded, statements, sizes) == before  # (the same inputs, the same keys)
