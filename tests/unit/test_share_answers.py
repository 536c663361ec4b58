"""twitter-text's answers kept between publishes (counting.TwitterAnswers)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from syndicate import answers, cache
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


def test_kept_answers_are_read_and_written_a_shard_at_a_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """A publish reads only the shards its pages' questions are in, and writes only those it
    learned answers for; the old single file goes; a shard of other code is not believed."""
    (tmp_path / answers.OLD_FILE).write_text("{}", encoding="utf-8")
    first = fresh_answers(monkeypatch)
    fresh = counting.x_length(TEXT)
    learned, asked = first.take_learned()
    assert learned and first.learned() == {}  # (a resident serve writes each answer once)
    assert asked >= learned.keys() and first.take_learned() == ({}, set())
    answers.KeptAnswers(tmp_path).save(learned, asked)
    shards = {answers.shard_of(question) for question in learned}
    written = {p.stem for p in (tmp_path / answers.FOLDER).iterdir()}
    assert written == shards and not (tmp_path / answers.OLD_FILE).exists()
    kept = answers.KeptAnswers(tmp_path)
    fresh_answers(monkeypatch).attach(kept.shard)
    assert counting.x_length(TEXT) == fresh
    assert counting.ANSWERS.learned() == {}  # all answered by the shards
    assert set(kept._read) == shards  # and no other shard was read
    monkeypatch.setattr(cache, "code_digest", lambda: "other code")
    fresh_answers(monkeypatch).attach(answers.KeptAnswers(tmp_path).shard)
    assert counting.x_length(TEXT) == fresh
    assert counting.ANSWERS.learned().keys() == learned.keys()  # asked again


def test_a_full_shard_keeps_the_answers_its_last_publish_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setattr(answers, "MAX_PER_SHARD", 3)
    question = "w" + TEXT
    shard = answers.shard_of(question)
    same = [q for q in (f"w{n}" for n in range(2000)) if answers.shard_of(q) == shard][:4]
    answers.KeptAnswers(tmp_path).save({q: 1 for q in same[:3]}, set(same[:3]))
    answers.KeptAnswers(tmp_path).save({same[3]: 2}, {same[1], same[3]})
    document = json.loads((tmp_path / answers.FOLDER / f"{shard}.json").read_text("ascii"))
    assert document["answers"] == {same[1]: 1, same[3]: 2}  # (what the last run asked)


def test_two_threads_asking_from_one_shard_both_get_its_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """Pages render in two threads: while one reads a shard, the other, asking another of its
    questions, waits for it instead of asking twitter-text (which it would import)."""
    first = "w" + TEXT
    second = next(q for q in (f"w{n}" for n in range(5000))
                  if answers.shard_of(q) == answers.shard_of(first))
    answers.KeptAnswers(tmp_path).save({first: 7, second: 9}, {first, second})
    kept = answers.KeptAnswers(tmp_path)
    asking = fresh_answers(monkeypatch)
    remember = asking.remember

    def slow(found: Mapping[str, object]) -> None:
        if found:
            time.sleep(0.3)  # (the shard is read, not yet remembered: the other thread asks)
        remember(found)

    monkeypatch.setattr(asking, "remember", slow)
    asking.attach(kept.shard)
    got: dict[str, int] = {}

    def ask(question: str) -> None:
        got[question] = asking.ask(question, lambda: -1)  # (-1: twitter-text was asked)

    threads = [threading.Thread(target=ask, args=(q,)) for q in (first, second)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    assert got == {first: 7, second: 9} and asking.learned() == {}
