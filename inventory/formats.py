"""File formats: which suffixes name which format and compression, the media type of each, and
which file names are licence/README evidence rather than data.

The one home of these rules, used by `inventory.locations` (what a location holds), the
profiling engine (how a shard is read) and the manifests and catalogue (what a file is
declared as). Pure standard-library code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Final

FORMATS: Final = ("text", "jsonl", "csv", "tsv", "parquet")
COMPRESSIONS: Final = ("gz", "bz2", "xz", "zst")
DOCUMENT_UNITS: Final = ("line", "paragraph", "file")

COMPRESSION_SUFFIXES: Final[Mapping[str, str]] = MappingProxyType(
    {".gz": "gz", ".gzip": "gz", ".bz2": "bz2", ".xz": "xz", ".zst": "zst", ".zstd": "zst"}
)
FORMAT_SUFFIXES: Final[Mapping[str, str]] = MappingProxyType(
    {
        ".txt": "text",
        ".text": "text",
        ".md": "text",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "jsonl",
        ".csv": "csv",
        ".tsv": "tsv",
        ".tab": "tsv",
        ".parquet": "parquet",
        ".pq": "parquet",
    }
)

# The media type of each format's content (the types mlcroissant reads; `dcat` maps the
# unregistered ones to their registered equivalent).
MEDIA_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "text": "text/plain",
        "jsonl": "application/jsonlines",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "parquet": "application/x-parquet",
    }
)
# The media type of each compression.
COMPRESSION_MEDIA_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "gz": "application/gzip",
        "bz2": "application/x-bzip2",
        "xz": "application/x-xz",
        "zst": "application/zstd",
    }
)

# Licence/README evidence: a base name whose stem (before the first dot) is one of these words,
# alone or followed by qualifiers (`LICENSE`, `LICENSE-MIT`, `README.md`, `COPYING.txt`,
# `licence_fr.txt`, `README.en.md`, `COPYING.LESSER`, `LICENSE-APACHE-2.0`), with no suffix that
# names a data format or a compression: `licenses_2024.jsonl`, `license_records.csv` and
# `readme.jsonl.gz` are data. The document extensions below are evidence, not data, here.
_EVIDENCE_STEM: Final = re.compile(
    r"(licen[cs]e|copying|readme|notice|copyright)([-_][a-z0-9]+)*", re.IGNORECASE
)
EVIDENCE_EXTENSIONS: Final = frozenset({"", ".txt", ".text", ".md", ".markdown", ".rst", ".html"})


def base_name(name: str) -> str:
    """The last component of a path, URL path or object key (`/` or `\\` separated)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def infer_compression(name: str) -> str | None:
    """`gz`, `bz2`, `xz`, `zst` from the last suffix of `name`, else None."""
    suffix = PurePosixPath(base_name(name).lower()).suffix
    return COMPRESSION_SUFFIXES.get(suffix)


def strip_compression(name: str) -> str:
    """`name` without its compression suffix (`a.jsonl.gz` → `a.jsonl`)."""
    suffix = PurePosixPath(base_name(name).lower()).suffix
    return name[: -len(suffix)] if suffix in COMPRESSION_SUFFIXES else name


def infer_format(name: str) -> str | None:
    """The format named by the suffix before any compression suffix (`a.jsonl.gz` → jsonl)."""
    suffix = PurePosixPath(base_name(strip_compression(name)).lower()).suffix
    return FORMAT_SUFFIXES.get(suffix)


def is_evidence(name: str) -> bool:
    """Whether a file is licence/README evidence (read for licence terms, never profiled as
    data)."""
    base = base_name(name)
    for suffix in (s.lower() for s in PurePosixPath(base).suffixes):
        if suffix in COMPRESSION_SUFFIXES:
            return False
        if suffix in FORMAT_SUFFIXES and suffix not in EVIDENCE_EXTENSIONS:
            return False
    return _EVIDENCE_STEM.fullmatch(base.partition(".")[0]) is not None


def media_type(fmt: str) -> str:
    """The media type of a format's content; unknown formats are plain text."""
    return MEDIA_TYPES.get(fmt, "text/plain")
