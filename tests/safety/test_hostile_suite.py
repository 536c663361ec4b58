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
from pathlib import Path

import pytest
from hostile_harness import LOCATED, Case, World, make_world, published, published_project, run
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


@pytest.fixture
def world(base: Path, tmp_path: Path) -> World:  # type: ignore[misc]
    made = make_world(base, tmp_path)
    yield made
    made.close()


def changes_output(case: Case) -> bool:
    return case.command[0] == "publish" and case.exit == 0


def check(case: Case, world: World) -> None:
    if case.needs == "root" and os.geteuid() != 0:
        pytest.skip(f"{case.id} needs root (mounts a file system); running as uid {os.geteuid()}")
    case.setup(world)
    before, outside = published(world.project), tree(world.outside)
    outcome = run(case, world)
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

    def test_hostile(self, case: Case, world: World) -> None:
        check(case, world)


for _topic in TOPICS:  # TestCatalog, TestContent, ...: one class per hostile_cases_<topic>.py
    globals()[f"Test{_topic.title()}"] = type(f"Test{_topic.title()}", (Hostile,),
                                              {"topic": _topic})


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 150, f"{len(CASES)} hostile cases; the issue asks for at least 150"
