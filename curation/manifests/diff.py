"""What changed between two manifest versions: files added, removed and changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from curation.manifests.entries import Entry

# Entry fields whose change makes a file "changed" in a diff.
DIFF_FIELDS: Final = ("sha256", "size", "languages", "license_expression", "license_class")


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
