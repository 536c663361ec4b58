"""The statement id length from which an output file name is too long (``names.id_room``,
worked out once per site) agrees with the names themselves, whatever the languages and the
``[editions]`` sets: a load checks each name in full only for an id longer than it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import names
from syndicate.config import load_site
from syndicate.errors import Problem
from syndicate.model import Site
from syndicate.names import NAME_MAX

SITE = load_site(Path(__file__).resolve().parents[2])  # the repository's own project
LANGUAGE = SITE.languages[0]

codes = st.lists(st.text("abcdefghz-", min_size=2, max_size=12).filter(
    lambda code: not code.startswith("-")), min_size=2, max_size=5, unique=True)


@st.composite
def sites(draw: st.DrawFn) -> Site:
    languages = draw(codes)
    sets = draw(st.none() | st.lists(
        st.lists(st.sampled_from(languages), min_size=2, max_size=len(languages), unique=True),
        min_size=1, max_size=4, unique_by=tuple))
    return replace(SITE, languages=tuple(replace(LANGUAGE, code=code) for code in languages),
                   default_language=languages[0],
                   editions=None if sets is None else tuple(map(tuple, sets)))


def longest(site: Site, statement_id: str) -> int:
    """The longest output file name of ``statement_id``, in bytes, from the names themselves."""
    return max(len(part.encode()) for path in site.statement_paths(statement_id)
               for part in path.split("/"))


@settings(max_examples=150, deadline=None)
@given(sites(), st.integers(-2, 2))
def test_the_id_room_is_where_names_stop_fitting(site: Site, offset: int) -> None:
    room = names.id_room(site)
    length = room + offset
    if length < 1:
        return
    statement_id = "a" * length
    fits = longest(site, statement_id) <= NAME_MAX
    assert fits == (length <= room), (room, length, longest(site, statement_id))
    problems: list[Problem] = []
    said = names.too_long(Path("statements"), statement_id, site, problems)
    assert said == (not fits) == bool(problems)
