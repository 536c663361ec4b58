"""The cache keys: the hash of every input of each unit of rendering and each site-wide document.

A unit's key (see :mod:`syndicate.cache`) is the hash of what every unit of its kind and
language shares (:class:`_KindInputs`: the tool, the site, the kind's templates, the catalogs,
the logo, the fonts) combined with the hash of what is its statement's own
(:func:`statement_parts`, worked out when the statement is parsed and kept with its statement
cache entry, so that a plan hashes again only the statements that changed). The index pages',
sitemap's and feed documents' keys (:func:`index_page_keys`, :func:`sitemap_key`,
:func:`feed_keys`) hash what each shows, or are the current version's where nothing it shows
changed (:class:`Since`). :mod:`syndicate.plan` reuses what has a key the current version has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from syndicate import cache
from syndicate.model import MULTIPLE_LANGUAGES, Statement, index_item
from syndicate.project import Project
from syndicate.render import sitemap
from syndicate.statement_entries import CARD, HASH, ITEM, OWN, PARTS
from syndicate.units import Unit


def keyed_units(project: Project, statements: list[Statement]) -> list[Unit]:
    """Every unit of rendering of ``statements``, each with the hash of its inputs: the hash of
    what all the units of its kind and language share (:class:`_KindInputs`), combined with
    the hash of what is the statement's own (:func:`statement_parts`, kept with a cached
    statement, and the image files it shows)."""
    site, shared_by = project.site, _KindInputs(project)
    units = []
    for statement in statements:
        parts = _parts(project, statement)
        for at, lang in enumerate(statement.languages):
            # A communiqué, card or page shows one translation: editing another language's
            # file re-renders none of them (only the bilingual edition shows them all); nor
            # does replacing an image it does not show.
            mine, card = translation_inputs(project, statement, parts, at), _part(parts, at, CARD)
            if site.pdfs:
                units.append(Unit("pdf", statement, lang, cache.combine(shared_by.pdf[lang], mine)))
            units.append(Unit("card", statement, lang, cache.combine(shared_by.card, card)))
            units.append(Unit("page", statement, lang, cache.combine(shared_by.page[lang], mine)))
        if not site.pdfs:
            continue
        source = statement_source(project, statement)
        for edition in site.statement_editions(statement):
            units.append(Unit("bilingual", statement, MULTIPLE_LANGUAGES, cache.combine(
                shared_by.bilingual, cache.digest(source, edition)), langs=edition))
    return units


def translation_inputs(project: Project, statement: Statement, parts: str, at: int) -> str:
    """The hash of what the ``at``-th translation's communiqué, page and feed entries are
    made of that is the statement's own (given its ``parts``, see :func:`statement_parts`):
    that part, and the image files the translation shows."""
    own = _part(parts, at, OWN)
    if statement.id not in project.images:  # (most statements show none)
        return own
    files = project.images_of(statement, statement.languages[at])
    return cache.digest(own, files) if files else own


def statement_parts(statement: Statement) -> str:
    """The hashes of what the statement's outputs are made of that is its own, as one text
    laid out as :data:`statement_entries.OWN` says: for each translation in order, of its
    communiqué's and page's inputs (:func:`shared_inputs` and :func:`one_language`), its
    card's (:func:`card_inputs`) and its item on the index pages (:func:`model.index_item`);
    then of its entry in the sitemap (:func:`sitemap.shown`). A
    function of the statement alone: the statement cache keeps it with a statement's entry, so
    that a plan hashes none of it again for the statements that did not change."""
    shared = shared_inputs(statement)
    return "".join([
        *(cache.digest(shared, one_language(statement, lang))
          + cache.digest(card_inputs(statement, lang)) + cache.digest(index_item(statement, lang))
          for lang in statement.languages),
        cache.digest(sitemap.shown(statement))])


def _parts(project: Project, statement: Statement) -> str:
    """:func:`statement_parts`, as kept with a cached statement, or made now."""
    return project.parts.get(statement.id) or statement_parts(statement)


def _part(parts: str, at: int, which: int) -> str:
    """The hash ``which`` (:data:`OWN`, :data:`CARD`, :data:`ITEM`, from
    :mod:`syndicate.statement_entries`) of the ``at``-th translation's part of ``parts`` (the
    statement's own, its sitemap entry's, is the last ``HASH`` characters)."""
    start = at * PARTS + which * HASH
    return parts[start : start + HASH]


class _KindInputs:
    """What every unit of one kind (and language) is made of besides its statement: the tool,
    the site, the kind's templates, the interface catalogs it shows, the logo, the fonts."""

    def __init__(self, project: Project) -> None:
        base = cache.digest(cache.code_digest(), project.site)
        fonts = cache.fonts_digest()
        logo = cache.digest(project.logo)
        catalog = {code: cache.catalog_digest(t) for code, t in project.translations.items()}
        pdf, page = cache.template_digest("pdf"), cache.template_digest("page")
        self.pdf = {lang: cache.digest("pdf", base, lang, pdf, digest, logo, fonts)
                    for lang, digest in catalog.items()}
        self.page = {lang: cache.digest("page", base, lang, page, digest)
                     for lang, digest in catalog.items()}
        self.card = cache.digest("card", base, fonts)
        self.bilingual = cache.digest("bilingual", base, pdf, sorted(catalog.items()), logo,
                                      fonts)


def statement_source(project: Project, statement: Statement) -> str:
    """The hash of everything ``statement`` was loaded from: its folder's hash (see
    :attr:`Project.digests`), or when it was not loaded through the cache, of the statement
    itself; and of the image files it shows, if any."""
    loaded = project.digests.get(statement.id) or cache.digest(statement)
    files = project.images_of(statement)
    return cache.digest(loaded, files) if files else loaded


def shared_inputs(statement: Statement) -> str:
    """The hash of the statement's own fields and the list of its languages (the alternates):
    what each language's communiqué and page is made of besides its translation."""
    return cache.digest(
        statement.id, statement.date, statement.updated, statement.original, statement.draft,
        statement.embargo, statement.untranslated, statement.languages,
    )


def one_language(statement: Statement, lang: str) -> tuple[object, ...]:
    """What one language's communiqué and page are made of besides :func:`shared_inputs`:
    that translation (its file's text, from which everything else in it is derived, and its
    tags, which may come from ``statement.yaml``)."""
    translation = statement.translation(lang)
    assert translation is not None
    return lang, translation.tags, translation.source_sha256


def card_inputs(statement: Statement, lang: str) -> tuple[object, ...]:
    """What a social card shows (see :mod:`syndicate.render.cards`): title, date, language."""
    translation = statement.translation(lang)
    assert translation is not None
    return (statement.id, statement.date, lang, translation.title)


def site_key(project: Project) -> str:
    """The hash of what the site-wide outputs (indexes, root, sitemap, feeds) are made of
    besides the units: the tool, the site, the site's templates, the catalogs. (What they show
    of the statements is in the units' keys: a publish whose units are the current version's,
    all of them and no other, under this same key, changes nothing: see Plan.unchanged.)"""
    return cache.digest(
        "site", cache.code_digest(), project.site, cache.template_digest("site"),
        sorted(cache.catalog_digest(t) for t in project.translations.values()),
    )


# The units whose files a translation's entries in the site-wide documents show: a page's key
# hashes everything its feed entry and index item show (:func:`translation_inputs` and
# :func:`statement_parts`), a communiqué's files give the entry's enclosure its size. A new
# input of a feed entry's line (_FeedLines) or an index item (index_page_keys' item) must be in
# one of these units' keys, or a document showing it would keep its key (see Since).
SHOWN_KINDS = frozenset({"page", "pdf"})


def reading_order(statements: Sequence[Statement]) -> str:
    """The hash of which statements a reader sees, in their order (:func:`model.newest_first`,
    as ``statements`` are), and the languages of each: what decides which page of each feed and
    index lists which statements."""
    return cache.digest("\n".join([s.id + " " + " ".join(s.languages) for s in statements]))


def stamps(project: Project, order: str) -> dict[str, str]:
    """What the feed documents' and index pages' keys are made under, by kind: the hash of
    what every document of the kind shows besides its statements, and of the ``order``
    (:func:`reading_order`); kept in the cache index (see :class:`Since`)."""
    return {"feeds": cache.digest(_feed_base(project), order),
            "index": cache.digest(_index_base(project), order)}


@dataclass(frozen=True, slots=True)
class Since:
    """What a publish may take of the current version's feed documents' and index pages' keys:
    a document's recorded key stands when its kind's :func:`stamps` are those it was keyed
    under (the same tool, site, templates and interface words; the same statements in the same
    order, so each document lists the same ones) and none of the translations it shows is
    ``changed``: none has a page or a communiqué not taken from the current version as it is
    (see :data:`SHOWN_KINDS`). The other documents' keys are made again."""

    stamps: Mapping[str, str] = field(default_factory=dict)  # this publish's
    recorded: Mapping[str, object] = field(default_factory=dict)  # the cache index's stamps
    documents: Mapping[str, object] = field(default_factory=dict)  # its records, by path
    changed: AbstractSet[tuple[str, str]] = frozenset()  # (statement id, language)

    def taken(self, kind: str) -> Since | None:
        """This, if the documents of ``kind`` were keyed under this publish's stamp."""
        stamp = self.stamps.get(kind)
        return self if stamp is not None and self.recorded.get(kind) == stamp else None

    def keys(self, paths: Sequence[str],
             shown: Iterable[tuple[Statement, str]]) -> list[str] | None:
        """The recorded keys of the documents at ``paths``, which show the translations
        ``shown`` (each a statement and a language); None if one of those changed or one of the
        documents has no recorded key."""
        changed = self.changed
        if any((statement.id, lang) in changed for statement, lang in shown):
            return None
        found = []
        for path in paths:
            record = self.documents.get(path)
            key = record.get("key") if isinstance(record, dict) else None
            if not isinstance(key, str):
                return None
            found.append(key)
        return found


def feed_keys(project: Project, statements: Sequence[Statement],
              pdf_sizes: dict[str, int], since: Since | None = None) -> dict[str, str]:
    """The hash of each feed document's inputs (see :func:`feeds.document_inputs`): what the
    document depends on, and the hash of its page's entries (each one's statement, language,
    PDF size and :func:`translation_inputs`: an entry shows one translation, as its page does,
    so editing another language's file changes no document of this one's), made once for the
    documents that show that page; the recorded key where ``since`` says it stands."""
    from syndicate.render import feeds

    base, taken = _feed_base(project), since.taken("feeds") if since is not None else None
    lines = _FeedLines(project, pdf_sizes)
    found: dict[str, str] = {}
    for documents, entries in feeds.document_inputs(project.site, statements):
        paths = [path for path, _ in documents]
        recorded = taken.keys(paths, entries) if taken is not None else None
        if recorded is not None:
            found.update(zip(paths, recorded, strict=True))
            continue
        page = cache.digest("".join([lines.line(s, lang) for s, lang in entries]).encode())
        found.update((path, cache.digest(base, inputs, page)) for path, inputs in documents)
    return found


def _feed_base(project: Project) -> str:
    """What every feed document shows besides its entries (the catalogs: a corrected entry's
    content has the correction line in its language)."""
    return cache.digest("feed", cache.code_digest(), project.site, _catalogs(project))


class _FeedLines:
    """Each feed entry's line in its page's hash, by statement id and language: made once for
    every language of a statement when one is asked for (its parts read once), as a language's
    documents and the all-languages ones show the same entries. (What a line shows must be
    in the keys of its translation's units of :data:`SHOWN_KINDS`.)"""

    def __init__(self, project: Project, pdf_sizes: dict[str, int]) -> None:
        self.project, self.pdf_sizes = project, pdf_sizes
        self.made: dict[tuple[str, str], str] = {}

    def line(self, statement: Statement, lang: str) -> str:
        found = self.made.get((statement.id, lang))
        if found is None:
            self._make(statement)
            found = self.made[statement.id, lang]
        return found

    def _make(self, statement: Statement) -> None:
        from syndicate.render import feeds

        project = self.project
        parts = _parts(project, statement)
        for at, lang in enumerate(statement.languages):
            size = feeds.pdf_size(project.site, statement, lang, self.pdf_sizes)
            mine = translation_inputs(project, statement, parts, at)
            # (no id or code holds a space)
            self.made[statement.id, lang] = f"{statement.id} {lang} {size} {mine}\n"


def index_page_keys(project: Project, statements: Sequence[Statement],
                    since: Since | None = None) -> dict[str, str]:
    """The hash of each index page's inputs (see :func:`pages.index_page_inputs`); the
    recorded key where ``since`` says it stands."""
    from syndicate.render.pages import PageRenderer, index_page_inputs

    base, taken = _index_base(project), since.taken("index") if since is not None else None

    def item(statement: Statement, lang: str) -> str:  # (see statement_parts, SHOWN_KINDS)
        return _part(_parts(project, statement), statement.languages.index(lang), ITEM)

    found: dict[str, str] = {}
    renderer = PageRenderer(project.site, project.translations)
    for lang, path, listed, pager in renderer.index_pages(statements):
        recorded = (taken.keys([path], ((s, lang) for s in listed)) if taken is not None
                    else None)
        found[path] = (recorded[0] if recorded is not None
                       else cache.digest(base, index_page_inputs(lang, listed, pager, item)))
    return found


def _index_base(project: Project) -> str:
    """What every index page shows besides its items and its place."""
    return cache.digest("index", cache.code_digest(), project.site,
                        cache.template_digest("site"), _catalogs(project))


def _catalogs(project: Project) -> list[tuple[str, str]]:
    """Each interface catalog's hash, by language code, in order."""
    return sorted((code, cache.catalog_digest(t)) for code, t in project.translations.items())


def sitemap_key(project: Project, statements: Sequence[Statement]) -> str:
    """The hash of the sitemap's inputs (each statement's :func:`sitemap.shown`, by id):
    every file of it."""
    shown = sorted((s.id, _parts(project, s)[-HASH:]) for s in statements)
    return cache.digest("sitemap", cache.code_digest(), project.site, shown)
