"""HTTP doors of coverage: per-nation reports, their history and tier policies."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from curation.coverage import gaps
from curation.coverage import services as coverage
from curation.coverage.gaps import worst_severity
from curation.coverage.renderers import CoverageCSVRenderer
from curation.coverage.serializers import (
    CoverageHistorySerializer,
    CoverageQuerySerializer,
    CoverageReportSerializer,
    CoverageSummarySerializer,
    PolicySerializer,
)
from curation.models import CoverageReport
from inventory.models import Nation


# Changing these changes what is read, so a new profile is queued.
class CoverageViewSet(viewsets.ViewSet):
    """Per-nation coverage reports: admins see all; members the nations of their organisations
    and of their organisations' live assets (`coverage.nations_visible_to`)."""

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
        """The nation's full report for a purpose (every licence by default): the latest
        snapshot's, never computed on a read."""
        nation = self._nation(alpha2)
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        purpose = query.validated_data["purpose"]
        data = coverage.purpose_view(nation, purpose)
        response = Response(coverage.with_visible_overlaps(data, request.user))
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
