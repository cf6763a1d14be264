"""JSON of coverage reports, summaries, history and policies."""

from typing import Any

from rest_framework import serializers

from curation.coverage.gaps import TIERS
from curation.vocabulary import PURPOSES, SEVERITIES, Purpose

_SEVERITIES = [s.value for s in SEVERITIES]


class CoverageQuerySerializer(serializers.Serializer[dict[str, str]]):
    purpose = serializers.ChoiceField(
        choices=[p.value for p in PURPOSES],
        default=Purpose.ALL.value,
        help_text="Whose licences count: all, commercial (open licences) or research.",
    )


class PolicySerializer(serializers.Serializer[dict[str, Any]]):
    targets = serializers.DictField(child=serializers.IntegerField(min_value=1))
    t2_good = serializers.IntegerField(min_value=1)
    target_tier = serializers.ChoiceField(choices=list(TIERS), default="T2")


class OverlapAssetSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField(allow_null=True, help_text="null: an asset you may not see.")
    title = serializers.CharField(allow_null=True)
    organization = serializers.CharField()


class OverlapSerializer(serializers.Serializer[dict[str, Any]]):
    assets = OverlapAssetSerializer(many=True)
    organizations = serializers.ListField(child=serializers.CharField())
    shared_tokens = serializers.IntegerField(help_text="Estimated tokens both hold.")


class CoverageLanguageSerializer(serializers.Serializer[dict[str, Any]]):
    language = serializers.CharField()
    name = serializers.CharField()
    speakers = serializers.IntegerField()
    writers = serializers.IntegerField()
    official_status = serializers.CharField()
    available_tokens = serializers.IntegerField(
        help_text="Estimated distinct tokens: each text counted once across assets."
    )
    available_ci95 = serializers.ListField(
        child=serializers.IntegerField(), help_text="95% interval of the distinct total."
    )
    registered_tokens = serializers.IntegerField(
        help_text="The assets' tokens added up (duplicates inside each asset removed)."
    )
    overlaps = OverlapSerializer(many=True, help_text="The largest pairs of assets sharing text.")
    domestic_tokens = serializers.IntegerField()
    domestic_hosted_tokens = serializers.IntegerField()
    commercial_tokens = serializers.IntegerField()
    research_tokens = serializers.IntegerField()
    tier = serializers.CharField()
    next_tier = serializers.CharField(allow_null=True)
    gap_tokens = serializers.IntegerField()
    severity = serializers.ChoiceField(choices=_SEVERITIES)
    flags = serializers.ListField(child=serializers.CharField())


class CoverageReportSerializer(serializers.Serializer[dict[str, Any]]):
    nation = serializers.DictField()
    generated_at = serializers.DateTimeField()
    purpose = serializers.CharField()
    policy = PolicySerializer()
    indicators = serializers.DictField()
    languages = CoverageLanguageSerializer(many=True)


class CoverageSummarySerializer(serializers.Serializer[Any]):
    nation = serializers.CharField()
    name = serializers.CharField()
    generated_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=[*_SEVERITIES, "none"])
    indicators = serializers.DictField(allow_null=True)


class CoverageHistorySerializer(serializers.Serializer[Any]):
    generated_at = serializers.DateTimeField()
    indicators = serializers.DictField()
    tiers = serializers.DictField(child=serializers.CharField())
