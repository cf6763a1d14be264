"""Tests of the pure coverage computation in curation.gaps (no database)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from curation.coverage.gaps import (
    DEFAULT_T2_GOOD,
    DEFAULT_TARGETS,
    OPEN_CLASSES,
    RESEARCH_CLASSES,
    TIERS,
    Contribution,
    CoverageReport,
    LanguageCoverage,
    NationLanguage,
    Policy,
    compute_coverage,
    tier_of,
)

M = 1_000_000
B = 1_000_000_000
NG_POPULATION = 236_747_000

# FineWeb-2's published per-language sizes (already deduplicated, ODC-By, hosted in the US).
FINEWEB2 = {
    "yo": 88 * M,
    "ha": 410 * M,
    "ig": 113 * M,
    "pcm": 1 * M,
    "am": 360 * M,
    "is": 2_500 * M,
    "et": 9_900 * M,
    "fi": 30 * B,
}


def lang(
    tag: str,
    writers: int = 0,
    status: str = "none",
    *,
    detectable: bool = True,
    name: str | None = None,
) -> NationLanguage:
    return NationLanguage(
        language=tag,
        name=name or tag,
        speakers=writers,
        writers=writers,
        official_status=status,
        detectable=detectable,
    )


def contrib(
    language: str,
    tokens: int,
    *,
    asset_id: int = 1,
    organization: str = "org",
    duplicate_rate: float = 0.0,
    license_class: str = "open-attribution",
    origin: tuple[str, ...] = ("XX",),
    hosting: str | None = "XX",
    verified: bool = True,
) -> Contribution:
    return Contribution(
        asset_id=asset_id,
        organization=organization,
        language=language,
        tokens=tokens,
        duplicate_rate=duplicate_rate,
        license_class=license_class,
        origin_nations=origin,
        hosting_nation=hosting,
        verified=verified,
    )


def fineweb2() -> list[Contribution]:
    return [
        contrib(
            tag,
            tokens,
            asset_id=100 + i,
            organization="huggingfacefw",
            origin=(),
            hosting="US",
        )
        for i, (tag, tokens) in enumerate(FINEWEB2.items())
    ]


def nigeria() -> list[NationLanguage]:
    def share(percent: int) -> int:
        return NG_POPULATION * percent // 100

    return [
        lang("en", share(53), "official", name="English"),
        lang("pcm", share(21), "none", name="Nigerian Pidgin"),
        lang("ha", share(13), "official", name="Hausa"),
        lang("ig", share(13), "official", name="Igbo"),
        lang("yo", share(13), "official", name="Yoruba"),
    ]


def row(report: CoverageReport, tag: str) -> LanguageCoverage:
    (found,) = [r for r in report.languages if r.language == tag]
    return found


def single(contributions: list[Contribution], **kwargs: Any) -> LanguageCoverage:
    """The one row of a report on a one-language nation "XX"."""
    language = kwargs.pop("language", lang("xx", 10))
    report = compute_coverage("XX", [language], contributions, **kwargs)
    (only,) = report.languages
    return only


# --- tier_of -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "tier"),
    [
        (0, "none"),
        (49_999, "none"),
        (50_000, "T0"),
        (19_999_999, "T0"),
        (20_000_000, "T1"),
        (999_999_999, "T1"),
        (1_000_000_000, "T2"),
        (19_999_999_999, "T2"),
        (20_000_000_000, "T3"),
        (139_999_999_999, "T3"),
        (140_000_000_000, "T4"),
        (10**15, "T4"),
    ],
)
def test_tier_of_boundaries(tokens: int, tier: str) -> None:
    assert tier_of(tokens, Policy()) == tier


def test_class_sets() -> None:
    assert TIERS == ("T0", "T1", "T2", "T3", "T4")
    assert OPEN_CLASSES < RESEARCH_CLASSES
    research_only = RESEARCH_CLASSES - OPEN_CLASSES
    assert research_only == {"no-derivatives", "non-commercial", "research-only"}
    assert "unknown" not in RESEARCH_CLASSES


# --- FineWeb-2 acceptance ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "tier", "good", "next_tier", "gap"),
    [
        ("yo", "T1", False, "T2", 912 * M),
        ("ha", "T1", False, "T2", 590 * M),
        ("ig", "T1", False, "T2", 887 * M),
        ("am", "T1", False, "T2", 640 * M),
        ("pcm", "T0", False, "T1", 19 * M),
        ("is", "T2", False, "T3", 17_500 * M),
        ("et", "T2", True, "T3", 10_100 * M),
        ("fi", "T3", True, "T4", 110 * B),
    ],
)
def test_fineweb2_tiers(tag: str, tier: str, good: bool, next_tier: str, gap: int) -> None:
    languages = [lang(t, 1_000) for t in FINEWEB2]
    report = compute_coverage("XX", languages, fineweb2())
    coverage = row(report, tag)
    assert coverage.available_tokens == FINEWEB2[tag]
    assert coverage.tier == tier
    assert coverage.good is good
    assert coverage.next_tier == next_tier
    assert coverage.gap_tokens == gap
    assert tier_of(FINEWEB2[tag], Policy()) == tier


def test_fineweb2_gaps_to_every_tier() -> None:
    coverage = single([contrib("xx", FINEWEB2["is"])])
    assert dict(coverage.gaps) == {
        "T0": 0,
        "T1": 0,
        "T2": 0,
        "T3": 17_500 * M,
        "T4": 137_500 * M,
    }


def test_nigeria_severities_and_order() -> None:
    report = compute_coverage("NG", nigeria(), fineweb2())
    assert [(r.language, r.tier, r.severity) for r in report.languages] == [
        # critical, by writers × tokens missing to T1: en 125,475,910 × 20M > pcm 49,716,870 × 19M
        ("en", "none", "critical"),
        ("pcm", "T0", "critical"),
        # major, by writers (equal) × tokens missing to T2: yo 912M > ig 887M > ha 590M
        ("yo", "T1", "major"),
        ("ig", "T1", "major"),
        ("ha", "T1", "major"),
    ]
    assert row(report, "en").flags == ("no-data",)
    assert row(report, "en").sources == 0
    for tag in ("pcm", "yo", "ig", "ha"):
        assert row(report, tag).flags == ("only-foreign-hosted", "single-source")
        assert row(report, tag).sources == 1
    # The other FineWeb-2 languages are not Nigeria's: listed apart, not as rows.
    assert dict(report.other_languages) == {
        "am": 360 * M,
        "et": 9_900 * M,
        "fi": 30 * B,
        "is": 2_500 * M,
    }
    indicators = report.indicators
    t1_writers = 3 * (NG_POPULATION * 13 // 100)
    all_writers = sum(n.writers for n in nigeria())
    assert indicators.writers_share_t1 == t1_writers / all_writers
    assert indicators.writers_share_t2 == 0.0
    assert indicators.writers_share_t3 == 0.0
    assert indicators.domestic_origin_share == 0.0
    assert indicators.domestic_hosted_share == 0.0
    assert indicators.license_clean_share == 1.0
    assert indicators.unverifiable_languages == ()
    assert dict(indicators.languages_at_tier) == {"T0": 4, "T1": 3, "T2": 0, "T3": 0, "T4": 0}


@pytest.mark.parametrize(
    ("writers", "status", "tokens", "severity"),
    [
        (999_999, "none", 19 * M, "major"),
        (1_000_000, "none", 19 * M, "critical"),
        (10, "official", 0, "critical"),
        (10, "de_facto_official", 19 * M, "critical"),
        (10, "official_regional", 19 * M, "major"),
        (10, "official_minority", 0, "major"),
        (5 * M, "official", 20 * M, "major"),
        (5 * M, "official", 1 * B, "ok"),
    ],
)
def test_severity_rules(writers: int, status: str, tokens: int, severity: str) -> None:
    contributions = [contrib("xx", tokens)] if tokens else []
    assert single(contributions, language=lang("xx", writers, status)).severity == severity


@pytest.mark.parametrize(
    ("target_tier", "tokens", "severity"),
    [
        ("T3", 1 * B, "minor"),
        ("T3", 20 * B, "ok"),
        ("T4", 20 * B, "minor"),
        ("T1", 20 * M, "major"),  # below T2 is major whatever the target
        ("T0", 1 * B, "ok"),
    ],
)
def test_minor_below_target_tier(target_tier: str, tokens: int, severity: str) -> None:
    policy = Policy(target_tier=target_tier)
    assert single([contrib("xx", tokens)], policy=policy).severity == severity


def test_order_by_severity_then_writers_times_deficit() -> None:
    languages = [
        lang("ok1", 10),  # ok
        lang("maj-small", 100),  # major: 100 × (1B − 500M)
        lang("maj-big", 1_000),  # major: 1_000 × (1B − 900M) = 1e11 > 5e10
        lang("crit", 2 * M),  # critical: no data
        lang("min", 10**9),  # minor under a T3 target
        lang("ok2", 10**9),  # ok, ranked by tokens to T4
    ]
    contributions = [
        contrib("ok1", 30 * B),
        contrib("ok2", 20 * B),
        contrib("maj-small", 500 * M),
        contrib("maj-big", 900 * M),
        contrib("min", 2 * B),
    ]
    report = compute_coverage("XX", languages, contributions, Policy(target_tier="T3"))
    assert [r.language for r in report.languages] == [
        "crit",
        "maj-big",
        "maj-small",
        "min",
        "ok2",
        "ok1",
    ]


def test_ties_are_ordered_by_tag() -> None:
    languages = [lang("zu", 5), lang("af", 5), lang("mk", 5)]
    report = compute_coverage("XX", languages, [])
    assert [r.language for r in report.languages] == ["af", "mk", "zu"]


# --- purpose views -----------------------------------------------------------------------


def mixed_licences() -> list[Contribution]:
    return [
        contrib("xx", 30 * M, asset_id=1, organization="a", license_class="open-unrestricted"),
        contrib("xx", 600 * M, asset_id=2, organization="b", license_class="non-commercial"),
        contrib("xx", 500 * M, asset_id=3, organization="c", license_class="research-only"),
        contrib("xx", 400 * M, asset_id=4, organization="d", license_class="unknown"),
    ]


@pytest.mark.parametrize(
    ("purpose", "tier", "gap"),
    [
        ("all", "T2", 18_470 * M),
        ("commercial", "T1", 970 * M),
        ("research", "T2", 18_870 * M),
    ],
)
def test_purpose_views(purpose: str, tier: str, gap: int) -> None:
    coverage = single(mixed_licences(), purpose=purpose)
    # The token counts do not depend on the view; only the tier and gaps do.
    assert coverage.available_tokens == 1_530 * M
    assert coverage.commercial_tokens == 30 * M
    assert coverage.research_tokens == 1_130 * M
    assert coverage.tier == tier
    assert coverage.gap_tokens == gap


def test_non_commercial_data_does_not_count_commercially() -> None:
    contributions = [contrib("xx", 5 * B, license_class="non-commercial")]
    commercial = single(contributions, purpose="commercial")
    assert commercial.tier == "none"
    assert commercial.severity == "major"
    assert commercial.gaps["T0"] == 50_000
    assert commercial.flags == ("only-non-commercial", "single-source")
    everything = single(contributions, purpose="all")
    assert (everything.tier, everything.good, everything.severity) == ("T2", True, "ok")
    # The licence-clean share is on all tokens, so it reads 0 in the commercial view too.
    report = compute_coverage("XX", [lang("xx", 1)], contributions, purpose="commercial")
    assert report.indicators.license_clean_share == 0.0
    assert dict(report.indicators.languages_at_tier) == dict.fromkeys(TIERS, 0)


def test_unknown_purpose_is_rejected() -> None:
    with pytest.raises(ValueError, match="purpose must be one of all, commercial, research"):
        compute_coverage("XX", [], [], purpose="military")


# --- origin, hosting, dedup ------------------------------------------------------------


def test_foreign_hosting_counts_in_totals_but_lowers_indicator() -> None:
    domestic_only = [contrib("xx", 30 * M, asset_id=1, organization="a", hosting="XX")]
    with_foreign = [
        *domestic_only,
        contrib("xx", 10 * M, asset_id=2, organization="b", hosting="US"),
        contrib("xx", 10 * M, asset_id=3, organization="c", hosting=None),
    ]
    before = compute_coverage("XX", [lang("xx", 1)], domestic_only)
    after = compute_coverage("XX", [lang("xx", 1)], with_foreign)
    assert row(before, "xx").available_tokens == 30 * M
    assert row(after, "xx").available_tokens == 50 * M
    assert row(after, "xx").domestic_hosted_tokens == 30 * M
    assert before.indicators.domestic_hosted_share == 1.0
    assert after.indicators.domestic_hosted_share == 0.6
    assert "only-foreign-hosted" not in row(after, "xx").flags


def test_origin_and_hosting_are_separate_and_case_insensitive() -> None:
    contributions = [
        contrib("xx", 600, asset_id=1, organization="a", origin=("ng", "GH"), hosting="us"),
        contrib("xx", 400, asset_id=2, organization="b", origin=("FR",), hosting="ng"),
    ]
    report = compute_coverage("ng", [lang("xx", 1)], contributions)
    coverage = row(report, "xx")
    assert report.nation == "NG"
    assert (coverage.domestic_tokens, coverage.domestic_hosted_tokens) == (600, 400)
    assert report.indicators.domestic_origin_share == 0.6
    assert report.indicators.domestic_hosted_share == 0.4


def test_only_foreign_hosted_flag() -> None:
    coverage = single([contrib("xx", 100, hosting="US")])
    assert coverage.flags == ("only-foreign-hosted", "single-source")
    assert coverage.domestic_hosted_tokens == 0


@pytest.mark.parametrize(
    ("tokens", "duplicate_rate", "available"),
    [
        (100 * M, 0.0, 100 * M),
        (100 * M, 0.25, 75 * M),
        (100, 0.3, 70),
        (3, 0.5, 2),  # round() halves to even
        (100 * M, 1.0, 0),
    ],
)
def test_dedup_by_duplicate_rate(tokens: int, duplicate_rate: float, available: int) -> None:
    assert contrib("xx", tokens, duplicate_rate=duplicate_rate).available_tokens == available


def test_dedup_moves_a_language_down_a_tier() -> None:
    contributions = [
        contrib("xx", 1_200 * M, asset_id=1, duplicate_rate=0.5),
        contrib("xx", 100 * M, asset_id=2, duplicate_rate=0.1),
    ]
    coverage = single(contributions)
    assert coverage.available_tokens == 690 * M
    assert coverage.tier == "T1"
    assert coverage.sources == 2


def test_fully_duplicated_data_is_no_data() -> None:
    coverage = single([contrib("xx", 10 * M, duplicate_rate=1.0)])
    assert (coverage.available_tokens, coverage.tier, coverage.flags) == (0, "none", ("no-data",))
    assert coverage.sources == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tokens": -1}, "tokens must not be negative"),
        ({"duplicate_rate": -0.1}, "duplicate_rate must be within 0..1"),
        ({"duplicate_rate": 1.5}, "duplicate_rate must be within 0..1"),
    ],
)
def test_contribution_validation(kwargs: dict[str, Any], message: str) -> None:
    tokens = kwargs.pop("tokens", 10)
    with pytest.raises(ValueError, match=message):
        contrib("xx", tokens, **kwargs)


def test_duplicate_nation_languages_are_rejected() -> None:
    with pytest.raises(ValueError, match="listed more than once: yo"):
        compute_coverage("NG", [lang("yo"), lang("ha"), lang("yo")], [])


# --- flags -------------------------------------------------------------------------------


def test_unverifiable_declared_asset_counts_under_its_language() -> None:
    languages = [lang("en", 10), lang("tiv", 10, detectable=False)]
    contributions = [
        contrib("tiv", 30 * M, asset_id=1, organization="a", verified=False),
        contrib("tiv", 30 * M, asset_id=2, organization="b", verified=False),
        contrib("en", 30 * M, asset_id=3, organization="c"),
    ]
    report = compute_coverage("XX", languages, contributions)
    tiv = row(report, "tiv")
    assert (tiv.available_tokens, tiv.tier, tiv.sources) == (60 * M, "T1", 2)
    assert tiv.flags == ("unverifiable",)
    assert "unverifiable" not in row(report, "en").flags
    assert report.indicators.unverifiable_languages == ("tiv",)


def test_unverified_contribution_flags_a_detectable_language() -> None:
    contributions = [
        contrib("xx", 50, asset_id=1, organization="a"),
        contrib("xx", 50, asset_id=2, organization="b", verified=False),
    ]
    report = compute_coverage("XX", [lang("xx", 1)], contributions)
    assert row(report, "xx").flags == ("unverifiable",)
    assert report.indicators.unverifiable_languages == ("xx",)


def test_undetectable_language_without_data() -> None:
    report = compute_coverage("XX", [lang("xx", 1, detectable=False)], [])
    # The row says "no data"; the nation still learns the detectors cannot check it.
    assert row(report, "xx").flags == ("no-data",)
    assert report.indicators.unverifiable_languages == ("xx",)


@pytest.mark.parametrize(
    ("contributions", "single_source"),
    [
        pytest.param([("a", 1, 100)], True, id="one-asset"),
        pytest.param([("a", 1, 81), ("b", 2, 19)], True, id="asset-over-80"),
        pytest.param([("a", 1, 80), ("b", 2, 20)], False, id="asset-exactly-80"),
        pytest.param([("a", 1, 50), ("a", 2, 31), ("b", 3, 19)], True, id="org-over-80"),
        pytest.param([("a", 1, 40), ("a", 2, 40), ("b", 3, 20)], False, id="org-exactly-80"),
        pytest.param([("a", 1, 50), ("b", 2, 50)], False, id="even-split"),
    ],
)
def test_single_source_by_asset_or_organisation(
    contributions: list[tuple[str, int, int]], single_source: bool
) -> None:
    coverage = single(
        [contrib("xx", tokens, asset_id=a, organization=org) for org, a, tokens in contributions]
    )
    assert ("single-source" in coverage.flags) is single_source


def test_single_source_uses_deduplicated_tokens() -> None:
    contributions = [
        contrib("xx", 100, asset_id=1, organization="a", duplicate_rate=0.9),
        contrib("xx", 50, asset_id=2, organization="b"),
    ]
    # Before dedup asset 1 holds 67%; after it, asset 2 holds 50 of 60 tokens (83%).
    assert "single-source" in single(contributions).flags


@pytest.mark.parametrize(
    ("license_class", "flags"),
    [
        ("open-share-alike", ("single-source",)),
        ("no-derivatives", ("only-non-commercial", "single-source")),
        ("unknown", ("only-non-commercial", "single-source")),
    ],
)
def test_only_non_commercial_flag(license_class: str, flags: tuple[str, ...]) -> None:
    assert single([contrib("xx", 10, license_class=license_class)]).flags == flags


def test_all_flags_sorted() -> None:
    contributions = [contrib("xx", 10, license_class="research-only", hosting="US")]
    coverage = single(contributions, language=lang("xx", detectable=False))
    assert coverage.flags == (
        "only-foreign-hosted",
        "only-non-commercial",
        "single-source",
        "unverifiable",
    )


# --- policy ------------------------------------------------------------------------------


def test_default_policy() -> None:
    policy = Policy()
    assert dict(policy.targets) == DEFAULT_TARGETS
    assert (policy.t2_good, policy.target_tier) == (DEFAULT_T2_GOOD, "T2")


def targets(**changes: int) -> dict[str, int]:
    return {**DEFAULT_TARGETS, **changes}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"targets": {"T0": 1, "T1": 2, "T2": 3, "T3": 4}}, "targets missing tier\\(s\\): T4"),
        ({"targets": {**DEFAULT_TARGETS, "T5": 10**12}}, "unknown tier\\(s\\): T5"),
        ({"targets": targets(T1=50_000)}, "T1 \\(50000\\) is not above T0 \\(50000\\)"),
        ({"targets": targets(T3=10**9 - 1)}, "T3 \\(999999999\\) is not above T2"),
        ({"targets": targets(T0=0)}, "target T0 must be a positive integer"),
        ({"targets": targets(T2=True)}, "target T2 must be a positive integer"),
        ({"targets": [1, 2, 3, 4, 5]}, "targets must be a mapping"),
        ({"target_tier": "T5"}, "target_tier must be one of T0, T1, T2, T3, T4"),
        ({"target_tier": "none"}, "target_tier must be one of"),
        ({"t2_good": 999_999_999}, "t2_good \\(999999999\\) must be at least the T2 target"),
        ({"t2_good": 5.0e9}, "t2_good must be an integer"),
    ],
)
def test_policy_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Policy(**kwargs)


def test_policy_is_immune_to_later_changes_of_its_input() -> None:
    given = targets(T1=10 * M)
    policy = Policy(targets=given)
    given["T1"] = 1
    assert policy.targets["T1"] == 10 * M
    with pytest.raises(TypeError):
        policy.targets["T1"] = 5  # type: ignore[index]


def test_custom_policy_targets_change_tiers() -> None:
    # A nation with a small written tradition sets lower bars.
    policy = Policy(
        targets={"T0": 10_000, "T1": 5 * M, "T2": 200 * M, "T3": 5 * B, "T4": 50 * B},
        t2_good=1 * B,
    )
    assert tier_of(88 * M, policy) == "T1"
    assert tier_of(10 * M, Policy()) == "T0"
    assert tier_of(10 * M, policy) == "T1"
    coverage = single([contrib("xx", 1 * B)], language=lang("xx", 5 * M, "official"), policy=policy)
    assert (coverage.tier, coverage.good, coverage.severity) == ("T2", True, "ok")
    assert (coverage.next_tier, coverage.gap_tokens) == ("T3", 4 * B)
    default = single([contrib("xx", 1 * B)], language=lang("xx", 5 * M, "official"))
    assert (default.tier, default.good) == ("T2", False)


def test_good_needs_t2_good_tokens() -> None:
    policy = Policy(t2_good=1 * B)  # equal to T2: every T2 is good
    assert single([contrib("xx", 1 * B)], policy=policy).good is True
    assert single([contrib("xx", 1 * B - 1)], policy=policy).good is False
    assert single([contrib("xx", 5 * B - 1)]).good is False
    assert single([contrib("xx", 5 * B)]).good is True


@pytest.mark.parametrize(
    "policy",
    [
        Policy(),
        Policy(target_tier="T3", t2_good=2 * B),
        Policy(targets={"T0": 1, "T1": 2, "T2": 3, "T3": 4, "T4": 5}, t2_good=3, target_tier="T0"),
    ],
)
def test_policy_json_round_trip(policy: Policy) -> None:
    data = json.loads(json.dumps(policy.to_json()))
    assert Policy.from_json(data) == policy
    assert list(data) == ["targets", "t2_good", "target_tier"]
    assert list(data["targets"]) == list(TIERS)


def test_policy_from_json_defaults_and_unknown_fields() -> None:
    assert Policy.from_json({}) == Policy()
    assert Policy.from_json({"target_tier": "T3"}) == Policy(target_tier="T3")
    with pytest.raises(ValueError, match="unknown policy field\\(s\\): t3_good"):
        Policy.from_json({"t3_good": 1})
    with pytest.raises(ValueError, match="targets missing tier"):
        Policy.from_json({"targets": {"T1": 1}})


# --- report JSON and determinism ---------------------------------------------------------


def test_report_to_json() -> None:
    report = compute_coverage("NG", nigeria(), fineweb2(), purpose="commercial")
    data = json.loads(json.dumps(report.to_json()))
    assert list(data) == [
        "nation",
        "purpose",
        "policy",
        "languages",
        "indicators",
        "other_languages",
    ]
    assert (data["nation"], data["purpose"]) == ("NG", "commercial")
    assert Policy.from_json(data["policy"]) == Policy()
    assert [r["language"] for r in data["languages"]] == ["en", "pcm", "yo", "ig", "ha"]
    assert data["languages"][0] == {
        "language": "en",
        "name": "English",
        "speakers": 125_475_910,
        "writers": 125_475_910,
        "official_status": "official",
        "available_tokens": 0,
        "domestic_tokens": 0,
        "domestic_hosted_tokens": 0,
        "commercial_tokens": 0,
        "research_tokens": 0,
        "tier": "none",
        "good": False,
        "next_tier": "T0",
        "gap_tokens": 50_000,
        "gaps": {"T0": 50_000, "T1": 20 * M, "T2": 1 * B, "T3": 20 * B, "T4": 140 * B},
        "severity": "critical",
        "flags": ["no-data"],
        "sources": 0,
        "registered_tokens": 0,
        "available_ci95": [0, 0],
        "overlaps": [],
    }
    assert data["indicators"]["unverifiable_languages"] == []
    assert data["indicators"]["languages_at_tier"] == {"T0": 4, "T1": 3, "T2": 0, "T3": 0, "T4": 0}
    assert data["other_languages"] == {
        "am": 360 * M,
        "et": 9_900 * M,
        "fi": 30 * B,
        "is": 2_500 * M,
    }


def test_report_is_deterministic() -> None:
    first = compute_coverage("NG", nigeria(), fineweb2()).to_json()
    second = compute_coverage("NG", list(reversed(nigeria())), list(reversed(fineweb2())))
    assert json.dumps(first) == json.dumps(second.to_json())


def test_empty_nation() -> None:
    report = compute_coverage("XX", [], [contrib("yo", 10)])
    assert report.languages == ()
    assert dict(report.other_languages) == {"yo": 10}
    indicators = report.indicators
    assert (indicators.writers_share_t1, indicators.domestic_hosted_share) == (0.0, 0.0)
    assert indicators.license_clean_share == 0.0
