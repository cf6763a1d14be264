"""The names of the curation app's Celery tasks and the one way services queue them: by name,
after the current transaction commits. Services never import a tasks module, so the doors
(tasks) depend on services and never the reverse; the names are the wire contract queued
messages carry, so they never change."""

from typing import Any

from celery import current_app
from django.db import transaction

HEARTBEAT = "curation.heartbeat"
PROFILE_SHARD = "curation.profile_shard"
FINALIZE_RUN = "curation.finalize_run"
RECONCILE_RUNS = "curation.reconcile_runs"
REFRESH_COVERAGE = "curation.refresh_coverage"
REFRESH_ALL_COVERAGE = "curation.refresh_all_coverage"
MATERIALISE_MANIFEST = "curation.materialise_manifest"


def send(name: str, *args: Any, countdown: float | None = None) -> None:
    """Queue task `name` now (in-process when no broker is configured). The task must be
    registered (`curation.apps` imports every tasks module): an unknown name raises KeyError
    rather than a message no worker would take."""
    current_app.tasks[name].apply_async(args, countdown=countdown)


def send_on_commit(name: str, *args: Any, countdown: float | None = None) -> None:
    """Queue task `name` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(name, *args, countdown=countdown))
