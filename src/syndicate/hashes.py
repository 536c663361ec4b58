"""The content hashes every cache key is made of (see :mod:`syndicate.cache`)."""

from __future__ import annotations

import hashlib


def digest(*parts: object) -> str:
    """A sha256 over the ``repr`` of the parts (every input here has a faithful repr; a part
    of bytes is taken as it is, after its length, rather than as the ``repr`` of its bytes).

    The ``repr`` of the tuple of parts, in one go, when none is bytes: an archive's publish
    makes over a hundred thousand of these (figures: ``benchmarks/notes.md``). Its first
    byte, "(", is never the first of the other form, a length of eight bytes."""
    if bytes not in map(type, parts):
        return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def combine(first: str, second: str) -> str:
    """The hash of two of :func:`digest`'s (hexadecimal, of one length: no separator needed)."""
    return hashlib.sha256((first + second).encode("ascii")).hexdigest()
