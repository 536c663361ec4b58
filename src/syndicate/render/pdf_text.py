"""The text of a communiqué's HTML and CSS that WeasyPrint lays out: CSS strings and page
counters in the translated footer, URLs that break after their slashes, long words and URLs
marked so that they break and stay left-to-right, the margin fonts of a script."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
_COUNTERS = {"page": "counter(page)", "pages": "counter(pages)"}


def css_string(text: str) -> str:
    r"""Quote ``text`` as a CSS string that is also safe inside an HTML ``<style>`` element.

    Quotes, backslashes, angle brackets and control characters become CSS hex escapes (a
    ``</style>`` in a translation cannot end the element); other characters are kept.

    >>> print(css_string('Página "1" \\ </style>'))
    "Página \22 1\22  \5c  \3c /style\3e "
    """
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>' or ord(char) < 0x20 or ord(char) == 0x7F
        else char
        for char in text
    )
    return f'"{escaped}"'


def counter_content(label: str) -> str:
    """A CSS ``content`` value for a translated page label with ``%(page)s``/``%(pages)s``.

    >>> counter_content("Página %(page)s de %(pages)s")
    '"Página " counter(page) " de " counter(pages)'
    >>> counter_content("%(page)s/%(pages)s")
    'counter(page) "/" counter(pages)'

    Raises ValueError for any other placeholder.
    """
    parts: list[str] = []
    literal = ""
    position = 0
    for match in _PLACEHOLDER.finditer(label):
        literal += label[position:match.start()]
        position = match.end()
        if match.group(0) == "%%":
            literal += "%"
            continue
        name = match.group(1)
        if name not in _COUNTERS:
            raise ValueError(f"unknown placeholder %({name})s in page label {label!r}")
        if literal:
            parts.append(css_string(literal))
            literal = ""
        parts.append(_COUNTERS[name])
    literal += label[position:]
    if literal:
        parts.append(css_string(literal))
    return " ".join(parts) or '""'


def page_stylesheet(page_label: str, url: str, page: str = "") -> str:
    """The ``@page`` rules of one part: the statement's URL and the page numbers in the footer.

    ``page`` names the part's pages in a bilingual edition (each language its own footer).
    """
    selector = f"@page {page}".rstrip()
    return (
        f"{selector} {{\n"
        f"  @bottom-left {{ content: {css_string(footer_url(url))}; }}\n"
        f"  @bottom-right {{ content: {counter_content(page_label)}; }}\n"
        "}"
    )


_BREAK_AFTER_SLASHES = re.compile(r"(/+)(?=[^/])")


def footer_url(url: str) -> str:
    r"""``url`` as the footer shows it: it may wrap after a ``/`` and nowhere else.

    A zero-width space (U+200B) after each run of slashes is a break opportunity; a word joiner
    (U+2060) after each hyphen forbids the break the line breaker would otherwise take there,
    inside a statement's id. Both are invisible and left out of the PDF's text (pdftotext and
    pypdf extract the plain URL).

    >>> footer_url("https://a.org/en/2022-11-22/")
    'https://\u200ba.org/\u200ben/\u200b2022-\u206011-\u206022/'
    """
    return _BREAK_AFTER_SLASHES.sub("\\1\u200b", url).replace("-", "-\u2060")


def hyphenation_language(tag: str) -> str:
    """The language WeasyPrint hyphenates a part in: its tag, but plain ``en`` as American
    English (pyphen's ``en`` is the British dictionary; ``en-GB`` stays British).

    >>> hyphenation_language("en"), hyphenation_language("en-GB"), hyphenation_language("pt-PT")
    ('en-US', 'en-GB', 'pt-PT')
    """
    return "en-US" if tag.lower() == "en" else tag


# A run of characters that may not fit on a line: the PDF may break it anywhere (see the
# stylesheet's .long-word; on the whole body, that costs WeasyPrint the square of each
# paragraph's length, see benchmarks/hostile.md).
_LONG_WORD = re.compile(r"[^\s<>]{30,}")
_TEXT = re.compile(r">([^<]+)<")


def breakable(html: str) -> str:
    """``html`` (sanitized, so "<" and ">" are tags) with each long run of characters in a
    ``<span class="long-word">``.

    >>> breakable("<p>See " + "x" * 30 + " now</p>")
    '<p>See <span class="long-word">xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</span> now</p>'
    """
    def mark(text: re.Match[str]) -> str:
        return ">" + _LONG_WORD.sub(r'<span class="long-word">\g<0></span>', text.group(1)) + "<"

    return _TEXT.sub(mark, html)


# A URL written out in the text (not a link's words): laid out left to right wherever it stands.
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>]+[^\s<>.,;:!?)\]}'\"\u060c]")


def isolated_urls(html: str) -> str:
    """``html`` (sanitized) with each URL of its text in a ``<span class="url">``, which the
    stylesheet isolates as left to right: in right-to-left text, a URL's trailing slash would
    otherwise be drawn before it ("/https://...").

    >>> isolated_urls('<p>انظر https://www.iom.int/ الآن، <a href="https://x.org">x</a></p>')
    '<p>انظر <span class="url">https://www.iom.int/</span> الآن، <a href="https://x.org">x</a></p>'
    """
    def mark(text: re.Match[str]) -> str:
        return ">" + _URL.sub(r'<span class="url">\g<0></span>', text.group(1)) + "<"

    return _TEXT.sub(mark, html)


# The families of a script's text in the page margins (the footer's URL and page numbers, the
# running header), named before the stylesheet's (whose DejaVu Sans draws Arabic letters too,
# less well); its text in the page itself takes them from the stylesheet's ``.script-<code>``.
MARGIN_FONTS = {"Arab": '"Noto Sans Arabic", "DejaVu Sans"'}


def margin_font_rules(script: str, page: str = "") -> str:
    """The ``@page`` rules naming ``script``'s families in the margin boxes ("" when the
    stylesheet's serve it)."""
    families = MARGIN_FONTS.get(script)
    if families is None:
        return ""
    boxes = " ".join(f"@{box} {{ font-family: {families}; }}"
                     for box in ("bottom-left", "bottom-right", "top-left"))
    return f"\n{f'@page {page}'.rstrip()} {{ {boxes} }}"
