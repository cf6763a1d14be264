"""The asset list pages by cursor: next and previous links walk every visible asset exactly once,
newest first, ties of created_at included, and the list counts nothing."""

from base64 import b64encode
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from inventory.models import Asset, Membership, Nation, Organization
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assets() -> list[Asset]:
    """23 assets of two nations; seven share one created_at, so id alone orders them."""
    kenya, nigeria = Nation.objects.get(alpha2="KE"), Nation.objects.get(alpha2="NG")
    made = [
        AssetFactory(
            organization=OrganizationFactory(slug="lib-ke" if n % 3 else "lib-ng"),
            access_level="public" if n % 4 == 0 else "restricted",
        )
        for n in range(23)
    ]
    Organization.objects.filter(slug="lib-ng").update(nation=nigeria)
    Organization.objects.filter(slug="lib-ke").update(nation=kenya)
    start = timezone.now() - timedelta(days=30)
    for n, asset in enumerate(made):
        Asset.objects.filter(pk=asset.pk).update(created_at=start + timedelta(hours=n))
    tied = [asset.pk for asset in made[5:12]]
    Asset.objects.filter(pk__in=tied).update(created_at=start + timedelta(hours=5))
    return made


def walk(client: APIClient, url: str | None, direction: str) -> tuple[list[str], list[list[int]]]:
    """Follow `next` or `previous` links from `url`: the URLs read and the ids of each page."""
    urls, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        urls.append(url)
        pages.append([item["id"] for item in body["results"]])
        url = body[direction]
    return urls, pages


def newest_first(queryset: Any) -> list[int]:
    return list(queryset.order_by("-created_at", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize("page_size", [1, 5, 7, 23, 50])
def test_next_and_previous_links_walk_every_asset_exactly_once(
    assets: list[Asset], page_size: int
) -> None:
    client = APIClient()
    client.force_login(UserFactory(is_staff=True))

    urls, forward = walk(client, f"/api/v1/assets/?page_size={page_size}", "next")
    _, backward = walk(client, urls[-1], "previous")

    assert [pk for page in forward for pk in page] == newest_first(Asset.objects.all())
    assert [len(page) for page in forward[:-1]] == [page_size] * (len(forward) - 1)
    assert backward == list(reversed(forward))


def test_a_reviewer_walks_the_assets_of_their_nation_and_the_public_ones_once(
    assets: list[Asset],
) -> None:
    ministry = OrganizationFactory(slug="ict-ke", kind=Organization.Kind.MINISTRY)
    reviewer = MembershipFactory(organization=ministry, role=Membership.Role.REVIEWER).user
    client = APIClient()
    client.force_login(reviewer)
    expected = newest_first(Asset.objects.visible_to(reviewer))
    assert 0 < len(expected) < len(assets)

    _, pages = walk(client, "/api/v1/assets/?page_size=4", "next")

    assert [pk for page in pages for pk in page] == expected


def test_filters_stay_on_the_next_links(assets: list[Asset]) -> None:
    client = APIClient()
    client.force_login(UserFactory(is_staff=True))

    _, pages = walk(client, "/api/v1/assets/?page_size=2&access_level=public", "next")

    assert [pk for page in pages for pk in page] == newest_first(
        Asset.objects.filter(access_level="public")
    )


def test_the_list_counts_nothing_and_selects_no_distinct(assets: list[Asset]) -> None:
    client = APIClient()
    client.force_login(UserFactory())
    first = client.get("/api/v1/assets/", {"page_size": 3}).json()

    with CaptureQueriesContext(connection) as captured:
        response = client.get(first["next"])

    assert response.status_code == 200
    listed = [q["sql"] for q in captured.captured_queries if 'FROM "inventory_asset"' in q["sql"]]
    assert len(listed) == 1
    assert "COUNT(" not in listed[0].upper()
    assert "DISTINCT" not in listed[0].upper()
    assert "OFFSET" not in listed[0].upper()


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        b64encode(b"p=1").decode(),  # one field of two
        b64encode(b"p=not-a-date|1").decode(),
        b64encode(b"p=2026-01-01T00:00:00+00:00|one").decode(),
    ],
)
def test_a_cursor_that_is_not_one_is_a_404(assets: list[Asset], cursor: str) -> None:
    client = APIClient()
    client.force_login(UserFactory(is_staff=True))

    response = client.get("/api/v1/assets/", {"cursor": cursor})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


def test_page_size_is_capped_at_500(assets: list[Asset]) -> None:
    Asset.objects.bulk_create(
        Asset(
            organization=assets[0].organization,
            title=f"Bulk {n}",
            slug=f"bulk-{n}",
            location="test:corpus/news.jsonl",
            format="jsonl",
            license_expression="CC-BY-4.0",
            license_class="open-attribution",
            registered_by=assets[0].registered_by,
        )
        for n in range(490)
    )
    client = APIClient()
    client.force_login(UserFactory(is_staff=True))

    body = client.get("/api/v1/assets/", {"page_size": 100_000}).json()

    assert len(body["results"]) == 500
    assert body["next"] is not None


def test_other_paged_asset_actions_keep_page_numbers(assets: list[Asset]) -> None:
    client = APIClient()
    client.force_login(UserFactory(is_staff=True))

    body = client.get(f"/api/v1/assets/{assets[0].pk}/profile-runs/").json()

    assert body == {"count": 0, "next": None, "previous": None, "results": []}
