"""WebSub: what a real hub on 127.0.0.1 receives from ``syndicate ping``; feeds across publishes."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from click.testing import Result
from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://press.example.org/"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
FEEDS = ["en/feed.atom", "en/feed.json", "en/feed.rss", "feed.atom",
         "pt/feed.atom", "pt/feed.json", "pt/feed.rss"]
NOW = "2026-11-28T00:00:00+00:00"


class Hub:
    def __init__(self) -> None:
        self.received: list[tuple[str, str, str]] = []  # (path, content type, body)
        self.status = 204


@pytest.fixture
def hub() -> Iterator[tuple[Hub, str]]:
    state = Hub()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode("ascii")
            state.received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/hub"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def with_hub(project: Path, url: str) -> Path:
    config = project / "syndicate.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[feeds]\nhub = "{url}"\n',
                      encoding="utf-8")
    return project


def test_ping_posts_each_changed_feed_to_the_hub(
        project: Path, run: Callable[..., Result], hub: tuple[Hub, str]) -> None:
    state, url = hub
    with_hub(project, url)
    assert run("publish", "--project", project, "--now", NOW).exit_code == 0
    changes = json.loads((project / "dist" / "websub.json").read_text(encoding="utf-8"))
    assert changes == {"hub": url, "changed": [BASE + f for f in FEEDS]}
    manifest = json.loads((project / "dist" / "manifest.json").read_text(encoding="utf-8"))
    assert {"websub.json"} <= {f["path"] for f in manifest["files"]}
    root = etree.parse(project / "dist" / "en" / "feed.atom").getroot()
    assert {(e.get("rel"), e.get("href")) for e in root.findall(f"{ATOM}link")} >= {
        ("hub", url), ("self", BASE + "en/feed.atom")}

    result = run("ping", "--project", project)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"Notified {url}: {BASE}{f}" for f in FEEDS]
    assert state.received == [
        ("/hub", "application/x-www-form-urlencoded",
         f"hub.mode=publish&hub.url=https%3A%2F%2Fpress.example.org%2F{f.replace('/', '%2F')}")
        for f in FEEDS]
    assert [dict(parse_qsl(body)) for _, _, body in state.received][0] == {
        "hub.mode": "publish", "hub.url": BASE + FEEDS[0]}

    # The same input again: nothing changed, nothing to notify.
    state.received.clear()
    assert run("publish", "--project", project, "--now", "2027-01-01T00:00:00Z").exit_code == 0
    result = run("ping", "--project", project)
    assert result.exit_code == 0
    assert result.output == "No feed changed in the last publish: nothing to notify.\n"
    assert state.received == []

    # A Portuguese correction changes the Portuguese feeds and the all-languages one.
    pt = next((project / "statements").glob("*/pt.md"))
    pt.write_text(pt.read_text(encoding="utf-8").replace("Governo apoia", "O Governo apoia"),
                  encoding="utf-8")
    assert run("publish", "--project", project, "--now", NOW).exit_code == 0
    assert run("ping", "--project", project, "--out", project / "dist").exit_code == 0
    assert [dict(parse_qsl(b))["hub.url"] for _, _, b in state.received] == [
        BASE + f for f in FEEDS if f.startswith(("pt/", "feed"))]


def test_ping_reports_a_hub_that_refuses(
        project: Path, run: Callable[..., Result], hub: tuple[Hub, str]) -> None:
    state, url = hub
    state.status = 500
    with_hub(project, url)
    assert run("publish", "--project", project, "--now", NOW).exit_code == 0
    result = run("ping", "--project", project)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the hub {url} refused {BASE}en/feed.atom: HTTP 500 Internal Server Error\n")
    assert "Traceback" not in result.output


def test_ping_reports_an_unreachable_hub(project: Path, run: Callable[..., Result]) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with_hub(project, url)
    assert run("publish", "--project", project, "--now", NOW).exit_code == 0
    result = run("ping", "--project", project)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot reach the hub {url}: ")
    assert "refused" in result.stderr and "Traceback" not in result.output


def test_ping_before_any_publish_with_a_hub(project: Path, run: Callable[..., Result]) -> None:
    assert run("publish", "--project", project, "--now", NOW).exit_code == 0  # no hub
    assert not (project / "dist" / "websub.json").exists()
    result = run("ping", "--project", project)
    assert result.exit_code == 1
    assert "websub.json not found: publish first, with a hub configured" in result.stderr


# Feeds across publishes


def feeds(dist: Path) -> dict[str, bytes]:
    files = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))["files"]
    return {f["path"]: (dist / f["path"]).read_bytes() for f in files
            if f["kind"] in ("rss", "atom", "jsonfeed")}


def test_feeds_do_not_depend_on_now_and_a_correction_changes_only_updated_and_content(
        project: Path, run: Callable[..., Result]) -> None:
    first, second, corrected = (project.parent / name for name in ("a", "b", "c"))
    assert run("publish", "--project", project, "--out", first, "--now", NOW).exit_code == 0
    assert run("publish", "--project", project, "--out", second,
               "--now", "2031-05-05T05:05:05+05:00").exit_code == 0
    assert feeds(first) == feeds(second) and len(feeds(first)) == 7

    shared = next((project / "statements").glob("*/statement.yaml"))
    shared.write_text(shared.read_text(encoding="utf-8") + "updated: 2022-11-23T10:00:00+00:00\n",
                      encoding="utf-8")
    assert run("publish", "--project", project, "--out", corrected, "--now", NOW).exit_code == 0
    for path, before in feeds(first).items():
        after = feeds(corrected)[path]
        if path.endswith(".json"):
            old, new = json.loads(before), json.loads(after)
            assert new["items"][0].pop("date_modified") == "2022-11-23T10:00:00+00:00"
            old["items"][0].pop("date_modified")
            # the entry's content opens with the dated correction line, and only there
            assert new["items"][0]["content_html"] != old["items"][0]["content_html"]
            assert new["items"][0].pop("content_html").endswith(old["items"][0].pop("content_html"))
            for item in (*old["items"], *new["items"]):  # the PDF carries the correction note
                for attachment in item.get("attachments", []):
                    attachment.pop("size_in_bytes")
            assert old == new
            continue
        trees = [etree.fromstring(before), etree.fromstring(after)]
        # the PDF carries the correction note: its enclosure's length follows the new file
        for root, dist in zip(trees, (first, corrected), strict=True):
            for enclosure in root.iter("enclosure", f"{ATOM}link"):
                if enclosure.get("rel", "enclosure") == "enclosure":
                    href = enclosure.get("url") or enclosure.get("href") or ""
                    pdf = dist / href.removeprefix(BASE)
                    assert int(enclosure.attrib.pop("length")) == pdf.stat().st_size
        changed = []
        contents = []
        for root in trees:
            head = root.find("channel") if root.tag == "rss" else root
            assert head is not None
            for name in ("lastBuildDate", f"{ATOM}updated", f"{ATOM}entry/{ATOM}updated"):
                for element in head.findall(name):
                    changed.append(element.text)
                    element.getparent().remove(element)  # type: ignore[union-attr]
            for name in (f"item/{CONTENT}encoded", f"{ATOM}entry/{ATOM}content"):
                for element in head.findall(name):
                    contents.append(element.text or "")
                    element.getparent().remove(element)  # type: ignore[union-attr]
        # the corrected entry's content is the old one after the dated correction line
        half = len(contents) // 2
        assert half and all(new != old and new.endswith(old) for old, new in
                            zip(contents[:half], contents[half:], strict=True)), path
        assert etree.tostring(trees[0]) == etree.tostring(trees[1]), path
        assert changed[len(changed) // 2:] in (
            ["Wed, 23 Nov 2022 10:00:00 +0000"],
            ["2022-11-23T10:00:00+00:00"] * (len(changed) // 2))


def test_bad_feeds_settings_are_reported_with_their_lines(
        project: Path, run: Callable[..., Result]) -> None:
    config = project / "syndicate.toml"
    text = config.read_text(encoding="utf-8").replace(
        'issuer = "Portuguese Government"', 'issuer = "Portuguese Government"\nemail = "nobody"')
    config.write_text(text + '\n[feeds]\nlimit = 0\nhub = "hub.example.net"\nsize = 3\n',
                      encoding="utf-8")
    lines = config.read_text(encoding="utf-8").splitlines()
    result = run("check", "--project", project)
    assert result.exit_code == 1
    where = {key: lines.index(next(s for s in lines if s.startswith(key))) + 1
             for key in ("email", "limit", "hub", "size")}
    assert f"syndicate.toml:{where['limit']}: limit must be a whole number" in result.stderr
    assert f"syndicate.toml:{where['hub']}: hub must be an absolute http(s) URL" in result.stderr
    assert f"syndicate.toml:{where['size']}: unknown key 'size' in [feeds]" in result.stderr
    assert f"syndicate.toml:{where['email']}: email must be an address" in result.stderr
