"""Rendering in warm worker processes, locally or on a Dask cluster, gives the same bytes."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import SHIPPED_ID

NOW = "2026-11-28T00:00:00+00:00"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def twins(project: Path) -> tuple[Path, Path]:
    """Two identical projects with two statements each."""
    second = project / "statements" / "2023-01-10-second"
    shutil.copytree(project / "statements" / SHIPPED_ID, second)
    (second / "statement.yaml").write_text("date: 2023-01-10\noriginal: pt\n", encoding="utf-8")
    # An image, which every worker gets with its unit (a Dask worker may not see this disk).
    (second / "chart.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#00563f"/></svg>', encoding="utf-8")
    with (second / "en.md").open("a", encoding="utf-8") as english:
        english.write("\n![A green bar](chart.svg)\n")
    other = project.parent / "other"
    shutil.copytree(project, other)
    return project, other


def test_jobs_1_and_jobs_2_publish_the_same_bytes(twins: tuple[Path, Path], run) -> None:  # type: ignore[no-untyped-def]
    one, two = twins
    first = run("publish", "--project", one, "--now", NOW, "--jobs", "1")
    second = run("publish", "--project", two, "--now", NOW, "--jobs", "2", "--verbose")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "rendered pdf:2023-01-10-second:en" in second.stdout and second.stderr == ""
    assert tree(one / "dist") == tree(two / "dist")
    assert len(tree(one / "dist")) > 20
    assert "en/2023-01-10-second/chart.svg" in tree(two / "dist")


# The Dask cluster, and the publishes that use it, run in processes of their own, as a user's
# would: Dask leaves threads behind in a process that used it (its IO loop, its offload
# executor), and a process with other threads never forks (processes.fork_is_safe), which
# would change how the tests run after these in the same worker of `make test`.
CLUSTER = """
import sys, distributed
with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=":0") as cluster:
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()  # until the test is done with it
"""
# As if the workers were on machines without this disk.
BLIND = """
import sys, distributed
from pathlib import Path
with distributed.Client(sys.argv[1]) as client:
    client.run(exec, "import syndicate.cluster as c\\nc._sees = lambda folder: False", {})
    sees = "__import__('syndicate.cluster').cluster._sees(Path('.'))"
    assert set(client.run(eval, sees, {"Path": Path}).values()) == {False}
"""


# Python as the tests run: a warning is an error (pyproject.toml's filterwarnings).
PYTHON = (sys.executable, "-W", "error")


@contextmanager
def dask_cluster() -> Iterator[str]:
    """A local Dask cluster (a scheduler and two worker processes) in a process group of its
    own while the block runs; yields its scheduler's address."""
    with subprocess.Popen([*PYTHON, "-c", CLUSTER], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True, start_new_session=True) as cluster:
        assert cluster.stdin is not None and cluster.stdout is not None
        try:
            ready, _, _ = select.select([cluster.stdout], [], [], 120)
            address = cluster.stdout.readline().strip() if ready else ""
            assert address.startswith("tcp://"), (
                f"the Dask cluster did not start (exit status {cluster.poll()})")
            yield address
        finally:
            cluster.stdin.close()
            try:
                cluster.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(cluster.pid, signal.SIGKILL)
                cluster.wait()
                raise


def syndicate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The command line, in a process of its own."""
    return subprocess.run([*PYTHON, "-m", "syndicate", *map(str, args)],
                          capture_output=True, text=True, timeout=600, check=False)


def test_dask_publishes_the_same_bytes_as_the_local_pool(twins: tuple[Path, Path], run) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("distributed")
    one, two = twins
    # A second site on the same cluster, after the first: the workers' renderers were built
    # for the first site's configuration and must not be reused for this one's.
    three, four = (one.parent / name for name in ("three", "four"))
    shutil.copytree(one, three)
    config = three / "syndicate.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'issuer = "Portuguese Government"', 'issuer = "Ministry of Culture"'), encoding="utf-8")
    shutil.copytree(three, four)
    for local in (one, three):
        published = run("publish", "--project", local, "--now", NOW, "--quiet")
        assert published.exit_code == 0 and published.output == "", published.output
    with dask_cluster() as scheduler:
        for remote in (two, four):
            if remote == four:
                subprocess.run([*PYTHON, "-c", BLIND, scheduler], check=True, timeout=120)
            published = syndicate("publish", "--project", remote, "--now", NOW,
                                  "--executor", "dask", "--scheduler", scheduler)
            assert published.returncode == 0, published.stdout + published.stderr
            assert "reused 0, removed 0)" in published.stdout
    assert tree(one / "dist") == tree(two / "dist")
    assert tree(three / "dist") == tree(four / "dist")
    assert tree(three / "dist") != tree(one / "dist")
    assert "en/2023-01-10-second/chart.svg" in tree(four / "dist")
    letterhead = subprocess.run(
        ["pdftotext", str(four / "dist" / "en" / SHIPPED_ID / f"{SHIPPED_ID}-en.pdf"), "-"],
        check=True, capture_output=True, text=True).stdout
    assert letterhead.splitlines()[0] == "Ministry of Culture"


def test_an_unreachable_scheduler_is_a_clear_error(project: Path) -> None:
    pytest.importorskip("distributed")
    result = syndicate("publish", "--project", project, "--now", NOW, "--executor", "dask",
                       "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "1")
    assert result.returncode == 1
    assert "Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert "after 1 s" in result.stderr  # (Dask's words: it tried for the time given)
    assert "Traceback" not in result.stdout + result.stderr
    assert not (project / "dist").exists()


@pytest.mark.parametrize("seconds", ["nan", "inf", "0"])
def test_a_scheduler_timeout_is_a_positive_number_of_seconds(  # type: ignore[no-untyped-def]
        project: Path, run, seconds: str) -> None:
    result = run("publish", "--project", project, "--now", NOW, "--executor", "dask",
                 "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", seconds)
    assert result.exit_code == 2
    assert "Invalid value for '--scheduler-timeout'" in result.stderr
    assert not (project / "dist").exists()


def test_dask_needs_a_scheduler(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("publish", "--project", project, "--now", NOW, "--executor", "dask")
    assert result.exit_code == 2  # (a usage error, before anything is read)
    assert "--executor dask needs --scheduler" in result.stderr
    assert not (project / "dist").exists()


def test_a_scheduler_without_dask_is_a_usage_error(  # type: ignore[no-untyped-def]
        project: Path, run) -> None:
    """Rendering locally while the user meant a cluster would be silent otherwise."""
    result = run("publish", "--project", project, "--now", NOW, "--scheduler",
                 "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    assert "--scheduler is for --executor dask" in result.stderr
    assert not (project / "dist").exists()


def test_dask_tasks_carry_several_units_then_single_ones() -> None:
    from syndicate.cluster import REMOTE_BATCH, _batches

    units = [card(number) for number in range(250)]
    batches = _batches(units, threads=2)  # type: ignore[arg-type]
    assert [u for batch in batches for u in batch] == units  # all, once, in order
    sizes = [len(batch) for batch in batches]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == REMOTE_BATCH
    assert sizes[-8:] == [1] * 8  # the workers finish together
    assert len(batches) < 250 / 4
    assert [len(b) for b in _batches(units[:3], threads=8)] == [1, 1, 1]  # type: ignore[arg-type]
    assert _batches([], threads=0) == []


def card(number: int) -> SimpleNamespace:
    return SimpleNamespace(kind="card", statement=SimpleNamespace(id=f"s{number}"))


def test_a_statements_documents_go_to_one_worker_together() -> None:
    """Its multilingual edition is made of its communiqués' pages, laid out in that worker
    just before (render.pdf_edition): they are never split between tasks."""
    from syndicate.cluster import _batches
    from syndicate.kinds import split, together

    def unit(kind: str, number: int) -> SimpleNamespace:
        return SimpleNamespace(kind=kind, statement=SimpleNamespace(id=f"s{number}"))

    units = [unit(kind, n) for kind in ("card", "bilingual", "pdf", "pdf") for n in range(40)]
    heavy, light = split(units)  # type: ignore[arg-type]
    assert light == []
    assert [u.kind for u in heavy[:3]] == ["pdf", "pdf", "bilingual"]
    assert {u.statement.id for u in heavy[:3]} == {"s0"}
    assert [u.kind for u in heavy[-40:]] == ["card"] * 40  # the cards last
    groups = together(heavy)
    assert [len(g) for g in groups] == [3] * 40 + [1] * 40
    for batches in (_batches(heavy, threads=1), _batches(heavy, threads=8)):  # type: ignore[arg-type]
        for batch in batches:
            documents = [u for u in batch if u.kind != "card"]
            ids = {u.statement.id for u in documents}
            assert len(documents) == 3 * len(ids)  # whole statements only
