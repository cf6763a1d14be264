"""Exact per-document statistics over batches of documents, vectorised with numpy.

A batch is joined with a separator and read once as UTF-32 code points; every character gets a
class id (script or whitespace kind) from one lookup table. From the ids: characters per
script, words, visible characters per document, and whether a document's whitespace is already
normalised. Document hashes (xxh3-64 of the UTF-32 of the whitespace-normalised text) are taken
from the same buffer, so most documents are hashed without building a new string.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from functools import cache

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
    spaceless_ids,
)

LENGTH_BINS = 128  # document length histogram: bin = floor(4 * log2(chars + 1))
KEEP_CHARS = 1 << 22  # batches up to this many characters reuse one set of buffers per thread
TAKE_SLICE = 1 << 18  # code points classified at a time (numpy widens each slice's indices)
_NATIVE_UTF32 = sys.byteorder == "little"  # numpy's UCS-4 is then the bytes of UTF-32LE


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


def _runs(mask: npt.NDArray[np.bool_], work: npt.NDArray[np.bool_]) -> int:
    """Number of runs of True in `mask` (`work`: a scratch array at least as long)."""
    if not len(mask):
        return 0
    changes = np.not_equal(mask[1:], mask[:-1], out=work[: len(mask) - 1])
    return (int(np.count_nonzero(changes)) + int(mask[0]) + int(mask[-1])) // 2


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


@cache
def _ordered_table() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.intp], int]:
    """The class table renumbered so that every mask is one comparison: the special classes keep
    their ids, the scripts written with spaces follow, then the spaceless ones. Returns the
    table, the public id of each renumbered id, and the first spaceless renumbered id."""
    size = len(script_names())
    spaced_ids = [i for i in range(INVISIBLE + 1, size) if i not in spaceless_ids()]
    public = np.array([*range(INVISIBLE + 1), *spaced_ids, *spaceless_ids()], dtype=np.intp)
    renumber = np.zeros(256, dtype=np.uint8)
    renumber[public] = np.arange(size, dtype=np.uint8)
    table: npt.NDArray[np.uint8] = renumber[class_table()]
    return table, public, INVISIBLE + 1 + len(spaced_ids)


class _Buffers:
    """Working arrays for a batch of up to `size` characters."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.text = np.zeros(1, dtype=f"U{size}")
        self.ids = np.empty(size, dtype=np.uint8)
        self.mask = np.empty(size, dtype=bool)
        self.other = np.empty(size, dtype=bool)


class _Held(threading.local):
    buffers: _Buffers | None = None


_HELD = _Held()


def _buffers(size: int) -> _Buffers:
    """Buffers reused from batch to batch (fresh memory costs a page fault per 4 KiB, slower on
    a virtual machine than the work done on it); an outsized batch gets its own."""
    if size > KEEP_CHARS:
        return _Buffers(size)
    held = _HELD.buffers
    if held is None or held.size < size:
        held = _HELD.buffers = _Buffers(min(size + size // 4, KEEP_CHARS))
    return held


def _code_points(text: str, buffers: _Buffers) -> npt.NDArray[np.uint32]:
    """The code points of `text`, lone surrogates included: the words of its UTF-32LE encoded
    with surrogatepass."""
    if _NATIVE_UTF32:
        # numpy copies the str's code units straight into UCS-4, without a codec loop
        buffers.text[0] = text
        return buffers.text.view(np.uint32)[: len(text)]
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _classify(
    codes: npt.NDArray[np.uint32], table: npt.NDArray[np.uint8], out: npt.NDArray[np.uint8]
) -> None:
    """`out[:] = table[codes]`, a slice at a time: numpy widens the indices of a take to intp,
    and a small widened copy is reused where a whole one would be fresh memory."""
    for start in range(0, len(codes), TAKE_SLICE):
        stop = start + TAKE_SLICE
        table.take(codes[start:stop], out=out[start:stop], mode="clip")


def batch_stats(docs: list[str]) -> BatchStats:
    count = len(docs)
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=count)
    joined = "\n".join([*docs, ""])  # one separator after each document
    size = len(joined)
    buffers = _buffers(size)
    codes = _code_points(joined, buffers)
    table, public, first_spaceless = _ordered_table()
    ids = buffers.ids[:size]
    _classify(codes, table, ids)
    mask = buffers.mask[:size]
    other = buffers.other[:size]
    ends = np.cumsum(lengths + 1)
    starts = ends - lengths - 1
    ids[ends - 1] = SEPARATOR
    class_counts = np.zeros(len(public), dtype=np.int64)
    class_counts[public] = _class_counts(ids, len(public))
    class_counts[SEPARATOR] = 0

    spaceless_total = int(class_counts[list(spaceless_ids())].sum())
    if spaceless_total:
        # runs of characters of scripts written with spaces (invisibles included), plus one
        # word per character of a spaceless script; ids shifted so that this is one comparison
        np.subtract(ids, INVISIBLE, out=ids)
        spaced = np.less(ids, first_spaceless - INVISIBLE, out=mask)
        words = spaceless_total + _runs(spaced, other)
        np.add(ids, INVISIBLE, out=ids)
    else:
        words = _runs(np.greater_equal(ids, INVISIBLE, out=mask), other)
    narrow = np.int32 if size < 2**31 else np.int64  # a narrower sum is a cheaper cast
    visible_mask = np.greater(ids, INVISIBLE, out=mask)
    visible = np.add.reduceat(visible_mask, starts, dtype=narrow).astype(np.int64)
    visible[lengths == 0] = 0

    # Documents whose whitespace is not already single spaces between words.
    irregular = np.zeros(count, dtype=bool)
    is_space = np.equal(ids, SPACE, out=mask)
    for positions in (
        np.flatnonzero(np.equal(ids, WHITESPACE, out=other)),
        np.flatnonzero(np.logical_and(is_space[1:], is_space[:-1], out=other[: size - 1])),
    ):
        if len(positions):
            irregular[np.searchsorted(ends, positions, side="right")] = True
    nonempty = lengths > 0
    irregular |= nonempty & (is_space[starts] | is_space[np.maximum(ends - 2, 0)])

    hashes = np.zeros(count, dtype=np.uint64)
    digest = xxhash.xxh3_64_intdigest
    view = codes.data  # hashed in place: element slices of the UTF-32LE
    has_text = visible > 0
    regular = np.flatnonzero(has_text & ~irregular)
    if len(regular):
        first = starts[regular].tolist()
        last = (ends[regular] - 1).tolist()
        hashes[regular] = [digest(view[a:b]) for a, b in zip(first, last, strict=True)]
    odd = np.flatnonzero(has_text & irregular)
    if len(odd):
        hashes[odd] = hash_texts([" ".join(docs[i].split()) for i in odd.tolist()])

    replacement = np.zeros(count, dtype=bool)
    if "\ufffd" in joined:
        found = np.flatnonzero(np.equal(codes, 0xFFFD, out=other))
        replacement[np.searchsorted(ends, found, side="right")] = True
    # NUL is an invisible character: without invisibles there is none to count
    nul = int(np.count_nonzero(np.equal(codes, 0, out=other))) if class_counts[INVISIBLE] else 0
    return BatchStats(lengths, visible, hashes, replacement, class_counts, words, nul)
