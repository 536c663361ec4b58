"""GitHub tables: real tables in the page, the feeds and the tagged PDF, readable on a phone; and
Markdown of other grammars (footnotes, definition lists, task lists) is a `check` warning.

One publish of the shipped project plus a statement with a table, served on 127.0.0.1 so that a
real Chromium (Debian's, never a downloaded one) can show it at a phone's width.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pikepdf
import pytest
from click.testing import CliRunner
from lxml import html

from conftest import chromium, copy_project, needs_chromium, serving, write
from syndicate.cli import main

ID = "2022-12-01-figures"
NOW = "2026-11-28T00:00:00+00:00"
HEADERS = ["Region", "Arrivals", "Departures", "Change since the previous year, in per cent"]
ROWS = [["North", "1,204", "980", "+12.5"],
        ["Lisbon and the Tagus Valley", "15,330", "12,001", "−3.2"]]
BODY = f"""\
The figures, by region:

| {' | '.join(HEADERS)} |
|:--|--:|--:|:-:|
{chr(10).join('| ' + ' | '.join(row) + ' |' for row in ROWS)}

The figures are provisional, and ~~final~~ will be confirmed in March[^1].

Provisional
: not yet confirmed by the statistics office.

- [ ] confirm the northern figures

| Area | Count |
| Azores | 310 |

[^1]: Source: the national statistics office.
"""
BROKEN_PIPES = 6  # the two rows of the table without a delimiter row, shown as typed
# The body's lines, counted in en.md (front matter of 4 lines, then a blank line).
FIRST_BODY_LINE = 6


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("tables") / "project")
    write(root / "statements" / ID / "statement.yaml", "date: 2022-12-01\noriginal: en\n")
    write(root / "statements" / ID / "en.md",
          '---\ntitle: "Migration figures for 2022"\nsummary: "The figures, by region."\n---\n\n'
          + BODY)
    return root


@pytest.fixture(scope="module")
def served(project: Path) -> Iterator[tuple[str, Path, str]]:
    """(base URL, output folder, the publish's stderr), served on 127.0.0.1."""
    out = project.parent / "dist"
    out.mkdir()
    with serving(out) as base:
        result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out",
                                           str(out), "--base-url", base, "--now", NOW])
        assert result.exit_code == 0, result.output
        yield base, out, result.stderr


def cells(table: Any) -> tuple[list[str], list[list[str]]]:
    """(header cells' texts, body rows' texts) of an lxml table, checking the header's markup."""
    heads = table.xpath("thead/tr/th")
    assert [th.get("scope") for th in heads] == ["col"] * len(heads)
    rows = [[td.text_content().strip() for td in tr.xpath("td")] for tr in table.xpath("tbody/tr")]
    return [th.text_content().strip() for th in heads], rows


def test_the_page_has_a_real_table(served: tuple[str, Path, str]) -> None:
    _, out, _ = served
    page = html.parse(out / "en" / ID / "index.html")
    [table] = page.xpath("//div[@class='body']/div[@class='table']/table")
    assert cells(table) == (HEADERS, ROWS)
    aligned = [td.get("style") for td in table.xpath("tbody/tr[1]/td")]
    assert aligned == ["text-align:left", "text-align:right", "text-align:right",
                       "text-align:center"]
    body = page.xpath("//div[@class='body']")[0].text_content()
    assert body.count("|") == BROKEN_PIPES and "--:" not in body
    assert page.xpath("//div[@class='body']//s/text()") == ["final"]


def test_every_feed_carries_the_table(served: tuple[str, Path, str]) -> None:
    _, out, _ = served
    contents = []
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse((out / "en" / f"feed.{fmt}").read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        [entry] = [e for e in parsed.entries if e.title == "Migration figures for 2022"]
        contents.append(entry.content[0].value)
    document = json.loads((out / "en" / "feed.json").read_bytes())
    [item] = [i for i in document["items"] if i["title"] == "Migration figures for 2022"]
    contents.append(item["content_html"])
    for content in contents:
        [table] = html.fragment_fromstring(content, create_parent="div").xpath("//table")
        assert cells(table) == (HEADERS, ROWS)


def structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element of the tagged PDF, depth first."""
    found: list[pikepdf.Dictionary] = []
    pending: list[Any] = [pdf.Root.StructTreeRoot.K]
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            pending.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                pending.append(node.K)
    return found


def test_the_pdf_tags_the_table(served: tuple[str, Path, str]) -> None:
    _, out, _ = served
    path = out / "en" / ID / f"{ID}-en.pdf"
    with pikepdf.open(path) as pdf:
        elements = structure(pdf)
        kinds = [str(e.S) for e in elements]
        assert kinds.count("/Table") == 1
        assert kinds.count("/TR") == 3
        heads = [e for e in elements if e.S == "/TH"]
        data = [e for e in elements if e.S == "/TD"]
        assert (len(heads), len(data)) == (4, 8)
        # Each data cell names its column's header cell (PDF/UA's Headers/ID association).
        ids = [str(th.ID) for th in heads]
        assert [[str(h) for h in td.A.Headers] for td in data] == [[i] for i in ids] * 2
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert text.count("|") == BROKEN_PIPES
    for word in ("Region", "Departures", "Tagus", "15,330", "12,001", "−3.2"):
        assert word in text


@needs_chromium
def test_a_phone_scrolls_the_table_not_the_page(
    served: tuple[str, Path, str], tmp_path: Path
) -> None:
    base, _, _ = served
    with chromium(tmp_path / "profile", viewport={"width": 375, "height": 800},
                  device_scale_factor=2, is_mobile=True) as context:
        page = context.new_page()
        response = page.goto(f"{base}en/{ID}/")
        assert response is not None and response.ok
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1] == 375  # the page itself never scrolls sideways
        box = page.locator("div.table")
        assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # wider: it scrolls
        box.focus()  # a keyboard reaches it (Tab) and scrolls it with the arrow keys
        assert page.evaluate("document.activeElement.className") == "table"
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.querySelector('div.table').scrollLeft > 0")
        box.evaluate("e => e.scrollLeft = e.scrollWidth")
        last = page.locator("div.table th").last.bounding_box()
        assert last is not None and last["x"] + last["width"] <= 375 + 1


def test_markdown_that_is_not_rendered_is_a_warning(
    project: Path, served: tuple[str, Path, str]
) -> None:
    path = f"statements/{ID}/en.md"
    lines = BODY.splitlines()

    def line(start: str) -> int:
        return FIRST_BODY_LINE + next(i for i, text in enumerate(lines) if text.startswith(start))

    expected = [
        f"{path}:{line('The figures are')}: warning: footnote [^1] is not rendered",
        f"{path}:{line(': not yet')}: warning: definition list is not rendered",
        f"{path}:{line('- [ ]')}: warning: task list box '[ ]' is not rendered",
        f"{path}:{line('| Area')}: warning: rows of | shown as typed, not as a table",
        f"{path}:{line('[^1]:')}: warning: footnote [^1] is not rendered",
    ]
    for message in expected:
        assert message in served[2]  # the publish warned
    result = subprocess.run([sys.executable, "-m", "syndicate", "check", "--strict"],
                            cwd=project, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for message in expected:
        assert message in result.stderr
    # What renders (the table, the strikethrough) is no warning: these lines, no more.
    assert len([text for text in served[2].splitlines() if path in text]) == len(expected)

