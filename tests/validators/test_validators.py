"""Validators nobody here wrote, on every page published: the Nu Html Checker and axe-core.

Two sites are published once each: the shipped project (left to right) and the same project with
an Arabic translation (right to left). The Nu Html Checker (vnu.jar, run with the machine's
Java) reads every page and stylesheet: no error and no warning (its "info" messages are not
findings). axe-core runs inside Debian's Chromium (Playwright with `executable_path`, never a
downloaded browser) on every statement page, index and the root: no WCAG 2.1 A/AA violation.
Both come from `node_modules/`, installed by `scripts/setup-system.sh` from `package.json`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from validator_sites import NODE_MODULES, Site, served

from conftest import CHROMIUM, chromium

VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

needs_vnu = pytest.mark.skipif(
    not VNU.exists() or shutil.which("java") is None,
    reason="needs vnu.jar and Java (scripts/setup-system.sh installs both)",
)
needs_axe = pytest.mark.skipif(
    not AXE.exists() or not CHROMIUM.exists(),
    reason="needs axe-core and Debian's chromium (scripts/setup-system.sh installs both)",
)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from served(tmp_path_factory.mktemp("validate-shipped"), arabic=False)


@pytest.fixture(scope="module")
def right_to_left(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from served(tmp_path_factory.mktemp("validate-rtl"), arabic=True)


@pytest.fixture(params=["shipped", "right_to_left"])
def site(request: pytest.FixtureRequest) -> Site:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


BROKEN_PAGE = "<!DOCTYPE html><html><head></head><body><p><div></p></body></html>"
BROKEN_SHEET = "p { colr: red; width: 12px 13px }"


def nu_findings(files: list[Path], *options: str) -> dict[Path, list[str]]:
    """Every error and warning the Nu Html Checker reports on ``files`` (one run of it: it is
    slow to start), as `file:line: type: message` lines by file, a file it could not read
    included; a file without one maps to an empty list."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", *options, *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    report = json.loads(result.stderr)
    found: dict[Path, list[str]] = {file: [] for file in files}
    for m in report["messages"]:
        if m["type"] in ("error", "non-document-error") or m.get("subType") == "warning":
            file = Path(unquote(m.get("url", "file:?").removeprefix("file:")))
            assert file in found, f"a finding on a file not given: {m}"
            found[file].append(
                f"{file}:{m.get('lastLine', '?')}: {m['type']} {m.get('subType', '')}: "
                f"{m['message']}")
    return found


@pytest.fixture(scope="module")
def nu_report(shipped: Site, right_to_left: Site, tmp_path_factory: pytest.TempPathFactory
              ) -> dict[Path, list[str]]:
    """One run of the checker over both sites' pages and stylesheets (stylesheets are checked
    as CSS, pages with the CSS inside them), and over a broken page and a broken stylesheet,
    which show that the run can report findings (the tests that use it are all ``needs_vnu``)."""
    probes = tmp_path_factory.mktemp("nu-probes")
    (probes / "broken.html").write_text(BROKEN_PAGE, encoding="utf-8")
    (probes / "broken.css").write_text(BROKEN_SHEET, encoding="utf-8")
    files = [*documents(shipped), *documents(right_to_left), probes / "broken.html",
             probes / "broken.css"]
    return nu_findings([file.resolve() for file in files], "--also-check-css")


def documents(site: Site) -> list[Path]:
    return [*site.pages(), *sheets(site)]


def sheets(site: Site) -> list[Path]:
    return sorted(site.out.rglob("*.css"))


def findings_of(report: dict[Path, list[str]], files: list[Path]) -> list[str]:
    resolved = [file.resolve() for file in files]
    missing = [file for file in resolved if file not in report]
    assert missing == [], f"not given to the checker: {missing}"
    return [line for file in resolved for line in report[file]]


@needs_vnu
def test_every_page_passes_the_nu_html_checker(site: Site, nu_report: dict[Path, list[str]]
                                                ) -> None:
    pages = site.pages()
    assert len(pages) >= 5, pages
    assert findings_of(nu_report, pages) == []


@needs_vnu
def test_every_stylesheet_passes_the_nu_css_checker(site: Site, nu_report: dict[Path, list[str]]
                                                     ) -> None:
    assert sheets(site), "no stylesheet published"
    assert findings_of(nu_report, sheets(site)) == []


@needs_vnu
def test_the_nu_html_checker_reports_a_broken_page_and_stylesheet(
        nu_report: dict[Path, list[str]]) -> None:
    """The checker, run as above, does report findings (the tests above can fail): on the page
    its structure, on the stylesheet an unknown property."""
    [page] = [file for file in nu_report if file.name == "broken.html"]
    [sheet] = [file for file in nu_report if file.name == "broken.css"]
    assert nu_report[page], "no finding on a broken page"
    assert any("colr" in line for line in nu_report[sheet]), nu_report[sheet]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("axe-profile"),
                  viewport={"width": 1000, "height": 900}) as context:
        yield context


def axe_violations(browser: Any, url: str, kind: str = "tag",
                   values: list[str] = WCAG_AA) -> list[str]:
    """axe-core's violations of ``values`` (tags, or rules with ``kind="rule"``; by default
    WCAG 2.1 A/AA) on the page at `url`, one line per failing node."""
    page = browser.new_page()
    try:
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "([kind, values]) => axe.run(document, {runOnly: {type: kind, values: values}})",
            [kind, values],
        )
    finally:
        page.close()
    return [
        f"{url}: {violation['id']} ({violation['impact']}): {node['target']}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


@needs_axe
def test_every_page_has_no_wcag_aa_violation(site: Site, browser: Any) -> None:
    urls = [site.base + page.relative_to(site.out).as_posix() for page in site.pages()]
    found = [line for url in urls for line in axe_violations(browser, url)]
    assert found == []


@needs_axe
def test_every_page_has_a_level_one_heading(site: Site, browser: Any) -> None:
    """axe's best practice "page-has-heading-one", the root language chooser included."""
    urls = [site.base + page.relative_to(site.out).as_posix() for page in site.pages()]
    found = [line for url in urls
             for line in axe_violations(browser, url, "rule", ["page-has-heading-one"])]
    assert found == []


@needs_axe
def test_axe_reports_a_violation(site: Site, browser: Any, tmp_path: Path) -> None:
    """axe, injected as above, does report violations (the test above can fail)."""
    bad = site.out / "axe-probe.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="x.png"><a href="#"></a></body></html>')
    try:
        assert axe_violations(browser, site.base + "axe-probe.html")
        assert axe_violations(browser, site.base + "axe-probe.html", "rule",
                              ["page-has-heading-one"])
    finally:
        bad.unlink()
