"""Markdown bodies: CommonMark in, safe HTML with absolute http(s)/mailto links out."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from syndicate.assets import embedded_problems
from syndicate.markup import lint, parse, to_html

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


# One parse shared by the checks and the HTML: never a different result -------------------------

PIECES = [
    "Texto ", "word", "\n", "\n\n", "# ", "- ", "1. ", "> ", "    code", "*", "_", "`", "**",
    "[a](https://example.org/x)", "[b](javascript:alert(1))", "[c](mailto:x@example.org)",
    "[d](file:///etc/passwd)", "[e](data:text/html,x)", "[f](../relative/ \"title\")",
    "![alt](chart.png)", "![](http://127.0.0.1/x.png)", "![x](javascript:y)",
    "![a [b](javascript:c)](d.png)", "[ref]", "[ref][]", "\n[ref]: https://example.org/r\n",
    "\n[ref]: javascript:alert(1)\n", "\n[other]: vbscript:x\n", "<b>", "<https://example.org>",
    "<!-- c -->", "&amp;", "\\[", "]", "(", ")", "!", "«é»",
]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
@example("\n[ref]: https://example.org/r\n\n[ref]: javascript:alert(1)\n")  # a dropped duplicate
@example("\n[ref]: https://example.org/r\n\n[ref]: javascript&colon;alert(1)\n")
@settings(max_examples=400, deadline=None)
def test_one_shared_parse_gives_what_separate_parses_give(markdown: str) -> None:
    parsed = parse(markdown)
    assert to_html(markdown, BASE, parsed) == to_html(markdown, BASE)
    assert lint(markdown, BASE, parse(markdown)) == lint(markdown, BASE)
    assert embedded_problems(markdown, 3, parse(markdown)) == embedded_problems(markdown, 3)


def test_an_unused_unsafe_reference_is_still_published_as_text() -> None:
    # The inspector accepts it as a definition (no output); the publishing parser refuses the
    # URL and shows the line as a paragraph. Sharing the parse must not lose that paragraph.
    markdown = "Before.\n\n[x]: javascript:alert(1)\n"
    parsed = parse(markdown)
    assert not parsed.plain
    assert "javascript:alert(1)" in to_html(markdown, BASE, parsed)
    assert parse("Before.\n\n[x]: https://example.org/\n").plain


def test_a_footnote_whose_note_is_a_url_is_reported_where_it_becomes_a_link() -> None:
    markdown = "Provisional figures[^1].\n\n[^1]: https://stats.example.org/\n"
    tree = lxml_html.fragment_fromstring(to_html(markdown, BASE), create_parent="div")
    assert [(a.text, a.get("href")) for a in tree.xpath("//a")] == [
        ("^1", "https://stats.example.org/")]  # what a reader would see: no footnote
    found = lint(markdown, BASE)
    assert [line for line, _ in found] == [1, 3]
    assert all(message.startswith("footnote [^1] is not rendered") for _, message in found)


def test_table_cells_keep_no_markup_but_alignment() -> None:
    markdown = "| a | b |\n|:-:|--:|\n| <b>1</b> | [x](javascript:alert(1)) |\n"
    tree = lxml_html.fragment_fromstring(to_html(markdown, BASE), create_parent="div")
    assert [td.get("style") for td in tree.xpath("//td")] == ["text-align:center",
                                                               "text-align:right"]
    assert tree.xpath("//td//b | //td//a") == []
    assert tree.xpath("//td")[0].text_content() == "<b>1</b>"
