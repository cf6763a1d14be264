"""The DCAT-AP feed and asset file downloads, through the API and the commands."""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from rdflib import Graph
from rest_framework.test import APIClient

from inventory.models import Asset
from tests.curation.catalogue.test_catalogue import shapes_path, validate
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, profiled

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]


@pytest.fixture
def public(asset: Asset) -> Asset:
    Asset.objects.filter(pk=asset.pk).update(access_level="public", title="Swahili news")
    asset.refresh_from_db()
    asset.origin_nations.set(asset.organization.nation.__class__.objects.filter(alpha2="KE"))
    profiled(asset, {"sw": 9_000})
    return asset


@pytest.fixture
def restricted(asset: Asset) -> Asset:
    other = AssetFactory(
        organization=asset.organization, location="test:corpus", title="Secret radio archive"
    )
    profiled(other, {"sw": 100})
    return other


def test_the_catalogue_lists_public_profiled_assets_and_conforms_to_dcat_ap(
    public: Asset, restricted: Asset
) -> None:
    turtle = APIClient().get("/api/v1/catalogue.ttl")
    jsonld = APIClient().get("/api/v1/catalogue.jsonld")

    assert turtle.status_code == jsonld.status_code == 200
    assert turtle["Content-Type"].startswith("text/turtle")
    text = turtle.content.decode()
    assert "Swahili news" in text
    assert "Secret radio archive" not in text
    assert f"/api/v1/assets/{public.pk}/files/corpus/part-1.jsonl.gz" in text
    graph = Graph().parse(data=text, format="turtle")
    assert graph.isomorphic(Graph().parse(data=jsonld.content.decode(), format="json-ld"))
    shapes = Graph().parse(shapes_path(), format="turtle")
    conforms, _, report = validate(graph, shapes)
    assert conforms, report


def test_export_catalogue_command_writes_the_feed(
    public: Asset, tmp_path: Path, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = "http://testserver"
    target = tmp_path / "catalogue.ttl"

    call_command("export_catalogue", "--format", "ttl", "--output", str(target))

    assert target.read_bytes() == APIClient().get("/api/v1/catalogue.ttl").content


def test_asset_files_stream_to_who_may_see_them(
    public: Asset, restricted: Asset, steward: Any
) -> None:
    insider = APIClient()
    insider.force_login(steward)
    outsider = APIClient()
    outsider.force_login(MembershipFactory(organization=OrganizationFactory(slug="else")).user)

    mine = insider.get(f"/api/v1/assets/{restricted.pk}/files/corpus/part-0.jsonl")
    theirs = outsider.get(f"/api/v1/assets/{restricted.pk}/files/corpus/part-0.jsonl")
    open_file = outsider.get(f"/api/v1/assets/{public.pk}/files/corpus/part-0.jsonl")
    missing = insider.get(f"/api/v1/assets/{public.pk}/files/corpus/../../etc/passwd")

    assert mine.status_code == 200
    body = b"".join(mine.streaming_content)
    assert body.startswith(b'{"text": "Habari za asubuhi')
    assert theirs.status_code == 404
    assert open_file.status_code == 200
    assert missing.status_code == 404


def test_anonymous_clients_are_throttled_on_the_catalogue(
    public: Asset, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curation.catalogue.views import CatalogueAnonThrottle

    monkeypatch.setattr(CatalogueAnonThrottle, "THROTTLE_RATES", {"catalogue_anon": "2/hour"})
    client = APIClient()

    answers = [client.get("/api/v1/catalogue.ttl").status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    signed_in = APIClient()
    signed_in.force_login(MembershipFactory().user)
    assert [signed_in.get("/api/v1/catalogue.ttl").status_code for _ in range(3)] == [200] * 3
