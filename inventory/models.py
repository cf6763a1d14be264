"""The catalogue's records: reference data (nations, languages, who speaks and writes them where,
licences) and, on top of it, organisations and their assets."""

from django.db import models

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
