"""What a communiqué may load and draw: its own assets only (a URL fetcher that refuses every
other URL before opening it), and characters some installed font has (WeasyPrint's
``.notdef`` warnings collected and reported as problems at the statement's line)."""

from __future__ import annotations

import logging
import posixpath
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from syndicate.config import STATEMENTS_DIR
from syndicate.errors import Problem
from syndicate.model import Statement, Translation
from syndicate.render import weasy

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

_NOTDEF = ".notdef glyph rendered"


def asset_key(url: str) -> str:
    """``url`` as the sandbox looks it up: path normalized, no query or fragment (a statement
    image's URL is spelled as its Markdown spells it, made absolute).

    >>> asset_key("https://example.org/en/a/./charts/my%20chart.png?x")
    'https://example.org/en/a/charts/my%20chart.png'
    """
    parts = urlsplit(url)
    path = quote(posixpath.normpath(unquote(parts.path))) if parts.path else ""
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def sandbox_fetcher(assets: Mapping[str, tuple[bytes, str]]) -> URLFetcher:
    """A WeasyPrint URL fetcher serving only ``assets`` (URL -> bytes, media type; statement
    images under their :func:`asset_key`).

    Every other URL is refused before anything is opened; WeasyPrint logs the refusal.
    """
    weasy.load()
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: F811

    class SandboxFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            found = assets.get(url) or assets.get(asset_key(url))
            if found is not None:
                data, media_type = found
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
            raise ValueError(f"external resources are not allowed in communiqués: {url}")

    return SandboxFetcher()


@contextmanager
def missing_glyphs() -> Iterator[list[str]]:
    """Collect the characters WeasyPrint draws as ``.notdef`` in this thread meanwhile."""
    found: list[str] = []
    thread = threading.get_ident()

    class Listener(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if (
                record.thread == thread
                and str(record.msg).startswith(_NOTDEF)
                and len(record.args or ()) == 2
            ):
                codepoint = record.args[1]  # type: ignore[index]
                if isinstance(codepoint, int):
                    found.append(chr(codepoint))

    listener = Listener(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(listener)
    try:
        yield found
    finally:
        logger.removeHandler(listener)


def missing_glyph_problems(
    statement: Statement, translations: Sequence[Translation], characters: Sequence[str]
) -> list[Problem]:
    """One problem per character no font can draw, located in the statement's source."""
    problems = []
    for char in dict.fromkeys(characters):
        where = f"{STATEMENTS_DIR}/{statement.id}/{translations[0].lang}.md"
        line = None
        for translation in translations:
            position = translation.source.find(char)
            if position >= 0:
                where = f"{STATEMENTS_DIR}/{statement.id}/{translation.lang}.md"
                line = translation.source.count("\n", 0, position) + 1
                break
        problems.append(
            Problem(
                where,
                line,
                f"character {char!r} (U+{ord(char):04X}) is in no installed font: the PDF "
                "would show an empty box (install a font that has it, e.g. from fonts-noto)",
            )
        )
    return problems
