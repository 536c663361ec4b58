"""Share snippets, recounted with independent counters the way each network counts."""

from __future__ import annotations

import doctest
import json
import math
import re
import unicodedata
from datetime import datetime
from itertools import cycle, islice
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import grapheme
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import extract_urls_with_indices, parse_tweet

from syndicate.model import Language, Site, Statement, Translation
from syndicate.render import counting, share
from syndicate.render.share import PLATFORMS, render, snippets, twitter_text_chunks, x_length
from syndicate.words import Text

ORDER = ["x", "bluesky", "mastodon", "threads", "linkedin", "facebook", "whatsapp", "telegram",
         "reddit", "email", "sms"]
RECORD_KEYS = ["text", "url", "share_url", "length", "limit", "unit"]
STATEMENT_ID = "2022-11-22-vitorino-iom"
URL = f"https://press.example.org/pt/{STATEMENT_ID}/"
PT_TITLE = "Governo apoia candidatura de António Vitorino a Diretor-Geral da OIM"
PT_SUMMARY = ("O Governo português apoia a reeleição de António Vitorino como Diretor-Geral da "
              "Organização Internacional para as Migrações, nas eleições agendadas para junho "
              "de 2023.")
FAMILY = "👨\u200d👩\u200d👧\u200d👦"
FLAGS = "🇵🇹🇧🇷"  # two flags, one word
PT_WORDS = ["A", "reeleição", "de", "António", "Vitorino,", "ação", "migrações", FAMILY, FLAGS,
            "«coração»", "Açores", "👩🏽\u200d💻", "então", "é", "tão", "pão", "—", "conclusão."]
PT_LONG = " ".join(islice(cycle(PT_WORDS), 700))  # about 5000 characters
GSM = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
          "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("\f^{}\\[~]|€")
LIMITS = {"x": 280, "bluesky": 300, "mastodon": 500, "threads": 500, "linkedin": 3000,
          "whatsapp": 4096, "telegram": 4096, "reddit": 300, "sms": 3}


def mastodon_count(text: str) -> int:
    return int(grapheme.length(re.sub(r"https?://\S+", "x" * 23, text)))


def sms_count(text: str) -> int:
    """Segments by the textbook formula (no care for split escape or surrogate pairs)."""
    if set(text) <= GSM | GSM_EXTENDED:
        units, single, part = len(text) + sum(c in GSM_EXTENDED for c in text), 160, 153
    else:
        units, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


def independent_length(name: str, text: str) -> int:
    if name == "x":
        return int(parse_tweet(text).weightedLength)
    if name == "bluesky":
        return int(grapheme.length(text))
    if name == "mastodon":
        return mastodon_count(text)
    if name == "sms":
        return sms_count(text)
    return len(text)


def query(share_url: str) -> dict[str, str]:
    params = parse_qs(urlsplit(share_url).query, keep_blank_values=True, strict_parsing=False)
    assert all(len(values) == 1 for values in params.values())
    return {key: values[0] for key, values in params.items()}


def check_share_url(name: str, record: dict[str, object]) -> None:
    """The share link is plain ASCII and decodes back to the exact post."""
    text, url, share_url = record["text"], record["url"], record["share_url"]
    assert isinstance(text, str) and isinstance(url, str) and isinstance(share_url, str)
    assert share_url.isascii() and not re.search(r"[\s+]", share_url)
    params = query(share_url)
    expected: dict[str, str] = {
        "linkedin": {"url": url},
        "facebook": {"u": url},
        "telegram": {"url": url, "text": text.removesuffix(url).removesuffix("\n\n")},
        "reddit": {"url": url, "title": text},
        "sms": {"body": text},
        "email": {"subject": str(record.get("subject")), "body": text.replace("\n", "\r\n")},
    }.get(name, {"text": text})
    assert params == expected


def check_record(name: str, record: dict[str, object], limits: dict[str, int]) -> None:
    text = record["text"]
    assert isinstance(text, str)
    assert unicodedata.is_normalized("NFC", text)
    assert list(record)[:6] == RECORD_KEYS
    if name == "x":
        assert parse_tweet(text).valid
    if name == "bluesky":
        assert len(text.encode("utf-8")) <= 3000
    if name in limits:
        assert independent_length(name, text) <= limits[name]
        assert record["limit"] == limits[name]
        assert isinstance(record["length"], int) and record["length"] <= limits[name]
    else:
        assert record["limit"] is None
    check_share_url(name, record)


def shortened(block: str, source: str, ellipsis: str = "…") -> str:
    """Check ``block`` is ``source`` cut after whole words plus the ellipsis; return the cut."""
    assert block.endswith(ellipsis)
    kept = block.removesuffix(ellipsis)
    assert source.startswith(kept) and len(kept) < len(source)
    source_words, kept_words = source.split(" "), kept.split(" ")
    assert source_words[:len(kept_words) - 1] == kept_words[:-1]
    last = source_words[len(kept_words) - 1]
    assert kept_words[-1] == last or (kept_words[-1] == last.rstrip(",.;:—") and kept_words[-1])
    clusters = list(grapheme.graphemes(kept))
    assert clusters == list(grapheme.graphemes(source))[:len(clusters)]
    return kept


def test_platforms_in_order() -> None:
    assert list(PLATFORMS) == ORDER
    records = snippets(PT_TITLE, PT_SUMMARY, URL)
    assert list(records) == ORDER
    assert all(list(record) == RECORD_KEYS for name, record in records.items() if name != "email")
    assert list(records["email"]) == [*RECORD_KEYS, "subject"]


def test_shipped_statement_is_whole_except_in_sms() -> None:
    records = snippets(PT_TITLE, PT_SUMMARY, URL)
    for name, record in records.items():
        check_record(name, record, LIMITS)
    whole = f"{PT_TITLE}\n\n{PT_SUMMARY}\n\n{URL}"
    for name in ("x", "bluesky", "mastodon", "threads", "linkedin", "whatsapp", "telegram"):
        assert records[name]["text"] == whole
    assert records["x"]["length"] == parse_tweet(whole).weightedLength
    assert records["x"]["unit"] == "weighted characters"
    assert records["bluesky"]["length"] == grapheme.length(whole)
    assert records["facebook"]["text"] == f"{PT_TITLE}\n\n{PT_SUMMARY}"
    assert records["reddit"]["text"] == PT_TITLE
    assert records["email"]["subject"] == PT_TITLE
    assert records["email"]["text"] == f"{PT_SUMMARY}\n\n{URL}"
    # UCS-2 (ó, ê, ç, ã): three segments of 67 leave room for the title, the link and a part
    sms = records["sms"]
    assert sms["unit"] == "segments" and sms["length"] == 3
    assert isinstance(sms["text"], str)
    title, summary, link = sms["text"].split("\n\n")
    assert (title, link) == (PT_TITLE, URL)
    shortened(summary, PT_SUMMARY, ellipsis="...")


def test_hashtags_go_first_when_too_long() -> None:
    tags = ["migrações", "#OIM", "António Vitorino"]
    records = snippets(PT_TITLE, PT_SUMMARY, URL, tags)
    assert records["x"]["text"] == f"{PT_TITLE}\n\n{PT_SUMMARY}\n\n{URL}"
    tagged = f"{PT_TITLE}\n\n{PT_SUMMARY}\n\n#migrações #OIM #AntónioVitorino\n\n{URL}"
    assert records["mastodon"]["text"] == tagged
    assert records["facebook"]["text"] == tagged.removesuffix(f"\n\n{URL}")
    assert "#" not in str(records["email"]["text"]) + str(records["reddit"]["text"])
    for name, record in records.items():
        check_record(name, record, LIMITS)


@pytest.mark.parametrize("name", ["x", "bluesky", "mastodon", "threads", "linkedin", "whatsapp",
                                  "telegram", "sms"])
def test_long_summary_shortened_at_a_word(name: str) -> None:
    record = snippets(PT_TITLE, PT_LONG, URL)[name]
    check_record(name, record, LIMITS)
    title, summary, link = str(record["text"]).split("\n\n")
    assert (title, link) == (PT_TITLE, URL)
    ellipsis = "..." if name == "sms" else "…"
    kept = shortened(summary, PT_LONG, ellipsis)
    assert not kept.endswith((",", " ", "—"))
    # the richest: one more word would not fit
    longer = " ".join(PT_LONG.split(" ")[:len(kept.split(" ")) + 1]) + ellipsis
    assert independent_length(name, f"{title}\n\n{longer}\n\n{URL}") > LIMITS[name]


@pytest.mark.parametrize("name", ["x", "bluesky", "mastodon", "threads", "reddit", "sms"])
def test_long_title_shortened_and_summary_dropped(name: str) -> None:
    record = snippets(PT_LONG, PT_SUMMARY, URL)[name]
    check_record(name, record, LIMITS)
    blocks = str(record["text"]).split("\n\n")
    if name == "reddit":
        assert len(blocks) == 1
    else:
        assert blocks[1:] == [URL]
    shortened(blocks[0], PT_LONG, "..." if name == "sms" else "…")


def test_one_overlong_word_is_cut_between_graphemes_only() -> None:
    records = snippets(FAMILY * 600, "", URL)
    for name, record in records.items():
        check_record(name, record, LIMITS)
    for name in ("x", "bluesky", "mastodon", "threads", "reddit"):
        cut = str(records[name]["text"]).split("\n\n")[0]
        assert cut.endswith("…")
        assert set(grapheme.graphemes(cut.removesuffix("…"))) == {FAMILY}
    assert records["reddit"]["text"] == FAMILY * 42 + "…"  # 11 code points each


def test_nfd_input_comes_out_nfc() -> None:
    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    decomposed = snippets(nfd(PT_TITLE), nfd(PT_SUMMARY), nfd(URL), [nfd("migrações")])
    assert nfd(PT_TITLE) != PT_TITLE
    assert decomposed == snippets(PT_TITLE, PT_SUMMARY, URL, ["migrações"])
    assert PT_TITLE in str(decomposed["x"]["text"])
    decoded = snippets("a\u0303" * 400, "", URL)["reddit"]["text"]
    assert decoded == "ã" * 299 + "…"


def test_whitespace_and_controls_are_cleaned() -> None:
    record = snippets("  Governo\tapoia \n OIM\x00\ufeff ", " \r\n", URL)["x"]
    assert record["text"] == f"Governo apoia OIM\n\n{URL}"


def test_x_counts_links_as_23() -> None:
    long_url = "https://press.example.org/pt/" + "a" * 200 + "/"
    record = snippets(PT_TITLE, PT_LONG, long_url)["x"]
    check_record("x", record, LIMITS)
    assert str(record["text"]).endswith(long_url)
    assert len(str(record["text"])) > 280


def test_mastodon_counts_links_as_23_and_limit_is_configurable() -> None:
    long_url = "https://press.example.org/pt/" + "a" * 200 + "/"
    record = snippets(PT_TITLE, PT_LONG, long_url)["mastodon"]
    check_record("mastodon", record, LIMITS)
    assert grapheme.length(str(record["text"])) > 500
    assert mastodon_count(str(record["text"])) > 480
    small = snippets(PT_TITLE, PT_LONG, long_url, mastodon_limit=120)["mastodon"]
    check_record("mastodon", small, {"mastodon": 120})
    assert str(small["text"]).startswith(PT_TITLE)


def test_bluesky_byte_cap_binds_before_graphemes() -> None:
    summary = " ".join([FAMILY * 3] * 100)  # 25 bytes a grapheme
    record = snippets("Família", summary, URL)["bluesky"]
    check_record("bluesky", record, LIMITS)
    text = str(record["text"])
    assert 2900 < len(text.encode("utf-8")) <= 3000
    assert grapheme.length(text) < 300
    shortened(text.split("\n\n")[1], summary)


def test_email_mailto_uses_crlf() -> None:
    record = snippets(PT_TITLE, PT_SUMMARY, URL)["email"]
    share_url = str(record["share_url"])
    assert share_url.startswith("mailto:?subject=Governo%20apoia%20")
    assert "&body=O%20Governo%20" in share_url
    assert "%0D%0A%0D%0Ahttps%3A%2F%2F" in share_url
    assert "\r" not in share_url and "\n" not in share_url
    check_share_url("email", record)


def test_telegram_does_not_repeat_the_link() -> None:
    record = snippets(PT_TITLE, PT_SUMMARY, URL)["telegram"]
    params = query(str(record["share_url"]))
    assert params == {"url": URL, "text": f"{PT_TITLE}\n\n{PT_SUMMARY}"}
    assert record["text"] == f"{PT_TITLE}\n\n{PT_SUMMARY}\n\n{URL}"


@pytest.mark.parametrize(("title", "segments"), [
    ("ç" * 55, 1),  # 55 + 2 + 13 = 70 UTF-16 units: one UCS-2 segment
    ("ç" * 56, 2),  # 71 units: two segments of 67
    ("c" * 145, 1),  # 160 GSM-7 septets
    ("c" * 146, 2),
    ("€" * 72, 1),  # 144 + 15 = 159 septets: € takes two
    ("€" * 73, 2),
    ("é" * 145, 1),  # é is in the GSM alphabet, ç is not
    ("ç" * 100 + " " + "ç" * 85, 3),  # 201 units
], ids=["ucs2-70", "ucs2-71", "gsm-160", "gsm-161", "euro-159", "euro-161", "e-acute",
        "ucs2-201"])
def test_sms_segments(title: str, segments: int) -> None:
    record = snippets(title, "", "https://e.pt/")["sms"]
    assert record["text"] == f"{title}\n\nhttps://e.pt/"
    assert record["length"] == segments == sms_count(str(record["text"]))
    assert record["share_url"] == "sms:?&body=" + str(record["share_url"]).split("body=")[1]
    check_share_url("sms", record)


def test_sms_limit_is_configurable() -> None:
    record = snippets(PT_TITLE, PT_LONG, URL, sms_segments=1)["sms"]
    assert record["limit"] == record["length"] == 1
    assert sms_count(str(record["text"])) == 1


def test_link_over_the_limit_is_an_error() -> None:
    with pytest.raises(ValueError, match="limit of 300"):
        snippets("T", "S", "https://e.pt/" + "a" * 400)


def site_and_statement() -> tuple[Site, Statement]:
    site = Site("https://press.example.org/", "Europe/Lisbon", (
        Language("en", "en", "en", "Press releases", "Portuguese Government", "Statements"),
        Language("pt", "pt-PT", "pt_PT", "Comunicados", "Governo de Portugal", "Comunicados"),
    ), "en")
    translations = tuple(
        Translation(lang, title, summary, "Lisboa", (), Text("", "Texto.", "<p>Texto.</p>"))
        for lang, title, summary in (
            ("en", "Government supports António Vitorino for IOM Director General",
             "The Portuguese Government supports the re-election of António Vitorino."),
            ("pt", PT_TITLE, PT_SUMMARY),
        ))
    date = datetime(2022, 11, 22, 12, tzinfo=ZoneInfo("Europe/Lisbon"))
    return site, Statement(STATEMENT_ID, date, None, "pt", translations)


def test_render_writes_deterministic_json() -> None:
    site, statement = site_and_statement()
    artifact = render(site, statement, "pt")
    assert (artifact.path, artifact.kind, artifact.lang, artifact.statement) == (
        f"pt/{STATEMENT_ID}/share.json", "share", "pt", STATEMENT_ID)
    assert artifact.data == render(site, statement, "pt").data
    assert artifact.data.startswith(b'{\n  "x": {\n    "text": "Governo apoia')
    assert artifact.data.endswith(b"}\n") and not artifact.data.endswith(b"\n\n")
    assert "António".encode() in artifact.data
    records = json.loads(artifact.data.decode("utf-8"))
    assert records == snippets(PT_TITLE, PT_SUMMARY, site.page_url(STATEMENT_ID, "pt"))
    assert list(records) == ORDER
    assert records["x"]["url"] == URL
    english = json.loads(render(site, statement, "en").data)
    assert english["reddit"]["text"].startswith("Government supports")
    assert english["x"]["url"] == "https://press.example.org/en/2022-11-22-vitorino-iom/"


def test_render_without_the_translation_is_an_error() -> None:
    site, statement = site_and_statement()
    with pytest.raises(ValueError, match="no 'fr' translation"):
        render(site, statement, "fr")


def replace_links(text: str) -> str:
    for entity in reversed(extract_urls_with_indices(text, False)):
        start, end = entity["indices"]
        text = text[:start] + "x" * 23 + text[end:]
    return text


def test_long_word_before_a_link_counts_like_twitter_text() -> None:
    """Pins the work-around: one call of parse_tweet here is quadratic in the word's length."""
    text = "ç" * 1000 + "\n\nhttps://e.pt/"
    assert x_length(text) == parse_tweet(text).weightedLength == 1025
    assert PLATFORMS["mastodon"].measure(text) == 1025


PIECES = [" ", "\n", "\r\n", "\r", "\u00a0", "\u3000", "\t", "https://press.example.org/pt/a/",
          "example.com", "(https://e.pt/x).", "@user", "#tag", FAMILY, FLAGS, "😀", "ação",
          "日本語", "a.b", "\u0301", "…", "/", "-"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=30),
       st.integers(min_value=1, max_value=40))
def test_chunked_counting_equals_one_call(pieces: list[str], size: int) -> None:
    text = "".join(pieces)
    chunks = list(twitter_text_chunks(text, size))
    assert "".join(chunks) == text
    total = sum(parse_tweet(chunk).weightedLength for chunk in chunks)
    assert total == parse_tweet(text).weightedLength
    assert "".join(map(replace_links, chunks)) == replace_links(text)


def test_docstring_examples() -> None:
    result = doctest.testmod(share)
    assert result.failed == 0 and result.attempted > 0


# Any text, and long ones made of a repeated piece so that shortening happens too.
ANY_TEXT = st.text() | st.builds(lambda text, times: text * times, st.text(min_size=1),
                                 st.integers(min_value=1, max_value=150))


@settings(max_examples=100, deadline=None)
@given(ANY_TEXT, ANY_TEXT, st.lists(st.text(max_size=12), max_size=3))
def test_any_text_fits_and_round_trips(title: str, summary: str, tags: list[str]) -> None:
    records = snippets(title, summary, URL, tags)
    assert list(records) == ORDER
    for name, record in records.items():
        check_record(name, record, LIMITS)


# X's count without twitter-text's parser, for plain text (counting.plain_x_weight, and
# counting.linked_x_weight with links): the same as parse_tweet whenever it answers at all.
X_PLAIN = [chr(c) for c in (9, 10, *range(0x20, 0x7F), *range(0xA0, 0x250),
                            *range(0x2010, 0x2028), 0x20AC) if c not in (0xA9, 0xAE)]
X_TRICKY = [".", ":", "/", "w", "0", "7", "#", "*", "©", "®", "\r", "\r\n", "\ufe0f", "\u20e3",
            "\u200d", "🇵", "🇹", "😀", "e\u0301", "ã", "…", "€", "«", "日", "本", "\u2028",
            "\u0131", "\u017f", "\u212a", "\ufeff", "\u3000", "\u2032", "\u1100"]
X_PIECES = ["press.example.org", "https://", "http://e.pt", "t.co/", "xn--", ".pt", ".com",
            "www.", "@user", "#tag", "1\ufe0f\u20e3", "©\ufe0f", "Lisboa.Hoje", "e/ou", "3.5"]
X_TEXT = st.one_of(
    st.text(st.sampled_from(X_PLAIN), max_size=40),
    st.lists(st.sampled_from(X_PLAIN + X_TRICKY + X_PIECES), max_size=25).map("".join),
    st.lists(st.sampled_from(X_PLAIN[:100] + [".", ":", "/", " ", "org", "pt"]),
             max_size=30).map("".join),
    st.lists(st.sampled_from(["https://", "http://", "e.pt", "x.org", "t.co/", "www.", "a", "é",
                              "ç", "-", "_", "/", "?", "=", "&", "#", "@", "$", "(", ")", ".",
                              ",", "'", ":", "123", "com", " ", "\n", "«", "…", "\u00a0"]),
             max_size=25).map("".join),
)


def twitter_weight(text: str) -> int:
    return int(parse_tweet(text).weightedLength)


@settings(max_examples=400, deadline=None)
@given(X_TEXT)
def test_x_weight_without_the_parser_is_parse_tweets(text: str) -> None:
    expected = twitter_weight(text)
    assert counting.plain_x_weight(text) in (None, expected)
    assert counting.linked_x_weight(text) in (None, expected)
    assert x_length(text) == expected


@pytest.mark.parametrize(("text", "plain", "linked", "weight"), [
    ("", 0, 0, 0),
    ("Olá, «coração» — 5 € … fim.\n\tFim", 34, 34, 34),
    ("press.example.org", None, 23, 23),
    ("Veja press.example.org/pt/a.", None, 29, 29),
    ("Lisboa.Hoje", None, 11, 11),
    ("3.5 e/ou", None, 8, 8),
    ("https://press", None, 13, 13),
    ("https://e.pt https://e.pt", None, 47, 47),
    ("©", None, None, 2),
    ("® 1\ufe0f\u20e3", None, None, 5),
    ("a\r\nb", None, None, 3),
    ("a\rb", None, None, 3),
    ("e\u0301", None, None, 1),
    ("日本", None, None, 4),
    ("\u2020\u2027\u2028", None, None, 6),
])
def test_x_weight_without_the_parser_examples(text: str, plain: int | None, linked: int | None,
                                              weight: int) -> None:
    assert twitter_weight(text) == weight
    assert counting.plain_x_weight(text) == plain
    assert counting.linked_x_weight(text) == linked
    assert x_length(text) == weight


def test_plain_x_weight_covers_ordinary_text() -> None:
    assert counting.plain_x_weight(PT_TITLE + "\n\n" + PT_SUMMARY) == x_length(
        PT_TITLE + "\n\n" + PT_SUMMARY) == 237


@settings(max_examples=200, deadline=None)
@given(st.text() | st.lists(st.sampled_from(X_PLAIN + X_TRICKY + ["%", "~", "_", "\U0001f600"]))
       .map("".join))
def test_quote_is_urllib_quote(text: str) -> None:
    assert share._quote(text) == quote(text, safe="")


def test_quote_rejects_lone_surrogates_as_urllib_does() -> None:
    for quoting in (share._quote, lambda text: quote(text, safe="")):
        with pytest.raises(UnicodeEncodeError):
            quoting("a\ud800")


def test_share_fields_are_the_templates_placeholders() -> None:
    for rule in PLATFORMS.values():
        assert share._share_fields(rule.share) == set(re.findall(r"\{(\w+)\}", rule.share))


def reference_clean(text: str) -> str:
    kept = []
    for char in text:
        if char.isspace() and char not in "\u00a0\u2007\u202f":
            kept.append(" ")
        elif char not in "\ufeff\ufffe\uffff" and unicodedata.category(char) not in ("Cc", "Cs"):
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def test_clean_of_every_code_point() -> None:
    every = "".join(map(chr, range(0x110000)))
    assert share._clean(every) == reference_clean(every)


CLEANING_TEXT = st.text(st.characters(codec=None)) | st.lists(st.sampled_from(
    X_PLAIN + X_TRICKY + ["\u0300", "\u00a0", "\u2007", "\u202f", "\x85", "\x1c", "\v", "\x00",
                          "\ud800", "\ufeff", "\U0001f3fd", "\u0915\u094d"]),
    max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(CLEANING_TEXT)
def test_clean_and_words_as_one_character_at_a_time(text: str) -> None:
    assert share._clean(text) == reference_clean(text)
    assert share._words(text) == share._cluster_words(reference_clean(text))


def reference_sms_segments(text: str) -> int:
    if all(c in counting._GSM_BASIC or c in counting._GSM_EXTENSION for c in text):
        costs, single, part = [2 if c in counting._GSM_EXTENSION else 1 for c in text], 160, 153
    else:
        costs, single, part = [2 if ord(c) > 0xFFFF else 1 for c in text], 70, 67
    if sum(costs) <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return segments


@settings(max_examples=300, deadline=None)
@given(st.builds(lambda text, times: text * times,
                 st.text(st.sampled_from(sorted(GSM | GSM_EXTENDED) + ["ç", "😀", "\ud800"]),
                         min_size=1, max_size=8),
                 st.integers(min_value=1, max_value=120)))
def test_sms_segments_as_cost_by_cost(text: str) -> None:
    assert counting.count_sms_segments(text) == reference_sms_segments(text)
