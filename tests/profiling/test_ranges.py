"""Line ranges: the ranges of a file hand out each line exactly once."""

from __future__ import annotations

import codecs
import io
import random

import pytest

from curation.profiling.ranges import line_range, plan_ranges


def read_in_ranges(data: bytes, piece: int) -> list[bytes]:
    parts = []
    for start, end in plan_ranges(len(data), piece):
        with line_range(lambda: io.BytesIO(data), start, end)() as handle:
            parts.append(handle.read())
    return parts


@pytest.mark.parametrize("seed", range(5))
def test_ranges_hand_out_every_line_once_and_only_whole_lines(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        lines = [b"x" * rng.randint(0, 30) for _ in range(rng.randint(0, 40))]
        data = b"\n".join(lines) + (b"\n" if rng.random() < 0.5 else b"")
        parts = read_in_ranges(data, rng.randint(1, 60))

        assert b"".join(parts) == data
        filled = [p for p in parts if p]
        assert all(p.endswith(b"\n") for p in filled[:-1])


def test_a_range_inside_one_long_line_is_empty() -> None:
    data = b"a" * 100 + b"\nbb\n"

    assert read_in_ranges(data, 26) == [b"a" * 100 + b"\n", b"", b"", b"bb\n"]


def test_a_line_beginning_exactly_at_a_boundary_belongs_to_the_next_range() -> None:
    data = b"aaaa\nbbbb\n"  # "bbbb" begins at byte 5

    parts = []
    for start, end in [(0, 5), (5, 10)]:
        with line_range(lambda: io.BytesIO(data), start, end)() as handle:
            parts.append(handle.read())

    assert parts == [b"aaaa\n", b"bbbb\n"]


def test_a_utf16_file_is_read_whole_by_its_first_range() -> None:
    data = codecs.BOM_UTF16_LE + "mstari wa kwanza\nwa pili\n".encode("utf-16-le")

    parts = read_in_ranges(data, 10)

    assert parts[0] == data
    assert set(parts[1:]) == {b""}


def test_plan_ranges() -> None:
    assert plan_ranges(10, 4) == [(0, 5), (5, 10)]
    assert plan_ranges(0, 4) == [(0, 0)]
    assert plan_ranges(300, 100) == [(0, 100), (100, 200), (200, 300)]
    with pytest.raises(ValueError, match="at least 1"):
        plan_ranges(10, 0)
