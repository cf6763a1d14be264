from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from rest_framework.test import APIClient

from inventory.models import ApiToken, Asset, Membership, Nation
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


# knls holds the test root and, so that the address checks (not the grant) refuse them, the
# hosts of the refused URLs below.
KNLS_STORAGE = [
    ("root", "test", ""),
    ("https", "", "127.0.0.1"),
    ("https", "", "169.254.169.254"),
    ("https", "", "[::ffff:10.0.0.1]"),
]


@pytest.fixture
def steward(storage_root: Path) -> AbstractUser:
    return MembershipFactory(
        organization=OrganizationFactory(slug="knls", storage=KNLS_STORAGE)
    ).user


@pytest.fixture
def client(steward: AbstractUser) -> APIClient:
    client = APIClient()
    client.force_login(steward)
    return client


def valid_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "Swahili news 2024",
        "description": "Daily news articles.",
        "location": "test:corpus/news.jsonl",
        "text_field": "text",
        "languages": ["sw", "en-KE"],
        "license": "cc-by-4.0",
        "origin_nations": ["ke"],
        "hosting_nation": "KE",
        "custodian": "Kenya National Library Service",
        "access_level": "restricted",
        "tags": ["news"],
    }
    body.update(changes)
    return body


def test_a_steward_registers_an_asset_and_the_server_sets_owner_and_registrant(
    client: APIClient, steward: AbstractUser
) -> None:
    response = client.post("/api/v1/assets/", valid_body(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    asset = Asset.objects.get(pk=body["id"])
    assert body | {"created_at": None, "updated_at": None} == {
        "id": asset.pk,
        "slug": "swahili-news-2024",
        "title": "Swahili news 2024",
        "description": "Daily news articles.",
        "organization": "knls",
        "location": "test:corpus/news.jsonl",
        "format": "jsonl",
        "compression": "",
        "document_unit": "",
        "text_field": "text",
        "languages": ["en", "sw"],
        "license": "CC-BY-4.0",
        "license_class": "open-attribution",
        "origin_nations": ["KE"],
        "hosting_nation": "KE",
        "custodian": "Kenya National Library Service",
        "access_level": "restricted",
        "tags": ["news"],
        "status": "registered",
        "registered_by": steward.username,
        "created_at": None,
        "updated_at": None,
    }
    assert list(asset.licenses.values_list("spdx_id", flat=True)) == ["CC-BY-4.0"]


def test_format_and_compression_are_inferred_from_the_file_name(
    client: APIClient, storage_root: Path
) -> None:
    (storage_root / "corpus" / "news.jsonl").rename(storage_root / "corpus" / "news.jsonl.zst")

    response = client.post(
        "/api/v1/assets/", valid_body(location="test:corpus/news.jsonl.zst"), format="json"
    )

    assert response.status_code == 201, response.content
    assert (response.json()["format"], response.json()["compression"]) == ("jsonl", "zst")


def test_plain_text_defaults_to_one_document_per_line(
    client: APIClient, storage_root: Path
) -> None:
    (storage_root / "corpus" / "news.jsonl").rename(storage_root / "corpus" / "news.txt")

    response = client.post(
        "/api/v1/assets/",
        valid_body(location="test:corpus/news.txt", text_field=""),
        format="json",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["format"], response.json()["document_unit"]) == ("text", "line")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"languages": ["sw", "xx-invalid"]}, "languages", "unknown language tag 'xx-invalid'"),
        ({"languages": []}, "languages", "non-empty list"),
        ({"languages": "sw"}, "languages", "non-empty list"),
        ({"languages": ["und"]}, "languages", "'und' is not a declared language"),
        ({"license": "NotALicence-1.0"}, "license", "Unknown license key(s): NotALicence-1.0"),
        ({"license": "MIT AND"}, "license", "invalid licence expression"),
        ({"origin_nations": ["KE", "QQ"]}, "origin_nations", "unknown nation 'QQ'"),
        ({"hosting_nation": "XX"}, "hosting_nation", "does not exist"),
        ({"text_field": ""}, "text_field", "required for jsonl"),
        ({"format": "csv", "text_field": ""}, "text_field", "required for csv"),
        ({"document_unit": "line"}, "document_unit", "only plain text has a document unit"),
        ({"format": "docx"}, "format", "is not a valid choice"),
        ({"location": "test:../etc/passwd"}, "location", "'..' is not allowed"),
        ({"location": "/dev/zero"}, "location", "is not in a storage root"),
        ({"location": "file:///etc/passwd"}, "location", "unsupported scheme 'file'"),
        ({"location": "ftp://example.org/a"}, "location", "unsupported scheme 'ftp'"),
        ({"location": "gopher://example.org/"}, "location", "unsupported scheme 'gopher'"),
        ({"location": "https://127.0.0.1/x.jsonl"}, "location", "a loopback address: refused"),
        ({"location": "https://169.254.169.254/"}, "location", "a cloud metadata address"),
        ({"location": "https://[::ffff:10.0.0.1]/"}, "location", "a private address: refused"),
        ({"access_level": "secret"}, "access_level", "is not a valid choice"),
        ({"tags": "news"}, "tags", "Expected a list"),
        ({"title": ""}, "title", "may not be blank"),
        ({"title": 12.5, "tags": [{"a": 1}]}, "tags", "Not a valid string"),
    ],
)
def test_bad_registrations_name_the_field_and_store_nothing(
    client: APIClient, changes: dict[str, Any], field: str, message: str
) -> None:
    response = client.post("/api/v1/assets/", valid_body(**changes), format="json")

    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert message in str(errors[field]), errors
    assert Asset.objects.count() == 0


def test_a_steward_of_several_organisations_must_name_one(
    client: APIClient, steward: AbstractUser
) -> None:
    MembershipFactory(user=steward, organization=OrganizationFactory(slug="kbc"))

    refused = client.post("/api/v1/assets/", valid_body(), format="json")
    accepted = client.post("/api/v1/assets/", valid_body(organization="kbc"), format="json")

    assert refused.status_code == 400
    assert refused.json() == {
        "organization": ["you steward several organisations (kbc, knls): name one"]
    }
    assert accepted.status_code == 201
    assert accepted.json()["organization"] == "kbc"


def test_an_oversize_body_is_refused_and_nothing_stored(client: APIClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post("/api/v1/assets/", valid_body(description="x" * 20_000), format="json")

    assert response.status_code == 413
    assert response.json()["detail"].endswith("exceeds the limit of 10000 bytes.")
    assert Asset.objects.count() == 0


def test_patch_cannot_change_owner_status_or_registrant(
    client: APIClient, steward: AbstractUser
) -> None:
    asset = AssetFactory(organization=steward.memberships.get().organization)
    other = OrganizationFactory(slug="elsewhere")
    registrant = asset.registered_by_id

    moved = client.patch(f"/api/v1/assets/{asset.pk}/", {"organization": other.slug}, format="json")
    ignored = client.patch(
        f"/api/v1/assets/{asset.pk}/",
        {"status": "profiled", "registered_by": "someone", "slug": "hijack"},
        format="json",
    )

    assert moved.status_code == 400
    assert moved.json() == {
        "organization": ["an asset's organisation is changed by a transfer, not an update"]
    }
    assert ignored.status_code == 200
    asset.refresh_from_db()
    assert asset.organization == steward.memberships.get().organization
    assert (asset.status, asset.registered_by_id, asset.slug) == (
        "registered",
        registrant,
        asset.slug,
    )
    assert asset.slug != "hijack"


def test_history_shows_who_changed_the_licence_and_when(
    client: APIClient, steward: AbstractUser
) -> None:
    created = client.post("/api/v1/assets/", valid_body(), format="json").json()
    changer = MembershipFactory(organization=steward.memberships.get().organization).user
    other_client = APIClient()
    other_client.force_login(changer)

    other_client.patch(
        f"/api/v1/assets/{created['id']}/", {"license": "CC-BY-NC-4.0"}, format="json"
    )
    history = client.get(f"/api/v1/assets/{created['id']}/history/").json()

    assert [entry["change"] for entry in history] == ["changed", "created"]
    latest = history[0]
    assert latest["changed_by"] == changer.username
    assert latest["changed_at"] is not None
    assert {"field": "license_expression", "old": "CC-BY-4.0", "new": "CC-BY-NC-4.0"} in latest[
        "changes"
    ]
    assert {"field": "license_class", "old": "open-attribution", "new": "non-commercial"} in (
        latest["changes"]
    )
    assert history[1]["changed_by"] == steward.username


def test_a_confidential_location_is_shown_only_to_its_organisation_and_admins(
    storage_root: Path,
) -> None:
    kenya = Nation.objects.get(alpha2="KE")
    owner = OrganizationFactory(slug="owner", nation=kenya)
    asset = AssetFactory(organization=owner, access_level="confidential")
    member = MembershipFactory(organization=owner).user
    reviewer = MembershipFactory(
        organization=OrganizationFactory(slug="ministry", nation=kenya, kind="ministry"),
        role=Membership.Role.REVIEWER,
    ).user
    admin = UserFactory(is_staff=True)

    def location_seen_by(user: AbstractUser) -> Any:
        client = APIClient()
        client.force_login(user)
        detail = client.get(f"/api/v1/assets/{asset.pk}/").json()["location"]
        listed = client.get("/api/v1/assets/").json()["results"][0]["location"]
        assert detail == listed
        return detail

    assert location_seen_by(member) == asset.location
    assert location_seen_by(admin) == asset.location
    assert location_seen_by(reviewer) is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"language": "swh"}, ["sw-corpus"]),
        ({"language": "yo"}, ["yoruba"]),
        ({"nation": "ng"}, ["yoruba"]),
        ({"license_class": "non-commercial"}, ["yoruba"]),
        ({"search": "radio"}, ["yoruba"]),
        ({"access_level": "restricted"}, ["restricted-one"]),
        ({"organization": "knls"}, ["restricted-one", "sw-corpus"]),
        ({"status": "retired"}, []),
    ],
)
def test_asset_list_filters(client: APIClient, params: dict[str, str], expected: list[str]) -> None:
    nigeria = Nation.objects.get(alpha2="NG")
    public_org = OrganizationFactory(slug="radio-ng", nation=nigeria)
    AssetFactory(
        slug="sw-corpus", organization=OrganizationFactory(slug="knls"), access_level="public"
    )
    yoruba = AssetFactory(
        slug="yoruba",
        title="Yoruba radio transcripts",
        organization=public_org,
        access_level="public",
        license_expression="CC-BY-NC-4.0",
        license_class="non-commercial",
        languages=["yo"],
    )
    yoruba.origin_nations.set([nigeria])
    AssetFactory(
        slug="restricted-one", organization=OrganizationFactory(slug="knls"), languages=["en"]
    )

    response = client.get("/api/v1/assets/", params)

    assert response.status_code == 200
    slugs = sorted(item["slug"] for item in response.json()["results"])
    assert slugs == sorted(expected)


def test_an_unknown_language_filter_is_a_clear_error(client: APIClient) -> None:
    response = client.get("/api/v1/assets/", {"language": "xx-invalid"})
    assert response.status_code == 400
    assert "xx-invalid" in response.json()["language"][0]


def test_page_size_is_bounded(client: APIClient, steward: AbstractUser) -> None:
    AssetFactory.create_batch(3, organization=steward.memberships.get().organization)
    body = client.get("/api/v1/assets/", {"page_size": 100_000}).json()
    assert len(body["results"]) == 3
    assert body["next"] is None


def test_a_manifests_token_cannot_read_assets(steward: AbstractUser) -> None:
    _, token = ApiToken.objects.create(
        steward, expiry=timedelta(days=1), name="trainer", scope="manifests"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/v1/assets/").status_code == 403
    assert client.get("/api/v1/nations/").status_code == 403


def test_tokens_are_stored_hashed(steward: AbstractUser) -> None:
    row, token = ApiToken.objects.create(steward, expiry=timedelta(days=1), name="p")
    assert token.startswith("scr_")
    assert token not in {row.digest, row.token_key}
    assert len(row.digest) == 128
