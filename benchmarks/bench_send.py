"""`syndicate send` to 10,000 recipients against a plain smtplib loop sending the same messages.

    make bench-send                              # also the last step of `make bench`
    .venv/bin/python benchmarks/bench_send.py --recipients 10000

A throw-away copy of the shipped project is published once; a list of N recipients (half pt,
half en) is written; a local aiosmtpd server (its own process, counting and discarding what it
receives) listens on 127.0.0.1. Then, alternated:

- the plain loop: the very messages ``send --dry-run`` wrote (``.eml`` files, read into memory
  first), sent over one ``smtplib`` connection with ``sendmail``: no composing, no journal;
- ``syndicate send`` in a fresh process, with 1 connection, then with 2 (the default): start-up,
  loading, composing, journaling every message before and after its transaction (SQLite, WAL),
  each with a fresh journal.

The target (issue 24): syndicate's messages per second within 1.5x of the loop's (a ratio of
wall times at most 1.5). The table is printed and written to ``benchmarks/results-send.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SID = "2022-11-22-vitorino-iom"
NOW = "2026-11-28T12:00:00+00:00"
TARGET = 1.5


def serve(port: int) -> None:
    """The SMTP server process: accepts everything, keeps nothing."""
    from aiosmtpd.controller import Controller

    class Discard:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            return "250 OK"

    controller = Controller(Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        asyncio.run(asyncio.sleep(10**6))
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def syndicate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndicate", *map(str, args)],
                          capture_output=True, text=True, check=True)


def make_project(folder: Path, port: int, recipients: int, attach: str) -> Path:
    project = folder / "project"
    project.mkdir()
    shutil.copy(ROOT / "syndicate.toml", project)
    for name in ("statements", "locales"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("*.mo"))
    syndicate("publish", "--project", project, "--now", NOW, "-q")
    with (project / "syndicate.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                     f'from = "press@gov.example"\nattach = "{attach}"\n')
    rows = [f"reader{n:05d}@news{n % 97}.example,Reader {n},{('pt', 'en')[n % 2]},,no"
            for n in range(recipients)]
    (project / "lists").mkdir()
    (project / "lists" / "bench.csv").write_text(
        "address,name,language,tags,accredited\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return project


def plain_loop(folder: Path, port: int) -> float:
    messages = []
    for path in sorted(folder.iterdir()):
        address = path.stem.split("-", 2)[2]
        messages.append((address, path.read_bytes()))
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for address, data in messages:
            smtp.sendmail("press@gov.example", [address], data)
    return time.perf_counter() - start


def syndicate_send(project: Path, connections: int) -> tuple[float, str]:
    shutil.rmtree(project / ".syndicate-state", ignore_errors=True)
    text = (project / "syndicate.toml").read_text(encoding="utf-8")
    head, _, _ = text.partition("\nconnections = ")
    (project / "syndicate.toml").write_text(f"{head.rstrip()}\nconnections = {connections}\n",
                                            encoding="utf-8")
    start = time.perf_counter()
    result = syndicate("send", SID, "--project", project, "--list", "bench", "--now", NOW)
    return time.perf_counter() - start, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10000)
    parser.add_argument("--attach", choices=("pdf", "link"), default="pdf")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(options.serve)
        return
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            time.sleep(1)
            rows = run(Path(tmp), port, options.recipients, options.attach)
    finally:
        server.terminate()
        server.wait()
    report(rows, options)


def run(tmp: Path, port: int, recipients: int, attach: str) -> list[tuple[str, float, str]]:
    project = make_project(tmp, port, recipients, attach)
    eml = tmp / "eml"
    syndicate("send", SID, "--project", project, "--list", "bench", "--now", NOW,
              "--dry-run", eml)
    loop_1 = plain_loop(eml, port)
    one, summary_1 = syndicate_send(project, 1)
    two, summary_2 = syndicate_send(project, 2)
    loop_2 = plain_loop(eml, port)
    size = sum(p.stat().st_size for p in eml.iterdir()) // recipients
    loop = (loop_1 + loop_2) / 2
    return [("plain smtplib loop (1 connection), same messages", loop,
             f"mean of 2 ({loop_1:.1f}, {loop_2:.1f} s); {size:,} bytes a message"),
            ("syndicate send, 1 connection", one, summary_1),
            ("syndicate send, 2 connections (default)", two, summary_2)]


def report(rows: list[tuple[str, float, str]], options: argparse.Namespace) -> None:
    """Print the table and write it into ``results-send.md`` as the section of this --attach
    mode (the other mode's section is kept)."""
    n = options.recipients
    loop = rows[0][1]
    lines = [
        f"## attach = {options.attach}", "",
        f"`python benchmarks/bench_send.py --recipients {n} --attach {options.attach}` on "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}; a local aiosmtpd server in its own process. "
        "syndicate's times are whole commands (start-up, loading, composing, journaling).", "",
        "| run | wall time | messages/s | ratio to the loop | result | notes |",
        "|---|---|---|---|---|---|"]
    for name, seconds, notes in rows:
        ratio = seconds / loop
        verdict = "" if seconds is loop else ("PASS" if ratio <= TARGET else "FAIL")
        lines.append(f"| {name} | {seconds:.1f} s | {n / seconds:,.0f} | {ratio:.2f}x | "
                     f"{verdict} | {notes} |")
    section = "\n".join(lines) + "\n"
    print(section)
    path = ROOT / "benchmarks" / "results-send.md"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    sections = {part.split("\n", 1)[0]: "## " + part for part in old.split("\n## ")[1:]}
    sections[f"attach = {options.attach}"] = section
    head = ("# Benchmark: `syndicate send` (`make bench-send`)\n\nTarget (issue 24): messages "
            f"per second within {TARGET}x of a plain smtplib loop sending the same messages.\n")
    body = "\n".join(sections[key].rstrip("\n") + "\n" for key in sorted(sections))
    path.write_text(head + "\n" + body, encoding="utf-8")

if __name__ == "__main__":
    main()
