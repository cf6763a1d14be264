"""Records of manifests: criteria, frozen versions, their entries, downloads and cached file
checksums."""

from django.conf import settings
from django.db import models

from inventory.models import Asset, Organization


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
    total_tokens = models.BigIntegerField(default=0, help_text="The entries' tokens added up.")
    distinct_tokens = models.BigIntegerField(
        default=0, help_text="Estimated tokens once each text is counted once across assets."
    )
    distinct_tokens_low = models.BigIntegerField(default=0)
    distinct_tokens_high = models.BigIntegerField(default=0)
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
