"""Query-parameter parsing for the inventory API."""

from django.db.models import Q, QuerySet, Subquery
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

from inventory import langtags
from inventory.models import USE_CLASS_CHOICES, Asset, Language, License, Nation, Organization


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
    organization = filters.CharFilter(method="filter_organization", label="Organisation slug")
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

    def filter_organization(
        self, queryset: QuerySet[Asset], name: str, value: str
    ) -> QuerySet[Asset]:
        # The organisation's id as a scalar subquery, not a join: the page is then a range of
        # the asset_org_newest index.
        return queryset.filter(
            organization_id=Subquery(Organization.objects.filter(slug=value).values("pk"))
        )

    def filter_nation(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        # Subqueries rather than joins: an asset comes out once, without DISTINCT (as in
        # Asset.objects.visible_to). The nation's id is a scalar subquery so that PostgreSQL
        # estimates the share of assets it matches and can walk the ordering's index.
        nation = Subquery(Nation.objects.filter(alpha2=value.strip().upper()).values("pk"))
        origin = Asset.origin_nations.through.objects.filter(nation_id=nation)
        return queryset.filter(
            Q(organization__nation_id=nation) | Q(pk__in=origin.values("asset_id"))
        )

    def filter_language(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        try:
            tag = langtags.canonical(value)
        except langtags.InvalidLanguageTag as exc:
            raise ValidationError({"language": [str(exc)]}) from exc
        language = Subquery(Language.objects.filter(tag=tag).values("pk"))
        declared = Asset.languages.through.objects.filter(language_id=language)
        return queryset.filter(pk__in=declared.values("asset_id"))

    def filter_search(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        value = value.strip()
        return queryset.filter(
            Q(title__icontains=value) | Q(description__icontains=value) | Q(slug__icontains=value)
        )
