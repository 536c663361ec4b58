"""twitter-text's answers kept between publishes (counting.TwitterAnswers)."""

from __future__ import annotations

import pytest

from syndicate.render import counting

TEXT = "Leia https://press.example.org/pt/2022-11-22-vitorino-iom/ agora"


def fresh_answers(monkeypatch: pytest.MonkeyPatch) -> counting.TwitterAnswers:
    """A process's answers emptied for the rest of the test, and given back as they were
    afterwards (a publish in the same process, or another test, keeps what it had)."""
    answers = counting.TwitterAnswers()
    monkeypatch.setattr(counting, "ANSWERS", answers)
    counting._parsed_weight.cache_clear()  # a cache of answers: emptied, never wrong
    return answers


def test_kept_answers_give_the_same_counts_and_bad_ones_are_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = fresh_answers(monkeypatch)
    fresh = counting.x_length(TEXT)
    learned = first.learned()
    assert any(key.endswith("/pt/2022-11-22-vitorino-iom/") for key in learned)
    fresh_answers(monkeypatch).remember(learned)
    assert counting.x_length(TEXT) == fresh == 4 + 1 + 23 + 1 + 5
    assert counting.ANSWERS.learned() == {}  # answered from what was remembered
    # A damaged file (wrong shapes) is not believed: those texts are asked again.
    damaged = fresh_answers(monkeypatch)
    damaged.remember({key: "oops" for key in learned} | {"": 1, "w": [1], "u x": [[1, 2]]})
    assert damaged.known() == {}
    assert counting.x_length(TEXT) == fresh
    assert damaged.learned().keys() == learned.keys()
