import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from inventory.models import ApiToken, Asset
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward(storage_root: Path) -> AbstractUser:
    # knls holds the test root and the metadata host, so that the address check (not the
    # grant) refuses the bad row below.
    knls = OrganizationFactory(
        slug="knls", storage=[("root", "test", ""), ("https", "", "169.254.169.254")]
    )
    return MembershipFactory(user=UserFactory(username="wanjiku"), organization=knls).user


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_register_asset_prints_the_asset_as_the_api_returns_it(steward: AbstractUser) -> None:
    printed = run(
        "register_asset", "--user", "wanjiku", "--title", "News", "--location",
        "test:corpus/news.jsonl", "--text-field", "text", "--language", "sw", "--language",
        "en", "--license", "CC-BY-4.0", "--origin", "KE", "--hosting-nation", "KE", "--json",
    )  # fmt: skip

    body = json.loads(printed)
    client = APIClient()
    client.force_login(steward)
    assert body == client.get(f"/api/v1/assets/{body['id']}/").json()
    assert (body["organization"], body["languages"], body["registered_by"]) == (
        "knls",
        ["en", "sw"],
        "wanjiku",
    )


def test_a_refused_registration_exits_non_zero_with_the_reasons(steward: AbstractUser) -> None:
    with pytest.raises(CommandError) as error:
        run(
            "register_asset", "--user", "wanjiku", "--title", "News", "--location",
            "test:../secret", "--language", "xx-invalid", "--license", "NotALicence-1.0",
        )  # fmt: skip

    message = str(error.value)
    assert "location: 'test:../secret': '..' is not allowed" in message
    assert "languages: unknown language tag 'xx-invalid'" in message
    assert "license: invalid licence expression 'NotALicence-1.0'" in message
    assert Asset.objects.count() == 0


def test_import_assets_from_csv(steward: AbstractUser, tmp_path: Path) -> None:
    path = tmp_path / "assets.csv"
    path.write_text(
        "title,location,text_field,languages,license,origin_nations,access_level\n"
        "News,test:corpus/news.jsonl,text,sw;en,CC-BY-4.0,KE,public\n"
        "Radio,test:corpus/news.jsonl,text,sw,CC-BY-NC-4.0,KE;TZ,restricted\n",
        encoding="utf-8",
    )

    assert "Imported 2 asset(s)" in run("import_assets", str(path), "--user", "wanjiku")
    radio = Asset.objects.get(title="Radio")
    assert radio.license_class == "non-commercial"
    assert sorted(radio.origin_nations.values_list("alpha2", flat=True)) == ["KE", "TZ"]


def test_import_assets_is_all_or_nothing_and_lists_every_bad_row(
    steward: AbstractUser, tmp_path: Path
) -> None:
    path = tmp_path / "assets.jsonl"
    rows = [
        {"title": "Good", "location": "test:corpus/news.jsonl", "text_field": "text",
         "languages": ["sw"], "license": "CC0-1.0"},
        {"title": "Bad tag", "location": "test:corpus/news.jsonl", "text_field": "text",
         "languages": ["zz"], "license": "CC0-1.0"},
        {"title": "Bad place", "location": "https://169.254.169.254/", "text_field": "text",
         "languages": ["sw"], "license": "CC0-1.0"},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run("import_assets", str(path), "--user", "wanjiku")

    message = str(error.value)
    assert "nothing imported, 3 problem(s)" in message
    assert "line 2: languages: unknown language tag 'zz'" in message
    assert "line 3: location:" in message
    assert "a cloud metadata address" in message
    assert "line 4: not a JSON object" in message
    assert Asset.objects.count() == 0


def test_create_api_token_prints_a_working_read_token(steward: AbstractUser) -> None:
    token = run("create_api_token", "--user", "wanjiku", "--name", "trainer").strip()

    row = ApiToken.objects.get()
    assert (row.name, row.scope, row.user) == ("trainer", "read", steward)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/assets/").status_code == 200
    assert client.post("/api/v1/assets/", {}, format="json").status_code == 403


def test_an_admin_creates_a_token_in_the_admin_and_sees_it_once(steward: AbstractUser) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)

    response = client.post(
        "/admin/inventory/apitoken/add/",
        {"user": steward.pk, "name": "ci", "scope": "manifests",
         "expiry_0": f"{timezone.now() + timedelta(days=365):%Y-%m-%d}", "expiry_1": "00:00:00"},
        follow=True,
    )  # fmt: skip

    assert response.status_code == 200
    token = response.context["secret"]
    assert f'<code id="api-token-secret">{token}</code>' in response.content.decode()
    assert client.get("/admin/inventory/apitoken/").content.decode().count(token) == 0
    row = ApiToken.objects.get()
    assert row.scope == "manifests"
    assert token.startswith("scr_")
    assert row.digest != token


def test_admin_pages_for_stewards_open(steward: AbstractUser) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    run(
        "register_asset", "--user", "wanjiku", "--title", "News", "--location",
        "test:corpus/news.jsonl", "--text-field", "text", "--language", "sw", "--license", "MIT",
    )  # fmt: skip
    asset = Asset.objects.get()

    for url in [
        "/admin/inventory/asset/?status__exact=registered&q=news",
        f"/admin/inventory/asset/{asset.pk}/change/",
        f"/admin/inventory/asset/{asset.pk}/history/",
        "/admin/inventory/organization/",
        "/admin/inventory/nation/KE/change/".replace("KE", str(asset.organization.nation_id)),
        "/admin/inventory/license/?use_class=non-commercial",
    ]:
        assert client.get(url).status_code == 200, url
