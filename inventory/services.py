"""Writes of the inventory app: typed, keyword-only, atomic."""

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from inventory import grants
from inventory.locations import LocationPolicy, Scope, Shard, list_shards, policy_from_settings
from inventory.models import (
    ASSET_HISTORY,
    Asset,
    Language,
    License,
    Nation,
    NationLanguage,
    Organization,
    ReferenceDataRelease,
    StorageGrant,
)
from inventory.reference_data import (
    ReferenceData,
    build_reference_data,
    detector_label_sets,
    language_record,
)


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
    existing = {tuple(getattr(obj, f) for f in key): obj for obj in model._default_manager.all()}
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
    model._default_manager.bulk_create(to_create, batch_size=1000)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(fields), batch_size=1000)
    stale = [obj.pk for k, obj in existing.items() if k not in rows] if delete_stale else []
    if stale:
        model._default_manager.filter(pk__in=stale).delete()
    return SyncCount(
        created=len(to_create),
        updated=len(to_update),
        deleted=len(stale),
        total=model._default_manager.count(),
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


# --- organisations and assets ------------------------------------------------------------------


# --- storage grants ----------------------------------------------------------------------------


class StorageRefusal(ValueError):
    """A location its organisation may not register: outside its storage grants, or overlapping
    another organisation's live asset. The message says nothing of what lies outside the grants."""


@transaction.atomic
def grant_storage(
    *,
    organization: Organization,
    kind: str,
    root: str = "",
    prefix: str = "",
    granted_by: Any = None,
    note: str = "",
) -> StorageGrant:
    """Grant `organization` a part of the storage (idempotent: an existing grant is returned).
    Raises ValidationError for an unknown root or a prefix that cannot be normalised."""
    grant = StorageGrant(
        organization=organization,
        kind=kind,
        root=root,
        prefix=prefix,
        granted_by=granted_by,
        note=note,
    )
    grant.clean()
    existing = StorageGrant.objects.filter(
        organization=organization, kind=grant.kind, root=grant.root, prefix=grant.prefix
    ).first()
    if existing is not None:
        return existing
    grant.full_clean()
    grant.save()
    return grant


def storage_scope(organization: Organization) -> Scope:
    """Where `organization`'s locations may lead once resolved: its storage grants."""
    places = StorageGrant.objects.filter(organization=organization).places()
    return Scope(grants.allows(places), f"the storage grants of {organization.slug!r}")


def _place(location: str) -> grants.Place:
    try:
        return grants.place_of(location)
    except grants.GrantError as exc:
        raise StorageRefusal(str(exc)) from exc


def _foreign_places(organization: Organization, place: grants.Place) -> list[grants.Place]:
    """The places of other organisations' live assets of the same kind (and root)."""
    others = Asset.objects.active().exclude(organization=organization)
    if place.kind == grants.ROOT:
        others = others.filter(location__startswith=f"{place.root}:")
    elif place.kind == grants.S3:
        others = others.filter(location__istartswith="s3://")
    else:
        others = others.filter(
            models.Q(location__istartswith="https://") | models.Q(location__istartswith="http://")
        )
    places = []
    for location in others.values_list("location", flat=True):
        try:
            places.append(grants.place_of(location))
        except grants.GrantError:
            continue  # a location no read accepts either
    return places


def same_location_assets(asset: Asset) -> list[Asset]:
    """Other live assets of the asset's organisation whose location overlaps its own: the same
    corpus registered twice, or one inside another (other organisations' are refused)."""
    try:
        place = grants.place_of(asset.location)
    except grants.GrantError:
        return []
    found = []
    others = Asset.objects.active().filter(organization_id=asset.organization_id)
    for other in others.exclude(pk=asset.pk).order_by("pk").only("pk", "title", "location"):
        try:
            if grants.overlaps(place, grants.place_of(other.location)):
                found.append(other)
        except grants.GrantError:
            continue
    return found


def _check_granted(organization: Organization, location: str) -> grants.Place:
    """The location's place, refused unless a storage grant of `organization` covers it."""
    place = _place(location)
    granted = StorageGrant.objects.filter(organization=organization).places()
    if not any(grants.covers(grant, place) for grant in granted):
        raise StorageRefusal(
            f"{location.strip()!r} is not under a storage grant of {organization.slug!r}"
        )
    return place


def check_storage(
    *, organization: Organization, location: str, shards: list[Shard] | None = None
) -> None:
    """Refuse `location` for `organization` unless a storage grant of it covers the location
    (a glob by its literal directory) and it overlaps no live asset of another organisation;
    `shards`, the files it resolved to, are checked for overlap too. Reads only, no I/O."""
    place = _check_granted(organization, location)
    _check_overlap(organization, location, place, shards or [])


def _check_overlap(
    organization: Organization, location: str, place: grants.Place, shards: list[Shard]
) -> None:
    """Refuse a location (or a file it resolved to) overlapping another organisation's live
    asset (one scan of their locations)."""
    foreign = grants.PlaceIndex(_foreign_places(organization, place))
    resolved = [_place(shard.location) for shard in shards]
    if foreign.overlaps(place) or any(foreign.overlaps(p) for p in resolved):
        raise StorageRefusal(
            f"{location.strip()!r} overlaps a live asset of another organisation: "
            "storage is not shared"
        )


def checked_shards(
    *, organization: Organization, location: str, policy: LocationPolicy | None = None
) -> list[Shard]:
    """Check a location `organization` registers and list its files, in an order that says
    nothing of what lies outside its grants: the grant (no I/O), then the files, each checked
    against the grants once resolved, then the overlap of the location and its files with other
    organisations' live assets (one scan of their locations). Raises StorageRefusal or
    `inventory.locations.LocationError`."""
    place = _check_granted(organization, location)
    shards = list_shards(location, policy or policy_from_settings(), storage_scope(organization))
    _check_overlap(organization, location, place, shards)
    return shards


@dataclass(frozen=True)
class StorageReport:
    """What an operator decides on: grants two organisations share, live assets of different
    organisations that overlap (registered before grants), live assets outside their grants."""

    shared_grants: list[str]
    overlapping_assets: list[str]
    ungranted_assets: list[str]

    @property
    def clean(self) -> bool:
        return not (self.shared_grants or self.overlapping_assets or self.ungranted_assets)


def storage_report() -> StorageReport:
    """The storage conflicts as they stand (reads only)."""
    held: dict[int, list[grants.Place]] = {}
    granted: list[tuple[str, grants.Place]] = []
    ordered = ("organization__slug", "kind", "root", "prefix")
    for grant in StorageGrant.objects.select_related("organization").order_by(*ordered):
        held.setdefault(grant.organization_id, []).append(grant.place)
        granted.append((grant.organization.slug, grant.place))
    shared = [
        f"{granted[i][1]} ({granted[i][0]}) overlaps {granted[j][1]} ({granted[j][0]})"
        for i, j in grants.overlapping_pairs(granted)
    ]
    placed: list[tuple[str, grants.Place]] = []
    names: list[str] = []
    ungranted = []
    live = (
        Asset.objects.active().select_related("organization").order_by("organization__slug", "slug")
    )
    for asset in live:
        name = f"{asset.organization.slug}/{asset.slug} ({asset.location})"
        try:
            place = grants.place_of(asset.location)
        except grants.GrantError as exc:
            ungranted.append(f"{name}: {exc}")
            continue
        if not any(grants.covers(g, place) for g in held.get(asset.organization_id, [])):
            ungranted.append(f"{name}: not under a storage grant of its organisation")
        placed.append((asset.organization.slug, place))
        names.append(name)
    overlapping = [f"{names[i]} overlaps {names[j]}" for i, j in grants.overlapping_pairs(placed)]
    return StorageReport(shared, overlapping, ungranted)


def _lock_storage(organization: Organization, location: str) -> None:
    """Serialise registrations that could overlap: lock every organisation holding a grant that
    overlaps `location` (in id order), so two of them cannot both pass the overlap check."""
    place = _place(location)
    holders = {organization.pk}
    for grant in StorageGrant.objects.filter(kind=place.kind, root=place.root):
        if grants.overlaps(grant.place, place):
            holders.add(grant.organization_id)
    list(Organization.objects.select_for_update().filter(pk__in=holders).order_by("pk"))


def _guard_location(organization: Organization, location: str) -> None:
    _lock_storage(organization, location)
    check_storage(organization=organization, location=location)


def ensure_languages(tags: list[str]) -> list[Language]:
    """The Language rows of canonical `tags`, creating rows for valid tags CLDR does not list."""
    existing = {lang.tag: lang for lang in Language.objects.filter(tag__in=tags)}
    for tag in tags:
        if tag not in existing:
            record = asdict(language_record(tag, detector_label_sets()))
            record["detectors"] = list(record["detectors"])
            existing[tag], _ = Language.objects.get_or_create(tag=tag, defaults=record)
    return [existing[tag] for tag in tags]


def _unique_slug(organization: Organization, title: str, exclude: int | None = None) -> str:
    base = slugify(title)[:100] or "asset"
    taken = set(
        Asset.objects.filter(organization=organization, slug__startswith=base)
        .exclude(pk=exclude or 0)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _apply(asset: Asset, data: dict[str, Any]) -> dict[str, Any]:
    """Set plain fields from validated `data`; return the many-to-many values to set after save."""
    relations = {}
    for name, value in data.items():
        if name == "languages":
            relations[name] = ensure_languages([str(tag) for tag in value])
        elif name in {"origin_nations", "licenses"}:
            relations[name] = value
        else:
            setattr(asset, name, value)
    return relations


def _save_with_history(
    asset: Asset, relations: dict[str, Any], *, actor: Any, change: str, **save: Any
) -> None:
    """Save `asset` and its many-to-many fields, recording exactly one historical entry."""
    asset.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        asset.save(**save)
        for name, value in relations.items():
            getattr(asset, name).set(value)
    finally:
        del asset.skip_history_when_saving  # type: ignore[attr-defined]
    asset._history_user = actor  # type: ignore[attr-defined]
    ASSET_HISTORY.create_historical_record(asset, change)


@transaction.atomic
def register_asset(
    *, organization: Organization, data: dict[str, Any], registered_by: Any
) -> Asset:
    """Register a corpus as an asset of `organization`; `data` is validated asset data. Its
    location is checked against the storage grants again (StorageRefusal) before any write."""
    if "location" in data:
        _guard_location(organization, data["location"])
    asset = Asset(organization=organization, registered_by=registered_by)
    relations = _apply(asset, data)
    asset.slug = _unique_slug(organization, asset.title)
    _save_with_history(asset, relations, actor=registered_by, change="+")
    return asset


@transaction.atomic
def update_asset(*, asset: Asset, data: dict[str, Any], actor: Any) -> Asset:
    """Change an asset's declared facts; a retired asset cannot change; a new location is checked
    against the storage grants again (StorageRefusal) before any write."""
    if asset.status == Asset.Status.RETIRED:
        raise AssetStateError("a retired asset cannot be changed")
    if "location" in data and data["location"] != asset.location:
        _guard_location(asset.organization, data["location"])
    relations = _apply(asset, data)
    _save_with_history(asset, relations, actor=actor, change="~")
    return asset


@transaction.atomic
def retire_asset(*, asset: Asset, actor: Any) -> Asset:
    """Retire an asset: it stays on record, is no longer profiled or selected."""
    if asset.status != Asset.Status.RETIRED:
        asset.status = Asset.Status.RETIRED
        _save_with_history(
            asset, {}, actor=actor, change="~", update_fields=["status", "updated_at"]
        )
    return asset


@transaction.atomic
def transfer_asset(*, asset: Asset, to: Organization, actor: Any) -> Asset:
    """Move an asset to another organisation (a merger, a hand-over)."""
    if asset.organization_id != to.pk:
        asset.organization = to
        asset.slug = _unique_slug(to, asset.title, exclude=asset.pk)
        _save_with_history(
            asset, {}, actor=actor, change="~", update_fields=["organization", "slug", "updated_at"]
        )
    return asset


class AssetStateError(ValueError):
    """A change the asset's status does not allow."""
