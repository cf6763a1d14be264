"""API representations of the inventory."""

from rest_framework import serializers

from inventory.models import USE_CLASS_CHOICES, Language, License, Nation, NationLanguage


class NationSerializer(serializers.ModelSerializer[Nation]):
    class Meta:
        model = Nation
        fields = ["alpha2", "alpha3", "name", "official_name", "population", "literacy_percent"]


class NationLanguageSerializer(serializers.ModelSerializer[NationLanguage]):
    language = serializers.CharField(source="language.tag")
    name = serializers.CharField(source="language.name")

    class Meta:
        model = NationLanguage
        fields = [
            "language",
            "name",
            "population_share",
            "speakers",
            "writers",
            "official_status",
            "source",
            "source_note",
        ]

    population_share = serializers.FloatField(
        source="population_percent",
        help_text="Percent of the population (shares overlap: never add them up).",
    )


class NationDetailSerializer(NationSerializer):
    languages = NationLanguageSerializer(many=True, read_only=True)

    class Meta(NationSerializer.Meta):
        fields = [*NationSerializer.Meta.fields, "languages"]


class LanguageSerializer(serializers.ModelSerializer[Language]):
    detectable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Language
        fields = [
            "tag",
            "name",
            "iso639_3",
            "scope",
            "macrolanguage",
            "default_script",
            "detectors",
            "detectable",
        ]


class LicenseSerializer(serializers.ModelSerializer[License]):
    class Meta:
        model = License
        fields = [
            "spdx_id",
            "name",
            "use_class",
            "commercial_training",
            "attribution",
            "share_alike",
            "no_derivatives",
            "osi_approved",
            "fsf_libre",
            "deprecated",
            "category",
            "reference_url",
        ]


class ClassifyQuerySerializer(serializers.Serializer[dict[str, str]]):
    expression = serializers.CharField(max_length=2000, help_text="An SPDX licence expression.")


class ClassificationSerializer(serializers.Serializer[dict[str, object]]):
    expression = serializers.CharField()
    normalized = serializers.CharField()
    use_class = serializers.ChoiceField(choices=USE_CLASS_CHOICES)
    commercial_training = serializers.BooleanField()
    attribution = serializers.BooleanField()
    share_alike = serializers.BooleanField()
    no_derivatives = serializers.BooleanField()
