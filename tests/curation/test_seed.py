"""The benchmark registry seeder: what it writes, and that coverage reads it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curation.coverage import services as coverage
from curation.models import AssetProfile, ProfileLanguage
from curation.profiling.sketch import LanguageSketch
from inventory.models import Asset, Nation

pytestmark = pytest.mark.django_db


def test_seed_registry_writes_profiled_assets_in_twenty_nations(reference_data: None) -> None:
    call_command("seed_registry", "40", "--prefix", "t")

    assert Asset.objects.count() == 40
    assert Asset.objects.filter(access_level="public").count() == 20
    assert Asset.objects.filter(organization__nation__alpha2="KE").count() == 12  # 30%
    assert Asset.objects.order_by().values("organization__nation").distinct().count() == 15
    assert AssetProfile.objects.count() == 40
    rows = ProfileLanguage.objects.all()
    assert rows.count() == 40 * 3
    sketch = LanguageSketch.from_bytes(bytes(rows.first().sketch))
    assert 1 <= len(sketch) <= 2048
    profile = AssetProfile.objects.first()
    assert {r["language"] for r in profile.data["languages"]} == set(
        profile.languages.values_list("language", flat=True)
    )
    assert profile.data["totals"]["documents"] == profile.documents

    report = coverage.refresh_coverage(nation=Nation.objects.get(alpha2="KE"))
    assert sum(r["registered_tokens"] for r in report.data["languages"]) > 0


def test_seed_registry_needs_a_positive_size(reference_data: None) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_registry", "0")
