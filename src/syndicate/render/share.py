"""Share snippets: a ready-to-paste post and a share link per network, counted as it counts.

Each network is one :class:`Platform` rule in :data:`PLATFORMS`. A post is the richest text
that fits the rule: title, blank line, summary, hashtags, link; if that is too long the
hashtags go, then the summary is shortened at a word boundary with an ellipsis, then the
summary goes and the title is shortened the same way. Words are cut inside only when a single
word is longer than the room, and then only between grapheme clusters. Input and output are NFC.

Choices worth knowing:

* Mastodon counts grapheme clusters, every http(s) link as 23 (found as Mastodon finds them,
  with twitter-text); "@user@host" mentions are counted in full, never less than Mastodon does.
  It has no instance-agnostic share page, so ``share_url`` uses Share₂Fedi (``s2f.kytta.dev``,
  free software, self-hostable: change one template to use your own).
* Facebook's share dialog takes only the link and shows it as a card, so its ``text`` is the
  caption to paste there: title, summary and hashtags without the link (no limit applies).
* Telegram's dialog puts ``url`` on the first line and ``text`` below it, so its ``share_url``
  carries the text without the link; ``text`` itself is the whole post, link included.
* Reddit's ``text`` is the post title (link posts carry the link apart), at most 300 characters.
* Email: ``subject`` is the title; ``text`` (the body) is the summary and the link, and the
  ``mailto:`` link writes line breaks as CRLF (RFC 6068).
* SMS: ``length`` is the number of segments: GSM-7 (160 septets alone, 153 each when
  concatenated, ``€ [ ] { } ^ ~ | \\`` and form feed taking two) when every character is in the
  GSM 03.38 alphabet, else UCS-2 (70 UTF-16 code units alone, 67 concatenated); ``ã õ ç « »``
  force UCS-2. The limit is ``sms_segments`` (3 by default: title, link and usually part of the
  summary, at a bounded cost). SMS shortens with ``...``: one "…" would force UCS-2 on text
  that is otherwise GSM-7 and more than halve the room.
* "characters" means Unicode code points; X's "weighted characters" are twitter-text v3 weights.
"""

from __future__ import annotations

import functools
import json
import re
import string
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import grapheme

from syndicate.model import Artifact, Site, Statement
from syndicate.render.counting import (
    NOT_SIMPLE,
    code_points,
    count_sms_segments,
    grapheme_length,
    replace_links,
    twitter_text_chunks,
    within_bluesky_bytes,
    x_length,
)

ELLIPSIS = "\u2026"
PARAGRAPH = "\n\n"
_NO_BREAK_SPACES = "\u00a0\u2007\u202f"  # kept inside words, never collapsed
_UNWANTED = frozenset("\ufeff\ufffe\uffff")  # X rejects these; invisible anyway
# Not left dangling before an ellipsis ("apoia, …" becomes "apoia…").
_DANGLING = frozenset(" ,;:.·-‐–—/([{«“‘„¿¡")

Words = tuple[tuple[str, ...], ...]  # words as grapheme clusters
Blocks = tuple[str, ...]  # the paragraphs of a post


@dataclass(frozen=True, slots=True)
class Platform:
    """One network's rule.

    ``share`` is the share link template; its fields ``{text}``, ``{caption}`` (the text
    without the link), ``{url}`` and ``{subject}`` are filled percent-encoded. ``url_cost``:
    every http(s) link counts as this many units (None: as written, or the counter decides).
    """

    share: str
    count: Callable[[str], int]
    limit: int | None
    unit: str | None = "characters"
    url_cost: int | None = None
    link_in_text: bool = True
    title: bool = True
    summary: bool = True
    hashtags: bool = True
    accepts: Callable[[str], bool] | None = None  # any further constraint
    newline: str = "\n"  # line breaks as written in the share link
    ellipsis: str = ELLIPSIS

    def measure(self, text: str) -> int:
        if self.url_cost is not None:
            text = "".join(replace_links(chunk, self.url_cost)
                           for chunk in twitter_text_chunks(text))
        return self.count(text)

    def fits(self, text: str, lengths: dict[str, int] | None = None) -> bool:
        """Within the limit and accepted; ``lengths`` keeps each text's :meth:`measure`."""
        if self.limit is not None:
            length = self.measure(text)
            if lengths is not None:
                lengths[text] = length
            if length > self.limit:
                return False
        return self.accepts is None or self.accepts(text)


PLATFORMS: Mapping[str, Platform] = MappingProxyType({
    # parse_tweet itself charges 23 per link
    "x": Platform("https://x.com/intent/tweet?text={text}", x_length, 280, "weighted characters"),
    "bluesky": Platform("https://bsky.app/intent/compose?text={text}", grapheme_length, 300,
                        "graphemes", accepts=within_bluesky_bytes),
    "mastodon": Platform("https://s2f.kytta.dev/?text={text}", grapheme_length, 500,
                         "graphemes", url_cost=23),
    "threads": Platform("https://www.threads.net/intent/post?text={text}", code_points, 500),
    "linkedin": Platform("https://www.linkedin.com/sharing/share-offsite/?url={url}",
                         code_points, 3000),
    "facebook": Platform("https://www.facebook.com/sharer/sharer.php?u={url}", code_points, None,
                         link_in_text=False),
    "whatsapp": Platform("https://wa.me/?text={text}", code_points, 4096),
    "telegram": Platform("https://t.me/share/url?url={url}&text={caption}", code_points, 4096),
    "reddit": Platform("https://www.reddit.com/submit?url={url}&title={text}", code_points, 300,
                       link_in_text=False, summary=False, hashtags=False),
    "email": Platform("mailto:?subject={subject}&body={text}", code_points, None,
                      title=False, hashtags=False, newline="\r\n"),
    "sms": Platform("sms:?&body={text}", count_sms_segments, 3, "segments", ellipsis="..."),
})


def snippets(
    title: str,
    summary: str,
    url: str,
    hashtags: Sequence[str] = (),
    *,
    mastodon_limit: int = 500,
    sms_segments: int = 3,
) -> dict[str, dict[str, object]]:
    """One record per platform, in :data:`PLATFORMS` order.

    Each has ``text``, ``url``, ``share_url``, ``length`` (in ``unit``, as the platform counts),
    ``limit`` (None where none applies) and ``unit``; email adds ``subject``. Raises
    ValueError when even the link alone is over a platform's limit.

    >>> snippets("Olá", "", "https://press.example.org/pt/a/")["x"]["share_url"]
    'https://x.com/intent/tweet?text=Ol%C3%A1%0A%0Ahttps%3A%2F%2Fpress.example.org%2Fpt%2Fa%2F'
    """
    title_words, summary_words = _words(title), _words(summary)
    url = _clean(url).strip()
    if isinstance(hashtags, str):
        hashtags = (hashtags,)
    tags = " ".join(f"#{tag}" for tag in (_hashtag(t) for t in hashtags) if tag)
    subject = _join(title_words)
    overrides = {"mastodon": mastodon_limit, "sms": sms_segments}
    records: dict[str, dict[str, object]] = {}
    for name, rule in PLATFORMS.items():
        if name in overrides and overrides[name] != rule.limit:
            rule = replace(rule, limit=overrides[name])
        lengths: dict[str, int] = {}  # the chosen post was measured while fitting
        blocks = _fit(rule, title_words if rule.title else (),
                      summary_words if rule.summary else (), tags if rule.hashtags else "",
                      url if rule.link_in_text else "", lengths)
        text = _nfc(PARAGRAPH.join(blocks))
        fields = {"text": text, "url": url, "subject": subject}
        used = _share_fields(rule.share)
        if "caption" in used:
            fields["caption"] = _nfc(PARAGRAPH.join(
                blocks[:-1] if url and rule.link_in_text else blocks))
        record: dict[str, object] = {
            "text": text,
            "url": url,
            "share_url": rule.share.format_map(
                {k: _quote(fields[k].replace("\n", rule.newline)) for k in used}),
            "length": lengths[text] if text in lengths else rule.measure(text),
            "limit": rule.limit,
            "unit": rule.unit,
        }
        if "{subject}" in rule.share:
            record["subject"] = subject
        records[name] = record
    return records


def records(site: Site, statement: Statement, lang: str) -> dict[str, dict[str, object]]:
    """The share records of one translation, by platform."""
    translation = statement.translation(lang)
    if translation is None:
        raise ValueError(f"statement {statement.id!r} has no {lang!r} translation")
    return snippets(translation.title, translation.summary, site.page_url(statement.id, lang))


def render(site: Site, statement: Statement, lang: str) -> Artifact:
    """The share snippets of one translation, as ``<lang>/<id>/share.json``."""
    data = json.dumps(records(site, statement, lang), ensure_ascii=False, indent=2) + "\n"
    return Artifact(site.share_path(statement.id, lang), "share", lang, statement.id,
                    data.encode("utf-8"))


def _hashtag(tag: str) -> str:
    """The tag without its "#" and spaces: "direitos humanos" becomes "direitoshumanos"."""
    return "".join(_clean(tag).lstrip("#").split())


@functools.lru_cache(maxsize=64)
def _share_fields(template: str) -> frozenset[str]:
    """The fields a share link template fills (so that only those are percent-encoded)."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(template) if field)


@functools.lru_cache(maxsize=1024)
def _quote(value: str) -> str:
    """``quote(value, safe="")``: each UTF-8 byte through a table (lone surrogates raise, as
    ``quote`` does). Cached: most platforms of a statement share one text."""
    return "".join(map(_QUOTED_BYTES.__getitem__, value.encode("utf-8")))


_QUOTED_BYTES = [chr(byte) if chr(byte) in string.ascii_letters + string.digits + "_.-~"
                 else f"%{byte:02X}" for byte in range(256)]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _clean(text: str) -> str:
    """NFC, every run of spaces, tabs or line breaks made one space, control characters gone."""
    return _nfc(_CONTROL.sub("", _SPACE.sub(" ", text)))


# Each whitespace character (as str.isspace, which "\s" matches) but the no-break spaces is
# made a space; then control characters (categories Cc and Cs, those not whitespace) and
# _UNWANTED go.
_SPACE = re.compile(f"[^\\S{_NO_BREAK_SPACES}]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff"
                      f"{''.join(sorted(_UNWANTED))}]")


def _words(text: str) -> Words:
    """``text`` cleaned and split into words of grapheme clusters."""
    text = _clean(text)
    if NOT_SIMPLE.search(text) is None:  # every character a cluster (see grapheme_length)
        return tuple(tuple(word) for word in text.split(" ") if word)
    return _cluster_words(text)


def _cluster_words(text: str) -> Words:
    """Clean ``text`` split into words of grapheme clusters, cluster by cluster (the general
    way, which :func:`_words` takes only when a character may join its neighbours)."""
    words: list[tuple[str, ...]] = []
    word: list[str] = []
    for cluster in grapheme.graphemes(text):
        if cluster == " ":
            if word:
                words.append(tuple(word))
            word = []
        else:
            word.append(cluster)
    if word:
        words.append(tuple(word))
    return tuple(words)


def _join(words: Words) -> str:
    return " ".join(map("".join, words))


def _fit(rule: Platform, title: Words, summary: Words, tags: str, link: str,
         lengths: dict[str, int]) -> Blocks:
    """The richest post that fits ``rule``, as paragraphs (each post measured kept in
    ``lengths``)."""

    def post(*parts: str) -> Blocks:
        return tuple(part for part in (*parts, link) if part)

    def fits(blocks: Blocks) -> bool:
        return rule.fits(_nfc(PARAGRAPH.join(blocks)), lengths)

    whole_title, whole_summary = _join(title), _join(summary)
    for blocks in dict.fromkeys((post(whole_title, whole_summary, tags),
                                 post(whole_title, whole_summary))):
        if fits(blocks):
            return blocks
    if fits(post(whole_title)):
        shortened = _shorten(summary, lambda s: post(whole_title, s), fits, rule.ellipsis)
        return shortened or post(whole_title)
    shortened = _shorten(title, post, fits, rule.ellipsis)
    if shortened:
        return shortened
    if fits(post()):
        return post()
    raise ValueError(f"the link alone is over the limit of {rule.limit}: {link}")


def _shorten(words: Words, post: Callable[[str], Blocks], fits: Callable[[Blocks], bool],
             ellipsis: str) -> Blocks | None:
    """The post with the most whole words (or, for one word too long, graphemes) that fits."""

    def attempt(clusters: Sequence[str]) -> Blocks | None:
        blocks = post("".join(_trim(clusters)) + ellipsis)
        return blocks if fits(blocks) else None

    def first(count: int) -> Blocks | None:
        clusters = [c for word in words[:count] for c in (*word, " ")][:-1]
        return attempt(clusters)

    # All the words were tried, without an ellipsis, by the caller.
    found = _largest(len(words) - 1, first)
    if found is None and words:
        found = _largest(len(words[0]) - 1, lambda count: attempt(words[0][:count]))
    return found


def _trim(clusters: Sequence[str]) -> Sequence[str]:
    """Without trailing punctuation that would dangle before an ellipsis."""
    end = len(clusters)
    while end and clusters[end - 1] in _DANGLING:
        end -= 1
    return clusters[:end] if end else clusters


def _largest(most: int, attempt: Callable[[int], Blocks | None]) -> Blocks | None:
    """The result for the largest n in 1..most that ``attempt`` accepts.

    Gallops up (1, 3, 7, 15…) then bisects, so no attempt is much longer than the answer.
    """
    low, high, best, step = 0, most + 1, None, 1
    while low + step < high:
        result = attempt(low + step)
        if result is None:
            high = low + step
            break
        low, best, step = low + step, result, step * 2
    while high - low > 1:
        middle = (low + high) // 2
        result = attempt(middle)
        if result is None:
            high = middle
        else:
            low, best = middle, result
    return best
