"""Token authentication that slows down guessing: after too many failed token attempts from one
client address, token attempts from it are answered 429 until the window passes; its sessions
and anonymous reads are untouched. Also the one rule for a request's client address behind the
configured number of trusted proxies (used by this throttle and by django-axes)."""

import ipaddress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request

# The longest life of an API token, however it is created (the admin, `create_api_token`).
TOKEN_MAX_LIFETIME = timedelta(days=3650)


def client_address(request: HttpRequest | Request) -> str:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = N > 0 the Nth address
    from the right of X-Forwarded-For (each trusted proxy appends the address it saw; anything
    further left is the client's to write). With fewer entries, or one that is not an address,
    REMOTE_ADDR."""
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in str(forwarded).split(",")]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def login_address(request: HttpRequest) -> str | None:
    """The client address django-axes records: `client_address` when it is an IP address, else
    None (a login with no address, such as the test client's, is recorded without one)."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


# Authorization schemes a token may come with: knox's own, and RFC 6750's, which most HTTP
# clients and pipelines send.
TOKEN_SCHEMES = (b"token", b"bearer")


class ThrottledTokenAuthentication(TokenAuthentication):
    """django-rest-knox tokens (`Authorization: Token …` or `Bearer …`), with failed attempts
    counted per client address."""

    def authenticate(self, request: Request) -> Any:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in TOKEN_SCHEMES:
            return None  # not a token attempt: sessions and anonymous reads are never refused
        key = f"auth-failures:{client_address(request)}"
        limit = settings.AUTH_FAILURE_LIMIT
        window = settings.AUTH_FAILURE_WINDOW_SECONDS
        if (cache.get(key) or 0) >= limit:
            raise Throttled(wait=window, detail="Too many failed token authentications.")
        try:
            if len(header) != 2:
                raise AuthenticationFailed(
                    "Invalid token header: give the scheme, one space and the token."
                )
            return self.authenticate_credentials(header[1])
        except AuthenticationFailed:
            _count_failure(key, window)
            raise


def _count_failure(key: str, window: int) -> None:
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=window)


class ThrottledTokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of these tokens: knox's `Authorization: Token …`."""

    target_class = "inventory.auth.ThrottledTokenAuthentication"
