"""Options of a profile run: what the bytes are, how to cut them into documents, and the caps
that keep a hostile shard from exhausting memory or time."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from curation.plain import fields_json
from curation.profiling.errors import UnsupportedInputError
from curation.profiling.sketch import DEFAULT_SKETCH_SIZE
from inventory import formats
from inventory.formats import infer_compression as infer_compression
from inventory.formats import infer_format as infer_format

Format = Literal["text", "jsonl", "csv", "tsv", "parquet"]
Compression = Literal["gz", "bz2", "xz", "zst"]
DocumentUnit = Literal["line", "paragraph", "file"]
LangidMode = Literal["fast", "full"]

FORMATS: tuple[str, ...] = formats.FORMATS
COMPRESSIONS: tuple[str, ...] = formats.COMPRESSIONS
DOCUMENT_UNITS: tuple[str, ...] = formats.DOCUMENT_UNITS

MIN_SHARD_SKETCH = 16
MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Caps applied while reading one shard. Reaching a byte cap ends the shard early with a
    reason (`ShardProfile.stop_reason`); the per-record caps count the record as a parse error."""

    max_uncompressed_bytes: int = 64 * GiB  # bytes after decompression, per shard
    max_compression_ratio: float = 200.0  # uncompressed / compressed, checked past ratio_floor
    ratio_floor_bytes: int = 64 * MiB  # below this much output the ratio is not checked
    max_line_bytes: int = 64 * MiB  # a longer line (text/jsonl/csv record) is skipped
    max_document_chars: int = 16 * MiB  # a longer document is counted, then cut for hashing
    max_parquet_metadata_bytes: int = 16 * MiB  # larger footers are refused as hostile
    max_parquet_batch_bytes: int = 256 * MiB  # a row group column larger than this is refused
    max_error_reasons: int = 5  # how many parse-error reasons a profile keeps

    def to_json(self) -> dict[str, Any]:
        return fields_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Limits:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ProfileOptions:
    """How to read and profile the shards of one asset.

    `sample_size` is the number of documents the whole asset labels (k). `shard_sample_size`
    is how many documents one shard keeps and labels (its bottom-k by a seeded random key);
    `None` means `sample_size`. For an asset of many shards, give each shard its share with
    `shard_sample_sizes()` so the total labelling work stays near k.
    """

    format: Format = "text"
    compression: Compression | None = None
    infer_compression: bool = True  # from the shard name's suffix when `compression` is None
    document_unit: DocumentUnit = "line"
    text_field: str = "text"  # dotted path in JSONL; column name in CSV/TSV/Parquet
    licence_field: str = ""  # per-record licence field (dotted path / column); "" = look for
    sample_size: int = 5000
    shard_sample_size: int | None = None
    # Documents kept in the asset's overlap sketch (see `curation.profiling.sketch`).
    sketch_size: int = DEFAULT_SKETCH_SIZE
    seed: int = 0
    declared_languages: tuple[str, ...] = ()
    declared_license: str = ""
    langid_mode: LangidMode = "fast"
    min_label_chars: int = 30  # shorter documents are not labelled ("too short")
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise UnsupportedInputError(f"unknown format {self.format!r}")
        if self.compression is not None and self.compression not in COMPRESSIONS:
            raise UnsupportedInputError(f"unknown compression {self.compression!r}")
        if self.document_unit not in DOCUMENT_UNITS:
            raise UnsupportedInputError(f"unknown document unit {self.document_unit!r}")
        if self.langid_mode not in ("fast", "full"):
            raise UnsupportedInputError(f"unknown langid mode {self.langid_mode!r}")
        if self.sample_size < 1 or (
            self.shard_sample_size is not None and self.shard_sample_size < 1
        ):
            raise UnsupportedInputError("sample sizes must be at least 1")
        if self.sketch_size < 1:
            raise UnsupportedInputError("sketch_size must be at least 1")
        if not self.text_field:
            raise UnsupportedInputError("text_field must not be empty")
        object.__setattr__(self, "declared_languages", tuple(self.declared_languages))

    @property
    def per_shard_sample(self) -> int:
        return self.shard_sample_size if self.shard_sample_size is not None else self.sample_size

    @property
    def per_shard_sketch(self) -> int:
        """A shard's share of the sketch: the asset's sketch in proportion to the shard's share
        of the sample (which follows its size), at least `MIN_SHARD_SKETCH`."""
        share = self.per_shard_sample / self.sample_size
        return max(MIN_SHARD_SKETCH, math.ceil(self.sketch_size * min(1.0, share)))

    def compression_for(self, name: str) -> str | None:
        """The compression of the shard called `name`: the option, else its suffix."""
        if self.compression is not None or not self.infer_compression:
            return self.compression
        return infer_compression(name)

    def to_json(self) -> dict[str, Any]:
        return fields_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProfileOptions:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["limits"] = Limits.from_json(values.get("limits") or {})
        values["declared_languages"] = tuple(values.get("declared_languages") or ())
        return cls(**values)
