"""Shared fixtures and helpers: a copy of the repository's own project (config, statements,
catalogs), a folder served on 127.0.0.1, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import functools
import shutil
import stat
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from syndicate.cache import CACHE_DIR
from syndicate.cli import main
from syndicate.config import OUTPUT_DIR
from syndicate.mail.journal import STATE_DIR
from syndicate.processes import fork_is_safe
from syndicate.serve import PREVIEW_DIR

REPO = Path(__file__).resolve().parents[1]
SHIPPED_ID = "2022-11-22-vitorino-iom"
# Playwright never downloads a browser here: it launches Debian's chromium (installed by
# scripts/setup-system.sh) with flags that keep it off the network.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium "
                                    "(scripts/setup-system.sh installs it)")


def copy_project(root: Path) -> Path:
    """A copy of the shipped project (config, statements, catalogs without their .mo) in
    ``root``, which is made if need be."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "syndicate.toml", root / "syndicate.toml")
    shutil.copytree(REPO / "statements", root / "statements")
    shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns("*.mo"))
    return root


# What the commands write into a project's folder: the statement cache, serve's preview and
# send's state, the default output and, beside it, its versions, lock, cache index and record.
WRITTEN = (CACHE_DIR, PREVIEW_DIR, STATE_DIR, OUTPUT_DIR, f".{OUTPUT_DIR}.*")
_BEFORE = pytest.StashKey[tuple[tuple[str, int, int], ...]]()


def _written_state() -> tuple[tuple[str, int, int], ...]:
    """What a command run on the repository's own project would change in it (see
    :data:`WRITTEN`): each file's path, size and modification time."""
    found = []
    for pattern in WRITTEN:
        for top in REPO.glob(pattern):
            for path in (top, *top.rglob("*")):
                try:
                    info = path.stat()
                except OSError:  # (gone meanwhile)
                    continue
                if not stat.S_ISDIR(info.st_mode):
                    found.append((str(path.relative_to(REPO)), info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


# No test publishes, checks or serves the repository's own project: it works on a copy
# (copy_project). Tests running side by side would otherwise share that project's statement
# cache, whose entries a publish prunes when it did not use them. Checked around each test's
# setup and teardown, so that a module's or a session's fixtures are checked too.
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_BEFORE] = _written_state()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    before = item.stash.get(_BEFORE, None)
    if before is not None and _written_state() != before:
        raise AssertionError(
            f"{item.nodeid} (its fixtures included), or another process meanwhile, changed "
            f"what commands write in the repository's own project ({', '.join(WRITTEN)}): "
            "work on a copy of the project (conftest.copy_project)")


@pytest.fixture
def forkable() -> None:
    """For a test of what syndicate does in a process that may fork: skipped where the system
    never forks; failed when a thread an earlier test left running stops this process forking
    (see syndicate.processes.fork_is_safe), which the test would then not be testing."""
    if threading.active_count() == 1 and not fork_is_safe():
        pytest.skip("this system does not fork")
    assert fork_is_safe(), f"threads an earlier test left running: {threading.enumerate()}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throw-away copy of the shipped project."""
    return copy_project(tmp_path / "project")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` served on 127.0.0.1 while the block runs; yields its base URL (with a
    trailing slash)."""
    with listening(functools.partial(_Quiet, directory=str(folder))) as url:
        yield url


@contextmanager
def listening(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering with ``handler`` while the block runs; yields its
    base URL (with a trailing slash)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@contextmanager
def chromium(profile: Path, **options: Any) -> Iterator[Any]:
    """A Playwright browser context of Debian's Chromium with a fresh profile in ``profile``
    (``options``: Playwright's, such as ``viewport``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            **options)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def run() -> Callable[..., Result]:
    """Invoke the CLI in-process and return Click's result (stdout and stderr apart)."""

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def append(path: Path, text: str) -> int:
    """Append ``text`` to a file; the line number the text starts on."""
    before = path.read_text(encoding="utf-8")
    if not before.endswith("\n"):
        before += "\n"
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header claiming ``width`` x ``height`` pixels, with next to no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


# The seal tests' (tests/seal) throw-away PKI, SoftHSM2 token and NSS database, one each per
# session. One token for the whole session: python-pkcs11 loads the PKCS#11 module once per
# process, and SoftHSM2 reads its configuration (where its tokens are) only then, so a second
# token made later in the same process would not be seen.


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from sealkit import make_pki

    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def token(ca: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from sealkit import softhsm_token

    with softhsm_token(ca, tmp_path_factory.mktemp("softhsm")) as module:
        yield module


@pytest.fixture(scope="session")
def nssdb(ca: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    from sealkit import nss_database

    return str(nss_database(ca, tmp_path_factory.mktemp("nss")))


NUMBERED_CONFIG = """base_url = "https://press.example.org/"
timezone = "Europe/Lisbon"
default_language = "pt"

[feeds]
limit = {limit}

[languages.pt]
tag = "pt-PT"
title = "Comunicados"
issuer = "Governo de Portugal"

[languages.en]
tag = "en"
title = "Press statements"
issuer = "Portuguese Government"
"""


def numbered_project(root: Path, count: int, limit: int) -> Path:
    """A project of ``count`` short statements (see :func:`add_numbered`), ``limit`` of them
    per feed document and index page."""
    write(root / "syndicate.toml", NUMBERED_CONFIG.format(limit=limit))
    add_numbered(root, range(1, count + 1))
    return root


def add_numbered(root: Path, numbers: Iterable[int]) -> None:
    """Statement n: ``2020-01-01-s`` for 1, a day later for each next one, its titles
    "Comunicado n" (the original) and "Statement n"."""
    for n in numbers:
        day = date(2020, 1, 1) + timedelta(days=n - 1)
        folder = root / "statements" / f"{day.isoformat()}-s"
        write(folder / "statement.yaml", f"date: {day.isoformat()}\noriginal: pt\n")
        write(folder / "pt.md", f'---\ntitle: "Comunicado {n}"\n---\n\nTexto {n}.\n')
        write(folder / "en.md", f'---\ntitle: "Statement {n}"\n---\n\nText {n}.\n')
