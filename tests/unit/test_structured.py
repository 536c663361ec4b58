"""JSON-LD inside a <script> element: whatever a statement's words, the element ends where the
page ends it, and its JSON reads back as the same words (checked with html5lib, as a browser
parses, and json)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import html5lib
import pytest

from syndicate.render.structured import script_json

HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!-- <script> -->",
    "</SCRIPT >x",
    "<!--<script>",
    "a & b &amp; c < d > e",
    "line\u2028separator\u2029paragraph",
    "]]> \" ' \\ </",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_script_json_cannot_end_its_script_and_reads_back(text: str) -> None:
    data = {"headline": text, "keywords": [text], "nested": {"description": text}}
    encoded = script_json(data)
    assert not set("<>&\u2028\u2029") & set(encoded)
    assert json.loads(encoded) == data
    page = (f'<!DOCTYPE html><html><head><script type="application/ld+json">{encoded}</script>'
            "<title>t</title></head><body><p>after</p></body></html>")
    document: ET.Element = html5lib.parse(page, treebuilder="etree",
                                          namespaceHTMLElements=False)
    scripts = list(document.iter("script"))
    assert len(scripts) == 1 and json.loads(scripts[0].text or "") == data
    assert [p.text for p in document.iter("p")] == ["after"]


def test_plain_json_would_end_the_script() -> None:
    """The check above can fail: ``json.dumps`` alone lets a title close the element."""
    encoded = json.dumps({"headline": HOSTILE[0]})
    page = f'<html><head><script type="application/ld+json">{encoded}</script></head></html>'
    document: ET.Element = html5lib.parse(page, treebuilder="etree",
                                          namespaceHTMLElements=False)
    assert len(list(document.iter("script"))) == 2
