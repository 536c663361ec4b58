"""A publish killed at any instant leaves the output folder as one whole publish, old or new.

Real processes (`python -m syndicate publish`), killed with SIGKILL at deterministic offsets
spread over the publish's measured duration; after each kill `dist/` must match its manifest
(every file present, every checksum right, nothing else) and be the previous or the new publish.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from click.testing import CliRunner

from conftest import SHIPPED_ID, copy_project
from syndicate.cli import main
from syndicate.output import STAGING_PREFIX, versions_dir

NOW = "2026-11-28T12:00:00+00:00"
URLS = ("https://a.example.org/", "https://b.example.org/")
KILLS_PER_PROJECT = 10  # two projects side by side: 20 kills
POLL = 0.001


def publish_command(project: Path, base_url: str) -> list[str]:
    return [
        sys.executable, "-m", "syndicate", "publish",
        "--project", str(project), "--base-url", base_url, "--now", NOW,
    ]  # fmt: skip


def verified_manifest(dist: Path) -> bytes:
    """The manifest's bytes, after checking that the folder is exactly what it lists."""
    assert dist.is_dir(), f"{dist} is missing"
    data = (dist / "manifest.json").read_bytes()
    listed = {entry["path"]: entry for entry in json.loads(data)["files"]}
    on_disk = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}
    assert on_disk == set(listed) | {"manifest.json"}
    for path, entry in listed.items():
        content = (dist / path).read_bytes()
        assert len(content) == entry["size"], path
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], path
    return data


def staging_seen(project: Path) -> bool:
    try:
        with os.scandir(versions_dir(project / "dist")) as entries:
            return any(entry.name.startswith(STAGING_PREFIX) for entry in entries)
    except FileNotFoundError:
        return False


def timed_publish(project: Path, base_url: str) -> tuple[float, float]:
    """Run one publish to its end: (seconds until its staging folder appeared, seconds after)."""
    start = time.monotonic()
    with (project.parent / f"{project.name}.log").open("wb") as log:
        process = subprocess.Popen(publish_command(project, base_url), stdout=log, stderr=log)
        seen = None
        while process.poll() is None:
            if seen is None and staging_seen(project):
                seen = time.monotonic()
            time.sleep(POLL)
    end = time.monotonic()
    assert process.returncode == 0, (project.parent / f"{project.name}.log").read_text()
    seen = seen or start
    return seen - start, end - seen


def killed_publish(project: Path, base_url: str, before: float | None, after: float | None) -> str:
    """Start a publish and SIGKILL it ``before`` seconds after its start, or ``after`` seconds
    after its staging folder appeared. Returns how it ended."""
    start = time.monotonic()
    process = subprocess.Popen(
        publish_command(project, base_url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = start + before if before is not None else None
    while process.poll() is None:
        now = time.monotonic()
        if deadline is None and staging_seen(project):
            deadline = now + (after or 0.0)
        if deadline is not None and now >= deadline:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(POLL)
    process.wait()
    return "killed" if process.returncode == -signal.SIGKILL else f"exited {process.returncode}"


def publish_in_process(project: Path, base_url: str) -> bytes:
    result = CliRunner().invoke(main, publish_command(project, base_url)[3:])
    assert result.exit_code == 0, result.output
    return verified_manifest(project / "dist")


def kill_series(project: Path, index: int, reference_a: bytes) -> list[tuple[str, str]]:
    """Publish B (timed), then KILLS_PER_PROJECT killed publishes alternating A/B."""
    dist = project / "dist"
    reference = {URLS[0]: reference_a}
    to_staging, writing = timed_publish(project, URLS[1])
    reference[URLS[1]] = verified_manifest(dist)
    assert reference[URLS[0]] != reference[URLS[1]]
    # Offsets: two before the staging folder exists (loading, rendering set-up), the rest over
    # the writing window, denser towards its end where the switch happens; the two series are
    # shifted against each other so that the 20 kills fall at 20 different moments.
    steps = [(k + index / 2) / 6.5 for k in range(KILLS_PER_PROJECT - 2)]
    fractions = [1 - (1 - t) ** 2 if t <= 1 else t for t in steps]
    plan: list[tuple[float | None, float | None]] = [
        (to_staging * (0.3 + 0.3 * index), None),
        (to_staging * (0.75 + 0.2 * index), None),
        *[(None, writing * f) for f in fractions],
    ]
    assert len(plan) == KILLS_PER_PROJECT
    outcomes = []
    current = URLS[1]
    for before, after in plan:
        target = URLS[0] if current == URLS[1] else URLS[1]  # always a different publish
        how = killed_publish(project, target, before, after)
        found = verified_manifest(dist)
        assert found in (reference[current], reference[target]), (before, after, how)
        outcomes.append((how, "new" if found == reference[target] else "old"))
        current = target if found == reference[target] else current
    return outcomes


def test_sigkill_at_twenty_moments_leaves_a_whole_publish(tmp_path: Path) -> None:
    projects = [copy_project(tmp_path / f"p{i}") for i in range(2)]
    references = [publish_in_process(project, URLS[0]) for project in projects]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(kill_series, projects, range(2), references))
    for project, reference in zip(projects, references, strict=True):
        # A publish after all those kills succeeds and leaves one version, no staging folder.
        assert publish_in_process(project, URLS[0]) == reference
        dist = project / "dist"
        assert [e.name for e in versions_dir(dist).iterdir()] == [Path(os.readlink(dist)).name]
        assert (dist / "en" / SHIPPED_ID / "index.html").is_file()
    outcomes = [o for series in results for o in series]
    assert len(outcomes) == 20
    print("kill outcomes:", outcomes)  # shown with -s: how many kept the old publish
    assert ("killed", "old") in outcomes  # the kills before the staging folder existed
    assert sum(how == "killed" for how, _ in outcomes) >= 8, outcomes
