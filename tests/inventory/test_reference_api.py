from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/nations/",
    "/api/v1/nations/KE/",
    "/api/v1/languages/",
    "/api/v1/languages/sw/",
    "/api/v1/licenses/",
    "/api/v1/licenses/CC-BY-4.0/",
    "/api/v1/licenses/classify/?expression=MIT",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_clients_are_refused(url: str) -> None:
    assert APIClient().get(url).status_code == 401


@pytest.mark.parametrize("url", ENDPOINTS)
def test_any_authenticated_user_reads_reference_data(api: APIClient, url: str) -> None:
    assert api.get(url).status_code == 200


@pytest.mark.parametrize("url", ENDPOINTS[:6])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_reference_data_is_read_only(api: APIClient, url: str, method: str) -> None:
    assert getattr(api, method)(url, {}, format="json").status_code == 405


def test_a_bad_token_is_refused() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/nations/").status_code == 401


def test_nation_search_by_name_and_code(api: APIClient) -> None:
    by_name = api.get("/api/v1/nations/", {"search": "keny"}).json()
    by_code = api.get("/api/v1/nations/", {"search": "ken"}).json()
    by_alpha2 = api.get("/api/v1/nations/", {"search": "ke"}).json()

    assert [n["alpha2"] for n in by_name["results"]] == ["KE"]
    assert [n["alpha2"] for n in by_code["results"]] == ["KE"]
    assert "KE" in [n["alpha2"] for n in by_alpha2["results"]]
    assert api.get("/api/v1/nations/").json()["count"] == 249


def test_nation_detail_lists_languages_with_speakers(api: APIClient) -> None:
    body = api.get("/api/v1/nations/ke/").json()

    assert body["alpha2"] == "KE"
    swahili = next(x for x in body["languages"] if x["language"] == "sw")
    assert swahili == {
        "language": "sw",
        "name": "Swahili",
        "population_share": 66.0,
        "speakers": 38_442_624,
        "writers": swahili["writers"],
        "official_status": "official",
        "source": "cldr",
        "source_note": "",
    }
    assert 0 < swahili["writers"] <= swahili["speakers"]


def test_unknown_nation_is_404(api: APIClient) -> None:
    assert api.get("/api/v1/nations/QQ/").status_code == 404


def test_languages_filter_by_nation_script_and_detectable(api: APIClient) -> None:
    def tags(**params: Any) -> set[str]:
        body = api.get("/api/v1/languages/", {**params, "page_size": 500}).json()
        return {x["tag"] for x in body["results"]}

    kenya = tags(nation="KE")
    assert {"sw", "en", "ki", "luo"} <= kenya
    assert "yo" not in kenya
    assert tags(nation="ET", script="Ethi") >= {"am", "ti"}
    assert "om" not in tags(nation="ET", script="Ethi")
    undetectable_ng = tags(nation="NG", detectable="false")
    assert {"pcm", "tiv", "efi"} <= undetectable_ng
    assert {"en", "yo", "ha", "ig"} <= tags(nation="NG", detectable="true")
    assert "yo" not in undetectable_ng


def test_licenses_filter_by_use_class(api: APIClient) -> None:
    body = api.get("/api/v1/licenses/", {"use_class": "non-commercial", "page_size": 500}).json()
    ids = {x["spdx_id"] for x in body["results"]}

    assert {"CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0"} <= ids
    assert "CC-BY-4.0" not in ids
    assert api.get("/api/v1/licenses/", {"use_class": "free-for-all"}).status_code == 400


@pytest.mark.parametrize(
    ("expression", "normalized", "use_class", "commercial"),
    [
        ("CC-BY-NC-4.0", "CC-BY-NC-4.0", "non-commercial", False),
        ("etalab-2.0", "etalab-2.0", "open-attribution", True),
        ("ODbL-1.0", "ODbL-1.0", "open-share-alike", True),
        ("CC0-1.0", "CC0-1.0", "open-unrestricted", True),
        ("CC-BY-4.0 OR MIT", "CC-BY-4.0 OR MIT", "open-attribution", True),
        ("CC-BY-4.0 AND CC-BY-NC-4.0", "CC-BY-4.0 AND CC-BY-NC-4.0", "non-commercial", False),
        ("LicenseRef-research-only", "LicenseRef-research-only", "research-only", False),
    ],
)
def test_classify_expressions(
    api: APIClient, expression: str, normalized: str, use_class: str, commercial: bool
) -> None:
    response = api.get("/api/v1/licenses/classify/", {"expression": expression})

    assert response.status_code == 200
    body = response.json()
    assert body["expression"] == expression
    assert body["normalized"] == normalized
    assert body["use_class"] == use_class
    assert body["commercial_training"] is commercial
    assert set(body) == {
        "expression",
        "normalized",
        "use_class",
        "commercial_training",
        "attribution",
        "share_alike",
        "no_derivatives",
    }


def test_classify_rejects_an_unknown_licence_with_the_parser_reason(api: APIClient) -> None:
    response = api.get("/api/v1/licenses/classify/", {"expression": "NotALicence-1.0"})

    assert response.status_code == 400
    assert "NotALicence-1.0" in response.json()["expression"][0]


def test_classify_requires_an_expression(api: APIClient) -> None:
    response = api.get("/api/v1/licenses/classify/")

    assert response.status_code == 400
    assert response.json() == {"expression": ["This field is required."]}
