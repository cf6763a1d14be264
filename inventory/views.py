"""HTTP doors of the inventory: declarations plus one call each."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from inventory import licensing, services
from inventory.asset_serializers import (
    AssetHistorySerializer,
    AssetSerializer,
    TransferSerializer,
    asset_history,
)
from inventory.filters import AssetFilter, LanguageFilter, LicenseFilter, NationFilter
from inventory.models import Asset, Language, License, Nation, NationLanguage
from inventory.permissions import CanEditAsset, TokenScope, can_transfer_asset
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


class AssetViewSet(viewsets.ModelViewSet[Asset]):
    """Corpora registered by organisations. Another organisation's non-public asset is a 404;
    nothing is deleted: an asset is retired."""

    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    token_scope: str | None = None  # actions that manifest-scoped tokens may call set it
    permission_classes = [IsAuthenticated, TokenScope, CanEditAsset]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Asset]:
        return (
            Asset.objects.visible_to(self.request.user)
            .select_related("organization", "hosting_nation", "registered_by")
            .prefetch_related("languages", "origin_nations")
        )

    # What follows a write is not the catalogue's to decide: the curation app's viewset fills
    # these hooks in (`curation.lifecycle`); here they do nothing.
    def state_before_change(self, asset: Asset) -> Any:
        """What the follow-up of a change compares with, taken before it."""
        return None

    def asset_registered(self, asset: Asset) -> None:
        """Called after an asset is registered."""

    def asset_changed(self, asset: Asset, before: Any) -> None:
        """Called after an asset is edited or transferred."""

    def asset_retired(self, asset: Asset) -> None:
        """Called after an asset is retired."""

    def perform_create(self, serializer: BaseSerializer[Asset]) -> None:
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        try:
            asset = services.register_asset(
                organization=organization, data=data, registered_by=self.request.user
            )
        except services.StorageRefusal as exc:  # a concurrent registration got there first
            raise ValidationError({"location": [str(exc)]}) from exc
        serializer.instance = asset
        self.asset_registered(asset)

    def perform_update(self, serializer: BaseSerializer[Asset]) -> None:
        asset = serializer.instance
        assert asset is not None  # an update always has its instance
        data = dict(serializer.validated_data)
        data.pop("organization", None)
        before = self.state_before_change(asset)
        try:
            services.update_asset(asset=asset, data=data, actor=self.request.user)
        except services.AssetStateError as exc:
            raise ValidationError({"status": [str(exc)]}) from exc
        except services.StorageRefusal as exc:
            raise ValidationError({"location": [str(exc)]}) from exc
        self.asset_changed(asset, before)

    @extend_schema(request=None, responses={200: AssetSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        """Retire the asset: kept on record, no longer profiled, selected or counted."""
        asset = services.retire_asset(asset=self.get_object(), actor=request.user)
        self.asset_retired(asset)
        return Response(self.get_serializer(asset).data)

    @extend_schema(request=TransferSerializer, responses={200: AssetSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, TokenScope])
    def transfer(self, request: Request, pk: str | None = None) -> Response:
        """Move the asset to another organisation (staff, or an admin of its organisation)."""
        asset = self.get_object()
        if not can_transfer_asset(request.user, asset):
            raise PermissionDenied(
                "Only staff or an admin of the asset's organisation transfer it."
            )
        body = TransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        before = self.state_before_change(asset)
        asset = services.transfer_asset(
            asset=asset, to=body.validated_data["organization"], actor=request.user
        )
        self.asset_changed(asset, before)
        return Response(self.get_serializer(asset).data)

    @extend_schema(responses={200: AssetHistorySerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every change to the asset: who, when, and which fields from what to what."""
        asset = self.get_object()
        return Response(AssetHistorySerializer(asset_history(asset, request.user), many=True).data)
