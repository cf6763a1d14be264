"""A manifest version as Croissant 1.0 JSON-LD: one FileObject and one single-field RecordSet
(the text) per file, with nations, custodian and licence per file under this project's `scr:`
prefix; whole, or streamed in constant memory."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from curation.manifests.attribution import attribution_line, license_urls
from curation.manifests.entries import (
    BATCH,
    Entry,
    VersionMeta,
    content_url,
    dumps,
    sorted_entries,
)
from inventory.formats import COMPRESSION_MEDIA_TYPES, media_type

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

_UNSAFE_ID: Final = re.compile(r"[^A-Za-z0-9._~/-]+")


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
    """The file's FileObject. encodingFormat is the media type mlcroissant reads for the content;
    a compressed file keeps it (mlcroissant detects gzip itself) and states the media type of its
    compression under scr:compression."""
    node: dict[str, Any] = {
        "@type": "cr:FileObject",
        "@id": file_id,
        "name": entry.name,
        "description": f"{entry.name} of {entry.asset_title} ({entry.asset_slug})",
        "contentUrl": content_url(meta, entry),
        "contentSize": f"{entry.size} B",
        "encodingFormat": media_type(entry.format),
        "sha256": entry.sha256,
    }
    if entry.compression:
        node["scr:compression"] = COMPRESSION_MEDIA_TYPES.get(entry.compression, entry.compression)
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
    ordered = list(_file_ids(sorted_entries(entries)))
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
        batch.append(separator + dumps(_file_object(meta, entry, file_id)))
        separator = ",\n"
        if len(batch) >= BATCH:
            yield "".join(batch)
            batch.clear()
    batch.append('], "recordSet": [')
    separator = "\n"
    for entry, file_id in _file_ids(_in_key_order(entries())):
        batch.append(separator + dumps(_record_set(entry, file_id)))
        separator = ",\n"
        if len(batch) >= BATCH:
            yield "".join(batch)
            batch.clear()
    tail = json.dumps(totals.to_json(), ensure_ascii=False)
    batch.append("], " + tail[1:] + "\n")
    yield "".join(batch)
