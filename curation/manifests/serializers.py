"""JSON of manifests, their versions and diffs."""

from typing import Any

from rest_framework import serializers

from curation.manifests.permissions import owner_of_new_manifest
from curation.manifests.services import CriteriaError, clean_criteria
from curation.models import Manifest, ManifestVersion
from inventory.models import Organization
from inventory.permissions import OwnershipError


class ManifestVersionSerializer(serializers.ModelSerializer[ManifestVersion]):
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = ManifestVersion
        fields = [
            "number",
            "status",
            "created_by",
            "created_at",
            "criteria",
            "entry_count",
            "total_bytes",
            "total_tokens",
            "distinct_tokens",
            "distinct_tokens_low",
            "distinct_tokens_high",
            "content_hash",
            "error",
        ]
        read_only_fields = fields


class ManifestSerializer(serializers.ModelSerializer[Manifest]):
    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        required=False,
        help_text="Set on create: one of the organisations you steward.",
    )
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    criteria = serializers.JSONField(
        required=False,
        help_text="languages, origin_nations, hosting_nations, purpose (commercial|research), "
        "license_classes, access_levels, max_duplicate_rate, exclude_unverifiable, exclude_mixed",
    )
    latest_version = serializers.SerializerMethodField()

    class Meta:
        model = Manifest
        fields = [
            "slug",
            "title",
            "description",
            "organization",
            "criteria",
            "created_by",
            "created_at",
            "updated_at",
            "latest_version",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_latest_version(self, manifest: Manifest) -> int | None:
        numbers = [v.number for v in manifest.versions.all() if v.status == "ready"]
        return max(numbers, default=None)

    def validate_criteria(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise serializers.ValidationError("give an object of criteria")
        try:
            return clean_criteria(value)
        except CriteriaError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_organization(self, value: Organization) -> Organization:
        if self.instance is not None and value.pk != self.instance.organization_id:
            raise serializers.ValidationError("a manifest's organisation does not change")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            user = self.context["request"].user
            try:
                attrs["organization"] = owner_of_new_manifest(user, attrs.get("organization"))
            except OwnershipError as exc:
                raise serializers.ValidationError({"organization": str(exc)}) from exc
        return attrs


class EntryDiffSerializer(serializers.Serializer[dict[str, Any]]):
    added = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())
    changed = serializers.ListField(child=serializers.DictField())
