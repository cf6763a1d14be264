"""Celery doors of the curation app: take ids, re-fetch, call one service; safe to run twice."""

from celery import shared_task
from celery.app.task import Task

from curation import coverage, manifest_service, runs, services
from inventory.models import Nation


@shared_task(bind=True, name="curation.heartbeat")
def heartbeat_task(self: Task) -> int:
    """Prove the worker can reach the database; returns the worker's beat count."""
    hostname = self.request.hostname or "in-process"
    return services.record_heartbeat(hostname=hostname).beats


@shared_task(
    bind=True,
    name="curation.profile_shard",
    autoretry_for=(runs.TransientShardError,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=None,  # the service gives up after PROFILE_MAX_ATTEMPTS and records why
)
def profile_shard_task(self: Task, shard_id: int) -> str:
    try:
        return runs.run_shard(shard_id=shard_id, worker=self.request.hostname or "in-process")
    except runs.ShardBusy as busy:
        if self.request.is_eager:
            return "busy"  # in-process there is no other worker to wait for: the reconciler will
        raise self.retry(countdown=busy.seconds_left + 1, max_retries=None) from busy


@shared_task(name="curation.finalize_run")
def finalize_run_task(run_id: int) -> str:
    return runs.finalize_run(run_id=run_id).status


@shared_task(name="curation.reconcile_runs")
def reconcile_runs_task() -> dict[str, int]:
    return runs.reconcile()


@shared_task(name="curation.refresh_coverage")
def refresh_coverage_task(alpha2: str) -> str:
    report = coverage.refresh_coverage(nation=Nation.objects.get(alpha2=alpha2))
    return report.generated_at.isoformat()


@shared_task(name="curation.refresh_all_coverage")
def refresh_all_coverage_task() -> int:
    """Nightly: a snapshot of every nation with assets or reports (unchanged ones write none)."""
    nations = coverage.nations_with_data()
    for nation in nations:
        coverage.refresh_coverage(nation=nation)
    return len(nations)


@shared_task(name="curation.materialise_manifest")
def materialise_manifest_task(version_id: int) -> str:
    return manifest_service.materialise(version_id=version_id).status
