"""HTTP doors of the inventory: declarations plus one call each."""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from inventory import licensing
from inventory.filters import LanguageFilter, LicenseFilter, NationFilter
from inventory.models import Language, License, Nation, NationLanguage
from inventory.serializers import (
    ClassificationSerializer,
    ClassifyQuerySerializer,
    LanguageSerializer,
    LicenseSerializer,
    NationDetailSerializer,
    NationSerializer,
)


class NationViewSet(viewsets.ReadOnlyModelViewSet[Nation]):
    """ISO 3166-1 nations with their languages, speakers and writers (CLDR)."""

    lookup_field = "alpha2"
    lookup_value_regex = "[A-Za-z]{2}"
    filterset_class = NationFilter

    def get_queryset(self) -> QuerySet[Nation]:
        queryset = Nation.objects.all()
        if self.action == "retrieve":
            links = NationLanguage.objects.select_related("language")
            queryset = queryset.prefetch_related(Prefetch("languages", queryset=links))
        return queryset

    def get_object(self) -> Nation:
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()

    def get_serializer_class(self) -> type[BaseSerializer[Nation]]:
        return NationDetailSerializer if self.action == "retrieve" else NationSerializer


class LanguageViewSet(viewsets.ReadOnlyModelViewSet[Language]):
    """Languages under their canonical BCP 47 tags."""

    queryset = Language.objects.all()
    serializer_class = LanguageSerializer
    filterset_class = LanguageFilter
    lookup_field = "tag"
    lookup_value_regex = "[A-Za-z0-9-]+"


class LicenseViewSet(viewsets.ReadOnlyModelViewSet[License]):
    """SPDX licences classified for AI training."""

    queryset = License.objects.all()
    serializer_class = LicenseSerializer
    filterset_class = LicenseFilter
    lookup_field = "spdx_id"
    lookup_value_regex = "[A-Za-z0-9.+-]+"

    @extend_schema(
        parameters=[ClassifyQuerySerializer],
        responses={
            200: ClassificationSerializer,
            400: OpenApiResponse(description="The expression is not a valid SPDX expression."),
        },
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def classify(self, request: Request) -> Response:
        """Classify an SPDX licence expression: OR takes the most permissive branch, AND the most
        restrictive."""
        query = ClassifyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            result = licensing.classify(query.validated_data["expression"])
        except licensing.InvalidLicenseExpression as exc:
            raise ValidationError({"expression": [str(exc)]}) from exc
        return Response(ClassificationSerializer(result.as_dict()).data)
