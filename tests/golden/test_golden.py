"""Golden outputs: the text a publish writes (pages, feeds, share.json, the sitemap, robots.txt,
the manifest, the JSON-LD inside the pages, the style sheet), byte for byte, for a few projects.

An unintended change of one byte fails here even when every reader would accept it. An intended
one is recorded with ``make golden`` (it publishes the cases again and rewrites
``tests/golden/<case>/``) and reviewed as the diff of those files in the commit.

PDFs and PNGs are not stored: their bytes also depend on the fonts and the libraries that draw
them (their reproducibility is tested by publishing twice, ``tests/render/test_pdf_scripts.py``).
Their names are (``BINARIES``), and the text that quotes their size or SHA-256 (the manifest, the
feeds' enclosures) quotes them here as ``{size of PATH}`` and ``{sha256 of PATH}``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SHIPPED_ID, copy_project, write
from multiscript import write_project
from syndicate.cli import main

GOLDEN = Path(__file__).parent
NOW = "2026-11-28T00:00:00+00:00"
BINARY = (".pdf", ".png")
UPDATE = os.environ.get("SYNDICATE_UPDATE_GOLDEN") == "1"  # set by `make golden`


def office(root: Path) -> Path:
    """The shipped project and a press office's week: a correction, an embargo lifted after the
    statement's date, two statements at one instant, a title with `&` and `<`."""
    project = copy_project(root)
    folder = project / "statements" / SHIPPED_ID
    write(folder / "statement.yaml",
          "date: 2022-11-22\noriginal: pt\nupdated: 2022-11-23T15:00:00+00:00\n")
    pt = folder / "pt.md"
    pt.write_text(pt.read_text(encoding="utf-8").replace(
        "place: Lisboa", "place: Lisboa\ncorrection: Corrigida a data das eleições."),
        encoding="utf-8")
    for sid, shared, title in (
        ("2023-03-01-alpha", "date: 2023-03-01T10:00\noriginal: en\n", "R&D (1 < 2) funding"),
        ("2023-03-01-beta", "date: 2023-03-01T10:00\noriginal: en\n", "Beta note"),
        ("2023-02-01-embargoed", "date: 2023-02-01\nembargo: 2023-03-05T09:00\noriginal: en\n",
         "Embargoed note"),
    ):
        write(project / "statements" / sid / "statement.yaml", shared)
        write(project / "statements" / sid / "en.md",
              f'---\ntitle: "{title}"\nsummary: "{title}, in short."\n---\n\nThe body.\n')
    return project


CASES: dict[str, Callable[[Path], Path]] = {
    "shipped": copy_project,
    "multiscript": write_project,  # Arabic, emoji, a table, three languages
    "office": office,
}


def published(make: Callable[[Path], Path], root: Path) -> Path:
    project = make(root / "project")
    out = root / "dist"
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out", str(out),
                                       "--now", NOW, "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def texts(out: Path) -> dict[str, bytes]:
    """The publish's text files by path, binaries' sizes and digests named instead of quoted,
    and ``BINARIES``: the binary files' names."""
    manifest = json.loads((out / "manifest.json").read_bytes())
    binaries = [entry for entry in manifest["files"] if entry["path"].endswith(BINARY)]

    def named(data: bytes) -> bytes:
        text = data.decode("utf-8")
        for entry in binaries:
            text = text.replace(entry["sha256"], "{sha256 of " + entry["path"] + "}")
            size = re.escape(str(entry["size"]))
            text = re.sub(rf'((?:"size"|"size_in_bytes"): |length="){size}(?![0-9])',
                          rf'\g<1>{{size of {entry["path"]}}}', text)
        return text.encode("utf-8")

    found = {str(path.relative_to(out)): named(path.read_bytes())
             for path in sorted(out.rglob("*")) if path.is_file() and path.suffix not in BINARY}
    found["BINARIES"] = "".join(f"{entry['path']}\n" for entry in binaries).encode()
    return found


def stored(case: str) -> dict[str, bytes]:
    folder = GOLDEN / case
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def store(case: str, files: dict[str, bytes]) -> None:
    folder = GOLDEN / case
    shutil.rmtree(folder, ignore_errors=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """A unified diff of the first differing files, and the names of missing and extra ones."""
    lines = [f"missing: {name}" for name in sorted(expected.keys() - actual.keys())]
    lines += [f"new: {name}" for name in sorted(actual.keys() - expected.keys())]
    changed = [name for name in sorted(expected.keys() & actual.keys())
               if expected[name] != actual[name]]
    for name in changed[:3]:
        lines += difflib.unified_diff(expected[name].decode().splitlines(),
                                      actual[name].decode().splitlines(),
                                      f"golden/{name}", f"published/{name}", lineterm="", n=1)
    if len(changed) > 3:
        lines.append(f"... and {len(changed) - 3} more changed: {', '.join(changed[3:])}")
    return "\n".join(lines)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_text_outputs_are_the_golden_ones(case: str, tmp_path: Path) -> None:
    actual = texts(published(CASES[case], tmp_path))
    if UPDATE:
        store(case, actual)
    expected = stored(case)
    assert expected == actual, (
        "the publish differs from tests/golden/" + case + " (if intended: `make golden`, then "
        "review the diff):\n" + differences(expected, actual))


def test_a_changed_byte_is_shown_as_a_diff() -> None:
    """What a failure reports: the file, the line, the change (the test above can fail)."""
    before = {"a.html": b"<p>one</p>\n<p>two</p>\n", "b.xml": b"<x/>\n"}
    after = {"a.html": b"<p>one</p>\n<p>tw0</p>\n", "c.json": b"{}\n"}
    report = differences(before, after)
    assert "missing: b.xml" in report and "new: c.json" in report
    assert "-<p>two</p>" in report and "+<p>tw0</p>" in report
