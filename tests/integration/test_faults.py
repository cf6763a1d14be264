"""Fault scenarios with real PostgreSQL, Redis, `celery worker` and `celery beat` processes.

Each scenario disturbs a profiling run and checks the same invariant: every shard has exactly one
result, the run reaches a terminal state, and its totals equal those of an undisturbed run.
(SIGKILL of a worker child, a Redis restart and a duplicate delivery are in test_profile_runs.py.)
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from curation.models import ProfileRun, ProfileShard
from curation.runs import services as runs
from inventory.models import Asset
from tests.conftest import ROOT, Worker, start_worker, stop_worker, worker_env
from tests.corpora import write_corpus
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory
from tests.integration.test_profile_runs import assert_one_result_per_shard, in_process, wait_for

pytestmark = pytest.mark.worker

SHARDS = 16


@pytest.fixture
def asset(reference_data: None, storage_root: Path) -> Asset:
    write_corpus(storage_root / "big", shards=SHARDS, docs=400)
    organization = OrganizationFactory(slug="knls")
    MembershipFactory(organization=organization)
    return AssetFactory(
        organization=organization, location="test:big", languages=["sw", "en", "fr"]
    )


def assert_invariants(run: ProfileRun, baseline: ProfileRun, logs: str = "") -> None:
    run.refresh_from_db()
    assert run.status == ProfileRun.Status.SUCCEEDED, logs[-3000:]
    assert_one_result_per_shard(run)
    assert (run.shards_done, run.shards_failed) == (run.shards_total, 0)
    assert run.shards_total == SHARDS
    assert run.result["totals"] == baseline.result["totals"]
    assert run.result["languages"] == baseline.result["languages"]


def start_beat(tmp_path: Path, queue: str, env: dict[str, str], name: str) -> subprocess.Popen:
    """`celery beat` with a schedule file kept across restarts; tasks go to `queue`."""
    log = tmp_path / f"{name}.log"
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
         "-s", str(tmp_path / "beat-schedule")],
        cwd=ROOT, env=worker_env(queue, env), stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def children(worker: Worker) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(worker.process.pid)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in found.stdout.split()]


def wait_until(condition: Any, timeout: float, what: str, logs: Any = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not seen after {timeout} s\n{(logs() if logs else '')[-3000:]}")
        time.sleep(0.05)


def purge(queue: str) -> int:
    with celery_app.connection_for_write() as conn:
        return conn.default_channel.queue_purge(queue) or 0


def forget_unacked(queue: str) -> None:
    """Drop the unacknowledged messages a SIGKILLed worker left in Redis for `queue`, so they are
    not restored into the test's private queue an hour later."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for tag, raw in client.hgetall("unacked").items():
        try:
            _message, _exchange, routing_key = json.loads(raw)
        except (ValueError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def test_a_worker_stopped_with_sigterm_finishes_its_shard_and_a_new_worker_finishes_the_run(
    asset: Asset, broker_mode: None, tmp_path: Path
) -> None:
    baseline = in_process(asset)
    first = start_worker(tmp_path)
    second = None
    try:
        celery_app.conf.task_default_queue = first.queue
        run, _ = runs.request_profile(asset=asset, requested_by=None)
        done = ProfileShard.objects.filter(run=run, status="done")
        wait_until(lambda: done.count() >= 2, 60, "two finished shards", first.output)
        first.process.send_signal(signal.SIGTERM)  # warm shutdown
        first.process.wait(timeout=30)
        assert "worker: Warm shutdown (MainProcess)" in first.output()

        # The worker finished the shard it held and put its unstarted messages back.
        run.refresh_from_db()
        assert run.status in ProfileRun.ACTIVE
        assert not ProfileShard.objects.filter(run=run, status="running").exists()
        left = ProfileShard.objects.filter(run=run, status="queued").count()
        assert 0 < left < SHARDS
        assert run.shards_done == SHARDS - left

        second = start_worker(tmp_path, queue=first.queue)
        run = wait_for(run, [first, second], timeout=60)
    finally:
        stop_worker(first)
        if second is not None:
            stop_worker(second)

    assert_invariants(run, baseline, first.output())
    # Nothing was cut off half-way, so nothing ran twice.
    assert set(ProfileShard.objects.filter(run=run).values_list("attempts", flat=True)) == {1}
    assert len(set(ProfileShard.objects.filter(run=run).values_list("worker", flat=True))) == 2


def test_a_worker_killed_during_finalisation_is_recovered_by_beat(
    asset: Asset, broker_mode: None, tmp_path: Path
) -> None:
    baseline = in_process(asset)
    app_name = f"fault-{uuid.uuid4().hex[:8]}"
    env = {"PGAPPNAME": app_name, "PROFILE_RECONCILE_SECONDS": "1"}
    db = connection.settings_dict
    # finalize_run locks the run and its asset (select_for_update with select_related), while
    # shards only touch the run: holding the asset row keeps finalisation open for the kill.
    locker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
        password=db["PASSWORD"] or None, dbname=db["NAME"],
    )  # fmt: skip
    first = start_worker(tmp_path, env=env)
    second = beat = None
    try:
        celery_app.conf.task_default_queue = first.queue
        run, _ = runs.request_profile(asset=asset, requested_by=None)
        wait_until(
            lambda: Asset.objects.get(pk=asset.pk).status == Asset.Status.PROFILING,
            60,
            "the first claim",
            first.output,
        )
        locker.execute(f"SELECT 1 FROM {Asset._meta.db_table} WHERE id = %s FOR UPDATE", [asset.pk])

        def finalising() -> bool:  # (pg_stat_activity cuts long queries: match the start)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND application_name = %s AND wait_event_type = 'Lock'"
                    " AND query ILIKE %s",
                    [app_name, 'SELECT "curation_profilerun".%'],
                )
                return cursor.fetchone()[0] > 0

        def dump() -> str:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid, application_name, state, wait_event_type, query"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                )
                return repr(cursor.fetchall())

        wait_until(finalising, 60, "finalize_run waiting on the run's rows", dump)
        run.refresh_from_db()
        assert run.status == ProfileRun.Status.RUNNING
        assert run.shards_done == run.shards_total
        assert "curation.finalize_run" in first.output()
        for pid in [*children(first), first.process.pid]:
            os.kill(pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        locker.rollback()

        # The finalize message went with the worker (unacknowledged until the visibility timeout).
        time.sleep(1.0)
        run.refresh_from_db()
        assert run.status == ProfileRun.Status.RUNNING

        second = start_worker(tmp_path, queue=first.queue, env=env)
        beat = start_beat(tmp_path, first.queue, env, "beat")
        run = wait_for(run, [first, second], timeout=60)
    finally:
        locker.close()
        if beat is not None:
            stop_process(beat)
        stop_worker(first)
        if second is not None:
            stop_worker(second)
        forget_unacked(first.queue)

    assert_invariants(run, baseline, second.output())
    assert "curation.reconcile_runs" in second.output()
    assert set(ProfileShard.objects.filter(run=run).values_list("attempts", flat=True)) == {1}


def test_terminated_postgresql_connections_of_a_worker_are_recovered(
    asset: Asset, broker_mode: None, tmp_path: Path
) -> None:
    baseline = in_process(asset)
    app_name = f"fault-{uuid.uuid4().hex[:8]}"
    env = {
        "PGAPPNAME": app_name,
        "PROFILE_LEASE_SECONDS": "3",
        "PROFILE_REQUEUE_SECONDS": "3",
        "PROFILE_RECONCILE_SECONDS": "1",
    }
    worker = start_worker(tmp_path, env=env)
    terminated = 0
    beat = start_beat(tmp_path, worker.queue, env, "beat")
    try:
        celery_app.conf.task_default_queue = worker.queue
        run, _ = runs.request_profile(asset=asset, requested_by=None)
        deadline = time.monotonic() + 60
        while terminated < 3 and time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status not in ProfileRun.ACTIVE:
                break
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND application_name = %s",
                    [app_name],
                )
                terminated += cursor.fetchone()[0]
            time.sleep(0.3)
        run = wait_for(run, [worker], timeout=60)
    finally:
        stop_process(beat)
        stop_worker(worker)

    assert terminated >= 1, worker.output()[-3000:]
    assert "terminating connection" in worker.output() or "OperationalError" in worker.output()
    assert_invariants(run, baseline, worker.output())


def test_lost_messages_wait_for_beat_and_are_requeued_when_it_restarts(
    asset: Asset, broker_mode: None, tmp_path: Path
) -> None:
    baseline = in_process(asset)
    env = {"PROFILE_REQUEUE_SECONDS": "2", "PROFILE_RECONCILE_SECONDS": "1"}
    queue = f"test-{uuid.uuid4().hex[:12]}"
    beat = start_beat(tmp_path, queue, env, "beat-1")
    worker = None
    try:
        worker = start_worker(tmp_path, queue=queue, env=env)
        log = tmp_path / "beat-1.log"
        wait_until(lambda: "reconcile" in log.read_text(), 30, "beat sending", log.read_text)
        stop_process(beat)  # beat stopped

        # The shards' messages go to a queue nobody reads, and are then dropped: lost.
        nowhere = f"lost-{uuid.uuid4().hex[:12]}"
        celery_app.conf.task_default_queue = nowhere
        run, _ = runs.request_profile(asset=asset, requested_by=None)
        assert purge(nowhere) == SHARDS
        celery_app.conf.task_default_queue = queue
        time.sleep(4.0)  # longer than PROFILE_REQUEUE_SECONDS plus a reconcile period
        run.refresh_from_db()
        assert run.status == ProfileRun.Status.QUEUED  # with beat down, nothing recovers
        assert ProfileShard.objects.filter(run=run, status="queued").count() == SHARDS

        beat = start_beat(tmp_path, queue, env, "beat-2")  # the same schedule file
        run = wait_for(run, [worker], timeout=60)
    finally:
        stop_process(beat)
        if worker is not None:
            stop_worker(worker)

    assert_invariants(run, baseline, worker.output())
    assert "curation.reconcile_runs" in worker.output()
    assert set(ProfileShard.objects.filter(run=run).values_list("attempts", flat=True)) == {1}
