"""Frozen manifest versions as pure data: entries, content hash, streamed JSON/JSONL/CSV,
Croissant 1.0 JSON-LD with its own required-property check, attribution bundles and diffs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import quote

CROISSANT_CONFORMS_TO: Final = "http://mlcommons.org/croissant/1.0"
SCR_NAMESPACE: Final = "https://w3id.org/sovereign-corpus-registry/ns#"

# The JSON-LD context published with Croissant 1.0, plus this project's own prefix.
CROISSANT_CONTEXT: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "@language": "en",
        "@vocab": "https://schema.org/",
        "citeAs": "cr:citeAs",
        "column": "cr:column",
        "conformsTo": "dct:conformsTo",
        "cr": "http://mlcommons.org/croissant/",
        "rai": "http://mlcommons.org/croissant/RAI/",
        "data": {"@id": "cr:data", "@type": "@json"},
        "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
        "dct": "http://purl.org/dc/terms/",
        "equivalentProperty": "cr:equivalentProperty",
        "examples": {"@id": "cr:examples", "@type": "@json"},
        "extract": "cr:extract",
        "field": "cr:field",
        "fileProperty": "cr:fileProperty",
        "fileObject": "cr:fileObject",
        "fileSet": "cr:fileSet",
        "format": "cr:format",
        "includes": "cr:includes",
        "isLiveDataset": "cr:isLiveDataset",
        "jsonPath": "cr:jsonPath",
        "key": "cr:key",
        "md5": "cr:md5",
        "parentField": "cr:parentField",
        "path": "cr:path",
        "recordSet": "cr:recordSet",
        "references": "cr:references",
        "regex": "cr:regex",
        "repeated": "cr:repeated",
        "replace": "cr:replace",
        "samplingRate": "cr:samplingRate",
        "sc": "https://schema.org/",
        "separator": "cr:separator",
        "source": "cr:source",
        "subField": "cr:subField",
        "transform": "cr:transform",
        "scr": SCR_NAMESPACE,
    }
)

# Croissant encodingFormat of each asset format (the MIME types mlcroissant reads).
ENCODING_FORMATS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "text": "text/plain",
        "jsonl": "application/jsonlines",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "parquet": "application/x-parquet",
    }
)
# Media type of each compression; a compressed file keeps its content's encodingFormat (as
# mlcroissant expects: it detects gzip itself) and states the compression under scr:compression.
COMPRESSION_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "gz": "application/gzip",
        "bz2": "application/x-bzip2",
        "xz": "application/x-xz",
        "zst": "application/zstd",
    }
)
ATTRIBUTION_CLASSES: Final = frozenset({"open-attribution", "open-share-alike"})
CSV_COLUMNS: Final = (
    "asset_id",
    "asset_slug",
    "asset_title",
    "organization",
    "organization_name",
    "location",
    "name",
    "size",
    "sha256",
    "format",
    "compression",
    "text_field",
    "document_unit",
    "languages",
    "license_expression",
    "license_class",
    "attribution",
    "origin_nations",
    "hosting_nation",
    "custodian",
)
# Entry fields whose change makes a file "changed" in a diff.
DIFF_FIELDS: Final = ("sha256", "size", "languages", "license_expression", "license_class")

_BATCH = 512  # entries per streamed chunk
_SPDX_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+\-]*")
_SPDX_OPERATORS = frozenset({"AND", "OR", "WITH"})
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._~/-]+")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
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
        return {
            "asset_id": self.asset_id,
            "asset_slug": self.asset_slug,
            "asset_title": self.asset_title,
            "organization": self.organization,
            "organization_name": self.organization_name,
            "location": self.location,
            "name": self.name,
            "size": self.size,
            "sha256": self.sha256,
            "format": self.format,
            "compression": self.compression,
            "text_field": self.text_field,
            "document_unit": self.document_unit,
            "languages": [[tag, tokens] for tag, tokens in self.languages],
            "license_expression": self.license_expression,
            "license_class": self.license_class,
            "attribution": self.attribution,
            "origin_nations": list(self.origin_nations),
            "hosting_nation": self.hosting_nation,
            "custodian": self.custodian,
        }

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
        row = self.to_json()
        row["languages"] = ";".join(f"{tag}:{n}" for tag, n in self.languages)
        row["origin_nations"] = ";".join(self.origin_nations)
        return [row[column] for column in CSV_COLUMNS]

    @classmethod
    def from_csv_row(cls, row: Mapping[str, str]) -> Entry:
        data: dict[str, Any] = dict(row)
        data["languages"] = [
            part.rsplit(":", 1) for part in row["languages"].split(";") if part.strip()
        ]
        data["origin_nations"] = [n for n in row["origin_nations"].split(";") if n]
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

    @property
    def url(self) -> str:
        """The version's address in the API."""
        return f"{self.base_url.rstrip('/')}/api/v1/manifests/{self.slug}/versions/{self.version}/"

    @property
    def semver(self) -> str:
        return f"{self.version}.0.0"

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "description": self.description,
            "version": self.version,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "publisher": self.publisher,
            "criteria": dict(self.criteria),
            "content_hash": self.content_hash,
            "url": self.url,
        }


def _sorted(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.key)


def content_hash(entries: Sequence[Entry]) -> str:
    """SHA-256 (hex) of the entries' canonical JSON, in (asset_id, name) order; the version's
    metadata is left out, so the same selection always gives the same hash."""
    digest = hashlib.sha256(b"[")
    for i, entry in enumerate(_sorted(entries)):
        text = json.dumps(
            entry.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        digest.update((b"," if i else b"") + text.encode())
    digest.update(b"]")
    return digest.hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_json(meta: VersionMeta, entries: Iterable[Entry]) -> Iterator[str]:
    """`{"manifest": {...}, "entries": [...]}` in chunks, consuming the entries lazily."""
    yield '{"manifest": ' + _dumps(meta.to_json()) + ', "entries": ['
    batch: list[str] = []
    separator = "\n"
    for entry in entries:
        batch.append(separator + _dumps(entry.to_json()))
        separator = ",\n"
        if len(batch) >= _BATCH:
            yield "".join(batch)
            batch.clear()
    batch.append("\n]}\n")
    yield "".join(batch)


def render_jsonl(meta: VersionMeta, entries: Iterable[Entry]) -> Iterator[str]:
    """A `{"manifest": {...}}` header line, then one entry per line."""
    yield _dumps({"manifest": meta.to_json()}) + "\n"
    batch: list[str] = []
    for entry in entries:
        batch.append(_dumps(entry.to_json()) + "\n")
        if len(batch) >= _BATCH:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def render_csv(meta: VersionMeta, entries: Iterable[Entry]) -> Iterator[str]:
    """A header row, then one row per entry; languages as `en:30;sw:1200`, nations as `KE;TZ`."""
    del meta  # the CSV carries entries only
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, entry in enumerate(entries, 1):
        writer.writerow(entry.to_csv_row())
        if count % _BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


# --- licences -----------------------------------------------------------------------------------


def license_ids(expression: str) -> tuple[str, ...]:
    """The licence and exception identifiers of an SPDX expression, in order, without repeats."""
    seen: dict[str, None] = {}
    for token in _SPDX_TOKEN.findall(expression):
        if token.upper() not in _SPDX_OPERATORS:
            seen.setdefault(token, None)
    return tuple(seen)


def _is_spdx_listed(identifier: str) -> bool:
    return not identifier.startswith(("LicenseRef-", "DocumentRef-")) and identifier not in {
        "NOASSERTION",
        "NONE",
    }


def spdx_url(identifier: str) -> str:
    return f"https://spdx.org/licenses/{identifier}.html"


def license_urls(expression: str) -> tuple[str, ...]:
    """SPDX pages of the listed identifiers in an expression (LicenseRef-… have none)."""
    return tuple(spdx_url(i) for i in license_ids(expression) if _is_spdx_listed(i))


def requires_attribution(entry: Entry) -> bool:
    """True for the attribution-bearing classes and for any Creative Commons BY licence."""
    return entry.license_class in ATTRIBUTION_CLASSES or any(
        i.upper().startswith("CC-BY") for i in license_ids(entry.license_expression)
    )


def attribution_line(entry: Entry) -> str:
    """The entry's attribution, or a TASL-style line built from its asset when it has none."""
    if entry.attribution.strip():
        return entry.attribution.strip()
    return f'"{entry.asset_title}" by {entry.organization_name}, {entry.license_expression}'


def attribution_bundle(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    """Every licence of the entries that requires attribution, with the lines to reproduce
    (deduplicated and sorted), ordered by licence expression."""
    bundle: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if not requires_attribution(entry):
            continue
        item = bundle.setdefault(
            entry.license_expression,
            {"classes": set(), "assets": set(), "lines": set()},
        )
        item["classes"].add(entry.license_class)
        item["assets"].add(entry.asset_slug)
        item["lines"].add(attribution_line(entry))
    return [
        {
            "license": expression,
            "license_class": ",".join(sorted(item["classes"])),
            "license_urls": list(license_urls(expression)),
            "assets": sorted(item["assets"]),
            "lines": sorted(item["lines"]),
        }
        for expression, item in sorted(bundle.items())
    ]


# --- diff ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diff:
    """Files added, removed and changed between two versions, each in (asset_id, name) order."""

    added: tuple[Entry, ...] = ()
    removed: tuple[Entry, ...] = ()
    changed: tuple[tuple[Entry, Entry], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
            },
            "added": [e.to_json() for e in self.added],
            "removed": [e.to_json() for e in self.removed],
            "changed": [
                {"old": old.to_json(), "new": new.to_json(), "fields": changed_fields(old, new)}
                for old, new in self.changed
            ],
        }


def changed_fields(old: Entry, new: Entry) -> list[str]:
    return [name for name in DIFF_FIELDS if getattr(old, name) != getattr(new, name)]


def diff(old: Sequence[Entry], new: Sequence[Entry]) -> Diff:
    """Compare two versions by (asset_id, name); a file is changed when its checksum, size,
    languages or licence differ."""
    before = {e.key: e for e in old}
    after = {e.key: e for e in new}
    return Diff(
        added=tuple(after[k] for k in sorted(after.keys() - before.keys())),
        removed=tuple(before[k] for k in sorted(before.keys() - after.keys())),
        changed=tuple(
            (before[k], after[k])
            for k in sorted(before.keys() & after.keys())
            if changed_fields(before[k], after[k])
        ),
    )


# --- Croissant ----------------------------------------------------------------------------------


def is_url(location: str) -> bool:
    return bool(_URL.match(location))


def content_url(meta: VersionMeta, entry: Entry) -> str:
    """The file's own URL when its location is one, else its address under the registry."""
    if is_url(entry.location):
        return entry.location
    base = meta.base_url.rstrip("/")
    return f"{base}/api/v1/assets/{entry.asset_id}/files/{quote(entry.name)}"


def _file_ids(entries: Iterable[Entry]) -> Iterator[tuple[Entry, str]]:
    """Each entry with a stable, unique, whitespace-free @id for its FileObject,
    `<asset slug>/<file name>`; the same entries in the same order always get the same ids."""
    used: set[str] = set()
    for entry in entries:
        base = _UNSAFE_ID.sub("_", f"{entry.asset_slug}/{entry.name}").strip("/") or "file"
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}~{n}"
        used.add(candidate)
        yield entry, candidate


def _extract(entry: Entry) -> dict[str, str]:
    if entry.format == "text":
        return {"fileProperty": "lines" if entry.document_unit == "line" else "content"}
    return {"column": entry.text_field or "text"}


def _file_object(meta: VersionMeta, entry: Entry, file_id: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "cr:FileObject",
        "@id": file_id,
        "name": entry.name,
        "description": f"{entry.name} of {entry.asset_title} ({entry.asset_slug})",
        "contentUrl": content_url(meta, entry),
        "contentSize": f"{entry.size} B",
        "encodingFormat": ENCODING_FORMATS.get(entry.format, "text/plain"),
        "sha256": entry.sha256,
    }
    if entry.compression:
        node["scr:compression"] = COMPRESSION_TYPES.get(entry.compression, entry.compression)
    node.update(
        {
            "scr:asset": entry.asset_slug,
            "scr:languages": [f"{tag}:{n}" for tag, n in entry.languages],
            "scr:licenseExpression": entry.license_expression,
            "scr:licenseClass": entry.license_class,
            "scr:attribution": attribution_line(entry),
            "scr:originNations": list(entry.origin_nations),
            "scr:hostingNation": entry.hosting_nation,
            "scr:custodian": entry.custodian,
        }
    )
    return node


def _record_set(entry: Entry, file_id: str) -> dict[str, Any]:
    record_set_id = f"records/{file_id}"
    unit = entry.document_unit or "document"
    return {
        "@type": "cr:RecordSet",
        "@id": record_set_id,
        "name": f"{entry.name} ({entry.asset_slug})",
        "description": f"The text of {entry.name}, one record per {unit}.",
        "field": [
            {
                "@type": "cr:Field",
                "@id": f"{record_set_id}/text",
                "name": "text",
                "description": "The document text.",
                "dataType": "sc:Text",
                "source": {"fileObject": {"@id": file_id}, "extract": _extract(entry)},
            }
        ],
    }


def cite_as(meta: VersionMeta) -> str:
    """A BibTeX entry for the version (Croissant's recommended `citeAs`)."""

    def escape(text: str) -> str:
        return re.sub(r"([{}\\])", r"\\\1", text)

    year = meta.created_at[:4]
    return (
        f"@misc{{{meta.slug}-v{meta.version}, title = {{{escape(meta.title or meta.slug)}}}, "
        f"author = {{{{{escape(meta.publisher)}}}}}, year = {{{year}}}, "
        f"note = {{Version {meta.semver}, content hash {meta.content_hash}}}, "
        f"url = {{{meta.url}}}}}"
    )


def _croissant_header(meta: VersionMeta) -> dict[str, Any]:
    organization = {"@type": "sc:Organization", "name": meta.publisher}
    return {
        "@context": dict(CROISSANT_CONTEXT),
        "@type": "sc:Dataset",
        "dct:conformsTo": CROISSANT_CONFORMS_TO,
        "name": meta.title or meta.slug,
        "alternateName": meta.slug,
        "citeAs": cite_as(meta),
        "description": meta.description.strip()
        or f"Version {meta.version} of the curated manifest {meta.slug}.",
        "url": meta.url,
        "creator": organization,
        "publisher": organization,
        "datePublished": meta.created_at,
        "version": meta.semver,
        "scr:contentHash": meta.content_hash,
        "scr:criteria": json.dumps(dict(meta.criteria), sort_keys=True, ensure_ascii=False),
        "scr:createdBy": meta.created_by,
    }


class _Totals:
    """The dataset-level licences and languages, gathered while the files go by."""

    def __init__(self) -> None:
        self.licenses: set[str] = set()
        self.unlisted: set[str] = set()  # expressions without an SPDX-listed identifier
        self.languages: set[str] = set()

    def add(self, entry: Entry) -> None:
        urls = license_urls(entry.license_expression)
        self.licenses.update(urls)
        if not urls and entry.license_expression.strip():
            self.unlisted.add(entry.license_expression.strip())
        self.languages.update(tag for tag, _ in entry.languages)

    def to_json(self) -> dict[str, Any]:
        unlisted = [{"@type": "sc:CreativeWork", "name": name} for name in sorted(self.unlisted)]
        return {
            "license": [*sorted(self.licenses), *unlisted],
            "inLanguage": sorted(self.languages),
        }


def render_croissant(meta: VersionMeta, entries: Sequence[Entry]) -> dict[str, Any]:
    """The version as a Croissant 1.0 JSON-LD document: one FileObject and one single-field
    RecordSet (the text) per file, in (asset_id, name) order; nations, custodian and licence per
    file under `scr:`."""
    ordered = list(_file_ids(_sorted(entries)))
    totals = _Totals()
    for entry, _ in ordered:
        totals.add(entry)
    return {
        **_croissant_header(meta),
        **totals.to_json(),
        "distribution": [_file_object(meta, entry, file_id) for entry, file_id in ordered],
        "recordSet": [_record_set(entry, file_id) for entry, file_id in ordered],
    }


def _in_key_order(entries: Iterable[Entry]) -> Iterator[Entry]:
    previous: tuple[int, str] | None = None
    for entry in entries:
        if previous is not None and entry.key <= previous:
            raise ValueError(
                f"entries must come in (asset_id, name) order: {entry.key} after {previous}"
            )
        previous = entry.key
        yield entry


def render_croissant_stream(
    meta: VersionMeta, entries: Callable[[], Iterable[Entry]]
) -> Iterator[str]:
    """The same document as `render_croissant`, as JSON text chunks in constant memory (but the
    FileObject ids). `entries()` is called twice (FileObjects, then RecordSets) and must give the
    same entries in (asset_id, name) order both times; the licences and languages come last."""
    header = json.dumps(_croissant_header(meta), ensure_ascii=False)
    yield header[:-1] + ', "distribution": ['
    totals = _Totals()
    batch: list[str] = []
    separator = "\n"
    for entry, file_id in _file_ids(_in_key_order(entries())):
        totals.add(entry)
        batch.append(separator + _dumps(_file_object(meta, entry, file_id)))
        separator = ",\n"
        if len(batch) >= _BATCH:
            yield "".join(batch)
            batch.clear()
    batch.append('], "recordSet": [')
    separator = "\n"
    for entry, file_id in _file_ids(_in_key_order(entries())):
        batch.append(separator + _dumps(_record_set(entry, file_id)))
        separator = ",\n"
        if len(batch) >= _BATCH:
            yield "".join(batch)
            batch.clear()
    tail = json.dumps(totals.to_json(), ensure_ascii=False)
    batch.append("], " + tail[1:] + "\n")
    yield "".join(batch)


# --- Croissant required-property check ----------------------------------------------------------

_DATASET_TYPES = frozenset(
    {"sc:Dataset", "schema:Dataset", "Dataset", "https://schema.org/Dataset"}
)
_FILE_OBJECT_TYPES = frozenset({"cr:FileObject", "sc:FileObject", "FileObject"})
_FILE_SET_TYPES = frozenset({"cr:FileSet", "sc:FileSet", "FileSet"})
_RECORD_SET_TYPES = frozenset({"cr:RecordSet", "ml:RecordSet", "RecordSet"})
_FIELD_TYPES = frozenset({"cr:Field", "ml:Field", "Field"})
_AGENT_TYPES = frozenset({"sc:Organization", "sc:Person", "Organization", "Person"})


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
    return True


def _ref(value: Any) -> str | None:
    return value.get("@id") if isinstance(value, dict) else None


def _check_context(doc: Mapping[str, Any], problems: list[str]) -> None:
    context = doc.get("@context")
    if not isinstance(context, dict) or not context:
        problems.append("@context: missing (a JSON-LD context object is required)")
        return
    if (
        context.get("@vocab") != "https://schema.org/"
        and context.get("sc") != "https://schema.org/"
    ):
        problems.append("@context: schema.org is neither @vocab nor the sc prefix")
    if context.get("cr") != "http://mlcommons.org/croissant/":
        problems.append("@context: the cr prefix must be http://mlcommons.org/croissant/")
    used = set()
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if ":" in key and not key.startswith("@") and "://" not in key:
                    used.add(key.split(":", 1)[0])
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    for prefix in sorted(used - set(context)):
        problems.append(f"@context: the prefix {prefix!r} is used but not declared")


def _check_dataset(doc: Mapping[str, Any], problems: list[str]) -> None:
    if doc.get("@type") not in _DATASET_TYPES:
        problems.append(f"@type: must be sc:Dataset, got {doc.get('@type')!r}")
    conforms = _as_list(doc.get("dct:conformsTo", doc.get("conformsTo")))
    if CROISSANT_CONFORMS_TO not in conforms:
        problems.append(f"dct:conformsTo: must be {CROISSANT_CONFORMS_TO}")
    for key in ("name", "description"):
        if not _text(doc.get(key)):
            problems.append(f"{key}: missing or empty")
    licenses = _as_list(doc.get("license"))
    if not licenses:
        problems.append("license: missing (a URL or CreativeWork is required)")
    for value in licenses:
        if not (isinstance(value, str) and is_url(value)) and not (
            isinstance(value, dict) and _text(value.get("name") or value.get("url"))
        ):
            problems.append(f"license: {value!r} is neither a URL nor a named CreativeWork")
    if not (isinstance(doc.get("url"), str) and is_url(doc["url"])):
        problems.append("url: missing or not a URL")
    creators = _as_list(doc.get("creator"))
    if not creators:
        problems.append("creator: missing (an Organization or Person is required)")
    for creator in creators:
        if not isinstance(creator, dict) or creator.get("@type") not in _AGENT_TYPES:
            problems.append("creator: must be an sc:Organization or sc:Person")
        elif not _text(creator.get("name")):
            problems.append("creator: has no name")
    if not _is_date(doc.get("datePublished")):
        problems.append("datePublished: missing or not an ISO 8601 date")
    version = doc.get("version")
    if version is not None and not re.fullmatch(r"\d+\.\d+\.\d+", str(version)):
        problems.append(f"version: {version!r} is not MAJOR.MINOR.PATCH")


def _check_id(node_id: Any, where: str, problems: list[str], ids: set[str]) -> None:
    if not _text(node_id) or re.search(r"\s", node_id):
        problems.append(f"{where}: @id missing or contains whitespace")
    elif node_id in ids:
        problems.append(f"{where}: duplicate @id {node_id!r}")
    else:
        ids.add(node_id)


def _check_distribution(doc: Mapping[str, Any], problems: list[str], ids: set[str]) -> None:
    distribution = doc.get("distribution")
    if not isinstance(distribution, list) or not distribution:
        problems.append("distribution: missing or empty (FileObjects or FileSets are required)")
        return
    for i, node in enumerate(distribution):
        where = f"distribution[{i}]"
        if not isinstance(node, dict):
            problems.append(f"{where}: not an object")
            continue
        kind = node.get("@type")
        _check_id(node.get("@id"), where, problems, ids)
        if not _text(node.get("encodingFormat")):
            problems.append(f"{where}: encodingFormat missing")
        if kind in _FILE_OBJECT_TYPES:
            if not _text(node.get("name")):
                problems.append(f"{where}: name missing")
            if not node.get("containedIn"):
                if not _text(node.get("contentUrl")):
                    problems.append(f"{where}: contentUrl missing")
                sha256, md5 = node.get("sha256"), node.get("md5")
                if sha256 is None and md5 is None:
                    problems.append(f"{where}: sha256 (or md5) missing")
                if sha256 is not None and not _SHA256.match(str(sha256)):
                    problems.append(f"{where}: sha256 is not 64 lower-case hex digits")
        elif kind in _FILE_SET_TYPES:
            if not node.get("includes"):
                problems.append(f"{where}: includes missing")
        else:
            problems.append(f"{where}: @type must be cr:FileObject or cr:FileSet, got {kind!r}")


def _check_fields(
    fields_: list[Any],
    where: str,
    problems: list[str],
    ids: set[str],
    sources: list[tuple[str, str]],
) -> None:
    for j, item in enumerate(fields_):
        at = f"{where}.field[{j}]"
        if not isinstance(item, dict) or item.get("@type") not in _FIELD_TYPES:
            problems.append(f"{at}: must be a cr:Field")
            continue
        _check_id(item.get("@id"), at, problems, ids)
        sub_fields = _as_list(item.get("subField"))
        if not item.get("dataType") and not sub_fields:
            problems.append(f"{at}: dataType missing")
        source = item.get("source")
        if source is not None:
            target = (
                _ref(source.get("fileObject"))
                or _ref(source.get("fileSet"))
                or _ref(source.get("recordSet"))
                or source.get("@id")
                if isinstance(source, dict)
                else None
            )
            if not target:
                problems.append(f"{at}: source references nothing")
            else:
                sources.append((at, target))
        _check_fields(sub_fields, at, problems, ids, sources)


def _check_record_sets(doc: Mapping[str, Any], problems: list[str], ids: set[str]) -> None:
    record_sets = doc.get("recordSet")
    if record_sets is None:
        return  # optional in the spec
    sources: list[tuple[str, str]] = []
    for i, node in enumerate(_as_list(record_sets)):
        where = f"recordSet[{i}]"
        if not isinstance(node, dict) or node.get("@type") not in _RECORD_SET_TYPES:
            problems.append(f"{where}: must be a cr:RecordSet")
            continue
        _check_id(node.get("@id"), where, problems, ids)
        fields_ = _as_list(node.get("field"))
        if not fields_:
            problems.append(f"{where}: has no field")
        _check_fields(fields_, where, problems, ids, sources)
    for at, target in sources:
        if target not in ids:
            problems.append(f"{at}: source {target!r} is not declared in the document")


def check_croissant(doc: Mapping[str, Any]) -> list[str]:
    """Problems with the Croissant 1.0 properties the spec requires (empty when none): context,
    type, conformance, name, description, licence, url, creator, datePublished, distribution with
    complete FileObjects, and RecordSets whose fields have a type and a declared source."""
    problems: list[str] = []
    if not isinstance(doc, Mapping):
        return ["document: not a JSON object"]
    ids: set[str] = set()
    _check_context(doc, problems)
    _check_dataset(doc, problems)
    _check_distribution(doc, problems, ids)
    _check_record_sets(doc, problems, ids)
    return problems
