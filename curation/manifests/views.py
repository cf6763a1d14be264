"""HTTP doors of manifests: CRUD for owners, versions that pipelines pull in four formats (strong
ETag, 304, streamed), diffs, attribution bundles; and the DCAT-AP catalogue feed."""

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from curation.manifests import services as manifest_service
from curation.manifests.attribution import attribution_bundle
from curation.manifests.diff import diff as diff_entries
from curation.manifests.permissions import (
    CanEditManifest,
    listed_in_readable_version,
    manifests_visible_to,
)
from curation.manifests.serializers import (
    EntryDiffSerializer,
    ManifestSerializer,
    ManifestVersionSerializer,
)
from curation.models import Manifest, ManifestDownload, ManifestVersion
from inventory.locations import LocationError, list_shards, open_shard, policy_from_settings
from inventory.models import ApiToken, Asset
from inventory.permissions import can_read_location

FORMATS = {
    "json": "application/json",
    "jsonl": "application/jsonl",
    "csv": "text/csv",
    "croissant": "application/ld+json",
}

# After the content hash in a download's ETag. A rendering whose bytes change for the same
# entries takes a new suffix, so that a copy cached before is not answered 304: `csv.2` writes
# formula-like cells behind an apostrophe and ends rows with CRLF (`curation.csvsafe`).
ETAG_SUFFIXES = {"json": "", "jsonl": "-jsonl", "csv": "-csv.2", "croissant": "-croissant"}


class _FormatRenderer(BaseRenderer):
    """Declares a download format for content negotiation; version bodies are streamed by the
    view, so this renders only small bodies (errors) as JSON text."""

    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, context: Any = None) -> bytes:
        return JSONRenderer().render(data)


class JSONLinesRenderer(_FormatRenderer):
    media_type, format = "application/jsonl", "jsonl"


class CSVRenderer(_FormatRenderer):
    media_type, format = "text/csv", "csv"


class CroissantRenderer(_FormatRenderer):
    media_type, format = "application/ld+json", "croissant"


def none_match(header: str, etag: str) -> bool:
    """Whether If-None-Match `header` matches `etag`: weak comparison, as RFC 9110 (13.1.2)
    prescribes for it, so a tag a compressing proxy marked weak (W/"...") still matches; "*"
    matches any."""
    tags = {tag.strip() for tag in header.split(",") if tag.strip()}
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


def _base_url(request: Request) -> str:
    return str(settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/"))


class ManifestViewSet(viewsets.ModelViewSet[Manifest]):
    """Curated, versioned selections of profiled assets' files."""

    serializer_class = ManifestSerializer
    lookup_field = "slug"
    token_scope = "manifests"  # manifest-scoped API tokens read these endpoints only
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_permissions(self) -> list[Any]:
        return [*super().get_permissions(), CanEditManifest()]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        """An unknown `?format=` is a 400 naming the formats this endpoint serves (DRF answers
        a bare 404)."""
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            wanted = request.query_params.get("format") or self.kwargs.get("format")
            if force or not wanted:
                raise
            served = ", ".join(r.format for r in self.get_renderers())
            raise ValidationError(
                {"format": [f"unknown format {wanted!r}; this endpoint serves: {served}"]}
            ) from None

    queryset = Manifest.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self) -> QuerySet[Manifest]:
        queryset = Manifest.objects.select_related("organization", "created_by").prefetch_related(
            Prefetch(
                "versions",
                queryset=ManifestVersion.objects.only("id", "manifest_id", "number", "status"),
            )
        )
        return manifests_visible_to(self.request.user, queryset)

    def perform_create(self, serializer: BaseSerializer[Manifest]) -> None:
        serializer.save(created_by=self.request.user)

    def _version(self, manifest: Manifest, number: str) -> ManifestVersion:
        found = manifest_service.find_version(manifest, number)
        if found is None:
            raise NotFound(f"no ready version {number} of {manifest.slug!r}")
        return found

    @extend_schema(
        methods=["GET"], responses={200: ManifestVersionSerializer(many=True)}, request=None
    )
    @extend_schema(
        methods=["POST"],
        request=None,
        responses={201: ManifestVersionSerializer, 202: ManifestVersionSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def versions(self, request: Request, slug: str) -> Response:
        """GET lists the versions; POST materialises a new one (202 while a task does it)."""
        manifest = self.get_object()
        if request.method == "POST":
            if not CanEditManifest().has_object_permission(request, self, manifest):
                raise PermissionDenied(CanEditManifest.message)
            version = manifest_service.request_version(manifest=manifest, actor=request.user)
            code = (
                status.HTTP_201_CREATED if version.status == "ready" else status.HTTP_202_ACCEPTED
            )
            return Response(ManifestVersionSerializer(version).data, status=code)
        # Not `manifest.versions`: that is get_queryset's prefetch, deferred to a few columns,
        # and select_related on it raises FieldError (a 500 on every listing).
        versions = (
            ManifestVersion.objects.filter(manifest=manifest)
            .select_related("created_by")
            .order_by("-number")
        )
        return Response(ManifestVersionSerializer(versions, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=list(FORMATS), description="default json"),
        ],
        responses={
            (200, media): OpenApiTypes.OBJECT if media.endswith("json") else OpenApiTypes.BINARY
            for media in FORMATS.values()
        }
        | {304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)")},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+|latest)",
        renderer_classes=[JSONRenderer, JSONLinesRenderer, CSVRenderer, CroissantRenderer],
    )
    def version(self, request: Request, slug: str, number: str) -> HttpResponseBase:
        """One version's file list in json, jsonl, csv or croissant, streamed; the ETag is the
        content hash."""
        manifest = self.get_object()
        version = self._version(manifest, number)
        fmt = request.accepted_renderer.format
        etag = f'"{version.content_hash}{ETAG_SUFFIXES[fmt]}"'
        if none_match(request.headers.get("If-None-Match", ""), etag):
            not_modified = HttpResponse(status=304)
            not_modified["ETag"] = etag
            return not_modified
        body = manifest_service.render_version(version, fmt, _base_url(request))
        response = StreamingHttpResponse(body, content_type=f"{FORMATS[fmt]}; charset=utf-8")
        response["ETag"] = etag
        extension = {"croissant": "croissant.json"}.get(fmt, fmt)
        response["Content-Disposition"] = (
            f'attachment; filename="{manifest.slug}-v{version.number}.{extension}"'
        )
        token = request.auth.name if isinstance(request.auth, ApiToken) else ""
        user = request.user if request.user.is_authenticated else None
        ManifestDownload.objects.create(version=version, user=user, token=token, format=fmt)
        return response

    @extend_schema(responses={200: EntryDiffSerializer})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+|latest)/diff/(?P<other>[0-9]+|latest)",
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
    )
    def diff(self, request: Request, slug: str, number: str, other: str) -> Response:
        """Entries added, removed and changed from version `number` to version `other`."""
        manifest = self.get_object()
        old = list(manifest_service.version_entries(self._version(manifest, number)))
        new = list(manifest_service.version_entries(self._version(manifest, other)))
        return Response(diff_entries(old, new).to_json())

    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+|latest)/attribution",
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
    )
    def attribution(self, request: Request, slug: str, number: str) -> Response:
        """Every licence of the version that requires attribution, with the lines to reproduce."""
        version = self._version(self.get_object(), number)
        entries = list(manifest_service.version_entries(version))
        return Response(attribution_bundle(entries))


class AssetFileView(APIView):
    """One data file of an asset, streamed: the contentUrl of manifest entries. A confidential
    asset's files go only to its own organisation and staff; a manifest-scoped token reaches
    only files listed in a ready version of a manifest its user reads."""

    token_scope = "manifests"  # pipelines holding manifest tokens download the files they list

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int, name: str) -> FileResponse:
        asset = Asset.objects.visible_to(request.user).filter(pk=pk).first()
        if asset is None or not can_read_location(request.user, asset):
            raise NotFound("No such file.")
        manifest_token = (
            isinstance(request.auth, ApiToken) and request.auth.scope == ApiToken.Scope.MANIFESTS
        )
        if manifest_token and not listed_in_readable_version(request.user, asset.pk, name):
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
