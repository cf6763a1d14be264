"""The catalogue's records: reference data (nations, languages, who speaks and writes them where,
licences) and, on top of it, organisations and their assets."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords

from inventory import grants
from inventory.licensing import UseClass


class Nation(models.Model):
    """A country or territory of ISO 3166-1, with its population from CLDR."""

    alpha2 = models.CharField("ISO 3166-1 alpha-2", max_length=2, unique=True)
    alpha3 = models.CharField("ISO 3166-1 alpha-3", max_length=3, unique=True)
    name = models.CharField(max_length=200)
    official_name = models.CharField(max_length=300, blank=True)
    population = models.BigIntegerField(null=True, blank=True)
    literacy_percent = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.alpha2})"


class LanguageScope(models.TextChoices):
    INDIVIDUAL = "individual"
    MACROLANGUAGE = "macrolanguage"
    SPECIAL = "special"
    COLLECTIVE = "collective"


class Language(models.Model):
    """A language under its canonical BCP 47 tag (see inventory.langtags)."""

    tag = models.CharField("BCP 47 tag", max_length=35, unique=True)
    name = models.CharField(max_length=200)
    iso639_3 = models.CharField("ISO 639-3", max_length=3, blank=True)
    scope = models.CharField(max_length=16, choices=LanguageScope.choices, blank=True)
    macrolanguage = models.CharField(
        max_length=8, blank=True, help_text="The macrolanguage this individual language belongs to."
    )
    default_script = models.CharField("default script (ISO 15924)", max_length=4, blank=True)
    detectors = models.JSONField(
        default=list, blank=True, help_text="Language detectors whose label set includes it."
    )

    class Meta:
        ordering = ["tag"]

    def __str__(self) -> str:
        return f"{self.name} ({self.tag})"

    @property
    def detectable(self) -> bool:
        return bool(self.detectors)


class OfficialStatus(models.TextChoices):
    OFFICIAL = "official"
    DE_FACTO_OFFICIAL = "de_facto_official"
    OFFICIAL_REGIONAL = "official_regional"
    OFFICIAL_MINORITY = "official_minority"
    NONE = "none"


class NationLanguage(models.Model):
    """How many people of a nation speak and write a language (CLDR, plus cited overrides).

    Shares overlap (second-language speakers): they are stored as given and never summed."""

    class Source(models.TextChoices):
        CLDR = "cldr"
        OVERRIDE = "override"

    nation = models.ForeignKey(Nation, on_delete=models.CASCADE, related_name="languages")
    language = models.ForeignKey(Language, on_delete=models.PROTECT, related_name="nations")
    population_percent = models.FloatField(help_text="Share of the nation's population, 0 to 100.")
    speakers = models.BigIntegerField()
    writers = models.BigIntegerField()
    official_status = models.CharField(
        max_length=20, choices=OfficialStatus.choices, default=OfficialStatus.NONE
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CLDR)
    source_note = models.TextField(blank=True)

    class Meta:
        ordering = ["nation", "-speakers", "language"]
        constraints = [
            models.UniqueConstraint(fields=["nation", "language"], name="uniq_nation_language"),
            models.CheckConstraint(
                condition=models.Q(population_percent__gte=0, population_percent__lte=100),
                name="nation_language_percent_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.language_id} in {self.nation_id}: {self.population_percent}%"


# The use-classes are defined once, by the pure classification module.
USE_CLASS_CHOICES = [(c.value, c.value) for c in UseClass]


class License(models.Model):
    """An SPDX licence, classified for AI training (see inventory.licensing)."""

    spdx_id = models.CharField("SPDX id", max_length=100, unique=True)
    name = models.CharField(max_length=300)
    use_class = models.CharField(max_length=20, choices=USE_CLASS_CHOICES)
    commercial_training = models.BooleanField()
    attribution = models.BooleanField()
    share_alike = models.BooleanField()
    no_derivatives = models.BooleanField()
    osi_approved = models.BooleanField(default=False)
    fsf_libre = models.BooleanField(default=False)
    deprecated = models.BooleanField(default=False)
    category = models.CharField(max_length=40, blank=True, help_text="ScanCode licence category.")
    reference_url = models.URLField()

    class Meta:
        ordering = ["spdx_id"]

    def __str__(self) -> str:
        return self.spdx_id


class ReferenceDataRelease(models.Model):
    """The versions of the sources the reference data was last loaded from."""

    loaded_at = models.DateTimeField()
    versions = models.JSONField()
    counts = models.JSONField()

    class Meta:
        ordering = ["-loaded_at"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"reference data @ {self.loaded_at:%Y-%m-%d %H:%M}"


# --- organisations and their assets ------------------------------------------------------------


class Organization(models.Model):
    """A data holder of a nation: a library, broadcaster, university, ministry…"""

    class Kind(models.TextChoices):
        LIBRARY = "library"
        ARCHIVE = "archive"
        BROADCASTER = "broadcaster"
        UNIVERSITY = "university"
        MINISTRY = "ministry"
        COMPANY = "company"
        COMMUNITY = "community"
        OTHER = "other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="organizations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in an organisation. Stewards edit its assets; a reviewer of a ministry reads
    every asset of the ministry's nation; an admin manages the organisation."""

    class Role(models.TextChoices):
        STEWARD = "steward"
        REVIEWER = "reviewer"
        ADMIN = "admin"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["organization", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="uniq_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.organization}"


EDITOR_ROLES = (Membership.Role.STEWARD, Membership.Role.ADMIN)


class AssetQuerySet(models.QuerySet["Asset"]):
    def visible_to(self, user: Any) -> "AssetQuerySet":
        """The one visibility rule: staff see everything; others see public assets, their own
        organisations' assets, and, as reviewers of a ministry, every asset of its nation."""
        if not user or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        # Uncorrelated IN subqueries, no join to a many-to-many table: each asset comes out once
        # without DISTINCT, so the list walks the index behind its ordering and stops at a page.
        # Not Exists(): PostgreSQL costs a correlated subquery under OR once per row, and on a
        # big registry that estimate turns on JIT compilation (a second per query, measured).
        memberships = Membership.objects.filter(user=user)
        own = memberships.values("organization_id")
        reviewed_nations = memberships.filter(
            role=Membership.Role.REVIEWER, organization__kind=Organization.Kind.MINISTRY
        ).values("organization__nation_id")
        reviewed_organizations = Organization.objects.filter(nation_id__in=reviewed_nations)
        reviewed_origin = Asset.origin_nations.through.objects.filter(
            nation_id__in=reviewed_nations
        )
        return self.filter(
            models.Q(access_level=Asset.AccessLevel.PUBLIC)
            | models.Q(organization_id__in=own)
            | models.Q(organization_id__in=reviewed_organizations.values("pk"))
            | models.Q(pk__in=reviewed_origin.values("asset_id"))
        )

    def editable_by(self, user: Any) -> "AssetQuerySet":
        if not user or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        editable = Membership.objects.filter(user=user, role__in=EDITOR_ROLES)
        return self.filter(organization_id__in=editable.values("organization_id"))

    def active(self) -> "AssetQuerySet":
        return self.exclude(status=Asset.Status.RETIRED)


# Kept at module level so services can write one historical record per change, after the
# many-to-many fields are set, instead of one per field.
ASSET_HISTORY = HistoricalRecords(m2m_fields=["languages", "origin_nations"])


class Asset(models.Model):
    """A corpus registered by an organisation: where its bytes are and what is declared of it."""

    class Format(models.TextChoices):
        TEXT = "text"
        JSONL = "jsonl"
        CSV = "csv"
        TSV = "tsv"
        PARQUET = "parquet"

    class Compression(models.TextChoices):
        NONE = "", "none"
        GZ = "gz"
        BZ2 = "bz2"
        XZ = "xz"
        ZST = "zst"

    class DocumentUnit(models.TextChoices):
        LINE = "line"
        PARAGRAPH = "paragraph"
        FILE = "file"

    class AccessLevel(models.TextChoices):
        PUBLIC = "public"
        RESTRICTED = "restricted"
        CONFIDENTIAL = "confidential"

    class Status(models.TextChoices):
        REGISTERED = "registered"
        QUEUED = "queued"
        PROFILING = "profiling"
        PROFILED = "profiled"
        FAILED = "failed"
        RETIRED = "retired"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assets")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120)
    description = models.TextField(blank=True)
    location = models.CharField(max_length=2000)
    format = models.CharField(max_length=10, choices=Format.choices)
    compression = models.CharField(max_length=4, choices=Compression.choices, blank=True)
    document_unit = models.CharField(max_length=10, choices=DocumentUnit.choices, blank=True)
    text_field = models.CharField(max_length=200, blank=True)
    languages = models.ManyToManyField(Language, related_name="assets", blank=True)
    license_expression = models.CharField("declared licence (SPDX)", max_length=500)
    license_class = models.CharField(max_length=20, choices=USE_CLASS_CHOICES)
    licenses = models.ManyToManyField(License, related_name="assets", blank=True)
    origin_nations = models.ManyToManyField(Nation, related_name="originated_assets", blank=True)
    hosting_nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="hosted_assets", null=True, blank=True
    )
    custodian = models.CharField(max_length=200, blank=True)
    access_level = models.CharField(
        max_length=12, choices=AccessLevel.choices, default=AccessLevel.RESTRICTED
    )
    tags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REGISTERED)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_assets"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = ASSET_HISTORY
    objects = AssetQuerySet.as_manager()

    class Meta:
        # The list pages through this ordering by keyset (inventory.views.AssetCursorPagination):
        # each index below ends with it, so a page, filtered or not, is one index range.
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="asset_newest"),
            models.Index(fields=["organization", "-created_at", "-id"], name="asset_org_newest"),
            models.Index(fields=["access_level", "-created_at", "-id"], name="asset_access_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="asset_status_newest"),
            models.Index(fields=["license_class", "-created_at", "-id"], name="asset_class_newest"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="uniq_asset_slug"),
        ]

    def __str__(self) -> str:
        return self.title


class StorageGrantQuerySet(models.QuerySet["StorageGrant"]):
    def places(self) -> list[grants.Place]:
        """The grants as places to match locations against (`inventory.grants`)."""
        return [grants.stored_place(*row) for row in self.values_list("kind", "root", "prefix")]


class StorageGrant(models.Model):
    """A part of the storage an organisation owns: a storage root (or a directory or file in it),
    an S3 bucket (or a prefix in it) or an HTTPS host (or a path in it). An organisation registers
    assets only from locations under its grants; staff grant them in the admin."""

    class Kind(models.TextChoices):
        ROOT = grants.ROOT, "storage root"
        S3 = grants.S3, "S3 bucket"
        HTTPS = grants.HTTPS, "HTTPS host"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="storage_grants"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    root = models.CharField(
        max_length=100, blank=True, help_text="For a storage root: its name in STORAGE_ROOTS."
    )
    prefix = models.CharField(
        max_length=1000,
        blank=True,
        help_text="A path in the root (empty: all of it), bucket/prefix, or host/path-prefix; "
        "compared component by component.",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="storage_grants_given",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True, help_text="Why the organisation holds it.")

    objects = StorageGrantQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "kind", "root", "prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "root", "prefix", "organization"], name="uniq_storage_grant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} → {self.organization}"

    @property
    def place(self) -> grants.Place:
        return grants.stored_place(self.kind, self.root, self.prefix)

    def clean(self) -> None:
        """Normalise the prefix; a root grant names a configured storage root, others none."""
        if self.kind == self.Kind.ROOT:
            if self.root not in settings.STORAGE_ROOTS:
                names = ", ".join(sorted(settings.STORAGE_ROOTS)) or "none configured"
                raise ValidationError({"root": f"no storage root {self.root!r} (roots: {names})"})
        elif self.root:
            raise ValidationError(
                {"root": f"only a storage-root grant names a root, not {self.kind}"}
            )
        try:
            self.prefix = grants.normalize_prefix(self.kind, self.prefix)
        except grants.GrantError as exc:
            raise ValidationError({"prefix": str(exc)}) from exc


class ApiToken(AbstractAuthToken):
    """A hashed, expiring, revocable token for a pipeline, limited to a scope."""

    class Scope(models.TextChoices):
        READ = "read", "read-only"
        MANIFESTS = "manifests", "read manifests only"

    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)

    def clean(self) -> None:
        if self.expiry is None:
            raise ValidationError({"expiry": "every API token expires: set a date"})

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user}, {self.scope})"
