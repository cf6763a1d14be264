"""Records of coverage: tier policies per nation and dated report snapshots with their gaps."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from inventory.models import Nation


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
    views = models.JSONField(
        default=dict, help_text="The report of every other purpose (commercial, research)."
    )
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
    available_tokens = models.BigIntegerField(help_text="Distinct tokens (each text once).")
    registered_tokens = models.BigIntegerField(
        default=0, help_text="The assets' tokens added up (duplicates inside each removed)."
    )
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
