"""Hostile cases for statements' content and validation (issue 21: content-*).

Small statements that asked for minutes of PDF layout (thousands of inline boxes, glued
emphasis, reference links, long words), a megabyte of control characters, numbers Python
refuses to read, base URLs that are no URL (in the config and as --base-url), catalogs whose
placeholders differ from the original's, local mean time offsets, invisible and bidi-spilling
titles, a character no font has. Each must end within its timeout with a located message (or
publish), never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hostile_harness import CHECK, NOW, PUBLISH, Case, S, World

from conftest import REPO

EN = f"{S}/en.md"
YAML = f"{S}/statement.yaml"
PO = "locales/pt_PT/LC_MESSAGES/messages.po"
TOML = "syndicate.toml"
BODY_LINE = 11  # en.md's body starts after ten lines of front matter
GIANT = "9" * 5000  # more digits than Python converts (4,300)


def body(text: str) -> Callable[[World], None]:
    """en.md's body replaced by ``text``."""

    def apply(world: World) -> None:
        source = world.path(EN).read_text(encoding="utf-8")
        end = source.index("\n---\n", 4) + len("\n---\n")
        world.write(EN, source[:end] + text)

    return apply


def appended(text: str) -> Callable[[World], None]:
    def apply(world: World) -> None:
        world.write(EN, world.path(EN).read_text(encoding="utf-8") + text)

    return apply


def front(key: str, value: str) -> Callable[[World], None]:
    """en.md's front-matter line ``key: ...`` replaced by ``key: value``."""

    def apply(world: World) -> None:
        source = world.path(EN).read_text(encoding="utf-8")
        world.write(EN, re.sub(rf"(?m)^{key}:.*$", lambda _: f"{key}: {value}", source, count=1))

    return apply


def appended_front(key: str, value: str) -> Callable[[World], None]:
    """``key: value`` added as en.md's second front-matter line."""

    def apply(world: World) -> None:
        world.edit(EN, "---\n", f"---\n{key}: {value}\n")

    return apply


def shared(key: str, value: str) -> Callable[[World], None]:
    """statement.yaml with ``key: value`` last: line 2 for the date, line 3 for any other key."""

    def apply(world: World) -> None:
        date = "" if key == "date" else "date: 2022-11-22\n"
        world.write(YAML, f"original: pt\n{date}{key}: {value}\n")

    return apply


def edit(rel: str, old: str, new: str) -> Callable[[World], None]:
    def apply(world: World) -> None:
        world.edit(rel, old, new)

    return apply


def toml_extra(text: str) -> Callable[[World], None]:
    def apply(world: World) -> None:
        world.write(TOML, world.path(TOML).read_text(encoding="utf-8") + text)

    return apply


def at(rel: str, line: int | None, message: str) -> str:
    """A regular expression for ``rel:line: message...`` (message taken literally)."""
    where = re.escape(rel) + (f":{line}" if line else r"(:\d+)?")
    return f"^{where}: {re.escape(message)}"


ELEMENTS = "more than 500 elements (paragraphs, list items, links, emphasis...)"
ELEMENTS_RE = re.escape(ELEMENTS)
GLUED = r"inline elements \(links, emphasis, code\.\.\.\) without a space between them"
SLOW = 120.0  # a publish that renders: generous, the point is that it ends

# -- Work per statement: each shape that took minutes of layout is refused at load, fast ------
DOS = [
    Case("content-dos-emphasis-16k", body("*a" * 8_000), (at(EN, None, ELEMENTS),)),
    Case("content-dos-emphasis-48k", body("*a" * 24_000), (at(EN, None, ELEMENTS),)),
    Case("content-dos-emphasis-spaced", body("*a* " * 4_000), (at(EN, BODY_LINE, ELEMENTS),)),
    Case("content-dos-strong-spaced", body("**a** " * 2_000), (at(EN, BODY_LINE, ELEMENTS),)),
    Case("content-dos-glued-emphasis", body("x " + "*a" * 44),
         (f"^{re.escape(EN)}:11: .*{GLUED}",)),
    Case("content-dos-reference-links", body("[a][] " * 3_000 + "\n\n[a]: https://e.org/\n"),
         (at(EN, BODY_LINE, ELEMENTS),)),
    Case("content-dos-glued-reference-links", body("[a][]" * 100 + "\n\n[a]: https://e.org/\n"),
         (f"{GLUED}",)),
    Case("content-dos-glued-inline-links", body("[a](https://e.org/)" * 60),
         (f"^{re.escape(EN)}:11: .*{GLUED}",)),
    Case("content-dos-glued-code-spans", body("`a`b" * 40), (GLUED,)),
    Case("content-dos-autolinks", body("<https://e.org/> " * 1_000), (ELEMENTS_RE,)),
    Case("content-dos-list-items", body("- a\n" * 3_000), (ELEMENTS_RE,)),
    Case("content-dos-ordered-list-items", body("1. a\n" * 3_000), (ELEMENTS_RE,)),
    Case("content-dos-headings", body("# a\n" * 3_000), (ELEMENTS_RE,)),
    Case("content-dos-paragraphs", body("a\n\n" * 3_000), (ELEMENTS_RE,)),
    Case("content-dos-blockquotes", body("> a\n\n" * 3_000), (ELEMENTS_RE,)),
    Case("content-dos-hard-breaks", body("a\\\n" * 3_000), (ELEMENTS_RE,)),
    Case("content-dos-rules", body("***\n\n" * 3_000), (ELEMENTS_RE,)),
    Case("content-long-word-400-publishes", body("W" * 400), (), exit=0),
    Case("content-long-words-at-the-limit-publish", body(("W" * 1_000 + " ") * 5), (), exit=0),
    Case("content-dos-many-long-words", body(("W" * 1_000 + "\n\n") * 48),
         (at(EN, BODY_LINE + 10, "words of more than 200 characters add up to 6,000 characters "
             "by this line; the limit is 5,000"),)),
    Case("content-dos-long-word", body("W" * 1_001),
         (at(EN, BODY_LINE, "a word of 1,001 characters"),)),
    Case("content-dos-long-word-49k", body("W" * 49_000),
         (at(EN, BODY_LINE, "a word of 49,000 characters"),)),
    Case("content-dos-long-code-line", body("```\n" + "x" * 1_001 + "\n```\n"),
         (at(EN, BODY_LINE, "a word of 1,001 characters"),)),
    Case("content-dos-long-body", body("lorem ipsum " * 5_000),
         (at(EN, BODY_LINE, "the body is 60,000 characters long; the limit is 50,000"),)),
    Case("content-dos-vertical-tabs-1mb", appended("\x0b" * 990_000),
         (r"^" + re.escape(EN) + r": [\d,]+ more characters that are not allowed",),
         command=CHECK),
    Case("content-dos-nul-lines", appended("\x00\n" * 100_000),
         (at(EN, 21, "character U+0000 is not allowed"),
          "^" + re.escape(EN) + r": 99,981 more characters that are not allowed"),
         command=CHECK),
    Case("content-dos-raw-html-blocks", body("<b>\n\n" * 3_000), (ELEMENTS_RE,)),
    Case("content-dos-raw-html-warnings", body("x <b>\n" * 2_000),
         (r"^" + re.escape(EN) + r": \.\.\. and [\d,]+ more problems in this file$",),
         exit=0, command=CHECK),
    Case("content-dos-deep-blockquote", body(">" * 5_000 + " deep"),
         (at(EN, BODY_LINE, "warning: blocks nested more than 19 levels deep"),),
         exit=0, command=CHECK),
    Case("content-dos-deep-list", body("".join("  " * k + "- a\n" for k in range(40))),
         (at(EN, None, "warning: blocks nested more than 19 levels deep"),),
         exit=0, command=CHECK),
    Case("content-dos-glued-nested-emphasis", body("*" * 60 + "x" + "*" * 60), (GLUED,)),
    Case("content-dos-deep-emphasis", body("_a " * 25 + "b" + " c_" * 25),
         (at(EN, BODY_LINE, "warning: markup nested more than 20 levels deep"),),
         exit=0, command=CHECK),
    Case("content-dos-deep-brackets", body("[" * 20_000 + "a" + "]" * 20_000),
         (at(EN, BODY_LINE, "a word of 40,001 characters"),), command=CHECK),
    Case("content-dos-deep-brackets-spaced", body("[ " * 10_000 + "a" + " ]" * 10_000), (),
         exit=0, command=CHECK),
    Case("content-dos-many-backticks", body("`" * 40_000), (), exit=0, command=CHECK),
    # At the limits, a statement still publishes, within seconds.
    Case("content-dos-at-the-limits-publishes",
         body(("*a" * 20 + " ") * 12 + "\n\n" + ("W" * 200 + " ") * 40 + "\n\n"
              + "[a][] " * 200 + "\n\n[a]: https://e.org/\n"),
         (), exit=0, timeout=SLOW),
    Case("content-dos-many-elements-publishes", body("*a* " * 480), (), exit=0, timeout=SLOW),
]

# -- Front-matter text long enough to keep the layout busy -------------------------------------
LONG = [
    Case(f"content-long-{key}", front(key, "lorem ipsum " * (limit // 12 + 1) + "end"),
         (at(EN, line, f"{key} is "), rf"characters long; the limit is {limit:,}$"))
    for key, line, limit in (("title", 2, 500), ("summary", 3, 2_000), ("place", 4, 200))
] + [
    Case("content-long-summary-480k", front("summary", "lorem ipsum " * 40_000),
         (at(EN, 3, "summary is 479,999 characters long; the limit is 2,000"),)),
    Case("content-long-correction", appended_front("correction", "x " * 1_001),
         (at(EN, None, "correction is 2,001 characters long"),)),
    Case("content-many-tags", front("tags", "[" + ", ".join(f"t{n}" for n in range(51)) + "]"),
         (at(EN, 5, "tags: at most 50 tags of at most 100 characters each"),)),
    Case("content-long-tag", front("tags", "[" + "t" * 101 + "]"),
         (at(EN, 5, "tags: at most 50 tags"),)),
    Case("content-long-texts-at-the-limits-publish",
         front("summary", "lorem ipsum " * 166), (), exit=0, timeout=SLOW),
]

# -- Numbers Python refuses to read (more than 4,300 digits) ----------------------------------
GIANTS = [
    Case(f"content-giant-int-{key}", front(key, GIANT),
         (at(EN, line, f"{key} is a number too long to read"),))
    for key, line in (("title", 2), ("summary", 3), ("place", 4))
] + [
    Case("content-giant-int-negative", front("summary", "-" + GIANT),
         (at(EN, 3, "summary is a number too long to read"),)),
    Case("content-giant-int-in-tags", front("tags", f"[migration, {GIANT}]"),
         (at(EN, 5, "tags is a number too long to read"),)),
    Case("content-giant-int-date", shared("date", GIANT),
         (at(YAML, 2, "date is a number too long to read"),)),
    Case("content-giant-int-draft", shared("draft", GIANT),
         (at(YAML, 3, "draft is a number too long to read"),)),
    Case("content-giant-int-toml", toml_extra(f"\n[feeds]\nlimit = {GIANT}\n"),
         (at(TOML, None, "invalid TOML: a number too long to read"),), command=CHECK),
]

# -- Base URLs: the config's key and every command's --base-url, by one rule -----------------
BAD_URLS = {
    "javascript": "javascript:alert(1)//",
    "unclosed-ipv6": "http://[::1/",
    "port-out-of-range": "https://press.example.org:99999/",
    "port-not-a-number": "https://press.example.org:port/",
    "ftp": "ftp://press.example.org/",
    "no-host": "https:///statements/",
    "space": "https://press.example.org/a b/",
    "quote": 'https://press.example.org/"><script>',
    "relative": "/statements/",
}
URLS = [
    Case(f"content-base-url-config-{name}",
         edit(TOML, 'base_url = "https://press.example.org/"',
              f"base_url = {url!r}"),
         (at(TOML, 2, "base_url must be an absolute http(s) URL"),), command=CHECK)
    for name, url in BAD_URLS.items()
] + [
    Case(f"content-base-url-flag-{name}", lambda world: None,
         (r"Invalid value for '--base-url': must be an absolute http\(s\) URL",),
         exit=2, command=(*PUBLISH, "--base-url", url))
    for name, url in BAD_URLS.items()
] + [
    Case("content-base-url-config-query",
         edit(TOML, 'base_url = "https://press.example.org/"',
              'base_url = "https://press.example.org/?a=1"'),
         (at(TOML, 2, "base_url must not have a query or a fragment"),), command=CHECK),
    Case("content-base-url-flag-fragment", lambda world: None,
         (r"Invalid value for '--base-url': must not have a query or a fragment",),
         exit=2, command=(*PUBLISH, "--base-url", "https://press.example.org/#top")),
    Case("content-base-url-share-flag", lambda world: None,
         (r"Invalid value for '--base-url': must be an absolute http\(s\) URL",),
         exit=2, command=("share", S.rsplit("/", 1)[1], "--base-url", "javascript:x//")),
    Case("content-base-url-serve-flag", lambda world: None,
         (r"Invalid value for '--base-url': must be an absolute http\(s\) URL",),
         exit=2, command=("serve", "--port", "0", "--now", NOW, "--base-url", "http://[::1/")),
    Case("content-hub-unclosed-ipv6", toml_extra('\n[feeds]\nhub = "http://[::1/"\n'),
         (at(TOML, None, "hub must be an absolute http(s) URL"),), command=CHECK),
    Case("content-icon-javascript", toml_extra('\n[feeds]\nicon = "javascript:alert(1)"\n'),
         (at(TOML, None, "icon must be an absolute http(s) URL"),), command=CHECK),
]

# The project's own catalog overrides the packaged one message by message (issue 20): these
# cases give the project a full copy of the packaged Portuguese catalog, then break it.
PACKAGED_PO = REPO / "src" / "syndicate" / PO


def po_edit(old: str, new: str) -> Callable[[World], None]:
    def apply(world: World) -> None:
        world.write(PO, PACKAGED_PO.read_text(encoding="utf-8"))
        world.edit(PO, old, new)

    return apply


GARBAGE = po_edit('msgid "Share"\n', 'msgid "Share"\ngarbage\n')


def po_line(msgid: str) -> int:
    """The line of ``msgid "..."`` in the packaged Portuguese catalog."""
    lines = PACKAGED_PO.read_text(encoding="utf-8").splitlines()
    return lines.index(f"msgid {msgid!r}".replace("'", '"')) + 1


# -- Catalogs: placeholders compared with the original's; syntax errors located --------------
def translation_of(msgid: str, rest: str) -> str:
    return at(PO, po_line(msgid), f"translation of {msgid!r}: {rest}")


SHARE_ON, CORRECTED = "Share on %(platform)s", "Corrected on %(date)s"
PAGE = "Page %(page)s of %(pages)s"
CATALOGS = [
    Case("content-po-placeholder-renamed",
         po_edit("Partilhar no %(platform)s", "Partilhar no %(plataforma)s"),
         (translation_of(SHARE_ON, "'%(plataforma)s' is no placeholder of the original"),)),
    Case("content-po-placeholder-type", po_edit("Corrigido em %(date)s", "Corrigido em %(date)d"),
         (translation_of(CORRECTED, "'%(date)d' is no placeholder"),)),
    Case("content-po-placeholder-extra",
         po_edit("Página %(page)s de %(pages)s", "Página %(page)s de %(pages)s %(total)s"),
         (translation_of(PAGE, "'%(total)s'"),)),
    Case("content-po-placeholder-positional",
         po_edit("Página %(page)s de %(pages)s", "Página %s de %s"),
         (translation_of(PAGE, "'%s'"),)),
    Case("content-po-lone-percent", po_edit("Comunicado de imprensa", "Comunicado 100%"),
         (translation_of("Press release", "'%' is no placeholder"),
          r"write %% for a percent sign")),
    Case("content-po-unclosed-name",
         po_edit("Partilhar no %(platform)s", "Partilhar no %(platform"),
         (translation_of(SHARE_ON, ""),)),
    Case("content-po-syntax-error", GARBAGE, (at(PO, po_line("Share") + 1, "invalid catalog: "),)),
    Case("content-po-syntax-error-check", GARBAGE,
         (at(PO, po_line("Share") + 1, "invalid catalog: "),), command=CHECK),
]

# -- Offsets a feed reader can parse ----------------------------------------------------------
LMT = "is before 1912-01-01, when Europe/Lisbon took an offset of whole minutes"
DATES = [
    Case("content-date-lisbon-1900", shared("date", "1900-01-01"),
         (at(YAML, 2, f"date: '1900-01-01' {LMT}"),)),
    Case("content-date-lisbon-1911-utc", shared("date", "1911-12-31T23:00:00Z"),
         (at(YAML, 2, f"date: '1911-12-31T23:00:00Z' {LMT}"),)),
    Case("content-date-lisbon-1911-local", shared("date", "1911-06-01T10:00"),
         (at(YAML, 2, f"date: '1911-06-01T10:00' {LMT}"),)),
    Case("content-updated-lisbon-1905", shared("updated", "1905-01-01"),
         (at(YAML, 3, f"updated: '1905-01-01' {LMT}"),)),
    Case("content-embargo-lisbon-1905", shared("embargo", "1905-01-01T09:00:00+00:00"),
         (at(YAML, 3, f"embargo: '1905-01-01T09:00:00+00:00' {LMT}"),)),
] + [
    Case(f"content-date-offset-{name}", shared("date", f"2022-11-22T10:00:00{offset}"),
         (at(YAML, 2, f"date: '2022-11-22T10:00:00{offset}' has an offset of "),))
    for name, offset in (("plus-60", "+00:60"), ("plus-0099", "+0099"), ("minus-75", "-05:75"),
                         ("plus-23-60", "+23:60"))
] + [
    Case(f"content-now-offset-{name}", lambda world: None,
         (r"Invalid value for '--now': .* an offset is hours and minutes, 00 to 59",),
         exit=2, command=("publish", "--now", f"2026-12-01T12:00:00{offset}"))
    for name, offset in (("plus-60", "+00:60"), ("seconds", "+00:36:45"))
] + [
    Case("content-serve-giant-int", front("summary", GIANT),
         (at(EN, 3, "summary is a number too long to read"),),
         command=("serve", "--port", "0", "--now", NOW)),
    Case("content-date-offset-plus-24", shared("date", "2022-11-22T10:00:00+24:00"),
         (at(YAML, 2, "date: '2022-11-22T10:00:00+24:00' is not a real date and time"),)),
]

# -- Front matter that says what is wrong ------------------------------------------------------


def two_boms(world: World) -> None:
    world.write(EN, b"\xef\xbb\xbf\xef\xbb\xbf" + world.path(EN).read_bytes())


FRONT = [
    Case("content-two-byte-order-marks", two_boms,
         (at(EN, 1, "a second byte order mark (U+FEFF) before the front matter's '---'"),)),
    Case("content-front-matter-not-closed",
         edit(EN, "\n---\n", "\n"),
         (at(EN, 1, "front matter not closed: end it with a line '---'"),)),
    Case("content-surrogate-pair-decoded", front("place", '"Lisboa \\ud83d\\ude00"'), (),
         exit=0, command=CHECK),
    Case("content-lone-surrogate", front("place", '"Lisboa \\ud800"'),
         (at(EN, 4, "character U+D800 is not allowed (a lone surrogate"),)),
    Case("content-lone-low-surrogate", front("place", '"Lisboa \\udc00"'),
         (at(EN, 4, "character U+DC00 is not allowed (a lone surrogate"),)),
]

BIDI = {
    "lre": "\u202a", "rle": "\u202b", "lro": "\u202d", "rlo": "\u202e",
    "lri": "\u2066", "rli": "\u2067", "fsi": "\u2068",
}
TITLES = [
    Case(f"content-bidi-unclosed-{name}-title", front("title", f'"Portugal {char}apoia"'),
         (at(EN, 2, "title: "), f"\\(U\\+{ord(char):04X}\\) is not closed"))
    for name, char in BIDI.items()
] + [
    Case("content-bidi-unclosed-summary", front("summary", '"Resumo \u202eevil"'),
         (at(EN, 3, "summary: right-to-left override (U+202E) is not closed"),)),
    Case("content-bidi-unclosed-place", front("place", '"\u2067Lisboa"'),
         (at(EN, 4, "place: right-to-left isolate (U+2067) is not closed"),)),
    Case("content-bidi-pop-too-early", front("title", '"\u202cPortugal \u202eapoia"'),
         (at(EN, 2, "title: right-to-left override (U+202E) is not closed"),)),
    Case("content-bidi-closed-accepted",
         front("title", '"Portugal \u2067apoia\u2069 \u202bo\u202c candidato"'), (),
         exit=0, command=CHECK),
] + [
    Case(f"content-invisible-title-{name}", front("title", f'"{chars}"'),
         (at(EN, 2, "title has no visible character"),))
    for name, chars in (
        ("zero-width-space", "\u200b"), ("joiners", "\u200b\u200c\u200d"),
        ("word-joiner", "\u2060\u2060"), ("hangul-filler", "\u3164"),
        ("braille-blank", "\u2800"), ("soft-hyphen", "\u00ad"), ("combining-only", "\u0301"),
        ("bidi-marks", "\u200e\u200f"), ("escaped-bom", "\\ufeff"),
    )
]

# -- A character no font has: check finds it; publish reports it once ------------------------
GLYPHS = [
    Case("content-glyph-missing-check", appended("\nA private sign: \ue000.\n"),
         (at(EN, None, "character '\\ue000' (U+E000) is in no installed font"),), command=CHECK),
    Case("content-glyph-missing-title-check", front("title", '"Portugal \ue123"'),
         (at(EN, 2, "character '\\ue123' (U+E123) is in no installed font"),), command=CHECK),
    Case("content-glyph-hangul-filler-check", appended("\nA filler: a\u3164b.\n"),
         (at(EN, None, "character '\u3164' (U+3164) is in no installed font"),), command=CHECK),
    # Noto Sans Duployan has it, but Pango draws a format character in the text's own font
    Case("content-glyph-shorthand-format-control-check", appended("\nShorthand: a\U0001bca0b.\n"),
         (at(EN, None, "character '\\U0001bca0' (U+1BCA0) is in no installed font"),),
         command=CHECK),
    Case("content-glyph-ignorables-accepted",
         appended("\nInvisible: a\u034fb a\ufe0fb a\u200bb a\u2060b \u2066x\u2069.\n"), (),
         exit=0, command=CHECK),
    Case("content-glyph-missing-publish", appended("\nA private sign: \ue000.\n"),
         (at(EN, None, "character '\\ue000' (U+E000) is in no installed font"),
          r"^Error: 1 problem found$"), timeout=SLOW),
]

CASES = [*DOS, *LONG, *GIANTS, *URLS, *CATALOGS, *DATES, *FRONT, *TITLES, *GLYPHS]
