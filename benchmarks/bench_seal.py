"""Key rotation on a sealed project: re-seal against a full publish (issue 25).

    make bench-seal                                # also a step of `make bench`
    .venv/bin/python benchmarks/bench_seal.py --statements 100

A project of N statements from :mod:`corpus` (each published as two communiqués and a
multilingual edition) with a ``[seal]`` from a throw-away PKI (tests/seal/pki.py: a root, an
intermediate, two seals). Then, each in a fresh ``syndicate publish`` process:

1. a full publish, sealed with the first key (everything laid out and sealed);
2. a no-op publish (nothing changed: nothing laid out, nothing sealed);
3. the key rotated to the second seal: the publish re-seals every PDF from the layout the
   previous version holds, and lays out nothing (its own counts show it: "Rendering 0 unit(s)"
   and "re-sealed N").

The baseline: the same project published without ``[seal]`` (into another folder), first.
The target: the rotation lays out no document and costs at most a third of the sealed full
publish.
The table is printed and written to ``benchmarks/results-seal.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests" / "seal")]

import corpus  # noqa: E402
import pki  # noqa: E402

NOW = "2026-11-28T12:00:00+00:00"
TARGET = 1 / 3


def seal_table(folder: Path, p12: Path) -> str:
    return (f'\n[seal]\npkcs12 = "{p12}"\nchain = ["{folder / "intermediate.pem"}"]\n'
            f'trust_roots = ["{folder / "root.pem"}"]\n'
            '[seal.reason]\npt = "Selo eletrónico"\nen = "Electronic seal"\n'
            '[seal.location]\npt = "Lisboa"\nen = "Lisbon"\n')


def make_keys(folder: Path) -> tuple[Path, Path]:
    root = pki.issue("Bench Root", ca=True)
    intermediate = pki.issue("Bench Seals CA", root, ca=True)
    root.pem(folder / "root.pem")
    intermediate.pem(folder / "intermediate.pem")
    first, second = folder / "seal-2026.p12", folder / "seal-2027.p12"
    pki.p12(first, pki.issue("Press Office Seal 2026", intermediate), [intermediate])
    pki.p12(second, pki.issue("Press Office Seal 2027", intermediate), [intermediate])
    return first, second


def publish(project: Path, *extra: str) -> tuple[float, str]:
    command = [str(Path(sys.executable).parent / "syndicate"), "publish", "--project",
               str(project), "--now", NOW, "--verbose", *extra]
    env = os.environ | {"SYNDICATE_SEAL_PASSPHRASE": pki.PASSPHRASE}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"publish failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def counts(output: str) -> str:
    laid = re.search(r"Rendering (\d+) unit\(s\)", output)
    resealed = re.search(r"re-sealed (\d+)", output)
    return (f"{laid.group(1) if laid else 0} units laid out, "
            f"{resealed.group(1) if resealed else 0} PDFs re-sealed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=100)
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results-seal.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="syndicate-bench-seal-") as work:
        folder = Path(work)
        first, second = make_keys(folder)
        project = folder / "project"
        corpus.write_project(corpus.generate(args.statements), project)
        config = project / "syndicate.toml"
        plain = config.read_text(encoding="utf-8")
        unsealed, _ = publish(project, "--out", str(folder / "unsealed"))
        config.write_text(plain + seal_table(folder, first), encoding="utf-8")
        full, full_out = publish(project)
        noop, noop_out = publish(project)
        config.write_text(plain + seal_table(folder, second), encoding="utf-8")
        rotation, rotation_out = publish(project)
        pdfs = len(list((project / "dist").glob("**/*.pdf")))
    ratio = rotation / full
    passed = ratio <= TARGET and "Rendering 0 unit(s)" in rotation_out
    rows = [
        ("full publish without [seal] (the baseline)", f"{unsealed:.1f} s", "", "1.00x"),
        ("full publish, sealed with the first key", f"{full:.1f} s", counts(full_out),
         f"{full / unsealed:.2f}x"),
        ("no-op publish", f"{noop:.2f} s", counts(noop_out) if "Rendering" in noop_out
         else "nothing changed", ""),
        ("key rotated: re-seal every PDF, no layout, <= 1/3 of the sealed full publish",
         f"{rotation:.1f} s", counts(rotation_out),
         f"{rotation / unsealed:.2f}x ({ratio:.2f}x the sealed one) "
         f"{'PASS' if passed else 'FAIL'}"),
    ]
    lines = [f"# Seal benchmark: {args.statements} statements, {pdfs} sealed PDFs",
             "", f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}", "",
             "| run | wall | counts | ratio to the unsealed publish |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    args.results.write_text(text, encoding="utf-8")
    if not passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
