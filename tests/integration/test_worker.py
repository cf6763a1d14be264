import time

import pytest
from django.test import Client

from curation.models import WorkerHeartbeat
from curation.runs.tasks import heartbeat_task
from tests.conftest import Worker


@pytest.mark.worker
def test_task_sent_through_redis_runs_in_worker_and_writes_postgres(
    celery_worker_process: Worker, client: Client
) -> None:
    heartbeat_task.apply_async(queue=celery_worker_process.queue)
    heartbeat_task.apply_async(queue=celery_worker_process.queue)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        beat = WorkerHeartbeat.objects.filter(
            hostname__startswith=celery_worker_process.queue
        ).first()
        if beat is not None and beat.beats == 2:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"no heartbeat from the worker:\n{celery_worker_process.output()}")

    assert beat.hostname.startswith(f"{celery_worker_process.queue}-")
    health = client.get("/health/").json()
    assert health["workers"]["ok"] is True
    assert beat.hostname in health["workers"]["hostnames"]
