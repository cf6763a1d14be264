"""The asset's JSON, shared by the API, the commands and imports: names pipelines rely on."""

from itertools import pairwise
from typing import Any

from django.db.models import Manager
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory import formats, langtags, licensing, permissions, services
from inventory.locations import LocationError, check_form, policy_from_settings
from inventory.models import Asset, License, Nation, Organization
from inventory.redaction import redact, secrets_of


@extend_schema_field({"type": "array", "items": {"type": "string"}, "example": ["sw", "en"]})
class LanguageTagsField(serializers.Field):  # type: ignore[type-arg]
    """A list of language tags in, canonical tags out; each tag checked by inventory.langtags.
    The services create the rows of valid tags the reference data does not list."""

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list) or not data:
            raise serializers.ValidationError("give a non-empty list of language tags")
        tags = []
        for value in data:
            if not isinstance(value, str):
                raise serializers.ValidationError(f"{value!r} is not a language tag")
            try:
                tags.append(langtags.normalize(value).tag)
            except langtags.InvalidLanguageTag as exc:
                raise serializers.ValidationError(str(exc)) from exc
        if any(tag.startswith("und") for tag in tags):
            raise serializers.ValidationError("'und' is not a declared language")
        return list(dict.fromkeys(tags))

    def to_representation(self, value: Manager[Any]) -> list[str]:
        return [language.tag for language in value.all()]


@extend_schema_field({"type": "array", "items": {"type": "string"}, "example": ["KE"]})
class NationCodesField(serializers.Field):  # type: ignore[type-arg]
    """A list of ISO 3166-1 alpha-2 codes."""

    def to_internal_value(self, data: Any) -> list[Nation]:
        if not isinstance(data, list):
            raise serializers.ValidationError("give a list of ISO 3166-1 alpha-2 codes")
        codes = [str(code).strip().upper() for code in data]
        nations = {n.alpha2: n for n in Nation.objects.filter(alpha2__in=codes)}
        unknown = [code for code in codes if code not in nations]
        if unknown:
            raise serializers.ValidationError(f"unknown nation {', '.join(map(repr, unknown))}")
        return [nations[code] for code in dict.fromkeys(codes)]

    def to_representation(self, value: Manager[Nation]) -> list[str]:
        return [nation.alpha2 for nation in value.all()]


class AssetSerializer(serializers.ModelSerializer[Asset]):
    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        required=False,
        help_text="Read-only, except that a steward of several organisations names one on create.",
    )
    languages = LanguageTagsField(help_text="Declared languages (BCP 47 tags).")
    license = serializers.CharField(
        source="license_expression", max_length=500, help_text="Declared SPDX licence expression."
    )
    license_class = serializers.CharField(read_only=True)
    origin_nations = NationCodesField(required=False, help_text="ISO 3166-1 alpha-2 codes.")
    hosting_nation = serializers.SlugRelatedField(
        slug_field="alpha2",
        queryset=Nation.objects.all(),
        required=False,
        allow_null=True,
        help_text="Where the bytes physically are (data residency), ISO 3166-1 alpha-2.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=50, required=False
    )
    registered_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    format = serializers.ChoiceField(choices=Asset.Format.choices, required=False)
    compression = serializers.ChoiceField(
        choices=Asset.Compression.choices, required=False, allow_blank=True
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "organization",
            "location",
            "format",
            "compression",
            "document_unit",
            "text_field",
            "languages",
            "license",
            "license_class",
            "origin_nations",
            "hosting_nation",
            "custodian",
            "access_level",
            "tags",
            "status",
            "registered_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["slug", "status", "created_at", "updated_at"]

    def to_representation(self, instance: Asset) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context.get("user") or getattr(self.context.get("request"), "user", None)
        if not permissions.can_read_location(user, instance):
            data["location"] = None
        return data

    def validate_license(self, value: str) -> str:
        try:
            self._classification = licensing.classify(value)
        except licensing.InvalidLicenseExpression as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return self._classification.normalized

    def validate_location(self, value: str) -> str:
        """The location's form only; where it leads is checked in `validate`, once the owner
        (whose storage grants it must fall under) is known."""
        value = value.strip()
        if self.instance is not None and value == self.instance.location:
            return value
        try:
            check_form(value, policy_from_settings())
        except LocationError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value

    def validate_organization(self, value: Organization) -> Organization:
        if self.instance is not None and value.pk != self.instance.organization_id:
            raise serializers.ValidationError(
                "an asset's organisation is changed by a transfer, not an update"
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def current(name: str, default: Any = "") -> Any:
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, default) if self.instance else default

        if self.instance is None:
            attrs["organization"] = self._owner(attrs.get("organization"))
        owner = attrs["organization"] if self.instance is None else self.instance.organization
        if "location" in attrs and attrs["location"] != getattr(self.instance, "location", None):
            self._check_storage(owner, attrs["location"])
        if self.instance is None:
            self._infer_format(attrs)
        fmt = current("format")
        errors: dict[str, str] = {}
        if not fmt:
            errors["format"] = "cannot be inferred from the location's file names: set it"
        if fmt == Asset.Format.TEXT:
            if current("text_field"):
                errors["text_field"] = "plain text has no text field; set document_unit"
            if not current("document_unit"):
                attrs["document_unit"] = Asset.DocumentUnit.LINE
        elif fmt:
            if current("document_unit"):
                errors["document_unit"] = f"only plain text has a document unit, not {fmt}"
            if not current("text_field"):
                errors["text_field"] = f"required for {fmt}: the field holding the text"
        if errors:
            raise serializers.ValidationError(errors)
        if "license_expression" in attrs:
            classification = self._classification
            attrs["license_class"] = str(classification.use_class)
            attrs["licenses"] = list(License.objects.filter(spdx_id__in=classification.license_ids))
        return attrs

    def _owner(self, requested: Organization | None) -> Organization:
        """The organisation a new asset belongs to: the only one its registrant stewards, or the
        one named among several (staff may name any)."""
        user = self.context.get("user") or self.context["request"].user
        try:
            return permissions.owner_of_new_asset(user, requested)
        except permissions.OwnershipError as exc:
            raise serializers.ValidationError({"organization": str(exc)}) from exc

    def _check_storage(self, owner: Organization, location: str) -> None:
        """The location under `owner`'s storage grants, overlapping no other organisation's live
        asset, and its files (listed for format inference)."""
        try:
            self._shards = services.checked_shards(organization=owner, location=location)
        except (services.StorageRefusal, LocationError) as exc:
            raise serializers.ValidationError({"location": str(exc)}) from exc

    def _infer_format(self, attrs: dict[str, Any]) -> None:
        shards = [s for s in getattr(self, "_shards", []) if s.role == "data"]
        if not shards:
            return
        name = shards[0].name
        fmt, compression = formats.infer_format(name), formats.infer_compression(name)
        if not attrs.get("format") and fmt:
            attrs["format"] = fmt
        if "compression" not in attrs and compression:
            attrs["compression"] = compression


class TransferSerializer(serializers.Serializer[dict[str, Any]]):
    organization = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all()
    )


class FieldChangeSerializer(serializers.Serializer[dict[str, Any]]):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class AssetHistorySerializer(serializers.Serializer[Any]):
    history_id = serializers.IntegerField()
    changed_at = serializers.DateTimeField()
    changed_by = serializers.CharField(allow_null=True)
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    changes = FieldChangeSerializer(many=True)


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
HIDDEN_HISTORY_FIELDS = {"updated_at"}


def _plain(value: Any) -> Any:
    if isinstance(value, list):  # many-to-many: the through rows' ids → readable keys
        return sorted(str(next(iter(v.values()))) if isinstance(v, dict) else str(v) for v in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def history_entry(
    record: Any, previous: Any | None, secrets: tuple[str, ...] = ()
) -> dict[str, Any]:
    """One historical record as who, when and the fields it changed; `secrets` (locations the
    reader may not see) are redacted from the values."""
    changes = []
    if previous is not None:
        delta = record.diff_against(previous)
        for change in delta.changes:
            if change.field in HIDDEN_HISTORY_FIELDS:
                continue
            old, new = _plain(change.old), _plain(change.new)
            changes.append(
                {"field": change.field, "old": redact(old, secrets), "new": redact(new, secrets)}
            )
    user = record.history_user
    return {
        "history_id": record.history_id,
        "changed_at": record.history_date,
        "changed_by": user.get_username() if user else None,
        "change": HISTORY_TYPES.get(record.history_type, record.history_type),
        "changes": changes,
    }


def asset_history(asset: Asset, user: Any = None) -> list[dict[str, Any]]:
    """The asset's changes, newest first; every location it has had is redacted for a `user`
    who may not see its location (None: an operator, who sees everything)."""
    records = list(asset.history.select_related("history_user").order_by("history_date"))
    secrets: tuple[str, ...] = ()
    if user is not None and not permissions.can_read_location(user, asset):
        secrets = secrets_of(asset.location, [record.location for record in records])
    entries = [history_entry(records[0], None, secrets)] if records else []
    entries += [history_entry(r, previous, secrets) for previous, r in pairwise(records)]
    return entries[::-1]
