"""``syndicate serve``: publish a preview, serve it on 127.0.0.1, republish when a source changes
or a scheduled statement goes live.

The preview is published into a folder of its own, ``PROJECT/.syndicate-serve/`` (its output
link ``site``, with its own versions, lock and cache index beside it), never into the production
output: a preview is made for ``http://127.0.0.1:PORT/``, so its links and feed entry ids carry
that address, and uploaded by mistake every feed entry would change identity.

The server is the standard library's threaded HTTP server, bound to the loopback interface
only, serving the preview in a background thread. Changes are found by polling the
modification times and sizes of ``syndicate.toml``, ``statements/`` and ``locales/``: simple,
portable, and cheap for a press office's few hundred files.

The open browser page reloads itself after each new publish: every HTML page is served with
one more line, a script of this server's own (``/.syndicate-serve/reload.js``) that asks for
the served version (``/.syndicate-serve/version``) twice a second. The files on disk, and any
published site, never contain it.

Nothing here prints: progress and problems go to the ``report`` callable the CLI passes in.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from syndicate.backends import Resident
from syndicate.errors import SyndicateError

HOST = "127.0.0.1"
WATCHED = ("syndicate.toml", "statements", "locales")
PREVIEW_DIR = ".syndicate-serve"  # in the project: the preview's output, versions, lock, cache
PREVIEW_OUT = "site"  # the preview's output link, in PREVIEW_DIR
LIVE = "/.syndicate-serve/"  # the server's own URLs (no published file starts with a dot)
RELOAD_SCRIPT = b"""\
// syndicate serve's live preview: reloads this page once a new publish is served. Served by
// `syndicate serve` only; no published site contains it.
(() => {
  let seen = null;
  const check = () => fetch("/.syndicate-serve/version", {cache: "no-store"})
    .then((answer) => (answer.ok ? answer.text() : seen))
    .then((version) => {
      if (seen !== null && version !== seen) location.reload();
      seen = version;
    })
    .catch(() => {})
    .finally(() => setTimeout(check, 500));
  check();
})();
"""
RELOAD_TAG = f'<script src="{LIVE}reload.js"></script>\n'.encode()
PREVIEW_NOTE = """\
This folder is syndicate serve's preview: a publish for http://127.0.0.1 (its links and feed
entry ids name that address). Never upload it; publish the site with `syndicate publish`.
It is safe to delete; serve writes it again.
"""


def _version(out: Path) -> bytes:
    """The name of the version ``out`` (the preview's output link) shows, as served."""
    try:
        return os.readlink(out).encode()
    except OSError:
        return b""


def preview_folder(root: Path) -> Path:
    """Where ``serve`` publishes ``root``'s preview (the output link; the rest is beside it)."""
    return root / PREVIEW_DIR / PREVIEW_OUT

Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every watched source file's (modification time in ns, size), by path."""
    found: Snapshot = {}
    for name in WATCHED:
        path = root / name
        paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in paths:
            try:
                stat = file.stat()
            except OSError:  # removed while we looked: the next poll sees it gone
                continue
            found[file.as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr; a path no file can have (``%00``
    decodes to a NUL byte, which the file system calls refuse with ValueError) is a 404.
    HTML pages get the live preview's script; the server's own URLs answer under LIVE."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> Any:
        own = self.path.split("?")[0]
        if own == f"{LIVE}reload.js":
            return self._answer(RELOAD_SCRIPT, "text/javascript; charset=utf-8")
        if own == f"{LIVE}version":
            return self._answer(_version(Path(self.directory)), "text/plain; charset=utf-8")
        try:
            page = self._page(own)
            return self._answer(page, "text/html; charset=utf-8") if page is not None else (
                super().send_head())
        except ValueError:
            self.send_error(404, "File not found")
            return None

    def _page(self, own: str) -> bytes | None:
        """The HTML page the request names (``own``: its path without the query), with the
        live preview's script; None for any other file (served as it is)."""
        path = Path(self.translate_path(self.path))
        if own.endswith("/"):
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file():
            return None
        page = path.read_bytes()
        end = page.rfind(b"</body>")
        return page[:end] + RELOAD_TAG + page[end:] if end >= 0 else page + RELOAD_TAG

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a preview: always the latest publish
        super().end_headers()

    def _answer(self, body: bytes, kind: str) -> io.BytesIO:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class _Server(ThreadingHTTPServer):
    """The HTTP server; an error while answering one request ends that request with one line
    to ``report`` (the standard library prints a traceback to stderr), never the server."""

    daemon_threads = True

    def __init__(self, port: int, handler: Callable[..., SimpleHTTPRequestHandler],
                 report: Callable[[str], None]) -> None:
        super().__init__((HOST, port), handler)
        self.report = report

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):  # a browser that went away: nothing to say
            self.report(f"Error answering a request: {error!r}")


class Server:
    """Publishes a preview of ``root`` into :func:`preview_folder` and serves it on
    127.0.0.1:``port``.

    ``base_url`` defaults to the server's own address, so every link of the published site
    (they are absolute) leads back to this server. ``port`` 0 picks a free port.
    """

    def __init__(
        self,
        root: Path,
        port: int,
        base_url: str | None,
        now: Callable[[], datetime],
        report: Callable[[str], None],
    ) -> None:
        self.root, self.now, self.report = root, now, report
        self.out = preview_folder(root)
        handler = functools.partial(_QuietHandler, directory=os.fspath(self.out))
        self.httpd = _Server(port, handler, report)
        self.url = f"http://{HOST}:{self.httpd.server_address[1]}/"
        self.base_url = base_url or self.url
        self._seen: Snapshot = {}
        self.backend = Resident()  # the renderers stay warm from one publish to the next
        self._next_live: datetime | None = None  # when the next scheduled statement goes live
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def publish(self) -> None:
        """Publish now; raises SyndicateError for bad input."""
        from syndicate import publish as pipeline
        from syndicate.project import load
        from syndicate.workflow import next_go_live

        self._seen = snapshot(self.root)
        self._next_live = None  # a failed publish waits for the next change of a source
        loaded = load(self.root, self.base_url, cache=True)  # unchanged statements: cached
        # The preview is not sealed (no key is opened for it), so its PDFs do not say they are.
        loaded = replace(loaded, site=replace(loaded.site, sealed=False))
        for warning in loaded.warnings:
            self.report(str(warning))
        self.out.parent.mkdir(exist_ok=True)
        note = self.out.parent / "README.txt"
        if not os.path.lexists(note):
            note.write_text(PREVIEW_NOTE, encoding="utf-8")
        now = self.now()
        # The pages and feeds of a change first, the previous PDFs and cards standing in for a
        # moment; then the documents laid out again (the page open in a browser reloads twice).
        first = pipeline.publish_pages_first(loaded, self.out, now, self.backend)
        if first.deferred:
            self.report(f"Published {first.published} statement(s): {first.files} files "
                        f"({len(first.deferred)} PDF and card files follow)")
            result = pipeline.publish(loaded, self.out, now, backend=self.backend)
        else:
            result = first
        upcoming = next_go_live(loaded.statements, now)
        self._next_live = upcoming.goes_live if upcoming else None
        self.report(f"Published {result.published} statement(s): {result.files} files")

    def start(self) -> None:
        """The first publish (bad input raises), then serve in a background thread."""
        self.publish()
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def poll(self) -> bool:
        """Republish if a source changed since the last publish, or a scheduled statement went
        live (``now`` passed its instant); True when it did.

        A problem in the new sources is reported and the previous output stays served; so is
        any other failure (one line, no traceback): a preview server outlives what it serves.
        """
        due = self._next_live is not None and self.now() >= self._next_live
        if not due and snapshot(self.root) == self._seen:
            return False
        try:
            self.publish()
        except SyndicateError as exc:
            for problem in getattr(exc, "problems", ()):
                self.report(str(problem))
            self.report(f"Error: {exc.format_message()} (still serving the previous publish)")
        except Exception as exc:  # noqa: BLE001  (reported; the last good publish stays)
            self.report(f"Error: {exc!r} (still serving the previous publish)")
        return True

    def watch(self, interval: float = 0.5) -> None:
        """Poll until :meth:`stop` is called."""
        while not self._stop.wait(interval):
            self.poll()

    def stop(self) -> None:
        """Stop watching and serving, release the port and stop the workers, if any."""
        self._stop.set()
        if self._thread is not None:  # shutdown() waits for serve_forever: only when it runs
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()
        self.backend.close()
