"""What the asset commands share: the acting user, validation errors as text, JSON output."""

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from inventory.asset_serializers import AssetSerializer
from inventory.models import Asset


def acting_user(username: str) -> Any:
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"--user: no user named {username!r}") from exc


def error_text(errors: Any, prefix: str = "") -> list[str]:
    """Flatten DRF's nested error structure into `field: reason` lines."""
    if isinstance(errors, dict):
        return [line for k, v in errors.items() for line in error_text(v, f"{prefix}{k}.")]
    if isinstance(errors, list):
        return [line for item in errors for line in error_text(item, prefix)]
    field = prefix.rstrip(".") or "non_field_errors"
    return [f"{field}: {errors}"]


def as_json(asset: Asset, user: Any) -> str:
    return json.dumps(AssetSerializer(asset, context={"user": user}).data, indent=2, default=str)
