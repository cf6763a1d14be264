"""Who may read, change and create manifests, and which files a manifest-scoped token reaches:
the one rule of each, used by the views and the serializer."""

from typing import Any

from django.db.models import QuerySet
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from curation.manifests.models import Manifest, ManifestEntry, ManifestVersion
from inventory.models import EDITOR_ROLES, Organization
from inventory.permissions import OwnershipError


def manifests_visible_to(user: Any, queryset: QuerySet[Manifest]) -> QuerySet[Manifest]:
    """Staff read every manifest; everyone else those of their organisations."""
    if not user or not user.is_authenticated:
        return queryset.none()
    if user.is_staff:
        return queryset
    return queryset.filter(organization__memberships__user=user).distinct()


def listed_in_readable_version(user: Any, asset_id: int, name: str) -> bool:
    """Whether the asset's file `name` is an entry of a ready version of a manifest `user` reads:
    all a `manifests`-scoped token may download (on top of seeing the asset and its location)."""
    readable = manifests_visible_to(user, Manifest.objects.all())
    return ManifestEntry.objects.filter(
        asset_id=asset_id,
        name=name,
        version__status=ManifestVersion.Status.READY,
        version__manifest__in=readable,
    ).exists()


def _editable_organizations(user: Any) -> QuerySet[Organization]:
    return Organization.objects.filter(
        memberships__user=user, memberships__role__in=EDITOR_ROLES
    ).distinct()


def can_edit_manifest(user: Any, manifest: Manifest) -> bool:
    """Staff and the stewards and admins of the manifest's organisation change it."""
    if not user or not user.is_authenticated:
        return False
    return bool(user.is_staff) or (
        _editable_organizations(user).filter(pk=manifest.organization_id).exists()
    )


def owner_of_new_manifest(user: Any, requested: Organization | None) -> Organization:
    """The organisation a new manifest belongs to: the one named, which its creator stewards
    (staff may name any), or the only one they steward."""
    editable = _editable_organizations(user)
    if requested is not None:
        if not user.is_staff and not editable.filter(pk=requested.pk).exists():
            raise OwnershipError(f"you are not a steward of {requested.slug!r}")
        return requested
    only = list(editable[:2])
    if len(only) != 1 and not user.is_staff:
        raise OwnershipError("name the organisation that owns the manifest")
    if not only:
        raise OwnershipError("required")
    return only[0]


class CanEditManifest(BasePermission):
    message = "Only stewards of the manifest's organisation change it."

    def has_object_permission(self, request: Request, view: Any, obj: Manifest) -> bool:
        return request.method in SAFE_METHODS or can_edit_manifest(request.user, obj)
