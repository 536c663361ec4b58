"""pydyf compresses each distinct stream once (``weasy._CompressedOnce``): the bytes it writes
are zlib's, and a publish's PDFs are the very bytes pydyf writes with zlib itself."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.render import weasy

NOW = "2026-11-28T12:00:00+00:00"
LEVELS = st.sampled_from([-1, 0, 1, 6, 9])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=5000), max_size=4), LEVELS, st.integers(0, 3))
def test_a_stream_is_compressed_as_zlib_compresses_it(pieces: list[bytes], level: int,
                                                       asks: int) -> None:
    """Fed in pieces, asked again and again, past the bytes it keeps: always zlib's bytes."""
    real = zlib.compressobj(level)
    expected = b"".join(real.compress(piece) for piece in pieces) + real.flush()
    once = weasy._CompressedOnce()
    once.KEPT_BYTES = 6000  # (so that some examples drop what they kept)
    for _ in range(asks + 1):
        stream = once.compressobj(level=level)
        assert b"".join(stream.compress(piece) for piece in pieces) + stream.flush() == expected
        other = once.compressobj(level=level)  # another stream meanwhile
        assert other.compress(b"x" * 3000) + other.flush() == zlib.compress(b"x" * 3000, level)
    data = b"".join(pieces)
    for other_level in (1, 9):  # the same stream at another level
        stream = once.compressobj(level=other_level)
        assert stream.compress(data) + stream.flush() == zlib.compress(data, other_level)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=30), st.integers(0, 9000))
def test_what_is_kept_stays_within_its_bound(asks: list[int], bound: int) -> None:
    """Whatever is asked, the kept streams and their compressed bytes never pass the bound,
    a stream too large for it is not kept (one that fits is: the one asked last), and every
    answer is zlib's."""
    streams = [bytes([n]) * (700 * n) + bytes(range(n * 40 % 256)) for n in range(6)]
    once = weasy._CompressedOnce()
    once.KEPT_BYTES = bound
    for n in asks:
        assert once.compressed(9, streams[n]) == zlib.compress(streams[n], 9)
        kept = once._kept
        assert once._size == sum(len(d) + len(c) for (_, d), c in kept.items()) <= bound
        fits = len(streams[n]) + len(zlib.compress(streams[n], 9)) <= bound
        assert ((9, streams[n]) in kept) == fits


def test_the_stream_asked_for_last_is_kept_longest() -> None:
    once = Counting()
    first, second, third = b"a" * 4000, b"b" * 4000, b"c" * 4000
    once.KEPT_BYTES = 2 * (4000 + len(zlib.compress(first, 9)))  # (room for two)
    for data in (first, second, first, third, first):  # (the third drops the second)
        once.compressed(9, data)
    assert once.made == 3
    once.compressed(9, second)
    assert once.made == 4


def test_a_compressor_with_other_settings_is_zlibs_own() -> None:
    once = weasy._CompressedOnce()
    for other in ({"wbits": -15}, {"strategy": zlib.Z_FILTERED}, {"zdict": b"abc"},
                  {"memLevel": 9}):
        ours = once.compressobj(6, **other)
        theirs = zlib.compressobj(6, **other)
        assert ours.compress(b"abcabc" * 50) + ours.flush() == (
            theirs.compress(b"abcabc" * 50) + theirs.flush())
    assert not once._kept


class Counting(weasy._CompressedOnce):
    """Counts the streams pydyf asks for and those actually compressed."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[int, bytes]] = []
        self.made = 0

    def compressed(self, level: int, data: bytes) -> bytes:
        self.asked.append((level, data))
        self.made += (level, data) not in self._kept
        return super().compressed(level, data)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_publish_writes_the_bytes_of_plain_zlib_compressing_each_stream_once(
        project: Path, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    weasy.load()
    import pydyf

    assert isinstance(vars(pydyf)["zlib"], weasy._CompressedOnce)  # installed by load()
    monkeypatch.setattr(weasy, "_streams_compressed_once", lambda: None)  # (not again)
    monkeypatch.setitem(vars(pydyf), "zlib", zlib)
    assert run("publish", "--project", project, "--out", tmp_path / "plain", "--now", NOW,
               "--jobs", "1", "-q").exit_code == 0
    counting = Counting()
    counting.KEPT_BYTES = 1 << 40  # (nothing dropped: each distinct stream is counted once)
    monkeypatch.setitem(vars(pydyf), "zlib", counting)
    assert run("publish", "--project", project, "--out", tmp_path / "once", "--now", NOW,
               "--jobs", "1", "-q").exit_code == 0
    plain, once = files((tmp_path / "plain").resolve()), files((tmp_path / "once").resolve())
    assert [p for p in plain if p.endswith(".pdf")] and plain == once
    assert counting.asked  # (pydyf did ask it)
    # Every distinct stream compressed once, fewer than pydyf asked for (a PDF's streams are
    # asked for twice: once more for its file identifier).
    assert counting.made == len(set(counting.asked)) < len(counting.asked)
