"""Same input, same bytes, across two revisions: publish one corpus with the code of each and
compare every output file byte for byte (issue 23's constraint on refactoring the core).

    python benchmarks/compare_publish.py OLD_REV [NEW_REV] [--statements 100]

NEW_REV defaults to the working tree. Each revision is checked out into a temporary git worktree
(detached) and run with this interpreter and ``PYTHONPATH`` pointing at its ``src``, on its own
copy of the same corpus (``benchmarks/corpus.py``), with the same ``--now``. Prints the counts
and every differing, missing or extra file; exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NOW = "2026-11-28T00:00:00+00:00"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (beside this file)


def checkout(rev: str, into: Path) -> Path:
    """The ``src`` folder of ``rev`` (a worktree in ``into``), or this working tree's."""
    if rev == "WORKTREE":
        return REPO / "src"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(into), rev],
                   check=True)
    return into / "src"


def publish(src: Path, project: Path, out: Path) -> float:
    environment = {**os.environ, "PYTHONPATH": str(src)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "syndicate", "publish", "--project", str(project),
                    "--out", str(out), "--now", NOW, "--quiet"], check=True, env=environment)
    return time.perf_counter() - start


def digests(out: Path) -> dict[str, str]:
    version = out.resolve()  # the folder the dist link points at
    return {str(path.relative_to(version)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(version.rglob("*")) if path.is_file()}


def compare(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = [f"missing in new: {name}" for name in sorted(old.keys() - new.keys())]
    lines += [f"extra in new: {name}" for name in sorted(new.keys() - old.keys())]
    lines += [f"differs: {name}" for name in sorted(old.keys() & new.keys())
              if old[name] != new[name]]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new", nargs="?", default="WORKTREE")
    parser.add_argument("--statements", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="compare-publish-") as scratch:
        root = Path(scratch)
        records = corpus.generate(args.statements)
        found = {}
        try:
            for label, rev in (("old", args.old), ("new", args.new)):
                project = root / f"project-{label}"  # one each: no cache of the other's code
                corpus.write_project(records, project)
                seconds = publish(checkout(rev, root / f"tree-{label}"), project, root / label)
                found[label] = digests(root / label)
                print(f"{label} ({rev}): {len(found[label])} files in {seconds:.1f} s")
        finally:
            for label in ("old", "new"):
                if (root / f"tree-{label}").exists():
                    subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force",
                                    str(root / f"tree-{label}")], check=False)
        problems = compare(found["old"], found["new"])
        print("\n".join(problems) if problems else
              f"identical: {len(found['new'])} files, byte for byte")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
