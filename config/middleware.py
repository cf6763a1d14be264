"""Request guards that apply before any view runs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class RequestBodyLimit:
    """Refuse a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE with 413 before it is read.

    Django enforces the limit only where it parses forms itself; DRF's JSON parser reads the
    stream directly, so the declared length is checked here for every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Content-Length is not a number."}, status=400)
        if limit is not None and length > limit:
            detail = f"The request body ({length} bytes) exceeds the limit of {limit} bytes."
            return JsonResponse({"detail": detail}, status=413)
        return self.get_response(request)
