"""A reviewer reads a coverage report in real headless Chromium (the system `chromium`)."""

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from curation.coverage import services as coverage
from inventory.models import Membership, Nation
from tests.conftest import REQUIRE_SERVICES, ROOT
from tests.factories import (
    AssetFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    profiled,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = ROOT / "test-output"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if CHROMIUM is None:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES is set but the chromium package is not installed")
        pytest.skip("needs the system chromium package (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are ours.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def kenya_report(reference_data: None) -> dict[str, str]:
    kenya = Nation.objects.get(alpha2="KE")
    library = OrganizationFactory(slug="knls", nation=kenya, name="Kenya National Library")
    ministry = OrganizationFactory(slug="ict-ke", nation=kenya, kind="ministry")
    reviewer = UserFactory(username="wanjiru")
    reviewer.set_password("a-long-browser-password")
    reviewer.save()
    MembershipFactory(user=reviewer, organization=ministry, role=Membership.Role.REVIEWER)
    news = AssetFactory(organization=library, languages=["sw"])
    profiled(news, {"sw": 45_000_000, "en": 2_000_000_000})
    radio = AssetFactory(organization=library, languages=["luo"])
    profiled(radio, {"luo": 120_000}, statuses={"luo": "unverifiable"})
    coverage.refresh_coverage(nation=kenya)
    return {"username": "wanjiru", "password": "a-long-browser-password"}


def test_a_reviewer_reads_the_report_chart_table_and_csv(
    browser: Any, live_server: Any, kenya_report: dict[str, str], tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page.goto(f"{live_server.url}/reports/KE/")
    assert "/accounts/login/" in page.url

    page.fill("#id_username", kenya_report["username"])
    page.fill("#id_password", kenya_report["password"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/reports/KE/")

    assert page.locator("h1").inner_text().startswith("Kenya: language coverage")
    chart = page.locator("#chart svg")
    assert chart.count() == 1
    assert chart.bounding_box()["height"] > 100
    assert "Tokens per language in Kenya" in page.locator("#chart-title").text_content()
    rows = page.locator("#gaps tbody tr")
    assert rows.count() > 10
    swahili = page.locator("#gaps tbody tr", has_text="Swahili (sw)")
    assert "45,000,000" in swahili.inner_text()
    assert "T1" in swahili.inner_text()
    assert "Luo" in page.locator("#unverifiable").inner_text()

    with page.expect_download() as info:
        page.click("text=Download CSV")
    saved = tmp_path / "coverage.csv"
    info.value.save_as(saved)
    table = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert next(r for r in table if r["language"] == "sw")["available_tokens"] == "45000000"

    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "report-KE.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")
