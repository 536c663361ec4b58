"""Incremental publish: what is rendered, reused and removed (never how long it takes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import SHIPPED_ID
from syndicate import answers, cache
from syndicate import publish as pipeline
from syndicate.backends import InProcess, LocalPool
from syndicate.manifest import files_of, manifest
from syndicate.output import current_version

NOW = datetime(2026, 11, 28, tzinfo=UTC)
SECOND_ID = "2023-01-10-second-statement"
# Outputs that depend on every statement: re-rendered whenever anything changed.
SITE_FILES = {
    "index.html", "assets/site.css", "sitemap.xml", "robots.txt", "pt/index.html", "en/index.html",
}


def outputs_of(statement_id: str) -> set[str]:
    """Every file of one bilingual statement (communiqués, previews, cards, pages, shares)."""
    files = {f"{statement_id}-bilingual.pdf", f"{statement_id}-bilingual.png"}
    for lang in ("pt", "en"):
        folder = f"{lang}/{statement_id}"
        files |= {
            f"{folder}/{statement_id}-{lang}.pdf", f"{folder}/{statement_id}-{lang}.png",
            f"{folder}/index.html", f"{folder}/share.json", f"{folder}/card.png",
        }
    return files


def is_site_file(path: str) -> bool:
    return path in SITE_FILES or "feed" in path or path == "websub.json"


@pytest.fixture
def two(project: Path) -> Path:
    """The shipped project with a second statement."""
    shutil.copytree(project / "statements" / SHIPPED_ID, project / "statements" / SECOND_ID)
    (project / "statements" / SECOND_ID / "statement.yaml").write_text(
        "date: 2023-01-10\noriginal: pt\n", encoding="utf-8"
    )
    return project


def publish(root: Path, **options: object) -> pipeline.Report:
    return pipeline.publish(pipeline.load(root, cache=True), root / "dist", NOW,
                            backend=InProcess(), **options)  # type: ignore[arg-type]


def statement_files(paths: tuple[str, ...]) -> set[str]:
    return {p for p in paths if not is_site_file(p)}


def test_outputs_of_matches_a_full_publish(two: Path) -> None:
    first = publish(two)
    assert first.reused == () and first.removed == ()
    assert statement_files(first.rendered) == outputs_of(SHIPPED_ID) | outputs_of(SECOND_ID)
    assert SITE_FILES <= set(first.rendered)


def test_no_op_publish_renders_nothing_and_keeps_the_version(two: Path, run) -> None:  # type: ignore[no-untyped-def]
    publish(two)
    version = current_version(two / "dist")
    result = run("publish", "--project", two, "--now", NOW.isoformat())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Nothing changed:")
    assert current_version(two / "dist") == version
    again = publish(two)
    assert not again.changed and again.rendered == () and again.removed == ()


def language_outputs(statement_id: str, lang: str, card: bool = False) -> set[str]:
    """What one translation's edit re-renders: its communiqué, page and share file, the
    bilingual edition, and its card only when what the card shows (the title) changed."""
    folder = f"{lang}/{statement_id}"
    files = {f"{statement_id}-bilingual.pdf", f"{statement_id}-bilingual.png",
             f"{folder}/{statement_id}-{lang}.pdf", f"{folder}/{statement_id}-{lang}.png",
             f"{folder}/index.html", f"{folder}/share.json"}
    return files | ({f"{folder}/card.png"} if card else set())


def test_editing_one_translation_renders_exactly_its_outputs(two: Path) -> None:
    publish(two)
    path = two / "statements" / SECOND_ID / "en.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nOne more sentence.\n", encoding="utf-8")
    report = publish(two)
    assert statement_files(report.rendered) == language_outputs(SECOND_ID, "en")
    # The index pages list titles, summaries and dates, the sitemap pages and when each last
    # changed (its `updated`): a body's edit leaves them as they were. A feed entry shows one
    # translation: the Portuguese feeds too.
    kept = {"pt/index.html", "en/index.html", "sitemap.xml", "pt/feed.rss", "pt/feed.atom",
            "pt/feed.json"}
    assert set(report.reused) == (outputs_of(SHIPPED_ID) | outputs_of(SECOND_ID)
                                  - language_outputs(SECOND_ID, "en")) | kept
    assert SITE_FILES - kept <= set(report.rendered)
    assert report.removed == ()
    # A new title is on the card too.
    path.write_text(text.replace('title: "', 'title: "Updated: ', 1), encoding="utf-8")
    report = publish(two)
    assert statement_files(report.rendered) == language_outputs(SECOND_ID, "en", card=True)


def test_a_republish_writes_its_manifest_as_a_full_listing_and_its_index_a_unit_a_line(
        two: Path) -> None:
    # (the kept files' manifest lines and unit records are carried as text: syndicate.carry)
    publish(two)
    path = two / "statements" / SECOND_ID / "en.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more.\n", encoding="utf-8")
    publish(two)
    index = (two / ".dist.cache.json").read_text(encoding="ascii")
    document = json.loads(index)  # (all but its units on the first line, then one per line)
    units = document.pop("units")
    assert len(units) == 14
    assert index.split("\n") == [
        json.dumps(document)[:-1] + ', "units": {',
        *(f"{json.dumps(key)}: {json.dumps(records)}{',' if number < 13 else ''}"
          for number, (key, records) in enumerate(units.items())),
        "}}"]
    written = (two / "dist" / "manifest.json").read_bytes()
    entries = files_of(json.loads(written))
    assert entries is not None and written == manifest(entries)


def test_editing_a_statements_shared_fields_renders_all_its_outputs(two: Path) -> None:
    publish(two)
    path = two / "statements" / SECOND_ID / "statement.yaml"
    path.write_text("date: 2023-01-11\noriginal: pt\n", encoding="utf-8")
    report = publish(two)
    assert statement_files(report.rendered) == outputs_of(SECOND_ID)
    assert set(report.reused) == outputs_of(SHIPPED_ID)


def test_a_pdf_template_change_renders_the_pdfs_only(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(two)
    original = cache.template_digest
    monkeypatch.setattr(
        cache, "template_digest",
        lambda kind: original(kind) + ("-new letterhead" if kind == "pdf" else ""),
    )
    report = publish(two)
    pdfs = {p for p in outputs_of(SHIPPED_ID) | outputs_of(SECOND_ID)
            if p.endswith((".pdf", "-pt.png", "-en.png", "-bilingual.png"))}
    assert statement_files(report.rendered) == pdfs
    # The PDFs came out the same size, so the feeds' inputs are unchanged: they are reused too.
    feeds = {f"{lang}/feed.{fmt}" for lang in ("pt", "en") for fmt in ("rss", "atom", "json")}
    assert set(report.reused) == ((outputs_of(SHIPPED_ID) | outputs_of(SECOND_ID)) - pdfs
                                  | feeds | {"feed.atom", "pt/index.html", "en/index.html",
                                             "sitemap.xml"})


def test_a_page_template_change_renders_the_pages_only(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(two)
    original = cache.template_digest
    monkeypatch.setattr(
        cache, "template_digest", lambda kind: original(kind) + ("x" if kind == "page" else "")
    )
    report = publish(two)
    pages = {p for p in outputs_of(SHIPPED_ID) | outputs_of(SECOND_ID)
             if p.endswith(("index.html", "share.json"))}
    assert statement_files(report.rendered) == pages


def test_a_removed_statement_is_removed(two: Path, run) -> None:  # type: ignore[no-untyped-def]
    publish(two)
    shutil.rmtree(two / "statements" / SECOND_ID)
    result = run("publish", "--project", two, "--now", NOW.isoformat())
    assert result.exit_code == 0, result.output
    assert "removed " in result.stdout
    report = publish(two)
    assert not report.changed
    dist = two / "dist"
    assert not any((dist / p).exists() for p in outputs_of(SECOND_ID))
    assert all((dist / p).is_file() for p in outputs_of(SHIPPED_ID))


def test_removed_files_are_reported(two: Path) -> None:
    publish(two)
    shutil.rmtree(two / "statements" / SECOND_ID)
    report = publish(two)
    assert statement_files(report.removed) == outputs_of(SECOND_ID)
    assert statement_files(report.rendered) == set()
    assert set(report.reused) == outputs_of(SHIPPED_ID)


def test_the_cache_index_lists_every_file_of_its_version_as_the_manifest_does(
    two: Path,
) -> None:
    """What a publish needs of the current version (every path, each feed's sha256) is read
    from the cache index it parses anyway, not from the manifest: the same, after a full
    publish and after an edit that also renders a site-wide document."""
    from syndicate import plan as plans

    def both() -> tuple[plans.Published, plans.Published]:
        current = current_version(two / "dist")
        index = plans.read_index(two / "dist", current)
        return plans.published(current), plans.published(current, index)

    publish(two)
    for _ in range(2):
        from_manifest, from_index = both()
        assert from_index == from_manifest and len(from_manifest.paths) > 30
        assert from_manifest.feeds and set(from_manifest.feeds) < from_manifest.paths
        source = two / "statements" / SECOND_ID / "en.md"
        source.write_text(source.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                          encoding="utf-8")
        assert publish(two).changed
    current = current_version(two / "dist")
    expected = both()[0]
    away = two / "manifest.json"  # (the index alone answers: the manifest is not read)
    (current / "manifest.json").rename(away)
    try:
        assert both() == (plans.Published(), expected)
    finally:
        away.rename(current / "manifest.json")
    index = two / ".dist.cache.json"  # an index without the others' list: the manifest read
    document = json.loads(index.read_text(encoding="utf-8"))
    others = document.pop("others")
    index.write_text(json.dumps(document), encoding="utf-8")
    assert both()[1] == both()[0] == expected
    next(iter(document["units"].values()))[0]["path"] = 7  # a record not well formed: the same
    index.write_text(json.dumps({**document, "others": others}), encoding="utf-8")
    assert both()[1] == both()[0] == expected


def test_a_plan_keeps_of_the_cache_index_only_what_the_publish_uses(two: Path) -> None:
    """The current version's listing and the reusable units' files are taken from the cache
    index while planning; its records of every file (hundreds of thousands in an archive) are
    not kept to the end of the publish. The units' files are carried over as the current
    manifest's lines, unparsed: the plan lists, as what may be replaced, the other paths."""
    from syndicate import plan as plans

    publish(two)
    current = current_version(two / "dist")
    listed = plans.published(current, plans.read_index(two / "dist", current))
    plan = plans.make(pipeline.load(two, cache=True), two / "dist", NOW)
    assert plan.current_paths() == listed.paths and len(listed.paths) > 30
    assert plan.previous.feeds == listed.feeds and plan.kept is not None
    assert len(plan.carried) == len(plan.units)  # (nothing changed: every unit's files)
    assert not plan.reusable and not set(plan.kept.paths) & plan.previous.paths
    assert {"index.html", "sitemap.xml", "en/feed.atom"} <= plan.previous.paths
    assert not plan.index.units and plan.index.others is None
    assert plan.index.documents  # (the site-wide documents' records are checked later)


def test_a_scheduled_statement_going_live_is_rendered(two: Path) -> None:
    (two / "statements" / SECOND_ID / "statement.yaml").write_text(
        "date: 2027-01-10\noriginal: pt\n", encoding="utf-8"
    )
    publish(two)
    later = pipeline.publish(pipeline.load(two, cache=True), two / "dist",
                             datetime(2027, 2, 1, tzinfo=UTC), backend=InProcess())
    assert statement_files(later.rendered) == outputs_of(SECOND_ID)


def test_a_deleted_cache_means_a_full_publish_with_the_same_bytes(two: Path) -> None:
    publish(two)
    before = (two / "dist" / "manifest.json").read_bytes()
    (two / ".dist.cache.json").unlink()
    shutil.rmtree(two / cache.CACHE_DIR)
    report = publish(two)
    assert report.reused == () and statement_files(report.rendered) == (
        outputs_of(SHIPPED_ID) | outputs_of(SECOND_ID)
    )
    assert (two / "dist" / "manifest.json").read_bytes() == before


def test_a_no_op_publish_does_not_import_a_renderer(project: Path) -> None:
    command = [sys.executable, "-X", "importtime", "-m", "syndicate", "publish",
               "--project", str(project), "--now", NOW.isoformat()]
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    assert first.stdout.startswith("Published ")
    result = subprocess.run(command, capture_output=True, text=True, check=True,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.stdout.startswith("Nothing changed:"), result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert {"weasyprint", "pypdfium2", "feedgen", "PIL"}.isdisjoint(imported)


def test_progress_shows_a_bar_on_a_terminal_and_units_when_verbose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from syndicate.progress import Progress

    bar = Progress(tty=True)
    bar.start(3, 1)
    for unit in ("pdf:a:en", "card:a:en", "page:a:en"):
        bar.advance(unit)
    bar.finish()
    verbose = Progress(verbose=True, tty=False)
    verbose.start(1, 0)
    verbose.advance("pdf:a:pt")
    verbose.finish()
    Progress(quiet=True).start(5, 0)
    captured = capsys.readouterr()
    assert "Rendering (1 reused)" in captured.err
    assert captured.out == "Rendering 1 unit(s), 0 reused\nrendered pdf:a:pt\n"


def test_workers_start_early_only_when_an_input_is_newer_than_the_last_publish(
    project: Path,
) -> None:
    from syndicate.inputs import Options, Scanning, rows
    from syndicate.pool import early_workers
    from syndicate.walk import EDIT_UNITS, STATEMENT_CARDS, STATEMENT_UNITS, expected_units

    dist = project / "dist"
    assert expected_units(project, dist) is None  # never published: anything may render
    publish(project)
    assert expected_units(project, dist) == 0
    assert early_workers(2, (str(project), None, None), 0) is None  # a no-op: none
    folder = project / "statements" / SHIPPED_ID
    later = (project / ".dist.cache.json").stat().st_mtime_ns + 1_000_000_000

    def touch(path: Path) -> None:
        os.utime(path, ns=(later, later))

    def expected(pdfs: bool = True) -> int | None:  # (as the publish's scan sees it too)
        found = expected_units(project, dist, pdfs=pdfs)
        assert expected_units(project, dist, rows(project), pdfs) == found
        scanning = Scanning(project, Options(None, None, pdfs), None, dist, None)
        assert scanning.first().expected == found
        return found

    touch(folder / "pt.md")
    assert expected() == EDIT_UNITS  # one translation edited
    assert expected(pdfs=False) == 0  # without PDFs: its card only if its title changed
    assert early_workers(2, (str(project), None, None), 0) is None
    assert early_workers(1, (str(project), None, None), EDIT_UNITS) is None  # one job
    touch(folder / "statement.yaml")
    assert expected() == STATEMENT_UNITS  # its shared fields too
    assert expected(pdfs=False) == STATEMENT_CARDS
    added = project / "statements" / "2030-01-01-added"
    shutil.copytree(folder, added)
    for path in [added, *added.iterdir()]:
        touch(path)
    assert expected() == 2 * STATEMENT_UNITS  # and a new statement
    catalog = next((project / "locales").rglob("*.po"))
    touch(catalog)
    assert expected() is None  # a catalog: any page or PDF may change


def test_one_early_worker_is_joined_by_another_only_for_much_work(two: Path) -> None:
    """An edit's early worker leaves the publishing process a core; a publish that turns out to
    render much more (here 10 documents for WeasyPrint) adds workers. The bytes are those of
    publishes without early workers."""
    project = two
    reference = project.parent / "reference"
    shutil.copytree(project, reference)

    def edit(root: Path) -> None:
        source = root / "statements" / SHIPPED_ID / "pt.md"
        source.write_text(source.read_text(encoding="utf-8") + "\nMais uma frase.\n",
                          encoding="utf-8")

    def same_as_reference() -> bool:
        publish_locally(reference)
        return ((project / "dist" / "manifest.json").read_bytes()
                == (reference / "dist" / "manifest.json").read_bytes())

    report, processes = publish_with_workers(project, "spawn", early=1)
    assert report.reused == () and len(processes) == 2  # everything to render: one added
    assert same_as_reference()
    edit(project)
    edit(reference)
    report, processes = publish_with_workers(project, "spawn", early=1)
    assert len(processes) == 1  # two documents: the early worker alone
    assert f"{SHIPPED_ID}-bilingual.pdf" in report.rendered
    assert same_as_reference()


@pytest.mark.usefixtures("forkable")
def test_early_workers_fork_only_a_process_running_no_other_thread() -> None:
    from syndicate.pool import _quickest_start

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _quickest_start() == "spawn"  # a forked child could inherit a held lock
    finally:
        stop.set()
        thread.join()
    assert _quickest_start() == "fork"


def publish_with_workers(root: Path, start: str, early: int = 2,
                         ) -> tuple[pipeline.Report, list[Any]]:
    """A publish with two jobs given ``early`` workers started beforehand (forked or spawned):
    (its report, every worker process it had)."""
    from syndicate.pool import Workers

    workers = Workers(early, start, (str(root), None, None))
    try:
        with LocalPool(2, workers=workers) as backend:
            report = pipeline.publish(pipeline.load(root, cache=True), root / "dist", NOW,
                                      backend=backend)
    finally:
        processes = workers.processes()
        workers.abandon()
    return report, processes


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_early_workers_publish_the_same_bytes_and_stop_when_unused(
    project: Path, start: str, request: pytest.FixtureRequest,
) -> None:
    if start == "fork":
        request.getfixturevalue("forkable")
    reference = project.parent / "reference"
    shutil.copytree(project, reference)
    publish_locally(reference)
    report, processes = publish_with_workers(project, start)
    assert report.changed and report.reused == ()
    assert ((project / "dist" / "manifest.json").read_bytes()
            == (reference / "dist" / "manifest.json").read_bytes())
    # Workers given to a publish that renders nothing (a no-op) are stopped, not waited for.
    again, idle = publish_with_workers(project, start)
    assert not again.changed
    for process in processes + idle:
        process.join(10)
        assert not process.is_alive()


def test_a_no_op_publish_removes_what_a_killed_publish_left(project: Path) -> None:
    from syndicate.output import STAGING_PREFIX, trash_dir, versions_dir

    publish(project)
    leftover = versions_dir(project / "dist") / f"{STAGING_PREFIX}killed"
    (leftover / "en").mkdir(parents=True)
    (leftover / "en" / "index.html").write_text("half a publish", encoding="utf-8")
    report = publish(project)
    assert not report.changed
    assert [e.name for e in versions_dir(project / "dist").iterdir()] == [
        current_version(project / "dist").name]  # type: ignore[union-attr]
    assert list(trash_dir(project / "dist").iterdir()) == []  # and emptied, with the trash


def test_an_edit_republishes_without_importing_twitter_text(project: Path) -> None:
    """The share snippets count links with twitter-text's answers kept from the last publish;
    a page whose links were seen before asks nothing new, and the bytes are the same."""
    command = [sys.executable, "-X", "importtime", "-m", "syndicate", "publish",
               "--project", str(project), "--now", NOW.isoformat(), "--jobs", "1"]
    subprocess.run(command, capture_output=True, text=True, check=True)
    kept = project / cache.CACHE_DIR / answers.FOLDER
    assert any(kept.glob("*.json"))
    source = project / "statements" / SHIPPED_ID / "pt.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nMais uma frase.\n",
                      encoding="utf-8")
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert result.stdout.startswith("Published "), result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert "weasyprint" in imported and "twitter_text" not in imported
    with_answers = (project / "dist" / "manifest.json").read_bytes()
    # The same edit published without the kept answers: the same files.
    (project / ".dist.cache.json").unlink()
    shutil.rmtree(project / cache.CACHE_DIR)
    subprocess.run(command, capture_output=True, text=True, check=True)
    assert (project / "dist" / "manifest.json").read_bytes() == with_answers


# An edit published in a process that then names the modules it imported of those asked for.
EDIT_AND_LIST = """
import sys
from syndicate.cli import main
watched = set(sys.argv[3:])
sys.argv = ["syndicate", "publish", "--project", sys.argv[1], "--now", sys.argv[2], "-q",
            "--jobs", "2", "--without-pdf"]
try:
    main()
except SystemExit as end:
    assert not end.code, end.code
print(" ".join(sorted(watched & sys.modules.keys())))
"""


def test_an_edit_s_own_process_imports_neither_weasyprint_nor_http(project: Path) -> None:
    """The workers lay out the documents, and the publishing process speaks no HTTP (ping
    aside): an edit's own process imports neither WeasyPrint nor ``urllib.request`` (which
    the sitemap's escaping once brought in, through ``xml.sax.saxutils``)."""
    watched = ["weasyprint", "urllib.request", "http.client", "ssl", "xml.sax.saxutils"]
    command = [sys.executable, "-c", EDIT_AND_LIST, str(project), NOW.isoformat(), *watched]
    subprocess.run(command, capture_output=True, text=True, check=True)  # (everything new)
    source = project / "statements" / SHIPPED_ID / "en.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                      encoding="utf-8")
    edit = subprocess.run(command, capture_output=True, text=True, check=True)
    assert edit.stdout.strip() == ""
    probe = [sys.executable, "-c", "import sys, xml.sax.saxutils; print(sys.modules.keys()"
             " >= {'urllib.request', 'http.client'})"]
    assert subprocess.run(probe, capture_output=True, text=True).stdout.strip() == "True"


@pytest.mark.parametrize("base_url", [None, "https://mirror.example.net/press/"])
def test_an_early_worker_builds_the_very_renderers_its_publish_asks_for(
    project: Path, base_url: str | None,
) -> None:
    """An early worker, given the project's folder and the publish's options, reads the same
    files: its renderers are kept under the key the publish's units carry, so the first unit
    uses them. A project it cannot read leaves it nothing, and no error."""
    from syndicate import pool

    loaded = pipeline.load(project, base_url, "pdf/ua-1")
    key, blob = loaded.context().pickled()
    try:
        pool._warm_renderers(str(project), base_url, "pdf/ua-1")
        assert pool.WARM.keys() == [key]
        warm = pool.WARM.get(key, blob)  # the warmed renderers, not new ones
        assert warm._pdf is not None and warm.site == loaded.site
        pool._warm_renderers(str(project), base_url, None)  # another variant: another key
        assert pool.WARM.keys() != [key]
        (project / "syndicate.toml").write_text("[broken", encoding="utf-8")
        pool._warm_renderers(str(project), base_url, "pdf/ua-1")
        assert not pool.WARM
    finally:
        pool.WARM.clear()


def publish_locally(root: Path) -> pipeline.Report:
    """A publish with two local worker processes, none started early."""
    with LocalPool(2) as backend:
        return pipeline.publish(pipeline.load(root, cache=True), root / "dist", NOW,
                                backend=backend)
