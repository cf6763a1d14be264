"""The token-failure throttle: token attempts from a guessing address are refused, its sessions
and anonymous reads are not; the address is taken behind the configured trusted proxies."""

import os
import socket
import subprocess
import sys
import uuid
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.test import RequestFactory
from rest_framework.test import APIClient

from inventory.auth import client_address
from inventory.models import ApiToken
from tests.conftest import REQUIRE_SERVICES, ROOT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_too_many_failed_tokens_from_one_address_are_refused(settings: Any) -> None:
    settings.AUTH_FAILURE_LIMIT = 3
    _, good = ApiToken.objects.create(UserFactory(), expiry=timedelta(days=1), name="ok")
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    other = APIClient(REMOTE_ADDR="198.51.100.9")

    codes = []
    for n in range(4):
        guesser.credentials(HTTP_AUTHORIZATION=f"Token scr_wrong{n}")
        codes.append(guesser.get("/api/v1/nations/").status_code)
    guesser.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    blocked = guesser.get("/api/v1/nations/")
    other.credentials(HTTP_AUTHORIZATION=f"Token {good}")

    assert codes == [401, 401, 401, 429]
    assert blocked.status_code == 429
    assert other.get("/api/v1/nations/").status_code == 200


def lock_out(client: APIClient, settings: Any, attempts: int = 2) -> list[int]:
    """Send `attempts` wrong tokens from `client` with the failure limit at `attempts`."""
    settings.AUTH_FAILURE_LIMIT = attempts
    codes = []
    for n in range(attempts):
        client.credentials(HTTP_AUTHORIZATION=f"Token scr_wrong{n}")
        codes.append(client.get("/api/v1/nations/").status_code)
    client.credentials()
    return codes


def test_a_locked_address_keeps_its_sessions_and_anonymous_reads(settings: Any) -> None:
    _, good = ApiToken.objects.create(UserFactory(), expiry=timedelta(days=1), name="ok")
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    colleague = APIClient(REMOTE_ADDR="203.0.113.7")
    colleague.force_login(UserFactory())
    anonymous = APIClient(REMOTE_ADDR="203.0.113.7")

    assert lock_out(guesser, settings) == [401, 401]
    guesser.credentials(HTTP_AUTHORIZATION=f"Token {good}")

    assert guesser.get("/api/v1/nations/").status_code == 429
    assert colleague.get("/api/v1/nations/").status_code == 200
    assert anonymous.get("/api/schema/").status_code == 200
    assert anonymous.get("/api/docs/").status_code == 200
    assert anonymous.get("/api/v1/nations/").status_code == 401
    assert guesser.get("/api/v1/nations/").status_code == 429


def test_a_session_with_a_bad_token_header_is_a_token_attempt(settings: Any) -> None:
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    guesser.force_login(UserFactory())
    lock_out(guesser, settings)

    guesser.credentials(HTTP_AUTHORIZATION="Token scr_another")
    assert guesser.get("/api/v1/nations/").status_code == 429
    guesser.credentials()
    assert guesser.get("/api/v1/nations/").status_code == 200


def test_behind_trusted_proxies_each_client_is_counted_by_its_own_address(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 2
    _, good = ApiToken.objects.create(UserFactory(), expiry=timedelta(days=1), name="ok")
    # Both arrive through the same two proxies (10.0.0.2 wrote the entry on the right).
    guesser = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.2")
    other = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.2")
    # What the guesser writes itself, left of what the proxies wrote, changes nothing.
    spoofing = APIClient(
        REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7, 10.0.0.2"
    )

    assert lock_out(guesser, settings) == [401, 401]
    other.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    spoofing.credentials(HTTP_AUTHORIZATION=f"Token {good}")

    assert other.get("/api/v1/nations/").status_code == 200
    assert spoofing.get("/api/v1/nations/").status_code == 429


def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    settings.AUTH_FAILURE_LIMIT = 3
    _, good = ApiToken.objects.create(UserFactory(), expiry=timedelta(days=1), name="ok")

    codes = []
    for n in range(4):
        guesser = APIClient(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        guesser.credentials(HTTP_AUTHORIZATION=f"Token scr_wrong{n}")
        codes.append(guesser.get("/api/v1/nations/").status_code)
    fresh = APIClient(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.9")
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {good}")

    assert codes == [401, 401, 401, 429]
    assert fresh.get("/api/v1/nations/").status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.9", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "192.0.2.66, 198.51.100.9", "198.51.100.9"),
        (2, "192.0.2.66, 198.51.100.9, 10.0.0.2", "198.51.100.9"),
        (2, "198.51.100.9", "10.0.0.1"),  # fewer entries than proxies
        (1, "not-an-address", "10.0.0.1"),
        (1, " 2001:DB8::1 ", "2001:db8::1"),
    ],
)
def test_client_address_is_taken_behind_the_trusted_proxies(
    settings: Any, proxies: int, forwarded: str | None, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers)

    assert client_address(request) == expected


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), 1.0):
            return True
    except OSError:
        return False


def test_failed_tokens_are_counted_in_redis_shared_by_every_process(settings: Any) -> None:
    if not _redis_reachable():
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES is set but Redis is not answering on 127.0.0.1:6379")
        pytest.skip("needs Redis on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        }
    }
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    try:
        assert lock_out(guesser, settings, attempts=3) == [401, 401, 401]
        guesser.credentials(HTTP_AUTHORIZATION="Token scr_again")
        assert guesser.get("/api/v1/nations/").status_code == 429
        assert caches["default"].get("auth-failures:203.0.113.7") == 3
        # Another web process sees the same counter: a second connection to the same server.
        other_process = redis.Redis.from_url("redis://127.0.0.1:6379/15")
        assert other_process.exists(f"{prefix}:1:auth-failures:203.0.113.7") == 1
    finally:
        caches["default"].delete("auth-failures:203.0.113.7")


@pytest.mark.parametrize(
    ("cache_url", "backend", "location"),
    [
        (None, "django.core.cache.backends.locmem.LocMemCache", ""),
        (
            "redis://127.0.0.1:6379/1",
            "django.core.cache.backends.redis.RedisCache",
            "redis://127.0.0.1:6379/1",
        ),
    ],
)
def test_the_throttle_cache_is_redis_when_cache_url_names_it(
    cache_url: str | None, backend: str, location: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "DJANGO_SETTINGS_MODULE"}}
    show = (
        "import config.settings as s; d = s.CACHES['default']; print(d['BACKEND'], d['LOCATION'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env=env if cache_url is None else env | {"CACHE_URL": cache_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.split() == [backend, *([location] if location else [])]


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_a_token_is_accepted_with_the_token_or_the_bearer_scheme(scheme: str) -> None:
    user = UserFactory()
    _, token = ApiToken.objects.create(user, expiry=timedelta(days=1), name="pipeline")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}")

    response = client.get("/api/v1/nations/")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer scr_not-a-token", "Invalid token."),
        ("Bearer", "Invalid token header: give the scheme, one space and the token."),
        ("Token a b", "Invalid token header: give the scheme, one space and the token."),
    ],
)
def test_a_bad_bearer_or_token_header_is_refused_with_its_reason(header: str, detail: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/nations/")

    assert response.status_code == 401
    assert response.json() == {"detail": detail}
