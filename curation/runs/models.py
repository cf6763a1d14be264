"""Records of profiling: worker heartbeats, runs, their shards and results, and each asset's
current profile."""

from typing import Any

from django.conf import settings
from django.db import models

from inventory.models import Asset


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker proved, through the broker, that it can write here."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class ProfileRunQuerySet(models.QuerySet["ProfileRun"]):
    def visible_to(self, user: Any) -> "ProfileRunQuerySet":
        """Runs inherit visibility from their asset."""
        return self.filter(asset__in=Asset.objects.visible_to(user))

    def active(self) -> "ProfileRunQuerySet":
        return self.filter(status__in=ProfileRun.ACTIVE)


class ProfileRun(models.Model):
    """One attempt to profile an asset: its shards fan out to workers and fan in by counter."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="profile_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    options = models.JSONField(help_text="Engine options: format, sample size, seed, detectors.")
    shards_total = models.PositiveIntegerField(default=0)
    shards_done = models.PositiveIntegerField(default=0)
    shards_failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True, help_text="The merged asset profile.")

    objects = ProfileRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Only one active run per asset: a second request returns the first.
            models.UniqueConstraint(
                fields=["asset"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_run_per_asset",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.asset_id}: {self.status}"

    @property
    def progress(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.shards_total:
            return 0
        return int(100 * (self.shards_done + self.shards_failed) / self.shards_total)


class ProfileShard(models.Model):
    """One file of a run. Files are profiled in packs (`pack`: consecutive small files, or one
    big file): a pack is claimed by one worker at a time under a lease held on its first row
    (its leader, which also holds the pack's result); every row of a pack moves together."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    run = models.ForeignKey(ProfileRun, on_delete=models.CASCADE, related_name="shards")
    location = models.CharField(max_length=2000)
    name = models.CharField(max_length=1000)
    role = models.CharField(max_length=10, default="data", help_text="data or evidence")
    size = models.BigIntegerField(null=True, blank=True)
    range_start = models.BigIntegerField(
        default=0, help_text="A big file is read in line ranges: where this one starts."
    )
    range_end = models.BigIntegerField(
        null=True, blank=True, help_text="Where its line range ends; empty: the whole file."
    )
    pack = models.PositiveIntegerField(
        default=0, help_text="The pack it is profiled in: files of one run and pack go together."
    )
    sample_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Its pack's share of the run's sample (on the leader)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="Of the stored bytes, when the engine read them whole (not Parquet).",
    )

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "location", "range_start"], name="uniq_run_shard_range"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["run", "pack"], name="shard_pack"),
            models.Index(
                fields=["sha256", "size"], name="shard_checksum", condition=~models.Q(sha256="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location} ({self.status})"


class ShardResult(models.Model):
    """The engine's profile of one shard: exactly one row per (run, shard)."""

    run = models.ForeignKey(ProfileRun, on_delete=models.CASCADE, related_name="results")
    shard = models.OneToOneField(ProfileShard, on_delete=models.CASCADE, related_name="result")
    profile = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "shard"], name="uniq_run_shard_result"),
        ]

    def __str__(self) -> str:
        return f"result of shard {self.shard_id}"


class AssetProfile(models.Model):
    """An asset's current profile: the latest succeeded run's merged result."""

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="profile")
    run = models.ForeignKey(ProfileRun, on_delete=models.PROTECT, related_name="+")
    profiled_at = models.DateTimeField()
    documents = models.BigIntegerField()
    characters = models.BigIntegerField()
    words = models.BigIntegerField()
    estimated_tokens = models.BigIntegerField()
    duplicate_documents = models.BigIntegerField()
    uncompressed_bytes = models.BigIntegerField()
    complete = models.BooleanField(help_text="False when some shards could not be read.")
    data = models.JSONField(help_text="The whole merged profile.")
    signatures = models.BinaryField(
        default=b"",
        help_text="Sampled documents' hashes and MinHash signatures (curation.profiling.neardup).",
    )

    def __str__(self) -> str:
        return f"profile of {self.asset_id}"

    @property
    def duplicate_rate(self) -> float:
        return self.duplicate_documents / self.documents if self.documents else 0.0


class ProfileLanguage(models.Model):
    """One language of an asset's current profile, for coverage queries."""

    profile = models.ForeignKey(AssetProfile, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=35, help_text="Canonical BCP 47 tag or und-Script.")
    status = models.CharField(max_length=15)
    documents = models.BigIntegerField()
    characters = models.BigIntegerField()
    share_documents = models.FloatField()
    share_characters = models.FloatField()
    estimated_tokens = models.BigIntegerField()
    sketch = models.BinaryField(
        default=b"",
        help_text="Overlap sketch of its distinct documents (curation.profiling.sketch); "
        "empty when none of its documents was kept or the profile predates sketches.",
    )

    class Meta:
        ordering = ["profile", "-estimated_tokens"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "language"], name="uniq_profile_language"),
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.estimated_tokens} tokens"

    @classmethod
    def of(cls, profile: AssetProfile, row: dict[str, Any], sketch: bytes) -> "ProfileLanguage":
        """The row of one language of a merged profile (the engine's `languages` entry)."""
        return cls(
            profile=profile,
            language=row["language"],
            status=row["status"],
            documents=row["documents"],
            characters=row["characters"],
            share_documents=row["share_documents"],
            share_characters=row["share_characters"],
            estimated_tokens=row["estimated_tokens"],
            sketch=sketch,
        )
