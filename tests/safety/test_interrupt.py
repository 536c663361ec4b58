"""Ctrl-C during a publish with worker processes: one line, exit status 130, no traceback (from
the publishing process or any worker), no process left behind, the previous publish intact and
the unfinished version removed. A worker killed meanwhile (as by the out-of-memory killer): the
same, with one error line and exit status 1.

The terminal sends SIGINT to every process of the command's process group; so does this test.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostile_harness import NOW, S, published, published_project

from syndicate.output import STAGING_PREFIX, versions_dir

COPIES = 5  # statements to render, so that the publish is still rendering when interrupted


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published_project(tmp_path_factory.mktemp("interrupt-base"))


@pytest.fixture
def project(base: Path, tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(base, project, symlinks=True)
    for number in range(COPIES):
        shutil.copytree(project / S, project / f"{S}-copy-{number}")
    return project


def _staging(project: Path) -> list[Path]:
    return [entry for entry in versions_dir(project / "dist").iterdir()
            if entry.name.startswith(STAGING_PREFIX)]


def staging_exists(project: Path) -> bool:
    return bool(_staging(project))


def communique_written(project: Path) -> bool:
    return any(any(folder.rglob("*.pdf")) for folder in _staging(project))


def _processes() -> Iterator[tuple[Path, list[str]]]:
    """Each process's folder in /proc and the fields of its stat after the command's name
    (the parent's pid second, the process group third); those gone meanwhile left out."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            yield stat.parent, stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue


def _group(pgid: int) -> list[str]:
    """The processes of the process group ``pgid``."""
    return [folder.name for folder, fields in _processes() if int(fields[2]) == pgid]


def left_nothing(project: Path, pid: int, before: dict[str, str]) -> None:
    """After a publish stopped: its workers were stopped (none outlives it for long), the
    previous publish is as it was (``before``) and the unfinished version was removed."""
    for _ in range(100):
        if not _group(pid):
            break
        time.sleep(0.05)
    assert _group(pid) == [], "a worker outlived the publish"
    assert published(project) == before, "the previous publish changed"
    assert _staging(project) == [], "the unfinished version was left behind"


@pytest.mark.parametrize("moment", [staging_exists, communique_written],
                         ids=["staging-started", "workers-writing"])
def test_ctrl_c_with_workers_exits_130_with_one_line(
    project: Path, moment: Callable[[Path], bool]
) -> None:
    before = published(project)
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "publish", "--now", NOW, "--jobs", "2", "--quiet"],
        cwd=project, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a terminal's
    )
    try:
        deadline = time.monotonic() + 120
        while not moment(project) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, "the publish ended before it could be interrupted"
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    said = f"exit {process.returncode}\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in out + err, said
    assert process.returncode == 130, said
    lines = [line for line in err.splitlines() if ": warning: " not in line]
    assert lines == ["Interrupted: nothing more was written."], said
    left_nothing(project, process.pid, before)


def _workers(pid: int) -> list[int]:
    """The worker processes ``pid`` started: its children that run Python, but
    multiprocessing's resource tracker (not the ``cp``, ``rm`` or ``fc-list`` it also runs,
    whose loss it rightly survives). The tracker by its module: every child's command line
    may name it, in a warning filter they inherit (see pool._quiet_resource_tracker).

    A child seen twice, a tenth of a second apart, as the same Python: between its fork and
    its exec, a child that is to become the tracker, ``cp`` or ``fc-list`` is still a copy of
    the publishing process, and killing the tracker so (as this test once did) only makes the
    publish start another one."""
    first = _python_children(pid)
    time.sleep(0.1)
    return sorted(first.keys() & {child for child, seen in _python_children(pid).items()
                                  if seen == first.get(child)})


def _python_children(pid: int) -> dict[int, tuple[str, bytes]]:
    """The children of ``pid`` that run Python, but the resource tracker: by process id, when
    each started and its command line."""
    python, found = os.path.realpath(sys.executable), {}
    for folder, fields in _processes():
        if int(fields[1]) != pid:
            continue
        try:
            command = (folder / "cmdline").read_bytes()
            program = os.path.realpath(folder / "exe")
        except OSError:
            continue  # (gone meanwhile)
        if program == python and b"from multiprocessing.resource_tracker" not in command:
            found[int(folder.name)] = (fields[19], command)  # (its start time, in ticks)
    return found


def test_a_worker_killed_as_by_the_out_of_memory_killer_is_one_error_line(
        project: Path) -> None:
    """SIGKILL to a worker while it renders (what the system does to the largest process when
    memory runs out): exit status 1, one line saying what happened and what to do, no
    traceback, the previous publish intact and the unfinished version removed."""
    before = published(project)
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "publish", "--now", NOW, "--jobs", "2", "--quiet"],
        cwd=project, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)
    try:
        deadline, workers = time.monotonic() + 120, []
        while (not (staging_exists(project) and (workers := _workers(process.pid)))
               and process.poll() is None and time.monotonic() < deadline):
            time.sleep(0.01)
        assert process.poll() is None and workers, "no worker to kill while it published"
        os.kill(workers[0], signal.SIGKILL)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()  # (its pipes closed, whatever happened)
    said = f"exit {process.returncode}\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in out + err, said
    assert process.returncode == 1, said
    lines = [line for line in err.splitlines() if ": warning: " not in line]
    assert len(lines) == 1 and lines[0].startswith(
        "Error: a worker process ended abruptly (killed, perhaps for want of memory)"), said
    assert "--jobs 1" in lines[0], said
    left_nothing(project, process.pid, before)
