"""Estimators: Wilson intervals, stratified shares, ratio estimator, per-shard sample sizes."""

from __future__ import annotations

import pytest

from curation.profiling import shard_sample_sizes
from curation.profiling.sampling import (
    Stratum,
    absent_upper_bound,
    character_share,
    document_share,
    wilson,
)


@pytest.mark.parametrize(
    ("p", "n", "interval"),
    [
        (0.5, 100, (0.403832, 0.596168)),
        (0.0, 100, (0.0, 0.036993)),
        (1.0, 10, (0.722467, 1.0)),
    ],
)
def test_wilson_interval(p, n, interval):
    low, high = wilson(p, n)
    assert (round(low, 6), round(high, 6)) == interval


def test_fully_labelled_strata_give_exact_shares():
    strata = [Stratum(2, 20, [(10.0, 10.0, 1.0), (0.0, 10.0, 0.0)])]

    estimate = document_share(strata)

    assert (estimate.share, estimate.low, estimate.high) == (0.5, 0.5, 0.5)


def test_stratified_share_weights_each_shard_by_its_size():
    small = Stratum(10, 1000, [(100.0, 100.0, 1.0)] * 5)  # all language A, half labelled
    large = Stratum(990, 99000, [(0.0, 100.0, 0.0)] * 5)  # none of A

    estimate = document_share([small, large])

    assert estimate.share == pytest.approx(0.01)
    assert estimate.low < 0.01 < estimate.high


def test_character_share_is_a_ratio_estimate():
    stratum = Stratum(100, 30000, [(100.0, 100.0, 1.0), (0.0, 300.0, 0.0), (50.0, 200.0, 0.0)])

    estimate = character_share([stratum])

    assert estimate.share == pytest.approx(150 / 600)
    assert estimate.low < estimate.share < estimate.high


def test_absent_upper_bound_shrinks_with_the_sample():
    few = absent_upper_bound([Stratum(10000, 0, [(0.0, 1.0, 0.0)] * 50)])
    many = absent_upper_bound([Stratum(10000, 0, [(0.0, 1.0, 0.0)] * 5000)])

    assert 0 < many < few < 0.1


def test_shard_sample_sizes_follow_size_with_a_floor():
    assert shard_sample_sizes(1000, [800, 200, 0]) == [800, 200, 33]
    assert shard_sample_sizes(10, [1, 1, 1]) == [4, 3, 3]  # largest remainders, then order
    assert shard_sample_sizes(5000, [1, 10**9]) == [50, 5000]
    assert shard_sample_sizes(100, []) == []


@pytest.mark.parametrize("shards", [1, 16, 1000, 20_000])
def test_many_small_shards_label_about_the_configured_sample(shards):
    sizes = [3_600] * shards

    total = sum(shard_sample_sizes(5000, sizes))

    assert 5000 <= total <= (5500 if shards <= 500 else 5000 + shards)
