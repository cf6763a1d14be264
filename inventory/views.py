"""HTTP doors of the inventory: declarations plus one call each."""

from collections.abc import Sequence
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model, Prefetch, Q, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings

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


class AssetCursorPagination(CursorPagination):
    """Cursor paging of the asset list on its whole ordering, newest first. A cursor holds every
    ordering field of the item it follows (created_at and id), so a page at any depth is one
    index range (`asset_newest`): nothing is counted, skipped or offset, ties included."""

    ordering: tuple[str, ...] = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 500
    separator = "|"

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        # DRF's own but for the filter, which compares every ordering field: positions are
        # unique, so the links DRF builds from them never carry an offset.
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        # A cursor's position is the string of _get_position_from_instance (the stubs say int).
        offset, reverse, position = cast(
            tuple[int, bool, str | None], self.cursor or (0, False, None)
        )
        ordering = [field.lstrip("-") for field in self.ordering]
        descending = self.ordering[0].startswith("-")
        assert all(field.startswith("-") == descending for field in self.ordering)
        backwards = descending != reverse
        queryset = queryset.order_by(*(f"-{field}" if backwards else field for field in ordering))
        if position is not None:
            values = self._position_values(queryset.model, ordering, position)
            queryset = queryset.filter(_beyond(ordering, values, "lt" if backwards else "gt"))
        results = list(queryset[offset : offset + self.page_size + 1])
        self.page = results[: self.page_size]
        following = (
            self._get_position_from_instance(results[-1], self.ordering)
            if len(results) > self.page_size
            else None
        )
        if reverse:
            self.page.reverse()
            self.has_next = position is not None or offset > 0
            self.has_previous = following is not None
            self.next_position, self.previous_position = position, following
        else:
            self.has_next = following is not None
            self.has_previous = position is not None or offset > 0
            self.next_position, self.previous_position = following, position
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def _get_position_from_instance(self, instance: Any, ordering: Sequence[str]) -> str:
        fields = (_field(type(instance), name.lstrip("-")) for name in ordering)
        return self.separator.join(field.value_to_string(instance) for field in fields)

    def _position_values(self, model: type[Model], ordering: list[str], position: str) -> list[Any]:
        texts = position.split(self.separator)
        if len(texts) != len(ordering):
            raise NotFound(self.invalid_cursor_message)
        try:
            return [
                _field(model, name).to_python(text)
                for name, text in zip(ordering, texts, strict=True)
            ]
        except DjangoValidationError as exc:
            raise NotFound(self.invalid_cursor_message) from exc


def _field(model: type[Model], name: str) -> "Field[Any, Any]":
    field = model._meta.get_field(name)
    assert isinstance(field, Field), f"{name} is not a column of {model.__name__}"
    return field


def _beyond(fields: list[str], values: list[Any], op: str) -> Q:
    """The rows past `values` in the order of `fields`: (a, b) < (x, y) written as
    a <= x AND (a < x OR a = x AND b < y), whose first term is an index range on every
    database (a row comparison is not)."""
    beyond = Q(**{f"{fields[-1]}__{op}": values[-1]})
    for field, value in zip(reversed(fields[:-1]), reversed(values[:-1]), strict=True):
        beyond = Q(**{f"{field}__{op}": value}) | (Q(**{field: value}) & beyond)
    return Q(**{f"{fields[0]}__{op}e": values[0]}) & beyond


class AssetViewSet(viewsets.ModelViewSet[Asset]):
    """Corpora registered by organisations. Another organisation's non-public asset is a 404;
    nothing is deleted: an asset is retired."""

    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    token_scope: str | None = None  # actions that manifest-scoped tokens may call set it
    permission_classes = [IsAuthenticated, TokenScope, CanEditAsset]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @property
    def pagination_class(self) -> type[BasePagination] | None:
        """The list pages by cursor; other paged actions (the curation app's profile runs) keep
        the default page numbers, and an action may name its own (`pagination_class=None`)."""
        if "_pagination_class" in self.__dict__:
            return self.__dict__["_pagination_class"]
        if getattr(self, "action", None) == "list":
            return AssetCursorPagination
        return cast(type[BasePagination] | None, api_settings.DEFAULT_PAGINATION_CLASS)

    @pagination_class.setter
    def pagination_class(self, value: type[BasePagination] | None) -> None:
        self.__dict__["_pagination_class"] = value

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
