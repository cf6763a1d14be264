"""Text held twice, end to end through the real engine: exact file duplicates flagged on both
assets, a nation's distinct total unchanged by a second copy (registered at another location
or at the same one), overlaps named to readers who may see them, a retired copy leaving the
union."""

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from curation.coverage import services as coverage
from curation.models import ProfileLanguage
from curation.runs import services as runs
from inventory import services as inventory_services
from inventory.models import Asset, Nation
from tests.curation.conftest import SWAHILI, write_jsonl
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenya() -> Nation:
    return Nation.objects.get(alpha2="KE")


@pytest.fixture
def library(storage_root: Path, kenya: Nation) -> Any:
    for folder in ("archive", "library", "extra"):
        (storage_root / folder).mkdir()
    texts = [f"{t} Nakala ya kumbukumbu nambari {i}." for i, t in enumerate(SWAHILI * 60)]
    write_jsonl(storage_root / "archive" / "news.jsonl", texts)
    shutil.copy(storage_root / "archive" / "news.jsonl", storage_root / "library" / "copy.jsonl")
    write_jsonl(
        storage_root / "extra" / "more.jsonl",
        [f"{t} Mpya {i}." for i, t in enumerate(SWAHILI * 10)],
    )
    return OrganizationFactory(
        slug="knls",
        nation=kenya,
        storage=[
            ("root", "test", "archive"),
            ("root", "test", "library"),
            ("root", "test", "extra"),
        ],
    )


def _asset(library: Any, location: str, title: str, access: str = "public") -> Asset:
    asset = AssetFactory(
        organization=library, location=location, title=title, languages=["sw"], access_level=access
    )
    return asset


def _profile(asset: Asset, capture: Any) -> None:
    with capture(execute=True):
        runs.request_profile(asset=asset, requested_by=None)
    asset.refresh_from_db()
    assert asset.status == Asset.Status.PROFILED


def _swahili(kenya: Nation) -> dict[str, Any]:
    report = coverage.refresh_coverage(nation=kenya).data
    return next(r for r in report["languages"] if r["language"] == "sw")


def test_a_second_copy_leaves_the_distinct_total_unchanged(
    library: Any, kenya: Nation, django_capture_on_commit_callbacks: Any
) -> None:
    archive = _asset(library, "test:archive", "Broadcast archive")
    _profile(archive, django_capture_on_commit_callbacks)
    one = _swahili(kenya)
    tokens = ProfileLanguage.objects.get(profile__asset=archive, language="sw").estimated_tokens
    # 240 distinct documents: the sketch is a census, so the distinct total is exact
    assert one["available_tokens"] == one["registered_tokens"] == tokens
    assert one["available_ci95"] == [tokens, tokens]
    assert one["overlaps"] == []

    copy = _asset(library, "test:library", "National library copy")
    _profile(copy, django_capture_on_commit_callbacks)
    twice = _swahili(kenya)
    assert twice["registered_tokens"] == 2 * tokens
    assert twice["available_tokens"] == tokens
    assert twice["tier"] == one["tier"]
    assert twice["overlaps"] == [
        {
            "assets": [archive.pk, copy.pk],
            "organizations": ["knls", "knls"],
            "shared_tokens": tokens,
        }
    ]
    assert "single-source" in twice["flags"]  # two holders of one text are one source
    page = Client()
    page.force_login(MembershipFactory(organization=library).user)
    html = page.get("/reports/KE/").content.decode()
    assert "Distinct tokens count each text once across every asset" in html
    assert "Broadcast archive (knls) and National library copy (knls)" in html

    same_place = _asset(library, "test:archive", "Archive registered again")
    _profile(same_place, django_capture_on_commit_callbacks)
    assert _swahili(kenya)["available_tokens"] == tokens
    assert _swahili(kenya)["registered_tokens"] == 3 * tokens

    extra = _asset(library, "test:extra", "New texts")
    _profile(extra, django_capture_on_commit_callbacks)
    more = ProfileLanguage.objects.get(profile__asset=extra, language="sw").estimated_tokens
    # each row's tokens are rounded on its own; the union adds unrounded ones
    assert abs(_swahili(kenya)["available_tokens"] - (tokens + more)) <= 1

    for asset in (copy, same_place):
        inventory_services.retire_asset(asset=asset, actor=None)
    after = _swahili(kenya)
    assert after["registered_tokens"] == tokens + more
    assert abs(after["available_tokens"] - (tokens + more)) <= 1
    assert after["overlaps"] == []


def test_exact_duplicate_files_are_flagged_on_both_assets(
    library: Any, kenya: Nation, django_capture_on_commit_callbacks: Any
) -> None:
    archive = _asset(library, "test:archive", "Broadcast archive")
    copy = _asset(library, "test:library", "National library copy", access="restricted")
    again = _asset(library, "test:archive/news.jsonl", "Archive file again")
    for asset in (archive, copy):
        _profile(asset, django_capture_on_commit_callbacks)
    steward = MembershipFactory(organization=library).user
    outsider = UserFactory()

    def duplicates(asset: Asset, user: Any) -> dict[str, Any]:
        client = APIClient()
        client.force_login(user)
        response = client.get(f"/api/v1/assets/{asset.pk}/duplicates/")
        assert response.status_code == 200, response.content
        return response.json()

    seen = duplicates(archive, steward)
    assert [f["name"] for f in seen["files"]] == ["archive/news.jsonl"]
    assert seen["files"][0]["also_in"] == [
        {
            "asset": copy.pk,
            "title": "National library copy",
            "organization": "knls",
            "name": "library/copy.jsonl",
        }
    ]
    assert seen["duplicate_bytes"] == seen["files"][0]["size"] > 0
    assert seen["checked_files"] == 1
    assert seen["unchecked_files"] == 0
    assert seen["same_location"] == [
        {"asset": again.pk, "title": "Archive file again", "organization": "knls", "name": None}
    ]
    # the other side names this one
    assert duplicates(copy, steward)["files"][0]["also_in"][0]["asset"] == archive.pk
    # a reader who may not see the restricted copy learns only that its organisation holds it
    hidden = duplicates(archive, outsider)["files"][0]["also_in"]
    assert hidden == [{"asset": None, "title": None, "organization": "knls", "name": None}]
    # an asset not yet profiled says so
    assert duplicates(again, steward)["notes"] == [
        "the asset has no profile yet: its files are not checked"
    ]


def test_near_copies_in_another_asset_are_estimated_from_both_samples(
    library: Any, storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    rng = random.Random(14)
    words = [f"neno{i}" for i in range(400)]
    originals = [" ".join(rng.choice(words) for _ in range(40)) for _ in range(200)]
    edited = [text.rsplit(" ", 1)[0] + " tofauti" for text in originals[:100]]
    fresh = [" ".join(rng.choice(words) for _ in range(40)) for _ in range(100)]
    write_jsonl(storage_root / "archive" / "news.jsonl", originals)
    write_jsonl(storage_root / "library" / "copy.jsonl", edited + fresh)
    crawl = _asset(library, "test:archive", "Web crawl")
    cleaned = _asset(library, "test:library", "Cleaned crawl", access="restricted")
    for asset in (crawl, cleaned):
        _profile(asset, django_capture_on_commit_callbacks)
    client = APIClient()
    client.force_login(MembershipFactory(organization=library).user)
    body = client.get(f"/api/v1/assets/{crawl.pk}/duplicates/").json()
    assert body["files"] == []  # no file is the same
    assert body["near_compared"] == 1
    (near,) = body["near_copies"]
    assert near["holder"]["asset"] == cleaned.pk
    # both samples are censuses here: 100 pairs among 200 × 200 documents
    assert near["pairs_found"] == 100
    assert (near["share_of_this"], near["share_of_other"]) == (0.5, 0.5)
    hidden = APIClient()
    hidden.force_login(UserFactory())
    (near,) = hidden.get(f"/api/v1/assets/{crawl.pk}/duplicates/").json()["near_copies"]
    assert near["holder"] == {"asset": None, "title": None, "organization": "knls", "name": None}


def test_a_manifest_version_reports_its_distinct_tokens(
    library: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from curation.manifests import services as manifests
    from curation.models import Manifest

    archive = _asset(library, "test:archive", "Broadcast archive")
    copy = _asset(library, "test:library", "National library copy")
    for asset in (archive, copy):
        _profile(asset, django_capture_on_commit_callbacks)
    steward = MembershipFactory(organization=library).user
    manifest = Manifest.objects.create(
        slug="swahili", title="Swahili", organization=library, criteria={}, created_by=steward
    )
    version = manifests.request_version(manifest=manifest, actor=steward)
    tokens = ProfileLanguage.objects.get(profile__asset=archive, language="sw").estimated_tokens
    assert version.total_tokens == 2 * tokens
    assert (version.distinct_tokens, version.distinct_tokens_low) == (tokens, tokens)
    assert version.distinct_tokens_high == tokens
    client = APIClient()
    client.force_login(steward)
    response = client.get(f"/api/v1/manifests/swahili/versions/{version.number}/?format=json")
    body = json.loads(b"".join(response.streaming_content))
    assert body["manifest"]["distinct_tokens"] == tokens
    assert body["manifest"]["total_tokens"] == 2 * tokens
