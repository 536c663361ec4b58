"""The sites the independent validators read: the shipped one, and one written right to left.

Each is published once per test session into a folder of its own and served on 127.0.0.1 for
the browser; the validators (the Nu Html Checker, axe-core) come from `node_modules/`, installed
by `scripts/setup-system.sh` from `package.json`, and never from the network at test time.
"""

# ruff: noqa: E501 (Arabic prose lines)

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from conftest import REPO, SHIPPED_ID
from syndicate.cli import main

NOW = "2026-11-28T00:00:00+00:00"
NODE_MODULES = REPO / "node_modules"

ARABIC_CONFIG = """
[languages.ar]
tag = "ar"
title = "الحكومة البرتغالية — بيانات صحفية"
description = "البيانات الصحفية للحكومة البرتغالية"
issuer = "الحكومة البرتغالية"

[languages.ar.contact]
name = "المكتب الصحفي"
email = "press@example.org"
phone = "+351 213 923 500"
"""

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
    project = root / "project"
    shutil.copytree(REPO / "statements", project / "statements")
    shutil.copytree(REPO / "locales", project / "locales", ignore=shutil.ignore_patterns("*.mo"))
    config = (REPO / "syndicate.toml").read_text(encoding="utf-8")
    if arabic:
        config += ARABIC_CONFIG
        (project / "statements" / SHIPPED_ID / "ar.md").write_text(ARABIC_TEXT, encoding="utf-8")
    (project / "syndicate.toml").write_text(config, encoding="utf-8")
    return project


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def served(root: Path, arabic: bool) -> Iterator[Site]:
    out = root / "dist"
    out.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    project = _project(root, arabic)
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out", str(out),
                                       "--base-url", base, "--now", NOW, "--quiet"])
    assert result.exit_code == 0, result.output
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(base, out)
    finally:
        httpd.shutdown()
        httpd.server_close()
