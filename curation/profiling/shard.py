"""One shard → one `ShardProfile`: exact counts in one streaming pass, a seeded bottom-k sample
of documents labelled by the language cascade, and the set of document hashes for exact
duplicate detection across the asset.

Duplicates: each non-empty document is hashed (xxh3-64 of its UTF-32LE) after whitespace
normalisation (runs of Unicode whitespace → one space, trimmed). A profile stores the sorted
distinct hashes:
8 bytes per distinct document in memory while profiling and in the profile (about 11 bytes per
document as base64 JSON). Duplicate counts are exact up to 64-bit hash collisions (for a billion
distinct documents, about a 3% chance of one false duplicate in all).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import IO, Any

import numpy as np
import xxhash

from curation.profiling import batch as batch_mod
from curation.profiling.errors import ShardDataError, ShardIOError
from curation.profiling.langid import identifier
from curation.profiling.neardup import signature
from curation.profiling.options import ProfileOptions
from curation.profiling.readers import Part, Problems, documents
from curation.profiling.scripts import SPECIAL, script_names
from curation.profiling.sketch import Collector, ShardSketch, SketchEntry, ranks
from curation.profiling.streams import Opener, StreamStats, open_raw

SCHEMA = 1
BATCH_CHARS = 1 << 20
LABEL_WINDOW = 400  # characters per window of a long document
LABEL_WHOLE = 1200  # documents up to this long are labelled whole
HASH_COMPACT = 4_000_000  # held document hashes before they are deduplicated in place


@dataclass(frozen=True)
class Totals:
    """Exact counts. They add up across shards."""

    files: int = 0
    compressed_bytes: int = 0
    uncompressed_bytes: int = 0
    documents: int = 0
    empty_documents: int = 0
    characters: int = 0
    words: int = 0
    too_short_documents: int = 0
    labellable_documents: int = 0
    labellable_characters: int = 0
    invalid_utf8_sequences: int = 0
    parse_errors: int = 0
    overlong_lines: int = 0
    replacement_char_documents: int = 0
    nul_characters: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def to_json(self) -> dict[str, int]:
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Totals:
        return cls(**{f.name: int(data.get(f.name, 0)) for f in fields(cls)})


@dataclass(frozen=True)
class SampleRecord:
    """One labelled document: its random key, its characters, characters per language, its
    exact hash and its MinHash signature (`neardup`; empty in profiles stored before)."""

    key: float
    characters: int
    labels: tuple[tuple[str, int], ...]
    digest: int = 0
    signature: bytes = field(default=b"", repr=False)

    @property
    def main(self) -> str:
        return self.labels[0][0]

    @property
    def mixed(self) -> bool:
        return self.labels[0][1] < 0.8 * max(1, sum(c for _, c in self.labels))

    def to_json(self) -> list[Any]:
        return [
            self.key,
            self.characters,
            [[tag, chars] for tag, chars in self.labels],
            f"{self.digest:016x}",
            base64.b64encode(self.signature).decode("ascii"),
        ]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> SampleRecord:
        labels = tuple((str(t), int(c)) for t, c in data[2])
        if len(data) < 5:
            return cls(float(data[0]), int(data[1]), labels)
        return cls(
            float(data[0]), int(data[1]), labels, int(data[3], 16), base64.b64decode(data[4])
        )


@dataclass(frozen=True)
class ShardProfile:
    name: str
    format: str
    compression: str | None
    document_unit: str
    text_field: str
    seed: int
    sample_capacity: int
    langid_mode: str
    totals: Totals
    stop_reason: str  # "" when the shard was read to its end
    encoding: str
    parse_error_reasons: tuple[str, ...]
    notes: tuple[str, ...]
    scripts: Mapping[str, int]  # characters per ISO 15924 code (Zyyy, Zinh, Zzzz included)
    length_histogram: Mapping[int, int]  # bin → documents (see batch.LENGTH_BINS)
    licence_values: Mapping[str, int]
    hashes: bytes = field(repr=False)  # sorted distinct uint64 little-endian document hashes
    sample: tuple[SampleRecord, ...] = field(repr=False)
    detectors: tuple[Mapping[str, Any], ...] = ()
    # The overlap sketch of the shard's distinct labellable documents (`sketch` module).
    sketch: ShardSketch | None = field(default=None, repr=False)
    # sha256 of the shard's bytes as stored, when they were read once from start to end.
    sha256: str = ""
    # The files of a pack of several (`profile_pack`); empty for a shard of one file.
    files: tuple[FileRead, ...] = field(default=(), repr=False)
    schema: int = SCHEMA

    @property
    def complete(self) -> bool:
        return not self.stop_reason

    @property
    def distinct_documents(self) -> int:
        return len(self.hashes) // 8

    def file_reads(self) -> tuple[FileRead, ...]:
        """How each of its files was read (a shard of one file: from its own fields)."""
        if self.files:
            return self.files
        return (
            FileRead(
                name=self.name,
                compression=self.compression,
                compressed_bytes=self.totals.compressed_bytes,
                uncompressed_bytes=self.totals.uncompressed_bytes,
                documents=self.totals.documents,
                stop_reason=self.stop_reason,
                sha256=self.sha256,
            ),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "name": self.name,
            "format": self.format,
            "compression": self.compression,
            "document_unit": self.document_unit,
            "text_field": self.text_field,
            "seed": self.seed,
            "sample_capacity": self.sample_capacity,
            "langid_mode": self.langid_mode,
            "totals": self.totals.to_json(),
            "stop_reason": self.stop_reason,
            "encoding": self.encoding,
            "parse_error_reasons": list(self.parse_error_reasons),
            "notes": list(self.notes),
            "scripts": dict(sorted(self.scripts.items())),
            "length_histogram": {str(k): v for k, v in sorted(self.length_histogram.items())},
            "licence_values": dict(sorted(self.licence_values.items())),
            "hashes": base64.b64encode(self.hashes).decode("ascii"),
            "sample": [record.to_json() for record in self.sample],
            "detectors": [dict(d) for d in self.detectors],
            "sketch": self.sketch.to_json() if self.sketch is not None else None,
            "sha256": self.sha256,
            **({"files": [f.to_json() for f in self.files]} if self.files else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShardProfile:
        if int(data.get("schema", 0)) != SCHEMA:
            raise ValueError(f"unsupported shard profile schema {data.get('schema')!r}")
        return cls(
            name=str(data["name"]),
            format=str(data["format"]),
            compression=data["compression"],
            document_unit=str(data["document_unit"]),
            text_field=str(data["text_field"]),
            seed=int(data["seed"]),
            sample_capacity=int(data["sample_capacity"]),
            langid_mode=str(data["langid_mode"]),
            totals=Totals.from_json(data["totals"]),
            stop_reason=str(data["stop_reason"]),
            encoding=str(data["encoding"]),
            parse_error_reasons=tuple(data["parse_error_reasons"]),
            notes=tuple(data["notes"]),
            scripts={str(k): int(v) for k, v in data["scripts"].items()},
            length_histogram={int(k): int(v) for k, v in data["length_histogram"].items()},
            licence_values={str(k): int(v) for k, v in data["licence_values"].items()},
            hashes=base64.b64decode(data["hashes"]),
            sample=tuple(SampleRecord.from_json(r) for r in data["sample"]),
            detectors=tuple(dict(d) for d in data["detectors"]),
            sketch=ShardSketch.from_json(data["sketch"]) if data.get("sketch") else None,
            sha256=str(data.get("sha256", "")),
            files=tuple(FileRead.from_json(f) for f in data.get("files", ())),
        )


def label_text(doc: str) -> str:
    """The part of a document that is labelled: all of a short one, three windows (start,
    middle, end; cut at spaces) of a long one."""
    if len(doc) <= LABEL_WHOLE:
        return doc
    windows = []
    for start in (0, len(doc) // 2 - LABEL_WINDOW // 2, len(doc) - LABEL_WINDOW):
        piece = doc[start : start + LABEL_WINDOW]
        if start:
            space = piece.find(" ")
            piece = piece[space + 1 :] if 0 <= space < 40 else piece
        space = piece.rfind(" ")
        piece = piece[:space] if space > LABEL_WINDOW - 40 else piece
        windows.append(piece)
    return "\n".join(windows)


def sketch_text(doc: str) -> str:
    """The part of a document its sketch entry is labelled on: its first window (cut at a
    space). Labelling three windows costs about five times as much (2.9 against 0.5 ms per
    long document here); a mixed document's sketch entry counts for the languages it starts
    in, while the language shares come from the sample, labelled on three windows."""
    if len(doc) <= LABEL_WINDOW:
        return doc
    piece = doc[:LABEL_WINDOW]
    space = piece.rfind(" ")
    return piece[:space] if space > LABEL_WINDOW - 40 else piece


def _stream_seed(seed: int, name: str) -> int:
    digest = hashlib.blake2b(f"{seed}\x00{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class _Accumulator:
    def __init__(self, options: ProfileOptions, name: str) -> None:
        self.options = options
        self.min_label = options.min_label_chars
        self.capacity = options.per_shard_sample
        self.rng = np.random.Generator(np.random.PCG64(_stream_seed(options.seed, name)))
        # (-key, seq, text, characters, exact hash)
        self.heap: list[tuple[float, int, str, int, int]] = []
        self.sketch = Collector(options.per_shard_sketch)
        self.seq = 0
        self.batch: list[str] = []
        self.batch_chars = 0
        self.class_counts = np.zeros(len(script_names()), dtype=np.int64)
        self.lengths = np.zeros(batch_mod.LENGTH_BINS, dtype=np.int64)
        self.hashes: list[np.ndarray[Any, Any]] = []
        self.hashed = 0  # hashes added since the last compaction
        self.compact_at = HASH_COMPACT
        self.documents = self.empty = self.characters = self.words = 0
        self.too_short = self.labellable = self.labellable_chars = 0
        self.replacement = self.nul = 0
        self.part_hasher: Any = None
        self.part_visible = self.part_chars = 0
        self.part_head = ""
        self.part_replacement = False

    def add_all(self, docs: Iterator[str]) -> None:
        batch = self.batch
        for doc in docs:
            if type(doc) is str:
                batch.append(doc)
                self.batch_chars += len(doc) + 1  # +1: a run of empty documents must flush too
                if self.batch_chars >= BATCH_CHARS:
                    self.flush()
                    batch = self.batch
            else:
                assert isinstance(doc, Part)
                self.flush()
                batch = self.batch
                self._part(doc)
        self.flush()

    def _sample(
        self,
        keys: np.ndarray[Any, Any],
        docs: Sequence[str],
        lengths: Sequence[int],
        digests: np.ndarray[Any, Any],
    ) -> None:
        heap = self.heap
        threshold = -heap[0][0] if len(heap) >= self.capacity else 1.0
        for j in np.flatnonzero(keys < threshold).tolist():
            key = float(keys[j])
            full = len(heap) >= self.capacity
            if full and key >= -heap[0][0]:
                continue
            item = (-key, self.seq, label_text(docs[j]), int(lengths[j]), int(digests[j]))
            if full:
                heapq.heapreplace(heap, item)
            else:
                heapq.heappush(heap, item)
            self.seq += 1

    def flush(self) -> None:
        docs = self.batch
        if not docs:
            return
        self.batch = []
        self.batch_chars = 0
        stats = batch_mod.batch_stats(docs)
        visible = stats.visible
        self.documents += len(docs)
        self.characters += int(stats.lengths.sum())
        self.words += stats.words
        self.class_counts += stats.class_counts
        self.nul += stats.nul
        self.lengths += batch_mod.length_bins(stats.lengths)
        self.replacement += int(np.count_nonzero(stats.replacement))
        nonempty = visible > 0
        self.empty += int(len(docs) - np.count_nonzero(nonempty))
        short = nonempty & (visible < self.min_label)
        self.too_short += int(np.count_nonzero(short))
        labellable = np.flatnonzero(visible >= self.min_label)
        self.labellable += len(labellable)
        self.labellable_chars += int(stats.lengths[labellable].sum())
        self.hashes.append(stats.hashes[nonempty])
        self.hashed += int(np.count_nonzero(nonempty))
        if self.hashed > self.compact_at:
            # memory in distinct documents, not all documents (amortised: linear time)
            distinct = np.unique(np.concatenate(self.hashes))
            self.hashes = [distinct]
            self.hashed = 0
            self.compact_at = max(HASH_COMPACT, len(distinct))
        if len(labellable):
            keys = self.rng.random(len(labellable))
            chosen = [docs[i] for i in labellable.tolist()]
            hashes = stats.hashes[labellable]
            self._sample(keys, chosen, stats.lengths[labellable].tolist(), hashes)
            self._sketch(hashes, stats.lengths[labellable], chosen)

    def _sketch(
        self, hashes: np.ndarray[Any, Any], lengths: np.ndarray[Any, Any], docs: Sequence[str]
    ) -> None:
        rank = ranks(hashes, lengths)
        sketch = self.sketch
        for j in np.flatnonzero(rank < sketch.threshold).tolist():
            sketch.add(int(hashes[j]), int(lengths[j]), float(rank[j]), sketch_text(docs[j]))

    def _part(self, part: Part) -> None:
        if part.first:
            self.part_hasher = xxhash.xxh3_64()
            self.part_visible = self.part_chars = 0
            self.part_head = part[: LABEL_WHOLE * 2]
            self.part_replacement = False
        if part:
            stats = batch_mod.batch_stats([str(part)])
            self.characters += len(part)
            self.part_chars += len(part)
            self.words += stats.words
            self.class_counts += stats.class_counts
            self.nul += stats.nul
            self.part_visible += int(stats.visible[0])
            self.part_replacement = self.part_replacement or bool(stats.replacement[0])
            tokens = part.split()
            if tokens:
                self.part_hasher.update(
                    (" ".join(tokens) + " ").encode("utf-32-le", "surrogatepass")
                )
        if not part.last:
            return
        self.documents += 1
        self.lengths += batch_mod.length_bins(np.array([self.part_chars], dtype=np.int64))
        self.replacement += int(self.part_replacement)
        if self.part_visible == 0:
            self.empty += 1
            return
        self.hashes.append(np.array([self.part_hasher.intdigest()], dtype=np.uint64))
        if self.part_visible < self.min_label:
            self.too_short += 1
            return
        self.labellable += 1
        self.labellable_chars += self.part_chars
        digest = np.array([self.part_hasher.intdigest()], dtype=np.uint64)
        self._sample(self.rng.random(1), [self.part_head], [self.part_chars], digest)
        self._sketch(digest, np.array([self.part_chars], dtype=np.int64), [self.part_head])


def _labels(
    text: str, characters: int, options: ProfileOptions, memo: dict[str, Any] | None = None
) -> tuple[tuple[str, int], ...]:
    """Characters per language of a document of `characters` whose labelled part is `text`
    (a document both sampled and sketched is labelled once, through `memo`)."""
    if memo is not None and text in memo:
        counts = memo[text]
    else:
        counts = identifier(options.seed, options.langid_mode).label_document(text)
        if memo is not None:
            memo[text] = counts
    total = sum(c for _, c in counts) or 1
    scaled = [(tag, round(characters * c / total)) for tag, c in counts]
    drift = characters - sum(c for _, c in scaled)
    scaled[0] = (scaled[0][0], scaled[0][1] + drift)
    return tuple(scaled)


@dataclass(frozen=True)
class PackFile:
    """One stored file of a pack: its name (path or key), an opener, its stored size if known."""

    name: str
    opener: Opener
    size: int | None = None
    # Where its line range starts when it is one (`ranges`): its bytes are then not the file's,
    # and the file is counted once, by its first range.
    range_start: int | None = None


@dataclass(frozen=True)
class FileRead:
    """How one file of a pack was read: `error` when none of it could be profiled (it is left
    out of the pack's counts), `stop_reason` when it was read only in part."""

    name: str
    compression: str | None = None
    compressed_bytes: int = 0
    uncompressed_bytes: int = 0
    documents: int = 0
    stop_reason: str = ""
    sha256: str = ""
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileRead:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


class _FileFailed(Exception):
    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason


def profile_shard(
    opener: Opener,
    options: ProfileOptions,
    *,
    name: str,
    compressed_size: int | None = None,
) -> ShardProfile:
    """Profile one shard.

    `opener()` returns a binary file object (it is called once and closed here); `name` is the
    shard's path or key (it gives the compression when the options don't, and seeds the
    shard's sample); `compressed_size` is its stored size when the caller knows it.

    Raises `ShardDataError` when the bytes cannot be profiled at all, `ShardIOError` when
    reading them failed (retryable). Anything else wrong inside the shard is counted.
    """
    try:
        return _profile_files([PackFile(name, opener, compressed_size)], options, name)
    except _FileFailed as failed:
        raise ShardDataError(failed.reason) from failed.__cause__


@dataclass(frozen=True)
class Pack:
    """The profile of a pack's readable files (None when none was) and how each file was read,
    in the order given."""

    profile: ShardProfile | None
    files: tuple[FileRead, ...]


def profile_pack(
    files: Sequence[PackFile],
    options: ProfileOptions,
    *,
    name: str | None = None,
    location_errors: tuple[type[Exception], ...] = (),
) -> Pack:
    """Profile several small files as one shard: one pass over each in turn feeding one
    sample, one sketch and one set of hashes, so a thousand small files cost one sample's
    labelling rather than a thousand. The pack is one stratum of the asset's sample (weighted
    by its exact document count, like any shard); it is seeded by `name` (default: its first
    file's name and its size in files).

    A file none of which can be profiled (not the declared format, or damaged before its first
    document) is listed with its `error` and left out: passed over when it failed before it
    changed anything, else the pack is profiled again without it, so its counts are exactly
    those of its readable files; so is a file whose opener or reads
    raise one of `location_errors` (the caller's errors for a location that refuses the file:
    gone, no longer allowed, past a byte or time cap), with the reason "location: ...".
    `ShardIOError` (retryable) ends the whole pack."""
    if not files:
        raise ValueError("a pack needs at least one file")
    pack_name = name or (
        files[0].name if len(files) == 1 else f"{files[0].name} (+{len(files) - 1} files)"
    )
    errors: dict[int, str] = {}
    while len(errors) < len(files):
        readable = [(i, f) for i, f in enumerate(files) if i not in errors]
        passed: dict[int, str] = {}
        try:
            profile = _profile_files(
                [f for _, f in readable], options, pack_name, True, location_errors, passed
            )
        except _FileFailed as failed:
            # A file that failed after it was counted in part: profile the pack again without it.
            errors[readable[failed.index][0]] = failed.reason
            errors.update({readable[j][0]: reason for j, reason in passed.items()})
            continue
        errors.update({readable[j][0]: reason for j, reason in passed.items()})
        if len(errors) == len(files):
            break
        done = [i for j, (i, _) in enumerate(readable) if j not in passed]
        reads = dict(zip(done, profile.file_reads(), strict=True))
        listed = tuple(
            FileRead(f.name, error=errors[i]) if i in errors else reads[i]
            for i, f in enumerate(files)
        )
        return Pack(profile, listed)
    return Pack(None, tuple(FileRead(f.name, error=errors[i]) for i, f in enumerate(files)))


def _profile_files(
    files: Sequence[PackFile],
    options: ProfileOptions,
    name: str,
    fail_empty: bool = False,
    location_errors: tuple[type[Exception], ...] = (),
    skipped: dict[int, str] | None = None,
) -> ShardProfile:
    """One accumulator over `files` in order; `_FileFailed` names the first unreadable one
    (with `fail_empty`, also one damaged before its first document). With `skipped`, a file
    that failed before it changed anything (no document, no character, no problem counted) is
    recorded there and passed over instead: the profile is then exactly that of the others."""
    problems = Problems(max_reasons=options.limits.max_error_reasons)
    accumulator = _Accumulator(options, name)
    reads: list[FileRead] = []
    all_stats: list[StreamStats] = []
    kept: list[PackFile] = []

    def state() -> tuple[Any, ...]:
        return (
            accumulator.documents,
            accumulator.characters,
            len(accumulator.batch),
            problems.parse_errors,
            len(problems.reasons),
            sum(problems.licence_values.values()),
            problems.missing_field,
        )

    for index, file in enumerate(files):
        compression = options.compression_for(file.name)
        stats = StreamStats()
        before = (accumulator.documents, len(problems.reasons))
        untouched = state()
        try:
            try:
                handle = open_raw(file.opener)
            except ShardDataError as exc:
                raise _FileFailed(index, str(exc)) from exc
            except location_errors as exc:
                raise _FileFailed(index, f"location: {exc}") from exc
            try:
                accumulator.add_all(documents(handle, options, compression, stats, problems))
            except ShardIOError:
                raise
            except ShardDataError as exc:
                raise _FileFailed(index, str(exc)) from exc
            except location_errors as exc:
                raise _FileFailed(index, f"location: {exc}") from exc
            except MemoryError as exc:
                raise _FileFailed(index, "the shard needed more memory than is available") from exc
            finally:
                with contextlib.suppress(OSError):
                    handle.close()
            if fail_empty and stats.stop_reason and accumulator.documents == before[0]:
                # Damaged before its first document (a corrupt or truncated stream).
                raise _FileFailed(index, stats.stop_reason)
        except _FileFailed as failed:
            if skipped is None or state() != untouched:
                raise
            skipped[index] = failed.reason
            continue
        read_documents = accumulator.documents - before[0]
        if len(files) > 1:
            problems.reasons[before[1] :] = [
                f"{file.name}: {reason}" for reason in problems.reasons[before[1] :]
            ]
        compressed = stats.compressed_bytes
        if file.size is not None and (stats.stop_reason or not compressed):
            compressed = file.size
        reads.append(
            FileRead(
                name=file.name,
                compression=compression,
                compressed_bytes=compressed,
                uncompressed_bytes=stats.uncompressed_bytes,
                documents=read_documents,
                stop_reason=stats.stop_reason,
                sha256=(
                    stats.sha256_hex()
                    if file.range_start is None
                    and (file.size is None or file.size == stats.compressed_bytes)
                    else ""
                ),
            )
        )
        all_stats.append(stats)
        kept.append(file)
    return _shard_profile(kept, name, options, accumulator, problems, all_stats, reads)


def _shard_profile(
    files: Sequence[PackFile],
    name: str,
    options: ProfileOptions,
    accumulator: _Accumulator,
    problems: Problems,
    all_stats: list[StreamStats],
    reads: list[FileRead],
) -> ShardProfile:
    ident = identifier(options.seed, options.langid_mode)
    entries = sorted(accumulator.heap, key=lambda e: (-e[0], e[1]))
    memo: dict[str, Any] = {}
    sample = tuple(
        SampleRecord(-neg_key, chars, _labels(text, chars, options, memo), digest, signature(text))
        for neg_key, _, text, chars, digest in entries
    )
    kept, tau = accumulator.sketch.result()
    sketch = ShardSketch(
        accumulator.sketch.capacity,
        tau,
        tuple(
            SketchEntry(digest, chars, _labels(text, chars, options, memo))
            for digest, chars, text in kept
        ),
    )
    del memo
    hashes = np.concatenate(accumulator.hashes) if accumulator.hashes else np.zeros(0, np.uint64)
    ordered = np.sort(hashes)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    distinct = ordered[keep].astype("<u8").tobytes()
    del ordered, keep
    del hashes
    names = script_names()
    scripts = {
        names[i]: int(n)
        for i, n in enumerate(accumulator.class_counts.tolist())
        if n and i >= len(SPECIAL)
    }
    histogram = {i: int(n) for i, n in enumerate(accumulator.lengths.tolist()) if n}
    overlong = sum(s.overlong_lines for s in all_stats)
    totals = Totals(
        files=sum(1 for f in files if not f.range_start),
        compressed_bytes=sum(r.compressed_bytes for r in reads),
        uncompressed_bytes=sum(r.uncompressed_bytes for r in reads),
        documents=accumulator.documents,
        empty_documents=accumulator.empty,
        characters=accumulator.characters,
        words=accumulator.words,
        too_short_documents=accumulator.too_short,
        labellable_documents=accumulator.labellable,
        labellable_characters=accumulator.labellable_chars,
        invalid_utf8_sequences=sum(s.invalid_utf8 for s in all_stats),
        parse_errors=problems.parse_errors + overlong,
        overlong_lines=overlong,
        replacement_char_documents=accumulator.replacement,
        nul_characters=accumulator.nul,
    )
    reasons = list(problems.reasons)
    if overlong and len(reasons) < options.limits.max_error_reasons:
        reasons.append(
            f"{overlong} line(s) longer than {options.limits.max_line_bytes} bytes skipped"
        )
    single = len(reads) == 1
    compressions = {r.compression for r in reads}
    return ShardProfile(
        name=name,
        format=options.format,
        compression=compressions.pop() if len(compressions) == 1 else None,
        document_unit=options.document_unit,
        text_field=options.text_field,
        seed=options.seed,
        sample_capacity=accumulator.capacity,
        langid_mode=options.langid_mode,
        totals=totals,
        stop_reason=(
            reads[0].stop_reason
            if single and reads[0].name == name
            else "; ".join(f"{r.name}: {r.stop_reason}" for r in reads if r.stop_reason)
        ),
        encoding=", ".join(dict.fromkeys(s.encoding for s in all_stats)),
        parse_error_reasons=tuple(reasons),
        notes=tuple(dict.fromkeys(n for s in all_stats for n in s.notes)),
        scripts=scripts,
        length_histogram=histogram,
        licence_values=dict(problems.licence_values),
        hashes=distinct,
        sample=sample,
        detectors=tuple(ident.describe()),
        sketch=sketch,
        sha256=reads[0].sha256 if single else "",
        files=() if single and reads[0].name == name else tuple(reads),
    )


def open_bytes(data: bytes) -> Opener:
    """An opener over bytes in memory (tests, small inputs)."""
    import io

    def opener() -> IO[bytes]:
        return io.BytesIO(data)

    return opener
