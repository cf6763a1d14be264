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
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from curation import profiling, queue
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
from inventory.locations import (
    LocationError,
    LocationPolicy,
    Shard,
    kind_of,
    list_shards,
    open_shard,
    policy_from_settings,
)
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
    entries = _entries(shards, kinds, options)
    packs = profiling.plan_packs(
        [e.size for e in entries],
        target_bytes=settings.PROFILE_PACK_BYTES,
        spread=settings.PROFILE_PACK_SPREAD,
        max_files=settings.PROFILE_PACK_FILES,
    )
    data_bytes = {
        number: sum(entries[i].size or 0 for i in pack if entries[i].kind == "data")
        for number, pack in enumerate(packs)
        if any(entries[i].kind == "data" for i in pack)
    }
    shares = engine.sample_sizes(size, list(data_bytes.values()))
    samples = dict(zip(data_bytes, shares, strict=True))
    run = ProfileRun.objects.create(
        asset=asset, requested_by=requested_by, options=options, shards_total=len(entries)
    )
    now = timezone.now()
    ProfileShard.objects.bulk_create(
        ProfileShard(
            run=run,
            location=entries[i].shard.location,
            name=entries[i].shard.name,
            role=entries[i].kind,
            size=entries[i].shard.size,
            range_start=entries[i].start,
            range_end=entries[i].end,
            pack=number,
            sample_size=samples.get(number) if j == 0 else None,
            queued_at=now,
        )
        for number, pack in enumerate(packs)
        for j, i in enumerate(pack)
    )
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.QUEUED)
    leaders = _leaders(ProfileShard.objects.filter(run=run))
    transaction.on_commit(lambda: _enqueue_shards(leaders))
    return run, True


@dataclass(frozen=True)
class _Entry:
    """A file to profile, or a line range [start, end) of one; `size`: the bytes it covers."""

    shard: Shard
    kind: str
    lines: tuple[int, int] | None
    size: int | None

    @property
    def start(self) -> int:
        return self.lines[0] if self.lines else 0

    @property
    def end(self) -> int | None:
        return self.lines[1] if self.lines else None


def _entries(shards: list[Shard], kinds: dict[str, str], options: dict[str, Any]) -> list[_Entry]:
    """Each file, or each line range of a file bigger than PROFILE_SPLIT_BYTES that the engine
    can read in ranges (uncompressed text or JSON lines on a seekable store: a local root or
    S3), so that one big file does not serialise a run."""
    out: list[_Entry] = []
    for shard in shards:
        kind = kinds[shard.location]
        if (
            kind == "data"
            and (shard.size or 0) > settings.PROFILE_SPLIT_BYTES
            and kind_of(shard.location) in ("local", "s3")
            and engine.splittable(shard.name, options)
        ):
            pieces = profiling.plan_ranges(shard.size or 0, settings.PROFILE_PACK_BYTES)
            out += [_Entry(shard, kind, piece, piece[1] - piece[0]) for piece in pieces]
        else:
            out.append(_Entry(shard, kind, None, shard.size))
    return out


def _leaders(shards: Any) -> list[int]:
    """The leader (first row) of each pack among `shards`: one message per pack."""
    return sorted(
        shards.values("run_id", "pack").annotate(leader=Min("pk")).values_list("leader", flat=True)
    )


def _pack_rows(leader: ProfileShard) -> Any:
    return ProfileShard.objects.filter(run_id=leader.run_id, pack=leader.pack)


def _leader_of(shard_id: int) -> ProfileShard | None:
    """The leader of the pack holding shard `shard_id` (any member's id names its pack)."""
    member = ProfileShard.objects.filter(pk=shard_id).values("run_id", "pack").first()
    if member is None:
        return None
    return (
        ProfileShard.objects.select_related("run", "run__asset")
        .filter(run_id=member["run_id"], pack=member["pack"])
        .order_by("pk")
        .first()
    )


@transaction.atomic
def _claim(leader: ProfileShard, worker: str) -> ProfileShard | None:
    """Take the pack if nobody holds a live lease on it: a conditional UPDATE of its leader,
    then its other rows, in one transaction."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.PROFILE_LEASE_SECONDS)
    claimed = (
        ProfileShard.objects.filter(pk=leader.pk, run__status__in=ACTIVE)
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
    shard = ProfileShard.objects.select_related("run", "run__asset").get(pk=leader.pk)
    _pack_rows(shard).exclude(pk=shard.pk).update(
        status=ProfileShard.Status.RUNNING,
        attempts=shard.attempts,
        lease_expires_at=lease,
        started_at=now,
        worker=worker[:255],
    )
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


class _LeaseKeeper:
    """Renews the lease of a claimed pack every PROFILE_LEASE_RENEW_SECONDS from a thread of
    the worker (its own database connection), for as long as the worker profiles it: the lease
    stays short, so a dead worker's pack is free again within PROFILE_LEASE_SECONDS, while a
    live worker keeps a long pack. A renewal that finds the claim gone (the lease lapsed while
    the database was away and another worker took the pack) stops; the late result is then
    not counted (`_finish` matches the attempt)."""

    def __init__(self, leader: ProfileShard) -> None:
        self.leader = leader
        self.renewals = 0
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{leader.pk}", daemon=True)

    def __enter__(self) -> "_LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=settings.PROFILE_LEASE_SECONDS)

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.PROFILE_LEASE_RENEW_SECONDS):
                if not self._renew():
                    self.lost = True
                    log.warning("lease of pack %s lost to another worker", self.leader.pk)
                    return
        finally:
            connections.close_all()  # this thread's connection only

    def _renew(self) -> bool:
        lease = timezone.now() + timedelta(seconds=settings.PROFILE_LEASE_SECONDS)
        try:
            renewed = (
                _pack_rows(self.leader)
                .filter(status=ProfileShard.Status.RUNNING, attempts=self.leader.attempts)
                .update(lease_expires_at=lease)
            )
        except DatabaseError as exc:
            log.warning("renewing the lease of pack %s failed: %s", self.leader.pk, exc)
            connection.close()
            return True  # try again at the next beat; the lease may still hold
        self.renewals += 1
        return bool(renewed)


def run_shard(*, shard_id: int, worker: str = "") -> str:
    """Profile the pack holding shard `shard_id`; safe to run twice: a second delivery finds
    the pack done ("skipped") or held by a live lease (ShardBusy: a redelivered message after a
    worker died waits for the dead worker's lease to end). Returns "done" (at least one file
    profiled), "failed" or "skipped"."""
    leader = _leader_of(shard_id)
    shard = _claim(leader, worker) if leader is not None else None
    if shard is None:
        held = (
            ProfileShard.objects.filter(
                pk=leader.pk if leader else shard_id,
                status=ProfileShard.Status.RUNNING,
                run__status__in=ACTIVE,
            )
            .values_list("lease_expires_at", flat=True)
            .first()
        )
        if held is not None:
            raise ShardBusy(max(0.0, (held - timezone.now()).total_seconds()))
        return "skipped"
    attempt = shard.attempts
    policy = policy_from_settings()
    rows = list(_pack_rows(shard).order_by("pk"))
    members = [
        engine.Member(
            row.name,
            row.role,
            _opener(row.location, policy),
            row.size,
            None if row.range_end is None else (row.range_start, row.range_end),
        )
        for row in rows
    ]
    first = rows[0].name + ("" if rows[0].range_end is None else f"@{rows[0].range_start}")
    name = first if len(rows) == 1 else f"{first} (+{len(rows) - 1} files)"
    try:
        with _LeaseKeeper(shard):
            result, outcomes = engine.profile_pack(
                members,
                options=shard.run.options,
                sample_size=shard.sample_size,
                name=name,
            )
    except (engine.TransientError, OSError) as exc:
        if attempt >= settings.PROFILE_MAX_ATTEMPTS:
            error = f"gave up after {attempt} attempts: {exc}"
            _finish(shard, attempt, rows, {}, [engine.Outcome(error=error)] * len(rows))
            return "failed"
        _pack_rows(shard).filter(attempts=attempt).update(
            status=ProfileShard.Status.QUEUED, lease_expires_at=None, queued_at=timezone.now()
        )
        raise TransientShardError(str(exc)) from exc
    try:
        _finish(shard, attempt, rows, result, outcomes)
    except DatabaseError as exc:
        _release_after_database_error(shard, attempt)
        raise TransientShardError(f"database: {exc}") from exc
    return "done" if any(not o.error for o in outcomes) else "failed"


def _opener(location: str, policy: LocationPolicy) -> Callable[[], IO[bytes]]:
    return lambda: open_shard(location, policy)


def _release_after_database_error(shard: ProfileShard, attempt: int) -> None:
    """Give the claim back after a dropped database connection, so the retry (or another worker)
    takes the pack now rather than when the lease ends; if the database is still away, the
    lease and the reconciler take over."""
    connection.close_if_unusable_or_obsolete()  # a broken connection: the next query reconnects
    with suppress(DatabaseError):
        _pack_rows(shard).filter(status=ProfileShard.Status.RUNNING, attempts=attempt).update(
            status=ProfileShard.Status.QUEUED, lease_expires_at=None, queued_at=timezone.now()
        )


@transaction.atomic
def _finish(
    leader: ProfileShard,
    attempt: int,
    rows: list[ProfileShard],
    result: dict[str, Any],
    outcomes: list[engine.Outcome],
) -> None:
    """Record the pack's outcome once, in one transaction: only the attempt holding the claim
    (its leader locked, then checked) writes the leader's result, every file's state and the
    run's counters."""
    held = (
        ProfileShard.objects.select_for_update()
        .filter(pk=leader.pk, status=ProfileShard.Status.RUNNING, attempts=attempt)
        .exists()
    )
    if not held:
        return
    if result:
        ShardResult.objects.get_or_create(
            shard=leader, defaults={"run_id": leader.run_id, "profile": result}
        )
    now = timezone.now()
    for row, outcome in zip(rows, outcomes, strict=True):
        row.status = ProfileShard.Status.FAILED if outcome.error else ProfileShard.Status.DONE
        row.finished_at = now
        row.lease_expires_at = None
        row.error = outcome.error[:5000]
        row.sha256 = outcome.sha256
    ProfileShard.objects.bulk_update(
        rows, ["status", "finished_at", "lease_expires_at", "error", "sha256"], batch_size=500
    )
    failed = sum(1 for o in outcomes if o.error)
    ProfileRun.objects.filter(pk=leader.run_id).update(
        shards_done=F("shards_done") + len(rows) - failed,
        shards_failed=F("shards_failed") + failed,
    )
    run = ProfileRun.objects.values("pk", "shards_done", "shards_failed", "shards_total").get(
        pk=leader.run_id
    )
    if run["shards_done"] + run["shards_failed"] >= run["shards_total"]:
        transaction.on_commit(lambda: _enqueue_finalize(run["pk"]))


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
        ProfileLanguage.of(
            profile,
            row,
            LanguageSketch.from_json(sketches[row["language"]]).packed
            if row["language"] in sketches
            else b"",
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
    """Re-queue packs whose lease expired or whose message was lost (one message per pack, to
    its leader); finalise finished runs."""
    now = now or timezone.now()
    enqueue = enqueue or _enqueue_shards
    active = Q(run__status__in=ACTIVE)
    expired = _leaders(
        ProfileShard.objects.filter(
            active, status=ProfileShard.Status.RUNNING, lease_expires_at__lt=now
        )
    )
    stale = now - timedelta(seconds=settings.PROFILE_REQUEUE_SECONDS)
    lost_rows = ProfileShard.objects.filter(
        active, status=ProfileShard.Status.QUEUED, queued_at__lt=stale
    )
    lost = _leaders(lost_rows)
    if lost:
        lost_rows.update(queued_at=now)
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


def warm_engine() -> None:
    """Build the default language identifier of the engine and label one document with it."""
    engine.warm()


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
