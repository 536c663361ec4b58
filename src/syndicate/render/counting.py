"""How each network counts a post: X's weighted characters (twitter-text v3, asked only
when a text needs it, its answers kept between runs), grapheme clusters, code points, SMS
segments (GSM-7 or UCS-2), and links counted at a fixed cost.

twitter-text's answers depend only on the text asked about; a publish keeps them between runs
(:class:`TwitterAnswers`, :mod:`syndicate.answers`): importing twitter-text takes longer than a
one-statement republish can spare (benchmarks/notes.md), and its pages then ask nothing new.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar, cast

import grapheme


def twitter_text_chunks(text: str, size: int = 200) -> Iterator[str]:
    """``text`` in chunks of about ``size`` code points, cut only before whitespace.

    Works around twitter-text-parser's URL pattern, which takes time quadratic in the length
    of a text's longest run without whitespace (see ``benchmarks/notes.md``). Links and emoji
    never contain whitespace and each chunk keeps the character before its first word, so
    counting chunk by chunk counts exactly what one call would.
    """
    chunk: list[str] = []
    length = 0
    for piece in _BEFORE_WHITESPACE.split(text):
        chunk.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(chunk)
            chunk, length = [], 0
    if chunk:
        yield "".join(chunk)


# Unicode's White_Space, as twitter-text reads it: not Python's \s, which also takes the
# information separators U+001C-U+001F (before one, a domain is no link for twitter-text).
_WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_BEFORE_WHITESPACE = re.compile(  # never between CR and LF: X counts CRLF as 1
    rf"(?<!\r)(?=[{_WHITE_SPACE}])")


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3: links 23, most non-Latin scripts and emoji 2).

    >>> x_length("Olá https://press.example.org/pt/a-very-long-path-indeed/")
    27
    """
    return sum(_chunk_weight(chunk) for chunk in twitter_text_chunks(text))


def _chunk_weight(chunk: str) -> int:
    """One chunk's weight: added up directly when :func:`plain_x_weight` can, else word by word
    (cut as :func:`twitter_text_chunks` cuts, which changes no count), each run of words that
    are not plain (a link, an emoji) counted by twitter-text."""
    weight = plain_x_weight(chunk)
    if weight is not None:
        return weight
    total, pending = 0, []
    for word in twitter_text_chunks(chunk, 1):
        weight = plain_x_weight(word)
        if weight is None:
            pending.append(word)
            continue
        if pending:
            total, pending = total + _parsed_weight("".join(pending)), []
        total += weight
    if pending:
        total += _parsed_weight("".join(pending))
    return total


@functools.lru_cache(maxsize=8192)
def _parsed_weight(chunk: str) -> int:
    """twitter-text's count; cached, since shortening a post re-measures the same chunks."""
    weight = linked_x_weight(chunk)
    if weight is None:
        weight = int(ANSWERS.ask("w" + chunk, lambda: _parse_tweet(chunk)))
    return weight


def _parse_tweet(text: str) -> int:
    from twitter_text import parse_tweet

    return int(parse_tweet(text).weightedLength)


Answer = int | list[list[int]]  # "w" + text: its weight; "u"/"p" + text: its links
_A = TypeVar("_A", int, list[list[int]])


class TwitterAnswers:
    """twitter-text's answers a process knows, by question: those remembered from an earlier
    run (:meth:`remember`) and those it asked for itself (:meth:`learned`), which a publish
    keeps in its cache folder for the next one."""

    def __init__(self) -> None:
        self._known: dict[str, Answer] = {}
        self._learned: dict[str, Answer] = {}
        self._asked: set[str] = set()  # the questions asked since take_learned
        self._kept: Callable[[str], Mapping[str, object]] | None = None
        # A question not known yet is looked for and answered under it: the pages may render
        # in two threads, and a shard being read must be read whole before the other asks.
        self._missing = threading.Lock()

    def attach(self, kept: Callable[[str], Mapping[str, object]] | None) -> None:
        """Where a question not answered yet is looked for before twitter-text is asked:
        ``kept(question)`` gives answers kept by an earlier run, among them that question's if
        it was asked then (see :class:`syndicate.answers.KeptAnswers`); None: nowhere."""
        self._kept = kept

    def remember(self, answers: Mapping[str, object]) -> None:
        """Take the answers of an earlier run (what :meth:`learned` returned); any that is
        not of the right shape is left out."""
        for key, value in answers.items():
            if _well_formed(key, value):
                self._known[key] = cast(Answer, value)

    def learned(self) -> dict[str, Answer]:
        """The answers this process asked twitter-text for."""
        return dict(self._learned)

    def take_learned(self) -> tuple[dict[str, Answer], set[str]]:
        """(:meth:`learned`, every question asked), both then forgotten (the answers are kept:
        a resident ``serve`` publishes again and again, and writes each answer once)."""
        with self._missing:
            learned, self._learned = self._learned, {}
            asked, self._asked = self._asked, set()
        return learned, asked

    def known(self) -> dict[str, Answer]:
        """Every answer: remembered and learned."""
        return dict(self._known)

    def ask(self, key: str, compute: Callable[[], _A]) -> _A:
        self._asked.add(key)
        if key not in self._known:
            with self._missing:
                kept = self._kept
                if key not in self._known and kept is not None:
                    self.remember(kept(key))
                if key not in self._known:
                    self._known[key] = self._learned[key] = compute()
        return cast(_A, self._known[key])  # the key's first letter says which kind of answer


ANSWERS = TwitterAnswers()  # this process's


def _well_formed(key: object, value: object) -> bool:
    if not isinstance(key, str) or not key:
        return False
    if key[0] == "w":
        return type(value) is int
    return key[0] in "up" and isinstance(value, list) and all(
        isinstance(link, list) and len(link) == 3 and all(type(n) is int for n in link)
        for link in value)


def _links(text: str, without_protocol: bool = True) -> list[list[int]]:
    """[start, end, length of the URL] of each link twitter-text finds in ``text`` (only
    those with http:// or https:// unless ``without_protocol``)."""
    if not without_protocol and "://" not in text:  # its pattern needs the scheme's "://"
        return []

    def extract() -> list[list[int]]:
        from twitter_text import extract_urls_with_indices

        return [[entity["indices"][0], entity["indices"][1], len(entity["url"])]
                for entity in extract_urls_with_indices(text, without_protocol)]

    found: list[list[int]] = ANSWERS.ask(("u" if without_protocol else "p") + text, extract)
    return found


def linked_x_weight(text: str) -> int | None:
    """twitter-text v3's weighted length of ``text`` made only of :data:`_X_PLAIN` characters
    but perhaps with links, or None for other text: parse_tweet's own walk, links found by
    twitter-text and counted 23, without its emoji search (no emoji: see
    :func:`plain_x_weight`), which takes most of its time.

    >>> linked_x_weight(" https://press.example.org/pt/a/"), linked_x_weight("🇵🇹 e.pt")
    (24, None)
    """
    if _X_PLAIN.fullmatch(text) is None:
        return None
    links = {start: length for start, _, length in _links(text)}
    total = position = 0
    for start in sorted(links):
        if start >= position:  # as parse_tweet: a link starting inside one counted is not seen
            total += _plain_weight(text[position:start]) + 23
            position = start + links[start]
    return total + _plain_weight(text[position:])


def plain_x_weight(text: str) -> int | None:
    """twitter-text v3's weighted length of ``text`` without its parser, or None when ``text``
    is not plain enough to be sure (then only ``parse_tweet`` can tell).

    Plain is: only characters of :data:`_X_PLAIN`, and no "." before a letter, digit or "_"
    (nor "://"). Then parse_tweet has nothing to do but add up the characters' weights:

    * no link: every link twitter-text finds, with or without a scheme, has a domain whose
      top-level part (a letter first, or "xn--") comes right after a ".";
    * no emoji: "©" and "®", emoji by themselves, are left out, and every longer emoji
      sequence has a character that is not plain (U+FE0F, U+20E3, U+200D, ...);
    * nothing to normalize: each of these characters is NFC and none combines with another
      (combining marks start at U+0300), and CR (X counts CR LF as one) is left out.

    Each then weighs 1 (code points up to U+10FF and U+2010-U+201F) or 2 (U+2020-U+2027 and
    the euro sign): the v3 ranges, scale 100, default weight 200.

    >>> plain_x_weight("Olá, 5 € … fim"), plain_x_weight("ver press.example.org")
    (16, None)
    """
    if _X_PLAIN.fullmatch(text) is None or _X_MAYBE_LINK.search(text) is not None:
        return None
    return _plain_weight(text)


def _plain_weight(text: str) -> int:
    return len(text) + len(_X_DOUBLE.findall(text))


_X_PLAIN = re.compile("[\t\n\x20-\x7e\xa0-\xa8\xaa-\xad\xaf-\u024f\u2010-\u2027\u20ac]*")
_X_MAYBE_LINK = re.compile(r"\.\w|://")
_X_DOUBLE = re.compile("[\u2020-\u2027\u20ac]")


def grapheme_length(text: str) -> int:
    """User-perceived characters (extended grapheme clusters).

    >>> grapheme_length("🇵🇹 👨‍👩‍👧")
    3
    """
    if NOT_SIMPLE.search(text) is None:
        return len(text)
    return int(grapheme.length(text))


# Characters each of which is a whole grapheme cluster whatever surrounds it: controls but CR
# (CR LF is one cluster), Latin up to U+02FF (combining marks start at U+0300), general
# punctuation U+2010-U+2027 (dashes, quotes, the ellipsis) and the euro sign. A text made only
# of them, as most European-language posts are, has as many clusters as code points.
NOT_SIMPLE = re.compile("[^\x00-\x0c\x0e-\u02ff\u2010-\u2027\u20ac]")


def code_points(text: str) -> int:
    return len(text)


def within_bluesky_bytes(text: str) -> bool:
    return len(text.encode("utf-8")) <= 3000


_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM = _GSM_BASIC | _GSM_EXTENSION


def count_sms_segments(text: str) -> int:
    """The number of SMS segments ``text`` is sent in.

    >>> count_sms_segments("a" * 160), count_sms_segments("a" * 161), count_sms_segments("ç" * 70)
    (1, 2, 1)
    """
    gsm = _GSM.issuperset(text)
    if gsm:
        doubles = sum(map(text.count, _GSM_EXTENSION))
        single, part = 160, 153
    else:  # UTF-16 code units: astral characters take two
        doubles = len(text.encode("utf-16-le", "surrogatepass")) // 2 - len(text)
        single, part = 70, 67
    if len(text) + doubles <= single:
        return 1
    if not doubles:
        return -(-len(text) // part)
    costs = ([2 if c in _GSM_EXTENSION else 1 for c in text] if gsm
             else [2 if ord(c) > 0xFFFF else 1 for c in text])
    segments, used = 1, 0
    for cost in costs:  # an escape pair or a surrogate pair is never split
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return segments


@functools.lru_cache(maxsize=8192)
def replace_links(text: str, cost: int) -> str:
    """Every http(s) link (as twitter-text finds them, like Mastodon) replaced by ``cost``
    placeholder characters; cached, as :func:`_chunk_weight`."""
    placeholder = "x" * cost
    for start, end, _ in reversed(_links(text, without_protocol=False)):
        text = text[:start] + placeholder + text[end:]
    return text
