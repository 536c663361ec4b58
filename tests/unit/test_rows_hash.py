"""A scan's rows hash to the same value however their texts were made (interned, shared
between rows, or each made anew), and to another when any number or name differs: a
folder's hash says whether it changed since the last publish."""

from __future__ import annotations

import sys

from syndicate.walk import Row, rows_hash

ROW: Row = ("statements/a/en.md", 10, 1_700_000_000_123_456_789, 1_700_000_000_123_456_789, 42,
            0o100644)


def made_anew(row: Row) -> Row:
    return ("".join(list(row[0])), *row[1:])


def test_equal_rows_hash_alike_however_their_texts_were_made() -> None:
    interned: Row = (sys.intern(ROW[0]), *ROW[1:])
    shared = [ROW, ROW]
    separate = [made_anew(ROW), made_anew(ROW)]
    assert rows_hash([interned]) == rows_hash([made_anew(ROW)])
    assert rows_hash(shared) == rows_hash(separate)
    assert rows_hash(tuple(shared)) == rows_hash(tuple(separate))


def test_any_difference_changes_the_hash() -> None:
    changed = {rows_hash([ROW])}
    for index in range(len(ROW)):
        other = list(ROW)
        other[index] = other[index] + ("x" if index == 0 else 1)  # type: ignore[operator]
        changed.add(rows_hash([tuple(other)]))  # type: ignore[list-item]
    changed.add(rows_hash([ROW, ROW]))
    changed.add(rows_hash([("statements/a/en.md\udcff", *ROW[1:])]))  # (a name not UTF-8)
    assert len(changed) == len(ROW) + 3
