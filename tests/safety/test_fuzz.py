"""Property tests: whole generated statements (front matter and Markdown, any Unicode, control
characters, lone surrogates as bytes, malformed YAML) either publish into outputs independent
readers accept, or fail with exit status 1 and `path:line: message` lines; never a traceback.

`make test` runs a bounded, derandomized number of examples; `make fuzz` sets
HYPOTHESIS_PROFILE=fuzz for a long randomized run (failures are kept in .hypothesis/).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import feedparser
import lxml.etree
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import REPO
from syndicate.cli import main

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "derandomize": not FUZZ,
    "database": None if not FUZZ else settings.default.database,
}
CHECK_SETTINGS = settings(max_examples=5000 if FUZZ else 300, **COMMON)  # type: ignore[arg-type]
PUBLISH_SETTINGS = settings(max_examples=500 if FUZZ else 20, **COMMON)  # type: ignore[arg-type]
NOW = "2026-11-28T12:00:00+00:00"
PROBLEM_LINE = re.compile(r"^.+?(:\d+)?: (warning: )?\S.*$")
SUMMARY_LINE = re.compile(r"^Error: \d+ problems? found$")

# Any character at all (surrogates included: written with surrogatepass they become the invalid
# UTF-8 bytes ED A0 80 an editor could produce), weighted towards what Markdown and YAML parse.
any_char = st.characters(codec=None, categories=None)
syntax = st.sampled_from(
    list("#*_`[]()!<>&:-+|\\\"'{}%@~=\n\t\r ")
    + ["---", "```", "<script>", "</script>", "javascript:", "data:", "http://", "https://x/",
       "mailto:", "&#0;", "&amp;", "\u200b", "\ufeff", "e\u0301", "\x00", "\x0b", "\x85",
       "\u2028", "\ud800", "\U0001f600", "**", "> ", "1. ", "* ", "    ", "\r\n", "![a](", "](",
       "<http://", "<img src=x onerror=alert(1)>", "]]>", "<![CDATA["]
)  # fmt: skip
text = st.lists(st.one_of(any_char, syntax), max_size=60).map("".join)
words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
scalar = st.one_of(words, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
translation_keys = st.sampled_from(["title", "summary", "place", "tags", "other", "date"])
dates = st.one_of(
    st.dates().map(str),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    words,
)


def dump(mapping: dict[str, object]) -> str:
    return yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False)


front_matter = st.one_of(
    st.dictionaries(translation_keys, value, max_size=5).map(dump),
    st.fixed_dictionaries({"title": words}, optional={"summary": words, "tags": value}).map(dump),
    text,  # whatever it is, raw
)
shared = st.one_of(
    st.fixed_dictionaries({"date": dates}, optional={"original": words, "tags": value}).map(dump),
    text,
)
statement = st.fixed_dictionaries(
    {
        "id": st.one_of(st.just("2022-11-22-fuzz"), words),
        "shared": shared,
        "en": st.tuples(front_matter, text),
        "pt": st.one_of(st.none(), st.tuples(front_matter, text)),
        "crlf": st.booleans(),
    }
)

# For publish: a valid date and id, mostly valid front matter, hostile text everywhere.
# Mostly text that can be published (no controls, which are refused, and characters the PDF
# fonts have, since a missing glyph is refused too), sometimes anything.
printable_syntax = syntax.filter(lambda s: not any(c in s for c in "\x00\x0b\x85\ud800\U0001f600"))
clean = st.one_of(
    st.characters(codec="latin-1", exclude_categories=["Cc"]),
    st.sampled_from("ĀăœŠΩαβЖжقש€“”‘’…—–•™"),
)
clean_text = st.lists(st.one_of(clean, printable_syntax), max_size=60).map("".join)
hostile = st.one_of(clean_text, clean_text, clean_text, text)
hostile_meta = st.fixed_dictionaries(
    {"title": hostile.map(lambda t: "T " + t)},
    optional={
        "summary": hostile,
        "place": hostile,
        "tags": st.lists(clean_text.filter(lambda w: w.strip() != ""), max_size=3),
    },
).map(dump)
translation = st.tuples(hostile_meta, hostile.map(lambda t: "Body " + t))
publishable = st.fixed_dictionaries(
    {
        "id": st.just("2022-11-22-fuzz"),
        "shared": st.just("date: 2022-11-22\n"),
        "en": st.one_of(st.none(), translation),
        "pt": translation,
        "crlf": st.booleans(),
    }
)


@contextmanager
def project_with(example: dict[str, object]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        shutil.copy(REPO / "syndicate.toml", root / "syndicate.toml")
        shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns("*.mo"))
        name = str(example["id"]).replace("/", "_").replace("\x00", "_")
        if name in ("", ".", ".."):
            name = "x"
        folder = root / "statements" / name
        try:
            folder.mkdir(parents=True)
        except (OSError, ValueError, UnicodeEncodeError):
            folder = root / "statements" / "unnamable"
            folder.mkdir(parents=True)

        def put(path: Path, content: str) -> None:
            if example["crlf"]:
                content = content.replace("\n", "\r\n")
            path.write_bytes(content.encode("utf-8", "surrogatepass"))

        put(folder / "statement.yaml", str(example["shared"]))
        for lang in ("en", "pt"):
            parts = example[lang]
            if parts is not None:
                meta, body = parts  # type: ignore[misc]
                put(folder / f"{lang}.md", f"---\n{meta}\n---\n\n{body}\n")
        yield root


def assert_clean_result(result: Result) -> None:
    """Exit 0 or 1, never an exception; every stderr line a problem or the summary."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("uncaught exception") from result.exception
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    lines = result.stderr.splitlines()
    if result.exit_code == 1:
        assert lines and SUMMARY_LINE.match(lines[-1]), result.stderr
        lines = lines[:-1]
    for line in lines:
        assert PROBLEM_LINE.match(line), line
        if result.exit_code == 0:
            assert ": warning: " in line, line


@CHECK_SETTINGS
@given(statement)
def test_check_reports_or_accepts(example: dict[str, object]) -> None:
    with project_with(example) as root:
        assert_clean_result(CliRunner().invoke(main, ["check", "--project", str(root)]))


def assert_outputs_parse(dist: Path) -> None:
    manifest = json.loads((dist / "manifest.json").read_bytes())
    for entry in manifest["files"]:
        path = dist / entry["path"]
        data = path.read_bytes()
        if path.suffix in (".rss", ".atom"):
            feed = feedparser.parse(data)
            assert not feed.bozo, (path, feed.get("bozo_exception"))
            lxml.etree.fromstring(data)
        elif path.suffix == ".xml":
            lxml.etree.fromstring(data)
        elif path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".html":
            lxml.etree.fromstring(data, lxml.etree.HTMLParser(recover=False))
        elif path.suffix == ".pdf":
            reader = PdfReader(path)
            assert len(reader.pages) >= 1
            reader.pages[0].extract_text()


@PUBLISH_SETTINGS
@given(publishable)
def test_publish_succeeds_with_readable_outputs_or_fails_cleanly(
    example: dict[str, object],
) -> None:
    with project_with(example) as root:
        result = CliRunner().invoke(
            main, ["publish", "--project", str(root), "--now", NOW], catch_exceptions=True
        )
        assert_clean_result(result)
        if result.exit_code == 0:
            assert_outputs_parse(root / "dist")
