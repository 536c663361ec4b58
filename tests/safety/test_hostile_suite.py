"""The hostile suite: each case of every `hostile_cases_*.py` module, run as a real process.

For every case: the exit status it names; no traceback; each expected message; with exit
status 1, at least one `path[:line]: message` line; the previous publish byte for byte (unless
the case is a publish that succeeds); someone else's files beside the project byte for byte;
and an end within the case's timeout (a hang is killed and fails the case).
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hostile_harness import (
    LOCATED,
    Case,
    Starter,
    World,
    make_world,
    published,
    published_project,
    run,
)
from hostile_harness import snapshot as tree

HERE = Path(__file__).parent


TOPICS = sorted(module.stem.removeprefix("hostile_cases_")
                for module in HERE.glob("hostile_cases_*.py"))


def cases_of(topic: str) -> list[Case]:
    cases: list[Case] = importlib.import_module(f"hostile_cases_{topic}").CASES
    return cases


def all_cases() -> list[Case]:
    cases = [case for topic in TOPICS for case in cases_of(topic)]
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids)), "two cases share an id"
    return cases


CASES = all_cases()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each topic's cases for its class's test (a class per topic: the test workers share the
    suite out by class, not as one block of hundreds of processes)."""
    if "case" in metafunc.fixturenames:
        cases = cases_of(metafunc.cls.topic)
        metafunc.parametrize("case", cases, ids=[case.id for case in cases])


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once per test worker, whatever topics it is given and between whatever other
    tests (each case works on a copy: see make_world)."""
    return published_project(tmp_path_factory.mktemp("hostile-base"))


@pytest.fixture(scope="session")
def starter() -> Iterator[Starter]:
    """This test worker's process that forks each case's command (see hostile_starter)."""
    made = Starter()
    yield made
    made.close()


@pytest.fixture
def world(base: Path, tmp_path: Path) -> World:  # type: ignore[misc]
    made = make_world(base, tmp_path)
    yield made
    made.close()


def changes_output(case: Case) -> bool:
    return case.command[0] == "publish" and case.exit == 0


def check(case: Case, world: World, starter: Starter) -> None:
    if case.needs == "root" and os.geteuid() != 0:
        pytest.skip(f"{case.id} needs root (mounts a file system); running as uid {os.geteuid()}")
    case.setup(world)
    before, outside = published(world.project), tree(world.outside)
    outcome = run(case, world, starter)
    said = f"exit {outcome.status}\nstdout:\n{outcome.stdout}\nstderr:\n{outcome.stderr}"
    assert outcome.status is not None, f"still running after {case.timeout} s (killed)\n{said}"
    assert "Traceback" not in outcome.stdout + outcome.stderr, said
    assert outcome.status == case.exit, said
    lines = outcome.stderr.splitlines()
    for wanted in case.expect:
        assert any(re.search(wanted, line) for line in lines), f"no line matches {wanted!r}\n{said}"
    if case.exit == 1:
        assert any(re.match(LOCATED, line) for line in lines), f"no path: message line\n{said}"
    if case.after is not None:
        assert case.after(world) == [], said
    world.close()  # unmount before comparing: what the case mounted is part of the case
    if not changes_output(case):
        assert published(world.project) == before, "the previous publish changed"
    assert tree(world.outside) == outside, "someone else's files changed"


class Hostile:
    """A topic's cases (``hostile_cases_<topic>.py``), each run as the module says."""

    topic = ""

    def test_hostile(self, case: Case, world: World, starter: Starter) -> None:
        check(case, world, starter)


for _topic in TOPICS:  # TestCatalog, TestContent, ...: one class per hostile_cases_<topic>.py
    globals()[f"Test{_topic.title()}"] = type(f"Test{_topic.title()}", (Hostile,),
                                              {"topic": _topic})


# A case of each way a command ends: a located problem, a problem found by check, a usage
# error (Click names the program), a publish that succeeds, and a case that needs
# --project's path.
EITHER_WAY = ("content-dos-long-word", "content-dos-nul-lines", "content-base-url-flag-fragment",
              "content-long-word-400-publishes", "office-new-lang-traversal")


@pytest.mark.parametrize("case_id", EITHER_WAY)
def test_a_forked_command_ends_as_a_new_process_does(case_id: str, base: Path, tmp_path: Path,
                                                      starter: Starter) -> None:
    """What the starter's children say and their exit status are what a new ``python -m
    syndicate`` process says for the same case (each case's world in the same place)."""
    case = next(case for case in CASES if case.id == case_id)
    outcomes = []
    for forked in (None, starter):
        world = make_world(base, tmp_path / "world")
        case.setup(world)
        outcomes.append(run(case, world, forked))
        world.close()
        shutil.rmtree(tmp_path / "world")
    assert outcomes[0].status == case.exit, outcomes[0]
    assert outcomes[1] == outcomes[0]


def test_a_forked_command_that_outlives_its_timeout_is_killed_whole(
        base: Path, tmp_path: Path, starter: Starter) -> None:
    """A command still running at its timeout (serve, which runs until it is stopped) is
    killed with its process group; the starter then forks the next command as before."""
    world = make_world(base, tmp_path)
    slow = Case("slow", lambda world: None, (), command=("serve", "--port", "0"), timeout=3)
    assert run(slow, world, starter).status is None
    deadline = time.monotonic() + 10  # (reaped by the starter, or by init if it had children)
    while _group_alive(starter.last) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_alive(starter.last)
    assert run(replace(slow, command=("--version",)), world, starter).status == 0


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 150, f"{len(CASES)} hostile cases; the issue asks for at least 150"
