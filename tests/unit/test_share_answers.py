"""twitter-text's answers kept between publishes (share.remember / share.learned)."""

from __future__ import annotations

from syndicate.render import share

TEXT = "Leia https://press.example.org/pt/2022-11-22-vitorino-iom/ agora"


def test_kept_answers_give_the_same_counts_and_bad_ones_are_left_out() -> None:
    share._parsed_weight.cache_clear()
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
