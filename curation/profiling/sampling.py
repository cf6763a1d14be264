"""Sampling and estimation.

Inside a shard: a bottom-k sample. Every labellable document gets a seeded uniform random key;
the k smallest keys are kept (a reservoir: memory k, one pass). Across shards: each shard is a
stratum. A shard's language mix is often nothing like its neighbours' (one file per source,
per year, per language), so pooling the shards' samples as if they were one simple random sample
understates the uncertainty; instead the estimate weights each shard by its exact number of
documents and the variance adds up per shard (stratified estimation). A shard whose documents
were all labelled contributes no sampling variance.

Intervals describe sampling uncertainty only, not detector error.
- Document shares: stratified proportion with a Wilson interval at the effective sample size
  (n_eff = p(1-p)/Var, the design-effect-adjusted Wilson interval).
- Character shares: combined ratio estimator (language characters / all characters, both
  estimated from the sample) with a Taylor-linearised variance and a normal interval.
- A language absent from the sample: share 0 with a Wilson upper bound, not a bare "0".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054


def wilson(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion `p` seen in `n` (effective) draws."""
    if n <= 0:
        return (0.0, 1.0)
    if math.isinf(n):
        return (p, p)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Stratum:
    """One shard's sample: its exact population and the labelled draws.

    `values[i]` is (y_i, x_i, d_i): the document's characters in the language being estimated,
    its characters, and 1.0 when the language is its main language, else 0.0.
    """

    population: int  # N_h: labellable documents in the shard
    characters: int  # X_h: their characters (exact)
    values: Sequence[tuple[float, float, float]]


@dataclass(frozen=True)
class Estimate:
    share: float
    low: float
    high: float


def _variance_term(population: int, sample: int, deviations: Sequence[float]) -> float:
    """N_h² (1 - f_h) s_h² / n_h for one stratum."""
    if sample >= population or population <= 1:
        return 0.0
    mean = sum(deviations) / sample
    if sample > 1:
        s2 = sum((d - mean) ** 2 for d in deviations) / (sample - 1)
    else:
        s2 = 0.25 if population > 1 else 0.0  # one draw says nothing about spread: be wary
    return population * population * (1 - sample / population) * s2 / sample


def document_share(strata: Sequence[Stratum]) -> Estimate:
    total = sum(s.population for s in strata if s.values)
    if total == 0:
        return Estimate(0.0, 0.0, 0.0)
    share = 0.0
    variance = 0.0
    drawn = 0
    exhaustive = True
    for stratum in strata:
        n = len(stratum.values)
        if n == 0:
            continue
        drawn += n
        exhaustive = exhaustive and n >= stratum.population
        indicators = [v[2] for v in stratum.values]
        share += stratum.population * (sum(indicators) / n)
        variance += _variance_term(stratum.population, n, indicators)
    share /= total
    variance /= total * total
    if exhaustive:
        return Estimate(share, share, share)
    if variance > 0 and 0 < share < 1:
        n_eff = share * (1 - share) / variance
    else:
        fraction = drawn / total
        n_eff = drawn / max(1e-12, 1 - fraction)
    low, high = wilson(share, n_eff)
    return Estimate(share, low, high)


def character_share(strata: Sequence[Stratum]) -> Estimate:
    used = [s for s in strata if s.values]
    if not used:
        return Estimate(0.0, 0.0, 0.0)
    y_total = 0.0
    x_total = 0.0
    for stratum in used:
        n = len(stratum.values)
        y_total += stratum.population * sum(v[0] for v in stratum.values) / n
        x_total += stratum.population * sum(v[1] for v in stratum.values) / n
    if x_total <= 0:
        return Estimate(0.0, 0.0, 0.0)
    ratio = y_total / x_total
    if all(len(s.values) >= s.population for s in used):
        return Estimate(ratio, ratio, ratio)
    variance = 0.0
    for stratum in used:
        residuals = [v[0] - ratio * v[1] for v in stratum.values]
        variance += _variance_term(stratum.population, len(stratum.values), residuals)
    variance /= x_total * x_total
    half = Z95 * math.sqrt(max(variance, 0.0))
    return Estimate(ratio, max(0.0, ratio - half), min(1.0, ratio + half))


def absent_upper_bound(strata: Sequence[Stratum]) -> float:
    """95% upper bound on the share of a language seen in none of the sampled documents."""
    total = sum(s.population for s in strata if s.values)
    drawn = sum(len(s.values) for s in strata)
    if total == 0:
        return 1.0
    if drawn >= total:
        return 0.0
    n_eff = drawn / max(1e-12, 1 - drawn / total)
    return wilson(0.0, n_eff)[1]


def shard_sample_sizes(
    sample_size: int, shard_sizes: Sequence[int], *, minimum: int = 50, floor_share: float = 0.1
) -> list[int]:
    """Per-shard sample sizes (bottom-k) for an asset of shards of the given byte sizes.

    Proportional to size, by largest remainders, so that they add up to `sample_size`; with a
    floor so that small shards are still represented, lowered so that the floors together add
    at most `floor_share` of the sample (a run of many small shards labels about
    `sample_size` documents, not 50 more per shard). The stratified estimator weights each shard
    by its exact document count, so the allocation changes precision, never the expected share."""
    count = len(shard_sizes)
    if not count:
        return []
    sizes = [max(0, s) for s in shard_sizes]
    total = sum(sizes)
    if total == 0:
        sizes, total = [1] * count, count
    exact = [sample_size * s / total for s in sizes]
    shares = [math.floor(x) for x in exact]
    left = sample_size - sum(shares)
    for i in sorted(range(count), key=lambda i: (shares[i] - exact[i], i))[:left]:
        shares[i] += 1
    floor = max(1, min(minimum, math.floor(floor_share * sample_size / count)))
    return [max(floor, share) for share in shares]


def plan_packs(
    sizes: Sequence[int | None], *, target_bytes: int, spread: int, max_files: int
) -> list[list[int]]:
    """Indexes of files grouped into packs, in the order given: consecutive files share a
    pack until it would pass `target_bytes` or hold `max_files`. The target shrinks for a small
    asset so that it is cut into about `spread` packs (workers share a run of a few megabytes
    too); a file at least as big as the target is a pack of its own. Unknown sizes count as
    the target (a pack of their own)."""
    if target_bytes < 1 or spread < 1 or max_files < 1:
        raise ValueError("target_bytes, spread and max_files must be at least 1")
    known = [target_bytes if s is None else max(0, s) for s in sizes]
    target = max(1, min(target_bytes, math.ceil(sum(known) / spread)))
    packs: list[list[int]] = []
    current: list[int] = []
    held = 0
    for index, size in enumerate(known):
        if current and (held + size > target or len(current) >= max_files):
            packs.append(current)
            current, held = [], 0
        current.append(index)
        held += size
    if current:
        packs.append(current)
    return packs
