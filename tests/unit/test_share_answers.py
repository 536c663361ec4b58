"""twitter-text's answers kept between publishes (share.remember / share.learned)."""

from __future__ import annotations

import pytest

from syndicate.render import share

TEXT = "Leia https://press.example.org/pt/2022-11-22-vitorino-iom/ agora"


@pytest.fixture
def empty_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """share's memo empty for one test, and given back as it was afterwards (a publish in the
    same process, or another test, keeps what it had remembered and learned)."""
    monkeypatch.setattr(share, "_answers", {})
    monkeypatch.setattr(share, "_learned", {})
    share._parsed_weight.cache_clear()  # a cache of answers: emptied, never wrong


@pytest.mark.usefixtures("empty_memo")
def test_kept_answers_give_the_same_counts_and_bad_ones_are_left_out() -> None:
    fresh = share.x_length(TEXT)
    answers = share.learned()
    assert any(key.endswith("/pt/2022-11-22-vitorino-iom/") for key in answers)
    share._answers.clear()
    share._parsed_weight.cache_clear()
    share.remember(answers)
    assert share.x_length(TEXT) == fresh == 4 + 1 + 23 + 1 + 5
    # A damaged file (wrong shapes) is not believed: those texts are asked again.
    share._answers.clear()
    share._parsed_weight.cache_clear()
    share.remember({key: "oops" for key in answers} | {"": 1, "w": [1], "u x": [[1, 2]]})
    assert share._answers == {}
    assert share.x_length(TEXT) == fresh

