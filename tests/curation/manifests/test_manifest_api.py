"""Manifests through the API: versions, formats, ETags, downloads, diffs, visibility."""

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from curation.models import ManifestDownload, ManifestVersion
from inventory.models import ApiToken, Asset
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, profiled

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward_client(steward: Any) -> APIClient:
    client = APIClient()
    client.force_login(steward)
    return client


@pytest.fixture
def pipeline(steward: Any) -> APIClient:
    """A pipeline holding a read-scoped token of the steward."""
    _, token = ApiToken.objects.create(steward, expiry=timedelta(days=1), name="trainer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def profiled_asset(asset: Asset) -> Asset:
    profiled(asset, {"sw": 9_000, "en": 1_000})
    return asset


def create_manifest(client: APIClient, **criteria: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/manifests/",
        {
            "slug": "swahili-v1",
            "title": "Swahili text",
            "criteria": {"languages": ["sw"], **criteria},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def materialise(client: APIClient, slug: str = "swahili-v1") -> dict[str, Any]:
    response = client.post(f"/api/v1/manifests/{slug}/versions/")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_pipeline_downloads_a_version_twice_byte_identical(
    profiled_asset: Asset, steward_client: APIClient, pipeline: APIClient
) -> None:
    create_manifest(steward_client)
    version = materialise(steward_client)

    first = pipeline.get("/api/v1/manifests/swahili-v1/versions/1/")
    second = pipeline.get("/api/v1/manifests/swahili-v1/versions/latest/")

    assert first.status_code == second.status_code == 200
    body = b"".join(first.streaming_content)
    assert body == b"".join(second.streaming_content)
    assert first["ETag"] == f'"{version["content_hash"]}"'
    document = json.loads(body)
    assert [e["name"] for e in document["entries"]] == [
        "corpus/part-0.jsonl",
        "corpus/part-1.jsonl.gz",
        "corpus/part-2.jsonl",
    ]
    assert version["entry_count"] == 3
    assert ManifestDownload.objects.filter(token="trainer").count() == 2


def test_if_none_match_answers_304_without_logging(
    profiled_asset: Asset, steward_client: APIClient, pipeline: APIClient
) -> None:
    create_manifest(steward_client)
    version = materialise(steward_client)

    response = pipeline.get(
        "/api/v1/manifests/swahili-v1/versions/1/",
        HTTP_IF_NONE_MATCH=f'"{version["content_hash"]}"',
    )

    assert response.status_code == 304
    assert ManifestDownload.objects.count() == 0


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "croissant"])
def test_every_format_lists_the_same_files(
    profiled_asset: Asset, steward_client: APIClient, pipeline: APIClient, fmt: str
) -> None:
    create_manifest(steward_client)
    materialise(steward_client)

    response = pipeline.get("/api/v1/manifests/swahili-v1/versions/1/", {"format": fmt})

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    if fmt == "jsonl":
        lines = [json.loads(line) for line in text.splitlines()]
        names = [line["name"] for line in lines[1:]]
    elif fmt == "csv":
        names = [row["name"] for row in csv.DictReader(io.StringIO(text))]
    else:
        document = json.loads(text)
        assert document["@type"] == "sc:Dataset"
        names = [d["name"] for d in document["distribution"]]
    assert sorted(names) == ["corpus/part-0.jsonl", "corpus/part-1.jsonl.gz", "corpus/part-2.jsonl"]


def test_a_new_version_picks_up_a_newly_profiled_asset_and_the_old_one_stays(
    profiled_asset: Asset, steward_client: APIClient, storage_root: Path, steward: Any
) -> None:
    create_manifest(steward_client)
    materialise(steward_client)
    before = b"".join(
        steward_client.get("/api/v1/manifests/swahili-v1/versions/1/").streaming_content
    )
    (storage_root / "radio").mkdir()
    (storage_root / "radio" / "talk.jsonl").write_text('{"text": "Habari za jioni"}\n')
    newer = AssetFactory(
        organization=steward.memberships.get().organization, location="test:radio", slug="radio"
    )
    profiled(newer, {"sw": 500})

    second = materialise(steward_client)
    after = b"".join(
        steward_client.get("/api/v1/manifests/swahili-v1/versions/1/").streaming_content
    )
    diff = steward_client.get("/api/v1/manifests/swahili-v1/versions/1/diff/2/").json()

    assert second["number"] == 2
    assert second["entry_count"] == 4
    assert after == before
    assert [e["name"] for e in diff["added"]] == ["radio/talk.jsonl"]
    assert diff["removed"] == []
    assert diff["changed"] == []


def test_the_same_selection_gives_the_same_content_hash(
    profiled_asset: Asset, steward_client: APIClient
) -> None:
    create_manifest(steward_client)
    first = materialise(steward_client)
    second = materialise(steward_client)

    assert first["content_hash"] == second["content_hash"]
    assert (first["number"], second["number"]) == (1, 2)


def test_non_commercial_assets_stay_out_of_a_commercial_manifest(
    profiled_asset: Asset, steward_client: APIClient
) -> None:
    Asset.objects.filter(pk=profiled_asset.pk).update(license_class="non-commercial")
    create_manifest(steward_client, purpose="commercial")

    assert materialise(steward_client)["entry_count"] == 0


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"languages": ["xx-invalid"]}, "unknown language tag 'xx-invalid'"),
        ({"colour": "blue"}, "unknown criteria ['colour']"),
        ({"purpose": "profit"}, "purpose: give commercial or research"),
        ({"max_duplicate_rate": 7}, "max_duplicate_rate"),
        ({"origin_nations": 12}, "origin_nations: give a list of strings"),
        ({"languages": "sw"}, "languages: give a list of strings"),
        ({"access_levels": [1]}, "access_levels: give a list of strings"),
        ({"exclude_mixed": "yes"}, "exclude_mixed: give true or false"),
    ],
)
def test_bad_criteria_are_refused(
    steward_client: APIClient, criteria: dict[str, Any], message: str
) -> None:
    response = steward_client.post(
        "/api/v1/manifests/", {"slug": "x", "title": "x", "criteria": criteria}, format="json"
    )
    assert response.status_code == 400
    assert message in response.json()["criteria"][0]


def test_other_organisations_do_not_see_a_manifest(
    profiled_asset: Asset, steward_client: APIClient
) -> None:
    create_manifest(steward_client)
    outsider = APIClient()
    outsider.force_login(MembershipFactory(organization=OrganizationFactory(slug="else")).user)

    assert outsider.get("/api/v1/manifests/swahili-v1/").status_code == 404
    assert outsider.get("/api/v1/manifests/").json()["count"] == 0
    assert APIClient().get("/api/v1/manifests/").status_code == 401


def test_a_read_token_cannot_materialise(
    profiled_asset: Asset, steward_client: APIClient, pipeline: APIClient
) -> None:
    create_manifest(steward_client)
    assert pipeline.post("/api/v1/manifests/swahili-v1/versions/").status_code == 403
    assert ManifestVersion.objects.count() == 0


def test_a_manifests_token_reads_manifests_only(
    profiled_asset: Asset, steward_client: APIClient, steward: Any
) -> None:
    create_manifest(steward_client)
    materialise(steward_client)
    _, token = ApiToken.objects.create(
        steward, expiry=timedelta(days=1), name="m", scope="manifests"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/v1/manifests/swahili-v1/versions/1/").status_code == 200
    assert client.get(f"/api/v1/assets/{profiled_asset.pk}/").status_code == 403


def test_attribution_bundle_lists_the_lines_to_reproduce(
    profiled_asset: Asset, steward_client: APIClient
) -> None:
    create_manifest(steward_client)
    materialise(steward_client)

    bundle = steward_client.get("/api/v1/manifests/swahili-v1/versions/1/attribution/").json()

    owner = profiled_asset.organization.name
    assert bundle == [
        {
            "license": "CC-BY-4.0",
            "license_class": "open-attribution",
            "license_urls": ["https://spdx.org/licenses/CC-BY-4.0.html"],
            "assets": [profiled_asset.slug],
            "lines": [f'"{profiled_asset.title}" by {owner}, CC-BY-4.0'],
        }
    ]


def test_export_manifest_command_writes_the_api_bytes(
    profiled_asset: Asset, steward_client: APIClient, tmp_path: Path, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = "http://testserver"
    create_manifest(steward_client)
    materialise(steward_client)
    target = tmp_path / "m.jsonl"

    call_command("export_manifest", "swahili-v1", "--format", "jsonl", "--output", str(target))
    api = b"".join(
        steward_client.get(
            "/api/v1/manifests/swahili-v1/versions/1/", {"format": "jsonl"}
        ).streaming_content
    )

    assert target.read_bytes() == api


def test_the_api_croissant_passes_mlcroissant_and_the_spec_check(
    profiled_asset: Asset, steward_client: APIClient, pipeline: APIClient
) -> None:
    mlcroissant = pytest.importorskip("mlcroissant")
    from tests.curation.manifests.croissant_check import check_croissant

    create_manifest(steward_client)
    materialise(steward_client)
    response = pipeline.get("/api/v1/manifests/swahili-v1/versions/1/", {"format": "croissant"})
    document = json.loads(b"".join(response.streaming_content))

    assert check_croissant(document) == []
    dataset = mlcroissant.Dataset(jsonld=document)
    assert dataset.metadata.ctx.issues.errors == set()
    assert document["distribution"][0]["contentUrl"].startswith(
        f"http://testserver/api/v1/assets/{profiled_asset.pk}/files/corpus/"
    )
    file_url = document["distribution"][0]["contentUrl"].removeprefix("http://testserver")
    assert pipeline.get(file_url).status_code == 200
