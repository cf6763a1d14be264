import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client

from curation.demo import build_demo
from curation.models import AssetProfile, CoverageReport, ProfileRun
from inventory.models import Asset, Membership


@pytest.mark.django_db(transaction=True)
def test_demo_registers_profiles_and_reports_and_prints_working_logins(
    reference_data: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("demo")
    printed = capsys.readouterr().out

    logins = {
        line.split(": ", 1)[0]: line.split(": ", 1)[1].split(" / ")
        for line in printed.splitlines()
        if line.startswith("Demo login")
    }
    admin_user, admin_password = logins["Demo login (admin)"]
    reviewer_user, reviewer_password = logins["Demo login (ministry reviewer)"]
    client = Client()
    # django-axes checks every password login against its lockouts, which needs the request.
    assert client.login(request=HttpRequest(), username=admin_user, password=admin_password) is True
    assert client.get("/admin/").status_code == 200
    reviewer = Client()
    assert (
        reviewer.login(request=HttpRequest(), username=reviewer_user, password=reviewer_password)
        is True
    )
    assert reviewer.get("/reports/KE/").status_code == 200

    assert Asset.objects.count() == 11
    assert ProfileRun.objects.filter(status="succeeded").count() == 11
    assert AssetProfile.objects.count() == 11
    assert CoverageReport.objects.filter(nation__alpha2="KE").exists()
    assert "demo-national-library/mixed-east-africa: run" in printed
    assert "Swahili (sw)" in printed
    assert "Coverage report page: /reports/KE/" in printed
    steward = Membership.objects.get(user__username="steward")
    ministry = Membership.objects.get(user__username="reviewer")
    assert (steward.role, steward.organization.kind) == ("steward", "library")
    assert (ministry.role, ministry.organization.kind) == ("reviewer", "ministry")


@pytest.mark.django_db
def test_demo_twice_keeps_one_user_each_and_the_new_password() -> None:
    passwords = {"demo": "first-password-1", "steward": "s-1-aaaa", "reviewer": "r-1-aaaa"}
    first = build_demo(passwords=passwords)
    second = build_demo(passwords={**passwords, "demo": "second-password-2"})

    users = get_user_model().objects.filter(username="demo")
    assert users.count() == 1
    assert users.get().check_password("second-password-2") is True
    assert len(first.registered) == 11
    assert (len(second.registered), len(second.existing)) == (0, 11)


@pytest.mark.django_db
def test_api_root_needs_authentication(client: Client) -> None:
    assert client.get("/api/v1/").status_code == 401
