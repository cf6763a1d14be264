"""Profiling runs: fan out one task per shard, fan in by a database counter, recover from lost
messages and dead workers. PostgreSQL is the record of truth; Redis only carries messages.

Partial failure: a shard whose bytes cannot be profiled (not the declared format, or a stream
damaged before its first document) is recorded as failed with its reason. A shard damaged part
way (a truncated or corrupt stream after some documents) keeps what was read before the damage and
is listed in the profile's `stop_reasons`. The run succeeds when at least one data shard was
profiled: the profile covers the readable data only and says so (`complete: false` and a `partial`
flag naming how many shards failed). When no data shard could be read, the run fails, and the
asset keeps its previous profile, if any."""

import base64
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from curation import queue
from curation.profiling.sketch import LanguageSketch
from curation.runs import engine
from curation.runs.models import (
    AssetProfile,
    ProfileLanguage,
    ProfileRun,
    ProfileShard,
    ShardResult,
    WorkerHeartbeat,
)
from inventory.locations import LocationError, list_shards, open_shard, policy_from_settings
from inventory.models import Asset

log = logging.getLogger(__name__)
ACTIVE = ProfileRun.ACTIVE


class ProfileRequestError(ValueError):
    """A profile that cannot be requested (a retired asset, an unreadable location)."""


class TransientShardError(Exception):
    """Reading a shard failed in a way that may pass; the task retries with backoff."""


def _enqueue_shards(shard_ids: list[int]) -> None:
    for shard_id in shard_ids:
        queue.send(queue.PROFILE_SHARD, shard_id)


def _enqueue_finalize(run_id: int) -> None:
    queue.send(queue.FINALIZE_RUN, run_id)


def request_profile(
    *, asset: Asset, requested_by: Any, sample_size: int | None = None, seed: int = 0
) -> tuple[ProfileRun, bool]:
    """Create a run and its shards and queue them after commit; returns (run, created). While a
    run of the asset is active, that run is returned instead."""
    try:
        with transaction.atomic():
            return _request_profile(asset, requested_by, sample_size, seed)
    except IntegrityError:
        # A concurrent request won the one-active-run constraint: answer with its run.
        return ProfileRun.objects.active().get(asset=asset), False


def _request_profile(
    asset: Asset, requested_by: Any, sample_size: int | None, seed: int
) -> tuple[ProfileRun, bool]:
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    active = ProfileRun.objects.active().filter(asset=asset).first()
    if active is not None:
        return active, False
    if asset.status == Asset.Status.RETIRED:
        raise ProfileRequestError("a retired asset is not profiled")
    try:
        shards = list_shards(asset.location, policy_from_settings())
    except LocationError as exc:
        raise ProfileRequestError(f"location: {exc}") from exc
    kinds = {s.location: engine.shard_kind(s.name, asset.format) for s in shards}
    shards = [s for s in shards if kinds[s.location] != "skip"]
    if not any(kinds[s.location] == "data" for s in shards):
        raise ProfileRequestError(f"location: no {asset.format} file to profile")
    size = sample_size or settings.PROFILE_SAMPLE_SIZE
    options = engine.options_for(asset, size, seed)
    data = [s for s in shards if kinds[s.location] == "data"]
    samples = dict(
        zip(
            [s.location for s in data],
            engine.sample_sizes(size, [s.size for s in data]),
            strict=True,
        )
    )
    run = ProfileRun.objects.create(
        asset=asset, requested_by=requested_by, options=options, shards_total=len(shards)
    )
    now = timezone.now()
    rows = ProfileShard.objects.bulk_create(
        ProfileShard(
            run=run,
            location=s.location,
            name=s.name,
            role=kinds[s.location],
            size=s.size,
            sample_size=samples.get(s.location),
            queued_at=now,
        )
        for s in shards
    )
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.QUEUED)
    ids = [row.pk for row in rows] or list(
        ProfileShard.objects.filter(run=run).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: _enqueue_shards(ids))
    return run, True


def _claim(shard_id: int, worker: str) -> ProfileShard | None:
    """Take the shard if nobody holds a live lease on it (a conditional UPDATE)."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.PROFILE_LEASE_SECONDS)
    claimed = (
        ProfileShard.objects.filter(pk=shard_id, run__status__in=ACTIVE)
        .filter(
            Q(status=ProfileShard.Status.QUEUED)
            | Q(status=ProfileShard.Status.RUNNING, lease_expires_at__lt=now)
        )
        .update(
            status=ProfileShard.Status.RUNNING,
            attempts=F("attempts") + 1,
            lease_expires_at=lease,
            started_at=now,
            worker=worker[:255],
        )
    )
    if not claimed:
        return None
    shard = ProfileShard.objects.select_related("run", "run__asset").get(pk=shard_id)
    started = ProfileRun.objects.filter(pk=shard.run_id, status=ProfileRun.Status.QUEUED).update(
        status=ProfileRun.Status.RUNNING, started_at=now
    )
    if started:
        Asset.objects.filter(pk=shard.run.asset_id).update(status=Asset.Status.PROFILING)
    return shard


class ShardBusy(Exception):
    """Another worker holds a live lease on the shard; try again when it ends."""

    def __init__(self, seconds_left: float) -> None:
        super().__init__(f"shard leased for {seconds_left:.0f} more seconds")
        self.seconds_left = seconds_left


def run_shard(*, shard_id: int, worker: str = "") -> str:
    """Profile one shard; safe to run twice: a second delivery finds the shard done ("skipped")
    or held by a live lease (ShardBusy: a redelivered message after a worker died waits for the
    dead worker's lease to end). Returns "done", "failed" or "skipped"."""
    shard = _claim(shard_id, worker)
    if shard is None:
        held = (
            ProfileShard.objects.filter(
                pk=shard_id, status=ProfileShard.Status.RUNNING, run__status__in=ACTIVE
            )
            .values_list("lease_expires_at", flat=True)
            .first()
        )
        if held is not None:
            raise ShardBusy(max(0.0, (held - timezone.now()).total_seconds()))
        return "skipped"
    attempt = shard.attempts
    policy = policy_from_settings()
    try:
        profile = engine.profile_shard(
            lambda: open_shard(shard.location, policy),
            name=shard.name,
            kind=shard.role,
            options=shard.run.options,
            sample_size=shard.sample_size,
            size=shard.size,
        )
    except engine.DataError as exc:
        _finish(shard, attempt, error=str(exc))
        return "failed"
    except LocationError as exc:
        _finish(shard, attempt, error=f"location: {exc}")
        return "failed"
    except (engine.TransientError, OSError) as exc:
        if attempt >= settings.PROFILE_MAX_ATTEMPTS:
            _finish(shard, attempt, error=f"gave up after {attempt} attempts: {exc}")
            return "failed"
        ProfileShard.objects.filter(pk=shard.pk, attempts=attempt).update(
            status=ProfileShard.Status.QUEUED, lease_expires_at=None, queued_at=timezone.now()
        )
        raise TransientShardError(str(exc)) from exc
    try:
        _finish(shard, attempt, profile=profile)
    except DatabaseError as exc:
        _release_after_database_error(shard, attempt)
        raise TransientShardError(f"database: {exc}") from exc
    return "done"


def _release_after_database_error(shard: ProfileShard, attempt: int) -> None:
    """Give the claim back after a dropped database connection, so the retry (or another worker)
    takes the shard now rather than when the lease ends; if the database is still away, the lease
    and the reconciler take over."""
    connection.close_if_unusable_or_obsolete()  # a broken connection: the next query reconnects
    with suppress(DatabaseError):
        ProfileShard.objects.filter(
            pk=shard.pk, status=ProfileShard.Status.RUNNING, attempts=attempt
        ).update(status=ProfileShard.Status.QUEUED, lease_expires_at=None, queued_at=timezone.now())


@transaction.atomic
def _finish(
    shard: ProfileShard, attempt: int, *, profile: dict[str, Any] | None = None, error: str = ""
) -> None:
    """Record the shard's outcome once: the first result row wins, and only the attempt holding
    the claim moves the run's counter."""
    if profile is not None:
        ShardResult.objects.get_or_create(
            shard=shard, defaults={"run_id": shard.run_id, "profile": profile}
        )
    status = ProfileShard.Status.DONE if profile is not None else ProfileShard.Status.FAILED
    sha256 = str((profile or {}).get("shard", {}).get("sha256", ""))
    moved = ProfileShard.objects.filter(
        pk=shard.pk, status=ProfileShard.Status.RUNNING, attempts=attempt
    ).update(
        status=status,
        finished_at=timezone.now(),
        lease_expires_at=None,
        error=error[:5000],
        sha256=sha256,
    )
    if not moved:
        return
    counter = "shards_done" if profile is not None else "shards_failed"
    ProfileRun.objects.filter(pk=shard.run_id).update(**{counter: F(counter) + 1})
    run = ProfileRun.objects.get(pk=shard.run_id)
    if run.shards_done + run.shards_failed >= run.shards_total:
        transaction.on_commit(lambda: _enqueue_finalize(run.pk))


def finalize_run(*, run_id: int) -> ProfileRun:
    """Merge the shard results once every shard is done or failed; safe to run twice. What
    follows a stored profile (coverage) is the caller's to start (`curation.lifecycle`)."""
    with transaction.atomic():
        run = ProfileRun.objects.select_for_update().select_related("asset").get(pk=run_id)
        if run.status not in ACTIVE:
            return run
        shards = ProfileShard.objects.filter(run=run)
        finished = shards.filter(status__in=[ProfileShard.Status.DONE, ProfileShard.Status.FAILED])
        if finished.count() < run.shards_total:
            return run
        results = list(
            ShardResult.objects.filter(run=run).select_related("shard").order_by("shard__location")
        )
        failed = list(shards.filter(status=ProfileShard.Status.FAILED).order_by("location"))
        now = timezone.now()
        data_results = [r for r in results if "shard" in r.profile]
        if not data_results:
            run.status = ProfileRun.Status.FAILED
            run.error_code = "no_readable_shard"
            run.error_message = "; ".join(f"{s.name}: {s.error}" for s in failed[:5])
            run.finished_at = now
            run.save(update_fields=["status", "error_code", "error_message", "finished_at"])
            restored = (
                Asset.Status.PROFILED
                if AssetProfile.objects.filter(asset=run.asset).exists()
                else Asset.Status.FAILED
            )
            Asset.objects.filter(pk=run.asset_id).update(status=restored)
            return run
        merged = engine.merge(
            [r.profile for r in results],
            run.options,
            failed=[(s.name, s.error) for s in failed],
        )
        sketches = merged.pop("sketches", {})
        signatures = base64.b64decode(merged.pop("signatures", ""))
        run.result = merged
        run.status = ProfileRun.Status.SUCCEEDED
        run.finished_at = now
        run.save(update_fields=["result", "status", "finished_at"])
        _store_profile(run, merged, sketches, signatures, complete=not failed)
        Asset.objects.filter(pk=run.asset_id).update(status=Asset.Status.PROFILED)
        return run


def _store_profile(
    run: ProfileRun,
    merged: dict[str, Any],
    sketches: dict[str, str],
    signatures: bytes,
    *,
    complete: bool,
) -> None:
    """The run's merged profile as the asset's current one; each language's overlap sketch
    (base64 in the engine's JSON) stored beside its row as bytes, and the sampled documents'
    signatures beside the profile, not in it."""
    totals = merged["totals"]
    profile, _ = AssetProfile.objects.update_or_create(
        asset=run.asset,
        defaults={
            "run": run,
            "profiled_at": run.finished_at or timezone.now(),
            "documents": totals["documents"],
            "characters": totals["characters"],
            "words": totals["words"],
            "estimated_tokens": totals["estimated_tokens"],
            "duplicate_documents": totals["duplicate_documents"],
            "uncompressed_bytes": totals["uncompressed_bytes"],
            "complete": complete,
            "data": merged,
            "signatures": signatures,
        },
    )
    profile.languages.all().delete()
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(
            profile=profile,
            language=row["language"],
            status=row["status"],
            documents=row["documents"],
            characters=row["characters"],
            share_documents=row["share_documents"],
            share_characters=row["share_characters"],
            estimated_tokens=row["estimated_tokens"],
            sketch=(
                LanguageSketch.from_json(sketches[row["language"]]).packed
                if row["language"] in sketches
                else b""
            ),
        )
        for row in merged["languages"]
    )


@transaction.atomic
def cancel_run(*, run: ProfileRun) -> ProfileRun:
    """Stop a run: queued shards are not started, running ones are not counted."""
    locked = ProfileRun.objects.select_for_update().get(pk=run.pk)
    if locked.status not in ACTIVE:
        return locked
    locked.status = ProfileRun.Status.CANCELLED
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "finished_at"])
    ProfileShard.objects.filter(
        run=locked, status__in=[ProfileShard.Status.QUEUED, ProfileShard.Status.RUNNING]
    ).update(status=ProfileShard.Status.CANCELLED, lease_expires_at=None)
    previous = AssetProfile.objects.filter(asset_id=locked.asset_id).exists()
    Asset.objects.filter(pk=locked.asset_id).exclude(status=Asset.Status.RETIRED).update(
        status=Asset.Status.PROFILED if previous else Asset.Status.REGISTERED
    )
    return locked


def reconcile(
    *, now: Any = None, enqueue: Callable[[list[int]], None] | None = None
) -> dict[str, int]:
    """Re-queue shards whose lease expired or whose message was lost; finalise finished runs."""
    now = now or timezone.now()
    enqueue = enqueue or _enqueue_shards
    active = Q(run__status__in=ACTIVE)
    expired = list(
        ProfileShard.objects.filter(
            active, status=ProfileShard.Status.RUNNING, lease_expires_at__lt=now
        ).values_list("pk", flat=True)
    )
    stale = now - timedelta(seconds=settings.PROFILE_REQUEUE_SECONDS)
    lost = list(
        ProfileShard.objects.filter(
            active, status=ProfileShard.Status.QUEUED, queued_at__lt=stale
        ).values_list("pk", flat=True)
    )
    if lost:
        ProfileShard.objects.filter(pk__in=lost).update(queued_at=now)
    if expired or lost:
        enqueue(expired + lost)
    unfinished = [
        run.pk
        for run in ProfileRun.objects.active()
        if run.shards_done + run.shards_failed >= run.shards_total
    ]
    for run_id in unfinished:
        _enqueue_finalize(run_id)
    return {"expired": len(expired), "lost": len(lost), "finalized": len(unfinished)}


def record_heartbeat(*, hostname: str) -> WorkerHeartbeat:
    """Record that `hostname` is alive; safe to call any number of times."""
    now = timezone.now()
    beat, created = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"seen_at": now, "beats": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(seen_at=now, beats=F("beats") + 1)
        beat.refresh_from_db()
    return beat
