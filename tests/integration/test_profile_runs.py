"""Profiling runs through Redis and real `celery worker` processes on PostgreSQL."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.celery import app as celery_app
from curation.models import ProfileRun, ProfileShard, ShardResult
from curation.runs import services as runs
from curation.runs.tasks import profile_shard_task
from inventory.models import Asset
from tests.conftest import ROOT, Worker, start_worker, stop_worker, worker_env
from tests.corpora import write_corpus
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.worker


@pytest.fixture
def asset(reference_data: None, storage_root: Path) -> Asset:
    write_corpus(storage_root / "big", shards=16, docs=400)
    organization = OrganizationFactory(slug="knls")
    MembershipFactory(organization=organization)
    return AssetFactory(
        organization=organization, location="test:big", languages=["sw", "en", "fr"]
    )


def wait_for(run: ProfileRun, workers: list[Worker], timeout: float = 180) -> ProfileRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status not in ProfileRun.ACTIVE:
            return run
        time.sleep(0.2)
    logs = "\n".join(w.output()[-3000:] for w in workers)
    pytest.fail(f"run {run.pk} still {run.status} after {timeout} s:\n{logs}")


def in_process(asset: Asset) -> ProfileRun:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        run, _ = runs.request_profile(asset=asset, requested_by=None)
    finally:
        celery_app.conf.task_always_eager = previous
    run.refresh_from_db()
    return run


def through(asset: Asset, workers: list[Worker]) -> ProfileRun:
    celery_app.conf.task_default_queue = workers[0].queue
    run, created = runs.request_profile(asset=asset, requested_by=None)
    assert created
    return wait_for(run, workers)


def assert_one_result_per_shard(run: ProfileRun) -> None:
    shard_ids = set(ProfileShard.objects.filter(run=run).values_list("pk", flat=True))
    results = list(ShardResult.objects.filter(run=run).values_list("shard_id", flat=True))
    assert sorted(results) == sorted(shard_ids)


def test_sixteen_shards_give_the_same_totals_in_process_and_on_one_or_two_workers(
    asset: Asset, broker_mode: None, tmp_path: Path
) -> None:
    baseline = in_process(asset)
    assert baseline.status == ProfileRun.Status.SUCCEEDED

    first = start_worker(tmp_path)
    try:
        one = through(asset, [first])
        second = start_worker(tmp_path, queue=first.queue)
        try:
            two = through(asset, [first, second])
        finally:
            stop_worker(second)
    finally:
        stop_worker(first)

    for run in (one, two):
        assert run.status == ProfileRun.Status.SUCCEEDED
        assert run.result["totals"] == baseline.result["totals"]
        assert run.result["languages"] == baseline.result["languages"]
        assert_one_result_per_shard(run)
    assert baseline.result["totals"]["documents"] == 16 * 400
    workers = set(ProfileShard.objects.filter(run=two).values_list("worker", flat=True))
    assert len(workers) == 2  # both workers took shards


def test_a_worker_killed_mid_shard_loses_nothing_and_counts_nothing_twice(
    asset: Asset, broker_mode: None, tmp_path: Path
) -> None:
    """On default settings: the killed process's pack is retaken when its one-minute lease
    ends (the worker renewed it every 20 s until it died), well inside 90 s."""
    baseline = in_process(asset)
    worker = start_worker(tmp_path)
    try:
        celery_app.conf.task_default_queue = worker.queue
        run, _ = runs.request_profile(asset=asset, requested_by=None)
        deadline = time.monotonic() + 60
        while not ProfileShard.objects.filter(run=run, status="running").exists():
            assert time.monotonic() < deadline, worker.output()
            time.sleep(0.05)
        children = subprocess.run(
            ["pgrep", "-P", str(worker.process.pid)], capture_output=True, text=True, check=True
        ).stdout.split()
        killed = ProfileShard.objects.get(run=run, status="running")
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)
        killed_at = time.monotonic()
        while ProfileShard.objects.get(pk=killed.pk).attempts < 2:
            assert time.monotonic() - killed_at < 150, worker.output()[-3000:]
            time.sleep(0.2)
        retaken_after = time.monotonic() - killed_at
        run = wait_for(run, [worker])
    finally:
        stop_worker(worker)

    print(f"killed pack retaken after {retaken_after:.1f} s")
    assert retaken_after < 90
    assert run.status == ProfileRun.Status.SUCCEEDED, worker.output()[-3000:]
    assert "Worker exited prematurely: signal 9 (SIGKILL)" in worker.output()
    assert_one_result_per_shard(run)
    assert run.shards_done == run.shards_total
    assert run.result["totals"] == baseline.result["totals"]
    assert ProfileShard.objects.filter(run=run, attempts__gt=1).exists()


def test_the_same_shard_delivered_twice_is_profiled_once(
    asset: Asset, broker_mode: None, tmp_path: Path
) -> None:
    worker = start_worker(tmp_path)
    try:
        celery_app.conf.task_default_queue = worker.queue
        celery_app.conf.task_always_eager = True  # create the run without sending its messages
        run, _ = runs.request_profile(asset=asset, requested_by=None)
        celery_app.conf.task_always_eager = False
        ProfileShard.objects.filter(run=run).exclude(pk=run.shards.first().pk).delete()
        ProfileRun.objects.filter(pk=run.pk).update(
            status="queued", shards_total=1, shards_done=0, shards_failed=0, result=None
        )
        ShardResult.objects.filter(run=run).delete()
        ProfileShard.objects.filter(run=run).update(status="queued", attempts=0)
        shard = ProfileShard.objects.get(run=run)
        profile_shard_task.delay(shard.pk)
        profile_shard_task.delay(shard.pk)
        run = wait_for(run, [worker])
        time.sleep(1.0)  # let the second delivery run too
    finally:
        stop_worker(worker)

    assert run.status == ProfileRun.Status.SUCCEEDED
    assert ShardResult.objects.filter(shard=shard).count() == 1
    assert ProfileRun.objects.get(pk=run.pk).shards_done == 1
    assert worker.output().count("succeeded in") >= 3  # 2 shard deliveries + finalize


def test_a_corrupt_shard_fails_with_its_reason_through_a_worker(
    asset: Asset, broker_mode: None, tmp_path: Path, storage_root: Path
) -> None:
    # A gzip header followed by a broken deflate block: nothing in it can be read.
    corrupt = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 64
    (storage_root / "big" / "part-99.jsonl.gz").write_bytes(corrupt)
    worker = start_worker(tmp_path)
    try:
        run = through(asset, [worker])
    finally:
        stop_worker(worker)

    assert run.status == ProfileRun.Status.SUCCEEDED
    broken = ProfileShard.objects.get(run=run, name="big/part-99.jsonl.gz")
    assert broken.status == "failed"
    assert broken.error.startswith("corrupt gzip stream")
    assert (run.shards_done, run.shards_failed) == (16, 1)
    assert run.result["complete"] is False
    assert run.result["failed_shards"] == [{"name": broken.name, "error": broken.error}]
    assert run.result["totals"]["documents"] == 16 * 400
    for shard in ProfileShard.objects.filter(run=run):
        expected = 0 if shard.pk == broken.pk else 1
        assert ShardResult.objects.filter(shard=shard).count() == expected


def start_redis(directory: Path, port: int) -> subprocess.Popen[bytes]:
    """A private Redis with append-only persistence, so a restart keeps queued messages."""
    process = subprocess.Popen(
        [
            "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--appendonly", "yes",
            "--appendfsync", "always", "--save", "", "--dir", str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ping = subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, check=False
        )
        if ping.stdout.strip() == "PONG":
            return process
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("private redis did not start")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_a_redis_restart_in_the_middle_of_a_run_loses_nothing_and_counts_nothing_twice(
    asset: Asset, broker_mode: None, tmp_path: Path
) -> None:
    baseline = in_process(asset)
    port = 6390
    data = tmp_path / "redis"
    data.mkdir()
    redis = start_redis(data, port)
    env = {
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0",
        "PROFILE_REQUEUE_SECONDS": "3",
        "PROFILE_RECONCILE_SECONDS": "1",
    }
    worker = start_worker(tmp_path, env=env)
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
         "-s", str(tmp_path / "beat-schedule")],
        cwd=ROOT, env=worker_env(worker.queue, env),
        stdout=(tmp_path / "beat.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        subprocess.run(
            [sys.executable, "manage.py", "profile_asset", str(asset.pk)],
            cwd=ROOT, env=worker_env(worker.queue, env), check=True, capture_output=True,
        )  # fmt: skip
        run = ProfileRun.objects.filter(asset=asset).latest("created_at")
        deadline = time.monotonic() + 60
        while ProfileShard.objects.filter(run=run, status="done").count() < 3:
            assert time.monotonic() < deadline, worker.output()[-3000:]
            time.sleep(0.05)
        redis.terminate()
        redis.wait(timeout=20)
        time.sleep(1.0)
        redis = start_redis(data, port)
        run = wait_for(run, [worker], timeout=180)
    finally:
        beat.terminate()
        stop_worker(worker)
        redis.terminate()
        redis.wait(timeout=20)

    assert run.status == ProfileRun.Status.SUCCEEDED, worker.output()[-3000:]
    assert_one_result_per_shard(run)
    assert (run.shards_done, run.shards_failed) == (run.shards_total, 0)
    assert run.result["totals"] == baseline.result["totals"]
