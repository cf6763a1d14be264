"""Token authentication that slows down guessing: after too many failed token attempts from one
client address, every token attempt from it is answered 429 until the window passes."""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request


def _client(request: Request) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


class ThrottledTokenAuthentication(TokenAuthentication):
    """django-rest-knox tokens, with failed attempts counted per client address."""

    def authenticate(self, request: Request) -> Any:
        key = f"auth-failures:{_client(request)}"
        limit = settings.AUTH_FAILURE_LIMIT
        window = settings.AUTH_FAILURE_WINDOW_SECONDS
        if (cache.get(key) or 0) >= limit:
            raise Throttled(wait=window, detail="Too many failed token authentications.")
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            if not cache.add(key, 1, timeout=window):
                cache.incr(key)
            raise


class ThrottledTokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of these tokens: knox's `Authorization: Token …`."""

    target_class = "inventory.auth.ThrottledTokenAuthentication"
