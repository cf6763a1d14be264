"""Writes of the inventory app: typed, keyword-only, atomic."""

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from inventory.models import (
    Language,
    License,
    Nation,
    NationLanguage,
    ReferenceDataRelease,
)
from inventory.reference_data import ReferenceData, build_reference_data


@dataclass
class SyncCount:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    total: int = 0


@dataclass
class LoadSummary:
    counts: dict[str, SyncCount] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.counts.values())


def _sync(
    model: type[models.Model],
    rows: dict[Any, dict[str, Any]],
    key: tuple[str, ...],
    *,
    delete_stale: bool = False,
) -> SyncCount:
    """Make `model`'s rows equal `rows` (keyed by the `key` fields), writing only differences."""
    existing = {tuple(getattr(obj, f) for f in key): obj for obj in model.objects.all()}
    to_create, to_update, fields = [], [], set()
    for row_key, values in rows.items():
        obj = existing.get(row_key)
        if obj is None:
            to_create.append(model(**dict(zip(key, row_key, strict=True)), **values))
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            fields.update(changed)
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields), batch_size=1000)
    stale = [obj.pk for k, obj in existing.items() if k not in rows] if delete_stale else []
    if stale:
        model.objects.filter(pk__in=stale).delete()
    return SyncCount(
        created=len(to_create),
        updated=len(to_update),
        deleted=len(stale),
        total=model.objects.count(),
    )


@transaction.atomic
def load_reference_data(*, data: ReferenceData | None = None) -> LoadSummary:
    """Load nations, languages, nation languages and licences; a second run writes nothing."""
    data = data or build_reference_data()
    summary = LoadSummary(versions=data.versions, skipped=data.skipped)

    def rows(records: list[Any], key: str) -> dict[Any, dict[str, Any]]:
        result = {}
        for record in records:
            values = asdict(record)
            result[(values.pop(key),)] = values
        return result

    languages = rows(data.languages, "tag")
    for values in languages.values():
        values["detectors"] = list(values["detectors"])
    summary.counts["nations"] = _sync(Nation, rows(data.nations, "alpha2"), ("alpha2",))
    summary.counts["languages"] = _sync(Language, languages, ("tag",))
    summary.counts["licenses"] = _sync(License, rows(data.licenses, "spdx_id"), ("spdx_id",))

    nation_ids = dict(Nation.objects.values_list("alpha2", "id"))
    language_ids = dict(Language.objects.values_list("tag", "id"))
    links = {}
    for record in data.nation_languages:
        values = asdict(record)
        key = (nation_ids[values.pop("nation")], language_ids[values.pop("language")])
        links[key] = values
    summary.counts["nation_languages"] = _sync(
        NationLanguage, links, ("nation_id", "language_id"), delete_stale=True
    )

    latest = ReferenceDataRelease.objects.order_by("-loaded_at").first()
    if summary.changed or latest is None or latest.versions != data.versions:
        ReferenceDataRelease.objects.create(
            loaded_at=timezone.now(),
            versions=data.versions,
            counts={name: asdict(count) for name, count in summary.counts.items()},
        )
    return summary
