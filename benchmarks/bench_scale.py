"""Archive scale (issue 26): publish, no-op, one edit, check, status and a publish of
everything again at 1,000, 4,000 and 16,000 statements, with peak memory, and Hugo's full build
of the same content beside them.

    make bench-scale                                   # also a step of `make bench`
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000 4000 16000

Each size is a fresh :mod:`corpus` project published with ``--without-pdf`` (pages, feeds,
cards and share files: the PDFs' layout grows with the archive by construction, and 16,000
statements' PDFs take hours here; the full publish with PDFs is `make bench`'s row). Each
command runs in a fresh process (`bench.run`: wall time, and the peak resident memory of the
process itself, VmHWM, polled every 50 ms; workers are not counted, as in `make bench`):

1. a full publish, then a wait until the spare of its version that it leaves to a background
process (see :mod:`syndicate.spare`) is ready, as it is for an office that edits minutes after
the last publish (how long that took is reported); 2. three no-op publishes in a row (the
median is kept); 3. one statement's English text edited, published, and so for two more
statements, each once the spare of the last edit's version is ready (the median of the three
is kept, as for the no-op: one edit's time varies by a third between runs; the peak memory
of the no-ops and of the edits is the largest of theirs); 4. ``syndicate check``;
5. ``syndicate status``; 6. a change of the site's settings that every output shows,
published: everything rendered again over the previous version (as after an upgrade; its
memory is the largest of all: the previous version's records and the new one's); and Hugo's
full build of the same content.

The targets: every peak under 400 MB; the no-op under 1 s and the edit under 2 s at every size.
Between sizes, the growth exponent of each time (``log(t2/t1) / log(n2/n1)``: 1 is linear,
0 is an edit that costs what it changes). The table goes to ``benchmarks/results-scale.md``.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus  # noqa: E402
import peers  # noqa: E402
from bench import Run, checked, run  # noqa: E402

NOW = "2026-11-28T12:00:00+00:00"
MEMORY_MB = 400
NOOP_S, EDIT_S = 1.0, 2.0
NOOPS = 3  # no-ops in a row: the median is kept (the first follows the full publish's writes)
EDITS = 3  # edits of as many statements, one after another: the median is kept
SYNDICATE = Path(sys.executable).parent / "syndicate"
COMMANDS = ("publish", "no-op", "edit", "check", "status", "re-render")  # (the table's order)


@dataclass
class Size:
    statements: int
    runs: dict[str, Run]
    hugo: Run | None
    noops: list[float]  # every no-op's seconds, the first right after the full publish
    spare: float  # seconds from the full publish's end to its version's spare being ready
    edits: list[float]  # every edit's seconds, in order

    def seconds(self, what: str) -> float:
        return self.runs[what].seconds

    def megabytes(self, what: str) -> float:
        return self.runs[what].peak_kib / 1024


def measure(count: int, work: Path) -> Size:
    project = work / f"project-{count}"
    records = corpus.generate(count)
    corpus.write_project(records, project)
    publish: list[str | Path] = [SYNDICATE, "publish", "--project", project, "--now", NOW,
                                 "--without-pdf"]
    runs = {"publish": checked(run(publish), f"publish of {count}")}
    spare = spare_ready(project / "dist")
    noops = [checked(run(publish), f"no-op of {count}") for _ in range(NOOPS)]
    runs["no-op"] = median(noops)
    middle = len(records) // 2
    edits = edit_runs(project, [r.id for r in records[middle:middle + EDITS]], publish)
    runs["edit"] = median(edits)
    runs["check"] = run([SYNDICATE, "check", "--project", project])  # (warnings: exit 0 or 1)
    runs["status"] = checked(run([SYNDICATE, "status", "--project", project]), "status")
    changed_site(project / "syndicate.toml")
    runs["re-render"] = checked(run(publish), f"re-render of {count}")
    hugo_run = None
    hugo = peers.hugo_binary()
    if hugo is not None:
        peers.write_hugo(records, work / f"hugo-{count}")
        hugo_run = checked(run([hugo, "--source", work / f"hugo-{count}", "--destination",
                                work / f"hugo-public-{count}", "--quiet"]), "hugo")
    return Size(count, runs, hugo_run, [r.seconds for r in noops], spare,
                [r.seconds for r in edits])


def median(runs: list[Run]) -> Run:
    """The run of the median time (as ``make bench`` keeps it), with the largest peak memory
    of them all (each must be under the target)."""
    kept = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    return replace(kept, peak_kib=max(r.peak_kib for r in runs))


def edit_runs(project: Path, statements: list[str],
              publish: Sequence[str | Path]) -> list[Run]:
    """Each of ``statements``' English text edited (a sentence added) and published, one after
    another, each once the last one's spare is ready (as an office's edits minutes apart;
    the spare is not linked while the next commands run)."""
    edits = []
    for statement in statements:
        edited = project / "statements" / statement / "en.md"
        edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                          encoding="utf-8")
        edits.append(checked(run(publish), f"edit of {statement}"))
        spare_ready(project / "dist")
    return edits


def changed_site(config: Path) -> None:
    """A change of the site's settings that every output shows (the English issuer, in each
    page, feed, communiqué and card's key): the next publish renders everything again, over
    the version before it, as after an upgrade of syndicate."""
    text = config.read_text(encoding="utf-8")
    changed = text.replace('issuer = "Portuguese Government"',
                           'issuer = "Portuguese Government, Lisbon"', 1)
    if changed == text:
        raise SystemExit(f"{config}: no English issuer to change")
    config.write_text(changed, encoding="utf-8")


def spare_ready(out: Path) -> float:
    """Seconds until the spare of the version ``out`` shows is ready (see :mod:`syndicate.spare`);
    0 for a site too small to get one."""
    from syndicate import spare

    started = time.perf_counter()
    version = out.resolve()
    if not spare.large(sum(1 for _ in version.rglob("*"))):
        return 0.0
    while not spare.path_of(version).is_dir():
        if time.perf_counter() - started > 600:
            raise SystemExit(f"the spare of {version} was not ready after 10 minutes")
        time.sleep(0.1)
    return time.perf_counter() - started


def growth(sizes: list[Size], what: str) -> str:
    """The exponents of ``what``'s time between successive sizes."""
    exponents = [math.log(b.seconds(what) / a.seconds(what)) / math.log(
        b.statements / a.statements) for a, b in zip(sizes, sizes[1:], strict=False)]
    return ", ".join(f"{e:.2f}" for e in exponents) or "-"


def table(sizes: list[Size]) -> tuple[str, int, int]:
    rows = ["| statements | publish (peak) | no-op (peak) | one edit (peak) | check (peak) "
            "| status (peak) | site settings changed: all again (peak) "
            "| Hugo full build (peak) |", "|---|---|---|---|---|---|---|---|"]
    passed = total = 0
    for size in sizes:
        cells = [f"{size.statements:,}"]
        for what in COMMANDS:
            megabytes = size.megabytes(what)
            limit = {"no-op": NOOP_S, "edit": EDIT_S}.get(what)
            ok = megabytes < MEMORY_MB and (limit is None or size.seconds(what) < limit)
            passed, total = passed + ok, total + 1
            cells.append(f"{size.seconds(what):.2f} s ({megabytes:.0f} MB) "
                         f"{'PASS' if ok else 'FAIL'}")
        hugo = size.hugo
        cells.append(f"{hugo.seconds:.2f} s ({hugo.peak_kib / 1024:.0f} MB)" if hugo else "n/a")
        rows.append("| " + " | ".join(cells) + " |")
    rows.append("| growth exponent | " + " | ".join(growth(sizes, what) for what in COMMANDS)
                + " | |")
    return "\n".join(rows), passed, total


def each_run(sizes: list[Size], what: str) -> str:
    """Every run's seconds of ``what`` ("noops" or "edits"), by size."""
    return "; ".join(f"{size.statements:,}: " + ", ".join(f"{s:.2f}" for s in getattr(size, what))
                     + " s" for size in sizes)


def against_hugo(sizes: list[Size]) -> str:
    """One edit's time as a share of Hugo's full build of the same content, in the same run:
    a baseline that this machine's speed, which varies by up to a third between runs, moves
    as much as it moves the edit."""
    return "; ".join(f"{size.statements:,}: {size.seconds('edit') / size.hugo.seconds:.3f}"
                     for size in sizes if size.hugo) or "no Hugo build"


def spare_waits(sizes: list[Size]) -> str:
    return "; ".join(f"{size.statements:,}: {size.spare:.1f} s" for size in sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 16000])
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results-scale.md")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="syndicate-bench-scale-") as work:
        sizes = [measure(count, Path(work)) for count in args.sizes]
    body, passed, total = table(sizes)
    text = (f"# Scale benchmark (issue 26)\n\n`python benchmarks/bench_scale.py --sizes "
            f"{' '.join(map(str, args.sizes))}` on {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}; publishes with "
            f"--without-pdf; the run took {(time.perf_counter() - started) / 60:.1f} min. "
            f"Targets: peak < {MEMORY_MB} MB for every command, no-op < {NOOP_S:.0f} s, one "
            f"edit < {EDIT_S:.0f} s; the no-op is the median of {NOOPS} in a row "
            f"({each_run(sizes, 'noops')}), the edit the median of {EDITS} statements' "
            f"({each_run(sizes, 'edits')}). Each full publish's spare was ready, in the "
            f"background, this long after it returned: {spare_waits(sizes)}.\n\n{body}\n\n"
            f"{passed} of {total} cells pass. One edit against Hugo's full build of the same "
            f"content in this run: {against_hugo(sizes)}.\n")
    print(text)
    args.results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
