"""The DCAT-AP catalogue feed: Turtle and JSON-LD."""

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import (
    api_view,
    permission_classes,
    renderer_classes,
    throttle_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from curation.catalogue import services as catalogue_service


class TurtleRenderer(BaseRenderer):
    media_type, format, charset = "text/turtle", "ttl", "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, context: Any = None) -> bytes:
        return data.encode() if isinstance(data, str) else JSONRenderer().render(data)


class JSONLDRenderer(TurtleRenderer):
    media_type, format = "application/ld+json", "jsonld"


def _base_url(request: Request) -> str:
    return str(settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/"))


class CatalogueAnonThrottle(AnonRateThrottle):
    """Anonymous clients may fetch the feed only so often: it is built from every public asset
    on each request (issue 18: rendering it in the background is still to do)."""

    scope = "catalogue_anon"


@extend_schema(
    responses={
        (200, "text/turtle"): str,
        (200, "application/ld+json"): OpenApiTypes.OBJECT,
        429: OpenApiResponse(description="Too many anonymous requests; retry later"),
    }
)
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([CatalogueAnonThrottle])
@renderer_classes([TurtleRenderer, JSONLDRenderer])
def catalogue(request: Request, format: str | None = None) -> Response:
    """The DCAT-AP 3.0 catalogue of public, profiled assets, for national open-data portals;
    anonymous clients are throttled (CATALOGUE_ANON_THROTTLE_RATE)."""
    base = _base_url(request)
    kind = "jsonld" if (format or request.accepted_renderer.format) == "jsonld" else "ttl"
    return Response(catalogue_service.render(base_url=base, kind=kind))
