"""Whatever a statement says, no output carries a script, an event handler or a link whose
scheme is not http, https or mailto: pages, feeds (and the HTML escaped inside them) and PDFs,
read back with independent readers (lxml, json, pikepdf)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import pikepdf
import pytest
from click.testing import CliRunner

from conftest import SHIPPED_ID, write
from syndicate.cli import main

SAFE_SCHEMES = {"", "http", "https", "mailto"}  # "" is a relative URL
# The share bar's SMS link (made by the templates, which are trusted) carries the statement's
# text only percent-encoded in its body: nothing of it can be markup or another URL.
SMS_SHARE = re.compile(r"sms:\?&body=[A-Za-z0-9%._~-]*")
# Where a feed carries HTML: RSS description and content:encoded; Atom text constructs only
# with type="html" (type="text", the default, is text, which readers show as text).
RSS_HTML = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "cite", "data", "background"}
HOSTILE_TITLE = '<script>alert(1)</script> " onmouseover="alert(2) ]]> & <b>'
HOSTILE_BODY = """\
Intro <script>alert(3)</script> and <img src=x onerror=alert(4)>.

<iframe src="javascript:alert(5)"></iframe>

<svg onload=alert(6)><a xlink:href="javascript:alert(7)">x</a></svg>

[a](javascript:alert(8)) [b](JAVASCRIPT:alert(9)) [c](data:text/html;base64,PHNjcmlwdD4=)
[d](vbscript:msgbox) <javascript:alert(10)> [e](&#106;avascript:alert(11))
[f](https://ok.example.org/ "t\\" onmouseover=\\"alert(12)") [g](  javascript:alert(13))
[h](//evil.example.net/x) [i](mailto:press@example.org) [j](file:///etc/passwd)

<a href="javascript:alert(14)" onclick="alert(15)">raw link</a>

```html
<script>alert(16)</script>
```

<style>body{background:url(javascript:alert(17))}</style>
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from conftest import REPO

    root = tmp_path_factory.mktemp("hostile") / "project"
    root.mkdir()
    shutil.copy(REPO / "syndicate.toml", root / "syndicate.toml")
    shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns("*.mo"))
    folder = root / "statements" / SHIPPED_ID
    write(folder / "statement.yaml", "date: 2022-11-22\noriginal: en\ntags: ['<b>x</b>']\n")
    front = (
        f"title: {json.dumps(HOSTILE_TITLE)}\n"
        'summary: "<img src=x onerror=alert(18)> javascript:alert(19)"\n'
        'place: "<script>alert(20)</script>"\n'
    )
    write(folder / "en.md", f"---\n{front}---\n\n{HOSTILE_BODY}")
    out = root / "dist"
    result = CliRunner().invoke(
        main, ["publish", "--project", str(root), "--now", "2026-11-28T12:00:00+00:00"]
    )
    assert result.exit_code == 0, result.output
    assert "raw HTML shown as text" in result.stderr
    assert "link to 'javascript:alert(8)' dropped" in result.stderr
    return out


def unsafe_url(value: str) -> bool:
    value = value.strip()
    return urlsplit(value).scheme.lower() not in SAFE_SCHEMES and not SMS_SHARE.fullmatch(value)


def html_problems(root: lxml.html.HtmlElement, where: str) -> Iterator[str]:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        tag = element.tag.lower()
        if tag in ("script", "iframe", "object", "embed", "frame", "base", "form"):
            if not (tag == "script" and element.get("type") == "application/ld+json"):
                yield f"{where}: <{tag}> element"
        for name, value in element.attrib.items():
            name = name.lower().rsplit("}", 1)[-1]
            if name.startswith("on"):
                yield f"{where}: {name} attribute on <{tag}>"
            if name in URL_ATTRIBUTES or name == "srcset":
                if unsafe_url(value):
                    yield f"{where}: <{tag} {name}={value!r}>"
            if name == "style" and "url(" in value.lower():
                yield f"{where}: style with url() on <{tag}>"
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            yield f"{where}: meta refresh"


def html_text_problems(text: str, where: str) -> Iterator[str]:
    if not text.strip():
        return
    for fragment in lxml.html.fragments_fromstring(f"<div>{text}</div>"):
        if isinstance(fragment, lxml.html.HtmlElement):
            yield from html_problems(fragment, where)


def json_problems(value: object, where: str, key: str = "") -> Iterator[str]:
    """JSON Feed and share.json: HTML fields are checked as HTML, *url fields as URLs."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from json_problems(item, where, name)
    elif isinstance(value, list):
        for item in value:
            yield from json_problems(item, where, key)
    elif isinstance(value, str):
        if key in ("content_html", "summary_html"):
            yield from html_text_problems(value, f"{where} {key}")
        elif key.endswith("url") and unsafe_url(value):
            yield f"{where} {key}={value!r}"


def files(dist: Path, suffix: str) -> list[Path]:
    found = sorted(p for p in dist.rglob(f"*{suffix}") if p.is_file())
    assert found, suffix
    return found


def test_pages_carry_no_script_handler_or_bad_link(dist: Path) -> None:
    problems: list[str] = []
    for page in files(dist, ".html"):
        problems += html_problems(lxml.html.fromstring(page.read_bytes()), str(page))
    assert problems == [], "\n".join(problems)
    page = (dist / "en" / SHIPPED_ID / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page  # shown as text, not dropped silently
    assert 'href="https://evil.example.net/x"' in page  # protocol-relative made absolute
    assert 'href="mailto:press@example.org"' in page


def test_feeds_and_their_escaped_html_carry_no_script(dist: Path) -> None:
    problems: list[str] = []
    for feed in files(dist, ".rss") + files(dist, ".atom"):
        tree = lxml.etree.fromstring(feed.read_bytes())  # well-formed XML
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                if name in ("href", "url", "src", "{http://www.w3.org/1999/xlink}href"):
                    if urlsplit(value).scheme not in SAFE_SCHEMES:
                        problems.append(f"{feed}: {name}={value!r}")
            local = lxml.etree.QName(element).localname
            if local in ("link", "guid", "id", "comments") and element.text:
                if urlsplit(element.text.strip()).scheme not in SAFE_SCHEMES | {"urn", "tag"}:
                    problems.append(f"{feed}: <{local}>{element.text}")
            escaped_html = element.get("type") == "html" or (
                feed.suffix == ".rss" and element.tag in RSS_HTML
            )
            if escaped_html and element.text:
                problems += html_text_problems(element.text, f"{feed} <{local}>")
            if element.get("type") == "xhtml":
                problems += html_problems(
                    lxml.html.fromstring(lxml.etree.tostring(element)), str(feed)
                )
    for feed in files(dist, ".json"):
        problems += json_problems(json.loads(feed.read_bytes()), str(feed))
    assert problems == [], "\n".join(problems)


def test_pdfs_carry_no_script_launch_or_bad_link(dist: Path) -> None:
    problems: list[str] = []
    for path in files(dist, ".pdf"):
        with pikepdf.open(path) as pdf:
            for obj in pdf.objects:
                if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                    continue
                keys = set(obj.keys())
                for bad in ("/JS", "/JavaScript", "/AA", "/Launch", "/SubmitForm"):
                    if bad in keys:
                        problems.append(f"{path}: {bad}")
                action = obj.get("/S")
                if action is not None and str(action) in (
                    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
                ):  # fmt: skip
                    problems.append(f"{path}: action {action}")
                if "/URI" in keys:
                    uri = str(obj["/URI"])
                    if urlsplit(uri).scheme.lower() not in SAFE_SCHEMES - {""}:
                        problems.append(f"{path}: /URI {uri!r}")
                if "/OpenAction" in keys and isinstance(obj["/OpenAction"], pikepdf.Dictionary):
                    problems.append(f"{path}: /OpenAction action")
            names = pdf.Root.get("/Names")
            if names is not None and "/JavaScript" in names.keys():
                problems.append(f"{path}: document JavaScript")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("rm", [True, False], ids=["rm", "without rm"])
def test_emptying_the_trash_removes_old_versions_and_follows_no_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rm: bool
) -> None:
    from syndicate import output, trash

    if not rm:
        monkeypatch.setattr(trash.shutil, "which", lambda name: None)
    out = tmp_path / "dist"
    kept = tmp_path / "elsewhere"
    kept.mkdir()
    (kept / "precious.txt").write_text("keep me", encoding="utf-8")
    folder = output.trash_dir(out)
    for version in ("0123456789abcdef", ".staging-0a1b2c3d4e5f", "-rf"):
        inner = folder / version / "en" / "statement"
        inner.mkdir(parents=True)
        (inner / "page.html").write_text("old", encoding="utf-8")
        (folder / version / "elsewhere").symlink_to(kept, target_is_directory=True)
    assert trash.retired(out).names == {"0123456789abcdef", ".staging-0a1b2c3d4e5f", "-rf"}
    only = trash.Retired(out, frozenset({"-rf", "gone-meanwhile"}))
    only.empty().finish(large=False)  # (only those named, and those still there)
    assert sorted(entry.name for entry in folder.iterdir()) == [
        ".staging-0a1b2c3d4e5f", "0123456789abcdef"]
    trash.empty(out).finish(large=False)
    assert list(folder.iterdir()) == [] and trash.retired(out).names == frozenset()
    assert (kept / "precious.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("how", ["cp", "without cp", "odd path"])
def test_a_republish_links_every_unchanged_file_from_the_current_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    import os
    import subprocess

    from syndicate import output
    from syndicate.model import Artifact, Entry
    from syndicate.staging import Staging

    if how == "without cp":
        monkeypatch.setattr(output.shutil, "which", lambda name: None)
    run, commands = subprocess.run, []

    def spy(command: list[str], **options: object) -> object:
        commands.append(command)
        return run(command, **options)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", spy)
    current = tmp_path / "current"
    paths = ["index.html", "en/index.html", "en/2022-statement/index.html",
             "pt/archive/1.atom", "pt/açúcar e café.txt"]
    if how == "odd path":
        paths.append("-rf")  # would read as an option: the thread links them all instead
    for path in paths:
        (current / path).parent.mkdir(parents=True, exist_ok=True)
        (current / path).write_text(path, encoding="utf-8")
    with Staging(tmp_path / "dist") as staging:
        staging.reuse_all([(f"{current}/{path}", Entry(path, "html", None, None, 0, ""))
                           for path in paths])
        staging.add(Artifact("en/feed.atom", "atom", "en", None, b"new"))  # meanwhile
        staging._wait()
        for path in paths:
            linked = staging.path / path
            assert os.stat(linked).st_ino == os.stat(current / path).st_ino, path
        assert sorted(p.relative_to(staging.path).as_posix()
                      for p in staging.path.rglob("*") if p.is_file()) == sorted(
                          [*paths, "en/feed.atom"])
    assert any(os.path.basename(c[2]) == "cp" for c in commands) == (how == "cp")


def test_links_are_made_durable_while_rendering_and_everything_again_at_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The linking thread syncs once its links are made (so that the commit, after the renders,
    has little left to flush); the commit still syncs after the last file and the manifest,
    before the switch."""

    from syndicate import output
    from syndicate.model import Artifact, Entry
    from syndicate.staging import Staging

    synced: list[tuple[str, ...]] = []  # what the staging folder held at each sync
    switched: list[int] = []  # how many syncs had happened when `out` was switched

    def sync(path: Path) -> None:
        synced.append(tuple(sorted(p.relative_to(path).as_posix()
                                   for p in path.rglob("*") if p.is_file())))

    switch = output.switch

    def spy_switch(out: Path, target: Path) -> None:
        switched.append(len(synced))
        switch(out, target)

    monkeypatch.setattr(output, "sync_file_system", sync)
    monkeypatch.setattr(output, "switch", spy_switch)
    current = tmp_path / "current"
    (current / "en").mkdir(parents=True)
    (current / "en" / "index.html").write_text("old", encoding="utf-8")
    with Staging(tmp_path / "dist") as staging:
        staging.reuse_all([(f"{current}/en/index.html",
                            Entry("en/index.html", "html", "en", None, 3, ""))])
        staging._wait()
        assert synced == [("en/index.html",)]  # the links, before any rendered file
        staging.add(Artifact("en/feed.atom", "atom", "en", None, b"new"))
        staging.commit(lambda entries: [b"{}"])
    assert synced[1:] == [("en/feed.atom", "en/index.html", output.MANIFEST)]
    assert switched == [2]
    assert (tmp_path / "dist" / "en" / "feed.atom").read_bytes() == b"new"


@pytest.mark.parametrize("large", [False, True])
def test_a_ctrl_c_just_after_the_staging_folder_is_made_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    """The staging folder made (by mkdir, or for a large site by taking the spare), then a
    Ctrl-C before the ``with`` block starts, whose __exit__ would not run: the folder goes
    all the same."""
    from syndicate import output, spare
    from syndicate.staging import Staging

    mkdir = Path.mkdir

    def made_then_interrupted(path: Path, *args: object, **kwargs: object) -> bool:
        mkdir(path)
        raise KeyboardInterrupt

    if large:
        monkeypatch.setattr(spare, "take", lambda current, path: made_then_interrupted(path))
    else:
        monkeypatch.setattr(Path, "mkdir", lambda path, *args, **kwargs: (
            made_then_interrupted(path) if path.name.startswith(output.STAGING_PREFIX)
            else mkdir(path, *args, **kwargs)))  # type: ignore[arg-type]
    out = tmp_path / "dist"
    with pytest.raises(KeyboardInterrupt), Staging(out, large=large):
        pytest.fail("the block ran")
    versions = output.versions_dir(output.absolute(out))
    assert [p.name for p in versions.iterdir()] == []
