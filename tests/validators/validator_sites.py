"""The sites the independent validators read: the shipped one, and one written right to left.

Each is published once per test session into a folder of its own and served on 127.0.0.1 for
the browser; the validators (the Nu Html Checker, axe-core) come from `node_modules/`, installed
by `scripts/setup-system.sh` from `package.json`, and never from the network at test time.
"""

# ruff: noqa: E501 (Arabic prose lines)

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from conftest import REPO, SHIPPED_ID, copy_project, serving
from multiscript import ARABIC
from syndicate.cli import main

NOW = "2026-11-28T00:00:00+00:00"
NODE_MODULES = REPO / "node_modules"

ARABIC_TEXT = """---
title: "البرتغال تدعم ترشيح أنطونيو فيتورينو لمنصب المدير العام للمنظمة الدولية للهجرة"
summary: "تدعم الحكومة البرتغالية إعادة انتخاب أنطونيو فيتورينو مديرًا عامًا للمنظمة الدولية للهجرة في الانتخابات المقررة في يونيو 2023."
place: لشبونة
---

تدعم الحكومة البرتغالية ترشيح أنطونيو فيتورينو، الذي قُدّم اليوم، لمنصب المدير العام للمنظمة الدولية للهجرة، التي تُجرى انتخاباتها في يونيو 2023.

المنظمة الدولية للهجرة هي وكالة الأمم المتحدة المسؤولة عن إدارة الهجرة الدولية (انظر [موقع المنظمة](https://www.iom.int/)).

| السنة | عدد المستفيدين |
|:--|--:|
| 2022 | 30 مليون |
"""


@dataclass(frozen=True)
class Site:
    base: str  # the URL it is published for and served at
    out: Path  # the output folder

    def pages(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))


def _project(root: Path, arabic: bool) -> Path:
    project = copy_project(root / "project")
    if arabic:
        with (project / "syndicate.toml").open("a", encoding="utf-8") as config:
            config.write(ARABIC)
        (project / "statements" / SHIPPED_ID / "ar.md").write_text(ARABIC_TEXT, encoding="utf-8")
    return project


def served(root: Path, arabic: bool) -> Iterator[Site]:
    out = root / "dist"
    out.mkdir()
    with serving(out) as base:
        result = CliRunner().invoke(main, ["publish", "--project", str(_project(root, arabic)),
                                           "--out", str(out), "--base-url", base, "--now", NOW,
                                           "--quiet"])
        assert result.exit_code == 0, result.output
        yield Site(base, out)
