"""HTTP doors of curation: profiling runs, and the asset endpoints that start them."""

from contextlib import suppress
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from curation import coverage, gaps, runs
from curation.models import CoverageReport, ProfileRun
from curation.renderers import CoverageCSVRenderer
from curation.serializers import (
    CoverageHistorySerializer,
    CoverageQuerySerializer,
    CoverageReportSerializer,
    CoverageSummarySerializer,
    PolicySerializer,
    ProfileRequestSerializer,
    ProfileRunSerializer,
)
from inventory.asset_serializers import AssetSerializer
from inventory.locations import LocationError, list_shards, open_shard, policy_from_settings
from inventory.models import Asset, Nation
from inventory.views import AssetViewSet

# Changing these changes what is read, so a new profile is queued.
PROFILED_FIELDS = ("location", "format", "compression", "document_unit", "text_field")


class ProfileThrottle(UserRateThrottle):
    """Profile requests are throttled per user (PROFILE_THROTTLE_RATE)."""

    scope = "profile"


def _runs() -> QuerySet[ProfileRun]:
    return ProfileRun.objects.select_related("requested_by").prefetch_related("shards")


class ProfiledAssetViewSet(AssetViewSet):
    """Assets, with the profiling doors: start a run, list an asset's runs."""

    def perform_update(self, serializer: BaseSerializer[Asset]) -> None:
        asset = serializer.instance
        before = {name: getattr(asset, name) for name in PROFILED_FIELDS}
        super().perform_update(serializer)
        asset = serializer.instance
        changed = any(getattr(asset, name) != value for name, value in before.items())
        coverage.schedule_refresh(coverage.nations_of_asset(asset))
        if changed and asset.status != Asset.Status.RETIRED:
            # An unreadable location leaves the asset registered; a later request says why.
            with suppress(runs.ProfileRequestError):
                runs.request_profile(asset=asset, requested_by=self.request.user)

    @extend_schema(request=None, responses={200: AssetSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        """Retire the asset: kept on record, no longer profiled, selected or counted."""
        response = super().retire(request, pk)
        coverage.schedule_refresh(coverage.nations_of_asset(self.get_object()))
        return response

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
        if not Asset.objects.editable_by(request.user).filter(pk=asset.pk).exists():
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
        return Response(ProfileRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ProfileRunSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="profile-runs", filterset_class=None)
    def profile_runs(self, request: Request, pk: str | None = None) -> Response:
        """The asset's profiling runs, newest first."""
        asset = self.get_object()
        page = self.paginate_queryset(_runs().filter(asset=asset))
        return self.get_paginated_response(ProfileRunSerializer(page, many=True).data)


class ProfileRunViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[ProfileRun]):
    """A profiling run: status, progress, shard counts, timings and, once succeeded, the
    profile. Visible to whoever sees its asset."""

    serializer_class = ProfileRunSerializer

    def get_queryset(self) -> QuerySet[ProfileRun]:
        return _runs().filter(asset__in=Asset.objects.visible_to(self.request.user))

    @extend_schema(request=None, responses={200: ProfileRunSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Cancel the run (steward of the asset's organisation or staff)."""
        run = self.get_object()
        if not Asset.objects.editable_by(request.user).filter(pk=run.asset_id).exists():
            raise PermissionDenied("Only stewards of the asset's organisation cancel its runs.")
        run = runs.cancel_run(run=run)
        return Response(ProfileRunSerializer(_runs().get(pk=run.pk)).data)


SEVERITY_ORDER = ["critical", "major", "minor", "ok"]


def worst_severity(data: dict[str, Any] | None) -> str:
    """The traffic light of a report: its worst language severity ("none" without a report)."""
    if not data or not data.get("languages"):
        return "none"
    found = {row["severity"] for row in data["languages"]}
    return next(s for s in SEVERITY_ORDER if s in found or s == "ok")


class CoverageViewSet(viewsets.ViewSet):
    """Per-nation coverage reports: reviewers see their nation, admins all, stewards the nations
    of their assets."""

    lookup_field = "alpha2"
    lookup_value_regex = "[A-Za-z]{2}"
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CoverageCSVRenderer]

    def _nation(self, alpha2: str) -> Nation:
        nation = (
            coverage.nations_visible_to(self.request.user).filter(alpha2=alpha2.upper()).first()
        )
        if nation is None:
            raise NotFound("No coverage report you may read for this nation.")
        return nation

    @extend_schema(responses={200: CoverageSummarySerializer(many=True)})
    def list(self, request: Request) -> Response:
        """Every visible nation's headline indicators and traffic light (latest snapshots)."""
        nations = coverage.nations_visible_to(request.user).order_by("name")
        latest = coverage.latest_reports(nations)
        body = [
            {
                "nation": nation.alpha2,
                "name": nation.name,
                "generated_at": latest[nation.pk].generated_at if nation.pk in latest else None,
                "status": worst_severity(latest[nation.pk].data if nation.pk in latest else None),
                "indicators": latest[nation.pk].indicators if nation.pk in latest else None,
            }
            for nation in nations
        ]
        return Response(CoverageSummarySerializer(body, many=True).data)

    @extend_schema(
        parameters=[CoverageQuerySerializer],
        responses={200: CoverageReportSerializer, (200, "text/csv"): str},
    )
    def retrieve(self, request: Request, alpha2: str) -> Response:
        """The nation's full report: the latest snapshot, or computed now for a purpose view."""
        nation = self._nation(alpha2)
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        purpose = query.validated_data["purpose"]
        if purpose == "all":
            data = coverage.latest_report(nation).data
        else:
            data = coverage.report_document(
                nation, coverage.build_report(nation, purpose), timezone.now()
            )
        response = Response(data)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = (
                f'attachment; filename="coverage-{nation.alpha2}-{purpose}.csv"'
            )
        return response

    @extend_schema(responses={200: CoverageHistorySerializer(many=True)})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, BrowsableAPIRenderer])
    def history(self, request: Request, alpha2: str) -> Response:
        """Earlier snapshots, newest first: indicators and each language's tier."""
        nation = self._nation(alpha2)
        snapshots = CoverageReport.objects.filter(nation=nation).prefetch_related("gaps")
        body = [
            {
                "generated_at": s.generated_at,
                "indicators": s.indicators,
                "tiers": {gap.language: gap.tier for gap in s.gaps.all()},
            }
            for s in snapshots.order_by("-generated_at")[:100]
        ]
        return Response(CoverageHistorySerializer(body, many=True).data)

    @extend_schema(request=PolicySerializer, responses={200: PolicySerializer})
    @action(
        detail=True,
        methods=["get", "put"],
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
    )
    def policy(self, request: Request, alpha2: str) -> Response:
        """The nation's tier targets; its ministry's reviewers (and staff) change them."""
        nation = self._nation(alpha2)
        if request.method == "PUT":
            if not coverage.is_reviewer_of(request.user, nation):
                raise PermissionDenied("Only the nation's ministry reviewers set its targets.")
            body = PolicySerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                policy = gaps.Policy(**body.validated_data)
            except ValueError as exc:
                raise ValidationError({"targets": [str(exc)]}) from exc
            coverage.update_policy(nation=nation, policy=policy, actor=request.user)
        return Response(PolicySerializer(coverage.policy_for(nation).to_json()).data)


class AssetFileView(APIView):
    """One data file of an asset, streamed: the contentUrl of manifest entries. A confidential
    asset's files go only to its own organisation and staff."""

    token_scope = "manifests"  # pipelines holding manifest tokens download the files they list

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int, name: str) -> FileResponse:
        asset = Asset.objects.visible_to(request.user).filter(pk=pk).first()
        if asset is None or (
            asset.access_level == Asset.AccessLevel.CONFIDENTIAL
            and not request.user.is_staff
            and not asset.organization.memberships.filter(user=request.user).exists()
        ):
            raise NotFound("No such file.")
        policy = policy_from_settings()
        try:
            shard = next((s for s in list_shards(asset.location, policy) if s.name == name), None)
            if shard is None:
                raise NotFound(f"The asset has no file {name!r}.")
            handle = open_shard(shard.location, policy)
        except LocationError as exc:
            raise NotFound(f"The file cannot be read: {exc}") from exc
        return FileResponse(handle, as_attachment=True, filename=name.rsplit("/", 1)[-1])
