"""Markdown bodies: CommonMark in, safe HTML with absolute http(s)/mailto links out."""

from __future__ import annotations

from lxml import html as lxml_html

from syndicate.markup import to_html

BASE = "https://press.example.org/en/a/"


def test_raw_html_is_shown_as_text_never_passed_through() -> None:
    out = to_html('Hi <script>alert(1)</script> <img src=x onerror="alert(1)">', BASE)
    tree = lxml_html.fragment_fromstring(out, create_parent="div")
    assert tree.xpath("//script | //img") == []
    assert [a for el in tree.iter() for a in el.attrib if a.startswith("on")] == []
    assert "<script>alert(1)</script>" in tree.text_content()


def test_dangerous_links_are_not_links() -> None:
    for url in ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd"):
        tree = lxml_html.fragment_fromstring(to_html(f"[x]({url})", BASE), create_parent="div")
        assert tree.xpath("//a") == [], url


def test_relative_links_become_absolute() -> None:
    tree = lxml_html.fragment_fromstring(
        to_html("[a](../b/) [c](mailto:x@example.org)", BASE), create_parent="div"
    )
    assert [a.get("href") for a in tree.xpath("//a")] == [
        "https://press.example.org/en/b/",
        "mailto:x@example.org",
    ]


def test_structure_is_kept() -> None:
    out = to_html("## Heading\n\n- one\n- two\n\n> quote\n\n**bold** *it*", BASE)
    for tag in ("<h2>", "<ul>", "<li>", "<blockquote>", "<strong>", "<em>"):
        assert tag in out
