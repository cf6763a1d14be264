"""Exact duplicates across assets: the same file (sha256 and size of its stored bytes, taken by
the engine while it profiled the file) in the current profiles of two live assets, and the same
location registered twice by one organisation. Read-only; named to each reader by visibility."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from curation.runs.models import AssetProfile, ProfileShard
from inventory.models import Asset
from inventory.permissions import can_read_location
from inventory.services import same_location_assets


@dataclass(frozen=True)
class Holder:
    """Another asset holding a file: named when the reader may see it, else only its
    organisation."""

    asset: int | None
    title: str | None
    organization: str
    name: str | None


@dataclass(frozen=True)
class DuplicateFile:
    name: str | None  # None when the reader may not see the asset's location
    sha256: str
    size: int
    also_in: tuple[Holder, ...]


@dataclass(frozen=True)
class Duplicates:
    files: tuple[DuplicateFile, ...] = ()
    duplicate_bytes: int = 0
    same_location: tuple[Holder, ...] = ()
    checked_files: int = 0
    unchecked_files: int = 0  # read in part, or Parquet: no whole-file checksum
    notes: tuple[str, ...] = field(default=())


def _current_shards(asset: Asset) -> list[ProfileShard]:
    run_id = AssetProfile.objects.filter(asset=asset).values_list("run_id", flat=True).first()
    if run_id is None:
        return []
    return list(ProfileShard.objects.filter(run_id=run_id, role="data").order_by("name"))


def duplicates_of(asset: Asset, user: Any) -> Duplicates:
    """The asset's exact duplicates in other live assets, for `user` (who may see `asset`)."""
    shards = _current_shards(asset)
    checked = [s for s in shards if s.sha256 and s.size is not None]
    visible = set(Asset.objects.visible_to(user).values_list("pk", flat=True))
    current_runs = AssetProfile.objects.filter(asset__in=Asset.objects.active()).exclude(
        asset=asset
    )
    matches = (
        ProfileShard.objects.filter(
            sha256__in={s.sha256 for s in checked},
            run_id__in=current_runs.values("run_id"),
            role="data",
        )
        .select_related("run__asset__organization")
        .order_by("run__asset_id", "name")
    )
    holders: dict[tuple[str, int], list[Holder]] = defaultdict(list)
    for match in matches:
        other = match.run.asset
        seen = other.pk in visible
        holders[(match.sha256, match.size or -1)].append(
            Holder(
                other.pk if seen else None,
                other.title if seen else None,
                other.organization.slug,
                match.name if seen and can_read_location(user, other) else None,
            )
        )
    own_names = can_read_location(user, asset)
    files = tuple(
        DuplicateFile(
            s.name if own_names else None,
            s.sha256,
            int(s.size or 0),
            tuple(holders[(s.sha256, s.size or 0)]),
        )
        for s in checked
        if holders.get((s.sha256, s.size or 0))
    )
    same = tuple(
        Holder(
            other.pk if other.pk in visible else None,
            other.title if other.pk in visible else None,
            asset.organization.slug,
            None,
        )
        for other in same_location_assets(asset)
    )
    notes = () if shards else ("the asset has no profile yet: its files are not checked",)
    return Duplicates(
        files=files,
        duplicate_bytes=sum(f.size for f in files),
        same_location=same,
        checked_files=len(checked),
        unchecked_files=len(shards) - len(checked),
        notes=notes,
    )
