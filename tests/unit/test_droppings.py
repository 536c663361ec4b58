"""Editor droppings are told by one pattern (a load asks of every statement folder's name):
it names exactly what the shell patterns of ``DROPPINGS`` name, one at a time."""

from __future__ import annotations

from fnmatch import fnmatchcase

from hypothesis import given
from hypothesis import strategies as st

from syndicate.files import DROPPINGS, is_dropping

NAMES = st.text(alphabet=st.sampled_from(".#~swpxaSW\n-é"), max_size=12)  # (SW: case counts)


@given(NAMES)
def test_a_name_is_a_dropping_when_one_pattern_names_it(name: str) -> None:
    assert is_dropping(name) == any(fnmatchcase(name, pattern) for pattern in DROPPINGS)


def test_the_droppings_and_the_names_that_are_not() -> None:
    assert [is_dropping(n) for n in (".#en.md", "en.md~", ".en.md.swp", "#en.md#", ".en.swx")] == [
        True] * 5
    assert [is_dropping(n) for n in ("en.md", "#en.md", "en.md#", ".swp", "a~b", "\n")] == [
        False] * 6
