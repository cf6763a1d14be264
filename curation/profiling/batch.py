"""Exact per-document statistics over batches of documents, vectorised with numpy.

A batch is joined with a separator and encoded once as UTF-32; every character gets a class id
(script or whitespace kind) from one lookup table. From the ids: characters per script, words,
visible characters per document, and whether a document's whitespace is already normalised.
Document hashes (xxh3-64 of the UTF-32 of the whitespace-normalised text) are taken from the
same buffer, so most documents are hashed without building a new string.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash

from curation.profiling.scripts import (
    INVISIBLE,
    SEPARATOR,
    SPACE,
    WHITESPACE,
    class_table,
    script_names,
    spaceless,
    spaceless_ids,
)

LENGTH_BINS = 128  # document length histogram: bin = floor(4 * log2(chars + 1))


@dataclass
class BatchStats:
    lengths: npt.NDArray[np.int64]  # characters per document
    visible: npt.NDArray[np.int64]  # visible characters per document
    hashes: npt.NDArray[np.uint64]  # per document (0 for documents without visible text)
    replacement: npt.NDArray[np.bool_]  # contains U+FFFD
    class_counts: npt.NDArray[np.int64]  # characters per class id (separators excluded)
    words: int
    nul: int


def length_bins(lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    bins = np.floor(4 * np.log2(lengths.astype(np.float64) + 1)).astype(np.int64)
    return np.bincount(np.minimum(bins, LENGTH_BINS - 1), minlength=LENGTH_BINS)


def bin_value(index: int) -> float:
    """A representative length (geometric middle) for a length-histogram bin."""
    return float(2 ** ((index + 0.5) / 4) - 1)


def _runs(mask: npt.NDArray[np.bool_]) -> int:
    """Number of runs of True in `mask`."""
    if not len(mask):
        return 0
    changes = int(np.count_nonzero(mask[1:] != mask[:-1]))
    return (changes + int(mask[0]) + int(mask[-1])) // 2


def _class_counts(ids: npt.NDArray[np.uint8], size: int) -> npt.NDArray[np.int64]:
    """Histogram of uint8 ids, counting byte pairs (half the elements to widen)."""
    even = ids[: len(ids) - (len(ids) % 2)]
    pairs = np.bincount(even.view(np.uint16), minlength=65536).reshape(256, 256)
    counts = pairs.sum(axis=0) + pairs.sum(axis=1)
    if len(ids) % 2:
        counts[ids[-1]] += 1
    result: npt.NDArray[np.int64] = counts[:size].astype(np.int64)
    return result


def hash_texts(texts: list[str]) -> list[int]:
    """xxh3-64 of each text's UTF-32LE (texts already whitespace-normalised)."""
    digest = xxhash.xxh3_64_intdigest
    return [digest(t.encode("utf-32-le", "surrogatepass")) for t in texts]


def batch_stats(docs: list[str]) -> BatchStats:
    count = len(docs)
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=count)
    joined = "\n".join(docs) + "\n"
    raw = joined.encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(raw, dtype=np.uint32)
    ids = class_table()[codes]
    ends = np.cumsum(lengths + 1)
    starts = ends - lengths - 1
    ids[ends - 1] = SEPARATOR
    class_counts = _class_counts(ids, len(script_names()))
    class_counts[SEPARATOR] = 0

    wordish = ids >= INVISIBLE
    spaceless_total = int(class_counts[list(spaceless_ids())].sum())
    if spaceless_total:
        words = spaceless_total + _runs(wordish & ~spaceless(ids))
    else:
        words = _runs(wordish)
    visible = np.add.reduceat(ids > INVISIBLE, starts, dtype=np.int64)
    visible[lengths == 0] = 0

    # Documents whose whitespace is not already single spaces between words.
    irregular = np.zeros(count, dtype=bool)
    is_space = ids == SPACE
    for positions in (
        np.flatnonzero(ids == WHITESPACE),
        np.flatnonzero(is_space[1:] & is_space[:-1]),
    ):
        if len(positions):
            irregular[np.searchsorted(ends, positions, side="right")] = True
    nonempty = lengths > 0
    irregular |= nonempty & (is_space[starts] | is_space[np.maximum(ends - 2, 0)])

    hashes = np.zeros(count, dtype=np.uint64)
    digest = xxhash.xxh3_64_intdigest
    view = memoryview(raw)
    has_text = visible > 0
    regular = np.flatnonzero(has_text & ~irregular)
    if len(regular):
        first = (starts[regular] * 4).tolist()
        last = ((ends[regular] - 1) * 4).tolist()
        hashes[regular] = [digest(view[a:b]) for a, b in zip(first, last, strict=True)]
    odd = np.flatnonzero(has_text & irregular)
    if len(odd):
        hashes[odd] = hash_texts([" ".join(docs[i].split()) for i in odd.tolist()])

    if "\ufffd" in joined:
        replacement = np.zeros(count, dtype=bool)
        replacement[np.searchsorted(ends, np.flatnonzero(codes == 0xFFFD), side="right")] = True
    else:
        replacement = np.zeros(count, dtype=bool)
    nul = joined.count("\x00")
    return BatchStats(lengths, visible, hashes, replacement, class_counts, words, nul)
