"""A nation's language-coverage report: deduplicated tokens per language against tier targets.

Two figures per language: the *registered* total (each asset's tokens after removing the
duplicates inside it, added up) and the estimated *distinct* total (each text counted once
across every asset, from the assets' merged overlap sketches, `curation.profiling.sketch`),
with its 95% interval. Tiers, gaps, severities and the single-source flag use the distinct
total. A contribution without a sketch (a profile stored before sketches, or a language too
rare in its asset for the sketch to keep a document of it) is counted as registered, as if it
shared nothing.

Pure code (the standard library and the sketch's numpy) so that the rules can be tested, and
re-run for old inputs, without a database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from curation.plain import fields_json
from curation.profiling.sketch import Estimate, LanguageSketch, SketchPool, shared
from curation.vocabulary import (
    OPEN_CLASSES,
    PURPOSES,
    RESEARCH_CLASSES,
    SEVERITIES,
    Purpose,
    Severity,
)

TIERS = ("T0", "T1", "T2", "T3", "T4")
DEFAULT_TARGETS: dict[str, int] = {
    "T0": 50_000,
    "T1": 20_000_000,
    "T2": 1_000_000_000,
    "T3": 20_000_000_000,
    "T4": 140_000_000_000,
}
DEFAULT_T2_GOOD = 5_000_000_000

OFFICIAL_STATUSES = frozenset({"official", "de_facto_official"})
# How many of a language's largest overlaps (pairs of assets sharing text) a report lists.
MAX_OVERLAPS = 5
FLAGS = ("no-data", "only-foreign-hosted", "only-non-commercial", "single-source", "unverifiable")
# A language is "single-source" when one asset or organisation provides more than this share;
# a Fraction so that exactly 80% is compared exactly (0.8 * total is not, in floating point).
SINGLE_SOURCE_SHARE = Fraction(4, 5)
# Speakers who write a language, above which it is critical below T1 even when not official.
CRITICAL_WRITERS = 1_000_000


class _Json:
    """`to_json` for report dataclasses: one key per field, in field order."""

    def to_json(self) -> dict[str, Any]:
        return fields_json(self)


def _is_int(value: object) -> bool:
    # bool is an int subclass, but True tokens is a data error, not a count.
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Policy(_Json):
    """Tier targets (tokens per tier), the token count for a "good" T2, and the target tier."""

    targets: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    t2_good: int = DEFAULT_T2_GOOD
    target_tier: str = "T2"

    def __post_init__(self) -> None:
        if not isinstance(self.targets, Mapping):
            raise ValueError("targets must be a mapping of tier to tokens")
        missing = [t for t in TIERS if t not in self.targets]
        if missing:
            raise ValueError(f"targets missing tier(s): {', '.join(missing)}")
        unknown = sorted(str(t) for t in self.targets if t not in TIERS)
        if unknown:
            raise ValueError(f"targets has unknown tier(s): {', '.join(unknown)}")
        for tier in TIERS:
            value = self.targets[tier]
            if not _is_int(value) or value <= 0:
                raise ValueError(f"target {tier} must be a positive integer, got {value!r}")
        for lower, upper in pairwise(TIERS):
            if self.targets[upper] <= self.targets[lower]:
                raise ValueError(
                    f"targets must increase strictly: {upper} ({self.targets[upper]}) "
                    f"is not above {lower} ({self.targets[lower]})"
                )
        if self.target_tier not in TIERS:
            raise ValueError(
                f"target_tier must be one of {', '.join(TIERS)}, got {self.target_tier!r}"
            )
        if not _is_int(self.t2_good):
            raise ValueError(f"t2_good must be an integer, got {self.t2_good!r}")
        if self.t2_good < self.targets["T2"]:
            raise ValueError(
                f"t2_good ({self.t2_good}) must be at least the T2 target ({self.targets['T2']})"
            )
        # A private read-only copy, in tier order: the caller's dict can change later and the
        # frozen policy must not change with it.
        frozen = MappingProxyType({t: self.targets[t] for t in TIERS})
        object.__setattr__(self, "targets", frozen)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from `to_json` output; absent keys take their defaults."""
        if not isinstance(data, Mapping):
            raise ValueError("policy must be a JSON object")
        unknown = sorted(set(data) - {"targets", "t2_good", "target_tier"})
        if unknown:
            raise ValueError(f"unknown policy field(s): {', '.join(unknown)}")
        return cls(
            targets=data.get("targets", DEFAULT_TARGETS),
            t2_good=data.get("t2_good", DEFAULT_T2_GOOD),
            target_tier=data.get("target_tier", "T2"),
        )


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class NationLanguage:
    """One language of the nation, with its populations and status."""

    language: str
    name: str
    speakers: int
    writers: int
    official_status: str
    detectable: bool

    def __post_init__(self) -> None:
        if self.speakers < 0 or self.writers < 0:
            raise ValueError(f"{self.language}: speakers and writers must not be negative")


@dataclass(frozen=True)
class Contribution:
    """One profiled asset's tokens in one language, before deduplication."""

    asset_id: int
    organization: str
    language: str
    tokens: int
    duplicate_rate: float
    license_class: str
    origin_nations: tuple[str, ...]
    hosting_nation: str | None
    verified: bool = True
    sketch: LanguageSketch | None = None

    def __post_init__(self) -> None:
        if self.tokens < 0:
            raise ValueError(f"asset {self.asset_id}: tokens must not be negative")
        if not 0.0 <= self.duplicate_rate <= 1.0:
            raise ValueError(f"asset {self.asset_id}: duplicate_rate must be within 0..1")

    @property
    def available_tokens(self) -> int:
        return round(self.tokens * (1 - self.duplicate_rate))


@dataclass(frozen=True)
class Overlap(_Json):
    """Two assets holding the same text in a language: the estimated tokens they share."""

    assets: tuple[int, int]
    organizations: tuple[str, str]
    shared_tokens: int


@dataclass(frozen=True)
class LanguageCoverage(_Json):
    """One language's row of the report; `tier` and the gaps follow the report's purpose.

    `available_tokens` and the per-view totals are distinct totals (each text once across
    assets); `registered_tokens` adds the assets up; `available_ci95` is the distinct total's
    95% interval (a point when every asset's sketch was a census)."""

    language: str
    name: str
    speakers: int
    writers: int
    official_status: str
    available_tokens: int
    domestic_tokens: int
    domestic_hosted_tokens: int
    commercial_tokens: int
    research_tokens: int
    tier: str
    good: bool
    next_tier: str | None
    gap_tokens: int
    gaps: Mapping[str, int]
    severity: str
    flags: tuple[str, ...]
    sources: int
    registered_tokens: int = 0
    available_ci95: tuple[int, int] = (0, 0)
    overlaps: tuple[Overlap, ...] = ()


@dataclass(frozen=True)
class Indicators(_Json):
    """Nation-level indicators.

    The writer shares divide by the sum of the languages' writer counts. People write more than
    one language, so that sum exceeds the population: read them as "share of language-writer
    counts", not as a share of people. The token shares weigh all available (deduplicated)
    tokens of the nation's languages whatever the report's purpose, so that the licence-clean
    share still means something in the commercial view; 0.0 when there are no tokens.
    """

    writers_share_t1: float
    writers_share_t2: float
    writers_share_t3: float
    domestic_origin_share: float
    domestic_hosted_share: float
    license_clean_share: float
    unverifiable_languages: tuple[str, ...]
    languages_at_tier: Mapping[str, int]


@dataclass(frozen=True)
class CoverageReport(_Json):
    """A nation's coverage; `other_languages` holds available tokens in languages not its own."""

    nation: str
    purpose: str
    policy: Policy
    languages: tuple[LanguageCoverage, ...]
    indicators: Indicators
    other_languages: Mapping[str, int] = field(default_factory=dict)


def tier_of(tokens: int, policy: Policy = DEFAULT_POLICY) -> str:
    """The highest tier whose target `tokens` reaches (exactly at a target reaches it)."""
    reached = "none"
    for tier in TIERS:
        if tokens >= policy.targets[tier]:
            reached = tier
    return reached


def _tier_index(tier: str) -> int:
    return TIERS.index(tier) if tier in TIERS else -1


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _severity(language: NationLanguage, tier: str, policy: Policy) -> str:
    index = _tier_index(tier)
    important = (
        language.official_status in OFFICIAL_STATUSES or language.writers >= CRITICAL_WRITERS
    )
    if important and index < TIERS.index("T1"):
        return Severity.CRITICAL
    if index < TIERS.index("T2"):
        return Severity.MAJOR
    if index < TIERS.index(policy.target_tier):
        return Severity.MINOR
    return Severity.OK


def _deficit(row: LanguageCoverage, policy: Policy) -> int:
    # Tokens missing to the tier the severity is about; an ok row is ranked by its next step.
    tier = {
        Severity.CRITICAL: "T1",
        Severity.MAJOR: "T2",
        Severity.MINOR: policy.target_tier,
    }.get(Severity(row.severity))
    return row.gaps[tier] if tier is not None else row.gap_tokens


def _largest_share_exceeds(amounts: Mapping[Any, int], total: int) -> bool:
    return total > 0 and max(amounts.values()) > SINGLE_SOURCE_SHARE * total


def _overlaps(contributions: Sequence[Contribution]) -> tuple[Overlap, ...]:
    """The largest pairs of assets sharing text, by estimated shared tokens."""
    sketches: dict[int, list[LanguageSketch]] = defaultdict(list)
    organizations: dict[int, str] = {}
    for c in contributions:
        if c.sketch is not None and len(c.sketch):
            sketches[c.asset_id].append(c.sketch)
            organizations[c.asset_id] = c.organization
    merged = {
        asset: parts[0] if len(parts) == 1 else _concat(parts) for asset, parts in sketches.items()
    }
    pairs = sorted(shared(merged).items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(
        Overlap((a, b), (organizations[a], organizations[b]), round(tokens))
        for (a, b), tokens in pairs[:MAX_OVERLAPS]
        if round(tokens) > 0
    )


def _concat(parts: Sequence[LanguageSketch]) -> LanguageSketch:
    """One sketch of an asset's several rows in a language (a group and its member)."""
    rows: dict[int, tuple[float, float]] = {}
    for part in parts:
        hashes, probs, tokens = part.arrays()
        for h, p, t in zip(hashes.tolist(), probs.tolist(), tokens.tolist(), strict=True):
            old = rows.get(h)
            rows[h] = (p, t) if old is None else (max(p, old[0]), old[1] + t)
    return LanguageSketch.build((h, p, t) for h, (p, t) in rows.items())


@dataclass(frozen=True)
class _Counts:
    """A language's totals, the same for every purpose: what is held, and where."""

    registered: int
    unverified: bool
    total: Estimate
    domestic: int
    hosted: int
    commercial: int
    research: int
    by_asset: Mapping[int, int]
    by_org: Mapping[str, int]
    overlaps: tuple[Overlap, ...]

    @property
    def available(self) -> int:
        return round(self.total.value)


def _counts(nation: str, contributions: Sequence[Contribution]) -> _Counts:
    """The language's totals: every union over one pool of its sketches (`SketchPool`), each
    subset a mask of it, the per-asset and per-organisation unions one grouping each."""
    pool = SketchPool([c.sketch for c in contributions])
    alone = np.array(
        [c.available_tokens if c.sketch is None or not len(c.sketch) else 0 for c in contributions],
        dtype=np.int64,
    )

    def tokens(members: npt.NDArray[np.bool_]) -> int:
        if not members.any():
            return 0
        return round(pool.union(members).value + int(alone[members].sum()))

    def flags(predicate: Any) -> npt.NDArray[np.bool_]:
        return np.array([bool(predicate(c)) for c in contributions], dtype=bool)

    def grouped(keys: list[Any]) -> dict[Any, int]:
        names = list(dict.fromkeys(keys))
        index = {key: i for i, key in enumerate(names)}
        groups = np.array([index[key] for key in keys], dtype=np.intp)
        values = pool.group_values(groups, len(names)) + np.bincount(
            groups, weights=alone, minlength=len(names)
        )
        return {key: round(float(values[i])) for i, key in enumerate(names)}

    everyone = np.ones(len(contributions), dtype=bool)
    merged = pool.union(everyone)
    held = int(alone.sum())
    return _Counts(
        registered=sum(c.available_tokens for c in contributions),
        unverified=any(not c.verified for c in contributions),
        total=Estimate(
            merged.value + held,
            merged.low + held,
            merged.high + held,
            merged.documents,
            merged.kept,
        ),
        domestic=tokens(flags(lambda c: nation in (o.upper() for o in c.origin_nations))),
        hosted=tokens(
            flags(lambda c: c.hosting_nation is not None and c.hosting_nation.upper() == nation)
        ),
        commercial=tokens(flags(lambda c: c.license_class in OPEN_CLASSES)),
        research=tokens(flags(lambda c: c.license_class in RESEARCH_CLASSES)),
        by_asset=grouped([c.asset_id for c in contributions]),
        by_org=grouped([c.organization for c in contributions]),
        overlaps=_overlaps(contributions),
    )


def _language_row(
    language: NationLanguage, counts: _Counts, policy: Policy, purpose: str
) -> LanguageCoverage:
    available = counts.available
    commercial = counts.commercial
    counted = {
        Purpose.ALL: available,
        Purpose.COMMERCIAL: commercial,
        Purpose.RESEARCH: counts.research,
    }[Purpose(purpose)]
    tier = tier_of(counted, policy)
    gaps = {t: max(0, policy.targets[t] - counted) for t in TIERS}
    index = _tier_index(tier)
    next_tier = TIERS[index + 1] if index + 1 < len(TIERS) else None

    flags: set[str] = set()
    if available == 0:
        flags.add("no-data")
    else:
        if not language.detectable or counts.unverified:
            flags.add("unverifiable")
        if counts.hosted == 0:
            flags.add("only-foreign-hosted")
        if commercial == 0:
            flags.add("only-non-commercial")
        if _largest_share_exceeds(counts.by_asset, available) or _largest_share_exceeds(
            counts.by_org, available
        ):
            flags.add("single-source")
    if counts.unverified:
        # A declared-but-unverifiable asset is flagged even when deduplication left it no tokens.
        flags.add("unverifiable")

    return LanguageCoverage(
        language=language.language,
        name=language.name,
        speakers=language.speakers,
        writers=language.writers,
        official_status=language.official_status,
        available_tokens=available,
        domestic_tokens=counts.domestic,
        domestic_hosted_tokens=counts.hosted,
        commercial_tokens=commercial,
        research_tokens=counts.research,
        tier=tier,
        good=index >= TIERS.index("T2") and counted >= policy.t2_good,
        next_tier=next_tier,
        gap_tokens=gaps[next_tier] if next_tier is not None else 0,
        gaps=MappingProxyType(gaps),
        severity=_severity(language, tier, policy),
        flags=tuple(sorted(flags)),
        sources=len(counts.by_asset),
        registered_tokens=counts.registered,
        available_ci95=(round(counts.total.low), round(counts.total.high)),
        overlaps=counts.overlaps,
    )


def _indicators(
    languages: Sequence[NationLanguage], rows: Sequence[LanguageCoverage]
) -> Indicators:
    total_writers = sum(r.writers for r in rows)

    def writers_reaching(tier: str) -> float:
        reached = sum(r.writers for r in rows if _tier_index(r.tier) >= TIERS.index(tier))
        return _share(reached, total_writers)

    tokens = sum(r.available_tokens for r in rows)
    undetectable = {lang.language for lang in languages if not lang.detectable}
    flagged = {r.language for r in rows if "unverifiable" in r.flags}
    return Indicators(
        writers_share_t1=writers_reaching("T1"),
        writers_share_t2=writers_reaching("T2"),
        writers_share_t3=writers_reaching("T3"),
        domestic_origin_share=_share(sum(r.domestic_tokens for r in rows), tokens),
        domestic_hosted_share=_share(sum(r.domestic_hosted_tokens for r in rows), tokens),
        license_clean_share=_share(sum(r.commercial_tokens for r in rows), tokens),
        # Every language no detector can recognise, with or without data, plus those whose
        # data was only declared.
        unverifiable_languages=tuple(sorted(undetectable | flagged)),
        languages_at_tier=MappingProxyType(
            {t: sum(1 for r in rows if _tier_index(r.tier) >= i) for i, t in enumerate(TIERS)}
        ),
    )


def compute_coverage(
    nation: str,
    languages: Sequence[NationLanguage],
    contributions: Sequence[Contribution],
    policy: Policy = DEFAULT_POLICY,
    purpose: str = "all",
) -> CoverageReport:
    """Coverage of `nation`'s languages by `contributions`, tiered on the `purpose` view.

    Language tags are matched exactly, so callers pass canonical tags on both sides.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}, got {purpose!r}")
    return compute_views(nation, languages, contributions, policy, (purpose,))[purpose]


def compute_views(
    nation: str,
    languages: Sequence[NationLanguage],
    contributions: Sequence[Contribution],
    policy: Policy = DEFAULT_POLICY,
    purposes: Sequence[str] = PURPOSES,
) -> dict[str, CoverageReport]:
    """`compute_coverage` for each of `purposes`, the totals (the costly part: sketch unions)
    computed once for all of them."""
    unknown = [p for p in purposes if p not in PURPOSES]
    if unknown:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}, got {unknown[0]!r}")
    tags = {lang.language for lang in languages}
    if len(tags) != len(languages):
        seen = [lang.language for lang in languages]
        duplicated = sorted({t for t in seen if seen.count(t) > 1})
        raise ValueError(f"language(s) listed more than once: {', '.join(duplicated)}")
    nation = nation.upper()

    per_language: dict[str, list[Contribution]] = defaultdict(list)
    other: dict[str, int] = defaultdict(int)
    for c in contributions:
        if c.language in tags:
            per_language[c.language].append(c)
        else:
            other[c.language] += c.available_tokens
    counts = {
        lang.language: _counts(nation, per_language.get(lang.language, [])) for lang in languages
    }

    reports = {}
    for purpose in purposes:
        rows = [_language_row(lang, counts[lang.language], policy, purpose) for lang in languages]
        rows.sort(
            key=lambda r: (Severity(r.severity).rank, -r.writers * _deficit(r, policy), r.language)
        )
        reports[purpose] = CoverageReport(
            nation=nation,
            purpose=purpose,
            policy=policy,
            languages=tuple(rows),
            indicators=_indicators(languages, rows),
            other_languages=MappingProxyType(dict(sorted(other.items()))),
        )
    return reports


def worst_severity(data: Mapping[str, Any] | None) -> str:
    """The traffic light of a stored report: its worst language severity ("none" without a
    report or without languages)."""
    if not data or not data.get("languages"):
        return "none"
    found = {row["severity"] for row in data["languages"]}
    return next(s for s in SEVERITIES if s in found or s == "ok")
