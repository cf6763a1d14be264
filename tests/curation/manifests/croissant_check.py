"""A check of the Croissant 1.0 properties the spec requires, for the tests of the manifest
renderings (mlcroissant accepts some omissions the spec forbids). A helper, not a test module."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from curation.manifests.croissant import CROISSANT_CONFORMS_TO
from curation.manifests.entries import is_url

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
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
