"""Dataclasses as JSON data, for the `to_json` methods whose keys are the field names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any


def plain(value: Any) -> Any:
    """`value` as JSON data: a dataclass by its own `to_json` (else its fields), tuples and lists
    as lists, mappings as dicts, each item converted; anything else as it is."""
    if is_dataclass(value) and not isinstance(value, type):
        to_json = getattr(value, "to_json", None)
        return to_json() if to_json is not None else fields_json(value)
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    return value


def fields_json(obj: Any) -> dict[str, Any]:
    """A dataclass instance as a dict of its fields, in declaration order, values `plain`."""
    return {f.name: plain(getattr(obj, f.name)) for f in fields(obj)}
