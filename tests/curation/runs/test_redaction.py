"""A reader who may not see a confidential asset's location (a ministry reviewer of its nation)
reads its runs, profile and history without any of its paths or file names; its organisation
and staff see them."""

import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from curation.models import ProfileRun
from curation.runs import services as runs
from inventory import services as inventory_services
from inventory.models import Asset, Membership, Nation
from inventory.redaction import REDACTED, redact, secrets_of
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_DIR = "vault-2024"


@pytest.fixture
def readers(steward: Any) -> dict[str, Any]:
    ministry = OrganizationFactory(
        slug="ict", nation=Nation.objects.get(alpha2="KE"), kind="ministry"
    )
    return {
        "steward": steward,
        "admin": UserFactory(username="staff", is_staff=True),
        "reviewer": MembershipFactory(organization=ministry, role=Membership.Role.REVIEWER).user,
    }


@pytest.fixture
def confidential(storage_root: Path, steward: Any) -> Asset:
    folder = storage_root / SECRET_DIR
    folder.mkdir()
    body = "".join(json.dumps({"text": f"Habari za leo nambari {i}."}) + "\n" for i in range(40))
    (folder / "minutes-cabinet.jsonl").write_text(body + "not json\n", encoding="utf-8")
    (folder / "minutes-broken.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 32)
    (folder / "LICENSE").write_text("SPDX-License-Identifier: CC-BY-4.0\n", encoding="utf-8")
    return AssetFactory(
        organization=steward.memberships.get().organization,
        location=f"test:{SECRET_DIR}",
        access_level=Asset.AccessLevel.CONFIDENTIAL,
    )


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def profiled_run(asset: Asset, capture: Any) -> ProfileRun:
    with capture(execute=True):
        run, _ = runs.request_profile(asset=asset, requested_by=None)
    return ProfileRun.objects.get(pk=run.pk)


def test_secrets_are_replaced_longest_first_in_keys_and_values() -> None:
    secrets = secrets_of("test:vault", ["vault/a.jsonl", "test:vault/a.jsonl"])
    assert secrets == ("test:vault/a.jsonl", "vault/a.jsonl", "test:vault", "a.jsonl")
    document = {"files": [{"name": "vault/a.jsonl"}], "a.jsonl: line 1": "test:vault/a.jsonl: bad"}
    assert redact(document, secrets) == {
        "files": [{"name": REDACTED}],
        f"{REDACTED}: line 1": f"{REDACTED}: bad",
    }


@pytest.mark.parametrize(
    ("reader", "redacted"), [("reviewer", True), ("steward", False), ("admin", False)]
)
def test_a_run_of_a_confidential_asset_names_no_file_to_who_may_not_see_its_location(
    confidential: Asset,
    readers: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    reader: str,
    redacted: bool,
) -> None:
    run = profiled_run(confidential, django_capture_on_commit_callbacks)
    assert run.status == ProfileRun.Status.SUCCEEDED
    assert run.result["failed_shards"][0]["name"] == f"{SECRET_DIR}/minutes-broken.jsonl.gz"

    client = client_for(readers[reader])
    bodies = [
        client.get(f"/api/v1/profile-runs/{run.pk}/"),
        client.get(f"/api/v1/assets/{confidential.pk}/profile-runs/"),
    ]

    assert [b.status_code for b in bodies] == [200, 200]
    text = "".join(b.content.decode() for b in bodies)
    assert (SECRET_DIR in text, "minutes-" in text, REDACTED in text) == (
        (False, False, True) if redacted else (True, True, False)
    )
    profile = bodies[0].json()["profile"]
    assert profile["totals"]["documents"] == 40
    failed = profile["failed_shards"][0]
    assert failed["name"] == (REDACTED if redacted else f"{SECRET_DIR}/minutes-broken.jsonl.gz")


def test_a_failed_run_error_names_no_file_to_a_reviewer(
    storage_root: Path,
    steward: Any,
    readers: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    (storage_root / SECRET_DIR).mkdir()
    (storage_root / SECRET_DIR / "minutes.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 32)
    asset = AssetFactory(
        organization=steward.memberships.get().organization,
        location=f"test:{SECRET_DIR}",
        access_level=Asset.AccessLevel.CONFIDENTIAL,
    )
    run = profiled_run(asset, django_capture_on_commit_callbacks)
    assert run.status == ProfileRun.Status.FAILED
    assert f"{SECRET_DIR}/minutes.jsonl.gz" in run.error_message

    body = client_for(readers["reviewer"]).get(f"/api/v1/profile-runs/{run.pk}/").json()

    assert body["error_message"] == run.error_message.replace(
        f"{SECRET_DIR}/minutes.jsonl.gz", REDACTED
    )
    assert SECRET_DIR not in json.dumps(body)


def test_history_hides_every_location_an_asset_had_from_who_may_not_see_it(
    confidential: Asset, storage_root: Path, readers: dict[str, Any]
) -> None:
    (storage_root / "archive-old").mkdir()
    (storage_root / "archive-old" / "a.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    inventory_services.update_asset(
        asset=confidential, data={"location": "test:archive-old"}, actor=readers["steward"]
    )
    inventory_services.update_asset(
        asset=confidential, data={"location": f"test:{SECRET_DIR}"}, actor=readers["steward"]
    )

    def location_changes(reader: str) -> list[tuple[Any, Any]]:
        response = client_for(readers[reader]).get(f"/api/v1/assets/{confidential.pk}/history/")
        assert response.status_code == 200
        return [
            (c["old"], c["new"])
            for entry in response.json()
            for c in entry["changes"]
            if c["field"] == "location"
        ]

    assert location_changes("steward") == [
        ("test:archive-old", f"test:{SECRET_DIR}"),
        (f"test:{SECRET_DIR}", "test:archive-old"),
    ]
    assert location_changes("reviewer") == [(REDACTED, REDACTED), (REDACTED, REDACTED)]
