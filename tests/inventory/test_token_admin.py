"""API tokens made in the admin: the same lifetime cap as `create_api_token`, and the secret shown
once on the page answering the creation, never in a cookie."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from inventory.auth import TOKEN_MAX_LIFETIME
from inventory.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/inventory/apitoken/add/"


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form(user: Any, expiry: str, time: str = "00:00:00") -> dict[str, Any]:
    return {"user": user.pk, "name": "ci", "scope": "read", "expiry_0": expiry, "expiry_1": time}


def in_days(days: int) -> str:
    return f"{timezone.now() + timedelta(days=days):%Y-%m-%d}"


@pytest.mark.parametrize(
    "expiry",
    ["9999-12-31", in_days(TOKEN_MAX_LIFETIME.days + 2), in_days(-1), ""],
    ids=["year-9999", "past-the-cap", "yesterday", "none"],
)
def test_the_admin_refuses_a_token_expiry_outside_the_cap(
    admin_client: Client, expiry: str
) -> None:
    response = admin_client.post(ADD, form(UserFactory(), expiry))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["expiry"]
    assert ApiToken.objects.count() == 0


def test_the_admin_accepts_an_expiry_just_inside_the_cap(admin_client: Client) -> None:
    response = admin_client.post(ADD, form(UserFactory(), in_days(TOKEN_MAX_LIFETIME.days - 1)))

    assert response.status_code == 200
    row = ApiToken.objects.get()
    assert row.expiry is not None
    assert row.expiry - timezone.now() < TOKEN_MAX_LIFETIME


def test_the_admin_shows_a_new_secret_once_and_never_in_a_cookie(admin_client: Client) -> None:
    steward = UserFactory()

    response = admin_client.post(ADD, form(steward, in_days(30)))

    secret = response.context["secret"]
    assert response.status_code == 200
    assert secret.startswith("scr_")
    assert f'<code id="api-token-secret">{secret}</code>' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert all(secret not in morsel.OutputString() for morsel in response.cookies.values())
    assert all(secret not in value for _, value in response.items())
    assert list(response.wsgi_request._messages) == []  # type: ignore[attr-defined]
    later = admin_client.get("/admin/inventory/apitoken/")
    assert secret not in later.content.decode()
    assert all(secret not in morsel.OutputString() for morsel in admin_client.cookies.values())
    pipeline = APIClient()
    pipeline.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert pipeline.get("/api/v1/nations/").status_code == 200
    assert ApiToken.objects.get().user == steward


def test_editing_a_token_keeps_the_cap(admin_client: Client) -> None:
    row, _ = ApiToken.objects.create(UserFactory(), expiry=timedelta(days=1), name="ci")

    response = admin_client.post(
        f"/admin/inventory/apitoken/{row.pk}/change/",
        {"name": "ci", "scope": "read", "expiry_0": "9999-12-31", "expiry_1": "00:00:00"},
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["expiry"]
    row.refresh_from_db()
    assert row.expiry is not None
    assert row.expiry < timezone.now() + timedelta(days=2)
