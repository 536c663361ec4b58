"""A statement cannot make publish read a private file or call a URL: a counting server on
127.0.0.1 sees no request, and no output (PDF streams decoded) holds the secret."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import SHIPPED_ID, write
from syndicate.cli import main

SECRET = "SECRET-b7f3e1-do-not-publish"
NOW = "2026-11-28T12:00:00+00:00"


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """(base URL, requested paths) of a local server answering every request with the secret."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            requests.append(self.path)
            body = SECRET.encode()
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def every_byte(out: Path) -> Iterator[tuple[Path, bytes]]:
    """Each output file's bytes and, for PDFs, every decoded stream (attachments included)."""
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        yield path, path.read_bytes()
        if path.suffix == ".pdf":
            with pikepdf.open(path) as pdf:
                for obj in pdf.objects:
                    if isinstance(obj, pikepdf.Stream):
                        try:
                            yield path, obj.read_bytes()
                        except pikepdf.PdfError:
                            yield path, obj.read_raw_bytes()


def publish(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--now", NOW])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def test_links_and_raw_html_fetch_nothing(
    project: Path, tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, requests = server
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    write(
        project / "statements" / SHIPPED_ID / "en.md",
        "---\ntitle: Sandbox\n---\n\n"
        f"[a link]({url}/link) and [a file](file://{secret}) and <{url}/auto>.\n\n"
        f'<img src="{url}/raw.png"> <link rel="stylesheet" href="{url}/x.css">\n\n'
        f'<object data="file://{secret}"></object> <iframe src="{url}/frame"></iframe>\n\n'
        f"<style>@import url({url}/import.css);</style>\n",
    )
    code, stderr = publish(project)
    assert code == 0, stderr
    assert requests == []
    leaks = [str(path) for path, data in every_byte(project / "dist") if SECRET.encode() in data]
    assert leaks == []
    page = (project / "dist" / "en" / SHIPPED_ID / "index.html").read_text(encoding="utf-8")
    assert f'href="{url}/link"' in page  # an http link is published, never followed


def test_images_outside_the_sandbox_are_refused(
    project: Path, tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, requests = server
    secret = tmp_path / "secret.svg"
    secret.write_text(
        f"<svg xmlns='http://www.w3.org/2000/svg'><text>{SECRET}</text></svg>", encoding="utf-8"
    )
    write(
        project / "statements" / SHIPPED_ID / "en.md",
        f"---\ntitle: Sandbox\n---\n\n![x](file:///etc/passwd)\n\n![s](file://{secret})\n\n"
        f"![y]({url}/image.svg)\n",
    )
    code, stderr = publish(project)
    assert code == 1
    assert "file:///etc/passwd" in stderr and f"{url}/image.svg" in stderr
    assert requests == []
    assert not (project / "dist").exists()
