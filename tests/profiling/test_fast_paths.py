"""The engine's fast paths give exactly what the plain computation gives."""

from __future__ import annotations

import itertools
import json
from collections import Counter

import numpy as np
import pytest
import xxhash

from curation.profiling import Limits
from curation.profiling import batch as batch_mod
from curation.profiling.readers import _parse_line
from curation.profiling.scripts import letter_scripts, script_of
from curation.profiling.streams import StreamStats, lines

DATA = b"one\r\ntwo\n\xc3\xa9t\xc3\xa9\r\n\r\nbad \xff byte\nlong line here\nlast\r"


def _chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize("cuts", [[], [4], [5], [3, 4, 5], [9, 10, 11], list(range(1, len(DATA)))])
def test_lines_do_not_depend_on_where_chunks_end(cuts: list[int]) -> None:
    stats = StreamStats()
    got = list(lines(iter(_chunked(DATA, cuts)), Limits(), stats))
    assert got == ["one", "two", "été", "", "bad \ufffd byte", "long line here", "last"]
    assert stats.invalid_utf8 == 1
    assert stats.overlong_lines == 0


@pytest.mark.parametrize("cuts", [[], [2], [12], [20, 21], list(range(1, len(DATA)))])
def test_overlong_lines_are_skipped_wherever_chunks_end(cuts: list[int]) -> None:
    stats = StreamStats()
    got = list(lines(iter(_chunked(DATA, cuts)), Limits(max_line_bytes=12), stats))
    assert got == ["one", "two", "été", "", "bad \ufffd byte", "last"]
    assert stats.overlong_lines == 1


@pytest.mark.parametrize(
    "line",
    ['{"text": "a"}', ' {"text": "a"}', '{"text": "a"} ', "\ufeff{}", '{"a": 1}{"b": 2}', "[1,"],
)
def test_parse_line_is_json_loads(line: str) -> None:
    def outcome(parse: object) -> tuple[str, str]:
        try:
            return "value", repr(parse(line))  # type: ignore[operator]
        except ValueError as exc:
            return "error", str(exc)

    assert outcome(_parse_line) == outcome(json.loads)


def _plain_stats(doc: str) -> tuple[int, int, int]:
    """(visible characters, words, hash) of one document, computed the simple way."""
    classes = [script_of(c) for c in doc]
    visible = sum(1 for c in classes if c not in ("Zsp", "Zws", "Zwsp", "Zinv"))
    normalised = " ".join(doc.split())
    digest = xxhash.xxh3_64_intdigest(normalised.encode("utf-32-le")) if visible else 0
    return visible, len(doc.split()), digest


def test_batch_stats_are_the_same_for_reused_and_outsized_buffers() -> None:
    docs = ["a b  c", "", "\tx\u00a0y ", "plain words here"]
    small = batch_mod.batch_stats(docs)
    padding = "w " * batch_mod.KEEP_CHARS  # a batch too large to reuse the held buffers
    large = batch_mod.batch_stats([*docs, padding])
    again = batch_mod.batch_stats(docs)
    for stats in (small, again):
        assert stats.visible.tolist() == [_plain_stats(d)[0] for d in docs]
        assert stats.hashes.tolist() == [_plain_stats(d)[2] for d in docs]
        assert stats.words == sum(_plain_stats(d)[1] for d in docs)
    assert large.visible[:4].tolist() == small.visible.tolist()
    assert large.hashes[:4].tolist() == small.hashes.tolist()
    assert large.words == small.words + batch_mod.KEEP_CHARS
    assert np.array_equal(small.class_counts, again.class_counts)


def test_batch_stats_count_spaceless_characters_as_words_and_nul_characters() -> None:
    stats = batch_mod.batch_stats(["漢字 and かな\x00", "\ufffd"])
    # four spaceless characters; "and", the NUL (an invisible stays in a word) and U+FFFD
    assert stats.words == 4 + 3
    assert stats.nul == 1
    assert stats.replacement.tolist() == [False, True]


def test_letter_scripts_count_in_order_of_first_occurrence() -> None:
    text = "abc абв 123 漢 d ב \u0301"
    in_order = [("Latn", 4), ("Cyrl", 3), ("Hani", 1), ("Hebr", 1)]
    assert list(letter_scripts(text).items()) == in_order
    expected: Counter[str] = Counter()
    for char in text:
        if script_of(char) not in ("Zyyy", "Zinh", "Zzzz", "Zsp", "Zws", "Zwsp", "Zsep", "Zinv"):
            expected[script_of(char)] += 1
    assert letter_scripts(text) == expected
    assert letter_scripts("") == Counter()
