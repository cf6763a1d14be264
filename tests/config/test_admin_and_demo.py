import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from inventory.models import Membership


@pytest.mark.django_db
def test_demo_prints_a_login_that_opens_the_admin(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    printed = capsys.readouterr().out
    line = next(x for x in printed.splitlines() if x.startswith("Demo login (admin): "))
    username, password = line.removeprefix("Demo login (admin): ").split(" / ")

    client = Client()
    assert client.login(username=username, password=password) is True
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_creates_a_steward_and_a_ministry_reviewer() -> None:
    call_command("demo", password="pw-for-all-3")

    steward = Membership.objects.get(user__username="steward")
    reviewer = Membership.objects.get(user__username="reviewer")
    assert (steward.role, steward.organization.kind) == ("steward", "library")
    assert (reviewer.role, reviewer.organization.kind) == ("reviewer", "ministry")
    assert steward.organization.nation_id == reviewer.organization.nation_id


@pytest.mark.django_db
def test_demo_twice_keeps_one_user_and_the_new_password() -> None:
    call_command("demo", password="first-password-1")
    call_command("demo", password="second-password-2")

    users = get_user_model().objects.filter(username="demo")
    assert users.count() == 1
    assert users.get().check_password("second-password-2") is True
    assert users.get().check_password("first-password-1") is False


@pytest.mark.django_db
def test_api_root_needs_authentication(client: Client) -> None:
    assert client.get("/api/v1/").status_code == 401
