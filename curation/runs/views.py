"""HTTP doors of profiling: start and cancel runs, read them, and the asset endpoints that
start them."""

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from curation import lifecycle
from curation.runs import services as runs
from curation.runs.duplicates import duplicates_of
from curation.runs.models import ProfileRun, ProfileRunQuerySet
from curation.runs.serializers import (
    DuplicatesSerializer,
    ProfileRequestSerializer,
    ProfileRunSerializer,
)
from inventory.models import Asset
from inventory.permissions import can_edit_asset
from inventory.views import AssetViewSet


class ProfileThrottle(UserRateThrottle):
    """Profile requests are throttled per user (PROFILE_THROTTLE_RATE)."""

    scope = "profile"


def _runs() -> ProfileRunQuerySet:
    return ProfileRun.objects.select_related("asset", "requested_by").prefetch_related("shards")


class ProfiledAssetViewSet(AssetViewSet):
    """Assets, with the profiling doors: start a run, list an asset's runs."""

    # What follows a registration, an edit, a transfer or a retirement is
    # `curation.lifecycle`'s to decide; the asset API calls these hooks after each write.

    def state_before_change(self, asset: Asset) -> lifecycle.AssetState:
        return lifecycle.state_of(asset)

    def asset_registered(self, asset: Asset) -> None:
        lifecycle.asset_registered(asset=asset, actor=self.request.user)

    def asset_changed(self, asset: Asset, before: lifecycle.AssetState) -> None:
        lifecycle.asset_changed(asset=asset, before=before, actor=self.request.user)

    def asset_retired(self, asset: Asset) -> None:
        lifecycle.asset_retired(asset=asset)

    @extend_schema(
        request=ProfileRequestSerializer,
        responses={
            202: ProfileRunSerializer,
            400: OpenApiResponse(description="The asset cannot be profiled; the reason."),
        },
    )
    @action(detail=True, methods=["post"], throttle_classes=[ProfileThrottle])
    def profile(self, request: Request, pk: str | None = None) -> Response:
        """Start profiling the asset (steward of its organisation or staff); while a run is
        active, that run is returned."""
        asset = self.get_object()
        if not can_edit_asset(request.user, asset):
            raise PermissionDenied("Only stewards of the asset's organisation profile it.")
        body = ProfileRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            run, _ = runs.request_profile(
                asset=asset,
                requested_by=request.user,
                sample_size=body.validated_data.get("sample_size"),
                seed=body.validated_data["seed"],
            )
        except runs.ProfileRequestError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        run = _runs().get(pk=run.pk)
        return Response(
            ProfileRunSerializer(run, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(responses={200: ProfileRunSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="profile-runs", filterset_class=None)
    def profile_runs(self, request: Request, pk: str | None = None) -> Response:
        """The asset's profiling runs, newest first."""
        asset = self.get_object()
        page = self.paginate_queryset(cast(Any, _runs().filter(asset=asset)))
        return self.get_paginated_response(
            ProfileRunSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(responses={200: DuplicatesSerializer})
    @action(detail=True, methods=["get"], filterset_class=None)
    def duplicates(self, request: Request, pk: str | None = None) -> Response:
        """Exact duplicates of the asset elsewhere: its files (sha256 and size) in other live
        assets' current profiles, and same-organisation assets at an overlapping location.
        Another asset is named when you may see it, else only its organisation."""
        asset = self.get_object()
        return Response(DuplicatesSerializer(duplicates_of(asset, request.user)).data)


class ProfileRunViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[ProfileRun]):
    """A profiling run: status, progress, shard counts, timings and, once succeeded, the
    profile. Visible to whoever sees its asset."""

    serializer_class = ProfileRunSerializer

    def get_queryset(self) -> QuerySet[ProfileRun]:
        return _runs().visible_to(self.request.user)

    @extend_schema(request=None, responses={200: ProfileRunSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Cancel the run (steward of the asset's organisation or staff)."""
        run = self.get_object()
        if not can_edit_asset(request.user, run.asset):
            raise PermissionDenied("Only stewards of the asset's organisation cancel its runs.")
        run = runs.cancel_run(run=run)
        return Response(
            ProfileRunSerializer(_runs().get(pk=run.pk), context={"request": request}).data
        )
