"""The cache index read ahead of a publish's plan while its scan runs (syndicate.read_ahead's
index_ahead): what the plan takes is the index it would have read, and only while the output
is as it was when it was read."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from syndicate import carry, output
from syndicate import plan as plans
from syndicate import publish as pipeline
from syndicate.backends import InProcess
from syndicate.inputs import output_identity
from syndicate.read_ahead import IndexAhead, index_ahead

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def publish(root: Path, index: IndexAhead | None = None) -> pipeline.Report:
    loaded = pipeline.load(root, cache=True)
    loaded = replace(loaded, site=replace(loaded.site, pdfs=False))  # (as --without-pdf)
    return pipeline.publish(loaded, root / "dist", NOW, backend=InProcess(),
                            care=pipeline.Care(index=index))


def spy_on_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The outputs whose cache index the plan reads from now on (see plan.make)."""
    read: list[Path] = []

    def reading(out: Path, current: Path | None) -> carry.CacheIndex:
        read.append(out)
        return carry.read_index(out, current)

    monkeypatch.setattr(plans, "read_index", reading)
    return read


class StepsUntil:
    """An ``until`` that is true from its ``count + 1``-th call on; how often it was asked."""

    def __init__(self, count: int) -> None:
        self.count, self.asked = count, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked > self.count


def test_an_index_read_in_part_stops_when_told_and_is_taken_whole(project: Path) -> None:
    publish(project)
    out = output.absolute(project / "dist")
    current = output.current_version(out)
    index = carry.read_index(out, current)
    assert index.units and index.documents  # (a real index, not the empty one)
    taken = sum(1 for _ in carry.index_steps(out, current)) + 1  # (the last ends the reading)
    assert taken > 8  # (each bulk operation a step of its own)
    for steps in (0, 1, 2, 4, 6, 8, 100):
        until = StepsUntil(steps)
        ahead = index_ahead(out, until)
        assert ahead is not None
        assert until.asked == min(steps + 1, taken), steps  # (no step taken once it was true)
        assert ahead.take(output_identity(out)) == index, steps
        assert ahead.take(output_identity(out)) is None  # (given once)


def test_an_index_read_before_another_publish_switched_the_output_is_not_taken(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(project)
    out = output.absolute(project / "dist")
    stale = index_ahead(out, lambda: False)
    assert stale is not None
    edited = next((project / "statements").iterdir()) / "en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n",
                      encoding="utf-8")
    assert publish(project).changed  # (the output switched to another version)
    read = spy_on_reads(monkeypatch)
    assert not publish(project, stale).changed  # (the stale index would have changed all)
    assert len(read) == 1  # (read again)


def test_an_index_read_ahead_is_taken_when_the_output_is_as_it_was(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(project)
    edited = next((project / "statements").iterdir()) / "en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n",
                      encoding="utf-8")
    ahead = index_ahead(output.absolute(project / "dist"), lambda: False)
    read = spy_on_reads(monkeypatch)
    report = publish(project, ahead)
    assert not read  # (the plan took the index read ahead)
    assert f"en/{edited.parent.name}/index.html" in report.rendered
    assert f"pt/{edited.parent.name}/index.html" in report.reused
