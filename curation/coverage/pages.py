"""Server-rendered pages for ministries: every visible nation's traffic light, and one nation's
report with its chart, indicators, gap table and trend. Login required; no JavaScript needed."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from curation.coverage import services as coverage
from curation.coverage.gaps import worst_severity
from curation.coverage.renderers import coverage_csv
from curation.models import CoverageReport
from curation.vocabulary import Severity

SEVERITY_LABELS = {s.value: "OK" if s is Severity.OK else s.title() for s in Severity}


@login_required
def reports_index(request: HttpRequest) -> HttpResponse:
    nations = coverage.nations_visible_to(request.user).order_by("name")
    latest = coverage.latest_reports(nations)
    rows = [
        {
            "nation": nation,
            "report": latest.get(nation.pk),
            "status": worst_severity(latest[nation.pk].data if nation.pk in latest else None),
        }
        for nation in nations
    ]
    return render(request, "curation/reports_index.html", {"rows": rows})


def _trend(nation: Any, current: CoverageReport) -> list[dict[str, Any]]:
    earlier = (
        CoverageReport.objects.filter(nation=nation, generated_at__lt=current.generated_at)
        .order_by("-generated_at")
        .first()
    )
    if earlier is None:
        return []
    before = {row["language"]: row for row in earlier.data["languages"]}
    changes = []
    for row in current.data["languages"]:
        old = before.get(row["language"])
        if old and old["available_tokens"] != row["available_tokens"]:
            changes.append(
                {
                    "language": row["name"],
                    "before": old["available_tokens"],
                    "after": row["available_tokens"],
                    "tier_before": old["tier"],
                    "tier_after": row["tier"],
                    "since": earlier.generated_at,
                }
            )
    return changes


@login_required
def report_detail(request: HttpRequest, alpha2: str) -> HttpResponse:
    nation = coverage.nations_visible_to(request.user).filter(alpha2=alpha2.upper()).first()
    if nation is None:
        raise Http404("No coverage report you may read for this nation.")
    report = coverage.latest_report(nation)
    if request.GET.get("download") == "csv":
        response = HttpResponse(coverage_csv(report.data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="coverage-{nation.alpha2}.csv"'
        return response
    data = coverage.with_visible_overlaps(report.data, request.user)
    context = {
        "nation": nation,
        "report": report,
        "data": data,
        "chart": mark_safe(report.chart_svg),
        "status": worst_severity(data),
        "unverifiable": [r for r in data["languages"] if "unverifiable" in r["flags"]],
        "trend": _trend(nation, report),
        "overlaps": [(row, o) for row in data["languages"] for o in row.get("overlaps", [])],
        "snapshots": CoverageReport.objects.filter(nation=nation).count(),
    }
    return render(request, "curation/report_detail.html", context)
