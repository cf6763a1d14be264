"""Query-parameter parsing for the inventory API."""

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

from inventory import langtags
from inventory.models import USE_CLASS_CHOICES, Asset, Language, License, Nation


class NationFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", label="Name or ISO code contains")

    class Meta:
        model = Nation
        fields = ["search"]

    def filter_search(self, queryset: QuerySet[Nation], name: str, value: str) -> QuerySet[Nation]:
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value)
            | Q(official_name__icontains=value)
            | Q(alpha2__iexact=value)
            | Q(alpha3__iexact=value)
        )


class LanguageFilter(filters.FilterSet):
    nation = filters.CharFilter(
        field_name="nations__nation__alpha2",
        lookup_expr="iexact",
        distinct=True,
        label="Spoken in the nation (ISO 3166-1 alpha-2)",
    )
    script = filters.CharFilter(
        field_name="default_script", lookup_expr="iexact", label="ISO 15924 script"
    )
    detectable = filters.BooleanFilter(
        method="filter_detectable", label="Named by at least one language detector"
    )

    class Meta:
        model = Language
        fields = ["nation", "script", "detectable"]

    def filter_detectable(
        self, queryset: QuerySet[Language], name: str, value: bool
    ) -> QuerySet[Language]:
        return queryset.exclude(detectors=[]) if value else queryset.filter(detectors=[])


class LicenseFilter(filters.FilterSet):
    use_class = filters.ChoiceFilter(choices=USE_CLASS_CHOICES)

    class Meta:
        model = License
        fields = ["use_class", "commercial_training", "osi_approved"]


class AssetFilter(filters.FilterSet):
    organization = filters.CharFilter(field_name="organization__slug", label="Organisation slug")
    nation = filters.CharFilter(
        method="filter_nation", label="Owner's nation or an origin nation (alpha-2)"
    )
    language = filters.CharFilter(method="filter_language", label="Declared language (BCP 47)")
    license_class = filters.ChoiceFilter(choices=USE_CLASS_CHOICES)
    status = filters.ChoiceFilter(choices=Asset.Status.choices)
    access_level = filters.ChoiceFilter(choices=Asset.AccessLevel.choices)
    search = filters.CharFilter(method="filter_search", label="Title, description or tag contains")

    class Meta:
        model = Asset
        fields = [
            "organization",
            "nation",
            "language",
            "license_class",
            "status",
            "access_level",
            "search",
        ]

    def filter_nation(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        code = value.strip().upper()
        return queryset.filter(
            Q(organization__nation__alpha2=code) | Q(origin_nations__alpha2=code)
        ).distinct()

    def filter_language(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        try:
            tag = langtags.canonical(value)
        except langtags.InvalidLanguageTag as exc:
            raise ValidationError({"language": [str(exc)]}) from exc
        return queryset.filter(languages__tag=tag).distinct()

    def filter_search(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        value = value.strip()
        return queryset.filter(
            Q(title__icontains=value) | Q(description__icontains=value) | Q(slug__icontains=value)
        )
