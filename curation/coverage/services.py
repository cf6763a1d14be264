"""Coverage of a nation's languages: gathers profiled assets and reference data, hands them to the
pure gap module, keeps dated snapshots, and says who may read which nation."""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from curation import queue
from curation.coverage import charts, gaps
from curation.models import AssetProfile, CoveragePolicy, CoverageReport, Gap, ProfileLanguage
from curation.profiling.langid import all_labels
from curation.profiling.sketch import LanguageSketch
from curation.vocabulary import LanguageStatus, Purpose
from inventory.models import Asset, Membership, Nation, NationLanguage, Organization


def nations_visible_to(user: Any) -> QuerySet[Nation]:
    """Admins see every nation. Anyone else sees the nations of their organisations (so a
    ministry's reviewers see theirs) and the origin and hosting nations of their organisations'
    live assets; a retired asset unlocks nothing."""
    if not user or not user.is_authenticated:
        return Nation.objects.none()
    if user.is_staff:
        return Nation.objects.all()
    memberships = Membership.objects.filter(user=user)
    live_assets = Asset.objects.active().filter(
        organization__in=memberships.values("organization_id")
    )
    return Nation.objects.filter(
        Q(pk__in=memberships.values("organization__nation_id"))
        | Q(pk__in=live_assets.values("origin_nations"))
        | Q(pk__in=live_assets.values("hosting_nation_id"))
    )


def is_reviewer_of(user: Any, nation: Nation) -> bool:
    if user.is_staff:
        return True
    return Membership.objects.filter(
        user=user,
        role=Membership.Role.REVIEWER,
        organization__kind=Organization.Kind.MINISTRY,
        organization__nation=nation,
    ).exists()


def policy_for(nation: Nation) -> gaps.Policy:
    """The nation's own policy, else the default row, else the defaults from the literature."""
    row = (
        CoveragePolicy.objects.filter(nation=nation).first()
        or CoveragePolicy.objects.filter(nation__isnull=True).first()
    )
    if row is None:
        return gaps.Policy()
    return gaps.Policy(targets=row.targets, t2_good=row.t2_good, target_tier=row.target_tier)


@transaction.atomic
def update_policy(*, nation: Nation, policy: gaps.Policy, actor: Any) -> CoveragePolicy:
    """Set a nation's tier targets (recorded in the policy's history) and refresh its report."""
    row = CoveragePolicy.objects.filter(nation=nation).first() or CoveragePolicy(nation=nation)
    row.targets = dict(policy.targets)
    row.t2_good = policy.t2_good
    row.target_tier = policy.target_tier
    row.updated_by = actor
    row._history_user = actor  # type: ignore[attr-defined]
    row.save()
    transaction.on_commit(lambda: refresh_coverage(nation=nation))
    return row


def _profiles_of(nation: Nation) -> QuerySet[AssetProfile]:
    """Profiles of the live assets that concern the nation: owned there, from there, or hosted
    there."""
    assets = Asset.objects.active().filter(
        Q(organization__nation=nation) | Q(origin_nations=nation) | Q(hosting_nation=nation)
    )
    return AssetProfile.objects.filter(asset__in=assets.values("pk"))


def _contributions(nation: Nation) -> list[gaps.Contribution]:
    """Every language row of the nation's profiled assets, read as plain values: five queries
    whatever the number of assets, no model instances, and no profile's whole JSON decoded
    (only the member lists of confusable groups, for the profiles that have one)."""
    profiles = _profiles_of(nation)
    assets = {
        row["asset_id"]: row
        for row in profiles.values(
            "pk",
            "asset_id",
            "documents",
            "duplicate_documents",
            "asset__organization__slug",
            "asset__license_class",
            "asset__hosting_nation__alpha2",
        )
    }
    ids = list(assets)
    declared: dict[int, list[str]] = {}
    for asset_id, tag in (
        Asset.languages.through.objects.filter(asset_id__in=ids)
        .order_by("asset_id", "language__tag")
        .values_list("asset_id", "language__tag")
    ):
        declared.setdefault(asset_id, []).append(tag)
    origins: dict[int, list[str]] = {}
    for asset_id, alpha2 in (
        Asset.origin_nations.through.objects.filter(asset_id__in=ids)
        .order_by("asset_id", "nation__alpha2")
        .values_list("asset_id", "nation__alpha2")
    ):
        origins.setdefault(asset_id, []).append(alpha2)
    rows = list(
        ProfileLanguage.objects.filter(profile__in=profiles)
        .exclude(status="undetermined")
        .order_by("profile__asset_id", "-estimated_tokens", "language")
        .values_list("profile__asset_id", "language", "status", "estimated_tokens", "sketch")
    )
    grouped = {asset_id for asset_id, _, status, _, _ in rows if status == "group"}
    members = _group_members(grouped)
    result = []
    for asset_id, language, status, tokens, sketch in rows:
        asset = assets[asset_id]
        if status == "group":
            # A confusable group (hr/sr-Latn/bs …) counts for the declared member, if any.
            group = members.get((asset_id, language), ())
            chosen = [tag for tag in declared.get(asset_id, []) if tag in group]
            if not chosen:
                continue
            language = chosen[0]
        documents = asset["documents"]
        result.append(
            gaps.Contribution(
                asset_id=asset_id,
                organization=asset["asset__organization__slug"],
                language=language,
                tokens=tokens,
                duplicate_rate=asset["duplicate_documents"] / documents if documents else 0.0,
                license_class=asset["asset__license_class"],
                origin_nations=tuple(origins.get(asset_id, ())),
                hosting_nation=asset["asset__hosting_nation__alpha2"],
                verified=status != LanguageStatus.UNVERIFIABLE,
                sketch=LanguageSketch.from_bytes(bytes(sketch)) if sketch else None,
            )
        )
    return result


def _group_members(asset_ids: set[int]) -> dict[tuple[int, str], frozenset[str]]:
    """(asset, group tag) → the group's members, from the language rows of those profiles."""
    out: dict[tuple[int, str], frozenset[str]] = {}
    if not asset_ids:
        return out
    for asset_id, languages in AssetProfile.objects.filter(asset_id__in=asset_ids).values_list(
        "asset_id", "data__languages"
    ):
        for row in languages or []:
            if row.get("members"):
                out[(asset_id, row["language"])] = frozenset(row["members"])
    return out


def inputs(nation: Nation) -> tuple[list[gaps.NationLanguage], list[gaps.Contribution]]:
    labels = all_labels()
    languages = [
        gaps.NationLanguage(
            language=link.language.tag,
            name=link.language.name,
            speakers=link.speakers,
            writers=link.writers,
            official_status=link.official_status,
            detectable=link.language.tag in labels,
        )
        for link in NationLanguage.objects.filter(nation=nation)
        .select_related("language")
        .order_by("language__tag")
    ]
    return languages, _contributions(nation)


def build_report(nation: Nation, purpose: str = Purpose.ALL) -> gaps.CoverageReport:
    """Compute the nation's coverage now (not stored)."""
    languages, contributions = inputs(nation)
    return gaps.compute_coverage(
        nation.alpha2, languages, contributions, policy_for(nation), purpose=purpose
    )


def build_reports(nation: Nation) -> dict[str, gaps.CoverageReport]:
    """The nation's coverage for every purpose, from one reading of its inputs."""
    languages, contributions = inputs(nation)
    return gaps.compute_views(nation.alpha2, languages, contributions, policy_for(nation))


def report_document(
    nation: Nation, report: gaps.CoverageReport, generated_at: Any
) -> dict[str, Any]:
    """The report in the API's names."""
    data = report.to_json()
    data["nation"] = {"alpha2": nation.alpha2, "name": nation.name, "population": nation.population}
    data["generated_at"] = generated_at.isoformat()
    return data


def with_visible_overlaps(data: dict[str, Any], user: Any) -> dict[str, Any]:
    """The report with each overlap's assets named for `user`: title and id of an asset they
    may see, only its organisation for one they may not (a snapshot is shared by all readers)."""
    ids = {
        a for row in data.get("languages", []) for o in row.get("overlaps", []) for a in o["assets"]
    }
    if not ids:
        return data
    visible = dict(Asset.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "title"))
    languages = []
    for row in data["languages"]:
        overlaps = [
            {
                **overlap,
                "assets": [
                    {"id": a, "title": visible[a], "organization": org}
                    if a in visible
                    else {"id": None, "title": None, "organization": org}
                    for a, org in zip(overlap["assets"], overlap["organizations"], strict=True)
                ],
            }
            for overlap in row.get("overlaps", [])
        ]
        languages.append({**row, "overlaps": overlaps})
    return {**data, "languages": languages}


def _fingerprint(nation: Nation, reports: dict[str, gaps.CoverageReport]) -> str:
    payload = json.dumps(
        {purpose: report.to_json() for purpose, report in reports.items()},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(f"{nation.alpha2}:{payload}".encode()).hexdigest()


def refresh_coverage(*, nation: Nation, force: bool = False) -> CoverageReport:
    """Store a new snapshot when the nation's coverage changed (or when forced); else return the
    latest. Safe to call as often as anything changes: identical inputs write nothing. The
    snapshot holds every purpose's view, so that no read computes one."""
    reports = build_reports(nation)
    report = reports[Purpose.ALL]
    fingerprint = _fingerprint(nation, reports)
    latest = CoverageReport.objects.filter(nation=nation).order_by("-generated_at").first()
    if latest is not None and latest.fingerprint == fingerprint and not force:
        return latest
    now = timezone.now()
    document = report_document(nation, report, now)
    with transaction.atomic():
        snapshot = CoverageReport.objects.create(
            nation=nation,
            generated_at=now,
            fingerprint=fingerprint,
            policy=report.policy.to_json(),
            indicators=report.indicators.to_json(),
            data=document,
            views={
                purpose: report_document(nation, view, now)
                for purpose, view in reports.items()
                if purpose != Purpose.ALL
            },
            chart_svg=charts.coverage_chart(document),
        )
        Gap.objects.bulk_create(
            Gap(
                report=snapshot,
                language=row.language,
                name=row.name,
                writers=row.writers,
                official_status=row.official_status,
                available_tokens=row.available_tokens,
                registered_tokens=row.registered_tokens,
                commercial_tokens=row.commercial_tokens,
                tier=row.tier,
                next_tier=row.next_tier or "",
                gap_tokens=row.gap_tokens,
                severity=row.severity,
                flags=list(row.flags),
                rank=rank,
            )
            for rank, row in enumerate(report.languages)
        )
    return snapshot


def latest_reports(nations: QuerySet[Nation]) -> dict[int, CoverageReport]:
    """Each nation's newest snapshot, by nation id, in one query."""
    newest = CoverageReport.objects.filter(nation=OuterRef("nation")).order_by("-generated_at")
    reports = CoverageReport.objects.filter(
        nation__in=nations, pk=Subquery(newest.values("pk")[:1])
    )
    return {report.nation_id: report for report in reports}


def purpose_view(nation: Nation, purpose: str) -> dict[str, Any]:
    """The latest snapshot's report for `purpose`. A snapshot stored before views were kept
    is replaced by a fresh one, once."""
    snapshot = latest_report(nation)
    if purpose == Purpose.ALL:
        return snapshot.data  # type: ignore[no-any-return]
    if purpose not in snapshot.views:
        snapshot = refresh_coverage(nation=nation, force=True)
    return snapshot.views[purpose]  # type: ignore[no-any-return]


def latest_report(nation: Nation) -> CoverageReport:
    """The latest snapshot, made now if the nation has none yet."""
    latest = CoverageReport.objects.filter(nation=nation).order_by("-generated_at").first()
    return latest or refresh_coverage(nation=nation)


def nations_of_asset(asset: Asset) -> list[Nation]:
    """The nations whose reports an asset's profile feeds."""
    nations = {asset.organization.nation, *asset.origin_nations.all()}
    if asset.hosting_nation:
        nations.add(asset.hosting_nation)
    return sorted(nations, key=lambda n: n.alpha2)


def nations_with_data() -> list[Nation]:
    """Nations some live asset concerns, or that have reports already."""
    assets = Asset.objects.active()
    return list(
        Nation.objects.filter(
            Q(pk__in=assets.values("organization__nation_id"))
            | Q(pk__in=assets.values("origin_nations"))
            | Q(pk__in=assets.values("hosting_nation_id"))
            | Q(pk__in=CoverageReport.objects.values("nation_id"))
        )
        .distinct()
        .order_by("alpha2")
    )


def schedule_refresh(alpha2s: list[str]) -> None:
    """Queue a refresh of these nations' reports, each COVERAGE_DEBOUNCE_SECONDS after the
    current transaction commits (a countdown, so one change's several events settle before the
    report is computed; identical inputs then write nothing)."""
    for code in sorted(set(alpha2s)):
        queue.send_on_commit(
            queue.REFRESH_COVERAGE, code, countdown=settings.COVERAGE_DEBOUNCE_SECONDS
        )
