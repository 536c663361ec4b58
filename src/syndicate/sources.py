"""``statements/`` -> :class:`~syndicate.model.Statement` objects, validated.

The only module that reads the project's content. Every problem in every file is collected
before anything is reported (``path:line: message``); warnings ride along with the result.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from syndicate import processes
from syndicate.assets import embedded_problems, image_file_problems, reserved_names
from syndicate.config import SHARED_FILE, STATEMENTS_DIR
from syndicate.errors import ContentError, Problem
from syndicate.files import is_dropping, is_folder, links_outside, printable, real
from syndicate.frontmatter import SourceFile, no_front_matter, split_front_matter
from syndicate.markup import Parsed, lint, overload, parse, to_html
from syndicate.model import Site, Statement, Translation
from syndicate.names import too_long
from syndicate.placeholders import placeholder_line
from syndicate.processes import default_jobs, fork_is_safe, ignore_interrupts, interrupts_held
from syndicate.schema import FrontMatter, StatementYaml, keys, read_fields
from syndicate.words import Text

STATEMENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # (not $: it lets a newline end it)
@dataclass(frozen=True, slots=True)
class Loaded:
    statements: tuple[Statement, ...]
    warnings: tuple[Problem, ...]
    # With keep_going: the problems of the statements left out (each folder's, all of them)
    problems: tuple[Problem, ...] = ()
    # The folders of drafts left out for their problems (reported as warnings)
    broken_drafts: tuple[str, ...] = ()


class StatementCache(Protocol):
    """Statements kept from an earlier load (see :mod:`syndicate.cache`)."""

    def lookup(self, root: Path, name: str, site: Site,
               warnings: list[Problem]) -> Statement | None:
        """The statement of the folder ``name`` in ``root`` as loaded before (its warnings
        added to ``warnings``), or None when its files changed since."""

    def keep(self, folder: Path, statement: Statement,
             warnings: Sequence[Problem]) -> Statement:
        """Remember a statement just loaded without problems (after ``lookup`` said None);
        returns it, its words left in the cache if they could be kept there."""

    def unlinked(self, site: Site) -> Collection[str]:
        """The folders (by name) whose links need not be looked at unless their files are
        read: a scan just now found none in them, and :meth:`lookup` reads none of their
        files (it knows their content already)."""


# Statements to parse before a pool of processes pays for its start (starting a process costs
# about as much as parsing ten statements: benchmarks/notes.md), and how many go to a process
# at a time.
PARALLEL_FROM = 64
BATCH = 25

_Result = tuple["Statement | None", list[Problem], list[Problem]]  # statement, problems, warnings


def load_statements(project: Path, site: Site, cache: StatementCache | None = None,
                    jobs: int | None = None, keep_going: bool = False) -> Loaded:
    """Read and validate every statement; raise :class:`ContentError` with all problems (with
    ``keep_going``, leave out the statements that have some and return their problems).

    A draft's problems are warnings (:meth:`Problem.in_draft`): a colleague's unfinished draft
    never stops the others. ``cache`` may answer for a folder whose files it has seen. The
    others are parsed in up to ``jobs`` processes (default: one per core) when there are many
    (see :func:`_load_all`); problems and warnings come in the same order either way: folder by
    folder, by name."""
    root = project / STATEMENTS_DIR
    inside = real(project)
    results: list[_Result] = []  # one per folder, in order
    names: list[str] = []  # the folder of each result
    to_load: list[tuple[int, Path]] = []  # (index in results, folder) of those to parse
    unlinked = cache.unlinked(site) if cache is not None else ()
    with processes.collections_paused():  # (the cached statements: thousands, kept to the end)
        for name, is_dir in _statement_folders(root, inside):
            if name.startswith(".") or is_dropping(name):
                continue
            problems: list[Problem] = []
            warnings: list[Problem] = []
            results.append((None, problems, warnings))
            names.append(name)
            checked = name not in unlinked  # (else its links only if its files are read)
            if not _is_statement_folder(root, name, inside if checked else None, site,
                                        (problems, warnings), is_dir):
                continue
            cached = cache.lookup(root, name, site, warnings) if cache is not None else None
            if cached is not None:
                results[-1] = (cached, problems, warnings)
            elif checked or not links_outside(root / name, inside, problems):
                to_load.append((len(results) - 1, root / name))
    loaded = _load_all([folder for _, folder in to_load], site, jobs or default_jobs())
    for (index, folder), (statement, mine, my_warnings) in zip(to_load, loaded, strict=True):
        if cache is not None and statement is not None and not mine:
            statement = cache.keep(folder, statement, my_warnings)  # its words left there
        results[index] = (statement, mine, my_warnings)
    problems = [problem for _, found, _ in results for problem in found]
    if problems and not keep_going:
        raise ContentError(problems)
    return Loaded(
        tuple(statement for statement, found, _ in results if statement is not None and not found),
        tuple(warning for _, _, found in results for warning in found),
        tuple(problems),
        tuple(name for name, (statement, found, warned) in zip(names, results, strict=True)
              if statement is None and not found and any(w.draft for w in warned)),
    )


def _is_statement_folder(root: Path, name: str, inside: Path | None, site: Site,
                         found: tuple[list[Problem], list[Problem]], is_dir: bool) -> bool:
    """Whether ``name`` in ``root`` is a statement's folder that can be read: a folder
    (``is_dir``, as its listing says), its name an id, no link out of the project (``inside``;
    None: not looked at here), no name too long; else its (problems, warnings) say why. (Its
    path is made only to be said or followed: an archive's load checks thousands.)"""
    problems, warnings = found
    if not is_dir:
        warnings.append(Problem(printable(root / name), None,
                                "ignored: statements/ holds one folder per statement", True))
        return False
    if not STATEMENT_ID.match(name):
        hidden = [c for c in name if unicodedata.category(c) in ("Cf", "Cc", "Zs")]
        note = f" (it holds the invisible character U+{ord(hidden[0]):04X})" if hidden else ""
        invalid = Problem(printable(root / name), None,
                          f"invalid statement id {name!r}: use lowercase ASCII letters, "
                          "digits and single hyphens, e.g. 2022-11-22-vitorino-iom" + note)
        if _says_draft(root / name):
            warnings.append(invalid.in_draft())
        else:
            problems.append(invalid)
        return False
    return not ((inside is not None and links_outside(root / name, inside, problems))
                or too_long(root, name, site, problems))


def _statement_folders(root: Path, inside: Path) -> list[tuple[str, bool]]:
    """The names in ``statements/``, sorted, each with whether it is a folder (links
    followed; told by the listing itself, not a stat of each); a :class:`ContentError` when it
    is missing, unreadable or a link out of the project (never scanned then)."""
    def fail(message: str) -> ContentError:
        return ContentError([Problem(str(root), None, message)])

    if root.is_symlink() and not real(root).is_relative_to(inside):
        raise fail(f"is a link to {os.readlink(root)}, outside the project: "
                   "statements must be in the project")
    if not root.is_dir():
        raise fail("no statements folder: `syndicate new TITLE` writes the first statement "
                   "(`syndicate init` starts a project)")
    try:
        with os.scandir(root) as listing:
            found = sorted((entry.name, is_folder(entry)) for entry in listing)
    except OSError as exc:
        raise fail(f"cannot read folder: {exc.strerror}") from None
    return found


def _load_all(folders: Sequence[Path], site: Site, jobs: int) -> Iterator[_Result]:
    """Each folder's statement, problems and warnings, in order, as they come (the caller keeps
    what it needs of each: a large archive is never all in memory): in this process, or for
    many folders, when this process may fork (see :func:`syndicate.processes.fork_is_safe`), in
    a process per core. Parsing Markdown is most of a load's time and Python runs it on one core
    (figures: ``benchmarks/notes.md``)."""
    jobs = min(jobs, len(folders) // (PARALLEL_FROM // 2))  # at least 32 statements a process
    if jobs < 2 or not fork_is_safe():
        for folder in folders:
            yield from _load_batch([folder], site)
        return
    batches = [folders[i : i + BATCH] for i in range(0, len(folders), BATCH)]
    # (A fork pool starts its processes before its own thread; one that dies raises here.)
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                             initializer=ignore_interrupts) as pool, interrupts_held():
        for batch in pool.map(functools.partial(_load_batch, site=site), batches):
            yield from batch


def load_one(folder: Path, site: Site) -> Statement | None:
    """The statement of one folder as a load would read it (not cached), or None when it has
    a problem or a warning (a whole load, the publish's, reports them)."""
    if not _is_statement_folder(folder.parent, folder.name, real(folder.parent.parent), site,
                                ([], []), folder.is_dir()):
        return None
    [(statement, problems, warnings)] = _load_batch([folder], site)
    return None if problems or warnings else statement


def _load_batch(folders: Sequence[Path], site: Site) -> list[_Result]:
    results: list[_Result] = []
    for folder in folders:
        problems: list[Problem] = []
        warnings: list[Problem] = []
        results.append((_load_statement(folder, site, problems, warnings), problems, warnings))
    return results


# A top-level `draft: true` line (YAML 1.1's words for true), for a statement.yaml that YAML
# cannot parse: its statement is still a draft, whose problems block nothing.
DRAFT_LINE = re.compile(r"^draft:[ \t]*(?:true|True|TRUE|yes|Yes|YES|on|On|ON)[ \t]*(?:#.*)?$",
                        re.MULTILINE)


def _says_draft(folder: Path) -> bool:
    """Whether the ``statement.yaml`` of a folder that is no statement (e.g. its name is no
    id) says ``draft: true``, as :func:`_load_statement` would read it."""
    reader = SourceFile(folder / SHARED_FILE, [])
    if reader.path.is_symlink() or not reader.path.is_file():
        return False
    text = reader.read_text()
    if text is None:
        return False
    shared = reader.parse_yaml(text, keys(StatementYaml))
    return bool(DRAFT_LINE.search(text)) if shared is None else shared.values.get("draft") is True


def _load_statement(
    folder: Path, site: Site, problems: list[Problem], warnings: list[Problem]
) -> Statement | None:
    """The statement of ``folder``, or None with its problems added to ``problems``; those of
    a draft are added to ``warnings`` instead (see :meth:`Problem.in_draft`)."""
    before, warned = len(problems), len(warnings)
    draft: list[bool] = []  # [True] once statement.yaml says it is a draft
    statement = _read_statement(folder, site, problems, warnings, draft)
    if draft:
        warnings[warned:] = [p.in_draft() for p in (*warnings[warned:], *problems[before:])]
        del problems[before:]
    return statement


@dataclass(frozen=True, slots=True)
class _Folder:
    """A statement folder being read: where its problems and warnings go."""

    path: Path
    site: Site
    problems: list[Problem]
    warnings: list[Problem]

    def file(self, path: Path) -> SourceFile:
        return SourceFile(path, self.problems, warnings=self.warnings)


def _read_statement(
    folder: Path, site: Site, problems: list[Problem], warnings: list[Problem],
    draft_seen: list[bool],
) -> Statement | None:
    where = _Folder(folder, site, problems, warnings)
    before = len(problems)
    shared = _read_shared(where, draft_seen)
    found, untranslated = _read_translations(where, shared.tags if shared else ())
    _placeholders(where, found, draft=bool(draft_seen))
    if len(problems) > before or shared is None or shared.date is None:
        return None
    return _statement(where, shared, found, untranslated)


PLACEHOLDER_LEFT = ("the placeholder of `syndicate new` is still here: write the statement in "
                    "its place")


def _placeholders(where: _Folder, found: dict[str, Translation], draft: bool) -> None:
    """Each translation still holding the text ``syndicate new`` wrote: a warning in a draft,
    an error in a statement to publish (it would be on the site)."""
    for lang, translation in found.items():
        if (line := placeholder_line(translation.source)) is not None:
            file = where.file(where.path / f"{lang}.md")
            (file.warn if draft else file.error)(line, PLACEHOLDER_LEFT)


def _read_shared(where: _Folder, draft_seen: list[bool]) -> StatementYaml | None:
    """``statement.yaml``, checked (None when it cannot be read); ``draft_seen`` gets True
    when it says the statement is a draft (even when it is otherwise broken)."""
    file = where.file(where.path / SHARED_FILE)
    if not os.path.lexists(file.path):
        file.error(None, "missing: every statement needs a statement.yaml with its date")
        return None
    if (text := file.read_text()) is None:
        return None
    mapping = file.parse_yaml(text, keys(StatementYaml))
    if mapping is None:
        if DRAFT_LINE.search(text):
            draft_seen.append(True)
        return None
    shared = read_fields(StatementYaml, file, mapping, where.site)
    if shared.date and shared.updated and shared.updated < shared.date:
        file.error(mapping.lines["updated"], "updated is earlier than date")
    if shared.draft:
        draft_seen.append(True)
    if "original" in mapping.values and shared.original not in where.site.language_codes:
        file.error(mapping.lines["original"],
                   f"original {shared.original!r} is not a configured language")
    return shared


def _read_translations(where: _Folder, shared_tags: tuple[str, ...],
                       ) -> tuple[dict[str, Translation], list[str]]:
    """(each translation without problems, by language; the languages marked untranslated)."""
    configured = where.site.language_codes
    found: dict[str, Translation] = {}
    untranslated: list[str] = []
    for source in sorted(where.path.glob("*.md")):
        if is_dropping(source.name):
            continue
        lang = source.stem
        if lang not in configured:
            where.problems.append(Problem(
                printable(source), None, f"language {lang!r} is not configured in "
                f"syndicate.toml (configured: {', '.join(sorted(configured))})"))
            continue
        translation = _load_translation(source, where, shared_tags)
        if translation == UNTRANSLATED:
            untranslated.append(lang)  # a scaffold waiting for its translator: counts as missing
        elif isinstance(translation, Translation):
            found[lang] = translation
    return found, untranslated


def _statement(where: _Folder, shared: StatementYaml, found: dict[str, Translation],
               untranslated: list[str]) -> Statement | None:
    """The statement of translations read without problems, or None when its original or
    every translation is missing (reported); a warning for each language it lacks."""
    folder, site = where.path, where.site
    if not found:
        where.problems.append(Problem(str(folder), None,
                                      "no translation: add at least one <lang>.md"))
        return None
    if shared.original not in found:
        where.problems.append(Problem(str(folder / f"{shared.original}.md"), None,
                                      f"missing: the original ({shared.original}) of this "
                                      "statement"))
        return None
    for language in site.languages:
        if language.code not in found:
            state = "not translated yet" if language.code in untranslated else "missing translation"
            where.warnings.append(Problem(str(folder / f"{language.code}.md"), None,
                                          f"{state}; published in {', '.join(sorted(found))} "
                                          "only", True))
    assert shared.date is not None
    return Statement(
        id=folder.name,
        date=shared.date,
        updated=shared.updated,
        original=shared.original,
        translations=tuple(found[lang.code] for lang in site.languages if lang.code in found),
        draft=shared.draft,
        embargo=shared.embargo,
        untranslated=tuple(sorted(untranslated)),
    )


UNTRANSLATED = "untranslated"  # what _load_translation says of a scaffold marked so


def _load_translation(path: Path, where: _Folder,
                      shared_tags: tuple[str, ...]) -> Translation | str | None:
    """The translation in ``path``, :data:`UNTRANSLATED`, or None (its problems reported)."""
    reader = where.file(path)
    text = reader.read_text()
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        reader.error(1, no_front_matter(text))
        return None
    front, body, body_line = parts
    reader.offset = 1
    meta = reader.parse_yaml(front, keys(FrontMatter))
    if meta is None:
        return None
    if meta.values.get("untranslated") is True:
        return UNTRANSLATED
    fields = read_fields(FrontMatter, reader, meta, where.site)
    if not body.strip():
        reader.error(body_line, "the statement has no body text")
    if not fields.title or not body.strip():
        return None
    lang, url = path.stem, where.site.page_url(where.path.name, path.stem)
    parsed = _check_body(reader, body, body_line, where)
    return Translation(
        lang=lang,
        title=fields.title,
        summary=fields.summary,
        place=fields.place,
        tags=shared_tags if fields.tags is None else fields.tags,
        words=Text(text, body.strip("\n") + "\n", to_html(body, url, parsed)),
        correction=fields.correction,
        translated_from=fields.translated_from,
    )


def _check_body(reader: SourceFile, body: str, body_line: int, where: _Folder) -> Parsed:
    """The Markdown body parsed once, its problems and warnings reported at their lines."""
    lang = reader.path.stem
    parsed = parse(body)  # once: the checks and the HTML share it
    for line, message in embedded_problems(body, body_line, parsed):  # images: sandbox, alt
        reader.error(line, message)
    for line, message in overload(parsed):  # what the PDF's layout could not do in seconds
        reader.error(body_line + line - 1, message)
    names = reserved_names(where.site, where.path.name, lang)
    for line, message in image_file_problems(where.path, body, body_line, parsed, names):
        reader.error(line, message)  # the image files: there, regular, small, really images
    for line, message in lint(body, where.site.page_url(where.path.name, lang), parsed):
        reader.warn(body_line + line - 1, message)
    return parsed
