"""The sitemap's XML escaping gives the text ``xml.sax.saxutils.escape`` gives (which it no
longer imports), for text and for attribute values in double quotes."""

from __future__ import annotations

from xml.sax.saxutils import escape as reference

from hypothesis import given
from hypothesis import strategies as st

from syndicate.render.sitemap import _ATTRIBUTE, escape

ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
TEXTS = st.text(alphabet=st.sampled_from('&<>"\n\r\t\'a é;#x'), max_size=40)


@given(TEXTS)
def test_text_is_escaped_as_saxutils_escapes_it(value: str) -> None:
    assert escape(value) == reference(value)


@given(TEXTS)
def test_an_attribute_value_is_escaped_as_saxutils_escapes_it(value: str) -> None:
    assert escape(value, _ATTRIBUTE) == reference(value, ATTRIBUTE_ENTITIES)


def test_an_address_with_a_query_is_escaped_once() -> None:
    assert escape('https://x.example/?a=1&b="2"', _ATTRIBUTE) == (
        "https://x.example/?a=1&amp;b=&quot;2&quot;")
