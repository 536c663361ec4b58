"""The live preview (issue 26): from saving a statement to its page served anew by
``syndicate serve``, and to its PDF, on projects of the given sizes.

    make bench-serve                               # also a step of `make bench`
    .venv/bin/python benchmarks/bench_serve.py --sizes 1 1000

Each size is a fresh project (1: the shipped statement; more: :mod:`corpus`), published once by
``syndicate publish`` (so that the preview starts from a warm cache), then served by
:class:`syndicate.serve.Server` in this process, as the command does (with its collection
thresholds), watching every 50 ms. Ten times, one statement's Portuguese title is changed and
saved; the clock runs until the served page (fetched over HTTP every 10 ms) shows the new title,
then until its communiqué is a new file. The medians are the rows; the target: the page under
300 ms. The serving process's memory (resident, from ``/proc``) after the first save and after
the last shows whether a long preview session grows.

A second table (``--poll-sizes``, on :mod:`corpus` projects written but not published) gives
what a poll costs while nothing changes, which is most of a preview session: a look at every
source file (:func:`syndicate.serve.snapshot`, what each poll did before the kernel was asked)
against the kernel's word (:meth:`syndicate.watch.Watcher.changes`), the watcher's start (a
watch on every folder), and the share of a core a preview then takes while nothing changes
(a look at each poll, against one every :data:`syndicate.serve.LOOK_EVERY` seconds). Medians
of 5. The tables go to ``benchmarks/results-serve.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus  # noqa: E402
from bench import memory_kib  # noqa: E402

from syndicate.processes import fewer_collections  # noqa: E402
from syndicate.serve import LOOK_EVERY, POLL_EVERY, Server, snapshot  # noqa: E402
from syndicate.watch import watcher  # noqa: E402

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
TARGET_MS = 300
ROUNDS = 10
SHIPPED = "2022-11-22-vitorino-iom"


def project_of(size: int, folder: Path) -> tuple[Path, str]:
    """A project of ``size`` statements and the id of the one to edit."""
    project = folder / f"project-{size}"
    if size <= 1:
        project.mkdir(parents=True)
        for name in ("syndicate.toml", "statements", "locales"):
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
        return project, SHIPPED
    records = corpus.generate(size)
    corpus.write_project(records, project)
    return project, records[len(records) // 2].id


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def wait(condition: object, deadline: float = 120.0) -> float:
    assert callable(condition)
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > deadline:
            raise SystemExit("the preview did not change within two minutes")
        time.sleep(0.01)
    return time.perf_counter() - start


def retitle(source: Path, title: str) -> None:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [f'title: "{title}"\n' if line.startswith("title:") else line for line in lines]
    source.write_text("".join(lines), encoding="utf-8")


@dataclass(frozen=True)
class Measured:
    page: float  # median seconds from a save to its page served anew
    pdf: float  # ... to its communiqué
    memory: tuple[int, int]  # MB resident after the first save and after the last


def measure(size: int, work: Path) -> Measured:
    project, statement = project_of(size, work)
    subprocess.run([Path(sys.executable).parent / "syndicate", "publish", "--project", project,
                    "--now", NOW.isoformat(), "--quiet"], check=True)
    with fewer_collections():  # (as every command runs)
        return _saves(project, statement)


def _saves(project: Path, statement: str) -> Measured:
    server = Server(project, 0, None, lambda: NOW, lambda message: None)
    watcher = threading.Thread(target=server.watch, kwargs={"interval": 0.05}, daemon=True)
    pages, pdfs, memory = [], [], []
    try:
        server.start()
        watcher.start()
        page = f"{server.url}pt/{statement}/"
        pdf = server.out / "pt" / statement / f"{statement}-pt.pdf"
        source = project / "statements" / statement / "pt.md"
        for round_ in range(ROUNDS):
            title = f"Título mudado {round_}"
            before = pdf.resolve().stat().st_ino
            started = time.perf_counter()
            retitle(source, title)
            wait(lambda title=title: title.encode() in fetch(page))
            pages.append(time.perf_counter() - started)
            wait(lambda before=before: pdf.resolve().stat().st_ino != before)
            pdfs.append(time.perf_counter() - started)
            time.sleep(0.3)  # (the second publish's reload settles)
            memory.append(memory_kib("self", "VmRSS") // 1024)  # (resident now)
    finally:
        server.stop()
    return Measured(statistics.median(pages), statistics.median(pdfs), (memory[0], memory[-1]))


def idle_polls(size: int, work: Path) -> tuple[float, float, float]:
    """Median seconds of a look at every source, of asking the kernel, and of the watcher's
    start, on a project of ``size`` statements where nothing changes."""
    project = work / f"idle-{size}"
    corpus.write_project(corpus.generate(size), project)
    looks, asks, starts = [], [], []
    for _ in range(5):
        started = time.perf_counter()
        snapshot(project)
        looks.append(time.perf_counter() - started)
        started = time.perf_counter()
        watching = watcher(project)
        starts.append(time.perf_counter() - started)
        if watching is None:
            raise SystemExit("this machine cannot watch the sources (see syndicate.watch)")
        started = time.perf_counter()
        assert watching.changes() == set()
        asks.append(time.perf_counter() - started)
        watching.close()
    return statistics.median(looks), statistics.median(asks), statistics.median(starts)


def _idle_rows(sizes: list[int], work: Path) -> list[str]:
    rows = ["| statements | a poll looking at every source | a poll asking the kernel "
            "| the watcher's start | a core's share while idle: a look each poll "
            f"({POLL_EVERY} s), "
            f"a look every {LOOK_EVERY:.0f} s |", "|---|---|---|---|---|"]
    for size in sizes:
        look, ask, start = idle_polls(size, work)
        rows.append(f"| {size:,} | {look * 1000:.1f} ms | {ask * 1000:.3f} ms "
                    f"| {start * 1000:.0f} ms | {min(1.0, look / POLL_EVERY):.0%}, "
                    f"{look / LOOK_EVERY:.1%} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 1000])
    parser.add_argument("--poll-sizes", type=int, nargs="*", default=[1000, 16000])
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results-serve.md")
    args = parser.parse_args()
    rows = ["| statements | save to page served | save to PDF served | page < 300 ms "
            f"| serving process after save 1, after save {ROUNDS} |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="syndicate-bench-serve-") as work:
        for size in args.sizes:
            found = measure(size, Path(work))
            rows.append(f"| {size:,} | {found.page * 1000:.0f} ms | {found.pdf * 1000:.0f} ms | "
                        f"{'PASS' if found.page * 1000 < TARGET_MS else 'FAIL'} | "
                        f"{found.memory[0]} MB, {found.memory[1]} MB |")
        idle = _idle_rows(args.poll_sizes, Path(work))
    text = (f"# Live preview benchmark (issue 26)\n\n`python benchmarks/bench_serve.py --sizes "
            f"{' '.join(map(str, args.sizes))}` on {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}; medians of {ROUNDS} "
            f"saves, the watcher polling every 50 ms.\n\n" + "\n".join(rows) + "\n\n"
            "While nothing changes (medians of 5; projects written, not published):\n\n"
            + "\n".join(idle) + "\n")
    print(text)
    args.results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
