"""Every Celery task of the curation app, gathered for Celery's autodiscovery (which imports
`<app>.tasks`); each domain defines its own in its `tasks` module."""

from curation.coverage.tasks import refresh_all_coverage_task, refresh_coverage_task
from curation.manifests.tasks import materialise_manifest_task
from curation.runs.tasks import (
    finalize_run_task,
    heartbeat_task,
    profile_shard_task,
    reconcile_runs_task,
)

__all__ = [
    "finalize_run_task",
    "heartbeat_task",
    "materialise_manifest_task",
    "profile_shard_task",
    "reconcile_runs_task",
    "refresh_all_coverage_task",
    "refresh_coverage_task",
]
