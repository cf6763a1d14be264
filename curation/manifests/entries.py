"""The files of a frozen manifest version as pure data: entries, version metadata, their order and
content hash, and the helpers every rendering shares."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final
from urllib.parse import quote

from curation.csvsafe import restore

BATCH: Final = 512  # entries per streamed chunk
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://\S+$")


@dataclass(frozen=True)
class Entry:
    """One file of a frozen manifest version."""

    asset_id: int
    asset_slug: str
    asset_title: str
    organization: str  # owner organisation's slug
    organization_name: str
    location: str  # where the file is, e.g. "fixtures:corpora/x/a.jsonl" or an https URL
    name: str  # path of the file inside the asset
    size: int
    sha256: str  # hex
    format: str  # text, jsonl, csv, tsv or parquet
    compression: str  # "" or gz, bz2, xz, zst
    text_field: str  # "" for plain text
    document_unit: str
    languages: tuple[tuple[str, int], ...]  # (BCP 47 tag, estimated tokens), sorted by tag
    license_expression: str
    license_class: str
    attribution: str  # the line to reproduce
    origin_nations: tuple[str, ...]
    hosting_nation: str
    custodian: str

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "languages", tuple(sorted((str(t), int(n)) for t, n in self.languages))
        )
        object.__setattr__(self, "origin_nations", tuple(self.origin_nations))

    @property
    def key(self) -> tuple[int, str]:
        """The identity of a file across versions."""
        return (self.asset_id, self.name)

    @property
    def total_tokens(self) -> int:
        return sum(n for _, n in self.languages)

    def to_json(self) -> dict[str, Any]:
        """Every field under its own name, in field order; tuples as lists (what `fields_json`
        gives, without its general walk: a version of 16,746 entries does this 16,746 times)."""
        return {name: _listed(getattr(self, name)) for name in ENTRY_FIELDS}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entry:
        languages = data["languages"]
        if isinstance(languages, Mapping):
            languages = languages.items()
        return cls(
            asset_id=int(data["asset_id"]),
            asset_slug=data["asset_slug"],
            asset_title=data["asset_title"],
            organization=data["organization"],
            organization_name=data["organization_name"],
            location=data["location"],
            name=data["name"],
            size=int(data["size"]),
            sha256=data["sha256"],
            format=data["format"],
            compression=data["compression"],
            text_field=data["text_field"],
            document_unit=data["document_unit"],
            languages=tuple((tag, int(n)) for tag, n in languages),
            license_expression=data["license_expression"],
            license_class=data["license_class"],
            attribution=data["attribution"],
            origin_nations=tuple(data["origin_nations"]),
            hosting_nation=data["hosting_nation"],
            custodian=data["custodian"],
        )

    def to_csv_row(self) -> list[str | int]:
        """One cell per field, in field order (the columns of `tabular.CSV_COLUMNS`); languages
        as `en:30;sw:1200`, nations as `KE;TZ`."""
        row = self.to_json()
        row["languages"] = ";".join(f"{tag}:{n}" for tag, n in self.languages)
        row["origin_nations"] = ";".join(self.origin_nations)
        return list(row.values())

    @classmethod
    def from_csv_row(cls, row: Mapping[str, str]) -> Entry:
        """The entry of a row as `tabular.render_csv` writes it (formula-like cells neutralised
        by `curation.csvsafe`, restored here)."""
        data: dict[str, Any] = {key: restore(cell) for key, cell in row.items()}
        data["languages"] = [
            part.rsplit(":", 1) for part in data["languages"].split(";") if part.strip()
        ]
        data["origin_nations"] = [n for n in data["origin_nations"].split(";") if n]
        return cls.from_json(data)


@dataclass(frozen=True)
class VersionMeta:
    """What describes a manifest version beyond its entries."""

    slug: str
    title: str
    description: str
    version: int
    created_at: str  # ISO 8601
    created_by: str
    publisher: str  # the owner organisation's name
    criteria: Mapping[str, Any]
    content_hash: str
    base_url: str  # e.g. "https://registry.example.org"; the root of url and local contentUrl
    total_tokens: int = 0  # the entries' tokens added up
    # Each text counted once across the version's assets (estimated from overlap sketches).
    distinct_tokens: int = 0
    distinct_tokens_ci95: tuple[int, int] = (0, 0)

    @property
    def url(self) -> str:
        """The version's address in the API."""
        return f"{self.base_url.rstrip('/')}/api/v1/manifests/{self.slug}/versions/{self.version}/"

    @property
    def semver(self) -> str:
        return f"{self.version}.0.0"

    def to_json(self) -> dict[str, Any]:
        """Every field under its own name, in field order, but `base_url`, which gives way to
        the version's `url` (last)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "base_url"}
        data["criteria"] = dict(self.criteria)
        data["distinct_tokens_ci95"] = list(self.distinct_tokens_ci95)
        data["url"] = self.url
        return data


ENTRY_FIELDS: Final = tuple(f.name for f in fields(Entry))


def _listed(value: Any) -> Any:
    return [_listed(item) for item in value] if isinstance(value, tuple) else value


def sorted_entries(entries: Iterable[Entry]) -> list[Entry]:
    """The entries in (asset_id, name) order."""
    return sorted(entries, key=lambda e: e.key)


def content_hash(entries: Sequence[Entry]) -> str:
    """SHA-256 (hex) of the entries' canonical JSON, in (asset_id, name) order; the version's
    metadata is left out, so the same selection always gives the same hash."""
    return ordered_content_hash(entry.to_json() for entry in sorted_entries(entries))


def ordered_content_hash(data: Iterable[Mapping[str, Any]]) -> str:
    """`content_hash` of entries already in (asset_id, name) order, given as their `to_json`
    (for a caller that has them so already)."""
    digest = hashlib.sha256(b"[")
    for i, item in enumerate(data):
        text = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest.update((b"," if i else b"") + text.encode())
    digest.update(b"]")
    return digest.hexdigest()


def dumps(value: Any) -> str:
    """JSON text as the renderings write it (non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False)


def is_url(location: str) -> bool:
    return bool(_URL.match(location))


def content_url(meta: VersionMeta, entry: Entry) -> str:
    """The file's own URL when its location is one, else its address under the registry."""
    if is_url(entry.location):
        return entry.location
    base = meta.base_url.rstrip("/")
    return f"{base}/api/v1/assets/{entry.asset_id}/files/{quote(entry.name)}"
