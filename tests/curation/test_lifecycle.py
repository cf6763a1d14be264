"""What follows an asset's life-cycle events (`curation.lifecycle`), through the API and the
admin: which runs start and which nations' reports are refreshed."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from curation.models import CoverageReport, ProfileRun
from inventory.models import Asset, Membership, Nation
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = {
    "title": "Swahili news 2024",
    "location": "test:corpus/news.jsonl",
    "text_field": "text",
    "languages": ["sw"],
    "license": "CC-BY-4.0",
    "access_level": "public",
}


@pytest.fixture
def steward(storage_root: Path) -> Any:
    return MembershipFactory(organization=OrganizationFactory(slug="knls")).user


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def reported_nations() -> list[str]:
    return sorted(set(CoverageReport.objects.values_list("nation__alpha2", flat=True)))


@pytest.mark.parametrize(("on", "runs"), [(True, 1), (False, 0)])
def test_registering_starts_a_run_only_when_profile_on_register_is_on(
    steward: Any, settings: Any, django_capture_on_commit_callbacks: Any, on: bool, runs: int
) -> None:
    settings.PROFILE_ON_REGISTER = on
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(steward).post("/api/v1/assets/", BODY, format="json")

    assert response.status_code == 201, response.content
    asset = Asset.objects.get(pk=response.json()["id"])
    assert ProfileRun.objects.filter(asset=asset).count() == runs
    if on:
        run = ProfileRun.objects.get(asset=asset)
        assert (run.status, run.requested_by) == (ProfileRun.Status.SUCCEEDED, steward)
        asset.refresh_from_db()
        assert asset.status == Asset.Status.PROFILED
        assert reported_nations() == ["KE"]  # the stored profile refreshed its nation


def test_changing_what_is_read_reprofiles_and_a_title_does_not(
    steward: Any, storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    (storage_root / "corpus" / "more.jsonl").write_text('{"text": "Habari"}\n', encoding="utf-8")
    asset = AssetFactory(organization=steward.memberships.get().organization)
    client = api_as(steward)

    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/api/v1/assets/{asset.pk}/", {"title": "Renamed"}, format="json")
    assert ProfileRun.objects.filter(asset=asset).count() == 0
    assert reported_nations() == ["KE"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/v1/assets/{asset.pk}/", {"location": "test:corpus/more.jsonl"}, format="json"
        )
    assert response.status_code == 200, response.content
    run = ProfileRun.objects.get(asset=asset)
    assert run.status == ProfileRun.Status.SUCCEEDED
    assert run.result["totals"]["documents"] == 1


def test_a_transfer_refreshes_the_reports_of_both_nations(
    storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    admin = UserFactory(username="admin-of-both")
    kenyan = OrganizationFactory(slug="knls", nation=Nation.objects.get(alpha2="KE"))
    tanzanian = OrganizationFactory(slug="tls", nation=Nation.objects.get(alpha2="TZ"))
    for organization in (kenyan, tanzanian):
        MembershipFactory(user=admin, organization=organization, role=Membership.Role.ADMIN)
    asset = AssetFactory(organization=kenyan)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(admin).post(
            f"/api/v1/assets/{asset.pk}/transfer/", {"organization": "tls"}, format="json"
        )

    assert response.status_code == 200, response.content
    assert reported_nations() == ["KE", "TZ"]
    assert ProfileRun.objects.filter(asset=asset).count() == 0  # the same bytes: no new run


def test_retiring_refreshes_the_report_it_fed(
    steward: Any, django_capture_on_commit_callbacks: Any
) -> None:
    asset = AssetFactory(organization=steward.memberships.get().organization)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(steward).post(f"/api/v1/assets/{asset.pk}/retire/")

    assert response.status_code == 200, response.content
    assert reported_nations() == ["KE"]


def test_the_admin_profiles_through_the_lifecycle(
    steward: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    asset = AssetFactory(organization=steward.memberships.get().organization)
    client = Client()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/inventory/asset/",
            {"action": "profile_now", "_selected_action": [asset.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "Profiling started or running for 1 asset(s)." in response.content.decode()
    run = ProfileRun.objects.get(asset=asset)
    assert (run.status, run.requested_by) == (ProfileRun.Status.SUCCEEDED, staff)
    assert reported_nations() == ["KE"]
