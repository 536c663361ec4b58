"""--out refuses folders syndicate did not create, the project, the home folder and /;
it migrates a plain dist/ of an older syndicate to the versioned layout."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from syndicate.output import versions_dir

NOW = "2026-11-28T12:00:00+00:00"


def publish(run: Callable[..., Result], project: Path, out: Path | str) -> Result:
    return run("publish", "--project", project, "--out", out, "--now", NOW)


def refused(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr == f"Error: {message}\n"


def test_refuses_a_folder_syndicate_did_not_create(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "www"
    out.mkdir()
    (out / "index.html").write_text("hand-made", encoding="utf-8")
    refused(
        publish(run, project, out),
        f"refusing to replace {out}: it is not empty and has no manifest.json written by "
        "syndicate, so syndicate did not create it",
    )
    assert (out / "index.html").read_text(encoding="utf-8") == "hand-made"


def test_a_foreign_manifest_is_no_marker(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "www"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "a web app"}', encoding="utf-8")
    result = publish(run, project, out)
    assert result.exit_code == 1
    assert "has no manifest.json written by syndicate" in result.stderr


def test_refuses_a_link_it_did_not_make(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "elsewhere")
    refused(
        publish(run, project, tmp_path / "out"),
        f"refusing to replace {tmp_path / 'out'}: it is a link syndicate did not create "
        f"(to {tmp_path / 'elsewhere'})",
    )


def test_refuses_the_project_root(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    refused(
        publish(run, project, project),
        f"refusing to publish into {project}: it is the project folder",
    )


def test_refuses_a_folder_holding_the_project(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    refused(
        publish(run, project, project.parent),
        f"refusing to publish into {project.parent}: it holds the project folder",
    )


def test_refuses_the_home_folder(project: Path, run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    refused(publish(run, project, home), f"refusing to publish into {home}: it is your home folder")
    assert list(home.iterdir()) == []


def test_refuses_the_root_folder(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    refused(publish(run, project, "/"), "refusing to publish into /: it is the root folder")


def test_an_empty_folder_is_accepted(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "out").mkdir()
    assert publish(run, project, tmp_path / "out").exit_code == 0
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_migrates_a_plain_dist_folder(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    dist = project / "dist"
    dist.mkdir()
    (dist / "stale.html").write_text("old", encoding="utf-8")
    (dist / "manifest.json").write_text(
        json.dumps({"generator": "syndicate 0.0.1", "files": [{"path": "stale.html"}]}),
        encoding="utf-8",
    )
    result = publish(run, project, dist)
    assert result.exit_code == 0, result.output
    assert dist.is_symlink()
    assert os.readlink(dist).startswith(".dist.versions/")
    assert not (dist / "stale.html").exists()
    assert [e.name for e in versions_dir(dist).iterdir()] == [Path(os.readlink(dist)).name]
    # and publishes again over its own link
    assert publish(run, project, dist).exit_code == 0
    assert len(list(versions_dir(dist).iterdir())) == 1


@pytest.mark.parametrize("name", ["dist", "public"])
def test_the_link_is_relative(project: Path, run, name: str) -> None:  # type: ignore[no-untyped-def]
    """A project moved (or served from a container) keeps a working output link."""
    assert publish(run, project, project / name).exit_code == 0
    moved = project.rename(project.parent / "moved")
    assert (moved / name / "manifest.json").is_file()
