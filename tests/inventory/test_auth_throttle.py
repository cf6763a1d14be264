from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from inventory.models import ApiToken
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
