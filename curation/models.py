"""Curation records: what workers report and what is learned from the catalogue."""

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from inventory.models import Asset, Nation, Organization


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
    """One file of a run: claimed by one worker at a time under a lease."""

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
    sample_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="This shard's share of the run's language sample."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "location"], name="uniq_run_shard_location"),
        ]
        indexes = [models.Index(fields=["status", "lease_expires_at"])]

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

    class Meta:
        ordering = ["profile", "-estimated_tokens"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "language"], name="uniq_profile_language"),
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.estimated_tokens} tokens"


class CoveragePolicy(models.Model):
    """Tier targets for one nation (or the default, nation empty), editable by its reviewers."""

    nation = models.OneToOneField(
        Nation, on_delete=models.CASCADE, null=True, blank=True, related_name="coverage_policy"
    )
    targets = models.JSONField(help_text="Tokens per tier: T0 … T4.")
    t2_good = models.BigIntegerField(help_text="Tokens for a 'good' T2.")
    target_tier = models.CharField(max_length=2, default="T2")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "coverage policies"
        constraints = [
            models.UniqueConstraint(
                fields=["nation"],
                condition=models.Q(nation__isnull=True),
                name="one_default_policy",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"coverage policy of {self.nation_id or 'default'}"


class CoverageReport(models.Model):
    """A dated snapshot of one nation's coverage; old ones are kept for trends."""

    nation = models.ForeignKey(Nation, on_delete=models.CASCADE, related_name="coverage_reports")
    generated_at = models.DateTimeField()
    fingerprint = models.CharField(max_length=64, help_text="Hash of the inputs it was built from.")
    policy = models.JSONField()
    indicators = models.JSONField()
    data = models.JSONField(help_text="The whole report, as the API returns it.")
    chart_svg = models.TextField(blank=True, help_text="The tokens-against-tiers chart.")

    class Meta:
        ordering = ["nation", "-generated_at"]
        get_latest_by = "generated_at"
        indexes = [models.Index(fields=["nation", "-generated_at"])]

    def __str__(self) -> str:
        return f"coverage of {self.nation_id} at {self.generated_at:%Y-%m-%d %H:%M}"


class Gap(models.Model):
    """One language's coverage in a report: its tier, gap and severity."""

    report = models.ForeignKey(CoverageReport, on_delete=models.CASCADE, related_name="gaps")
    language = models.CharField(max_length=35)
    name = models.CharField(max_length=200)
    writers = models.BigIntegerField()
    official_status = models.CharField(max_length=20)
    available_tokens = models.BigIntegerField()
    commercial_tokens = models.BigIntegerField()
    tier = models.CharField(max_length=4)
    next_tier = models.CharField(max_length=2, blank=True)
    gap_tokens = models.BigIntegerField()
    severity = models.CharField(max_length=8)
    flags = models.JSONField(default=list)
    rank = models.PositiveIntegerField()

    class Meta:
        ordering = ["report", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["report", "language"], name="uniq_gap_language"),
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.severity}"


class Manifest(models.Model):
    """A named selection of profiled assets' files that pipelines pull by version."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="manifests"
    )
    criteria = models.JSONField(default=dict, help_text="What the selection keeps.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ManifestVersion(models.Model):
    """A frozen materialisation of a manifest: its entries never change once ready."""

    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        FAILED = "failed"

    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    criteria = models.JSONField(help_text="The manifest's criteria when it was materialised.")
    entry_count = models.PositiveIntegerField(default=0)
    total_bytes = models.BigIntegerField(default=0)
    total_tokens = models.BigIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["manifest", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["manifest", "number"], name="uniq_manifest_version"),
        ]

    def __str__(self) -> str:
        return f"{self.manifest_id} v{self.number}"


class ManifestEntry(models.Model):
    """One file of a manifest version, frozen with its checksum, languages and licence."""

    version = models.ForeignKey(ManifestVersion, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()
    asset = models.ForeignKey(Asset, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=1000)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.JSONField(help_text="The whole entry, as exported.")

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="uniq_entry_position"),
        ]

    def __str__(self) -> str:
        return self.name


class ManifestDownload(models.Model):
    """Who downloaded which manifest version, in which format, and when."""

    version = models.ForeignKey(ManifestVersion, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token = models.CharField(max_length=100, blank=True, help_text="The API token's name, if any.")
    format = models.CharField(max_length=10)
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.version} by {self.user_id} ({self.format})"


class FileChecksum(models.Model):
    """A cached SHA-256 of a file, valid while its size and modification time are unchanged."""

    location = models.CharField(max_length=2000, unique=True)
    size = models.BigIntegerField()
    mtime_ns = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.location}: {self.sha256[:12]}"
