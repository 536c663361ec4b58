"""The W3C Feed Validation Service's rules, written as tests, run over the feeds of real publishes.

The service itself cannot be installed, so the rules it applies to RSS 2.0 and Atom 1.0 are
checked here with lxml: required elements, RFC 822 / RFC 3339 dates in English with the right
weekday, absolute URLs everywhere, an absolute self link, unique ids and guids, ``isPermaLink``,
no duplicate alternates, ``pt-PT``-style language tags, no markup in plain-text elements, "&"
and "<" in RSS plain text as hexadecimal character references, no two entries updated at the
same instant unless they are translations of one statement (see :func:`check_updated`).
They run over every feed document (archives and the all-languages feed included) of the
shipped project and of a seven-statement corpus published with ``[feeds] limit = 2``.
"""

from __future__ import annotations

import calendar
import email.utils
import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import REPO, copy_project, write
from syndicate.cli import main

ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA = etree.RelaxNG(etree.parse(Path(__file__).parents[1] / "data" / "atom.rng"))
BASE = "https://press.example.org/"
HUB = "https://hub.example.net/"
NOW = "2026-11-28T00:00:00+00:00"
RFC822 = re.compile(
    r"^(?P<day>Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
LANGUAGE_TAG = re.compile(r"^(mul|[a-z]{2,3}(-[A-Z]{2}|-[a-z0-9]{3,8})*)$")
RSS_PERSON = re.compile(r"^[^@\s]+@[^@\s]+ \([^()]+\)$")
MARKUP = re.compile(r"<[a-zA-Z/!]|&(lt|gt|amp|#\d+);")
# RSS elements whose text is plain, not HTML (the validator's "nonhtml" ones), as written
RSS_PLAIN = re.compile(r"<(title|category|author|managingEditor|webMaster|dc:creator)>([^<]*)</\1>")
CHANNEL_DESCRIPTION = re.compile(r"<(description)>([^<]*)</description>")
NOT_HEXADECIMAL = re.compile(r"&(amp|lt|gt|#\d+);")
CORPUS_SIZE = 7
LIMIT = 2
ENGLISH_ONLY = {2, 5}  # statements of the corpus without a Portuguese translation


def publish(root: Path, out: Path, now: str = NOW) -> Path:
    result = CliRunner().invoke(main, ["publish", "--project", str(root), "--out", str(out),
                                       "--now", now], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def make_corpus(root: Path, hub: str = HUB) -> Path:
    """The shipped project plus six statements, limit 2, a hub, an e-mail address, an icon."""
    config = (REPO / "syndicate.toml").read_text(encoding="utf-8")
    config = config.replace('issuer = "Portuguese Government"',
                            'issuer = "Portuguese Government"\nemail = "press@example.org"')
    config += (f'\n[feeds]\nlimit = {LIMIT}\nhub = "{hub}"\n'
               f'icon = "{BASE}icon.png"\nlogo = "{BASE}logo.png"\n')
    write(root / "syndicate.toml", config)
    for folder in ("statements", "locales"):
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and path.suffix != ".mo":
                target = root / path.relative_to(REPO)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    for number in range(1, CORPUS_SIZE):
        folder = root / "statements" / f"2023-0{number}-10-note-{number}"
        write(folder / "statement.yaml", f"date: 2023-0{number}-10T1{number}:00:00+00:00\n"
                                         "original: en\n")
        odd = " (1 < 2)" if number == 1 else ""
        write(folder / "en.md", f'---\ntitle: "Note {number} on R&D{odd}"\n'
                                f'summary: "Summary {number}."\nplace: Lisbon\n---\n\n'
                                f"Body of [note {number}](annex.pdf).\n")
        if number not in ENGLISH_ONLY:
            write(folder / "pt.md", f'---\ntitle: "Nota {number}"\nplace: Lisboa\n---\n\n'
                                    f"Texto da nota {number}.\n")
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_corpus(tmp_path_factory.mktemp("corpus") / "project")
    return publish(root, root.parent / "dist")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("shipped") / "project")
    return publish(project, project.parent / "dist")


def feed_files(dist: Path) -> dict[str, str]:
    """path -> manifest kind of every RSS and Atom document of a publish."""
    files = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))["files"]
    return {f["path"]: f["kind"] for f in files
            if f["kind"] in ("rss", "atom", "rss-archive", "atom-archive")}


# The rules


def absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def html_urls(markup: str) -> list[str]:
    if not markup.strip():
        return []
    tree = lxml.html.fragment_fromstring(markup, create_parent="div")
    return [e.get(a) or "" for e in tree.iter() for a in ("href", "src") if e.get(a) is not None]


def check_rfc822(text: str | None) -> None:
    match = RFC822.match(text or "")
    assert match, text
    assert match["day"] == calendar.day_abbr[email.utils.parsedate_to_datetime(text).weekday()]


def check_rss(root: etree._Element, url: str) -> None:
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), name
    assert LANGUAGE_TAG.match(channel.findtext("language") or ""), channel.findtext("language")
    for date in channel.iter("pubDate", "lastBuildDate"):
        check_rfc822(date.text)
    selves = [e.get("href") for e in channel.findall(f"{ATOM}link") if e.get("rel") == "self"]
    assert selves == [url]
    urls = [e.get("href") for e in channel.iter(f"{ATOM}link")]
    urls += [e.get("url") for e in channel.iter("enclosure")]
    urls += [e.text for e in channel.iter("link", "url", "docs")]
    for person in channel.iter("managingEditor", "author"):
        assert RSS_PERSON.match(person.text or ""), person.text
    guids = []
    for item in channel.iter("item"):
        assert item.findtext("title") or item.findtext("description")
        guid = item.find("guid")
        assert guid is not None and guid.text
        guids.append(guid.text)
        if guid.get("isPermaLink", "true") == "true":
            assert absolute(guid.text), guid.text
        else:
            assert guid.get("isPermaLink") == "false" and not absolute(guid.text)
        for enclosure in item.iter("enclosure"):
            assert (enclosure.get("length") or "").isdigit() and enclosure.get("type")
        for html in item.iter("description", "{http://purl.org/rss/1.0/modules/content/}encoded"):
            urls += html_urls(html.text or "")
    assert len(guids) == len(set(guids))
    for url_ in urls:
        assert absolute(url_), url_
    for plain in channel.iter("title"):
        assert not MARKUP.search(plain.text or ""), plain.text


def check_rss_character_data(text: str) -> None:
    """The validator's CharacterData rule (from the RSS Best Practices Profile): "&" and "<" in
    plain text written as hexadecimal character references, never ``&amp;``, ``&lt;`` or a
    decimal reference, which readers that take the text for HTML would decode twice."""
    head, _, items = text.partition("<item>")
    found = RSS_PLAIN.findall(head) + CHANNEL_DESCRIPTION.findall(head)[:1]
    found += RSS_PLAIN.findall(items)
    assert found
    for name, raw in found:
        assert not NOT_HEXADECIMAL.search(raw), (name, raw)


def check_updated(root: etree._Element) -> None:
    """The validator's DuplicateUpdated rule: two entries with the same ``atom:updated``.

    Its one exception here, explained in the README: the translations of one statement in the
    all-languages feed, which went live at the same instant and are corrected together
    (``updated`` is the statement's), so one instant is the truthful value for each of them.
    """
    seen: dict[datetime, str] = {}
    for entry in root.iter(f"{ATOM}entry"):
        updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
        statement = (entry.findtext(f"{ATOM}id") or "").rsplit("/", 1)[0]
        assert seen.setdefault(updated, statement) == statement, (updated, statement)


def check_atom(root: etree._Element, url: str) -> None:
    assert root.tag == f"{ATOM}feed"
    assert SCHEMA.validate(root), SCHEMA.error_log
    for name in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), name
    for element in root.iter():
        if element.get(XML_LANG) is not None:
            assert LANGUAGE_TAG.match(element.get(XML_LANG) or ""), element.get(XML_LANG)
    for date in root.iter(f"{ATOM}updated", f"{ATOM}published"):
        assert RFC3339.match(date.text or ""), date.text
    head_links = root.findall(f"{ATOM}link")
    assert [e.get("href") for e in head_links if e.get("rel") == "self"] == [url]
    urls = [e.get("href") for e in root.iter(f"{ATOM}link")]
    urls += [e.text for e in root.iter(f"{ATOM}icon", f"{ATOM}logo", f"{ATOM}uri")]
    has_feed_author = root.find(f"{ATOM}author") is not None
    ids = []
    for links in [head_links, *[e.findall(f"{ATOM}link") for e in root.iter(f"{ATOM}entry")]]:
        keys = [(e.get("type"), e.get("hreflang")) for e in links
                if e.get("rel", "alternate") == "alternate"]
        assert len(keys) == len(set(keys))
    for entry in root.iter(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        ids.append(entry.findtext(f"{ATOM}id"))
        assert has_feed_author or entry.find(f"{ATOM}author") is not None
        content = entry.find(f"{ATOM}content")
        assert content is not None or any(
            e.get("rel", "alternate") == "alternate" for e in entry.findall(f"{ATOM}link"))
        if content is not None and content.get("type") == "html":
            urls += html_urls(content.text or "")
    assert len(ids) == len(set(ids))
    assert all(urlsplit(i or "").scheme in ("tag", "https") for i in ids)
    for url_ in urls:
        assert absolute(url_), url_
    check_updated(root)
    for plain in root.iter(f"{ATOM}title", f"{ATOM}subtitle", f"{ATOM}summary", f"{ATOM}name"):
        if plain.get("type", "text") == "text":
            assert not MARKUP.search(plain.text or ""), plain.text


def check_dist(dist: Path) -> int:
    files = feed_files(dist)
    for path, kind in files.items():
        root = etree.parse(dist / path).getroot()
        (check_rss if kind.startswith("rss") else check_atom)(root, BASE + path)
        if kind.startswith("rss"):
            check_rss_character_data((dist / path).read_text(encoding="utf-8"))
        parsed = feedparser.parse((dist / path).read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    return len(files)


# The rules hold


def test_the_shipped_projects_feeds_pass(shipped: Path) -> None:
    assert check_dist(shipped) == 5  # RSS and Atom per language and the all-languages feed


def test_the_corpus_feeds_pass_archives_included(corpus: Path) -> None:
    assert check_dist(corpus) == 5 + 2 * (2 + 1) + 5  # archives: en 2, pt 1 (RSS, Atom), mul 5


def test_the_rules_do_catch_mistakes(corpus: Path) -> None:
    rss = etree.parse(corpus / "en/feed.rss").getroot()
    rss.find("channel/item/link").text = "/en/relative/"  # type: ignore[union-attr]
    with pytest.raises(AssertionError):
        check_rss(rss, BASE + "en/feed.rss")
    rss = etree.parse(corpus / "en/feed.rss").getroot()
    rss.find("channel/lastBuildDate").text = "Sat, 22 Nov 2022 00:00:00 +0000"  # a Tuesday
    with pytest.raises(AssertionError):
        check_rss(rss, BASE + "en/feed.rss")
    atom = etree.parse(corpus / "pt/feed.atom").getroot()
    atom.set(XML_LANG, "pt_PT")
    with pytest.raises(AssertionError):
        check_atom(atom, BASE + "pt/feed.atom")
    atom = etree.parse(corpus / "pt/feed.atom").getroot()
    with pytest.raises(AssertionError):
        check_atom(atom, BASE + "en/feed.atom")  # the self link is someone else's
    atom = etree.parse(corpus / "en/feed.atom").getroot()
    first, second, *_ = (e.find(f"{ATOM}updated") for e in atom.iter(f"{ATOM}entry"))
    second.text = first.text  # type: ignore[union-attr]  # two statements, one instant
    with pytest.raises(AssertionError):
        check_updated(atom)
    rss = (corpus / "en/feed.rss").read_text(encoding="utf-8")
    with pytest.raises(AssertionError):
        check_rss_character_data(rss.replace("&#x26;", "&amp;"))


def test_rss_titles_encode_ampersand_and_less_than_in_hexadecimal(corpus: Path) -> None:
    rss = (corpus / "en/archive/1.rss").read_text(encoding="utf-8")
    assert "<title>Note 1 on R&#x26;D (1 &#x3C; 2)</title>" in rss
    titles = [e.title for e in feedparser.parse(rss.encode("utf-8")).entries]
    assert "Note 1 on R&D (1 < 2)" in titles
    atom = feedparser.parse((corpus / "en/archive/1.atom").read_bytes())
    assert [e.title for e in atom.entries] == titles


# Archives (RFC 5005)


def walk(dist: Path, path: str) -> list[str]:
    """Entry ids from the subscription document back through every prev-archive."""
    ids: list[str] = []
    seen: set[str] = set()
    url: str | None = BASE + path
    while url:
        assert url not in seen
        seen.add(url)
        parsed = feedparser.parse((dist / url.removeprefix(BASE)).read_bytes())
        assert not parsed.bozo
        ids += [entry.id for entry in parsed.entries]
        url = next((link.href for link in parsed.feed.get("links", [])
                    if link.rel == "prev-archive"), None)
    return ids


@pytest.mark.parametrize(("path", "count"), [
    ("en/feed.atom", CORPUS_SIZE), ("en/feed.rss", CORPUS_SIZE),
    ("pt/feed.atom", CORPUS_SIZE - len(ENGLISH_ONLY)), ("pt/feed.rss", CORPUS_SIZE - 2),
    ("feed.atom", 2 * CORPUS_SIZE - len(ENGLISH_ONLY)),
])
def test_feedparser_walks_the_archives_and_gets_every_entry_once(
        corpus: Path, path: str, count: int) -> None:
    ids = walk(corpus, path)
    assert len(ids) == len(set(ids)) == count
    current = feedparser.parse((corpus / path).read_bytes())
    # the newest `limit`, plus those not yet on a full archive page
    assert LIMIT <= len(current.entries) < 2 * LIMIT
    assert ids == sorted(ids, key=lambda i: i.split(",")[1].split(":")[0], reverse=True)


def test_archive_documents_are_marked_and_linked(corpus: Path) -> None:
    first, second = (etree.parse(corpus / f"en/archive/{n}.atom").getroot() for n in (1, 2))
    links = {e.get("rel"): e.get("href") for e in first.findall(f"{ATOM}link")}
    assert links == {"self": BASE + "en/archive/1.atom", "current": BASE + "en/feed.atom",
                     "next-archive": BASE + "en/archive/2.atom", "alternate": BASE + "en/"}
    links = {e.get("rel"): e.get("href") for e in second.findall(f"{ATOM}link")}
    assert links["prev-archive"] == BASE + "en/archive/1.atom" and "next-archive" not in links
    assert first.find(f"{FH}archive") is not None and second.find(f"{FH}archive") is not None
    current = etree.parse(corpus / "en/feed.atom").getroot()
    assert current.find(f"{FH}archive") is None
    rss = etree.parse(corpus / "en/archive/1.rss").getroot()
    assert rss.find(f"channel/{FH}archive") is not None
    assert {e.get("rel") for e in rss.iter(f"{ATOM}link")} == {"self", "current", "next-archive"}


# WebSub, the all-languages feed, feed metadata


def test_every_subscription_feed_names_the_hub_and_itself(corpus: Path) -> None:
    for path, kind in feed_files(corpus).items():
        root = etree.parse(corpus / path).getroot()
        rels = [e.get("rel") for e in root.iter(f"{ATOM}link")
                if e.getparent() in (root, root.find("channel"))]
        assert "self" in rels
        assert ("hub" in rels) == (kind in ("rss", "atom")), path
    for lang in ("en", "pt"):
        feed = json.loads((corpus / lang / "feed.json").read_text(encoding="utf-8"))
        assert feed["hubs"] == [{"type": "WebSub", "url": HUB}]
        assert feed["icon"] == BASE + "icon.png"


def test_the_all_languages_feed_gives_each_entry_its_language(corpus: Path) -> None:
    root = etree.parse(corpus / "feed.atom").getroot()
    assert root.get(XML_LANG) == "mul"
    parsed = feedparser.parse((corpus / "feed.atom").read_bytes())
    for entry, element in zip(parsed.entries, root.iter(f"{ATOM}entry"), strict=True):
        tag = element.get(XML_LANG)
        assert tag in ("en", "pt-PT")
        code = "pt" if tag == "pt-PT" else "en"
        assert entry.id.endswith("/" + code)
        assert entry.link.startswith(f"{BASE}{code}/")


def test_feed_metadata_author_email_generator_icon_logo(corpus: Path) -> None:
    english = feedparser.parse((corpus / "en/feed.atom").read_bytes()).feed
    assert english.author_detail == {"name": "Portuguese Government",
                                     "email": "press@example.org"}
    assert english.generator == "syndicate"
    assert (english.icon, english.logo) == (BASE + "icon.png", BASE + "logo.png")
    channel = etree.parse(corpus / "en/feed.rss").getroot().find("channel")
    assert channel is not None
    assert channel.findtext("managingEditor") == "press@example.org (Portuguese Government)"
    assert channel.findtext("image/url") == BASE + "logo.png"
    assert {e.text for e in channel.iter("author")} == {
        "press@example.org (Portuguese Government)"}
    portuguese = etree.parse(corpus / "pt/feed.rss").getroot()
    assert portuguese.find("channel/managingEditor") is None  # no address configured
    assert portuguese.find("channel/item/author") is None
