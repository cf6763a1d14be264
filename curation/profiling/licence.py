"""Licence evidence: LICENSE/COPYING/README texts and per-record licence values, compared with
the declared SPDX expression.

A licence text is identified by full-text fingerprint (the `licenseclassifier` package, SPDX
templates), by `SPDX-License-Identifier:` lines, and by Creative Commons URLs and short names.
Each identified licence gets a use class (the same names as `inventory.licensing`, ordered from
most permissive to most restrictive). Evidence more restrictive than the declaration is a
conflict (declared CC-BY-4.0, records say CC-BY-NC-4.0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from curation.plain import fields_json
from inventory import licensing
from inventory.formats import is_evidence

USE_CLASSES = tuple(str(c) for c in licensing.UseClass)
_RANK = {name: i for i, name in enumerate(USE_CLASSES)}

MAX_LICENCE_TEXT = 512 * 1024

_SPDX_LINE = re.compile(r"SPDX-License-Identifier:\s*([A-Za-z0-9.+\- ()]+?)\s*(?:\*/|-->|$)", re.M)
_CC_URL = re.compile(
    r"creativecommons\.org/(?:licenses/(by(?:-nc)?(?:-nd|-sa)?)/(\d\.\d)"
    r"|publicdomain/(zero)/1\.0)",
    re.IGNORECASE,
)
_CC_NAME = re.compile(
    r"\bCC[ -](BY(?:[ -]NC)?(?:[ -](?:ND|SA))?)[ -](\d\.\d)\b|\bCC0(?:[ -]1\.0)?\b",
    re.IGNORECASE,
)


def use_class(spdx_id: str) -> str:
    """The use class of one SPDX licence id, by the project's one classification table."""
    if not spdx_id or spdx_id.upper().startswith("LICENSEREF"):
        return "unknown"
    return str(licensing.terms_for(spdx_id).use_class)


def _cc_id(kind: str, version: str) -> str:
    return f"CC-{kind.upper().replace(' ', '-')}-{version}"


def identify_licences(text: str) -> list[str]:
    """SPDX ids named or contained in a licence/README text, most specific first, unique."""
    found: list[str] = []

    def add(spdx_id: str) -> None:
        if spdx_id and spdx_id not in found:
            found.append(spdx_id)

    for match in _SPDX_LINE.finditer(text):
        for part in re.split(r"\s+(?:AND|OR|WITH)\s+|[()]", match.group(1)):
            add(part.strip())
    for match in _CC_URL.finditer(text):
        add("CC0-1.0" if match.group(3) else _cc_id(match.group(1), match.group(2)))
    for match in _CC_NAME.finditer(text):
        add(_cc_id(match.group(1), match.group(2)) if match.group(1) else "CC0-1.0")
    try:
        from licenseclassifier import identify_license
    except ImportError:  # pragma: no cover - the dependency is declared
        return found
    for result in identify_license(text[:MAX_LICENCE_TEXT]):
        add(str(result.id))
    return found


def normalise_value(value: str) -> str | None:
    """A per-record licence value as an SPDX id when it reads as one (`cc-by-4.0`, `CC BY 4.0`)."""
    ids = identify_licences(value) if len(value) < 200 else []
    if ids:
        return ids[0]
    candidate = value.strip()
    if re.fullmatch(r"[A-Za-z0-9.+\-]+", candidate):
        return candidate
    return None


@dataclass(frozen=True)
class LicenceFile:
    """Evidence from one LICENSE/COPYING/README file."""

    name: str
    licences: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return fields_json(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LicenceFile:
        return cls(str(data["name"]), tuple(data.get("licences", ())))


def is_licence_file(name: str) -> bool:
    """Whether `name` (a path or key) is a LICENSE/COPYING/README file: read as evidence, not
    profiled. The rule is `inventory.formats.is_evidence`, shared with the location layer."""
    return is_evidence(name)


def licence_file(name: str, data: bytes) -> LicenceFile:
    text = data[:MAX_LICENCE_TEXT].decode("utf-8", "replace")
    return LicenceFile(name, tuple(identify_licences(text)))


def declared_ids_and_class(expression: str) -> tuple[list[str], str]:
    """Licence ids of a declared SPDX expression and its use class (OR → most permissive
    alternative, AND → most restrictive part); an invalid declaration reads as unknown."""
    if not expression.strip():
        return [], "unknown"
    try:
        result = licensing.classify(expression)
    except licensing.InvalidLicenseExpression:
        return [], "unknown"
    return list(result.license_ids), str(result.use_class)


@dataclass(frozen=True)
class LicenceEvidence:
    declared: str
    declared_ids: tuple[str, ...]
    declared_class: str
    files: tuple[LicenceFile, ...]
    record_values: tuple[tuple[str, int], ...]  # per-record licence field value → documents
    identified: tuple[str, ...]  # every licence id the evidence names
    conflict: bool  # some evidence is more restrictive than the declaration
    conflicts: tuple[str, ...]  # the ids that are
    differs: bool  # evidence names licences the declaration does not

    def to_json(self) -> dict[str, Any]:
        return fields_json(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LicenceEvidence:
        return cls(
            declared=str(data["declared"]),
            declared_ids=tuple(data["declared_ids"]),
            declared_class=str(data["declared_class"]),
            files=tuple(LicenceFile.from_json(f) for f in data["files"]),
            record_values=tuple((str(v), int(c)) for v, c in data["record_values"]),
            identified=tuple(data["identified"]),
            conflict=bool(data["conflict"]),
            conflicts=tuple(data["conflicts"]),
            differs=bool(data["differs"]),
        )


def evidence(
    declared: str, files: Iterable[LicenceFile], record_values: Mapping[str, int]
) -> LicenceEvidence:
    declared_ids, declared_class = declared_ids_and_class(declared)
    file_list = tuple(sorted(files, key=lambda f: f.name))
    identified: list[str] = []
    for item in file_list:
        identified.extend(i for i in item.licences if i not in identified)
    for value in sorted(record_values):
        spdx_id = normalise_value(value)
        if spdx_id and spdx_id not in identified:
            identified.append(spdx_id)
    declared_rank = _RANK[declared_class] if declared_ids else _RANK["unknown"]
    conflicts = tuple(
        i
        for i in identified
        if declared_ids and use_class(i) != "unknown" and _RANK[use_class(i)] > declared_rank
    )
    upper_declared = {d.upper() for d in declared_ids}
    differs = any(i.upper() not in upper_declared for i in identified)
    values = tuple(sorted(record_values.items(), key=lambda kv: (-kv[1], kv[0])))
    return LicenceEvidence(
        declared=declared,
        declared_ids=tuple(declared_ids),
        declared_class=declared_class,
        files=file_list,
        record_values=values,
        identified=tuple(identified),
        conflict=bool(conflicts),
        conflicts=conflicts,
        differs=differs,
    )
