"""Exact duplicates across assets: the same file (sha256 and size of its stored bytes, taken by
the engine while it profiled the file) in the current profiles of two live assets, and the same
location registered twice by one organisation. Read-only; named to each reader by visibility."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q

from curation.profiling import neardup
from curation.runs.models import AssetProfile, ProfileLanguage, ProfileShard
from inventory.models import Asset
from inventory.permissions import can_read_location
from inventory.services import same_location_assets

# Other assets a request compares samples with, for near-copies: each comparison of two
# 5,000-document samples costs about 15 ms and reads 680 KB of signatures.
MAX_NEAR_COMPARED = 50


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
class NearCopy:
    """Another asset holding near-copies (not exact ones) of this asset's documents, estimated
    from both assets' samples (`curation.profiling.neardup.between`)."""

    holder: Holder
    pairs_found: int
    share_of_this: float
    share_of_other: float


@dataclass(frozen=True)
class Duplicates:
    files: tuple[DuplicateFile, ...] = ()
    duplicate_bytes: int = 0
    same_location: tuple[Holder, ...] = ()
    checked_files: int = 0
    unchecked_files: int = 0  # read in part, or Parquet: no whole-file checksum
    near_copies: tuple[NearCopy, ...] = ()
    near_compared: int = 0  # other assets whose samples were compared
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
    near, compared = _near_copies(asset, user, visible)
    notes = () if shards else ("the asset has no profile yet: its files are not checked",)
    return Duplicates(
        files=files,
        duplicate_bytes=sum(f.size for f in files),
        same_location=same,
        checked_files=len(checked),
        unchecked_files=len(shards) - len(checked),
        near_copies=near,
        near_compared=compared,
        notes=notes,
    )


def _near_copies(asset: Asset, user: Any, visible: set[int]) -> tuple[tuple[NearCopy, ...], int]:
    """Near-copies in the live assets that share a language with this one and concern one of
    its nations (at most MAX_NEAR_COMPARED, most recently profiled first)."""
    mine = (
        AssetProfile.objects.filter(asset=asset)
        .values_list("signatures", "data__totals__labellable_documents")
        .first()
    )
    if mine is None or not mine[0]:
        return (), 0
    own = neardup.unpack(bytes(mine[0]))
    languages = ProfileLanguage.objects.filter(profile__asset=asset)
    nations = {asset.organization.nation_id, *asset.origin_nations.values_list("pk", flat=True)}
    if asset.hosting_nation_id:
        nations.add(asset.hosting_nation_id)
    candidates = (
        Asset.objects.active()
        .exclude(pk=asset.pk)
        .filter(
            Q(organization__nation__in=nations)
            | Q(origin_nations__in=nations)
            | Q(hosting_nation__in=nations)
        )
    )
    shares_language = ProfileLanguage.objects.filter(
        profile=OuterRef("pk"), language__in=languages.values("language")
    )
    others = (
        AssetProfile.objects.filter(asset__in=candidates.values("pk"))
        .filter(Exists(shares_language))
        .exclude(signatures=b"")
        .order_by("-profiled_at", "pk")
        .values_list(
            "asset_id",
            "asset__title",
            "asset__organization__slug",
            "signatures",
            "data__totals__labellable_documents",
        )[:MAX_NEAR_COMPARED]
    )
    found = []
    compared = 0
    for other_id, title, organization, signatures, population in others:
        compared += 1
        result = neardup.between(
            own, int(mine[1] or 0), neardup.unpack(bytes(signatures)), int(population or 0)
        )
        if result.pairs_found:
            seen = other_id in visible
            found.append(
                NearCopy(
                    Holder(other_id if seen else None, title if seen else None, organization, None),
                    result.pairs_found,
                    result.share_of_first,
                    result.share_of_second,
                )
            )
    found.sort(key=lambda n: (-n.share_of_this, -n.pairs_found))
    return tuple(found), compared
