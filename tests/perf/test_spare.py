"""The next version prepared in advance (:mod:`syndicate.spare`): after a publish of a large
site, a spare of its version is linked in the background; the next publish starts from it and
links nothing, and its output is the one a publish without a spare writes, byte for byte, with
the previous version untouched.

The threshold is lowered here so that the shipped statement (and a copy of it) is "large".
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import SHIPPED_ID, numbered_project
from syndicate import plan as plans
from syndicate import spare, staging

NOW = "2026-11-28T12:00:00+00:00"
SECOND = "2022-11-23-segunda-copia"
DEADLINE = 60.0


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``folder``, by relative path."""
    found: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        found[path.relative_to(folder).as_posix()] = None if path.is_dir() else path.read_bytes()
    return found


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino
            for p in folder.rglob("*") if p.is_file()}


def spare_of(version: Path) -> Path:
    """The spare of ``version``, once it is complete."""
    deadline = time.monotonic() + DEADLINE
    while not spare.path_of(version).is_dir():
        assert time.monotonic() < deadline, "no spare was made"
        time.sleep(0.05)
    return spare.path_of(version)


@pytest.mark.parametrize("manifest", ["read", "unreadable"])
def test_an_edit_starts_from_the_spare_and_publishes_the_same_bytes(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        manifest: str) -> None:
    """(With the current version's manifest unreadable, the spare's files the new version does
    not have are found by walking it.)"""
    shutil.copytree(project / "statements" / SHIPPED_ID, project / "statements" / SECOND)
    monkeypatch.setattr(spare, "FROM_FILES", 1)
    monkeypatch.setattr(spare, "REUSED_AT_LEAST", 1)
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    first = (project / "dist").resolve()
    ready = spare_of(first)
    assert inodes(ready) == inodes(first)  # every file linked, none copied
    before = tree(first)
    held = tmp_path / "held"  # the previous version's very files (it is retired meanwhile)
    held.mkdir()
    for path, data in before.items():
        if data is None:
            (held / path).mkdir(parents=True, exist_ok=True)
        else:
            os.link(first / path, held / path)
    links: list[str] = []
    taken: list[bool] = []
    take, link, many = spare.take, staging.Staging._take, staging.Staging._link_in_one_process
    monkeypatch.setattr(spare, "take", lambda *a: taken.append(take(*a)) or taken[-1])
    monkeypatch.setattr(staging.Staging, "_take",
                        lambda self, source, path: links.append(path) or link(self, source, path))
    monkeypatch.setattr(staging.Staging, "_link_in_one_process", lambda self, files, paths: (
        links.extend(paths) or many(self, files, paths)))
    edited = project / "statements" / SHIPPED_ID / "pt.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace(
        "Governo apoia candidatura", "O Governo apoia a candidatura", 1), encoding="utf-8")
    shutil.rmtree(project / "statements" / SECOND)  # and one statement removed
    if manifest == "unreadable":  # (nor its lines carried: see syndicate.carry)
        monkeypatch.setattr(plans, "published", lambda *args: plans.Published())
        monkeypatch.setattr(plans, "previous_lines", lambda *args: None)
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    second = (project / "dist").resolve()
    assert taken == [True] and second != first
    # Nothing linked one by one but the site's own files reused (the spare had the rest).
    assert not [path for path in links if SHIPPED_ID in path], links
    assert tree(held) == before  # the previous version: not one byte written into
    edited_pdf = f"pt/{SHIPPED_ID}/{SHIPPED_ID}-pt.pdf"
    assert inodes(second)[edited_pdf] != inodes(held)[edited_pdf]
    assert not (second / "pt" / SECOND).exists() and not (second / "en" / SECOND).exists()
    monkeypatch.setattr(spare, "FROM_FILES", 10**9)
    fresh = tmp_path / "fresh"
    assert run("publish", "--project", project, "--out", fresh, "--now", NOW,
               "-q").exit_code == 0
    assert tree(second) == tree(fresh.resolve())  # every file, every folder, the manifest


def test_a_spare_of_another_version_is_garbage(project: Path, run: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A spare never outlives its version; a publish with nothing to do keeps the current
    version's."""
    monkeypatch.setattr(spare, "FROM_FILES", 1)
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    first = (project / "dist").resolve()
    spare_of(first)
    assert run("publish", "--project", project, "--now", NOW, "-q", "--full").exit_code == 0
    assert spare.path_of(first).is_dir()  # nothing to publish: kept
    monkeypatch.setattr(spare, "take", lambda *a: False)  # a publish that does not take it
    edited = project / "statements" / SHIPPED_ID / "en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    second = (project / "dist").resolve()
    assert not spare.path_of(first).exists()
    spare_of(second)
    names = sorted(os.listdir(second.parent))
    assert names == sorted([second.name, spare.path_of(second).name]), names


def test_a_publish_that_fails_after_taking_the_spare_touches_no_published_byte(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A publish that took the spare and wrote its changed files into it, then failed (here, the
    disk failing once the manifest's first bytes are written), leaves the current version as it
    was, byte for byte and link for link; the next publish makes the output a publish without a
    spare makes."""
    monkeypatch.setattr(spare, "FROM_FILES", 1)
    monkeypatch.setattr(spare, "REUSED_AT_LEAST", 1)
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    first = (project / "dist").resolve()
    spare_of(first)
    before, linked = tree(first), inodes(first)
    taken: list[bool] = []
    take = spare.take
    monkeypatch.setattr(spare, "take", lambda *a: taken.append(take(*a)) or taken[-1])
    written = os.write

    def failing_disk(fd: int, data: Any) -> int:  # (the manifest's first bytes, then an error)
        if os.readlink(f"/proc/self/fd/{fd}").endswith(f"{os.sep}manifest.json"):
            written(fd, bytes(data[:100]))
            raise OSError(5, "Input/output error")
        return written(fd, data)

    monkeypatch.setattr(os, "write", failing_disk)
    edited = project / "statements" / SHIPPED_ID / "en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    failed = run("publish", "--project", project, "--now", NOW, "-q")
    assert failed.exit_code == 1 and "Input/output error" in failed.output, failed.output
    assert "Traceback" not in failed.output
    assert taken == [True]  # it did start from the spare
    assert (project / "dist").resolve() == first
    assert tree(first) == before and inodes(first) == linked
    # The unfinished version went into the trash with one rename, not removed file by file
    # before the command could end: the next publish removes it, off the critical path.
    assert os.listdir(first.parent) == [first.name]
    trash = staging.output.trash_dir(project / "dist")
    [discarded] = os.listdir(trash)
    assert discarded.startswith(staging.output.STAGING_PREFIX)
    assert (trash / discarded / "manifest.json").exists()  # (the spare's files, all there)
    monkeypatch.setattr(os, "write", written)
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    deadline = time.monotonic() + DEADLINE
    while discarded in os.listdir(trash):
        assert time.monotonic() < deadline, "the discarded version was not removed"
        time.sleep(0.05)
    monkeypatch.setattr(spare, "FROM_FILES", 10**9)
    fresh = tmp_path / "fresh"
    assert run("publish", "--project", project, "--out", fresh, "--now", NOW,
               "-q").exit_code == 0
    assert tree((project / "dist").resolve()) == tree(fresh.resolve())


def test_a_spare_still_being_made_is_not_taken(project: Path, run: Any,
                                                monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    """While ``cp`` still links the spare (under its ``.part-`` name, half made), the next
    publish links the current version's files itself, and writes what a publish without a
    spare writes; the half-made spare is garbage after it."""
    monkeypatch.setattr(spare, "FROM_FILES", 1)
    monkeypatch.setattr(spare, "REUSED_AT_LEAST", 1)
    monkeypatch.setattr(spare, "prepare", lambda version: None)  # no spare of its own
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    first = (project / "dist").resolve()
    half = first.parent / f"{spare.path_of(first).name}.part-0123abcd"
    shutil.copytree(first, half, copy_function=os.link)
    for path in list(half.rglob("*.pdf"))[:1]:
        path.unlink()  # (cp has not got there yet)
    taken: list[bool] = []
    take = spare.take
    monkeypatch.setattr(spare, "take", lambda *a: taken.append(take(*a)) or taken[-1])
    edited = project / "statements" / SHIPPED_ID / "en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    assert taken == [False] and not half.exists()
    monkeypatch.setattr(spare, "FROM_FILES", 10**9)
    fresh = tmp_path / "fresh"
    assert run("publish", "--project", project, "--out", fresh, "--now", NOW,
               "-q").exit_code == 0
    assert tree((project / "dist").resolve()) == tree(fresh.resolve())


def test_a_pages_first_publish_leaves_the_spare_to_the_publish_that_follows(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve`` publishes a change's pages first, then lays out its documents at once: a
    spare of the first version could never be taken by the second (still being made), so only
    the second's is made: the one the next edit can start from."""
    from datetime import datetime

    from syndicate import publish
    from syndicate.backends import choose

    monkeypatch.setattr(spare, "FROM_FILES", 1)
    monkeypatch.setattr(spare, "REUSED_AT_LEAST", 1)
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    spare_of((project / "dist").resolve())
    prepared: list[Path] = []
    prepare = spare.prepare
    monkeypatch.setattr(spare, "prepare", lambda version: prepared.append(version) or prepare(
        version))
    edited = project / "statements" / SHIPPED_ID / "en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    loaded, now = publish.load(project), datetime.fromisoformat(NOW)
    with choose() as backend:
        first = publish.publish_pages_first(loaded, project / "dist", now, backend)
        assert first.deferred  # (its PDFs and cards were left for the next publish)
        second = publish.publish(loaded, project / "dist", now, backend=backend)
    versions = (project / "dist").resolve().parent
    assert [p.name for p in prepared] == [second.version] != [first.version]
    spare_of(versions / second.version)
    assert [n for n in os.listdir(versions) if n.startswith(spare.PREFIX)] == [
        spare.path_of(versions / second.version).name]


def png(color: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 4), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("before, after", [("dot.png", "dot.png/blue.png"),
                                           ("dot.png/red.png", "dot.png")])
def test_an_image_replaced_by_a_folder_of_its_name_is_published_from_the_spare_or_without(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        before: str, after: str) -> None:
    """The spare has the previous version's paths: an image's file where the new version has
    a folder of that name (or the reverse) is in the way of the write. The publish is then
    made again without the spare: it succeeds, with the output of a publish without one. (The
    pages show the image; the communiqués, which are not in the way, are left out.)"""
    monkeypatch.setattr(spare, "FROM_FILES", 1)
    monkeypatch.setattr(spare, "REUSED_AT_LEAST", 1)
    folder = project / "statements" / SHIPPED_ID
    source = (folder / "en.md").read_text(encoding="utf-8")

    def shows(image: str, color: tuple[int, int, int]) -> None:
        (folder / image).parent.mkdir(parents=True, exist_ok=True)
        (folder / image).write_bytes(png(color))
        (folder / "en.md").write_text(f"{source}\n![A dot]({image})\n", encoding="utf-8")

    shows(before, (255, 0, 0))
    assert run("publish", "--project", project, "--now", NOW, "-q", "--without-pdf").exit_code == 0
    first = (project / "dist").resolve()
    spare_of(first)
    shutil.rmtree(folder / "dot.png") if (folder / "dot.png").is_dir() else (
        folder / "dot.png").unlink()
    shows(after, (0, 0, 255))
    taken: list[bool] = []
    take = spare.take
    monkeypatch.setattr(spare, "take", lambda *a: taken.append(take(*a)) or taken[-1])
    published = run("publish", "--project", project, "--now", NOW, "-q", "--without-pdf")
    assert published.exit_code == 0, published.output
    assert taken == [True, False]  # (the spare met the clash; made again without it)
    second = (project / "dist").resolve()
    from PIL import Image

    with Image.open(second / "en" / SHIPPED_ID / after) as shown:
        assert shown.convert("RGB").getpixel((0, 0)) == (0, 0, 255)
    monkeypatch.setattr(spare, "FROM_FILES", 10**9)
    fresh = tmp_path / "fresh"
    assert run("publish", "--project", project, "--out", fresh, "--now", NOW,
               "-q", "--without-pdf").exit_code == 0
    assert tree(second) == tree(fresh.resolve())


@pytest.mark.parametrize("where", ["in the spare", "elsewhere"])
def test_only_an_error_at_a_path_of_the_spare_has_the_publish_made_again(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        where: str) -> None:
    """A 'File exists' (or 'Is a directory'...) met outside the spare, e.g. in a folder of
    the user's, is not the spare's clash: it is reported, not hidden by a second publish."""
    monkeypatch.setattr(spare, "FROM_FILES", 1)
    assert run("publish", "--project", project, "--now", NOW, "-q").exit_code == 0
    first = (project / "dist").resolve()
    spare_of(first)
    expected = staging.SpareClash if where == "in the spare" else IsADirectoryError
    with pytest.raises(expected), staging.Staging(project / "dist", first, large=True) as new:
        assert new.spare
        folder = new.path / "en" if where == "in the spare" else tmp_path
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(folder))
    assert (project / "dist").resolve() == first


def edit_and_publish(project: Path, run: Any, monkeypatch: pytest.MonkeyPatch,
                     options: tuple[str, ...]) -> tuple[Any, list[bool]]:
    """An edit published; with whether each of its plans checked the files it takes."""
    planned: list[bool] = []
    make = plans.make

    def spied(*args: Any) -> plans.Plan:
        planned.append(args[4])  # (its verify)
        return make(*args)

    monkeypatch.setattr(plans, "make", spied)
    edited = project / "statements" / SHIPPED_ID / "en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    return run("publish", "--project", project, *options), planned


@pytest.mark.parametrize("with_spare", [True, False], ids=["spare", "no-spare"])
def test_a_file_removed_by_hand_from_the_current_version_is_published_again(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        with_spare: bool) -> None:
    """An edit trusts the current version's files when its output is as its record says
    (syndicate.carry), which a file removed inside it does not change. The spare, made before,
    still has it; without one, the link fails and the publish plans again, checking each file:
    either way the output is a fresh publish's."""
    shutil.copytree(project / "statements" / SHIPPED_ID, project / "statements" / SECOND)
    monkeypatch.setattr(spare, "FROM_FILES", 1 if with_spare else 10**9)
    monkeypatch.setattr(spare, "REUSED_AT_LEAST", 1)
    options = ("--now", NOW, "-q", "--without-pdf")
    assert run("publish", "--project", project, *options).exit_code == 0
    first = (project / "dist").resolve()
    if with_spare:
        spare_of(first)
    assert (project / ".dist.inputs.json").is_file()
    gone = first / "en" / SECOND / "index.html"
    gone.unlink()
    result, planned = edit_and_publish(project, run, monkeypatch, options)
    assert result.exit_code == 0, result.output
    assert planned == ([False] if with_spare else [False, True])  # trusted, then checked
    second = (project / "dist").resolve()
    assert (second / "en" / SECOND / "index.html").is_file()
    monkeypatch.setattr(spare, "FROM_FILES", 10**9)
    fresh = tmp_path / "fresh"
    assert run("publish", "--project", project, "--out", fresh, *options).exit_code == 0
    assert tree(second) == tree(fresh.resolve())


def test_a_unit_record_damaged_in_place_is_rendered_again(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A record of the cache index that does not parse, in an index whose size and time are
    as recorded (changed in place): linking the unit's files finds it, and the publish plans
    again, checking each file; the unit is rendered again and the output is a fresh one's."""
    monkeypatch.setattr(spare, "FROM_FILES", 10**9)
    options = ("--now", NOW, "-q", "--without-pdf")
    assert run("publish", "--project", project, *options).exit_code == 0
    index = project / ".dist.cache.json"
    before = index.stat()
    data = index.read_bytes()
    at = data.index(b'[{"path": "pt/')  # a unit the edit keeps: its kind made a number
    kind = data.index(b'"kind": "', at) + len(b'"kind": ')
    end = data.index(b'"', kind + 1) + 1
    with open(index, "r+b") as file:  # (same size, same file, as many entries)
        file.seek(kind)
        file.write(b"1" * (end - kind))
    os.utime(index, ns=(before.st_atime_ns, before.st_mtime_ns))
    result, planned = edit_and_publish(project, run, monkeypatch, options)
    assert result.exit_code == 0 and planned == [False, True], result.output
    fresh = tmp_path / "fresh"
    assert run("publish", "--project", project, "--out", fresh, *options).exit_code == 0
    assert tree((project / "dist").resolve()) == tree(fresh.resolve())


def test_the_site_documents_an_edit_reuses_are_the_spares_own_links(
        tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit of an old statement's English title changes the English index page and feed
    documents that list it (and the all-languages feed's): the other index pages and feed
    documents are reused, and from the spare they are the current version's very files,
    linked there already, not linked again one by one."""
    project = numbered_project(tmp_path / "project", 9, 2)
    monkeypatch.setattr(spare, "FROM_FILES", 1)
    monkeypatch.setattr(spare, "REUSED_AT_LEAST", 1)
    publish = ["publish", "--project", project, "--now", NOW, "-q", "--without-pdf"]
    assert run(*publish).exit_code == 0
    first = (project / "dist").resolve()
    spare_of(first)
    before = inodes(first)
    links: list[str] = []
    take = staging.Staging._take
    monkeypatch.setattr(staging.Staging, "_take",
                        lambda self, source, path: links.append(path) or take(self, source, path))
    edited = project / "statements" / "2020-01-02-s" / "en.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace(
        "Statement 2", "Statement 2, corrected"), encoding="utf-8")
    assert run(*publish).exit_code == 0
    second = (project / "dist").resolve()
    assert second != first and links == []
    after = inodes(second)
    archives = [path for path in after if path.startswith(("en/archive/", "pt/archive/"))]
    reused = {path.rsplit(".", 1)[1] for path in archives if after[path] == before[path]}
    changed = {path.rsplit(".", 1)[1] for path in archives if after[path] != before[path]}
    assert reused == {"html", "rss", "atom"} == changed  # (index pages and feed documents)
    monkeypatch.setattr(spare, "FROM_FILES", 10**9)
    fresh = tmp_path / "fresh"
    assert run(*publish, "--out", fresh).exit_code == 0
    assert tree(second) == tree(fresh.resolve())
