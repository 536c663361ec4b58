"""What a statement may embed, and the project's own assets handed to the renderers as bytes.

A communiqué is rendered in a sandbox that fetches nothing (see :mod:`syndicate.render.pdf`);
this module makes the same rules visible at ``syndicate check`` time, with the file and line:
an image must be a file in the statement's own folder (no ``file:`` URL, no absolute path, no
``..`` climbing out, nothing fetched over the network, 127.0.0.1 included), a regular file of
at most 10 MB that is really the PNG, JPEG, WebP or SVG image its name says (see
:mod:`syndicate.images`), and must have alt text. Ordinary links to web pages are not embedded
resources and stay allowed.

:func:`referenced_images` is the one list of the image files a statement shows: publish copies
them (sanitized) beside the page, hashes them into the cache keys of the outputs that show them,
and hands their bytes to the renderers with the unit.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from markdown_it.token import Token

from syndicate.config import CONFIG_FILE, STATEMENTS_DIR
from syndicate.errors import ContentError, Problem
from syndicate.files import NotRegularFile, TooLarge, read_regular, real
from syndicate.images import MAX_IMAGE_BYTES, ImageError, kind_of_name, sanitize
from syndicate.markup import Parsed, parser
from syndicate.model import Image, ImageFile, Site, Statement, Translation
from syndicate.schema import locate
from syndicate.statement_entries import shows_images

MAX_LOGO_BYTES = 500_000
# markdown-it drops images whose URL it deems unsafe (file:, data:, javascript:) and shows them as
# text; the check wants to see them to name them, so this parser accepts every URL.
_parser = parser(every_link=True)


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
    return _name_problem(src, parts.query or parts.fragment, path)


_ENCODED_SEPARATOR = re.compile(r"%(2f|5c)", re.IGNORECASE)


def _name_problem(src: str, suffix: str, path: str) -> str | None:
    """Why a relative image source cannot name a file to publish beside the page, or None."""
    if suffix or src.rstrip().endswith(("?", "#")):
        return f"image {src!r} has a query or fragment; refer to the file by its name alone"
    if "\\" in path or _ENCODED_SEPARATOR.search(src):
        return f"image {src!r} hides a folder separator; separate folders with a plain '/'"
    name = posixpath.normpath(path)
    if name == "." or not path.strip():
        return f"image {src!r} names no file"
    if not name.isprintable():
        return f"image {src!r} has a control or invisible character in its name"
    if any(part.startswith(".") for part in name.split("/")):
        return f"image {src!r} is a hidden file (its name starts with '.'); rename it"
    if kind_of_name(name) is None:
        return f"image {src!r} is not a .png, .jpg, .jpeg, .webp or .svg file"
    return None


def image_name(src: str) -> str:
    """The file an allowed image source names, relative to the statement's folder.

    >>> image_name("./charts/my%20chart.png")
    'charts/my chart.png'
    """
    return posixpath.normpath(unquote(urlsplit(src.strip()).path))


def referenced_images(markdown: str, parsed: Parsed | None = None) -> list[tuple[int, str]]:
    """(0-based line, file name) of every image a Markdown body shows from its own folder, in
    order: the one list of a statement's image files (check reads them, publish copies them
    and hashes them into its cache keys). Sources :func:`image_problem` refuses are left out.
    Given a whole ``<lang>.md`` file's text it finds the same names (lines then count from
    the front matter, which could at most add a name that spells an image): enough to hash.

    >>> referenced_images("Text\\n\\n![A chart](chart.png) ![map](../x.png)\\n![b](c/d.svg)")
    [(2, 'chart.png'), (3, 'c/d.svg')]
    """
    if "![" not in markdown:  # every image, inline or by reference, starts so
        return []
    found = []
    for line, token in _images(_tokens(markdown, parsed)):
        src = str(token.attrGet("src") or "")
        if image_problem(src) is None:
            found.append((line, image_name(src)))
    return found


def _tokens(markdown: str, parsed: Parsed | None) -> list[Token]:
    # The inspector's tokens are this parser's whenever the text holds no raw HTML.
    if parsed is not None and parsed.markdown == markdown and parsed.without_html:
        return parsed.tokens
    return _parser.parse(markdown)


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
    problems = []
    for line, token in _images(_tokens(body, parsed)):
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


# Image files ---------------------------------------------------------------------------------


def read_image(folder: Path, name: str) -> bytes:
    """The bytes of the image file ``name`` in a statement's ``folder``; raises ImageError.

    Only a regular file inside the folder, at most MAX_IMAGE_BYTES: a FIFO or a device is
    refused without waiting on it (see :mod:`syndicate.files`), a link leading elsewhere is
    refused.
    """
    path = folder / name
    if not real(path).is_relative_to(real(folder)):
        raise ImageError("leads out of the statement's folder (a symbolic link?): copy the file "
                         "into the folder")
    try:
        return read_regular(path, MAX_IMAGE_BYTES)
    except FileNotFoundError:
        raise ImageError("is missing: put the file in the statement's folder") from None
    except NotRegularFile:
        raise ImageError("is not a regular file") from None
    except TooLarge as exc:
        raise ImageError(f"is {exc.size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}") from None
    except OSError as exc:
        raise ImageError(f"cannot be read: {exc.strerror or exc}") from None


def reserved_names(site: Site, statement_id: str, lang: str) -> set[str]:
    """The names of the files publish makes beside a page, which no image may take."""

    folder = posixpath.dirname(site.page_path(statement_id, lang)) + "/"
    made = (site.page_path(statement_id, lang), site.share_path(statement_id, lang),
            site.pdf_path(statement_id, lang),
            site.preview_path(site.pdf_path(statement_id, lang)),
            site.card_path(statement_id, lang))
    return {path.removeprefix(folder) for path in made}


def image_file_problems(folder: Path, body: str, first_line: int, parsed: Parsed | None,
                        reserved: set[str]) -> list[tuple[int, str]]:
    """(line, message) for every image file a body shows that cannot be published: missing,
    not a regular file, too large, not the image its name says, or unsafe (each read and
    sanitized as publish will). ``reserved``: names of files publish makes beside the page."""
    problems = []
    seen: set[str] = set()
    for line, name in referenced_images(body, parsed):
        if name in seen:
            continue
        seen.add(name)
        if name in reserved:
            problems.append((first_line + line, f"image {name!r} has the name of a file "
                             "publish makes beside the page; rename it"))
            continue
        try:
            sanitize(name, read_image(folder, name))
        except ImageError as exc:
            problems.append((first_line + line, f"image {name!r} {exc}"))
    return problems


def body_first_line(translation: Translation) -> int:
    """The line of the translation's file on which its Markdown body starts."""
    source = translation.source.rstrip("\n")
    start = len(source) - len(translation.body_markdown.rstrip("\n"))
    return translation.source.count("\n", 0, max(start, 0)) + 1


def translation_images(translation: Translation) -> list[tuple[int, str]]:
    """(line in the translation's file, name) of each image file it shows, once each."""
    if (facts := translation.facts) is not None:
        return list(facts.images)
    first = body_first_line(translation)
    names: dict[str, int] = {}
    for line, name in referenced_images(translation.body_markdown):
        names.setdefault(name, first + line)
    return [(line, name) for name, line in names.items()]


@dataclass(frozen=True, slots=True)
class ImageFiles:
    """What :func:`image_files` found: by statement id, its image files (with the hash of
    each), and the problems of the statements whose images cannot be read."""

    files: dict[str, tuple[ImageFile, ...]]
    problems: dict[str, list[Problem]]


def image_files(root: Path, statements: Iterable[Statement]) -> ImageFiles:
    """The image files each statement's translations show, each read once and hashed; a
    file that cannot be read is a problem (``path:line``) of its statement."""
    found = ImageFiles({}, {})
    statements_folder = root / STATEMENTS_DIR
    for statement in statements:
        if not shows_images(statement):
            continue
        files = []
        for translation in statement.translations:
            for line, name in translation_images(translation):
                folder = statements_folder / statement.id  # (only for one that shows images)
                try:
                    data = read_image(folder, name)
                except ImageError as exc:
                    found.problems.setdefault(statement.id, []).append(Problem(
                        str(folder / f"{translation.lang}.md"), line, f"image {name!r} {exc}"))
                    continue
                files.append(ImageFile(translation.lang, name, hashlib.sha256(data).hexdigest()))
        if files:
            found.files[statement.id] = tuple(files)
    return found


def read_images(root: Path, statement_id: str, files: Sequence[ImageFile]) -> tuple[Image, ...]:
    """The bytes of ``files`` (from :func:`image_files`), as they were hashed; raises
    ContentError for one that changed or went away since."""
    folder = root / STATEMENTS_DIR / statement_id
    images = []
    problems = []
    for file in files:
        try:
            data = read_image(folder, file.name)
            if hashlib.sha256(data).hexdigest() != file.sha256:
                raise ImageError("changed while publishing: publish again")
        except ImageError as exc:
            problems.append(Problem(str(folder / file.name), None, str(exc)))
            continue
        images.append(Image(file.lang, file.name, data))
    if problems:
        raise ContentError(problems)
    return tuple(images)
