"""`manage.py coverage_report NATION`: a nation's coverage as a table, JSON (the API's) or CSV."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from curation.coverage import services as coverage
from curation.coverage.renderers import coverage_csv
from curation.vocabulary import PURPOSES, Purpose
from inventory.models import Nation

DISTINCT_NOTE = (
    "distinct: each text counted once across assets (estimated from the assets' overlap "
    "sketches); registered: the assets' tokens added up. Tiers use the distinct figure."
)


def table(report: dict[str, Any]) -> str:
    """A fixed-width table of the report's languages, worst first."""
    header = (
        f"{'language':<28} {'writers':>13} {'distinct':>16} {'registered':>16} {'commercial':>16} "
        f"{'tier':<5} {'gap to next':>16} {'severity':<9} flags"
    )
    lines = [
        f"{report['nation']['name']} ({report['nation']['alpha2']}), {report['purpose']} data, "
        f"{report['generated_at']}",
        header,
        "-" * len(header),
    ]
    for row in report["languages"]:
        name = f"{row['name']} ({row['language']})"[:28]
        gap = f"{row['gap_tokens']:,} {row['next_tier']}" if row["next_tier"] else "-"
        lines.append(
            f"{name:<28} {row['writers']:>13,} {row['available_tokens']:>16,} "
            f"{row.get('registered_tokens', row['available_tokens']):>16,} "
            f"{row['commercial_tokens']:>16,} {row['tier']:<5} {gap:>16} "
            f"{row['severity']:<9} {', '.join(row['flags'])}"
        )
    lines.append(DISTINCT_NOTE)
    ind = report["indicators"]
    lines.append(
        f"writers' languages at T1 {ind['writers_share_t1']:.0%}, T2 {ind['writers_share_t2']:.0%},"
        f" T3 {ind['writers_share_t3']:.0%}; domestic origin {ind['domestic_origin_share']:.0%}, "
        f"domestically hosted {ind['domestic_hosted_share']:.0%}, "
        f"licence-clean {ind['license_clean_share']:.0%}"
    )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print a nation's language coverage report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("nation", help="ISO 3166-1 alpha-2 code")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument(
            "--purpose", choices=[p.value for p in PURPOSES], default=Purpose.ALL.value
        )

    def handle(self, *args: Any, nation: str, format: str, purpose: str, **o: Any) -> None:
        try:
            found = Nation.objects.get(alpha2=nation.upper())
        except Nation.DoesNotExist as exc:
            raise CommandError(
                f"unknown nation {nation!r} (give an ISO 3166-1 alpha-2 code)"
            ) from exc
        if purpose == "all":
            report = coverage.refresh_coverage(nation=found).data
        else:
            report = coverage.report_document(
                found, coverage.build_report(found, purpose), timezone.now()
            )
        if format == "json":
            self.stdout.write(json.dumps(report, indent=2))
        elif format == "csv":
            self.stdout.write(coverage_csv(report), ending="")
        else:
            self.stdout.write(table(report))
