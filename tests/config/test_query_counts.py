"""List endpoints use a constant number of SQL queries whatever the page size."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from curation.runs import services as runs
from tests.factories import (
    AssetFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    profiled,
)

pytestmark = pytest.mark.django_db


def queries(client: APIClient, url: str, page_size: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.fixture
def admin_client(storage_root: Any) -> APIClient:
    organization = OrganizationFactory(slug="many")
    steward = MembershipFactory(organization=organization).user
    for n in range(12):
        asset = AssetFactory(organization=organization, languages=["sw", "en"], tags=[f"t{n}"])
        asset.origin_nations.set(
            asset.organization.nation.__class__.objects.filter(alpha2__in=["KE", "TZ"])
        )
        profiled(asset, {"sw": 100 * n + 1})
        runs.request_profile(asset=asset, requested_by=steward)
    client = APIClient()
    client.force_login(UserFactory(is_staff=True))
    client.post(
        "/api/v1/manifests/", {"slug": "a", "title": "a", "organization": "many"}, format="json"
    )
    client.post(
        "/api/v1/manifests/", {"slug": "b", "title": "b", "organization": "many"}, format="json"
    )
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/assets/",
        "/api/v1/nations/",
        "/api/v1/languages/",
        "/api/v1/licenses/",
        "/api/v1/manifests/",
    ],
)
def test_list_queries_do_not_grow_with_the_page(admin_client: APIClient, url: str) -> None:
    assert queries(admin_client, url, 2) == queries(admin_client, url, 12)


def test_profile_run_list_queries_do_not_grow(admin_client: APIClient) -> None:
    from inventory.models import Asset

    asset = Asset.objects.first()
    url = f"/api/v1/assets/{asset.pk}/profile-runs/"
    assert queries(admin_client, url, 1) == queries(admin_client, url, 10)
