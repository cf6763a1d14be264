from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from curation.models import ProfileRun
from inventory.models import ApiToken, Asset, Membership, Nation
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def people(asset: Asset, steward: Any) -> dict[str, Any]:
    kenya = Nation.objects.get(alpha2="KE")
    return {
        "steward": steward,
        "reviewer": MembershipFactory(
            organization=OrganizationFactory(slug="ict", nation=kenya, kind="ministry"),
            role=Membership.Role.REVIEWER,
        ).user,
        "other_steward": MembershipFactory(organization=OrganizationFactory(slug="other")).user,
        "admin": UserFactory(is_staff=True),
        "anonymous": None,
    }


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("steward", 202),
        ("admin", 202),
        ("reviewer", 403),
        ("other_steward", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_start_a_profile(
    people: dict[str, Any],
    asset: Asset,
    actor: str,
    expected: int,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people[actor]).post(f"/api/v1/assets/{asset.pk}/profile/")

    assert response.status_code == expected
    assert ProfileRun.objects.count() == (1 if expected == 202 else 0)


def test_a_read_token_cannot_start_a_profile(asset: Asset, steward: Any) -> None:
    _, token = ApiToken.objects.create(steward, expiry=timedelta(days=1), name="ro")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.post(f"/api/v1/assets/{asset.pk}/profile/").status_code == 403
    assert ProfileRun.objects.count() == 0


def test_the_run_reports_status_progress_and_the_whole_profile(
    asset: Asset, steward: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(steward)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/api/v1/assets/{asset.pk}/profile/", {"sample_size": 500})
    body = client.get(f"/api/v1/profile-runs/{started.json()['id']}/").json()

    assert started.status_code == 202
    assert body["status"] == "succeeded"
    assert body["progress"] == 100
    assert body["shards"] == {"total": 4, "done": 4, "failed": 0, "queued": 0, "running": 0}
    assert body["sample_size"] == 500
    profile = body["profile"]
    assert profile["totals"]["documents"] == 70
    assert {row["language"] for row in profile["languages"]} == {"sw", "en"}
    row = next(r for r in profile["languages"] if r["language"] == "sw")
    assert row["status"] == "detected"
    assert row["documents"] == 60
    assert row["ci95_documents"][0] <= row["share_documents"] <= row["ci95_documents"][1]
    assert profile["license"]["declared"] == "CC-BY-4.0"
    assert profile["license"]["conflict"] is False
    assert profile["complete"] is True
    assert profile["detectors"]
    listed = client.get(f"/api/v1/assets/{asset.pk}/profile-runs/").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]


def test_a_run_is_visible_only_to_who_sees_its_asset(asset: Asset, people: dict[str, Any]) -> None:
    run = ProfileRun.objects.create(asset=asset, options={}, shards_total=0)

    assert client_for(people["reviewer"]).get(f"/api/v1/profile-runs/{run.pk}/").status_code == 200
    assert (
        client_for(people["other_steward"]).get(f"/api/v1/profile-runs/{run.pk}/").status_code
        == 404
    )


def test_cancel_a_run(asset: Asset, people: dict[str, Any]) -> None:
    from curation.runs import services as runs

    run, _ = runs.request_profile(asset=asset, requested_by=None)

    refused = client_for(people["reviewer"]).post(f"/api/v1/profile-runs/{run.pk}/cancel/")
    done = client_for(people["steward"]).post(f"/api/v1/profile-runs/{run.pk}/cancel/")

    assert refused.status_code == 403
    assert done.status_code == 200
    assert done.json()["status"] == "cancelled"


def test_changing_the_location_queues_a_new_run(
    asset: Asset, steward: Any, storage_root: Path
) -> None:
    (storage_root / "other").mkdir()
    (storage_root / "other" / "x.jsonl").write_text(
        '{"text": "Habari za leo rafiki yangu mpendwa sana"}\n'
    )

    response = client_for(steward).patch(
        f"/api/v1/assets/{asset.pk}/", {"location": "test:other"}, format="json"
    )
    client_for(steward).patch(f"/api/v1/assets/{asset.pk}/", {"title": "Renamed"}, format="json")

    assert response.status_code == 200
    assert ProfileRun.objects.filter(asset=asset).count() == 1
    assert ProfileRun.objects.get(asset=asset).shards.get().name == "other/x.jsonl"


def test_profile_requests_are_throttled(asset: Asset, steward: Any, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"profile": "2/hour"},
    }
    from curation.runs.views import ProfileThrottle

    ProfileThrottle.THROTTLE_RATES = {"profile": "2/hour"}
    try:
        client = client_for(steward)
        codes = [client.post(f"/api/v1/assets/{asset.pk}/profile/").status_code for _ in range(3)]
    finally:
        from rest_framework.settings import api_settings

        ProfileThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()

    assert codes == [202, 202, 429]


@pytest.mark.django_db(transaction=True)
def test_profile_asset_command_json_matches_the_api(
    reference_data: None, asset: Asset, steward: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    call_command("profile_asset", str(asset.pk), "--wait", "--json")
    printed = json.loads(capsys.readouterr().out)

    body = client_for(steward).get(f"/api/v1/profile-runs/{printed['id']}/").json()
    assert printed == body
    assert printed["status"] == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_profile_asset_command_prints_a_summary_line(
    reference_data: None, asset: Asset, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("profile_asset", f"knls/{asset.slug}", "--wait")
    line = capsys.readouterr().out.strip()

    assert line.startswith(f"knls/{asset.slug}: run ")
    assert "succeeded: 70 documents" in line


def test_profile_asset_command_names_an_unknown_asset() -> None:
    with pytest.raises(CommandError, match="no asset 'nope/nothing'"):
        call_command("profile_asset", "nope/nothing")


def test_admin_shows_runs_shards_and_the_asset_latest_profile(
    asset: Asset, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    from curation.runs import services as runs

    with django_capture_on_commit_callbacks(execute=True):
        run, _ = runs.request_profile(asset=asset, requested_by=None)
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get("/admin/curation/profilerun/").status_code == 200
    assert client.get(f"/admin/curation/profilerun/{run.pk}/change/").status_code == 200
    assert client.get("/admin/curation/profileshard/?status__exact=done").status_code == 200
    page = client.get(f"/admin/inventory/asset/{asset.pk}/change/").content.decode()
    assert f"Run {run.pk} at" in page
    assert "sw (detected): 60 documents" in page
