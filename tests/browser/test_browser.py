"""A real browser: Debian's Chromium, driven by Playwright, on a publish served on 127.0.0.1.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (installed by
``scripts/setup-system.sh``) with flags that keep it off the network, and a fresh profile.
Screenshots of each language's page are left in the test's output folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from click.testing import CliRunner

from conftest import SHIPPED_ID, chromium, copy_project, needs_chromium, serving
from syndicate.cli import main

NOW = "2026-11-28T00:00:00+00:00"
TITLES = {
    "en": "Portugal supports António Vitorino's candidacy for Director-General of the IOM",
    "pt": "Governo apoia candidatura de António Vitorino a Diretor-Geral da OIM",
}
TAGS = {"en": "en", "pt": "pt-PT"}
DOWNLOAD = {"en": "Download PDF", "pt": "Descarregar PDF"}

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, output folder): the shipped project published for, and served on, 127.0.0.1."""
    project = copy_project(tmp_path_factory.mktemp("browser") / "project")
    out = project.parent / "dist"
    out.mkdir()
    with serving(out) as base:
        result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out", str(out),
                                           "--base-url", base, "--now", NOW])
        assert result.exit_code == 0, result.output
        yield base, out


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), accept_downloads=True,
                  viewport={"width": 1000, "height": 900}) as context:
        yield context


def decoded_query(url: str) -> dict[str, str]:
    """The query's fields, percent-decoded; every field is name=value, none repeated.

    An empty field is allowed: ``sms:?&body=`` is the form both iOS and Android read.
    """
    query = urlsplit(url).query
    fields = [field for field in query.split("&") if field]
    assert all("=" in field for field in fields), url
    assert all(c.isascii() and not c.isspace() for c in url), url
    params = parse_qs(query, keep_blank_values=True)
    assert all(len(values) == 1 for values in params.values()), url
    assert {unquote(f.split("=")[0]) for f in fields} == set(params)
    return {key: values[0] for key, values in params.items()}


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_statement_page_in_a_real_browser(
    served: tuple[str, Path], browser_context: Any, lang: str, tmp_path: Path
) -> None:
    base, out = served
    other = "en" if lang == "pt" else "pt"
    url = f"{base}{lang}/{SHIPPED_ID}/"
    share = json.loads((out / lang / SHIPPED_ID / "share.json").read_text(encoding="utf-8"))
    requested: list[str] = []
    page = browser_context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    try:
        response = page.goto(url)
        assert response is not None and response.ok
        assert page.title().startswith(TITLES[lang])
        assert page.locator("html").get_attribute("lang") == TAGS[lang]
        assert page.locator("h1").inner_text() == TITLES[lang]
        assert page.locator('meta[property="og:image"]').get_attribute("content") == (
            f"{url}card.png")
        # The stylesheet applied: the page is styled, not just readable.
        assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
        page.screenshot(path=str(tmp_path / f"statement-{lang}.png"), full_page=True)

        # The share links: one per platform, hrefs that parse and decode to share.json.
        links = page.locator("a[data-platform]")
        assert links.count() == len(share)
        for index in range(links.count()):
            link = links.nth(index)
            name = link.get_attribute("data-platform")
            href = link.evaluate("a => a.href")  # as the browser resolved it
            record = share[name]
            assert href == record["share_url"]
            params = decoded_query(href)
            scheme = urlsplit(href).scheme
            assert scheme in ("https", "mailto", "sms")
            if name in ("linkedin", "facebook"):
                assert set(params.values()) == {record["url"]}
            elif name == "email":
                assert params["subject"] == record["subject"]
                assert params["body"] == record["text"].replace("\n", "\r\n")
            elif name == "telegram":
                assert params["url"] == record["url"]
                assert record["text"].startswith(params["text"])
            elif name == "reddit":
                assert params == {"url": record["url"], "title": record["text"]}
            else:
                assert params["text" if name != "sms" else "body"] == record["text"]
            assert page.locator(f"#share-text-{name}").input_value() == record["text"]

        # The PDF link downloads the communiqué, byte for byte, as application/pdf.
        pdf_link = page.get_by_role("link", name=DOWNLOAD[lang])
        pdf_url = pdf_link.evaluate("a => a.href")
        with page.expect_download() as info:
            pdf_link.click()
        download = info.value
        expected = (out / lang / SHIPPED_ID / f"{SHIPPED_ID}-{lang}.pdf").read_bytes()
        assert Path(download.path()).read_bytes() == expected
        assert download.suggested_filename == f"{SHIPPED_ID}-{lang}.pdf"
        pdf_response = page.request.get(pdf_url)
        assert pdf_response.headers["content-type"] == "application/pdf"
        assert pdf_response.body() == expected

        # The language switcher leads to the same statement in the other language.
        page.locator("nav a[hreflang]").click()
        page.wait_for_url(f"{base}{other}/{SHIPPED_ID}/")
        assert page.locator("html").get_attribute("lang") == TAGS[other]
        assert page.locator("h1").inner_text() == TITLES[other]
    finally:
        page.close()
    assert requested and all(r.startswith(base) for r in requested), "left 127.0.0.1"
    assert (tmp_path / f"statement-{lang}.png").stat().st_size > 10_000
