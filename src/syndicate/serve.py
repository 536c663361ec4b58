"""``syndicate serve``: publish a preview, serve it on 127.0.0.1, republish when a source changes
or a scheduled statement goes live.

The preview is published into a folder of its own, ``PROJECT/.syndicate-serve/`` (its output
link ``site``, with its own versions, lock and cache index beside it), never into the production
output: a preview is made for ``http://127.0.0.1:PORT/``, so its links and feed entry ids carry
that address, and uploaded by mistake every feed entry would change identity.

The server is the standard library's threaded HTTP server, bound to the loopback interface
only, serving the preview in a background thread. Changes are found by looking at the sizes,
times and inodes of ``syndicate.toml`` and of what is under ``statements/`` and ``locales/``
(one stat call each, as a publish's scan): where the kernel can say which of them changed
(see :mod:`syndicate.watch`), when it says something did (at once) and every
:data:`LOOK_EVERY` seconds, for what no watch sees; elsewhere at each poll (figures in
``benchmarks/notes.md``).

The open browser page reloads itself after each new publish: every HTML page is served with
one more line, a script of this server's own (``/.syndicate-serve/reload.js``) that asks for
the served version (``/.syndicate-serve/version``) twice a second. The files on disk, and any
published site, never contain it. A saved statement's pages are shown before the publish that
follows: rendered at once and served from memory until it has written them (see
:mod:`syndicate.livepages`).

Nothing here prints: progress and problems go to the ``report`` callable the CLI passes in.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from syndicate.backends import Resident
from syndicate.errors import SyndicateError

if TYPE_CHECKING:
    from syndicate.project import Project
    from syndicate.watch import Watcher

HOST = "127.0.0.1"
POLL_EVERY = 0.5  # seconds between two polls (at once, where the kernel tells of a change)
SETTLE = 0.02  # seconds without a word from the kernel before a save is taken as done
# Seconds between two looks at every source while the kernel tells of no change (what no watch
# sees: a write through another hard link, another machine's on a network file system)
LOOK_EVERY = 10.0
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


class Shown:
    """Pages shown before the publish that writes them (by output path), and how many times
    they changed: part of the served version, so that an open page reloads for them."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.changes = 0

    def show(self, files: dict[str, bytes]) -> None:
        self.files = {**self.files, **files}  # (a new dict: requests read it meanwhile)
        self.changes += 1

    def clear(self) -> None:
        if self.files:
            self.files = {}
            self.changes += 1

    def version(self, out: Path) -> bytes:
        """The served version: the name of the version ``out`` (the preview's output link)
        shows, and the pages shown ahead of it."""
        try:
            name = os.readlink(out).encode()
        except OSError:
            name = b""
        return name + (b"+%d" % self.changes if self.files else b"")


def preview_folder(root: Path) -> Path:
    """Where ``serve`` publishes ``root``'s preview (the output link; the rest is beside it)."""
    return root / PREVIEW_DIR / PREVIEW_OUT

Snapshot = dict[str, tuple[object, ...]]


def _differing(seen: Snapshot, now: Snapshot) -> set[str]:
    """The paths whose rows differ between two snapshots (or that one of them lacks)."""
    return {path for path in seen.keys() | now.keys() if seen.get(path) != now.get(path)}


def snapshot(root: Path) -> Snapshot:
    """Every source file and folder (``syndicate.toml``, what is under ``statements/`` and
    ``locales/``), by path relative to ``root`` (a folder's ends with a slash): its size,
    times, inode and mode, as a publish's scan sees them (:func:`syndicate.walk.rows`: one
    stat call each)."""
    from syndicate import walk

    return {row[0]: row[1:] for row in walk.rows(root)}


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr; a path no file can have (``%00``
    decodes to a NUL byte, which the file system calls refuse with ValueError) is a 404.
    HTML pages get the live preview's script; the server's own URLs answer under LIVE; the
    pages the server shows ahead of their publish are served from there."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> Any:
        own = self.path.split("?")[0]
        assert isinstance(self.server, _Server)
        shown = self.server.shown
        if own == f"{LIVE}reload.js":
            return self._answer(RELOAD_SCRIPT, "text/javascript; charset=utf-8")
        if own == f"{LIVE}version":
            return self._answer(shown.version(Path(self.directory)),
                                "text/plain; charset=utf-8")
        name = unquote(own).lstrip("/") + ("index.html" if own.endswith("/") else "")
        ahead = shown.files.get(name)
        if ahead is not None:
            return self._ahead(name, ahead)
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
        return _with_reload(path.read_bytes())

    def _ahead(self, name: str, data: bytes) -> io.BytesIO:
        """A file shown ahead of its publish (``name``: its path in the output)."""
        kind = self.guess_type(name)
        if kind == "text/html":
            return self._answer(_with_reload(data), "text/html; charset=utf-8")
        return self._answer(data, kind)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a preview: always the latest publish
        super().end_headers()

    def _answer(self, body: bytes, kind: str) -> io.BytesIO:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def _with_reload(page: bytes) -> bytes:
    """An HTML page with the live preview's script."""
    end = page.rfind(b"</body>")
    return page[:end] + RELOAD_TAG + page[end:] if end >= 0 else page + RELOAD_TAG


class _Server(ThreadingHTTPServer):
    """The HTTP server; an error while answering one request ends that request with one line
    to ``report`` (the standard library prints a traceback to stderr), never the server."""

    daemon_threads = True

    def __init__(self, port: int, handler: Callable[..., SimpleHTTPRequestHandler],
                 report: Callable[[str], None]) -> None:
        super().__init__((HOST, port), handler)
        self.report = report
        self.shown = Shown()  # pages served ahead of their publish

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
        self.shown = self.httpd.shown
        self.url = f"http://{HOST}:{self.httpd.server_address[1]}/"
        self.base_url = base_url or self.url
        self._seen: Snapshot = {}
        self._looked = 0.0  # (time.monotonic() of the last look at every source)
        self._watcher: Watcher | None = None  # (see start)
        self._polling = threading.Lock()  # (stop closes the watcher between two polls)
        self.backend = Resident()  # the renderers stay warm from one publish to the next
        self._project: Project | None = None  # as the latest successful publish loaded it
        self._next_live: datetime | None = None  # when the next scheduled statement goes live
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def publish(self) -> None:
        """Publish now; raises SyndicateError for bad input."""
        from syndicate import publish as pipeline
        from syndicate.project import load
        from syndicate.workflow import next_go_live

        self._seen = self._look()
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
        self._project = loaded
        upcoming = next_go_live(loaded.statements, now)
        self._next_live = upcoming.goes_live if upcoming else None
        self.report(f"Published {result.published} statement(s): {result.files} files")

    def start(self) -> None:
        """The first publish (bad input raises), then serve in a background thread."""
        from syndicate.watch import watcher

        self._watcher = watcher(self.root)  # (before the publish looks: no change missed)
        self.publish()
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def poll(self) -> bool:
        """Republish if a source changed since the last publish, or a scheduled statement went
        live (``now`` passed its instant); True when it did.

        A problem in the new sources is reported and the previous output stays served; so is
        any other failure (one line, no traceback): a preview server outlives what it serves.
        """
        with self._polling:
            return self._poll()

    def _poll(self) -> bool:
        due = self._next_live is not None and self.now() >= self._next_live
        named = self._named_changes()
        if named:
            named = self._news(named)
        if named == set() and not due and time.monotonic() < self._looked + LOOK_EVERY:
            return False  # (the kernel saw none: no file is looked at)
        if named and not due:
            self._show_ahead(named)
        now = self._look()
        if not due and now == self._seen:
            self.shown.clear()
            return False
        if named is None and not due:
            self._show_ahead(_differing(self._seen, now))
        try:
            self.publish()
        except SyndicateError as exc:
            for problem in getattr(exc, "problems", ()):
                self.report(str(problem))
            self.report(f"Error: {exc.format_message()} (still serving the previous publish)")
        except Exception as exc:  # noqa: BLE001  (reported; the last good publish stays)
            self.report(f"Error: {exc!r} (still serving the previous publish)")
        finally:
            self.shown.clear()  # the publish wrote them, or the previous one is served
        return True

    def _look(self) -> Snapshot:
        """Every source, looked at now (see :func:`snapshot`)."""
        self._looked = time.monotonic()
        return snapshot(self.root)

    def _named_changes(self) -> set[str] | None:
        """The sources the kernel says changed since the last poll (see
        :mod:`syndicate.watch`); None when it cannot say (then every file is looked at), and
        when the watcher lost track of a folder, the folders are watched anew (or from now on
        not at all)."""
        from syndicate.watch import watcher

        if self._watcher is None:
            return None
        try:
            named, lost = self._watcher.changes(), self._watcher.lost
        except OSError:  # (the kernel's queue unreadable: watched anew)
            named, lost = None, True
        if lost:  # (before looking: a change meanwhile is seen either way)
            self._watcher.close()
            try:
                self._watcher = watcher(self.root)
            except OSError:
                self._watcher = None
        return named

    def _news(self, named: set[str]) -> set[str]:
        """Those of the ``named`` paths, and of their folders, whose rows are not the last
        look's (the kernel may tell after a look of a change that look saw already; a path
        gone then and now is no news)."""
        from syndicate.walk import UNREADABLE, file_rows

        folders = {f"{path.rstrip('/').rpartition('/')[0]}/" for path in named if "/" in path}
        return {row[0] for row in file_rows(self.root, sorted(named | folders))
                if self._seen.get(row[0], UNREADABLE) != row[1:]}

    def _show_ahead(self, changed: set[str]) -> None:
        """Serve the pages of the statements whose files alone changed (``changed``: their
        paths) since the latest publish at once, when they can be (see
        :mod:`syndicate.livepages`)."""
        from syndicate import livepages

        project = self._project
        ids = livepages.changed_statements(changed)
        if project is None or not ids:
            return
        try:
            files = livepages.render(project, ids, self.now(),
                                     self.backend.renderers(project.context()))
        except Exception as exc:  # noqa: BLE001  (the publish that follows reports it)
            self.report(f"Error showing the saved pages at once: {exc!r}")
            return
        if files is not None:
            self.shown.show(files)

    def watch(self, interval: float = POLL_EVERY) -> None:
        """Poll until :meth:`stop` is called: every ``interval`` seconds, and at once when the
        kernel tells of a change."""
        while not self._stop.is_set():
            watcher = self._watcher
            if watcher is not None:
                if watcher.wait(interval):
                    self._settle(interval)
            elif self._stop.wait(interval):
                break
            if not self._stop.is_set():
                self.poll()

    def _settle(self, most: float) -> None:
        """Let a save end before it is taken (see :meth:`syndicate.watch.Watcher.settle`)."""
        with self._polling:  # (the watcher is closed only between two polls)
            if self._watcher is not None:
                self._watcher.settle(SETTLE, most)

    def stop(self) -> None:
        """Stop watching and serving, release the port and stop the workers, if any."""
        self._stop.set()
        if self._thread is not None:  # shutdown() waits for serve_forever: only when it runs
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()
        self.backend.close()
        with self._polling:
            watcher, self._watcher = self._watcher, None
            if watcher is not None:
                watcher.close()
