"""Who may do what through the API."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from inventory.models import ApiToken, Asset


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
        return Asset.objects.editable_by(request.user).filter(pk=obj.pk).exists()
