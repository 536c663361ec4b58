"""What a statement may embed, and the project's own assets handed to the renderers as bytes.

A communiqué is rendered in a sandbox that fetches nothing (see :mod:`syndicate.render.pdf`);
this module makes the same rules visible at ``syndicate check`` time, with the file and line:
an image must be a file in the statement's own folder (no ``file:`` URL, no absolute path, no
``..`` climbing out, nothing fetched over the network, 127.0.0.1 included) and must have alt
text. Ordinary links to web pages are not embedded resources and stay allowed.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.token import Token

from syndicate.config import CONFIG_FILE, locate
from syndicate.errors import ContentError, Problem
from syndicate.files import TooLarge, read_regular, real
from syndicate.markup import Parsed
from syndicate.model import Site

MAX_LOGO_BYTES = 500_000
_parser = MarkdownIt("commonmark", {"html": False, "typographer": False})
# markdown-it drops images whose URL it deems unsafe (file:, data:, javascript:) and shows them as
# text; the check wants to see them to name them, so this parser accepts every URL.
_parser.validateLink = lambda url: True  # type: ignore[method-assign]


def image_problem(src: str) -> str | None:
    """Why an image source is not allowed in a statement, or None when it is.

    >>> image_problem("chart.png") is None
    True
    >>> image_problem("../../syndicate.toml")
    "image '../../syndicate.toml' climbs out of the statement's folder with '..'"
    """
    parts = urlsplit(src.strip())
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") or (not scheme and parts.netloc):
        return (
            f"image {src!r} would be fetched from the network; put the file in the "
            "statement's folder and refer to it by name"
        )
    if scheme == "file":
        return f"image {src!r} points into the file system; only files in the statement's folder"
    if scheme:
        return f"image {src!r} uses {scheme}:, which is not allowed; only files in the folder"
    path = unquote(parts.path)
    if path.startswith(("/", "\\")):
        return f"image {src!r} is an absolute path; refer to a file in the statement's folder"
    if posixpath.normpath(path.replace("\\", "/")).startswith(".."):
        return f"image {src!r} climbs out of the statement's folder with '..'"
    return None


def _images(tokens: list[Token]) -> list[tuple[int, Token]]:
    """Every image token with its 0-based line in the Markdown (inline tokens carry no map)."""
    found = []
    for token in tokens:
        if token.type != "inline" or token.map is None:
            continue
        line = token.map[0]
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "image":
                found.append((line, child))
    return found


def embedded_problems(body: str, first_line: int,
                      parsed: Parsed | None = None) -> list[tuple[int, str]]:
    """(line, message) for every disallowed or unlabelled image in a statement's ``body``.

    ``first_line`` is the line of the file on which ``body`` starts.

    >>> for line, message in embedded_problems("Text.\\n\\n![](http://127.0.0.1/x.png)", 5):
    ...     print(line, message[:50])
    7 image 'http://127.0.0.1/x.png' would be fetched fr
    7 image 'http://127.0.0.1/x.png' has no alt text; de
    """
    # The inspector's tokens are this parser's whenever the text holds no raw HTML.
    if parsed is not None and parsed.markdown == body and parsed.without_html:
        tokens = parsed.tokens
    else:
        tokens = _parser.parse(body)
    problems = []
    for line, token in _images(tokens):
        src = str(token.attrGet("src") or "")
        if (message := image_problem(src)) is not None:
            problems.append((first_line + line, message))
        if not token.content.strip():
            problems.append(
                (
                    first_line + line,
                    f"image {src!r} has no alt text; describe it for readers who cannot see "
                    "it: ![what it shows](...)",
                )
            )
    return problems


def load_logo(project: Path, site: Site) -> bytes | None:
    """The issuer's SVG logo named by ``[pdf] logo``, read and checked; None when not set."""
    if not site.logo:
        return None
    config = project / CONFIG_FILE
    try:
        line = locate(config.read_text(encoding="utf-8-sig"), ("pdf",), "logo")
    except OSError:
        line = None

    def fail(message: str) -> ContentError:
        return ContentError([Problem(str(config), line, message)])

    path = project / site.logo
    try:
        if not real(path).is_relative_to(real(project)):
            raise fail(f"logo {site.logo!r} leads out of the project (a symbolic link?)")
        data = read_regular(path, MAX_LOGO_BYTES)
    except TooLarge as exc:
        raise fail(
            f"logo {site.logo!r} is {exc.size:,} bytes; the limit is {MAX_LOGO_BYTES:,}"
        ) from None
    except OSError as exc:
        raise fail(f"cannot read logo {site.logo!r}: {exc.strerror}") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise fail(f"logo {site.logo!r} is not well-formed SVG: {exc}") from None
    if etree.QName(root).localname != "svg":
        raise fail(f"logo {site.logo!r} is not an SVG image (its root is <{root.tag}>)")
    return data
