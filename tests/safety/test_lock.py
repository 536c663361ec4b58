"""One publisher at a time: a second publish into the same folder fails at once, clearly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from syndicate.output import STAGING_PREFIX, lock_path, versions_dir

NOW = "2026-11-28T12:00:00+00:00"


def command(project: Path) -> list[str]:
    return [sys.executable, "-m", "syndicate", "publish", "--project", str(project), "--now", NOW]


def test_second_publish_fails_while_the_first_runs(project: Path) -> None:
    dist = project / "dist"
    first = subprocess.Popen(command(project), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # The first publish holds the lock from before its staging folder appears to its end.
        while first.poll() is None and not (
            versions_dir(dist).is_dir()
            and any(e.name.startswith(STAGING_PREFIX) for e in versions_dir(dist).iterdir())
        ):
            time.sleep(0.002)
        assert first.poll() is None, "the first publish ended before the test could race it"
        # Pause it mid-publish (it keeps its lock), so the race does not depend on timing.
        first.send_signal(signal.SIGSTOP)
        try:
            second = subprocess.run(command(project), capture_output=True, text=True)
        finally:
            first.send_signal(signal.SIGCONT)
    finally:
        out, err = first.communicate()
    assert first.returncode == 0, err
    assert second.returncode == 1
    assert "Traceback" not in second.stderr
    assert second.stderr == (
        f"Error: another publish into {dist} is running (process {first.pid}); "
        "it holds .dist.lock. Try again when it has finished.\n"
    )
    # The loser wrote nothing: one version, the winner's, complete.
    assert [e.name for e in versions_dir(dist).iterdir()] == [Path(os.readlink(dist)).name]
    assert (dist / "manifest.json").is_file()
    # With the first one done, the lock is free again.
    third = subprocess.run(command(project), capture_output=True, text=True)
    assert third.returncode == 0, third.stderr
    assert lock_path(dist).is_file()
