"""Coverage reports: the Django side (inputs, snapshots, API, command, pages, who sees what)."""

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from curation.coverage import renderers
from curation.coverage import services as coverage
from curation.models import CoveragePolicy, CoverageReport
from inventory.models import Language, Membership, Nation
from tests.factories import (
    AssetFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    profiled,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenya() -> Nation:
    return Nation.objects.get(alpha2="KE")


@pytest.fixture
def library(kenya: Nation) -> Any:
    return OrganizationFactory(slug="knls", nation=kenya)


@pytest.fixture
def reviewer(kenya: Nation) -> Any:
    ministry = OrganizationFactory(slug="ict-ke", nation=kenya, kind="ministry")
    return MembershipFactory(organization=ministry, role=Membership.Role.REVIEWER).user


def api_as(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def row(report: dict[str, Any], tag: str) -> dict[str, Any]:
    return next(r for r in report["languages"] if r["language"] == tag)


def test_a_profiled_asset_counts_for_its_nation(library: Any, kenya: Nation) -> None:
    asset = AssetFactory(organization=library, languages=["sw"])
    asset.origin_nations.set([kenya])
    asset.hosting_nation = kenya
    asset.save()
    profiled(asset, {"sw": 30_000_000, "en": 5_000_000})

    report = coverage.refresh_coverage(nation=kenya).data

    swahili = row(report, "sw")
    assert swahili["available_tokens"] == 30_000_000
    assert swahili["domestic_tokens"] == 30_000_000
    assert swahili["domestic_hosted_tokens"] == 30_000_000
    assert swahili["tier"] == "T1"
    assert swahili["next_tier"] == "T2"
    assert swahili["gap_tokens"] == 970_000_000
    assert swahili["severity"] == "major"
    assert "single-source" in swahili["flags"]
    assert row(report, "ki")["flags"] == ["no-data"]
    assert report["nation"] == {"alpha2": "KE", "name": "Kenya", "population": 58_246_400}


def test_duplicates_are_removed_before_counting(library: Any, kenya: Nation) -> None:
    profiled(AssetFactory(organization=library), {"sw": 1_000_000}, duplicate_documents=250)

    assert row(coverage.build_report(kenya).to_json(), "sw")["available_tokens"] == 750_000


def test_non_commercial_data_does_not_count_in_the_commercial_view(
    library: Any, kenya: Nation
) -> None:
    open_asset = AssetFactory(organization=library, license_class="open-attribution")
    closed = AssetFactory(
        organization=library,
        license_expression="CC-BY-NC-4.0",
        license_class="non-commercial",
    )
    profiled(open_asset, {"sw": 10_000_000})
    profiled(closed, {"sw": 15_000_000})

    everything = row(coverage.build_report(kenya, "all").to_json(), "sw")
    commercial = row(coverage.build_report(kenya, "commercial").to_json(), "sw")

    assert everything["available_tokens"] == 25_000_000
    assert everything["commercial_tokens"] == 10_000_000
    assert everything["tier"] == "T1"
    assert commercial["tier"] == "T0"


def test_foreign_hosted_data_counts_but_lowers_domestic_hosting(
    library: Any, kenya: Nation
) -> None:
    home = AssetFactory(organization=library)
    home.hosting_nation = kenya
    home.save()
    abroad = AssetFactory(organization=library)
    abroad.hosting_nation = Nation.objects.get(alpha2="IE")
    abroad.save()
    profiled(home, {"sw": 1_000_000})
    profiled(abroad, {"sw": 3_000_000})

    report = coverage.build_report(kenya).to_json()

    assert row(report, "sw")["available_tokens"] == 4_000_000
    assert row(report, "sw")["domestic_hosted_tokens"] == 1_000_000
    assert report["indicators"]["domestic_hosted_share"] == 0.25


def test_an_unverifiable_declared_language_counts_under_it_and_is_flagged(
    library: Any,
) -> None:
    nigeria = Nation.objects.get(alpha2="NG")
    org = OrganizationFactory(slug="radio-ng", nation=nigeria)
    asset = AssetFactory(organization=org, languages=["pcm"])
    profiled(asset, {"pcm": 2_000_000}, statuses={"pcm": "unverifiable"})

    report = coverage.build_report(nigeria).to_json()

    pidgin = row(report, "pcm")
    assert pidgin["available_tokens"] == 2_000_000
    assert "unverifiable" in pidgin["flags"]
    assert pidgin["severity"] == "critical"  # over a million writers, below T1
    assert "pcm" in report["indicators"]["unverifiable_languages"]


def test_a_retired_asset_no_longer_counts(library: Any, kenya: Nation) -> None:
    asset = AssetFactory(organization=library)
    profiled(asset, {"sw": 1_000_000})
    asset.status = "retired"
    asset.save()

    assert row(coverage.build_report(kenya).to_json(), "sw")["available_tokens"] == 0


def test_snapshots_are_written_only_when_coverage_changes(library: Any, kenya: Nation) -> None:
    asset = AssetFactory(organization=library)
    profiled(asset, {"sw": 1_000_000})

    first = coverage.refresh_coverage(nation=kenya)
    again = coverage.refresh_coverage(nation=kenya)
    profiled(asset, {"sw": 2_000_000})
    changed = coverage.refresh_coverage(nation=kenya)

    assert again.pk == first.pk
    assert changed.pk != first.pk
    assert CoverageReport.objects.filter(nation=kenya).count() == 2
    assert changed.gaps.get(language="sw").available_tokens == 2_000_000
    assert changed.chart_svg.startswith('<?xml version="1.0" encoding="utf-8" standalone="no"?>')
    assert '<title id="chart-title">' in changed.chart_svg


@pytest.mark.parametrize(
    ("actor", "kenya_status", "nigeria_status"),
    [
        ("reviewer", 200, 404),
        ("steward", 200, 404),
        ("admin", 200, 200),
        ("outsider", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_who_reads_which_nation(
    library: Any, reviewer: Any, actor: str, kenya_status: int, nigeria_status: int
) -> None:
    users = {
        "reviewer": reviewer,
        "steward": MembershipFactory(organization=library).user,
        "admin": UserFactory(is_staff=True),
        "outsider": UserFactory(),
        "anonymous": None,
    }
    AssetFactory(organization=library)
    client = api_as(users[actor])

    assert client.get("/api/v1/coverage/KE/").status_code == kenya_status
    assert client.get("/api/v1/coverage/NG/").status_code == nigeria_status
    listed = client.get("/api/v1/coverage/")
    if actor != "anonymous":
        nations = [n["nation"] for n in listed.json()]
        assert ("KE" in nations) is (kenya_status == 200)
        assert ("NG" in nations) is (nigeria_status == 200)


def test_the_report_as_csv_and_by_purpose(library: Any, reviewer: Any) -> None:
    profiled(AssetFactory(organization=library), {"sw": 25_000_000})
    client = api_as(reviewer)

    response = client.get("/api/v1/coverage/KE/", {"format": "csv"})
    research = client.get("/api/v1/coverage/KE/", {"purpose": "research"}).json()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    swahili = next(r for r in rows if r["language"] == "sw")
    assert (swahili["available_tokens"], swahili["tier"]) == ("25000000", "T1")
    assert research["purpose"] == "research"
    assert client.get("/api/v1/coverage/KE/", {"purpose": "profit"}).status_code == 400


def test_reviewers_change_their_nation_policy_with_history(
    library: Any, reviewer: Any, kenya: Nation
) -> None:
    profiled(AssetFactory(organization=library), {"sw": 25_000_000})
    steward = MembershipFactory(organization=library).user
    body = {
        "targets": {
            "T0": 10_000,
            "T1": 30_000_000,
            "T2": 500_000_000,
            "T3": 2 * 10**10,
            "T4": 14 * 10**10,
        },
        "t2_good": 2_000_000_000,
        "target_tier": "T2",
    }

    refused = api_as(steward).put("/api/v1/coverage/KE/policy/", body, format="json")
    accepted = api_as(reviewer).put("/api/v1/coverage/KE/policy/", body, format="json")
    invalid = api_as(reviewer).put(
        "/api/v1/coverage/KE/policy/",
        {**body, "targets": {**body["targets"], "T2": 1}},
        format="json",
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json()["targets"]["T1"] == 30_000_000
    assert invalid.status_code == 400
    policy = CoveragePolicy.objects.get(nation=kenya)
    assert policy.history.count() == 1
    assert policy.history.first().history_user == reviewer
    assert row(coverage.refresh_coverage(nation=kenya).data, "sw")["tier"] == "T0"


def test_history_lists_snapshots(library: Any, reviewer: Any, kenya: Nation) -> None:
    asset = AssetFactory(organization=library)
    profiled(asset, {"sw": 1_000_000})
    coverage.refresh_coverage(nation=kenya)
    profiled(asset, {"sw": 30_000_000})
    coverage.refresh_coverage(nation=kenya)

    history = api_as(reviewer).get("/api/v1/coverage/KE/history/").json()

    assert [entry["tiers"]["sw"] for entry in history] == ["T1", "T0"]


def test_coverage_report_command_json_is_the_api(
    library: Any, reviewer: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    profiled(AssetFactory(organization=library), {"sw": 25_000_000})

    call_command("coverage_report", "ke", "--format", "json")
    printed = json.loads(capsys.readouterr().out)
    call_command("coverage_report", "KE")
    table = capsys.readouterr().out
    call_command("coverage_report", "KE", "--format", "csv")
    lines = capsys.readouterr().out.splitlines()

    assert printed == api_as(reviewer).get("/api/v1/coverage/KE/").json()
    assert "Swahili (sw)" in table
    assert "25,000,000" in table
    assert lines[0].startswith("language,name,speakers,writers")


def test_report_pages_need_a_login_and_show_chart_table_and_csv(
    library: Any, reviewer: Any
) -> None:
    profiled(AssetFactory(organization=library), {"sw": 25_000_000})
    anonymous = Client().get("/reports/KE/")
    client = Client()
    client.force_login(reviewer)

    index = client.get("/reports/")
    page = client.get("/reports/KE/")
    download = client.get("/reports/KE/?download=csv")

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert index.status_code == 200
    assert b"Kenya" in index.content
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert 'id="gaps"' in html
    assert "Swahili (sw)" in html
    assert download["Content-Type"].startswith("text/csv")
    assert client.get("/reports/NG/").status_code == 404


# --- Tenant walls: which nations a member unlocks ---------------------------------------------

NOT_YOURS = {"detail": "No coverage report you may read for this nation."}


@pytest.fixture
def nigeria_data() -> Any:
    """A Nigerian organisation's profiled, restricted asset: what NG's report is made of."""
    nigeria = Nation.objects.get(alpha2="NG")
    owner = OrganizationFactory(slug="nln-ng", nation=nigeria)
    asset = AssetFactory(organization=owner, title="Nigerian archive", languages=["yo"])
    profiled(asset, {"yo": 3_000_000})
    return asset


def nigeria_answers(client: APIClient) -> dict[str, Any]:
    listed = client.get("/api/v1/coverage/")
    assert listed.status_code == 200
    return {
        "report": client.get("/api/v1/coverage/NG/"),
        "csv": client.get("/api/v1/coverage/NG/", {"format": "csv"}),
        "history": client.get("/api/v1/coverage/NG/history/"),
        "policy": client.get("/api/v1/coverage/NG/policy/"),
        "listed": "NG" in [n["nation"] for n in listed.json()],
    }


@pytest.mark.parametrize("via", ["hosting", "origin"])
def test_a_retired_asset_unlocks_no_nation(
    library: Any, nigeria_data: Any, via: str, django_capture_on_commit_callbacks: Any
) -> None:
    nigeria = Nation.objects.get(alpha2="NG")
    steward = MembershipFactory(organization=library).user
    dummy = AssetFactory(organization=library, title="dummy")
    if via == "hosting":
        dummy.hosting_nation = nigeria
        dummy.save()
    else:
        dummy.origin_nations.set([nigeria])
    client = api_as(steward)

    with django_capture_on_commit_callbacks(execute=True):
        retired = client.post(f"/api/v1/assets/{dummy.pk}/retire/")
    answers = nigeria_answers(client)
    page = Client()
    page.force_login(steward)

    assert retired.status_code == 200
    assert answers["listed"] is False
    for key in ("report", "history", "policy"):
        assert answers[key].status_code == 404
        assert answers[key].json() == NOT_YOURS
    assert answers["csv"].status_code == 404
    assert answers["csv"].content.decode() == f"detail\n{NOT_YOURS['detail']}\n"
    assert page.get("/reports/NG/").status_code == 404
    assert b"Nigeria" not in page.get("/reports/").content
    for answer in (answers["report"], answers["csv"]):
        assert b"Nigerian archive" not in answer.content
        assert b"nln-ng" not in answer.content


@pytest.mark.parametrize("via", ["hosting", "origin"])
def test_a_live_asset_hosted_in_or_from_a_nation_shows_its_report(
    library: Any, nigeria_data: Any, via: str
) -> None:
    nigeria = Nation.objects.get(alpha2="NG")
    steward = MembershipFactory(organization=library).user
    dummy = AssetFactory(organization=library, title="dummy")
    if via == "hosting":
        dummy.hosting_nation = nigeria
        dummy.save()
    else:
        dummy.origin_nations.set([nigeria])

    answers = nigeria_answers(api_as(steward))

    assert answers["listed"] is True
    assert answers["report"].status_code == 200
    assert row(answers["report"].json(), "yo")["available_tokens"] == 3_000_000
    assert b"Nigerian archive" not in answers["report"].content  # totals, never assets
    assert b"nln-ng" not in answers["report"].content


def test_a_member_sees_their_organisations_nation_without_live_assets(
    library: Any, kenya: Nation
) -> None:
    steward = MembershipFactory(organization=library).user
    AssetFactory(organization=library, status="retired")
    client = api_as(steward)

    assert client.get("/api/v1/coverage/KE/").status_code == 200
    assert [n["nation"] for n in client.get("/api/v1/coverage/").json()] == ["KE"]
    assert client.get("/api/v1/coverage/NG/").status_code == 404


def test_a_retired_assets_nations_stay_hidden_from_the_service(library: Any) -> None:
    steward = MembershipFactory(organization=library).user
    dummy = AssetFactory(organization=library, status="retired")
    dummy.origin_nations.set([Nation.objects.get(alpha2="TZ")])
    dummy.hosting_nation = Nation.objects.get(alpha2="NG")
    dummy.save()

    assert [n.alpha2 for n in coverage.nations_visible_to(steward)] == ["KE"]


# --- CSV injection ----------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_coverage_csv_writes_formula_cells_behind_an_apostrophe(cell: str) -> None:
    report = {
        "languages": [
            {
                "language": "sw",
                "name": cell,
                "speakers": 1,
                "writers": 1,
                "official_status": cell,
                "flags": [cell, "no-data"],
                "available_tokens": -5,
            }
        ]
    }

    rows = list(csv.DictReader(io.StringIO(renderers.coverage_csv(report))))

    assert rows[0]["name"] == "'" + cell
    assert rows[0]["official_status"] == "'" + cell
    assert rows[0]["flags"] == f"'{cell};no-data"
    assert rows[0]["language"] == "sw"
    assert rows[0]["available_tokens"] == "-5"  # a number, not text


def test_the_coverage_csv_download_neutralises_a_formula_language_name(
    library: Any, reviewer: Any
) -> None:
    Language.objects.filter(tag="sw").update(name='=HYPERLINK("http://evil.example","x")')
    profiled(AssetFactory(organization=library), {"sw": 25_000_000})

    response = api_as(reviewer).get("/api/v1/coverage/KE/", {"format": "csv"})
    page = Client()
    page.force_login(reviewer)
    download = page.get("/reports/KE/?download=csv")

    assert response.status_code == 200
    assert download.status_code == 200
    for body in (response.content.decode(), download.content.decode()):
        swahili = next(r for r in csv.DictReader(io.StringIO(body)) if r["language"] == "sw")
        assert swahili["name"] == '\'=HYPERLINK("http://evil.example","x")'
        for opening in ("\n=", ",=", '"='):
            assert opening not in body


def test_every_purpose_view_is_stored_and_served_without_computing(
    library: Any, kenya: Nation, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_asset = AssetFactory(organization=library, license_class="open-attribution")
    closed = AssetFactory(
        organization=library, license_expression="CC-BY-NC-4.0", license_class="non-commercial"
    )
    profiled(open_asset, {"sw": 3_000_000})
    profiled(closed, {"sw": 5_000_000})
    snapshot = coverage.refresh_coverage(nation=kenya)
    expected = {p: coverage.build_report(kenya, p).to_json() for p in ("commercial", "research")}

    def no_computing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a read computed a report")

    monkeypatch.setattr(coverage.gaps, "compute_coverage", no_computing)
    client = api_as(UserFactory(is_staff=True))
    for purpose in ("commercial", "research"):
        body = client.get(f"/api/v1/coverage/KE/?purpose={purpose}").json()
        assert body == snapshot.views[purpose]
        assert row(body, "sw") == row(expected[purpose], "sw")
    assert sorted(snapshot.views) == ["commercial", "research"]
    assert row(snapshot.views["commercial"], "sw")["commercial_tokens"] == 3_000_000
    assert snapshot.views["commercial"]["purpose"] == "commercial"
    assert snapshot.data["purpose"] == "all"


def test_a_snapshot_from_before_purpose_views_is_refreshed_once(
    library: Any, kenya: Nation
) -> None:
    profiled(AssetFactory(organization=library, languages=["sw"]), {"sw": 3_000_000})
    old = coverage.refresh_coverage(nation=kenya)
    CoverageReport.objects.filter(pk=old.pk).update(views={})

    view = coverage.purpose_view(kenya, "commercial")
    again = coverage.purpose_view(kenya, "commercial")

    assert view == again
    assert CoverageReport.objects.filter(nation=kenya).count() == 2


def test_reading_coverage_inputs_costs_the_same_queries_for_any_number_of_assets(
    library: Any, kenya: Nation
) -> None:
    def counted() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            coverage.inputs(kenya)
        return len(queries)

    for n in range(2):
        asset = AssetFactory(organization=library, languages=["sw", "en"])
        asset.origin_nations.set([kenya])
        profiled(asset, {"sw": 1_000_000 + n, "en": 10})
    few = counted()
    for n in range(6):
        asset = AssetFactory(organization=library, languages=["sw"])
        profiled(asset, {"sw": 2_000_000 + n}, statuses={"sw": "detected"})

    assert counted() == few
