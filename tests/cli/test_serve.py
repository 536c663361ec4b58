"""``syndicate serve``: publishes a preview, serves it on 127.0.0.1, republishes when a source
changes, and never touches the production output."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import html

from conftest import SHIPPED_ID, chromium, needs_chromium
from syndicate.serve import RELOAD_TAG, Server

NOW = datetime(2026, 11, 28, tzinfo=UTC)
DEADLINE = 60.0  # seconds: generous, only a bound so a broken watcher cannot hang the suite


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # 127.0.0.1 only
        return response.status, response.headers["Content-Type"], response.read()


def wait_for(condition: object, what: str) -> None:
    assert callable(condition)
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def retitle(project: Path, title: str) -> None:
    source = project / "statements" / SHIPPED_ID / "pt.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace("Governo apoia candidatura de António Vitorino", title, 1), encoding="utf-8"
    )


# What serve must leave alone: the production output and everything beside it. (statements/
# is edited by the tests; serve's own folder and the statement cache are not output.)
NOT_PRODUCTION = ("statements", ".syndicate-serve", ".syndicate-cache")


def production(project: Path) -> dict[str, bytes]:
    """Every file and link of the project outside NOT_PRODUCTION: a link's target, a file's
    bytes (the output link followed, so every byte of the served publish is in it)."""
    found: dict[str, bytes] = {}
    for folder, dirs, files in os.walk(project):
        here = Path(folder)
        dirs[:] = [d for d in dirs if here != project or d not in NOT_PRODUCTION]
        for name in sorted([*dirs, *files]):
            path = here / name
            if path.is_symlink():
                found[f"{path} ->"] = os.readlink(path).encode()
            if path.is_file():
                found[str(path)] = path.read_bytes()
    for name in (".dist.lock", ".dist.cache.json"):  # present after a publish
        assert str(project / name) in found
    served = project / "dist" / "manifest.json"
    found[str(served)] = served.read_bytes()
    return found


def published(project: Path, run: Any) -> dict[str, bytes]:
    result = run("publish", "--project", project, "--now", NOW.isoformat(), "--quiet")
    assert result.exit_code == 0, result.output
    return production(project)


def test_server_serves_and_republishes_on_change(project: Path, run: Any) -> None:
    before = published(project, run)
    messages: list[str] = []
    server = Server(project, 0, None, lambda: NOW, messages.append)
    assert server.out == project / ".syndicate-serve" / "site"
    assert server.url.startswith("http://127.0.0.1:")
    watcher = threading.Thread(target=server.watch, kwargs={"interval": 0.05})
    try:
        server.start()
        page = f"{server.url}pt/{SHIPPED_ID}/"
        status, kind, body = fetch(page)
        assert status == 200 and kind.startswith("text/html")
        assert f'<link rel="canonical" href="{page}">'.encode() in body  # links lead back here
        status, kind, pdf = fetch(f"{page}{SHIPPED_ID}-pt.pdf")
        assert kind == "application/pdf" and pdf.startswith(b"%PDF-")
        watcher.start()
        assert not server.poll()  # nothing changed
        retitle(project, "Título mudado")
        wait_for(lambda: "Título mudado".encode() in fetch(page)[2], "the republished page")
        # The page first (the previous communiqué standing in a moment), then the communiqué.
        wait_for(lambda: fetch(f"{page}{SHIPPED_ID}-pt.pdf")[2] != pdf, "the new communiqué")
        # A broken source is reported and the last good publish stays served.
        (project / "statements" / SHIPPED_ID / "statement.yaml").write_text(
            "date: not a date\n", encoding="utf-8")
        wait_for(lambda: any("problem" in m for m in messages), "the problem to be reported")
        assert "Título mudado".encode() in fetch(page)[2]
        # The preview's feeds are for this server, and say so only there.
        feed = feedparser.parse(fetch(f"{server.url}pt/feed.atom")[2])
        assert feed.entries and all(e.id.startswith("tag:127.0.0.1,") for e in feed.entries)
    finally:
        server.stop()
        if watcher.is_alive():
            watcher.join()
    announced = [m for m in messages if m.startswith("Published")]
    assert len(announced) == 3 and "(5 PDF and card files follow)" in announced[1], announced
    assert production(project) == before  # every byte, the link's target, the cache index
    production_feed = feedparser.parse((project / "dist" / "pt" / "feed.atom").read_bytes())
    assert production_feed.entries
    assert not any("127.0.0.1" in e.id or "127.0.0.1" in e.link for e in production_feed.entries)
    production_page = html.fromstring(
        (project / "dist" / "pt" / SHIPPED_ID / "index.html").read_bytes())
    assert "Título mudado" not in production_page.text_content()
    assert (project / ".syndicate-serve" / "site" / "manifest.json").is_file()
    assert "Never upload it" in (project / ".syndicate-serve" / "README.txt").read_text()


def test_a_saved_statements_pages_are_served_before_its_publish(project: Path) -> None:
    """The live preview: a saved statement's pages are rendered at once and served from
    memory while the publish runs, the very bytes it then writes; a change they cannot stand
    for alone (a draft now) is not shown before its publish."""
    server = Server(project, 0, None, lambda: NOW, lambda message: None)
    url = f"{server.url}pt/{SHIPPED_ID}/"
    on_disk = server.out / "pt" / SHIPPED_ID / "index.html"
    during: list[tuple[bytes, bytes, bytes, bytes]] = []  # (served, on disk, share, version)
    publish = server.publish

    def looking_first() -> None:
        during.append((fetch(url)[2], on_disk.read_bytes(),
                       fetch(f"{url}share.json")[2],
                       fetch(f"{server.url}.syndicate-serve/version")[2]))
        publish()

    try:
        server.start()
        server.publish = looking_first  # type: ignore[method-assign]
        before = fetch(f"{server.url}.syndicate-serve/version")[2]
        retitle(project, "Título mudado já")
        assert server.poll()
        served, disk, share, version = during[-1]
        assert "Título mudado já".encode() in served and "Título mudado já".encode() not in disk
        assert version != before and "Título mudado já".encode() in share
        published = on_disk.read_bytes()
        assert served == published.replace(b"</body>", RELOAD_TAG + b"</body>")
        assert share == (server.out / "pt" / SHIPPED_ID / "share.json").read_bytes()
        assert not server.shown.files  # the files themselves now
        assert fetch(f"{server.url}.syndicate-serve/version")[2] not in (before, version)
        source = project / "statements" / SHIPPED_ID / "pt.md"
        saved = source.with_name("pt.md.new")  # an editor's save: a new file renamed over it
        saved.write_text(source.read_text(encoding="utf-8").replace("mudado já", "mudado outra"),
                         encoding="utf-8")
        os.replace(saved, source)
        assert server.poll()
        served, disk, _, _ = during[-1]
        assert b"mudado outra" in served and b"mudado outra" not in disk
        published = on_disk.read_bytes()
        shared = project / "statements" / SHIPPED_ID / "statement.yaml"
        shared.write_text(shared.read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
        source.write_text(source.read_text(encoding="utf-8").replace("mudado outra", "Rascunho"),
                          encoding="utf-8")
        server.poll()
        served, disk, _, _ = during[-1]
        assert served.replace(RELOAD_TAG, b"") == disk == published  # not shown ahead
    finally:
        server.stop()


def test_serve_command(project: Path) -> None:
    """A real process: a NUL byte in a URL is a 404, and a source Python cannot read (a
    5,000-digit integer) is reported while serving goes on, never a traceback (issue 21)."""
    command = [sys.executable, "-m", "syndicate", "serve", "--project", str(project),
               "--port", "0", "--now", NOW.isoformat()]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    try:
        wait_for(lambda: any(line.startswith("Serving ") for line in lines) or
                 process.poll() is not None, "the server")
        serving = [line for line in lines if line.startswith("Serving ")]
        assert serving, f"serve exited: {lines}"
        url = serving[0].split()[1]
        assert url.startswith("http://127.0.0.1:")
        status, _, body = fetch(f"{url}en/")
        assert status == 200 and b'lang="en"' in body
        for path in ("%00", "pt/%00/index.html", "en/feed.atom%00"):
            try:
                fetch(f"{url}{path}")
                raise AssertionError(f"{path} was answered")
            except urllib.error.HTTPError as error:
                assert error.code == 404
        shared = project / "statements" / SHIPPED_ID / "statement.yaml"
        good = shared.read_text(encoding="utf-8")
        shared.write_text(good + "tags: [" + "9" * 5000 + "]\n", encoding="utf-8")
        wait_for(lambda: any("still serving the previous publish" in line for line in lines),
                 "the problem to be reported")
        assert fetch(f"{url}en/")[0] == 200
        shared.write_text(good, encoding="utf-8")
        retitle(project, "Outro título")
        wait_for(lambda: "Outro título".encode() in fetch(f"{url}pt/")[2], "the change")
    finally:
        process.terminate()
        process.wait(DEADLINE)
        reader.join(DEADLINE)
        stderr = process.stderr.read() if process.stderr else ""
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    assert not (project / "dist").exists()  # serve alone publishes no production output


@needs_chromium
def test_the_open_page_reloads_itself_after_a_republish(project: Path, tmp_path: Path) -> None:
    server = Server(project, 0, None, lambda: NOW, lambda message: None)
    watcher = threading.Thread(target=server.watch, kwargs={"interval": 0.05})
    try:
        server.start()
        watcher.start()
        page_url = f"{server.url}pt/{SHIPPED_ID}/"
        served = fetch(page_url)[2]
        assert served.count(b'<script src="/.syndicate-serve/reload.js"></script>') == 1
        on_disk = (server.out / "pt" / SHIPPED_ID / "index.html").read_bytes()
        assert b"syndicate-serve" not in on_disk  # the script is the server's, not the site's
        with chromium(tmp_path / "profile") as browser:
            page = browser.new_page()
            page.goto(page_url)
            page.evaluate("window.stillTheSamePage = true")
            retitle(project, "Título mudado ao vivo")
            page.wait_for_function(
                "document.querySelector('h1').textContent.includes('mudado ao vivo')",
                timeout=DEADLINE * 1000)
            assert page.evaluate("window.stillTheSamePage === undefined")  # it reloaded
    finally:
        server.stop()
        if watcher.is_alive():
            watcher.join()
    published = subprocess.run(
        [sys.executable, "-m", "syndicate", "publish", "--project", str(project), "--now",
         NOW.isoformat(), "--quiet"], capture_output=True, text=True, check=True)
    assert published.returncode == 0
    assert not [p for p in (project / "dist").rglob("*.html")
                if b"syndicate-serve" in p.read_bytes()]


def looks_counted(monkeypatch: pytest.MonkeyPatch, server: Server) -> list[str]:
    """From now on, each look serve takes at every source (``snapshot``), and whether a
    saved page was served from memory by then."""
    import syndicate.serve as serving

    looks: list[str] = []
    look = serving.snapshot

    def counted(root: Path) -> Any:
        looks.append("shown" if server.shown.files else "not shown")
        return look(root)

    monkeypatch.setattr(serving, "snapshot", counted)
    return looks


def test_a_poll_looks_at_no_file_until_the_kernel_tells_of_a_change(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the kernel can watch the sources (syndicate.watch), a poll with nothing changed
    makes no stat call (at 16,000 statements a look at every file takes most of a second); a
    save is told at once, and its page is served before any file is looked at. Events the
    kernel tells after a look that saw their change are no news."""
    import syndicate.serve as serving

    monkeypatch.setattr(serving, "LOOK_EVERY", 3600.0)  # (only the kernel's word, here)
    server = Server(project, 0, None, lambda: NOW, lambda message: None)
    try:
        server.start()
        looks = looks_counted(monkeypatch, server)
        assert not server.poll() and not server.poll()
        assert looks == []  # nothing changed: nothing looked at
        retitle(project, "Título mudado")  # (the kernel queues its events as it writes)
        assert server.poll()
        assert looks[0] == "shown"  # (the page in memory before the first look)
        assert "Título mudado".encode() in fetch(f"{server.url}pt/{SHIPPED_ID}/")[2]
        assert not server.poll()
        retitle(project, "Título mudado outra vez")
        server.publish()  # (a look that sees it, before the kernel's word is taken)
        taken = len(looks)
        assert not server.poll()  # (the save's events: no news)
        assert len(looks) == taken and not server.shown.files
        source = project / "statements" / SHIPPED_ID / "pt.md"
        saved = source.with_name("pt.md.new")  # (an editor's save: a new file renamed over)
        saved.write_text(source.read_text(encoding="utf-8").replace("outra vez", "de novo"),
                         encoding="utf-8")
        os.replace(saved, source)
        server.publish()
        taken = len(looks)
        assert not server.poll()  # (nor the new file's, gone then and now)
        assert len(looks) == taken and not server.shown.files
        (project / "statements" / SHIPPED_ID / "link.md").symlink_to(project / "syndicate.toml")
        server.poll()  # (a look, and a publish of what it found, or its problem reported)
        taken = len(looks)
        assert not server.poll() and not server.poll()
        assert len(looks) == taken + 2  # a link among the sources: every poll looks
    finally:
        server.stop()


def test_without_the_kernels_word_every_poll_looks_at_every_file(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where it cannot watch (another system, inotify's limits, a symbolic link among the
    sources), serve looks at every source at each poll, as it always did."""
    import syndicate.watch

    monkeypatch.setattr(syndicate.watch, "watcher", lambda root: None)
    server = Server(project, 0, None, lambda: NOW, lambda message: None)
    try:
        server.start()
        looks = looks_counted(monkeypatch, server)
        assert not server.poll() and not server.poll()
        assert len(looks) == 2
        retitle(project, "Título mudado")
        assert server.poll()
        assert "Título mudado".encode() in fetch(f"{server.url}pt/{SHIPPED_ID}/")[2]
    finally:
        server.stop()


def test_a_change_no_watch_sees_is_found_by_the_regular_look(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write through another hard link of a source, made outside the project (or another
    machine's, on a network file system), reaches no watch: the look at every source that
    serve makes every LOOK_EVERY seconds finds it."""
    import syndicate.serve as serving

    monkeypatch.setattr(serving, "LOOK_EVERY", 3600.0)
    source = project / "statements" / SHIPPED_ID / "pt.md"
    elsewhere = tmp_path / "pt.md"
    os.link(source, elsewhere)
    server = Server(project, 0, None, lambda: NOW, lambda message: None)
    try:
        server.start()
        elsewhere.write_text(elsewhere.read_text(encoding="utf-8").replace(
            "Governo apoia candidatura de António Vitorino", "Título mudado", 1),
            encoding="utf-8")
        assert source.read_text(encoding="utf-8") == elsewhere.read_text(encoding="utf-8")
        assert not server.poll()  # (no watch saw it, and the last look is recent)
        monkeypatch.setattr(serving, "LOOK_EVERY", 0.0)
        assert server.poll()
        assert "Título mudado".encode() in fetch(f"{server.url}pt/{SHIPPED_ID}/")[2]
    finally:
        server.stop()
