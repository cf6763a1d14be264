"""Profiling runs in-process: fan-out, fan-in by counter, idempotency, failure policy."""

import gzip
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from curation.models import AssetProfile, ProfileLanguage, ProfileRun, ProfileShard, ShardResult
from curation.runs import services as runs
from curation.runs.engine import Outcome
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
    runs._finish(late, 1, [late], {"shard": {}}, [Outcome()])  # worker 1 finally reports

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


def many_small_files(corpus: Path, count: int) -> None:
    from tests.curation.conftest import ENGLISH, SWAHILI, write_jsonl

    for n in range(count):
        texts = [f"{t} Faili {n}-{i}." for i, t in enumerate(SWAHILI if n % 4 else ENGLISH)]
        name = f"small-{n:03d}.jsonl" + (".gz" if n % 2 == 0 else "")
        write_jsonl(corpus / name, texts, compress=n % 2 == 0)


def test_small_files_are_profiled_in_packs_with_the_same_result_as_one_by_one(
    asset: Asset, corpus: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    many_small_files(corpus, 40)
    settings.PROFILE_PACK_SPREAD = 1_000_000  # every file a pack of its own
    alone = profile_now(asset, django_capture_on_commit_callbacks)
    settings.PROFILE_PACK_SPREAD = 4
    packed = profile_now(asset, django_capture_on_commit_callbacks)

    assert ShardResult.objects.filter(run=alone).count() == 44
    rows = ProfileShard.objects.filter(run=packed)
    packs = sorted(set(rows.values_list("pack", flat=True)))
    assert len(packs) == ShardResult.objects.filter(run=packed).count()
    assert 4 <= len(packs) <= 6
    assert (packed.shards_total, packed.shards_done, packed.shards_failed) == (44, 44, 0)
    assert packed.result["totals"] == alone.result["totals"]
    assert packed.result["languages"] == alone.result["languages"]  # both a census
    checksums = dict(
        ProfileShard.objects.filter(run=alone, role="data").values_list("name", "sha256")
    )
    assert dict(rows.filter(role="data").values_list("name", "sha256")) == checksums
    assert all(len(v) == 64 for v in checksums.values())
    # Sample shares go to packs, on their first row.
    assert rows.exclude(sample_size=None).count() == len(packs)


def test_an_unreadable_file_in_a_pack_fails_alone(
    asset: Asset, corpus: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    many_small_files(corpus, 10)
    (corpus / "small-004.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff")
    settings.PROFILE_PACK_SPREAD = 1

    run = profile_now(asset, django_capture_on_commit_callbacks)

    assert run.status == ProfileRun.Status.SUCCEEDED
    assert (run.shards_done, run.shards_failed) == (13, 1)
    failed = ProfileShard.objects.get(run=run, status="failed")
    assert failed.name == "corpus/small-004.jsonl.gz"
    assert run.result["failed_shards"] == [{"name": failed.name, "error": failed.error}]
    assert "partial: 1 of 13 data shards unreadable" in run.result["flags"]
    assert ShardResult.objects.filter(run=run).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_renews_its_lease_and_keeps_a_long_pack(
    reference_data: None, asset: Asset, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("two threads writing at once need PostgreSQL (SQLite's shared cache locks)")
    settings.PROFILE_LEASE_SECONDS = 1
    settings.PROFILE_LEASE_RENEW_SECONDS = 0.2
    monkeypatch.setattr(runs, "_enqueue_shards", lambda ids: None)  # run the shard by hand
    monkeypatch.setattr(runs, "_enqueue_finalize", lambda run_id: None)
    run, _ = runs.request_profile(asset=asset, requested_by=None)
    shard = ProfileShard.objects.filter(run=run, role="data").order_by("pk").first()
    release = threading.Event()
    profiling = runs.engine.profile_pack

    def slow(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(30)  # a pack that takes longer than several leases
        return profiling(*args, **kwargs)

    monkeypatch.setattr(runs.engine, "profile_pack", slow)
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(runs.run_shard(shard_id=shard.pk)))
    worker.start()
    try:
        deadline = timezone.now() + timedelta(seconds=10)
        while ProfileShard.objects.get(pk=shard.pk).status != "running":
            assert timezone.now() < deadline
        first_lease = ProfileShard.objects.get(pk=shard.pk).lease_expires_at
        import time

        time.sleep(2.5)  # two and a half leases
        held = ProfileShard.objects.get(pk=shard.pk)
        assert held.lease_expires_at > first_lease
        assert held.lease_expires_at > timezone.now()
        with pytest.raises(runs.ShardBusy):
            runs.run_shard(shard_id=shard.pk, worker="w2")
    finally:
        release.set()
        worker.join(30)
    assert outcome == ["done"]
    assert ProfileShard.objects.get(pk=shard.pk).attempts == 1
    assert ShardResult.objects.filter(shard=shard).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_dead_workers_pack_is_free_again_when_its_short_lease_ends(
    reference_data: None, asset: Asset, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runs, "_enqueue_shards", lambda ids: None)
    run, _ = runs.request_profile(asset=asset, requested_by=None)
    shard = ProfileShard.objects.filter(run=run, role="data").order_by("pk").first()
    leader = runs._leader_of(shard.pk)
    assert runs._claim(leader, "dead") is not None  # claimed, then the worker died: no renewal

    with pytest.raises(runs.ShardBusy) as busy:
        runs.run_shard(shard_id=shard.pk, worker="w2")
    assert 55 <= busy.value.seconds_left <= 60  # the default lease: a minute, not half an hour
    ProfileShard.objects.filter(pk=shard.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert runs.run_shard(shard_id=shard.pk, worker="w2") == "done"


def test_a_big_file_is_read_in_line_ranges_with_the_same_result_as_whole(
    asset: Asset, corpus: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.curation.conftest import ENGLISH, SWAHILI, write_jsonl

    texts = [f"{t} Mstari {i}." for i, t in enumerate((SWAHILI * 3 + ENGLISH) * 60)]
    write_jsonl(corpus / "big.jsonl", texts, compress=False)
    size = (corpus / "big.jsonl").stat().st_size
    settings.PROFILE_SPLIT_BYTES = 10**12  # never split
    whole = profile_now(asset, django_capture_on_commit_callbacks, sample_size=100_000)
    settings.PROFILE_SPLIT_BYTES = size - 1
    settings.PROFILE_PACK_BYTES = size // 7
    split = profile_now(asset, django_capture_on_commit_callbacks, sample_size=100_000)

    ranges = list(
        ProfileShard.objects.filter(run=split, name="corpus/big.jsonl")
        .order_by("range_start")
        .values_list("range_start", "range_end", "sha256", "status")
    )
    assert len(ranges) == 7
    assert [r[0] for r in ranges[1:]] == [r[1] for r in ranges[:-1]]
    assert (ranges[0][0], ranges[-1][1]) == (0, size)
    assert {(r[2], r[3]) for r in ranges} == {("", "done")}  # no checksum from a range
    assert split.result["totals"] == whole.result["totals"]
    assert split.result["languages"] == whole.result["languages"]  # both a census
    assert split.shards_total == whole.shards_total + 6


def test_a_file_gone_since_the_listing_fails_alone_in_its_pack(
    asset: Asset, corpus: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    many_small_files(corpus, 6)
    settings.PROFILE_PACK_SPREAD = 1  # one pack
    monkeypatch.setattr(runs, "_enqueue_shards", lambda ids: None)
    monkeypatch.setattr(runs, "_enqueue_finalize", lambda run_id: None)
    run, _ = runs.request_profile(asset=asset, requested_by=None)
    (corpus / "small-002.jsonl.gz").unlink()

    assert runs.run_shard(shard_id=ProfileShard.objects.filter(run=run).first().pk) == "done"

    failed = ProfileShard.objects.get(run=run, status="failed")
    assert failed.name == "corpus/small-002.jsonl.gz"
    assert failed.error.startswith("location: ")
    assert failed.error == "location: 'test:corpus/small-002.jsonl.gz' does not exist"
    assert set(
        ProfileShard.objects.filter(run=run).exclude(pk=failed.pk).values_list("status", flat=True)
    ) == {"done"}
    run.refresh_from_db()
    assert (run.shards_done, run.shards_failed) == (run.shards_total - 1, 1)
