"""Near-duplicates inside an asset: MinHash signatures on the sampled documents, pairs scaled to
the asset, exact copies left to the exact figure."""

from __future__ import annotations

import random

import pytest

from curation.profiling import ProfileOptions, merge, profile_shard
from curation.profiling.neardup import (
    Between,
    between,
    cross_pairs,
    estimate,
    near_pairs,
    shingles,
    signature,
)
from curation.profiling.shard import open_bytes

WORDS = [
    "habari",
    "asubuhi",
    "serikali",
    "elimu",
    "afya",
    "jamii",
    "wanafunzi",
    "shule",
    "mtihani",
    "maji",
    "vijijini",
    "wakulima",
    "mvua",
    "masika",
    "mahindi",
    "maharage",
    "barabara",
    "hospitali",
    "daktari",
    "mwalimu",
    "kitabu",
    "soko",
    "bei",
    "chakula",
    "mji",
    "kijiji",
    "mto",
    "ziwa",
    "mlima",
    "jua",
    "mwezi",
    "nyota",
    "upepo",
    "bahari",
    "samaki",
    "mti",
    "ndege",
]


def _document(rng: random.Random, words: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + f" {rng.random():.12f}"


def _edited(text: str, rng: random.Random) -> str:
    """The same text with one word changed near its end (Jaccard of 3-grams about 0.9)."""
    words = text.split()
    words[-3] = rng.choice(WORDS) + "x"
    return " ".join(words)


def test_shingles_by_words_and_by_characters() -> None:
    assert shingles("Habari za leo rafiki") == ["habari za leo", "za leo rafiki"]
    assert shingles("two words") == ["two words"]
    assert shingles("我们今天讨论教育和健康") == [
        "我们今天讨",
        "们今天讨论",
        "今天讨论教",
        "天讨论教育",
        "讨论教育和",
        "论教育和健",
        "教育和健康",
    ]


def test_signatures_find_near_copies_but_not_exact_copies_or_strangers() -> None:
    rng = random.Random(5)
    base = _document(rng)
    near = _edited(base, rng)
    other = _document(rng)
    assert signature(base) == signature(base)
    assert len(signature(base)) == 128
    sigs = [signature(t) for t in (base, near, other, base)]
    # index 3 is an exact copy of 0 (the same digest): left to the exact duplicate count
    assert near_pairs(sigs, [1, 2, 3, 1]) == [(0, 1), (1, 3)]


def test_pairs_across_two_samples_leave_exact_copies_out() -> None:
    rng = random.Random(6)
    base, other, third = _document(rng), _document(rng), _document(rng)
    first = ([1, 2], [signature(base), signature(other)])
    # a near copy of `base`, an exact copy of `other` (same digest), a stranger
    second = ([10, 2, 11], [signature(_edited(base, rng)), signature(other), signature(third)])
    assert cross_pairs(first, second) == 1
    assert cross_pairs(first, ([], [])) == 0
    # censuses of 2 and 3 documents: 1 pair → half of the first, a third of the second
    assert between(first, 2, second, 3) == Between(1, 0.5, 0.333333)


def test_estimate_scales_sampled_pairs_to_the_asset() -> None:
    census = estimate(pairs_found=10, involved=20, sampled=100, population=100)
    assert (census.share, census.ci95, census.census) == (0.2, (0.2, 0.2), True)
    sampled = estimate(pairs_found=4, involved=8, sampled=1000, population=100_000)
    # 4 pairs × N(N-1)/(n(n-1)) = 40,039.6 pairs → 2 × 40,039.6 / 100,000
    assert sampled.share == pytest.approx(0.800793, abs=1e-6)
    assert sampled.ci95[0] < sampled.share < sampled.ci95[1]
    assert not sampled.census
    assert estimate(pairs_found=0, involved=0, sampled=1, population=50).census is False
    assert estimate(pairs_found=0, involved=0, sampled=1, population=1).census is True
    none = estimate(pairs_found=0, involved=0, sampled=1000, population=1_000_000)
    assert none.share == 0.0
    assert none.ci95[0] == 0.0 < none.ci95[1]


def test_a_profile_reports_near_duplicates_beside_exact_ones() -> None:
    rng = random.Random(9)
    originals = [_document(rng) for _ in range(300)]
    lines = originals + [_edited(t, rng) for t in originals[:60]] + originals[:30]
    rng.shuffle(lines)
    options = ProfileOptions(sample_size=5000)
    profile = merge([profile_shard(open_bytes("\n".join(lines).encode()), options, name="a.txt")])
    near = profile.near_duplicates
    assert near is not None
    assert near.census
    # 60 originals and their 60 edits are near-duplicates, and so are the 30 exact copies of
    # originals 0–29 with those originals' edits: 150 of 390 documents in some pair
    assert near.pairs_found >= 60
    assert near.share == pytest.approx(150 / len(lines), abs=0.03)
    assert profile.totals.duplicate_documents == 30
