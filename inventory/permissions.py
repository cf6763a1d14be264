"""Who may do what: one rule per object type, used by every view, page and service that asks."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from inventory.models import EDITOR_ROLES, ApiToken, Asset, Membership, Organization


class OwnershipError(ValueError):
    """The user may not register an asset for the organisation asked (or none was named)."""


def memberships_of(user: Any) -> list[Membership]:
    """The user's memberships with their organisations, read once per user object."""
    cached: list[Membership] | None = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organization"))
        user._membership_cache = cached
    return cached


def can_read_location(user: Any, asset: Asset) -> bool:
    """A confidential asset's location is shown to staff and members of its organisation only;
    other locations to whoever sees the asset."""
    if asset.access_level != Asset.AccessLevel.CONFIDENTIAL:
        return True
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return any(m.organization_id == asset.organization_id for m in memberships_of(user))


def owner_of_new_asset(user: Any, requested: Organization | None) -> Organization:
    """The organisation a new asset belongs to: the only one its registrant stewards, or the
    one named among several (staff may name any)."""
    if user.is_staff and requested is not None:
        return requested
    editable = [m.organization for m in memberships_of(user) if m.role in EDITOR_ROLES]
    if requested is not None:
        if requested not in editable:
            raise OwnershipError(f"you are not a steward of {requested.slug!r}")
        return requested
    if len(editable) == 1:
        return editable[0]
    if not editable:
        raise OwnershipError("you steward no organisation: assets belong to one")
    names = ", ".join(sorted(o.slug for o in editable))
    raise OwnershipError(f"you steward several organisations ({names}): name one")


def can_edit_asset(user: Any, asset: Asset) -> bool:
    """Stewards and admins of the asset's organisation, and staff, change an asset, start and
    cancel its profiling runs."""
    return Asset.objects.editable_by(user).filter(pk=asset.pk).exists()


def can_transfer_asset(user: Any, asset: Asset) -> bool:
    """Staff, or an admin of the asset's organisation, move it to another organisation."""
    if not user or not user.is_authenticated:
        return False
    return (
        bool(user.is_staff)
        or Membership.objects.filter(
            user=user, organization_id=asset.organization_id, role=Membership.Role.ADMIN
        ).exists()
    )


class TokenScope(BasePermission):
    """A pipeline token reads only: `read` tokens what their user may read, `manifests` tokens
    only the views that declare `token_scope = "manifests"`."""

    message = "This API token's scope does not allow this request."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        if request.method not in SAFE_METHODS:
            return False
        if token.scope == ApiToken.Scope.MANIFESTS:
            return getattr(view, "token_scope", None) == "manifests"
        return True


class CanEditAsset(BasePermission):
    """Writes to an asset need a steward or admin of its organisation, or staff."""

    message = "Only stewards of the asset's organisation may change it."

    def has_object_permission(self, request: Request, view: Any, obj: Asset) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return can_edit_asset(request.user, obj)
