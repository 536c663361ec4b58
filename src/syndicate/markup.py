"""Markdown -> safe HTML.

markdown-it-py in CommonMark mode plus GitHub's tables and strikethrough, with raw HTML disabled
(any HTML in the source is shown as text, never passed through), then nh3 as the last layer: an
allow-list of tags and attributes, only http, https and mailto links, and every relative URL
made absolute against the page's URL.
:func:`lint` tells the writer what was dropped or shown as text (raw HTML, refused links, and
Markdown this grammar does not have: footnotes, definition lists, task lists, rows of pipes
without a delimiter row), so publish can warn.
A table comes inside ``<div class="table" tabindex="0">`` (on a narrow screen the page scrolls
it sideways, from the keyboard too) and its header cells carry ``scope="col"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "code",
    "pre",
    "a",
    "img",
    "s",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"scope", "style"},
    "td": {"style"},
}
ALLOWED_CLASSES = {"div": {"table"}}
# The table's scrolling box is focusable, so a keyboard can scroll it (WCAG 2.1.1).
ALLOWED_VALUES = {"div": {"tabindex": {"0"}}}
STYLE_PROPERTIES = {"text-align"}  # a table column's alignment (``|:--|--:|``)
EXTENSIONS = ["table", "strikethrough"]  # GitHub's, beside CommonMark
URL_SCHEMES = {"http", "https", "mailto"}
LINKS_PUBLISHED = "only http, https and mailto links are published"
# Work a statement may ask of the PDF layout: WeasyPrint lays out each element (paragraph, list
# item, link, emphasis...) as a box, at a cost that grows faster than their number (see
# benchmarks/hostile.md); a long press statement has a few dozen.
MAX_ELEMENTS = 500
# The PDF breaks a word longer than its line anywhere, at a cost that grows with the square of
# the word's length (a long URL pasted as text, a code line, a serial number must still
# publish); bodies longer than a few dozen pages are no statement.
MAX_WORD = 1_000
# ... and words that long add up: at most this many characters in all the words longer than
# LONG_WORD (five words at the limit, or twenty-five URLs of 200 characters).
LONG_WORD = 200
MAX_LONG_WORDS = 5_000
MAX_BODY = 50_000
# Inline elements glued into one word (no space between them): the layout's cost grows with
# the square of their number.
MAX_GLUED = 20
_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")
_LONG = re.compile(rf"\S{{{LONG_WORD + 1},}}")
# markdown-it's own limit (its "maxNesting"): deeper blocks are dropped, deeper inline markup
# is shown as text.
MAX_NESTING = 20


class _EveryLink(MarkdownIt):
    """Keeps every link and image, even those markdown-it refuses (``javascript:``, ``data:``,
    ``file:``...) and shows as text: a check must see them to name them."""

    def validateLink(self, url: str) -> bool:
        return True


def parser(*, html: bool = False, every_link: bool = False) -> MarkdownIt:
    """A new parser of the statements' grammar (CommonMark, GitHub's tables and strikethrough,
    no typographer, :data:`MAX_NESTING`): the one home of that grammar. ``html`` parses raw
    HTML as HTML; ``every_link`` keeps the links markdown-it would refuse (see
    :class:`_EveryLink`). Only the publishing parser (neither) may render.

    >>> [t.type for t in parser().parse("~~a~~")[1].children or []]
    ['s_open', 'text', 's_close']
    """
    kind = _EveryLink if every_link else MarkdownIt
    return kind("commonmark", {"html": html, "typographer": False, "maxNesting": MAX_NESTING}
                ).enable(EXTENSIONS)


_parser = parser()
# The same grammar, but seeing raw HTML and accepting every link: used only to find what the
# real parser shows as text or what the sanitizer drops, never to render.
_inspector = parser(html=True, every_link=True)


def _table_open(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict,
               env: EnvType) -> str:
    return '<div class="table" tabindex="0">\n' + str(self.renderToken(tokens, idx, options, env))


def _table_close(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict,
               env: EnvType) -> str:
    return str(self.renderToken(tokens, idx, options, env)) + "</div>\n"


def _th_open(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict,
               env: EnvType) -> str:
    # GFM header cells head their column. (Setting it on the token is idempotent: the tokens
    # of a Parsed may be rendered more than once.)
    tokens[idx].attrSet("scope", "col")
    return str(self.renderToken(tokens, idx, options, env))


_parser.add_render_rule("table_open", _table_open)
_parser.add_render_rule("table_close", _table_close)
_parser.add_render_rule("th_open", _th_open)


@dataclass(frozen=True)
class Parsed:
    """A Markdown body parsed once by the inspector, shared by everything that reads it.

    Parsing is most of the cost of loading a statement, so :func:`lint`, :func:`to_html` and
    :func:`syndicate.assets.embedded_problems` take this instead of parsing again, and each
    parses anew only where its own grammar would see something else (see :attr:`plain`).
    """

    markdown: str
    tokens: list[Token]
    env: EnvType = field(default_factory=dict)

    @property
    def without_html(self) -> bool:
        """True when no raw HTML can be in the text: HTML blocks, inline HTML and autolinks all
        start with "<", so without one the grammar with ``html`` on and off parse alike."""
        return "<" not in self.markdown

    @property
    def plain(self) -> bool:
        """True when the publishing parser gives exactly these tokens: no raw HTML, and no URL
        it could refuse (``javascript:`` and the like; it then reads the same characters as
        text). Judged on the text itself, since the tokens cannot show everything: a second
        definition of a reference is dropped by the inspector whatever its URL, but becomes a
        paragraph for the publishing parser when it refuses that URL. An entity (``&colon;``)
        could spell such a URL, so any "&" counts too."""
        return self.without_html and _MAYBE_REFUSED.search(self.markdown) is None


# Whatever might spell a URL the publishing parser refuses (see markdown-it's validateLink).
_MAYBE_REFUSED = re.compile(r"(?:vbscript|javascript|file|data)\s*:|&", re.IGNORECASE)


def parse(markdown: str) -> Parsed:
    """``markdown`` parsed once (seeing raw HTML and every link), for the functions below."""
    env: EnvType = {}
    return Parsed(markdown, _inspector.parse(markdown, env), env)


def to_html(markdown: str, base_url: str, parsed: Parsed | None = None) -> str:
    """Render ``markdown`` to sanitized HTML whose URLs are absolute against ``base_url``.

    >>> to_html("See [the IOM](/iom) <script>x</script>", "https://example.org/en/a/")
    '<p>See <a href="https://example.org/iom">the IOM</a> &lt;script&gt;x&lt;/script&gt;</p>\\n'
    """

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src"):
            url = urljoin(base_url, value.strip())
            scheme = urlsplit(url).scheme
            allowed = URL_SCHEMES if attribute == "href" else {"http", "https"}
            return url if scheme in allowed else None
        return value

    if parsed is not None and parsed.markdown == markdown and parsed.plain:
        # The same tokens the publishing parser would make: render them, don't parse again.
        html = _parser.renderer.render(parsed.tokens, _parser.options, parsed.env)
    else:
        html = _parser.render(markdown)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        tag_attribute_values=ALLOWED_VALUES,
        filter_style_properties=STYLE_PROPERTIES,
        url_schemes=URL_SCHEMES,
        attribute_filter=absolute,
        link_rel=None,
        strip_comments=True,
    )


def _shown(url: str, limit: int = 40) -> str:
    return repr(url if len(url) <= limit else url[: limit - 1] + "…")


def _is_element(token: Token) -> bool:
    """An inline token that the layout makes a box of."""
    return token.nesting == 1 or token.type in ("code_inline", "image", "hardbreak")


def _is_block(token: Token) -> bool:
    """A block token that the layout makes a box of (each opened once; a raw HTML block
    becomes a paragraph for the publishing parser)."""
    return token.nesting != -1 and token.type != "inline"


def overload(parsed: Parsed) -> list[tuple[int, str]]:
    """(line, message) when the body holds more elements than a PDF may lay out in a
    reasonable time (:data:`MAX_ELEMENTS`); lines count from 1 as in :func:`lint`.

    >>> overload(parse("*a* " * 501))
    [(1, 'more than 500 elements (paragraphs, list items, links, emphasis...): simplify the markup or split the statement')]
    """  # noqa: E501
    if len(parsed.markdown) > MAX_BODY:
        return [(1, f"the body is {len(parsed.markdown):,} characters long; the limit is "
                    f"{MAX_BODY:,}: split the statement")]
    found: list[tuple[int, str]] = []
    count = long_words = 0
    for token in parsed.tokens:
        line = token.map[0] + 1 if token.map else 1
        count += _is_block(token)
        count += sum(map(_is_element, token.children or []))
        if count > MAX_ELEMENTS:
            return [*found, (line, f"more than {MAX_ELEMENTS:,} elements (paragraphs, list "
                                   "items, links, emphasis...): simplify the markup or split "
                                   "the statement")]
        if not found and (glued := _glued(token.children or [])):
            found.append((line, f"{glued} inline elements (links, emphasis, code...) without a "
                                f"space between them; the limit is {MAX_GLUED}: add spaces"))
        texts = _texts(token)
        words = (_WORD.search(t.content) for t in texts)
        if not found and (word := next(filter(None, words), None)) is not None:
            found.append((line, f"a word of {len(word.group()):,} characters "
                                f"({_shown(word.group())}); the limit is {MAX_WORD:,}: add "
                                "spaces (a URL: link it, [text](URL))"))
        long_words += sum(len(w) for t in texts for w in _LONG.findall(t.content))
        if not found and long_words > MAX_LONG_WORDS:
            found.append((line, f"words of more than {LONG_WORD} characters add up to "
                                f"{long_words:,} characters by this line; the limit is "
                                f"{MAX_LONG_WORDS:,}: add spaces (a URL: link it, [text](URL))"))
    return found


def _texts(token: Token) -> list[Token]:
    """The tokens of ``token`` (itself and its children) whose content is shown as text."""
    return [t for t in [token, *(token.children or [])]
            if t.type in ("text", "code_inline", "fence", "code_block")]


def _glued(children: list[Token]) -> int:
    """The number of inline elements in ``children``'s longest run without a space, when it
    is more than :data:`MAX_GLUED` (else 0)."""
    run = longest = 0
    for child in children:
        if child.type in ("softbreak", "hardbreak") or (
                child.type == "text" and re.search(r"\s", child.content)):
            run = 0
        run += _is_element(child)
        longest = max(longest, run)
    return longest if longest > MAX_GLUED else 0


def _nesting(token: Token, line: int) -> tuple[int, str] | None:
    """A warning when ``token`` sits at markdown-it's nesting limit, where it drops blocks and
    shows inline markup as text."""
    if token.nesting == -1 or token.type == "inline" or token.level < MAX_NESTING - 1:
        return None
    return (line, f"blocks nested more than {MAX_NESTING - 1} levels deep: the deeper text is "
                  "dropped")


def lint(markdown: str, base_url: str, parsed: Parsed | None = None) -> list[tuple[int, str]]:
    """(line, message) for everything :func:`to_html` will not publish as written.

    Lines count from 1 at the first line of ``markdown``.

    >>> lint("Hi <b>there</b>", "https://example.org/")
    [(1, 'raw HTML shown as text')]
    """
    found: list[tuple[int, str]] = []
    if parsed is None or parsed.markdown != markdown:
        parsed = parse(markdown)
    for index, token in enumerate(parsed.tokens):
        first = token.map[0] + 1 if token.map else 1
        if (deep := _nesting(token, first)) is not None:
            found.append(deep)
        if token.type == "html_block":
            found.append((first, "raw HTML shown as text"))
            continue
        if token.type == "inline" and index > 1 and parsed.tokens[index - 2].type == (
            "list_item_open"
        ) and _TASK.match(token.content):
            found.append((first, f"task list box {token.content[:3]!r} {NOT_RENDERED}: "
                                 "write the state in words"))
        if token.type == "inline" and _looks_like_a_table(token.content):
            found.append((first, "rows of | shown as typed, not as a table: the first row must "
                                 "be followed by a delimiter row with as many cells (|---|---|)"))
        line = first
        previous = ""
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.level >= MAX_NESTING:
                found.append((line, f"markup nested more than {MAX_NESTING} levels deep: the "
                                    "deeper markup is shown as text"))
            elif child.type == "html_inline":
                found.append((line, "raw HTML shown as text"))
            elif child.type == "link_open":  # images: see syndicate.assets
                url = str(child.attrs.get("href", ""))
                if urlsplit(urljoin(base_url, url.strip())).scheme not in URL_SCHEMES:
                    found.append((line, f"link to {_shown(url)} dropped: {LINKS_PUBLISHED}"))
            elif child.type == "text":
                found.extend((line, message) for message in _unsupported(child.content, previous))
            previous = child.type
    for label, reference in parsed.env.get("references", {}).items():
        if label.startswith("^"):  # ``[^1]: https://...`` reads as a link's definition
            where = reference.get("map") or [0]
            found.append((where[0] + 1, f"footnote [{label}] is not rendered (read as a link's "
                                        f"target and dropped): {FOOTNOTE_ADVICE}"))
    nested = [problem for problem in found if "levels deep" in problem[1]]  # the first is enough
    unique = [one for one in dict.fromkeys(found) if one not in nested or one == nested[0]]
    return sorted(unique, key=lambda item: item[0])


NOT_RENDERED = "is not rendered (shown as typed)"
FOOTNOTE_ADVICE = "write the note in the text, or as a list at the end"
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")
_DEFINITION = re.compile(r"^:[ \t]+\S")
_TASK = re.compile(r"\[[ xX]\][ \t]")


def _looks_like_a_table(text: str) -> bool:
    """Whether a paragraph is only lines between pipes (a table the grammar did not take)."""
    lines = text.splitlines()
    return len(lines) > 1 and all(
        line.strip().startswith("|") and line.strip().endswith("|") for line in lines)


def _unsupported(text: str, previous: str) -> list[str]:
    """Messages for Markdown of other grammars in one piece of text (a line's start when
    ``previous`` is a line break or nothing): footnotes and definition lists."""
    found = [f"footnote {match.group(0)} {NOT_RENDERED}: {FOOTNOTE_ADVICE}"
             for match in _FOOTNOTE.finditer(text)]
    if previous == "link_open" and text.startswith("^"):  # its ``[^1]: https://...`` exists
        found.append(f"footnote [{text}] is not rendered (it becomes a link): {FOOTNOTE_ADVICE}")
    if previous in ("", "softbreak", "hardbreak") and _DEFINITION.match(text):
        found.append(f"definition list {NOT_RENDERED}: write the term in bold, then its text")
    return found
