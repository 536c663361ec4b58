"""An edit costs what it changes (issue 26): the same statement edited in a small archive and in
one four times larger renders the same files, counted from the publish's own report (never
timed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import numbered_project
from syndicate import publish as pipeline
from syndicate.backends import InProcess
from syndicate.statement_entries import KeptStatement
from syndicate.units import Unit

NOW = datetime(2026, 11, 28, tzinfo=UTC)
EDITED = "2020-01-01-s"  # the oldest statement: on the oldest archive page at every size


def publish(root: Path) -> pipeline.Report:
    """A publish without PDFs (quick: the counts are of what is rendered and reused)."""
    project = pipeline.load(root, cache=True)
    project = replace(project, site=replace(project.site, pdfs=False))
    return pipeline.publish(project, root / "dist", NOW, backend=InProcess())


def edit_once(root: Path) -> pipeline.Report:
    publish(root)
    source = root / "statements" / EDITED / "en.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        'title: "Statement 1"', 'title: "Retitled"'), encoding="utf-8")
    return publish(root)


def test_an_edit_renders_the_same_files_in_an_archive_four_times_larger(tmp_path: Path) -> None:
    small = edit_once(numbered_project(tmp_path / "small", 20, limit=5))
    large = edit_once(numbered_project(tmp_path / "large", 80, limit=5))
    assert small.rendered == large.rendered  # the very same paths
    assert len(large.reused) > 3 * len(small.reused)  # the rest is taken as it was
    # What shows the retitled English translation: its page, share file and card, the English
    # archive page listing it; the feeds' archive documents holding its English entry (an
    # entry's key is its translation's: the Portuguese documents are kept); the root page and
    # the files it links to (the sitemap lists no title: it is kept).
    assert set(large.rendered) == {
        f"en/{EDITED}/index.html", f"en/{EDITED}/share.json", f"en/{EDITED}/card.png",
        "en/archive/1.html", "en/archive/1.atom", "en/archive/1.rss", "archive/1.atom",
        "index.html", "robots.txt", "assets/site.css"}
    assert {"sitemap.xml", "pt/archive/1.atom", "pt/archive/1.rss"} <= set(large.reused)


def decoded_by_an_edit(root: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The statements from the statement cache whose translations an edit's publish decoded
    (see KeptStatement): the ids."""
    publish(root)
    decoded: set[str] = set()
    decode = KeptStatement.__getattr__

    def counted(self: KeptStatement, name: str) -> object:
        if name == "translations":
            decoded.add(self.id)
        return decode(self, name)

    with monkeypatch.context() as patched:
        patched.setattr(KeptStatement, "__getattr__", counted)
        assert f"en/{EDITED}/index.html" in edit_once_more(root).rendered
    return decoded


def edit_once_more(root: Path) -> pipeline.Report:
    source = root / "statements" / EDITED / "en.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more line.\n",
                      encoding="utf-8")
    return publish(root)


def test_an_edit_decodes_the_translations_of_the_statements_it_shows_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statements an edit's plan keys but does not show keep their translations
    undecoded: at every size, only the edited one (as it is parsed again) and those beside it
    on its feeds' archive page, the oldest five, are decoded, to render that page's
    documents."""
    small = decoded_by_an_edit(numbered_project(tmp_path / "small", 20, limit=5), monkeypatch)
    large = decoded_by_an_edit(numbered_project(tmp_path / "large", 80, limit=5), monkeypatch)
    assert small == large == {f"2020-01-{day:02d}-s" for day in range(1, 6)}


def test_serves_backend_hands_many_documents_to_workers_and_renders_the_same(
    tmp_path: Path
) -> None:
    from syndicate.backends import Resident
    from syndicate.keys import keyed_units
    from syndicate.pool import GROW_AFTER
    from syndicate.staging import Staging

    root = numbered_project(tmp_path / "project", 3, limit=5)
    project = pipeline.load(root)
    units = [u for u in keyed_units(project, list(project.statements)) if u.kind == "card"]
    few, many = units[:2], units * (GROW_AFTER // len(units) + 1)
    backend = Resident(jobs=2)

    def ready(unit: Unit) -> Unit:
        return project.with_images(unit.in_memory())

    try:
        with Staging(root / "dist") as staging:
            alone = {o.unit: o.entries for o in backend.render(project.context(), few,
                                                               staging.path, ready)}
            assert backend._pool is None  # two cards: in this process
            pooled = {o.unit: o.entries for o in backend.render(project.context(), many,
                                                                staging.path, ready)}
            assert backend._pool is not None  # more than GROW_AFTER: the workers
    finally:
        backend.close()
    assert {unit: pooled[unit] for unit in alone} == alone  # the same files, byte for byte
