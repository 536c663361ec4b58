"""When a publish removes the versions older publishes retired (:mod:`syndicate.trash`): an
edit once it has written its own version (the output shows it then), so that the removal does
not share the disk with its writes; a publish that renders much while it renders, as its new
version needs the space."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_documents_since import append, numbered_id
from test_documents_since import publish as publish_any

from conftest import numbered_project
from syndicate import publish as pipeline
from syndicate import trash
from syndicate.output import trash_dir


def publish(root: Path) -> pipeline.Report:
    """A publish without communiqués (as ``--without-pdf``): twelve statements, four units
    each, so that one translation's edit renders one unit in 48."""
    return publish_any(root, pdfs=False)


def edit(root: Path, text: str) -> None:
    append(root, numbered_id(3), "pt", text)


def served_when_emptied(monkeypatch: pytest.MonkeyPatch, root: Path
                        ) -> list[tuple[str, frozenset[str], set[str]]]:
    """Each removal started: the version ``dist`` shows then, the names it removes and those
    in the trash then."""
    calls: list[tuple[str, frozenset[str], set[str]]] = []
    folder, empty = trash_dir(root / "dist"), trash.Retired.empty

    def recorded(self: trash.Retired) -> trash.Cleaner:
        calls.append((os.readlink(root / "dist"), self.names,
                      {entry.name for entry in folder.iterdir()}))
        return empty(self)

    monkeypatch.setattr(trash.Retired, "empty", recorded)
    return calls


def test_an_edit_empties_the_trash_once_its_version_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = numbered_project(tmp_path / "p", 12, 2)
    publish(root)
    edit(root, "Uma frase.")
    publish(root)
    folder = trash_dir(root / "dist")
    before = {entry.name for entry in folder.iterdir()}
    assert len(before) == 1  # (the first version)
    calls = served_when_emptied(monkeypatch, root)
    edit(root, "Outra frase.")
    report = publish(root)
    assert len(calls) == 1
    link, names, then = calls[0]
    assert link.endswith(report.version) and names == before
    assert len(then) == 2  # the second version retired meanwhile: left for the next publish
    assert {entry.name for entry in folder.iterdir()} == then - before


def test_a_publish_that_renders_everything_empties_the_trash_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = numbered_project(tmp_path / "p", 12, 2)
    publish(root)
    edit(root, "Uma frase.")
    first = os.readlink(root / "dist")
    publish(root)
    calls = served_when_emptied(monkeypatch, root)
    config = root / "syndicate.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'issuer = "Portuguese Government"', 'issuer = "Portuguese Government, Lisbon"'),
        encoding="utf-8")
    second = os.readlink(root / "dist")
    report = publish(root)  # (every unit laid out again)
    assert report.changed and not any(path.endswith(".html") for path in report.reused)
    assert os.readlink(root / "dist") != second
    assert len(calls) == 1 and calls[0][0] == second  # before the switch
    (name,) = calls[0][1]  # the first version (its name in the trash made unique)
    assert name.startswith(os.path.basename(first))


def test_the_removal_runs_at_the_lowest_priority(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An archive's ``rm`` outlives its publish by seconds: the next one (an office's next edit,
    ``serve``'s next save) gets the cores first. The ``rm`` run says its own niceness."""
    root = numbered_project(tmp_path / "p", 12, 2)
    publish(root)
    edit(root, "Uma frase.")
    publish(root)  # (the first version retired)
    said = tmp_path / "niceness"
    rm = tmp_path / "rm"
    rm.write_text(f'#!/bin/sh\nsleep 0.5\nnice > "{said}"\nexec /bin/rm "$@"\n', encoding="utf-8")
    rm.chmod(0o755)
    real_which = trash.shutil.which
    monkeypatch.setattr(trash.shutil, "which", lambda name: str(rm) if name == "rm"
                        else real_which(name))
    edit(root, "Outra frase.")
    publish(root)
    assert said.read_text(encoding="utf-8").strip() == str(trash.REMOVAL_NICENESS) == "19"
    assert len(list(trash_dir(root / "dist").iterdir())) == 1  # (the first version removed)
