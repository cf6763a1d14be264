"""Manifests through the API: versions, formats, ETags, downloads, diffs, visibility."""

import csv
import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from curation.models import Manifest, ManifestDownload, ManifestEntry, ManifestVersion
from inventory.models import ApiToken, Asset, Nation
from tests.factories import (
    AssetFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    profiled,
)

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


# --- Tenant walls: what a version may carry, what a manifests token reaches -------------------

FORMATS = ["json", "jsonl", "csv", "croissant"]


@pytest.fixture
def walls(storage_root: Path) -> dict[str, Any]:
    """Organisation A (owner of the manifest) and B, each with a live profiled public,
    restricted and confidential asset in a file of its own bytes; A also has a retired one and
    an unprofiled one."""
    org_a = OrganizationFactory(slug="org-a")
    org_b = OrganizationFactory(slug="org-b", nation=Nation.objects.get(alpha2="NG"))
    assets: dict[str, Asset] = {}
    for key, organization, access in [
        ("a_public", org_a, "public"),
        ("a_restricted", org_a, "restricted"),
        ("a_confidential", org_a, "confidential"),
        ("a_retired", org_a, "public"),
        ("a_unprofiled", org_a, "public"),
        ("b_public", org_b, "public"),
        ("b_restricted", org_b, "restricted"),
        ("b_confidential", org_b, "confidential"),
    ]:
        directory = storage_root / key
        directory.mkdir()
        (directory / "text.jsonl").write_text(json.dumps({"text": f"Habari {key}"}) + "\n")
        assets[key] = AssetFactory(
            organization=organization,
            access_level=access,
            location=f"test:{key}",
            slug=key.replace("_", "-"),
            title=f"Title of {key}",
        )
        if key != "a_unprofiled":
            profiled(assets[key], {"sw": 1_000})
    Asset.objects.filter(pk=assets["a_retired"].pk).update(status=Asset.Status.RETIRED)
    member_of_a = MembershipFactory(organization=org_a).user
    member_of_both = MembershipFactory(organization=org_a).user
    MembershipFactory(organization=org_b, user=member_of_both)
    return {
        "root": storage_root,
        "orgs": {"a": org_a, "b": org_b},
        "assets": assets,
        "users": {
            "member_of_a": member_of_a,
            "member_of_both": member_of_both,
            "staff": UserFactory(is_staff=True),
        },
    }


def foreign_traces(walls: dict[str, Any]) -> list[str]:
    """What of B's non-public assets must never reach A: titles, slugs, locations, checksums."""
    traces = []
    for key in ("b_restricted", "b_confidential"):
        asset = walls["assets"][key]
        data = (walls["root"] / key / "text.jsonl").read_bytes()
        traces += [asset.title, asset.slug, key, hashlib.sha256(data).hexdigest()]
    return traces


def session(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(user: Any, scope: str) -> APIClient:
    _, token = ApiToken.objects.create(user, expiry=timedelta(days=1), name=scope, scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


OWNER_AND_PUBLIC = [
    ("a-public", "a_public/text.jsonl"),
    ("a-restricted", "a_restricted/text.jsonl"),
    ("a-confidential", "a_confidential/text.jsonl"),
    ("b-public", "b_public/text.jsonl"),
]


@pytest.mark.parametrize("inline", [True, False])
@pytest.mark.parametrize("creator", ["member_of_a", "member_of_both", "staff"])
def test_a_version_holds_only_the_owners_assets_and_public_ones_whoever_creates_it(
    walls: dict[str, Any],
    creator: str,
    inline: bool,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MANIFEST_INLINE_ASSETS = 50 if inline else 0
    client = session(walls["users"][creator])
    created = client.post(
        "/api/v1/manifests/",
        {"slug": "walls", "title": "Walls", "organization": "org-a", "criteria": {}},
        format="json",
    )
    assert created.status_code == 201, created.content

    with django_capture_on_commit_callbacks(execute=True):
        requested = client.post("/api/v1/manifests/walls/versions/")

    assert requested.status_code == (201 if inline else 202)
    version = ManifestVersion.objects.get(manifest__slug="walls", number=1)
    assert version.status == ManifestVersion.Status.READY
    assert version.created_by == walls["users"][creator]
    stored = [
        (e["asset_slug"], e["name"])
        for e in version.entries.order_by("position").values_list("data", flat=True)
    ]
    assert stored == OWNER_AND_PUBLIC
    assert version.entry_count == 4
    member = session(walls["users"]["member_of_a"])
    pipeline = token_client(walls["users"]["member_of_a"], "manifests")
    bodies = [
        b"".join(
            reader.get("/api/v1/manifests/walls/versions/1/", {"format": fmt}).streaming_content
        )
        for reader in (member, pipeline)
        for fmt in FORMATS
    ]
    bodies.append(member.get("/api/v1/manifests/walls/versions/1/attribution/").content)
    bodies.append(member.get("/api/v1/manifests/walls/versions/1/diff/1/").content)
    listed = json.loads(bodies[0])
    assert [(e["asset_slug"], e["name"]) for e in listed["entries"]] == OWNER_AND_PUBLIC
    assert "Title of a_confidential" in bodies[0].decode()
    for body in bodies:
        for trace in foreign_traces(walls):
            assert trace not in body.decode()


def test_a_version_carries_the_same_entries_whoever_creates_it(walls: dict[str, Any]) -> None:
    hashes = []
    for n, creator in enumerate(["member_of_a", "member_of_both", "staff"], 1):
        client = session(walls["users"][creator])
        if n == 1:
            created = client.post(
                "/api/v1/manifests/",
                {"slug": "walls", "title": "Walls", "organization": "org-a", "criteria": {}},
                format="json",
            )
            assert created.status_code == 201
        response = client.post("/api/v1/manifests/walls/versions/")
        assert response.status_code == 201
        assert response.json()["number"] == n
        hashes.append(response.json()["content_hash"])

    assert len(set(hashes)) == 1


def test_criteria_cannot_reach_another_organisations_non_public_assets(
    walls: dict[str, Any],
) -> None:
    client = session(walls["users"]["member_of_both"])
    client.post(
        "/api/v1/manifests/",
        {
            "slug": "walls",
            "title": "Walls",
            "organization": "org-a",
            "criteria": {"access_levels": ["restricted", "confidential"]},
        },
        format="json",
    )

    response = client.post("/api/v1/manifests/walls/versions/")

    assert response.status_code == 201
    version = ManifestVersion.objects.get(manifest__slug="walls")
    assert [e.asset_id for e in version.entries.order_by("position")] == [
        walls["assets"]["a_restricted"].pk,
        walls["assets"]["a_confidential"].pk,
    ]


@pytest.fixture
def listed(walls: dict[str, Any]) -> dict[str, Any]:
    """A's manifest with a ready version listing A's restricted asset only; a pending version
    listing A's public asset; B's manifest with a ready version listing B's public asset."""
    steward_a = walls["users"]["member_of_a"]
    steward_b = MembershipFactory(organization=walls["orgs"]["b"]).user
    Asset.objects.filter(pk=walls["assets"]["b_public"].pk).update(
        hosting_nation=Nation.objects.get(alpha2="NG")
    )
    for slug, owner, steward, criteria in [
        ("a-restricted-only", "org-a", steward_a, {"access_levels": ["restricted"]}),
        ("b-public-only", "org-b", steward_b, {"hosting_nations": ["NG"]}),
    ]:
        client = session(steward)
        created = client.post(
            "/api/v1/manifests/",
            {"slug": slug, "title": slug, "organization": owner, "criteria": criteria},
            format="json",
        )
        assert created.status_code == 201, created.content
        version = client.post(f"/api/v1/manifests/{slug}/versions/")
        assert version.status_code == 201
        assert version.json()["entry_count"] == 1
    pending = ManifestVersion.objects.create(
        manifest=Manifest.objects.get(slug="a-restricted-only"),
        number=2,
        created_by=steward_a,
        criteria={},
        status=ManifestVersion.Status.PENDING,
    )
    ManifestEntry.objects.create(
        version=pending,
        position=0,
        asset=walls["assets"]["a_public"],
        name="a_public/text.jsonl",
        size=1,
        sha256="0" * 64,
        data={},
    )
    return walls


def file_url(walls: dict[str, Any], key: str, name: str = "text.jsonl") -> str:
    return f"/api/v1/assets/{walls['assets'][key].pk}/files/{key}/{name}"


@pytest.mark.parametrize(
    ("key", "manifests_token", "read_token_or_session"),
    [
        ("a_restricted", 200, 200),  # listed in a ready version of A's manifest
        ("a_public", 404, 200),  # listed only in a pending version
        ("a_confidential", 404, 200),  # in no version
        ("b_public", 404, 200),  # listed in a ready version of B's manifest, which A cannot read
        ("b_restricted", 404, 404),  # not visible at all
        ("b_confidential", 404, 404),
    ],
)
def test_a_manifests_token_reaches_only_files_listed_in_a_readable_ready_version(
    listed: dict[str, Any], key: str, manifests_token: int, read_token_or_session: int
) -> None:
    user = listed["users"]["member_of_a"]
    clients = {
        "manifests": token_client(user, "manifests"),
        "read": token_client(user, "read"),
        "session": session(user),
    }

    for scope, client in clients.items():
        response = client.get(file_url(listed, key))
        expected = manifests_token if scope == "manifests" else read_token_or_session
        assert response.status_code == expected, (scope, response.content)
        if expected == 200:
            assert (
                b"".join(response.streaming_content)
                == (listed["root"] / key / "text.jsonl").read_bytes()
            )
        else:
            assert response.json() == {"detail": "No such file."}


def test_a_manifests_token_does_not_reach_unlisted_files_of_a_listed_asset(
    listed: dict[str, Any],
) -> None:
    (listed["root"] / "a_restricted" / "extra.jsonl").write_text('{"text": "x"}\n')
    client = token_client(listed["users"]["member_of_a"], "manifests")

    listed_file = client.get(file_url(listed, "a_restricted"))
    unlisted = client.get(file_url(listed, "a_restricted", "extra.jsonl"))
    session_unlisted = session(listed["users"]["member_of_a"]).get(
        file_url(listed, "a_restricted", "extra.jsonl")
    )

    assert listed_file.status_code == 200
    assert unlisted.status_code == 404
    assert unlisted.json() == {"detail": "No such file."}
    assert session_unlisted.status_code == 200


def test_a_staff_manifests_token_reaches_files_of_any_ready_version(
    listed: dict[str, Any],
) -> None:
    client = token_client(listed["users"]["staff"], "manifests")

    assert client.get(file_url(listed, "b_public")).status_code == 200
    assert client.get(file_url(listed, "a_restricted")).status_code == 200
    assert client.get(file_url(listed, "b_restricted")).status_code == 404
    assert client.get(file_url(listed, "a_public")).status_code == 404


def test_the_csv_download_neutralises_formula_cells_and_json_keeps_them(
    profiled_asset: Asset, steward_client: APIClient, pipeline: APIClient
) -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    Asset.objects.filter(pk=profiled_asset.pk).update(title=formula, custodian="@SUM(A1)")
    create_manifest(steward_client)
    version = materialise(steward_client)

    response = pipeline.get("/api/v1/manifests/swahili-v1/versions/1/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    document = json.loads(
        b"".join(pipeline.get("/api/v1/manifests/swahili-v1/versions/1/").streaming_content)
    )

    assert response.status_code == 200
    assert response["ETag"] == f'"{version["content_hash"]}-csv.2"'
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["asset_title"] for r in rows] == ["'" + formula] * 3
    assert [r["custodian"] for r in rows] == ["'@SUM(A1)"] * 3
    assert {e["asset_title"] for e in document["entries"]} == {formula}
    stale = pipeline.get(
        "/api/v1/manifests/swahili-v1/versions/1/",
        {"format": "csv"},
        HTTP_IF_NONE_MATCH=f'"{version["content_hash"]}-csv"',
    )
    assert stale.status_code == 200  # a CSV cached before neutralisation is sent again


@pytest.mark.parametrize(
    "header",
    ['W/"{hash}"', '"other", W/"{hash}"', "*", '"{hash}"'],
)
def test_if_none_match_compares_weakly(
    profiled_asset: Asset, steward_client: APIClient, pipeline: APIClient, header: str
) -> None:
    create_manifest(steward_client)
    version = materialise(steward_client)

    response = pipeline.get(
        "/api/v1/manifests/swahili-v1/versions/1/",
        HTTP_IF_NONE_MATCH=header.format(hash=version["content_hash"]),
    )

    assert response.status_code == 304
    assert response["ETag"] == f'"{version["content_hash"]}"'


def test_an_unknown_format_is_a_400_naming_the_formats(
    profiled_asset: Asset, steward_client: APIClient, pipeline: APIClient
) -> None:
    create_manifest(steward_client)
    materialise(steward_client)

    response = pipeline.get("/api/v1/manifests/swahili-v1/versions/1/?format=parquet")

    assert response.status_code == 400
    assert response.json() == {
        "format": ["unknown format 'parquet'; this endpoint serves: json, jsonl, csv, croissant"]
    }
