"""A publish whose inputs are all as the last publish recorded them says so without loading
the project (syndicate.inputs); any change, and anything it cannot trust, goes the whole way."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from conftest import SHIPPED_ID
from syndicate import cache, inputs, websub
from syndicate import project as projects

NOW = "2026-11-28T12:00:00+00:00"
HOUR_AGO = time.time() - 3600


def settle(root: Path) -> None:
    """Every input file and folder last modified an hour ago, as a project's files are between
    edits (one modified just before a publish is not trusted to stay: see inputs.SETTLE_NS)."""
    for folder, folders, names in os.walk(root):
        if "dist" in Path(folder).relative_to(root).parts[:1]:
            continue
        for name in [*names, *folders]:
            os.utime(Path(folder) / name, (HOUR_AGO, HOUR_AGO), follow_symlinks=False)


def publish(run: Callable[..., Result], root: Path, *options: str) -> Result:
    return run("publish", "--project", root, "--now", NOW, "--without-pdf", *options)


@pytest.fixture
def published(project: Path, run: Callable[..., Result]) -> Path:
    """The shipped project published from settled files (its inputs recorded)."""
    settle(project)
    result = publish(run, project)
    assert result.exit_code == 0 and result.stdout.startswith("Published "), result.output
    assert (project / ".dist.inputs.json").is_file()
    return project


def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The projects the publishes load from now on (the whole way), as they do."""
    loaded: list[Path] = []
    load = projects.load

    def spy(root: Path, *args: object, **kwargs: object) -> projects.Project:
        loaded.append(root)
        return load(root, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(projects, "load", spy)
    return loaded


def test_a_publish_with_no_input_changed_loads_nothing_and_says_what_the_last_said(
        published: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = (published / "dist" / "manifest.json").read_bytes()
    version = os.readlink(published / "dist")
    first = publish(run, published, "--full")  # the whole way, to compare with
    loaded = loads(monkeypatch)
    second = publish(run, published)
    assert second.exit_code == 0 and loaded == [], second.output
    assert second.stdout == first.stdout
    assert second.stdout.startswith("Nothing changed: ") and "1 statement(s)" in second.stdout
    assert os.readlink(published / "dist") == version
    assert (published / "dist" / "manifest.json").read_bytes() == manifest


def edit_translation(root: Path) -> None:
    path = root / "statements" / SHIPPED_ID / "en.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")


def copy_statement(root: Path, name: str, shared: str) -> None:
    """A copy of the shipped statement as ``name``, with ``shared`` as its statement.yaml,
    its files settled."""
    copy = root / "statements" / name
    shutil.copytree(root / "statements" / SHIPPED_ID, copy)
    (copy / "statement.yaml").write_text(shared, "utf-8")
    settle(root)


def add_statement(root: Path) -> None:
    copy_statement(root, "2023-01-10-second", "date: 2023-01-10\noriginal: pt\n")


def remove_translation_file(root: Path) -> None:
    (root / "statements" / SHIPPED_ID / "en.md").rename(root / "en.md.away")


def touch_config(root: Path) -> None:
    os.utime(root / "syndicate.toml", (HOUR_AGO + 60, HOUR_AGO + 60))


def add_catalog_file(root: Path) -> None:
    (root / "locales" / "README").write_text("notes\n", "utf-8")
    settle(root)


def replace_manifest(root: Path) -> None:
    manifest = root / "dist" / "manifest.json"
    data = manifest.read_bytes()
    manifest.unlink()
    manifest.write_bytes(data)


def remove_published_file(root: Path) -> None:
    (root / "dist" / "robots.txt").unlink()


CHANGES = [edit_translation, add_statement, remove_translation_file, touch_config,
           add_catalog_file, replace_manifest, remove_published_file]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_any_change_to_an_input_or_the_output_goes_the_whole_way(
        published: Path, run: Callable[..., Result], change: Callable[[Path], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    change(published)
    loaded = loads(monkeypatch)
    result = publish(run, published)
    assert result.exit_code == 0 and loaded == [published], result.output


@pytest.mark.parametrize("options", [("--base-url", "https://elsewhere.example/"),
                                     ("--pdf-variant", "pdf/ua-1")])
def test_an_option_that_changes_the_output_goes_the_whole_way(
        published: Path, run: Callable[..., Result], options: tuple[str, str]) -> None:
    result = publish(run, published, *options)
    assert result.exit_code == 0 and result.stdout.startswith("Published "), result.output


def test_a_statement_going_live_or_a_clock_set_back_goes_the_whole_way(
        published: Path, run: Callable[..., Result]) -> None:
    copy_statement(published, "2026-12-10-later", "date: 2026-12-10\noriginal: pt\n")
    scheduled = publish(run, published)
    assert "1 scheduled" in scheduled.stdout, scheduled.output
    assert publish(run, published).stdout.startswith("Nothing changed")
    live = run("publish", "--project", published, "--now", "2026-12-11T00:00:00+00:00",
               "--without-pdf")
    assert live.stdout.startswith("Published 2 statement(s)"), live.output
    before = run("publish", "--project", published, "--now", "2022-11-23T00:00:00+00:00",
                 "--without-pdf")
    assert before.stdout.startswith("Published 1 statement(s)"), before.output
    assert "1 scheduled" in before.stdout


def test_a_file_modified_just_before_a_publish_is_not_trusted(
        published: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    edit_translation(published)
    path = published / "statements" / SHIPPED_ID / "en.md"
    soon = time.time() + 5  # as the publish begins, however slow the machine
    os.utime(path, (soon, soon))
    assert publish(run, published).stdout.startswith("Published ")
    loaded = loads(monkeypatch)
    again = publish(run, published)  # the whole way, finding nothing to do
    assert again.stdout.startswith("Nothing changed") and loaded == [published]
    settle(published)  # (as if a few seconds had passed since the edit)
    publish(run, published)
    assert publish(run, published).stdout.startswith("Nothing changed")
    assert loaded == [published] * 2  # the last one loaded nothing


def test_full_repairs_a_published_file_changed_by_hand(
        published: Path, run: Callable[..., Result]) -> None:
    page = published / "dist" / "en" / SHIPPED_ID / "index.html"
    good = page.read_bytes()
    page.unlink()  # (a hard link: the versions share it)
    page.write_bytes(b"<p>defaced</p>")
    assert publish(run, published).stdout.startswith("Nothing changed")
    repaired = publish(run, published, "--full")
    assert repaired.stdout.startswith("Published "), repaired.output
    assert page.read_bytes() == good


def test_warnings_are_said_again_and_strict_still_refuses_them(
        published: Path, run: Callable[..., Result]) -> None:
    original = published / "statements" / SHIPPED_ID / "pt.md"
    original.write_text(original.read_text(encoding="utf-8") + "\nMais uma frase.\n", "utf-8")
    settle(published)
    first = publish(run, published)
    assert "warning: " in first.stderr, first.output
    second = publish(run, published)
    assert second.stdout.startswith("Nothing changed") and second.stderr == first.stderr
    strict = publish(run, published, "--strict")
    assert strict.exit_code == 1 and "--strict makes warnings errors" in strict.output


def test_no_record_is_kept_where_the_publish_left_statements_out(
        published: Path, run: Callable[..., Result]) -> None:
    copy_statement(published, "2023-01-10-broken", "date: not a date\noriginal: pt\n")
    result = publish(run, published, "--keep-going")
    assert result.exit_code == 1 and "statement.yaml:1:" in result.output
    assert not (published / ".dist.inputs.json").exists()
    again = publish(run, published, "--keep-going")
    assert again.exit_code == 1 and "statement.yaml:1:" in again.output


def test_the_record_is_refused_when_it_is_not_a_regular_file(
        published: Path, run: Callable[..., Result]) -> None:
    record = published / ".dist.inputs.json"
    record.unlink()
    record.symlink_to(published / "syndicate.toml")
    result = publish(run, published)
    assert result.exit_code == 1 and "refusing to use" in result.output
    assert "Traceback" not in result.output


def folders_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statement folders whose files are read (hashed) from now on, in order."""
    hashed: list[str] = []
    folder_digest = cache._folder_digest

    def spy(folder: Path, site: object) -> str:
        hashed.append(folder.name)
        return folder_digest(folder, site)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "_folder_digest", spy)
    return hashed


def test_an_edit_reads_only_the_files_of_the_statements_whose_files_changed(
        published: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    add_statement(published)  # two statements, both settled
    assert publish(run, published).stdout.startswith("Published 2 statement(s)")
    hashed = folders_read(monkeypatch)
    edit_translation(published)
    result = publish(run, published)
    assert result.stdout.startswith("Published 2 statement(s)"), result.output
    assert hashed == [SHIPPED_ID]  # the other statement's files were not read
    fresh = run("publish", "--project", published, "--now", NOW, "--without-pdf",
                "--out", published / "fresh")  # (no record there: every file read)
    assert sorted(hashed[1:]) == sorted([SHIPPED_ID, "2023-01-10-second"])
    assert ((published / "fresh" / "manifest.json").read_bytes()
            == (published / "dist" / "manifest.json").read_bytes()), fresh.output


@pytest.mark.parametrize("command", ["status", "check"])
def test_check_and_status_read_only_the_statements_changed_since_the_last_publish(
        published: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
        command: str) -> None:
    """They take the folders' content hashes from the last publish's record, as an edit's
    publish does, for the folders whose files are as it saw them; and say what is there now."""
    add_statement(published)
    assert publish(run, published).stdout.startswith("Published 2 statement(s)")
    hashed = folders_read(monkeypatch)
    assert run(command, "--project", published).exit_code == 0
    assert hashed == []  # no statement's files read
    (published / "statements" / SHIPPED_ID / "en.md").unlink()
    result = run(command, "--project", published)
    assert hashed == [SHIPPED_ID], result.output
    assert "en.md: warning: missing translation" in result.output  # (as it is now)


@pytest.mark.parametrize(("before", "trusted"), [(750_000_000, True), (1_000_000_000, False)])
def test_whole_second_times_are_trusted_only_two_seconds_later(
        before: int, trusted: bool) -> None:
    """A file system (or an archive's extraction) that keeps whole seconds could give a file
    changed again in the same second the same time: it is trusted two seconds later; where
    times have sub-second parts, a tenth of a second later."""
    started = 1_800_000_000 * 10**9  # (a whole second: 0.75 s before it is not)
    modified = started - before
    found = inputs.Scan(Path("."), inputs.Options(None, None, True), started,
                        (("statements/a/en.md", 10, modified, modified, 1, 0o100644),))
    assert (modified < found.trusted_before) is trusted
    assert ("a" in found.folders()) is trusted


def test_a_linked_statement_folder_edited_in_place_is_published_again(
        published: Path, run: Callable[..., Result]) -> None:
    """A statement folder may be a link to a folder elsewhere in the project: its files are
    looked at through it, not only the link's own times."""
    statements = published / "statements"
    (published / "archive").mkdir()
    (statements / SHIPPED_ID).rename(published / "archive" / SHIPPED_ID)
    (statements / SHIPPED_ID).symlink_to(Path("..") / "archive" / SHIPPED_ID)
    settle(published)
    publish(run, published)  # (the same statement: nothing changed, recorded)
    assert publish(run, published).stdout.startswith("Nothing changed")
    edit_translation(published)
    settle(published)  # (an old time: only the size and the inode's change time tell)
    result = publish(run, published)
    assert result.stdout.startswith("Published "), result.output
    page = published / "dist" / "en" / SHIPPED_ID / "index.html"
    assert "One more sentence." in page.read_text("utf-8")


def test_a_dangling_link_hides_no_edit(published: Path, run: Callable[..., Result]) -> None:
    (published / "statements" / "aaa-dangling").symlink_to(published / "nowhere")
    settle(published)
    publish(run, published)
    assert publish(run, published).stdout.startswith("Nothing changed")
    edit_translation(published)
    settle(published)
    assert publish(run, published).stdout.startswith("Published ")


def test_check_and_status_leave_a_publishs_statement_cache_entries(
        published: Path, run: Callable[..., Result]) -> None:
    """A publish with other options (here --base-url) has other entries; check and status,
    which may run while it does, never remove them (only a publish drops unused entries)."""
    other = publish(run, published, "--base-url", "https://elsewhere.example/")
    assert other.exit_code == 0, other.output
    entries = set((published / ".syndicate-cache" / "statements").iterdir())
    assert run("status", "--project", published).exit_code == 0
    assert run("check", "--project", published).exit_code == 0
    assert entries <= set((published / ".syndicate-cache" / "statements").iterdir())


def test_a_publish_after_one_that_changed_feeds_says_they_no_longer_changed(
        project: Path, run: Callable[..., Result]) -> None:
    """``websub.json`` names the feeds a publish changed, for ``syndicate ping``; the next
    publish, even with no input changed, is a version that names none (else each cron's
    ``publish && ping`` would announce the same feeds again)."""
    config = project / "syndicate.toml"
    config.write_text(config.read_text("utf-8") + '\n[feeds]\nhub = "https://hub.example/"\n',
                      "utf-8")
    settle(project)
    publish(run, project)
    assert websub.load_changes(project / "dist").feeds
    publish(run, project)
    assert not websub.load_changes(project / "dist").feeds
    loaded = publish(run, project)  # (now nothing to say: loads nothing)
    assert loaded.stdout.startswith("Nothing changed")
