"""What a publish can skip: content hashes of every input, and parsed statements kept by hash.

Two caches, both safe to delete at any time (the next publish is then a full one):

* ``PROJECT/.syndicate-cache/statements/<key>.json``: each statement folder's parsed
  :class:`~syndicate.model.Statement` (with its warnings, which translations are out of step with
  the original, and the hashes of what its outputs are made of that is its own: see
  :func:`syndicate.keys.statement_parts`), one file each, named by the hash of the
  folder's file names and bytes, the site's configuration and the tool itself: an edit writes one
  small file, not the whole archive. Plain JSON, never pickle: a file in the project must not be
  able to run code. A folder with problems is never cached, so its problems are reported on
  every run. Beside them, ``pack`` holds the first line of each, for a load to read one file
  instead of one per statement (see :mod:`syndicate.statement_pack`).
* ``.<out>.cache.json`` beside the output folder: for the version ``out`` points at, the key of
  each rendering unit (a PDF and its preview, a card, a page and its share file) and the files it
  produced. A unit whose key is unchanged is reused from that version (hard-linked), not rendered.
  One JSON document, laid out one unit per line so that an edit takes over the others' records
  as the text they are, without parsing them (see :mod:`syndicate.carry`).

A unit's key hashes everything its output is a function of: the statement (as loaded), the site,
the templates of its kind only, the interface catalog of its language, the logo, the installed
fonts and the tool (its version, its code and the versions of the libraries that render).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

from syndicate import __version__
from syndicate.config import SHARED_FILE, STATEMENTS_DIR
from syndicate.errors import Problem
from syndicate.files import (
    MAX_FILE_BYTES,
    NotRegularFile,
    hash_regular,
    is_dropping,
    read_regular,
    write_json_text,
)
from syndicate.model import Site, Statement
from syndicate.statement_entries import (
    Decoded,
    decoded,
    entry_first_line,
    entry_from_line,
    texts_to_json,
)
from syndicate.statement_pack import (
    PACK,
    PackReader,
    Served,
    entry_line,
    open_pack,
    pack_lines,
    slack,
)
from syndicate.versions import library_version

if TYPE_CHECKING:
    import gettext

    from syndicate.read_ahead import ReadAhead

CACHE_DIR = ".syndicate-cache"
STATEMENTS_FOLDER = "statements"
OLD_STATEMENTS_FILE = "statements.json"  # the single-file cache of earlier versions
FORMAT = 3
# The templates of the communiqués are the package's templates named communique*; pages and
# the site-wide outputs use every other template; cards are drawn by cards.py alone. A template
# change re-renders only the kinds that use it.
PDF_TEMPLATES = "communique"
# The package's folder: its modules, templates and catalogs (what importlib.resources gives for
# a package on disk, without importing it: every command, a no-op too, hashes the modules).
PACKAGE = Path(__file__).parent
RENDERING_LIBRARIES = ("weasyprint", "pydyf", "pypdfium2", "pillow", "jinja2", "babel",
                       "markdown-it-py", "feedgen", "lxml", "fonttools", "twitter-text-parser",
                       "grapheme",
                       # parsing and sanitizing statements: YAML, HTML, escaping, time zones
                       "pyyaml", "nh3", "markupsafe", "tzdata",
                       # WeasyPrint's own: hyphenation dictionaries, CSS and HTML parsing
                       "pyphen", "tinycss2", "cssselect2", "tinyhtml5")


def digest(*parts: object) -> str:
    """A sha256 over the ``repr`` of the parts (every input here has a faithful repr; a part
    of bytes is taken as it is, after its length, rather than as the ``repr`` of its bytes).

    The ``repr`` of the tuple of parts, in one go, when none is bytes: an archive's publish
    makes over a hundred thousand of these (figures: ``benchmarks/notes.md``). Its first
    byte, "(", is never the first of the other form, a length of eight bytes."""
    if bytes not in map(type, parts):
        return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def combine(first: str, second: str) -> str:
    """The hash of two of :func:`digest`'s (hexadecimal, of one length: no separator needed)."""
    return hashlib.sha256((first + second).encode("ascii")).hexdigest()


@cache
def code_digest() -> str:
    """The tool: its version, the bytes of its modules and the rendering libraries' versions."""
    sources = []
    for folder in (PACKAGE, PACKAGE / "render"):
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                sources.append((entry.name, entry.read_bytes()))
    return digest(__version__, sources, [(name, library_version(name))
                                         for name in RENDERING_LIBRARIES])


def template_digest(kind: str) -> str:
    """The templates one kind of output (pdf, card, page, site) is rendered from."""
    found: list[tuple[str, bytes]] = []
    if kind != "card":
        pending = [("", PACKAGE / "templates")]
        while pending:
            prefix, folder = pending.pop()
            for entry in sorted(folder.iterdir(), key=lambda e: e.name):
                name = prefix + entry.name
                if entry.is_dir():
                    pending.append((name + "/", entry))
                elif name.startswith(PDF_TEMPLATES) == (kind == "pdf"):
                    found.append((name, entry.read_bytes()))
    return digest(kind, sorted(found))


@cache
def fonts_digest() -> str:
    """The installed fonts as fontconfig lists them: each file's path, size and mtime.

    A font installed, removed or updated changes what a PDF or card may look like; the list
    takes one ``fc-list`` and no WeasyPrint import.
    """
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{file}\\n"], capture_output=True, check=True, timeout=60
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return digest("no fc-list")
    files = []
    for name in sorted(set(listed.splitlines())):
        try:
            info = os.stat(name)
            files.append((name, info.st_size, info.st_mtime_ns))
        except OSError:
            files.append((name, -1, -1))
    return digest(files)


def catalog_digest(translations: gettext.NullTranslations) -> str:
    """An interface catalog (a gettext translations object) by its messages."""
    catalog = getattr(translations, "_catalog", {})
    return digest(sorted((repr(key), value) for key, value in catalog.items()))


# Parsed statements, kept by the hash of their folder ------------------------------------


def _folder_digest(folder: Path, site: Site) -> str:
    """The hash of a statement folder's content: its entry's key, and what the unit keys take
    of the statement, the same however the project's path is spelled (an entry's warnings
    are moved to the folder as given when they are read: see
    :func:`~syndicate.statement_entries.entry_from_line`).

    The content is every file's name, and the bytes of the statement's own files (its YAML and
    Markdown) and of every file they mention by name (an image), streamed: a big file nothing
    mentions is never read. Editors' droppings (``.#en.md``...) are left out. The statement's
    own files are read once: their bytes are both searched for names and hashed."""
    hasher = hashlib.sha256(digest(FORMAT, code_digest(), site, folder.name).encode())
    names = _names(folder)
    sources = {name: read_regular(folder / name, MAX_FILE_BYTES)
               for name in names if _is_source(name)}
    texts = list(sources.values())
    for name in names:
        hasher.update(os.fsencode(name) + b"\0")
        if name in sources:
            hasher.update(sources[name])
        elif mentioned(name, texts):
            try:
                hash_regular(folder / name, hasher)
            except NotRegularFile:
                hasher.update(b"not a file")
        else:
            hasher.update(b"not mentioned")
    return hasher.hexdigest()


def _is_source(name: str) -> bool:
    return name == SHARED_FILE or (name.endswith(".md") and "/" not in name)


def _names(folder: Path) -> list[str]:
    """The paths of everything in ``folder``, its subfolders included (links not followed),
    relative to it, by name; droppings left out."""
    found = []
    pending = [""]
    while pending:
        prefix = pending.pop()
        with os.scandir(folder / prefix if prefix else folder) as scan:
            for entry in scan:
                if is_dropping(entry.name):
                    continue
                name = prefix + entry.name
                found.append(name)
                if entry.is_dir(follow_symlinks=False):
                    pending.append(name + "/")
    return sorted(found)


def mentioned(name: str, texts: Iterable[bytes]) -> bool:
    """Whether a statement's texts mention the file ``name`` (a path relative to its folder),
    as written or percent-encoded: a superset of the files its Markdown refers to.

    >>> mentioned("my chart.png", [b"![A chart](my%20chart.png)"])
    True
    >>> mentioned("notes.txt", [b"![A chart](chart.png)"])
    False
    """
    forms = {os.fsencode(name), quote(name).encode()}
    return any(form in text for text in texts for form in forms)


@dataclass(frozen=True, slots=True)
class Known:
    """Statement folders' content hashes known without reading them (see :mod:`syndicate.inputs`):
    by folder name, valid where the statement cache's :func:`context_digest` is ``context``."""

    context: str = ""
    contents: Mapping[str, str] = field(default_factory=dict)
    # of those, the folders in which the publish's scan found no symbolic link (see
    # inputs.Scan.unlinked): a load reads no file of theirs (their statements are cached; an
    # image is read only inside its folder), so no link of theirs is looked for again
    unlinked: frozenset[str] = frozenset()
    # a publish's load: it drops the cache entries it did not use (check's and status's, which
    # may run beside a publish or with other options, leave them) and keeps the statements'
    # parts in memory for its keys (see StatementCache.parts)
    publishing: bool = True


def context_digest(site: Site) -> str:
    """What a statement folder's content hash is seeded with, but its name."""
    return digest(FORMAT, code_digest(), site)


class StatementCache:
    """Parsed statements kept by the hash of their folder (a ``cache`` for load_statements)."""

    def __init__(self, project: Path, known: Known | None = None,
                 ahead: ReadAhead | None = None) -> None:
        self.folder = project / CACHE_DIR / STATEMENTS_FOLDER
        self._prefix = f"{self.folder}/"  # (entries' paths as text: a load reads thousands)
        self._statements = project / STATEMENTS_DIR  # (as the load spells its folders)
        self.known = known
        self._context: tuple[Site, str] | None = None  # the last site and its context_digest
        self.used: set[str] = set()  # keys of the entries this load used or wrote
        self.digests: dict[str, str] = {}  # statement id -> the hash of its folder (and site)
        # statement id -> its translations out of step with the original, and what to say of
        # each (see workflow.stale_messages): kept with the entry
        self.out_of_step: dict[str, tuple[tuple[str, str], ...]] = {}  # (mostly the one ())
        self.parts: dict[str, str] = {}  # statement id -> see keys.statement_parts
        self._plans = known is None or known.publishing  # (else no parts kept: check's load)
        self.hits = 0
        self._missed: dict[str, str] = {}  # folder name -> the key of the entry to keep
        # The pack (see syndicate.statement_pack), opened by the first lookup (unless read
        # ahead of it for this project), and where each folder's entry was found or written
        # (what a publish's load writes it again from)
        self._pack: PackReader | None = (ahead.reader if ahead is not None
                                         and ahead.project == project else None)
        self._served: dict[str, Served] = {}

    def _digest(self, root: Path, name: str, site: Site) -> str:
        """:func:`_folder_digest` of the folder ``name`` in ``root``, or what :attr:`known`
        knows of it."""
        known = self.known
        if (known is not None and (found := known.contents.get(name)) is not None
                and known.context == self._context_of(site)):
            return found
        return _folder_digest(root / name, site)

    def _context_of(self, site: Site) -> str:
        if self._context is None or self._context[0] is not site:
            self._context = (site, context_digest(site))
        return self._context[1]

    def unlinked(self, site: Site) -> Collection[str]:
        """The folders of :attr:`known` in which the publish's scan found no symbolic link,
        when their content is known for ``site`` (a lookup then reads no file of theirs)."""
        known = self.known
        if known is None or known.context != self._context_of(site):
            return ()
        return known.unlinked

    def _path(self, key: str) -> str:
        return f"{self._prefix}{key}.json"

    def _entry(self, name: str, key: str, site: Site) -> tuple[Decoded | None, Served]:
        """Folder ``name``'s entry ``key`` decoded (None: it has none, or not an entry's), and
        where it was: in the pack (read ahead, or now) when it has it, else in
        the entry's file (its first line: the words are on the second)."""
        if self._pack is None or self._pack.context != self._context_of(site):
            self.close()  # (one read ahead for another configuration)
            self._pack = open_pack(self.folder, self._context_of(site))
        pack = self._pack
        if (ahead := pack.taken(name, key)) is not None:
            return cast("Decoded | None", ahead[1]), ahead[0]
        served, line = pack.line(name, key) or (Served(key), entry_line(self._path(key)))
        return (None if line is None else self.decode(name, served, line)), served

    def decode(self, name: str, served: Served, line: bytes) -> Decoded | None:
        """The first ``line`` of folder ``name``'s entry (``served``: where it was) as this
        project's load takes it (see :func:`~syndicate.statement_entries.decoded`): from the
        pack, read now or ahead of the lookups (see :mod:`syndicate.read_ahead`), or from the
        entry's file."""
        return decoded(line, FORMAT, self._path(served.key), os.path.join(self._statements, name))

    def lookup(self, root: Path, name: str, site: Site,
               warnings: list[Problem]) -> Statement | None:
        """The statement of the folder ``name`` in ``root`` if its files are those of an entry
        (whose warnings are added to ``warnings``), else None: :meth:`keep` then takes the
        statement loaded. (No path object is made for a folder it answers for: a load looks
        up thousands.)"""
        try:
            key = self._digest(root, name, site)
        except OSError:
            return None  # loaded, but not kept
        entry, served = self._entry(name, key, site)
        if entry is not None:
            statement, found, out_of_step, parts = entry
            warnings.extend(found)
            self.out_of_step[statement.id] = out_of_step
            if self._plans:
                self.parts[statement.id] = parts
            self._served[name] = served
            self.used.add(key)
            self.digests[statement.id] = key
            self.hits += 1
            return statement
        if served.at >= 0 and self._pack is not None:
            self._pack.refuse()  # (a line not its entry's: the pack is written again)
        self._missed[name] = key
        return None

    def keep(self, folder: Path, statement: Statement,
             warnings: Sequence[Problem]) -> Statement:
        """Keep a statement loaded without problems after :meth:`lookup` missed it: its entry
        is written now; returns the statement, its words left there if it could be written."""
        key = self._missed.pop(folder.name, None)
        if key is None:
            return statement
        self.digests[statement.id] = key
        self.used.add(key)
        self._served[folder.name] = Served(key)
        from syndicate.keys import statement_parts  # (not at the top: it imports this)
        from syndicate.workflow import stale_messages

        stale = self.out_of_step[statement.id] = tuple(stale_messages(statement))
        parts = statement_parts(statement)
        if self._plans:
            self.parts[statement.id] = parts
        line = entry_first_line(FORMAT, statement, warnings, stale, parts, str(folder))
        path = self._path(key)
        words = json.dumps(texts_to_json(statement))
        if not write_json_text(Path(path), f"{line}\n{words}"):
            return statement
        # (its translations decoded at once: a statement parsed is one the publish renders,
        # and their JSON, kept until then among the load's other objects, would leave holes)
        return entry_from_line(line.encode("ascii"), FORMAT, path, str(folder))[0].plain()

    def save(self) -> None:
        """Drop the entries this load did not use (an edited or removed folder's old entry),
        and write the pack again if it answered for too few of the folders (see
        :mod:`syndicate.statement_pack`); the entries it made are written already."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name != PACK and name.removesuffix(".json") not in self.used:  # (stale, or
                try:  # a torn temporary)
                    os.unlink(self.folder / name)
                except OSError:
                    pass
        if self._pack is not None and self._pack_outdated(self._pack):
            write_json_text(self.folder / PACK, pack_lines(self._pack, self._served, self._prefix))
        try:
            os.unlink(self.folder.parent / OLD_STATEMENTS_FILE)
        except OSError:
            pass

    def _pack_outdated(self, pack: PackReader) -> bool:
        """Whether the pack misses, or holds stale, more lines than it may, or is damaged,
        foreign or not there (it was opened: some folder was looked up)."""
        if not pack.usable:
            return True
        pack.pass_the_rest()
        unpacked = sum(1 for served in self._served.values() if served.at < 0)
        return pack.damaged or unpacked + pack.passed > slack(len(self._served))

    def close(self) -> None:
        """Let the pack go (a load's lookups are over: the words are read from the entries)."""
        if self._pack is not None:
            self._pack.close()

