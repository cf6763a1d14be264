"""API representations of profiling runs and profiles."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from curation.manifest_service import CriteriaError, clean_criteria
from curation.models import Manifest, ManifestVersion, ProfileRun, ProfileShard
from inventory.models import Organization


class ProfileRequestSerializer(serializers.Serializer[dict[str, Any]]):
    sample_size = serializers.IntegerField(min_value=100, max_value=1_000_000, required=False)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False, default=0)


class ShardCountsSerializer(serializers.Serializer[dict[str, int]]):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    queued = serializers.IntegerField()
    running = serializers.IntegerField()


class LanguageShareSerializer(serializers.Serializer[dict[str, Any]]):
    language = serializers.CharField()
    status = serializers.ChoiceField(choices=["detected", "unverifiable", "undetermined", "group"])
    documents = serializers.IntegerField()
    characters = serializers.IntegerField()
    share_documents = serializers.FloatField()
    share_characters = serializers.FloatField()
    ci95_documents = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    ci95_characters = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    estimated_tokens = serializers.IntegerField()
    token_factor = serializers.FloatField()
    members = serializers.ListField(child=serializers.CharField())
    caveat = serializers.CharField(allow_blank=True, allow_null=True)


class ProfileSerializer(serializers.Serializer[dict[str, Any]]):
    totals = serializers.DictField(child=serializers.JSONField())
    languages = LanguageShareSerializer(many=True)
    scripts = serializers.DictField(child=serializers.FloatField())
    license = serializers.DictField(child=serializers.JSONField())
    quality = serializers.DictField(child=serializers.FloatField())
    flags = serializers.ListField(child=serializers.CharField())
    detectors = serializers.ListField(child=serializers.DictField())
    sampling = serializers.DictField(child=serializers.JSONField())
    complete = serializers.BooleanField()
    failed_shards = serializers.ListField(child=serializers.DictField())


def profile_document(result: dict[str, Any]) -> dict[str, Any]:
    """The stored merged profile in the API's names."""
    document = {k: v for k, v in result.items() if k != "licence"}
    document["license"] = result.get("licence", {})
    return document


class ProfileRunSerializer(serializers.ModelSerializer[ProfileRun]):
    asset = serializers.PrimaryKeyRelatedField(read_only=True)
    # Null when the run was queued by the system or its requester has since been deleted.
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    progress = serializers.IntegerField(read_only=True, help_text="0 to 100")
    shards = serializers.SerializerMethodField()
    sample_size = serializers.SerializerMethodField()
    seed = serializers.SerializerMethodField()
    duration_seconds = serializers.SerializerMethodField()
    profile = serializers.SerializerMethodField()

    class Meta:
        model = ProfileRun
        fields = [
            "id",
            "asset",
            "status",
            "progress",
            "shards",
            "requested_by",
            "sample_size",
            "seed",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
            "error_code",
            "error_message",
            "profile",
        ]

    @extend_schema_field(ShardCountsSerializer)
    def get_shards(self, run: ProfileRun) -> dict[str, int]:
        counts = {status: 0 for status in ProfileShard.Status.values}
        for shard in run.shards.all():
            counts[shard.status] += 1
        return {
            "total": run.shards_total,
            "done": counts["done"],
            "failed": counts["failed"],
            "queued": counts["queued"],
            "running": counts["running"],
        }

    def get_sample_size(self, run: ProfileRun) -> int:
        return int(run.options.get("sample_size", 0))

    def get_seed(self, run: ProfileRun) -> int:
        return int(run.options.get("seed", 0))

    def get_duration_seconds(self, run: ProfileRun) -> float | None:
        if run.started_at and run.finished_at:
            return round((run.finished_at - run.started_at).total_seconds(), 3)
        return None

    @extend_schema_field(ProfileSerializer(allow_null=True))
    def get_profile(self, run: ProfileRun) -> dict[str, Any] | None:
        if run.status != ProfileRun.Status.SUCCEEDED or run.result is None:
            return None
        return profile_document(run.result)


class CoverageQuerySerializer(serializers.Serializer[dict[str, str]]):
    purpose = serializers.ChoiceField(
        choices=["all", "commercial", "research"],
        default="all",
        help_text="Whose licences count: all, commercial (open licences) or research.",
    )


class PolicySerializer(serializers.Serializer[dict[str, Any]]):
    targets = serializers.DictField(child=serializers.IntegerField(min_value=1))
    t2_good = serializers.IntegerField(min_value=1)
    target_tier = serializers.ChoiceField(choices=["T0", "T1", "T2", "T3", "T4"], default="T2")


class CoverageLanguageSerializer(serializers.Serializer[dict[str, Any]]):
    language = serializers.CharField()
    name = serializers.CharField()
    speakers = serializers.IntegerField()
    writers = serializers.IntegerField()
    official_status = serializers.CharField()
    available_tokens = serializers.IntegerField()
    domestic_tokens = serializers.IntegerField()
    domestic_hosted_tokens = serializers.IntegerField()
    commercial_tokens = serializers.IntegerField()
    research_tokens = serializers.IntegerField()
    tier = serializers.CharField()
    next_tier = serializers.CharField(allow_null=True)
    gap_tokens = serializers.IntegerField()
    severity = serializers.ChoiceField(choices=["critical", "major", "minor", "ok"])
    flags = serializers.ListField(child=serializers.CharField())


class CoverageReportSerializer(serializers.Serializer[dict[str, Any]]):
    nation = serializers.DictField()
    generated_at = serializers.DateTimeField()
    purpose = serializers.CharField()
    policy = PolicySerializer()
    indicators = serializers.DictField()
    languages = CoverageLanguageSerializer(many=True)


class CoverageSummarySerializer(serializers.Serializer[dict[str, Any]]):
    nation = serializers.CharField()
    name = serializers.CharField()
    generated_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=["critical", "major", "minor", "ok", "none"])
    indicators = serializers.DictField(allow_null=True)


class CoverageHistorySerializer(serializers.Serializer[dict[str, Any]]):
    generated_at = serializers.DateTimeField()
    indicators = serializers.DictField()
    tiers = serializers.DictField(child=serializers.CharField())


class ManifestVersionSerializer(serializers.ModelSerializer[ManifestVersion]):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

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
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
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
            editable = Organization.objects.filter(
                memberships__user=user, memberships__role__in=["steward", "admin"]
            )
            requested = attrs.get("organization")
            if requested is None:
                only = list(editable[:2])
                if len(only) != 1 and not user.is_staff:
                    raise serializers.ValidationError(
                        {"organization": "name the organisation that owns the manifest"}
                    )
                if not only:
                    raise serializers.ValidationError({"organization": "required"})
                attrs["organization"] = only[0]
            elif not user.is_staff and not editable.filter(pk=requested.pk).exists():
                raise serializers.ValidationError(
                    {"organization": f"you are not a steward of {requested.slug!r}"}
                )
        return attrs


class EntryDiffSerializer(serializers.Serializer[dict[str, Any]]):
    added = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())
    changed = serializers.ListField(child=serializers.DictField())
