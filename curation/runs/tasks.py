"""Celery doors of profiling: take ids, re-fetch, call one service; safe to run twice."""

from typing import Any

from celery import shared_task
from celery.app.task import Task
from celery.signals import worker_init

from curation import lifecycle, queue
from curation.runs import services as runs
from curation.runs.models import ProfileRun


@worker_init.connect
def warm_engine(**_: Any) -> None:
    """Load the language detectors (langdetect's profiles, pycld2, fastText, the lexicon: about
    0.5-1 s) in the worker's main process before it forks its pool, so that no task pays for them
    and the pool's processes share them; and keep the C heap from shrinking between batches."""
    runs.warm_engine()


@shared_task(bind=True, name=queue.HEARTBEAT)
def heartbeat_task(self: Task) -> int:
    """Prove the worker can reach the database; returns the worker's beat count."""
    hostname = self.request.hostname or "in-process"
    return runs.record_heartbeat(hostname=hostname).beats


@shared_task(
    bind=True,
    name=queue.PROFILE_SHARD,
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


@shared_task(name=queue.FINALIZE_RUN)
def finalize_run_task(run_id: int) -> str:
    run = runs.finalize_run(run_id=run_id)
    if run.status == ProfileRun.Status.SUCCEEDED:
        lifecycle.profile_stored(run=run)  # a second delivery queues a refresh that writes nothing
    return run.status


@shared_task(name=queue.RECONCILE_RUNS)
def reconcile_runs_task() -> dict[str, int]:
    return runs.reconcile()
