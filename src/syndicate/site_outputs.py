"""A publish's site-wide outputs: each language's index pages, the root page, the sitemap and
the feeds. A document whose inputs are unchanged since the previous publish is reused (its key
and entry are in the cache index's ``documents``, see :mod:`syndicate.plan`): an edit
re-renders the index pages that list what it changed, not the archive pages before them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from syndicate import carry, keys, websub
from syndicate import plan as plans
from syndicate.carry import CacheIndex
from syndicate.files import open_regular
from syndicate.manifest import EncodedEntries
from syndicate.model import MULTIPLE_LANGUAGES, Artifact, Entry, Site, Statement
from syndicate.plan import Plan
from syndicate.project import Project
from syndicate.staging import Staging


def render_site(project: Project, statements: list[Statement], pdf_sizes: dict[str, int],
                skip: Collection[str] = ()) -> Iterator[Artifact]:
    """The outputs that depend on every statement: indexes, root, sitemap, feeds (but not the
    feed documents in ``skip``, reused from the previous publish)."""
    from syndicate.render import feeds

    yield from render_site_pages(project, statements)
    yield from feeds.render(project.site, statements, pdf_sizes, skip, project.translations)


def render_site_pages(project: Project, statements: Sequence[Statement],
                      skip: Collection[str] = ()) -> Iterator[Artifact]:
    """The site-wide outputs that need no PDF's size: indexes (but not the index pages in
    ``skip``), the root page, the sitemap (unless its file is in ``skip``: then every file of
    it is, see :func:`sitemap_files`)."""
    from syndicate.render import pages, sitemap

    site = project.site
    page_renderer = pages.PageRenderer(site, project.translations)
    for language in site.languages:
        yield from page_renderer.index(statements, language.code, skip)
    yield from page_renderer.root()
    if site.sitemap_path() not in skip:
        yield from sitemap.render(site, statements)


def sitemap_files(index: CacheIndex, current: Path | None, key: str,
                  site: Site) -> dict[str, Entry]:
    """The current version's sitemap files when its inputs are unchanged (``key``), by path:
    the sitemap, and the numbered sitemaps it lists past the protocol's limits, as the cache
    index records them with that key; none unless each of those it lists is recorded (a
    damaged index may have lost one) and every one is as recorded."""
    paths = {name for name, record in index.documents.items()
             if isinstance(record, dict) and record.get("key") == key}
    parts = len(paths) - 1
    named = {site.sitemap_path(), *map(site.sitemap_part_path, range(1, parts + 1))}
    found = plans.reusable_documents(index, current, dict.fromkeys(paths, key))
    if (current is None or paths != named or len(found) != len(paths)
            or _parts_listed(current / site.sitemap_path()) != parts):
        return {}
    return found


def _parts_listed(path: Path) -> int | None:
    """How many numbered sitemaps the sitemap file at ``path`` lists (a sitemap of pages is
    read no further than its start); None when it cannot be read."""
    from syndicate.render import sitemap

    try:
        with open(open_regular(path, blocking=False), "rb") as file:  # (never a FIFO's wait)
            head = file.read(len(sitemap.INDEX_OPENING))
            if head != sitemap.INDEX_OPENING:
                return 0
            return sitemap.parts_listed(head + file.read())
    except OSError:  # (NotRegularFile among them)
        return None


class _Documents:
    """Site-wide documents with keys: those whose key the cache index has are linked from the
    current version, the others written; their records go to the cache index."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.keys: dict[str, str] = {}  # document path -> hash of its inputs
        self.documents: dict[str, Entry] = {}  # its path -> manifest entry
        self.reused: list[str] = []
        self.rendered: list[str] = []

    def _reuse(self, staging: Staging) -> None:
        for path, entry in self.documents.items():
            staging.reuse(f"{self.plan.current}/{path}", entry)
            self.reused.append(path)

    def _add(self, staging: Staging, artifacts: Iterable[Artifact]) -> None:
        for artifact in artifacts:
            staging.add(artifact)
            self.rendered.append(artifact.path)
            if artifact.path in self.keys:
                self.documents[artifact.path] = staging.entries[-1]

    def index_records(self) -> dict[str, object]:
        """The documents' records in the cache index: by path, its key and entry."""
        return {path: {"key": self.keys[path], "entry": entry.as_json()}
                for path, entry in sorted(self.documents.items())}


class SitePages(_Documents):
    """A publish's index pages, root page and sitemap, rendered and written into ``staging``
    when it is made (the workers meanwhile lay out the communiqués), one at a time; the index
    pages and the sitemap whose inputs are unchanged are taken from the current version
    instead."""

    def __init__(self, plan: Plan, staging: Staging) -> None:
        super().__init__(plan)
        project, published = plan.project, plan.newest
        self.keys = keys.index_page_keys(project, published, plan.since)
        self.documents = plans.reusable_documents(plan.index, plan.current, self.keys)
        sitemap_key = keys.sitemap_key(project, published)
        sitemaps = sitemap_files(plan.index, plan.current, sitemap_key, project.site)
        self.keys.update(dict.fromkeys(sitemaps, sitemap_key))
        self.documents.update(sitemaps)
        self._reuse(staging)
        self._add(staging, self._sitemaps_keyed(
            render_site_pages(project, published, self.documents), sitemap_key))

    def _sitemaps_keyed(self, artifacts: Iterable[Artifact], key: str) -> Iterator[Artifact]:
        """``artifacts``, the sitemap's files among them given its ``key`` as they come (how
        many there are is known once it is written)."""
        for artifact in artifacts:
            if artifact.kind == "sitemap":
                self.keys[artifact.path] = key
            yield artifact


class SiteFeeds(_Documents):
    """A publish's feeds and their archive documents, added to its staging folder once every
    language's communiqué is in it (the feeds give each PDF's size): while the last units
    render, when a communiqué was rendered, not after them."""

    def __init__(self, plan: Plan, previous: Mapping[str, str], staging: Staging,
                 encoded: EncodedEntries) -> None:
        from syndicate.render import feeds  # noqa: F401  (feedgen and lxml load meanwhile)

        super().__init__(plan)
        self.previous, self.staging, self.encoded = previous, staging, encoded
        self._done = False

    def render(self) -> None:
        if self._done:
            return
        self._done = True
        from syndicate.render import feeds

        plan, staging = self.plan, self.staging
        project, published = plan.project, plan.newest
        sizes = _communique_sizes(plan, staging)
        self.keys = keys.feed_keys(project, published, sizes, plan.since)
        self.documents = plans.reusable_documents(plan.index, plan.current, self.keys)
        self._reuse(staging)
        self._add(staging, websub.record_changes(
            project.site, feeds.render(project.site, published, sizes, self.documents,
                                       project.translations),
            self.previous,  # (the feeds' sha256 in the current version)
        ))
        # Usually the workers still render the cards: meanwhile, the manifest's
        # and the cache index's texts of every file so far (about 12,000 at 1,000 statements).
        self.encoded.prepare(staging.entries)


def _communique_sizes(plan: Plan, staging: Staging) -> dict[str, int]:
    """Each one-language communiqué's size, by path: from the staging folder's entries, and
    the carried units' records (see :mod:`syndicate.carry`)."""
    carried = [entry for unit in plan.units
               if unit.kind == "pdf" and (record := plan.carried.get(unit.key)) is not None
               for entry in carry.parsed_or_damaged(record)]
    return {e.path: e.size for e in [*staging.entries, *carried]
            if e.kind == "pdf" and e.lang != MULTIPLE_LANGUAGES}
