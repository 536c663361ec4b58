"""``syndicate serve``: publishes, serves on 127.0.0.1, republishes when a source changes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from conftest import SHIPPED_ID
from syndicate.serve import Server

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


def test_server_serves_and_republishes_on_change(project: Path) -> None:
    messages: list[str] = []
    server = Server(project, project / "dist", 0, None, lambda: NOW, messages.append)
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
        # A broken source is reported and the last good publish stays served.
        (project / "statements" / SHIPPED_ID / "statement.yaml").write_text(
            "date: not a date\n", encoding="utf-8")
        wait_for(lambda: any("problem" in m for m in messages), "the problem to be reported")
        assert "Título mudado".encode() in fetch(page)[2]
    finally:
        server.stop()
        if watcher.is_alive():
            watcher.join()
    assert sum(m.startswith("Published") for m in messages) == 2


def test_serve_command(project: Path) -> None:
    command = [sys.executable, "-m", "syndicate", "serve", "--project", str(project),
               "--port", "0", "--now", NOW.isoformat()]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        lines = []
        while not (lines and lines[-1].startswith("Serving ")):
            line = process.stdout.readline()
            assert line, f"serve exited: {process.stderr.read() if process.stderr else ''}"
            lines.append(line)
        url = lines[-1].split()[1]
        assert url.startswith("http://127.0.0.1:")
        status, _, body = fetch(f"{url}en/")
        assert status == 200 and b'lang="en"' in body
        retitle(project, "Outro título")
        wait_for(lambda: "Outro título".encode() in fetch(f"{url}pt/")[2], "the change")
    finally:
        process.terminate()
        process.communicate(timeout=DEADLINE)
