"""Licences of manifest entries: the identifiers of an SPDX expression and their SPDX pages,
which entries must be attributed, and the attribution bundle of a version."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from curation.manifests.entries import Entry
from curation.vocabulary import ATTRIBUTION_CLASSES

_SPDX_TOKEN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+\-]*")
_SPDX_OPERATORS: Final = frozenset({"AND", "OR", "WITH"})


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
