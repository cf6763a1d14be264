"""The authorisation matrix of /api/v1/assets/: every actor × action × owner."""

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from inventory.models import ApiToken, Asset, Membership, Nation, Organization
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "steward_a",
    "steward_b",
    "reviewer_of_a_nation",
    "reviewer_of_other_nation",
    "read_token",
    "manifests_token",
    "admin",
    "expired_token",
    "revoked_token",
    "removed_from_a",
]
ACTIONS = ["list", "retrieve", "create", "update", "retire", "history", "duplicates"]
OWNERS = ["a_public", "a_restricted", "b_public", "b_restricted"]

UNAUTHENTICATED = {"anonymous", "expired_token", "revoked_token"}
# Who sees which asset (beyond the public ones every authenticated user sees).
SEES_RESTRICTED = {
    "steward_a": {"a"},
    "steward_b": {"b"},
    "reviewer_of_a_nation": {"a"},
    "reviewer_of_other_nation": set(),
    "read_token": {"a"},
    "manifests_token": {"a"},
    "admin": {"a", "b"},
    "removed_from_a": set(),
}
EDITS = {"steward_a": {"a"}, "steward_b": {"b"}, "admin": {"a", "b"}}


def expected_status(actor: str, action: str, owner: str) -> int:
    org, access = owner.split("_")
    if actor in UNAUTHENTICATED:
        return 401
    if actor == "manifests_token":
        return 403  # manifest endpoints only
    visible = access == "public" or org in SEES_RESTRICTED[actor]
    if action == "list":
        return 200
    if action == "create":
        if actor == "read_token":
            return 403
        return 201 if org in EDITS.get(actor, set()) else 400
    if action in {"retrieve", "history", "duplicates"}:
        return 200 if visible else 404
    # update, retire
    if actor == "read_token":
        return 403
    if not visible:
        return 404
    return 200 if org in EDITS.get(actor, set()) else 403


@pytest.fixture
def world(storage_root: Any) -> dict[str, Any]:
    kenya, nigeria, south_africa = (Nation.objects.get(alpha2=c) for c in ("KE", "NG", "ZA"))
    # Each organisation holds its own folder of the test root (and the shared `corpus` its
    # assets were registered in before grants); new assets are registered in its own folder.
    for folder in ("a", "b"):
        (storage_root / folder).mkdir()
        (storage_root / folder / "news.jsonl").write_text('{"text": "Habari"}\n')
    org_a = OrganizationFactory(
        slug="org-a", nation=kenya, storage=[("root", "test", "a"), ("root", "test", "corpus")]
    )
    org_b = OrganizationFactory(
        slug="org-b", nation=nigeria, storage=[("root", "test", "b"), ("root", "test", "corpus")]
    )
    ministry_ke = OrganizationFactory(slug="ict-ke", nation=kenya, kind=Organization.Kind.MINISTRY)
    ministry_za = OrganizationFactory(
        slug="dcdt-za", nation=south_africa, kind=Organization.Kind.MINISTRY
    )
    users = {
        "steward_a": MembershipFactory(organization=org_a).user,
        "steward_b": MembershipFactory(organization=org_b).user,
        "reviewer_of_a_nation": MembershipFactory(
            organization=ministry_ke, role=Membership.Role.REVIEWER
        ).user,
        "reviewer_of_other_nation": MembershipFactory(
            organization=ministry_za, role=Membership.Role.REVIEWER
        ).user,
        "admin": UserFactory(is_staff=True),
        "removed_from_a": MembershipFactory(organization=org_a).user,
    }
    Membership.objects.filter(user=users["removed_from_a"]).delete()
    assets = {
        f"{org}_{access}": AssetFactory(
            organization=organization,
            access_level=access,
            location="test:corpus/news.jsonl",
            title=f"{org} {access}",
        )
        for org, organization in (("a", org_a), ("b", org_b))
        for access in ("public", "restricted")
    }
    _, read_token = ApiToken.objects.create(
        users["steward_a"], expiry=timedelta(days=1), name="pipeline", scope="read"
    )
    _, manifests_token = ApiToken.objects.create(
        users["steward_a"], expiry=timedelta(days=1), name="puller", scope="manifests"
    )
    _, expired = ApiToken.objects.create(
        users["steward_a"], expiry=timedelta(seconds=-1), name="old", scope="read"
    )
    revoked_row, revoked = ApiToken.objects.create(
        users["steward_a"], expiry=timedelta(days=1), name="revoked", scope="read"
    )
    revoked_row.delete()
    return {
        "users": users,
        "assets": assets,
        "orgs": {"a": org_a, "b": org_b},
        "tokens": {
            "read_token": read_token,
            "manifests_token": manifests_token,
            "expired_token": expired,
            "revoked_token": revoked,
        },
    }


def client_for(actor: str, world: dict[str, Any]) -> APIClient:
    client = APIClient()
    if actor in world["tokens"]:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world['tokens'][actor]}")
    elif actor != "anonymous":
        client.force_login(world["users"][actor])
    return client


def snapshot(asset: Asset) -> tuple[Any, ...]:
    asset.refresh_from_db()
    return (asset.title, asset.status, asset.organization_id, asset.updated_at)


@pytest.mark.parametrize("owner", OWNERS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor", ACTORS)
def test_asset_authorization_matrix(
    world: dict[str, Any], actor: str, action: str, owner: str
) -> None:
    client = client_for(actor, world)
    asset = world["assets"][owner]
    org, access = owner.split("_")
    before = snapshot(asset)
    count = Asset.objects.count()
    url = f"/api/v1/assets/{asset.pk}/"
    expected = expected_status(actor, action, owner)

    if action == "list":
        response = client.get("/api/v1/assets/", {"page_size": 500})
    elif action == "retrieve":
        response = client.get(url)
    elif action == "history":
        response = client.get(f"{url}history/")
    elif action == "duplicates":
        response = client.get(f"{url}duplicates/")
    elif action == "update":
        response = client.patch(url, {"title": "changed"}, format="json")
    elif action == "retire":
        response = client.post(f"{url}retire/")
    else:
        body = {
            "title": "new corpus",
            "organization": world["orgs"][org].slug,
            "location": f"test:{org}/news.jsonl",
            "text_field": "text",
            "languages": ["sw"],
            "license": "CC-BY-4.0",
            "access_level": access,
        }
        response = client.post("/api/v1/assets/", body, format="json")

    assert response.status_code == expected, response.content
    if action == "list" and expected == 200:
        listed = {item["id"] for item in response.json()["results"]}
        visible = access == "public" or org in SEES_RESTRICTED[actor]
        assert (asset.pk in listed) is visible
        for other_owner, other in world["assets"].items():
            other_org, other_access = other_owner.split("_")
            allowed = other_access == "public" or other_org in SEES_RESTRICTED[actor]
            assert (other.pk in listed) is allowed
    if action == "duplicates" and expected == 200:
        # a_public and a_restricted share a location: each names the other only to its readers
        holders = response.json()["same_location"]
        assert len(holders) == 1
        twin = world["assets"][f"{org}_{'restricted' if access == 'public' else 'public'}"]
        sees_twin = twin.access_level == "public" or org in SEES_RESTRICTED[actor]
        assert holders[0] == {
            "asset": twin.pk if sees_twin else None,
            "title": twin.title if sees_twin else None,
            "organization": world["orgs"][org].slug,
            "name": None,
        }
    if action in {"update", "retire"} and expected != 200:
        assert snapshot(asset) == before
    if action == "update" and expected == 200:
        assert snapshot(asset)[0] == "changed"
    if action == "retire" and expected == 200:
        assert snapshot(asset)[1] == Asset.Status.RETIRED
    if action == "create":
        assert Asset.objects.count() == count + (1 if expected == 201 else 0)


# The files of an asset (`/api/v1/assets/{id}/files/{name}`, a manifest entry's contentUrl): a
# session or `read` token reaches the files of what it sees; a `manifests` token only files
# listed in a ready version of a manifest its user reads (org A's lists A's restricted asset).
LISTED = {"a_restricted"}


def expected_file_status(actor: str, owner: str) -> int:
    org, access = owner.split("_")
    if actor in UNAUTHENTICATED:
        return 401
    if actor == "manifests_token":
        return 200 if owner in LISTED else 404
    return 200 if access == "public" or org in SEES_RESTRICTED[actor] else 404


@pytest.fixture
def listed_world(world: dict[str, Any]) -> dict[str, Any]:
    from curation.manifests import services as manifest_service
    from curation.models import Manifest
    from tests.factories import profiled

    for asset in world["assets"].values():
        profiled(asset, {"sw": 1_000})
    manifest = Manifest.objects.create(
        slug="a-restricted",
        title="A's restricted corpora",
        organization=world["orgs"]["a"],
        criteria={"access_levels": ["restricted"]},
        created_by=world["users"]["steward_a"],
    )
    version = manifest_service.request_version(manifest=manifest, actor=world["users"]["steward_a"])
    assert [e.asset_id for e in version.entries.all()] == [world["assets"]["a_restricted"].pk]
    return world


@pytest.mark.parametrize("owner", OWNERS)
@pytest.mark.parametrize("actor", ACTORS)
def test_asset_file_authorization_matrix(
    listed_world: dict[str, Any], actor: str, owner: str
) -> None:
    client = client_for(actor, listed_world)
    asset = listed_world["assets"][owner]

    response = client.get(f"/api/v1/assets/{asset.pk}/files/corpus/news.jsonl")

    expected = expected_file_status(actor, owner)
    assert response.status_code == expected, response.content
    if expected == 200:
        assert b"".join(response.streaming_content) == b'{"text": "Habari za asubuhi"}\n'
    elif expected == 404:
        assert response.json() == {"detail": "No such file."}


# Storage: who registers an asset for org A where. Org A holds `test:a` (and `test:corpus`),
# org B `test:b`; a location outside A's grants is refused for everyone, staff included, with
# the same message whether or not files exist there.
STORAGE_ACTORS = ["steward_a", "steward_b", "admin"]
FOLDERS = ["a/news.jsonl", "b/news.jsonl", "b/missing.jsonl", "*/news.jsonl", "."]


def expected_storage(actor: str, folder: str) -> tuple[int, dict[str, list[str]] | None]:
    if actor == "steward_b":
        return 400, {"organization": ["you are not a steward of 'org-a'"]}
    if folder == "a/news.jsonl":
        return 201, None
    return 400, {"location": [f"'test:{folder}' is not under a storage grant of 'org-a'"]}


@pytest.mark.parametrize("folder", FOLDERS)
@pytest.mark.parametrize("actor", STORAGE_ACTORS)
def test_asset_storage_matrix(world: dict[str, Any], actor: str, folder: str) -> None:
    count = Asset.objects.count()
    body = {
        "title": "new corpus",
        "organization": "org-a",
        "location": f"test:{folder}",
        "text_field": "text",
        "languages": ["sw"],
        "license": "CC-BY-4.0",
    }

    response = client_for(actor, world).post("/api/v1/assets/", body, format="json")

    status, errors = expected_storage(actor, folder)
    assert response.status_code == status, response.content
    if errors is not None:
        assert response.json() == errors
    assert Asset.objects.count() == count + (1 if status == 201 else 0)


@pytest.mark.parametrize("actor", ["steward_a", "admin"])
def test_moving_an_asset_into_another_organisations_folder_is_refused(
    world: dict[str, Any], actor: str
) -> None:
    asset = world["assets"]["a_restricted"]
    before = snapshot(asset)

    refused = client_for(actor, world).patch(
        f"/api/v1/assets/{asset.pk}/", {"location": "test:b/news.jsonl"}, format="json"
    )
    after_refusal = (snapshot(asset), asset.location)
    moved = client_for(actor, world).patch(
        f"/api/v1/assets/{asset.pk}/", {"location": "test:a/news.jsonl"}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json() == {
        "location": ["'test:b/news.jsonl' is not under a storage grant of 'org-a'"]
    }
    assert after_refusal == (before, "test:corpus/news.jsonl")
    assert moved.status_code == 200, moved.content
    asset.refresh_from_db()
    assert asset.location == "test:a/news.jsonl"
