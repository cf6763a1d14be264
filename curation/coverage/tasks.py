"""Celery doors of coverage: refresh one nation's snapshot, or every nation's nightly."""

from celery import shared_task

from curation import queue
from curation.coverage import services as coverage
from inventory.models import Nation


@shared_task(name=queue.REFRESH_COVERAGE)
def refresh_coverage_task(alpha2: str) -> str:
    report = coverage.refresh_coverage(nation=Nation.objects.get(alpha2=alpha2))
    return report.generated_at.isoformat()


@shared_task(name=queue.REFRESH_ALL_COVERAGE)
def refresh_all_coverage_task() -> int:
    """Nightly: a snapshot of every nation with assets or reports (unchanged ones write none)."""
    nations = coverage.nations_with_data()
    for nation in nations:
        coverage.refresh_coverage(nation=nation)
    return len(nations)
