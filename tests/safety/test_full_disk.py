"""A publish that runs out of disk space says so, keeps the previous publish served, byte for
byte, and removes what it had started to write (on a small tmpfs: root only)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_harness import PUBLISH, S, published_project, snapshot

from syndicate.output import STAGING_PREFIX, versions_dir

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason=f"mounts a small tmpfs, which needs root (uid {os.geteuid()})")


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1024k", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def publish(project: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndicate", *PUBLISH, "--out", str(out)],
                          cwd=project, capture_output=True, text=True, timeout=300)


def test_a_full_disk_keeps_the_previous_publish_and_removes_the_unfinished_one(
    tmp_path: Path, disk: Path
) -> None:
    project = published_project(tmp_path / "base")
    out = disk / "dist"
    assert publish(project, out).returncode == 0
    free = os.statvfs(disk)
    with open(disk / "filler", "wb") as handle:  # leave 24 KiB: less than one communiqué
        handle.write(b"\0" * (free.f_bavail * free.f_frsize - 24 * 1024))
    before = {"dist": os.readlink(out)} | snapshot(out.resolve())
    with open(project / S / "en.md", "a", encoding="utf-8") as handle:
        handle.write("\n\nA sentence more, so that the communiqué is rendered again.\n")
    result = publish(project, out)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "no space left on the device: the disk is full" in result.stderr
    assert "nothing was published: dist still shows the previous publish" in result.stderr
    assert {"dist": os.readlink(out)} | snapshot(out.resolve()) == before
    assert not [e.name for e in versions_dir(out).iterdir() if e.name.startswith(STAGING_PREFIX)]
