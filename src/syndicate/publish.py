"""Orchestration: load everything, render everything, then write it all at once.

Nothing is written until every input has been read and validated and every output rendered;
the output is built in a staging folder beside ``dist/`` and switched in with one atomic rename
(see :mod:`syndicate.output`), so a failure or a kill at any point leaves the previous publish.
"""

from __future__ import annotations

import gettext
import json
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from syndicate import __version__, cache, catalogs, output, websub
from syndicate.assets import image_files, load_logo, read_images
from syndicate.cache import StatementCache
from syndicate.config import LOCALES_DIR, STATEMENTS_DIR, publishing_site
from syndicate.errors import ContentError, Problem
from syndicate.executor import (
    Context,
    Renderers,
    Rendering,
    SchedulerError,
    Unit,
    Workers,
    publish_context,
    run_dask,
    run_local,
)
from syndicate.files import read_regular
from syndicate.i18n import load_translations
from syndicate.model import Artifact, Image, ImageFile, Site, Statement
from syndicate.processes import default_jobs
from syndicate.sources import load_statements
from syndicate.workflow import stale_warnings

BILINGUAL = "mul"  # the manifest's language of the bilingual edition
MANIFEST = output.MANIFEST
_ENTRY_ENCODER = json.JSONEncoder(ensure_ascii=False)  # one, not one per json.dumps call
_INDEX_ENCODER = json.JSONEncoder()  # json.dumps's, as cache.write_json writes


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    site: Site
    statements: tuple[Statement, ...]
    warnings: tuple[Problem, ...]
    translations: dict[str, gettext.NullTranslations]  # by language code
    logo: bytes | None = None  # the issuer's SVG for the communiqués ([pdf] logo)
    # statement id -> hash of everything it was loaded from (when loaded through the cache)
    digests: Mapping[str, str] = field(default_factory=dict)
    # loaded with keep_going: the problems of the statements left out
    problems: tuple[Problem, ...] = ()
    # statement id -> the image files its translations show (see assets.referenced_images)
    images: Mapping[str, tuple[ImageFile, ...]] = field(default_factory=dict)

    def images_of(self, statement: Statement, lang: str | None = None) -> list[ImageFile]:
        """The image files ``statement`` shows in ``lang`` (None: in every language)."""
        return [f for f in self.images.get(statement.id, ()) if lang in (None, f.lang)]

    def with_images(self, unit: Unit, read: dict[tuple[str, str], bytes] | None = None) -> Unit:
        """``unit`` carrying the bytes of the image files its output shows (read now: a
        worker never reads the project). ``read``: the bytes of the files read so far, by
        (statement id, name), shared by the units that show the same file."""
        if unit.kind not in ("pdf", "page", "bilingual"):
            return unit
        files = self.images_of(unit.statement, None if unit.kind == "bilingual" else unit.lang)
        if not files:
            return unit
        read = {} if read is None else read
        statement_id = unit.statement.id
        unread = [f for f in files if (statement_id, f.name) not in read]
        for image in read_images(self.root, statement_id, unread):
            read[statement_id, image.name] = image.data
        return replace(unit, images=tuple(Image(f.lang, f.name, read[statement_id, f.name])
                                          for f in files))

    def statement(self, statement_id: str) -> Statement:
        for statement in self.statements:
            if statement.id == statement_id:
                return statement
        raise ContentError([Problem(str(self.root / STATEMENTS_DIR / statement_id), None,
                                    f"no statement {statement_id!r}")])

    def due(self, now: datetime) -> tuple[list[Statement], list[Statement]]:
        """(published, scheduled): a statement dated or embargoed after ``now``, or a draft,
        is in no output."""
        published = [s for s in self.statements if not s.draft and s.goes_live <= now]
        scheduled = [s for s in self.statements if not s.draft and s.goes_live > now]
        return published, scheduled


@dataclass(frozen=True, slots=True)
class Report:
    out: Path
    files: int
    published: int
    scheduled: int
    languages: int
    rendered: tuple[str, ...] = ()  # paths rendered by this publish (feeds and indexes too)
    reused: tuple[str, ...] = ()  # paths taken unchanged from the previous publish
    removed: tuple[str, ...] = ()  # paths of the previous publish that are gone
    changed: bool = True  # False: nothing changed, the previous publish stays as it was
    problems: tuple[Problem, ...] = ()  # with keep_going: of the statements left out in rendering


def load(root: Path, base_url: str | None = None, pdf_variant: str | None = None,
         cache: bool = False, jobs: int | None = None, keep_going: bool = False) -> Project:
    """Read and validate the whole project; raises ContentError listing every problem (with
    ``keep_going``, a statement's problems leave it out, in :attr:`Project.problems`).

    With ``cache``, statements whose files are unchanged since the last load are taken from
    ``.syndicate-cache/`` instead of being parsed again (see :mod:`syndicate.cache`). Many
    statements to parse are parsed in up to ``jobs`` processes (default: one per core).
    """
    site = publishing_site(root, base_url, pdf_variant)
    logo = load_logo(root, site)
    statement_cache = StatementCache(root) if cache else None
    catalog_problems = list(catalogs.problems(root / LOCALES_DIR, site))
    wrong = [problem for problem in catalog_problems if not problem.warning]  # every statement's
    try:
        loaded = load_statements(root, site, statement_cache, jobs, keep_going)
    except ContentError as exc:
        raise ContentError([*exc.problems, *wrong]) from None
    if wrong:
        raise ContentError(wrong)
    if statement_cache is not None:
        statement_cache.save()
    warnings = drafts_never_block(root, loaded.statements, (
        *loaded.warnings,
        *stale_warnings(root, loaded.statements),
        *(problem for problem in catalog_problems if problem.warning),
    ))
    translations = {
        lang.code: load_translations(root / LOCALES_DIR, lang.locale) for lang in site.languages
    }
    digests = statement_cache.digests if statement_cache is not None else {}
    images = image_files(root, loaded.statements)  # (check has read them; a cached
    # statement's images in a subfolder may have changed since)
    broken = [problem for found in images.problems.values() for problem in found]
    if broken and not keep_going:
        raise ContentError(broken)
    statements = tuple(s for s in loaded.statements if s.id not in images.problems)
    return Project(root, site, statements, warnings, translations, logo, digests,
                   (*loaded.problems, *broken), images.files)


def drafts_never_block(root: Path, statements: Iterable[Statement],
                       warnings: Iterable[Problem]) -> tuple[Problem, ...]:
    """``warnings``, those about a draft's files marked as a draft's (--strict lets them pass:
    a draft is published nowhere)."""
    drafts = [root / STATEMENTS_DIR / s.id for s in statements if s.draft]
    return tuple(
        w.in_draft() if any(Path(w.path).is_relative_to(folder) for folder in drafts) else w
        for w in warnings
    )


def check(root: Path) -> Project:
    """:func:`load`, and what only rendering would find otherwise: a character no installed
    font can draw (the same problem publish's PDF renderer reports)."""
    from syndicate import fonts
    from syndicate.render.pdf import missing_glyph_problems

    project = load(root)
    coverage = fonts.installed()
    if coverage is None:
        return project
    problems = [
        problem
        for statement in project.statements
        for translation in statement.translations
        if (missing := coverage.missing(translation.source))
        for problem in missing_glyph_problems(statement, [translation], missing)
    ]
    if problems:
        raise ContentError(problems)
    return project


def plan(project: Project, statements: list[Statement]) -> list[Unit]:
    """Every unit of rendering of a publish, each with the hash of its inputs."""
    site = project.site
    base = cache.digest(cache.code_digest(), site)
    fonts = cache.fonts_digest()
    logo = cache.digest(project.logo)
    catalog = {code: cache.catalog_digest(t) for code, t in project.translations.items()}
    templates = {kind: cache.template_digest(kind) for kind in ("pdf", "page")}
    units = []
    for statement in statements:
        source = cache.digest(project.digests.get(statement.id) or cache.digest(statement),
                              project.images_of(statement))
        langs = statement.languages
        for lang in langs:
            # A communiqué, card or page shows one translation: editing another language's
            # file re-renders none of them (only the bilingual edition shows them all); nor
            # does replacing an image it does not show.
            mine = cache.digest(one_language(statement, lang), project.images_of(statement, lang))
            units.append(Unit("pdf", statement, lang, cache.digest(
                "pdf", base, mine, lang, templates["pdf"], catalog[lang], logo, fonts)))
            units.append(Unit("card", statement, lang, cache.digest(
                "card", base, card_inputs(statement, lang), fonts)))
            units.append(Unit("page", statement, lang, cache.digest(
                "page", base, mine, lang, templates["page"], catalog[lang])))
        for edition in site.statement_editions(statement):
            units.append(Unit("bilingual", statement, BILINGUAL, cache.digest(
                "bilingual", base, source, edition, templates["pdf"], sorted(catalog.items()),
                logo, fonts), langs=edition))
    return units


def one_language(statement: Statement, lang: str) -> str:
    """The hash of what one language's communiqué and page are made of: the statement's own
    fields, the list of its languages (the alternates) and that translation (its file's text,
    from which everything else in it is derived, and its tags, which may come from
    ``statement.yaml``)."""
    translation = statement.translation(lang)
    assert translation is not None
    return cache.digest(
        statement.id, statement.date, statement.updated, statement.original, statement.draft,
        statement.embargo, statement.untranslated, statement.languages,
        lang, translation.tags, translation.source.encode("utf-8", "surrogatepass"),
    )


def card_inputs(statement: Statement, lang: str) -> tuple[object, ...]:
    """What a social card shows (see :mod:`syndicate.render.cards`): title, date, language."""
    translation = statement.translation(lang)
    assert translation is not None
    return (statement.id, statement.date, lang, translation.title)


def site_key(project: Project, units: list[Unit]) -> str:
    """The hash of the site-wide outputs' inputs (indexes, root, sitemap, feeds): every unit."""
    return cache.digest(
        "site", cache.code_digest(), project.site, cache.template_digest("site"),
        sorted(cache.catalog_digest(t) for t in project.translations.values()),
        cache.keys_digest(u.key for u in units),
    )


def render_site(project: Project, statements: list[Statement], pdf_sizes: dict[str, int],
                skip: Collection[str] = ()) -> Iterator[Artifact]:
    """The outputs that depend on every statement: indexes, root, sitemap, feeds (but not the
    feed documents in ``skip``, reused from the previous publish)."""
    from syndicate.render import feeds

    yield from render_site_pages(project, statements)
    yield from feeds.render(project.site, statements, pdf_sizes, skip, project.translations)


def render_site_pages(project: Project, statements: list[Statement]) -> Iterator[Artifact]:
    """The site-wide outputs that need no PDF's size: indexes, the root page, the sitemap."""
    from syndicate.render import pages, sitemap

    site = project.site
    page_renderer = pages.PageRenderer(site, project.translations)
    for language in site.languages:
        yield page_renderer.index(statements, language.code)
    yield from page_renderer.root()
    yield sitemap.render(site, statements)


def render_all(project: Project, statements: list[Statement]) -> Iterator[Artifact]:
    """Every output of a publish, rendered in this process, nothing reused (PDFs first)."""
    renderers = Renderers(Context(project.site, {}, project.logo))
    renderers.translations = dict(project.translations)
    pdf_sizes: dict[str, int] = {}
    for unit in plan(project, statements):
        for artifact in renderers.render(project.with_images(unit)):
            if artifact.kind == "pdf":
                pdf_sizes[artifact.path] = len(artifact.data)
            yield artifact
    yield from render_site(project, statements, pdf_sizes)


class EncodedEntries:
    """Each file entry's JSON text in the manifest and in the cache index, made once: a
    publish makes them while it waits for its last documents (:meth:`prepare`), not after.

    Entries are never changed once made (the staging folder and the cache index share them).
    """

    def __init__(self) -> None:
        self._texts: dict[int, tuple[dict[str, object], str, str]] = {}

    def prepare(self, entries: Iterable[dict[str, object]]) -> None:
        for entry in entries:
            self._of(entry)

    def manifest(self, entry: dict[str, object]) -> str:
        return self._of(entry)[1]

    def index(self, entry: dict[str, object]) -> str:
        return self._of(entry)[2]

    def _of(self, entry: dict[str, object]) -> tuple[dict[str, object], str, str]:
        texts = self._texts.get(id(entry))
        if texts is None or texts[0] is not entry:  # (an id is unique while its entry lives)
            texts = (entry, _ENTRY_ENCODER.encode(entry), _INDEX_ENCODER.encode(entry))
            self._texts[id(entry)] = texts
        return texts


def manifest(entries: Iterable[dict[str, object]],
             encoded: EncodedEntries | None = None) -> bytes:
    """``manifest.json``: the generator, then one file per line, sorted by path.

    One line per entry keeps the file readable and diffable, and lets the C JSON encoder write
    it (``indent`` falls back to the pure-Python one, 10x slower for 12,000 files).
    """
    files = sorted(entries, key=lambda e: str(e["path"]))
    lines = ",\n    ".join(map((encoded or EncodedEntries()).manifest, files))
    generator = json.dumps(f"syndicate {__version__}", ensure_ascii=False)
    body = f"[\n    {lines}\n  ]" if files else "[]"
    return f'{{\n  "generator": {generator},\n  "files": {body}\n}}\n'.encode()


def index_json(version: str, site_inputs: str, units: Mapping[str, list[dict[str, object]]],
               feeds: dict[str, Any], encoded: EncodedEntries) -> str:
    """The cache index beside the output folder, as ``json.dumps`` writes it, with the file
    entries' texts from ``encoded``."""
    text = _INDEX_ENCODER.encode
    body = ", ".join(f"{text(key)}: [{', '.join(map(encoded.index, entries))}]"
                     for key, entries in units.items())
    return (f'{{"format": {text(cache.FORMAT)}, "version": {text(version)}, '
            f'"site": {text(site_inputs)}, "units": {{{body}}}, "feeds": {text(feeds)}}}')


def check_output_folder(out: Path, project: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not ours."""
    output.check_output_folder(out, project)


def write(artifacts: Iterable[Artifact], out: Path) -> int:
    """Write every artifact and the manifest as a new version, then switch ``out`` to it."""
    return output.write(artifacts, out, manifest)


class Progress(Protocol):
    """Told how a publish advances (see :mod:`syndicate.progress`)."""

    def start(self, total: int, reused: int) -> None: ...

    def advance(self, unit: str) -> None: ...

    def finish(self) -> None: ...


def publish(
    project: Project,
    out: Path,
    now: datetime,
    *,
    jobs: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    progress: Progress | None = None,
    workers: Workers | None = None,
    keep_going: bool = False,
) -> Report:
    """Render what changed since the publish in ``out``, reuse the rest, switch ``out`` to it.

    ``jobs`` processes render locally (default: one per core; 1 renders in this process);
    ``executor="dask"`` renders on the Dask cluster whose scheduler is at ``scheduler``.
    ``workers`` are local workers already started (see :func:`early_workers`). With
    ``keep_going``, statements whose rendering has problems (a character no font has) are left
    out and the others published: the problems are in :attr:`Report.problems`.
    """
    live = {statement.id for statement in project.due(now)[0]}
    if project.problems and not live:  # an empty site is no publish
        raise ContentError(project.problems, "no statement without problems to publish")
    options: dict[str, Any] = {"jobs": jobs, "executor": executor, "scheduler": scheduler,
                               "progress": progress}
    try:
        return _publish(project, out, now, workers=workers, **options)
    except ContentError as error:
        problems = tuple(error.problems)
        left_out = _statements_named(project, problems) if keep_going else set()
        if not left_out or live <= left_out:
            raise
    rest = replace(project, statements=tuple(
        s for s in project.statements if s.id not in left_out))
    return replace(_publish(rest, out, now, **options), problems=problems)


def _statements_named(project: Project, problems: Iterable[Problem]) -> set[str]:
    """The ids of the statements ``problems`` are in, or none if one is in none of them."""
    ids = {s.id for s in project.statements}
    found = set()
    for problem in problems:
        parts = Path(problem.path).parts
        named = {b for a, b in zip(parts, parts[1:], strict=False) if a == STATEMENTS_DIR} & ids
        if len(named) != 1:
            return set()
        found |= named
    return found


def _publish(project: Project, out: Path, now: datetime, *, jobs: int | None,
             executor: str, scheduler: str | None, progress: Progress | None,
             workers: Workers | None = None) -> Report:
    check_output_folder(out, project.root)
    published, scheduled = project.due(now)
    languages = len({t.lang for s in published for t in s.translations})
    units = plan(project, published)
    site_inputs = site_key(project, units)
    with output.publisher_lock(out):
        check_output_folder(out, project.root)  # again, now that no other publish runs
        current = output.current_version(out)
        index = _read_index(out, current)
        reusable = _reusable(index, current, units)
        if (current is not None and len(reusable) == len(units)
                and index.get("site") == site_inputs and _no_pending_feeds(current)):
            output.retire_leftovers(out, current)
            output.empty_trash(out).join()  # as every publish does: nothing waits for the next
            previous_files = {str(entry["path"]) for entry in _manifest_files(current)}
            return Report(out, len(previous_files) + 1, len(published), len(scheduled), languages,
                          reused=tuple(sorted(previous_files)), changed=False)
        cleaner = output.empty_trash(out)  # the versions older publishes retired
        try:
            return _publish_changes(project, out, current, index, units, reusable, site_inputs,
                                    published, scheduled, languages, jobs,
                                    executor, scheduler, progress, workers)
        finally:
            cleaner.join()


def _publish_changes(project: Project, out: Path, current: Path | None, index: dict[str, Any],
                     units: list[Unit], reusable: dict[str, list[dict[str, object]]],
                     site_inputs: str,
                     published: list[Statement], scheduled: list[Statement], languages: int,
                     jobs: int | None, executor: str,
                     scheduler: str | None, progress: Progress | None,
                     workers: Workers | None) -> Report:
    read: dict[tuple[str, str], bytes] = {}  # each image file once, however many show it
    todo = [project.with_images(u, read) for u in units if u.key not in reusable]
    rendered: list[str] = []
    reused: list[str] = []
    kept: dict[str, list[dict[str, object]]] = {}
    with output.Staging(out) as staging:
        assert current is not None or not reusable
        by_name = {unit.name: unit for unit in todo}
        # Workers start on the communiqués now, while this process reads the previous manifest,
        # links the unchanged files and renders the pages (after the share counts are known).
        rendering = _render_units(project, todo, staging, jobs, executor, scheduler, workers)
        counts = (_remember_share_counts(project.root) if any(u.kind == "page" for u in todo)
                  else None)
        previous = _manifest_files(current)
        try:
            links: list[tuple[str, dict[str, object]]] = []
            for unit in units:
                if unit.key in reusable:
                    kept[unit.key] = reusable[unit.key]
                    for entry in reusable[unit.key]:
                        links.append((f"{current}/{entry['path']}", entry))
                        reused.append(str(entry["path"]))
            staging.reuse_all(links)  # a thread links them while this one renders pages
            if progress is not None:
                progress.start(len(todo), len(units) - len(todo))
            site_pages = list(render_site_pages(project, published))  # meanwhile, too
            encoded = EncodedEntries()
            feeds = _SiteFeeds(project, published, index, current, previous, staging, encoded)
            problems = _collect(rendering, by_name, staging, kept, rendered, progress,
                                feeds.render)
        finally:
            rendering.close()
        if problems:  # (an image that cannot publish: once, not once per output showing it)
            raise ContentError(list(dict.fromkeys(problems)))
        for artifact in site_pages:
            staging.add(artifact)
            rendered.append(artifact.path)
        feeds.render()  # (done already if a communiqué was rendered)
        reused.extend(feeds.reused)
        rendered.extend(feeds.rendered)
        name = staging.commit(lambda entries: manifest(entries, encoded))
        cache.write_json_text(output.cache_path(output.absolute(out)), index_json(
            name, site_inputs, kept,
            {path: {"key": feeds.keys[path], "entry": entry}
             for path, entry in sorted(feeds.documents.items())},
            encoded))
    if counts is not None:
        _keep_share_counts(counts)
    files = {str(e["path"]) for e in staging.entries}
    return Report(out, len(files) + 1, len(published), len(scheduled), languages,
                  rendered=tuple(sorted(rendered)), reused=tuple(sorted(reused)),
                  removed=tuple(sorted({str(entry["path"]) for entry in previous} - files)))


SHARE_COUNTS_FILE = "twitter-text.json"  # in .syndicate-cache/
MAX_SHARE_COUNTS = 100_000


def _remember_share_counts(root: Path) -> Path:
    """Give the share snippets twitter-text's answers from earlier publishes (for this code and
    these libraries): pages then count links without importing it. Returns the file."""
    from syndicate.render import share

    path = root / cache.CACHE_DIR / SHARE_COUNTS_FILE
    document = cache.read_json(path)
    if (isinstance(document, dict) and document.get("code") == cache.code_digest()
            and isinstance(document.get("answers"), dict)):
        share.remember(document["answers"])
    return path


def _keep_share_counts(path: Path) -> None:
    """Write every twitter-text answer this process knows to ``path`` if it learned one (only
    the new ones past MAX_SHARE_COUNTS: the file only saves time)."""
    from syndicate.render import share

    if not share.learned():
        return
    answers = share.answers()
    if len(answers) > MAX_SHARE_COUNTS:
        answers = share.learned()
    cache.write_json(path, {"format": cache.FORMAT, "code": cache.code_digest(),
                            "answers": answers})


def _render_units(project: Project, units: list[Unit], staging: output.Staging,
                  jobs: int | None, executor: str, scheduler: str | None,
                  workers: Workers | None = None) -> Rendering:
    if not units:
        return Rendering(iter(()), lambda: None)
    context = publish_context(project.root, project.site, project.logo)
    if executor == "dask":
        if not scheduler:
            raise SchedulerError("--executor dask needs --scheduler tcp://HOST:PORT")
        return run_dask(context, cache.digest(context), units, scheduler, staging.path)
    return run_local(context, units, staging.path, jobs or default_jobs(), workers)


class _SiteFeeds:
    """A publish's feeds and their archive documents, added to its staging folder once every
    language's communiqué is in it (the feeds give each PDF's size): while the last units
    render, when a communiqué was rendered, not after them."""

    def __init__(self, project: Project, published: list[Statement], index: dict[str, Any],
                 current: Path | None, previous: list[dict[str, Any]],
                 staging: output.Staging, encoded: EncodedEntries) -> None:
        from syndicate.render import feeds  # noqa: F401  (feedgen and lxml load meanwhile)

        self.project, self.published, self.index = project, published, index
        self.current, self.previous, self.staging = current, previous, staging
        self.encoded = encoded
        self.keys: dict[str, str] = {}  # feed document path -> hash of its inputs
        self.documents: dict[str, dict[str, object]] = {}  # its path -> manifest entry
        self.reused: list[str] = []
        self.rendered: list[str] = []
        self._done = False

    def render(self) -> None:
        if self._done:
            return
        self._done = True
        from syndicate.render import feeds

        project, published, staging = self.project, self.published, self.staging
        sizes = {str(e["path"]): int(e["size"])  # type: ignore[call-overload]
                 for e in staging.entries if e["kind"] == "pdf" and e["lang"] != BILINGUAL}
        self.keys = _feed_keys(project, published, sizes)
        self.documents = _reusable_feeds(self.index, self.current, self.keys)
        for path, entry in self.documents.items():
            staging.reuse(self.current / path, entry)  # type: ignore[operator]
            self.reused.append(path)
        for artifact in websub.record_changes(
            project.site, feeds.render(project.site, published, sizes, self.documents,
                                       project.translations),
            websub.feed_checksums(self.previous),
        ):
            staging.add(artifact)
            self.rendered.append(artifact.path)
            if artifact.path in self.keys:
                self.documents[artifact.path] = staging.entries[-1]
        # Usually the workers still render the bilingual editions: meanwhile, the manifest's
        # and the cache index's texts of every file so far (about 12,000 at 1,000 statements).
        self.encoded.prepare(staging.entries)


def _collect(rendering: Rendering, by_name: Mapping[str, Unit], staging: output.Staging,
             kept: dict[str, list[dict[str, object]]], rendered: list[str],
             progress: Progress | None, communiques_done: Callable[[], None]) -> list[Problem]:
    """Record every outcome as it finishes; returns the problems (rendering goes on past them,
    so that one run reports them all). Calls ``communiques_done`` once every one-language
    communiqué has been rendered without a problem, if one was to be."""
    problems: list[Problem] = []
    communiques = sum(unit.kind == "pdf" for unit in by_name.values())
    for outcome in rendering:
        unit = by_name[outcome.unit]
        problems.extend(outcome.problems)
        for artifact in outcome.artifacts:  # from a remote worker: bytes to write
            staging.add(artifact)
            outcome.entries.append(staging.entries.pop())
        for entry in outcome.entries:
            staging.written(entry)
        if not outcome.problems:
            kept[unit.key] = list(outcome.entries)
            rendered.extend(str(e["path"]) for e in outcome.entries)
            if unit.kind == "pdf":
                communiques -= 1
                if communiques == 0:
                    communiques_done()
        if progress is not None:
            progress.advance(outcome.unit)
    if progress is not None:
        progress.finish()
    return problems


def _read_index(out: Path, current: Path | None) -> dict[str, Any]:
    """The cache index of the current version (empty when it is not for that version)."""
    if current is None:
        return {}
    index = cache.read_json(output.cache_path(output.absolute(out)))
    if (not isinstance(index, dict) or index.get("format") != cache.FORMAT
            or index.get("version") != current.name or not isinstance(index.get("units"), dict)):
        return {}
    return index


def _reusable(index: dict[str, Any], current: Path | None,
              units: list[Unit]) -> dict[str, list[dict[str, object]]]:
    """The units whose files the current version has, unchanged (checked by size)."""
    found: dict[str, list[dict[str, object]]] = {}
    if current is None:
        return found
    stored = index.get("units", {})
    for unit in units:
        entries = stored.get(unit.key)
        if not isinstance(entries, list) or not entries:
            continue
        try:
            if all(os.stat(f"{current}/{e['path']}").st_size == e["size"] for e in entries):
                found[unit.key] = entries
        except (OSError, KeyError, TypeError):
            continue
    return found


def _feed_keys(project: Project, statements: list[Statement],
               pdf_sizes: dict[str, int]) -> dict[str, str]:
    """The hash of each feed document's inputs (see :func:`feeds.document_inputs`)."""
    from syndicate.render import feeds

    # The catalogs: a corrected entry's content has the correction line in its language.
    base = cache.digest("feed", cache.code_digest(), project.site,
                        sorted((code, cache.catalog_digest(t))
                               for code, t in project.translations.items()))
    by_id = {s.id: s for s in statements}
    sources: dict[str, str] = {}

    def source(statement_id: str) -> str:
        if statement_id not in sources:
            statement = by_id[statement_id]
            sources[statement_id] = cache.digest(
                project.digests.get(statement_id) or cache.digest(statement),
                project.images_of(statement))
        return sources[statement_id]

    return {
        path: cache.digest(base, inputs, [source(statement_id) for statement_id in ids])
        for path, (inputs, ids) in feeds.document_inputs(project.site, statements,
                                                         pdf_sizes).items()
    }


def _reusable_feeds(index: dict[str, Any], current: Path | None,
                       keys: dict[str, str]) -> dict[str, dict[str, object]]:
    """The feed documents of the current version whose inputs are unchanged: by path,
    their manifest entries."""
    found: dict[str, dict[str, object]] = {}
    stored = index.get("feeds")
    if current is None or not isinstance(stored, dict):
        return found
    for path, key in keys.items():
        record: Any = stored.get(path)
        try:
            entry = record["entry"]
            if (record["key"] == key and entry["path"] == path
                    and os.stat(current / path).st_size == entry["size"]):
                found[path] = dict(entry)
        except (OSError, KeyError, TypeError):
            continue
    return found


def _no_pending_feeds(current: Path) -> bool:
    """Whether the current publish's ``websub.json`` (if any) names no changed feed: else a
    publish without changes is still a new publish, one that changed no feed."""
    try:
        return not websub.load_changes(current).feeds
    except websub.PingError:
        return True


def _manifest_files(current: Path | None) -> list[dict[str, Any]]:
    """The file entries of the current version's manifest (empty when it has none)."""
    if current is None:
        return []
    try:
        files = json.loads(read_regular(current / MANIFEST))["files"]
        if isinstance(files, list) and all(isinstance(f, dict) and "path" in f for f in files):
            return files
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return []
