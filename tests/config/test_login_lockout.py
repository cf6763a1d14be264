"""Password guessing on the login pages (django-axes): a (username, client address) pair is refused
with 429 after the configured number of failures, until the cool-off has passed."""

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"
PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def staff(settings: Any) -> Any:
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory(username="amina", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(client: Client, page: str, password: str, username: str = "amina") -> int:
    return client.post(page, {"username": username, "password": password}).status_code


@pytest.mark.parametrize("page", PAGES)
def test_the_login_page_locks_a_user_and_address_out_after_the_limit(staff: Any, page: str) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.7")

    codes = [attempt(guesser, page, f"wrong-{n}") for n in range(3)]

    assert codes == [200, 200, 429]
    assert attempt(guesser, page, PASSWORD) == 429
    assert "_auth_user_id" not in guesser.session
    assert AccessAttempt.objects.get().failures_since_start == 4


@pytest.mark.parametrize("page", PAGES)
def test_a_lockout_spares_the_user_elsewhere_and_other_users_here(staff: Any, page: str) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        attempt(guesser, page, f"wrong-{n}")
    colleague = UserFactory(username="baraka", is_staff=True)
    colleague.set_password(PASSWORD)
    colleague.save()

    assert attempt(Client(REMOTE_ADDR="198.51.100.9"), page, PASSWORD) == 302
    assert attempt(Client(REMOTE_ADDR="203.0.113.7"), page, PASSWORD, username="baraka") == 302


def test_a_lockout_ends_after_the_cool_off(staff: Any, settings: Any) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        attempt(guesser, "/accounts/login/", f"wrong-{n}")
    assert attempt(guesser, "/accounts/login/", PASSWORD) == 429

    attempt_row = AccessAttempt.objects.get()
    attempt_row.attempt_time -= settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    attempt_row.save()

    assert attempt(guesser, "/accounts/login/", PASSWORD) == 302


def test_clients_behind_the_trusted_proxies_are_locked_out_one_by_one(
    staff: Any, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    owner = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert [attempt(guesser, "/admin/login/", f"wrong-{n}") for n in range(3)] == [200, 200, 429]

    assert attempt(owner, "/admin/login/", PASSWORD) == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_x_forwarded_for_does_not_escape_a_lockout_without_trusted_proxies(staff: Any) -> None:
    codes = [
        attempt(
            Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"),
            "/accounts/login/",
            f"wrong-{n}",
        )
        for n in range(4)
    ]

    assert codes == [200, 200, 429, 429]
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
