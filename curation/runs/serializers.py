"""JSON of profiling runs and profiles."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from curation.models import ProfileRun, ProfileShard
from curation.vocabulary import LANGUAGE_STATUSES
from inventory.permissions import can_read_location
from inventory.redaction import redact, secrets_of


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
    status = serializers.ChoiceField(choices=[s.value for s in LANGUAGE_STATUSES])
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
    estimate = serializers.ChoiceField(
        choices=["census", "sample", ""],
        required=False,
        help_text="census: every labellable document was labelled (no sampling error).",
    )
    detector_range_documents = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        required=False,
        help_text=(
            "The document share allowing for the detectors' own error (their recall and "
            "precision for this language on the calibration set); null when not measured."
        ),
    )


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
    asset: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    # Null when the run was queued by the system or its requester has since been deleted.
    requested_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
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

    def to_representation(self, instance: ProfileRun) -> dict[str, Any]:
        """The run; file names and paths redacted for a reader who may not see the asset's
        location (a command, with no user in the context, is an operator and sees them)."""
        data = super().to_representation(instance)
        user = self.context.get("user") or getattr(self.context.get("request"), "user", None)
        if user is None or can_read_location(user, instance.asset):
            return data
        names = [name for shard in instance.shards.all() for name in (shard.location, shard.name)]
        return dict(redact(data, secrets_of(instance.asset.location, names)))


class HolderSerializer(serializers.Serializer[Any]):
    asset = serializers.IntegerField(allow_null=True, help_text="null: an asset you may not see.")
    title = serializers.CharField(allow_null=True)
    organization = serializers.CharField()
    name = serializers.CharField(allow_null=True, help_text="The file's name in that asset.")


class DuplicateFileSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(allow_null=True, help_text="null: its location is not shown.")
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    also_in = HolderSerializer(many=True)


class NearCopySerializer(serializers.Serializer[Any]):
    holder = HolderSerializer()
    pairs_found = serializers.IntegerField(help_text="Near-duplicate pairs between the samples.")
    share_of_this = serializers.FloatField(
        help_text="Estimated share of this asset's documents with a near-copy in the other."
    )
    share_of_other = serializers.FloatField()


class DuplicatesSerializer(serializers.Serializer[Any]):
    files = DuplicateFileSerializer(many=True, help_text="Files also held by another live asset.")
    duplicate_bytes = serializers.IntegerField()
    same_location = HolderSerializer(
        many=True, help_text="Live assets of the same organisation at an overlapping location."
    )
    checked_files = serializers.IntegerField()
    unchecked_files = serializers.IntegerField(
        help_text="Files without a whole-file checksum (Parquet, or read only in part)."
    )
    near_copies = NearCopySerializer(
        many=True,
        help_text="Assets holding near-copies (Jaccard ≥ 0.8, not exact) of this one's documents, "
        "estimated from both samples; the assets compared share a language and a nation.",
    )
    near_compared = serializers.IntegerField()
    notes = serializers.ListField(child=serializers.CharField())
