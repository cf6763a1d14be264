"""Coordinated priority sketches of distinct documents: how much text a *union* of assets holds
once every document is counted once, estimated without rereading any asset.

Each document has a 64-bit hash of its whitespace-normalised text (the one duplicate detection
uses), so the same text has the same hash in every asset. From it, a uniform number
`u = (hash >> 11 + 0.5) / 2^53` and a rank `u / characters`. A shard keeps the `k` distinct
documents of smallest rank (priority sampling: long documents, which carry most of the tokens,
are kept more often) and the rank of the next one, `tau`. A kept document was kept with
probability `p = min(1, characters * tau)` given the others (rank conditioning), so
`sum(tokens / p)` over the kept documents estimates the shard's distinct tokens without bias.

Because every asset ranks a document the same way, sketches merge: over any set of sketches, a
document kept by several of them has the largest of their `p` (each `p` is observable: a
sketch whose threshold lies above the document's rank holds it if its asset holds it), and
the sum of `tokens / p` over the distinct kept documents estimates the union's distinct tokens
(Cohen and Kaplan's estimator for coordinated bottom-k sketches). Its variance is estimated by
`sum(tokens^2 (1 - p) / p^2)`; a census (`tau` = infinity, every document kept) has none.

Error: the relative standard error of a priority sample's total is about `1/sqrt(k)` whatever
the spread of document lengths, so `k` follows from the error wanted; see `sketch_size`. A
language holding a share `q` of an asset's tokens has about `q * k` kept documents and a
relative error of about `1/sqrt(q * k)`.

Pure: numpy and the standard library.
"""

from __future__ import annotations

import base64
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Z95 = 1.959963984540054
# The default sketch size: ±5% on a language's distinct tokens at the 95% level when the
# language holds most of an asset (1.96 / sqrt(k) ≤ 0.05 → k ≥ 1537), and ±2% once a union
# pools 9,604 kept documents (a nation's many assets). `sketch_size(0.05)` is 1537; the
# default rounds up to a power of two. Measured in tests/profiling/test_sketch.py.
DEFAULT_SKETCH_SIZE = 2048
_HEADER = np.dtype("<u4")


def sketch_size(relative_error: float, confidence_z: float = Z95) -> int:
    """Sketch size for a relative error (half-width of the interval) at a confidence level."""
    if not 0 < relative_error < 1:
        raise ValueError("relative_error must be between 0 and 1")
    return math.ceil((confidence_z / relative_error) ** 2)


def uniforms(hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.float64]:
    """A uniform number in (0, 1) per document hash (its top 53 bits)."""
    return ((hashes >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def ranks(hashes: npt.NDArray[np.uint64], characters: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Priority ranks: smaller is kept first; the same text has the same rank everywhere."""
    weights: npt.NDArray[np.float64] = np.maximum(characters, 1).astype(np.float64)
    result: npt.NDArray[np.float64] = uniforms(hashes) / weights
    return result


def inclusion(characters: int, tau: float | None) -> float:
    """The probability that a document of `characters` was kept below threshold `tau`."""
    if tau is None or math.isinf(tau):
        return 1.0
    return min(1.0, max(characters, 1) * tau)


class Collector:
    """The `capacity` distinct documents of smallest rank seen so far, with their text for
    labelling, and the rank of the best one left out."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("sketch capacity must be at least 1")
        self.capacity = capacity
        # max-heap on rank of the capacity + 1 smallest: (-rank, hash, characters, text)
        self.heap: list[tuple[float, int, int, str]] = []
        self.held: set[int] = set()

    @property
    def threshold(self) -> float:
        """Ranks at or above this cannot enter (infinity until capacity + 1 are held)."""
        return -self.heap[0][0] if len(self.heap) > self.capacity else math.inf

    def offer(
        self,
        hashes: npt.NDArray[np.uint64],
        characters: npt.NDArray[Any],
        texts: Sequence[str],
    ) -> None:
        """Offer documents (parallel sequences); only those that can enter are touched."""
        if not len(hashes):
            return
        rank = ranks(hashes, characters)
        for j in np.flatnonzero(rank < self.threshold).tolist():
            self.add(int(hashes[j]), int(characters[j]), float(rank[j]), texts[j])

    def add(self, digest: int, characters: int, rank: float, text: str) -> None:
        if digest in self.held or rank >= self.threshold:
            return
        heap = self.heap
        item = (-rank, digest, characters, text)
        if len(heap) > self.capacity:
            _, dropped, _, _ = heapq.heapreplace(heap, item)
            self.held.discard(dropped)
        else:
            heapq.heappush(heap, item)
        self.held.add(digest)

    def result(self) -> tuple[list[tuple[int, int, str]], float | None]:
        """(kept documents as (hash, characters, text) by rank, tau or None for a census)."""
        ordered = sorted(self.heap, key=lambda e: (-e[0], e[1]))
        tau: float | None = None
        if len(ordered) > self.capacity:
            tau = -ordered[-1][0]
            ordered = ordered[:-1]
        return [(digest, chars, text) for _, digest, chars, text in ordered], tau


@dataclass(frozen=True)
class SketchEntry:
    """A kept document of a shard: its hash, characters and characters per language."""

    hash: int
    characters: int
    labels: tuple[tuple[str, int], ...]

    def to_json(self) -> list[Any]:
        return [f"{self.hash:016x}", self.characters, [[t, c] for t, c in self.labels]]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> SketchEntry:
        return cls(int(data[0], 16), int(data[1]), tuple((str(t), int(c)) for t, c in data[2]))


@dataclass(frozen=True)
class ShardSketch:
    """A shard's kept documents and threshold (None: every distinct document was kept)."""

    capacity: int
    tau: float | None
    entries: tuple[SketchEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "capacity": self.capacity,
            "tau": self.tau,
            "entries": [e.to_json() for e in self.entries],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShardSketch:
        tau = data.get("tau")
        return cls(
            int(data["capacity"]),
            None if tau is None else float(tau),
            tuple(SketchEntry.from_json(e) for e in data["entries"]),
        )


@dataclass(frozen=True)
class LanguageSketch:
    """One language of one asset: kept documents (hash), their inclusion probability and their
    estimated tokens in that language, packed little-endian (`u4 n, u8[n], f8[n], f8[n]`)."""

    packed: bytes

    @classmethod
    def build(cls, rows: Iterable[tuple[int, float, float]]) -> LanguageSketch:
        ordered = sorted(rows)
        n = len(ordered)
        hashes = np.array([r[0] for r in ordered], dtype="<u8")
        probs = np.array([r[1] for r in ordered], dtype="<f8")
        tokens = np.array([r[2] for r in ordered], dtype="<f8")
        header = np.array([n], dtype=_HEADER).tobytes()
        return cls(header + hashes.tobytes() + probs.tobytes() + tokens.tobytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> LanguageSketch:
        data = bytes(data)
        if len(data) < 4:
            raise ValueError("a language sketch needs at least its 4-byte header")
        n = int(np.frombuffer(data[:4], dtype=_HEADER)[0])
        if len(data) != 4 + 24 * n:
            raise ValueError(f"a language sketch of {n} entries needs {4 + 24 * n} bytes")
        return cls(data)

    def arrays(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[Any], npt.NDArray[Any]]:
        n = len(self)
        hashes = np.frombuffer(self.packed, dtype="<u8", count=n, offset=4)
        probs = np.frombuffer(self.packed, dtype="<f8", count=n, offset=4 + 8 * n)
        tokens = np.frombuffer(self.packed, dtype="<f8", count=n, offset=4 + 16 * n)
        return hashes, probs, tokens

    def __len__(self) -> int:
        return int(np.frombuffer(self.packed[:4], dtype=_HEADER)[0])

    def estimate(self) -> Estimate:
        return union([self])

    def to_json(self) -> str:
        return base64.b64encode(self.packed).decode("ascii")

    @classmethod
    def from_json(cls, data: str) -> LanguageSketch:
        return cls.from_bytes(base64.b64decode(data))


@dataclass(frozen=True)
class Estimate:
    """An estimated distinct total with its 95% interval and the kept documents behind it."""

    value: float
    low: float
    high: float
    documents: float  # estimated distinct documents
    kept: int

    @property
    def exact(self) -> bool:
        return self.low == self.high


def _dedupe(
    hashes: npt.NDArray[Any], probs: npt.NDArray[Any], tokens: npt.NDArray[Any]
) -> tuple[npt.NDArray[Any], ...]:
    """Hash-sorted rows -> one row per distinct hash, with its largest p and tokens."""
    first = np.ones(len(hashes), dtype=bool)
    first[1:] = hashes[1:] != hashes[:-1]
    starts = np.flatnonzero(first)
    if len(starts) == len(hashes):
        return hashes, probs, tokens
    return (
        hashes[first],
        np.maximum.reduceat(probs, starts),
        np.maximum.reduceat(tokens, starts),
    )


def _merged(sketches: Sequence[LanguageSketch]) -> tuple[npt.NDArray[Any], ...]:
    """(hashes, p, tokens) with one row per distinct hash: the largest p and tokens."""
    parts = [s.arrays() for s in sketches if len(s)]
    if not parts:
        empty = np.zeros(0)
        return np.zeros(0, np.uint64), empty, empty
    if len(parts) == 1 and bool(np.all(parts[0][0][1:] > parts[0][0][:-1])):
        return parts[0]  # one sketch, its hashes distinct (as stored): nothing to merge
    hashes = np.concatenate([p[0] for p in parts])
    order = np.argsort(hashes)
    return _dedupe(
        hashes[order],
        np.concatenate([p[1] for p in parts])[order],
        np.concatenate([p[2] for p in parts])[order],
    )


def _estimate(probs: npt.NDArray[Any], tokens: npt.NDArray[Any]) -> Estimate:
    if not len(probs):
        return Estimate(0.0, 0.0, 0.0, 0.0, 0)
    value = float(np.sum(tokens / probs))
    variance = float(np.sum(tokens**2 * (1 - probs) / probs**2))
    half = Z95 * math.sqrt(max(variance, 0.0))
    documents = float(np.sum(1 / probs))
    return Estimate(value, max(0.0, value - half), value + half, documents, len(probs))


def union(sketches: Sequence[LanguageSketch]) -> Estimate:
    """Distinct tokens (and documents) of the union of the sketched sets."""
    _, probs, tokens = _merged(sketches)
    return _estimate(probs, tokens)


class SketchPool:
    """Many sketches sorted by hash once, so that the union of any subset of them costs a mask,
    and the unions of every group of a partition one stable sort, instead of a merge each (a
    nation's language can hold millions of kept documents)."""

    def __init__(self, sketches: Sequence[LanguageSketch | None]) -> None:
        self.size = len(sketches)
        parts = [(i, s.arrays()) for i, s in enumerate(sketches) if s is not None and len(s)]
        if not parts:
            self.hashes: npt.NDArray[Any] = np.zeros(0, np.uint64)
            self.probs: npt.NDArray[Any] = np.zeros(0)
            self.tokens: npt.NDArray[Any] = np.zeros(0)
            self.owners: npt.NDArray[Any] = np.zeros(0, np.intp)
            return
        hashes = np.concatenate([a[0] for _, a in parts])
        order = np.argsort(hashes)
        self.hashes = hashes[order]
        self.probs = np.concatenate([a[1] for _, a in parts])[order]
        self.tokens = np.concatenate([a[2] for _, a in parts])[order]
        sizes = [len(a[0]) for _, a in parts]
        self.owners = np.repeat(np.array([i for i, _ in parts], np.intp), sizes)[order]

    def union(self, members: npt.NDArray[np.bool_]) -> Estimate:
        """`union` of the sketches where `members` (one flag per sketch) is set."""
        keep = members[self.owners]
        _, probs, tokens = _dedupe(self.hashes[keep], self.probs[keep], self.tokens[keep])
        return _estimate(probs, tokens)

    def group_values(self, groups: npt.NDArray[Any], count: int) -> npt.NDArray[Any]:
        """The estimated distinct tokens of each group's union (`groups`: a group id below
        `count` per sketch)."""
        owned = groups[self.owners]
        keys = owned.astype(np.uint16) if count <= 1 << 16 else owned  # uint16: a radix sort
        order = np.argsort(keys, kind="stable")  # by group, hash order kept inside each
        owned, hashes = owned[order], self.hashes[order]
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = (owned[1:] != owned[:-1]) | (hashes[1:] != hashes[:-1])
        starts = np.flatnonzero(first)
        if not len(starts):
            return np.zeros(count)
        probs = np.maximum.reduceat(self.probs[order], starts)
        tokens = np.maximum.reduceat(self.tokens[order], starts)
        return np.bincount(owned[starts], weights=tokens / probs, minlength=count)


def shared(
    sketches: Mapping[Any, LanguageSketch],
) -> dict[tuple[Any, Any], float]:
    """Estimated tokens each pair of sketched sets holds in common (pairs with none left out).
    A document is seen in both only below both thresholds: its weight is 1 / min(p).

    One sort of every kept hash finds the documents held by two sets or more; only those are
    walked in Python (a registry of thousands of assets shares few of its kept documents)."""
    keys = sorted(sketches, key=str)
    parts = [sketches[key].arrays() for key in keys]
    if not parts:
        return {}
    hashes = np.concatenate([h for h, _, _ in parts])
    owners = np.repeat(np.arange(len(keys)), [len(h) for h, _, _ in parts])
    order = np.lexsort((owners, hashes))  # by hash, then by key in str order
    hashes = hashes[order]
    repeated = np.flatnonzero(hashes[1:] == hashes[:-1])
    if not len(repeated):
        return {}
    probs = np.concatenate([p for _, p, _ in parts])[order]
    tokens = np.concatenate([t for _, _, t in parts])[order]
    owners = owners[order]
    held = np.zeros(len(hashes), dtype=bool)
    held[repeated] = held[repeated + 1] = True
    pairs: dict[tuple[Any, Any], float] = defaultdict(float)
    positions = np.flatnonzero(held).tolist()
    run: list[int] = []
    for position in [*positions, -1]:
        if run and (position < 0 or hashes[position] != hashes[run[0]]):
            for i, x in enumerate(run):
                for y in run[i + 1 :]:
                    if owners[x] != owners[y]:
                        pair = (keys[owners[x]], keys[owners[y]])
                        pairs[pair] += max(tokens[x], tokens[y]) / min(probs[x], probs[y])
            run = []
        if position >= 0:
            run.append(position)
    return {pair: float(value) for pair, value in pairs.items()}


def asset_entries(
    shards: Sequence[ShardSketch],
) -> list[tuple[SketchEntry, float]]:
    """Every kept document of an asset's shards once, with its largest inclusion probability
    (the union of the shards' sketches), in hash order. Depends only on the set of shards."""
    best: dict[int, tuple[SketchEntry, float]] = {}
    for shard in shards:
        for entry in shard.entries:
            p = inclusion(entry.characters, shard.tau)
            held = best.get(entry.hash)
            if held is None or p > held[1] or (p == held[1] and entry.labels < held[0].labels):
                best[entry.hash] = (entry, p)
    return [best[h] for h in sorted(best)]
