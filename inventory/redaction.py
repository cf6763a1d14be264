"""Redaction of storage paths for readers who may not see an asset's location: one function,
applied wherever a location or a file name could surface (history, runs, profiles, errors).
Who may see them is `inventory.permissions.can_read_location`'s to decide. Pure code."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

REDACTED: Final = "[redacted]"


def secrets_of(location: str, names: Iterable[str]) -> tuple[str, ...]:
    """What must not be shown of an asset: its location, its files' locations and names (and
    their base names), longest first so that a path is replaced before the name inside it."""
    found = {location, *names}
    found |= {name.replace("\\", "/").rsplit("/", 1)[-1] for name in list(found)}
    return tuple(sorted((s for s in found if s), key=lambda s: (-len(s), s)))


def redact(value: Any, secrets: Iterable[str]) -> Any:
    """`value` (JSON data) with every occurrence of each secret in its strings, keys included,
    replaced by REDACTED."""
    ordered = tuple(secrets)
    if isinstance(value, str):
        for secret in ordered:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {redact(k, ordered): redact(v, ordered) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item, ordered) for item in value]
    return value
