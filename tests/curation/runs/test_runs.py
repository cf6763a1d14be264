"""Profiling runs in-process: fan-out, fan-in by counter, idempotency, failure policy."""

import gzip
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from curation.models import AssetProfile, ProfileLanguage, ProfileRun, ProfileShard, ShardResult
from curation.runs import services as runs
from inventory.models import Asset

pytestmark = pytest.mark.django_db


def profile_now(asset: Asset, capture: Any, **options: Any) -> ProfileRun:
    with capture(execute=True):
        run, created = runs.request_profile(asset=asset, requested_by=None, **options)
    assert created is True
    run.refresh_from_db()
    return run


def test_a_run_profiles_every_shard_and_stores_the_asset_profile(
    asset: Asset, django_capture_on_commit_callbacks: Any
) -> None:
    run = profile_now(asset, django_capture_on_commit_callbacks)

    assert run.status == ProfileRun.Status.SUCCEEDED
    assert (run.shards_total, run.shards_done, run.shards_failed) == (4, 4, 0)
    assert sorted(ProfileShard.objects.filter(run=run).values_list("name", "role")) == [
        ("corpus/LICENSE", "evidence"),
        ("corpus/part-0.jsonl", "data"),
        ("corpus/part-1.jsonl.gz", "data"),
        ("corpus/part-2.jsonl", "data"),
    ]
    assert ShardResult.objects.filter(run=run).count() == 4
    profile = AssetProfile.objects.get(asset=asset)
    assert profile.run == run
    assert profile.complete is True
    assert profile.documents == 70  # 3 × 20 Swahili + 10 English
    assert run.result["totals"]["files"] == 3
    assert run.result["licence"]["identified"] == ["CC-BY-4.0"]
    languages = dict(
        ProfileLanguage.objects.filter(profile=profile).values_list("language", "documents")
    )
    assert languages == {"sw": 60, "en": 10}
    asset.refresh_from_db()
    assert asset.status == Asset.Status.PROFILED


def test_the_same_input_gives_the_same_profile(
    asset: Asset, django_capture_on_commit_callbacks: Any
) -> None:
    first = profile_now(asset, django_capture_on_commit_callbacks)
    second = profile_now(asset, django_capture_on_commit_callbacks)

    assert first.pk != second.pk
    assert first.result == second.result


def test_a_second_request_while_active_returns_the_active_run(asset: Asset) -> None:
    first, created = runs.request_profile(asset=asset, requested_by=None)
    again, created_again = runs.request_profile(asset=asset, requested_by=None)

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert ProfileRun.objects.filter(asset=asset).count() == 1
    asset.refresh_from_db()
    assert asset.status == Asset.Status.QUEUED


def test_a_shard_delivered_twice_changes_nothing_the_second_time(asset: Asset) -> None:
    run, _ = runs.request_profile(asset=asset, requested_by=None)
    shard = ProfileShard.objects.filter(run=run, role="data").first()

    assert runs.run_shard(shard_id=shard.pk) == "done"
    state = (
        ProfileShard.objects.get(pk=shard.pk).finished_at,
        ProfileRun.objects.get(pk=run.pk).shards_done,
    )
    assert runs.run_shard(shard_id=shard.pk) == "skipped"

    assert ShardResult.objects.filter(shard=shard).count() == 1
    assert (
        ProfileShard.objects.get(pk=shard.pk).finished_at,
        ProfileRun.objects.get(pk=run.pk).shards_done,
    ) == state
    assert state[1] == 1


def test_finalize_is_safe_to_run_twice(asset: Asset) -> None:
    run, _ = runs.request_profile(asset=asset, requested_by=None)
    assert runs.finalize_run(run_id=run.pk).status == ProfileRun.Status.QUEUED  # not yet done
    for shard in ProfileShard.objects.filter(run=run):
        runs.run_shard(shard_id=shard.pk)

    first = runs.finalize_run(run_id=run.pk)
    finished_at = first.finished_at
    second = runs.finalize_run(run_id=run.pk)

    assert first.status == second.status == ProfileRun.Status.SUCCEEDED
    assert second.finished_at == finished_at
    assert AssetProfile.objects.filter(asset=asset).count() == 1


def test_a_late_worker_whose_lease_expired_does_not_count_twice(asset: Asset) -> None:
    run, _ = runs.request_profile(asset=asset, requested_by=None)
    shard = ProfileShard.objects.filter(run=run, role="data").first()
    # Worker 1 claimed the shard and went silent; its lease ran out.
    ProfileShard.objects.filter(pk=shard.pk).update(
        status="running", attempts=1, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert runs.run_shard(shard_id=shard.pk, worker="w2") == "done"
    late = ProfileShard.objects.get(pk=shard.pk)
    late.attempts = 1
    runs._finish(late, 1, profile={"shard": {}})  # worker 1 finally reports

    assert ProfileRun.objects.get(pk=run.pk).shards_done == 1
    assert ShardResult.objects.filter(shard=shard).count() == 1
    assert ProfileShard.objects.get(pk=shard.pk).attempts == 2


def test_a_corrupt_shard_fails_with_its_reason_and_the_profile_is_partial(
    asset: Asset, corpus: Path, django_capture_on_commit_callbacks: Any
) -> None:
    # A gzip header followed by a broken deflate block: nothing readable.
    (corpus / "part-3.jsonl.gz").write_bytes(
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 64
    )
    # Cut after some documents: what was read before the damage is kept.
    body = gzip.compress(b"".join(b'{"text": "Habari ya leo %d"}\n' % i for i in range(2000)))
    (corpus / "part-4.jsonl.gz").write_bytes(body[: len(body) // 2])
    (corpus / "broken.parquet").write_bytes(b"not parquet")  # another format: not a shard

    run = profile_now(asset, django_capture_on_commit_callbacks)

    assert run.status == ProfileRun.Status.SUCCEEDED
    assert run.shards_total == 6
    failed = ProfileShard.objects.get(run=run, status="failed")
    assert failed.name == "corpus/part-3.jsonl.gz"
    assert failed.error.startswith("corrupt gzip stream")
    assert (run.shards_done, run.shards_failed) == (5, 1)
    assert run.result["complete"] is False
    assert run.result["failed_shards"] == [
        {"name": "corpus/part-3.jsonl.gz", "error": failed.error}
    ]
    assert "partial: 1 of 5 data shards unreadable" in run.result["flags"]
    assert [name for name, _ in run.result["stop_reasons"]] == ["corpus/part-4.jsonl.gz"]
    profile = AssetProfile.objects.get(asset=asset)
    assert profile.complete is False
    assert 70 < profile.documents < 70 + 2000


def test_when_no_data_shard_can_be_read_the_run_fails(
    storage_root: Path, steward: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.factories import AssetFactory

    (storage_root / "bad").mkdir()
    (storage_root / "bad" / "data.parquet").write_bytes(b"PAR1" + b"\x00" * 20 + b"PAR1")
    asset = AssetFactory(
        organization=steward.memberships.get().organization,
        location="test:bad",
        format="parquet",
        text_field="text",
    )

    run = profile_now(asset, django_capture_on_commit_callbacks)

    assert run.status == ProfileRun.Status.FAILED
    assert run.error_code == "no_readable_shard"
    assert "data.parquet" in run.error_message
    assert ProfileShard.objects.get(run=run).error != ""
    asset.refresh_from_db()
    assert asset.status == Asset.Status.FAILED
    assert not AssetProfile.objects.filter(asset=asset).exists()


def test_a_retired_asset_is_not_profiled(asset: Asset) -> None:
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.RETIRED)
    asset.refresh_from_db()

    with pytest.raises(runs.ProfileRequestError, match="retired"):
        runs.request_profile(asset=asset, requested_by=None)
    assert ProfileRun.objects.count() == 0


def test_cancel_stops_queued_shards(asset: Asset) -> None:
    run, _ = runs.request_profile(asset=asset, requested_by=None)

    cancelled = runs.cancel_run(run=run)

    assert cancelled.status == ProfileRun.Status.CANCELLED
    assert set(ProfileShard.objects.filter(run=run).values_list("status", flat=True)) == {
        "cancelled"
    }
    shard = ProfileShard.objects.filter(run=run).first()
    assert runs.run_shard(shard_id=shard.pk) == "skipped"
    asset.refresh_from_db()
    assert asset.status == Asset.Status.REGISTERED


def test_reconcile_requeues_expired_and_lost_shards_and_finalizes(asset: Asset) -> None:
    run, _ = runs.request_profile(asset=asset, requested_by=None)
    shards = list(ProfileShard.objects.filter(run=run).order_by("name"))
    long_ago = timezone.now() - timedelta(hours=2)
    ProfileShard.objects.filter(pk=shards[0].pk).update(
        status="running", attempts=1, lease_expires_at=long_ago
    )
    ProfileShard.objects.filter(pk=shards[1].pk).update(queued_at=long_ago)
    queued: list[int] = []

    counts = runs.reconcile(enqueue=queued.extend)

    assert counts == {"expired": 1, "lost": 1, "finalized": 0}
    assert sorted(queued) == sorted([shards[0].pk, shards[1].pk])
    for shard in shards:
        runs.run_shard(shard_id=shard.pk)
    ProfileRun.objects.filter(pk=run.pk).update(status="running")  # finalize message lost
    assert runs.reconcile(enqueue=queued.extend)["finalized"] == 1
    assert ProfileRun.objects.get(pk=run.pk).status == ProfileRun.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_gives_the_claim_back_for_a_retry(
    reference_data: None, asset: Asset, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    monkeypatch.setattr(runs, "_enqueue_shards", lambda ids: None)  # run the shard by hand
    run, _ = runs.request_profile(asset=asset, requested_by=None)
    shard = ProfileShard.objects.filter(run=run, role="data").first()

    def dropped(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(runs, "_finish", dropped)
    with pytest.raises(runs.TransientShardError, match="database: terminating connection"):
        runs.run_shard(shard_id=shard.pk)
    monkeypatch.undo()

    released = ProfileShard.objects.get(pk=shard.pk)
    assert (released.status, released.lease_expires_at, released.attempts) == ("queued", None, 1)
    assert runs.run_shard(shard_id=shard.pk) == "done"
    assert ShardResult.objects.filter(shard=shard).count() == 1
