"""Reference data gathered from offline, authoritative sources shipped in packages: ISO 3166-1 and
ISO 639-3 (pycountry), CLDR territory languages and official status (Babel), territory population
and writing/literacy percentages (CLDR supplemental data in language_data), the IANA subtag
registry (macrolanguages), the SPDX licence list, and a curated override file that cites its
sources. Pure: plain records out, no Django. CLDR-derived data is under the Unicode licence
(NOTICE-CLDR-UNICODE.txt beside this file)."""

import csv
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path

import pycountry
from babel.core import get_global
from language_data.registry_parser import parse_registry
from language_data.util import data_filename

from inventory import langtags, licensing

OVERRIDES = Path(__file__).with_name("reference_overrides.csv")
OFFICIAL_STATUSES = {
    "official",
    "de_facto_official",
    "official_regional",
    "official_minority",
    "none",
}
SCOPES = {"I": "individual", "M": "macrolanguage", "S": "special", "C": "collective"}


@dataclass(frozen=True)
class NationRecord:
    alpha2: str
    alpha3: str
    name: str
    official_name: str
    population: int | None
    literacy_percent: float | None


@dataclass(frozen=True)
class LanguageRecord:
    tag: str
    name: str
    iso639_3: str
    scope: str
    macrolanguage: str
    default_script: str
    detectors: tuple[str, ...]


@dataclass(frozen=True)
class NationLanguageRecord:
    nation: str
    language: str
    population_percent: float
    speakers: int
    writers: int
    official_status: str
    source: str
    source_note: str


@dataclass(frozen=True)
class LicenseRecord:
    spdx_id: str
    name: str
    use_class: str
    commercial_training: bool
    attribution: bool
    share_alike: bool
    no_derivatives: bool
    osi_approved: bool
    fsf_libre: bool
    deprecated: bool
    category: str
    reference_url: str


@dataclass(frozen=True)
class ReferenceData:
    nations: list[NationRecord]
    languages: list[LanguageRecord]
    nation_languages: list[NationLanguageRecord]
    licenses: list[LicenseRecord]
    versions: dict[str, str]
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Territory:
    population: int | None
    literacy: float | None
    writing: dict[str, float]  # CLDR language code → writingPercent (or literacyPercent)


def _territories() -> dict[str, _Territory]:
    """Population and writing percentages from CLDR supplementalData.xml (territoryInfo)."""
    root = ET.parse(data_filename("supplementalData.xml")).getroot()
    territories: dict[str, _Territory] = {}
    for node in root.iterfind("./territoryInfo/territory"):
        writing: dict[str, float] = {}
        for lang in node.iterfind("languagePopulation"):
            percent = lang.get("writingPercent") or lang.get("literacyPercent")
            if percent is not None:
                writing[lang.get("type", "")] = float(percent)
        population = node.get("population")
        literacy = node.get("literacyPercent")
        territories[node.get("type", "")] = _Territory(
            population=round(float(population)) if population else None,
            literacy=float(literacy) if literacy else None,
            writing=writing,
        )
    return territories


@cache
def _macrolanguages() -> dict[str, str]:
    """Individual language subtag → its macrolanguage, from the IANA subtag registry."""
    return {
        entry["Subtag"]: entry["Macrolanguage"]
        for entry in parse_registry()
        if entry.get("Type") == "language" and "Macrolanguage" in entry
    }


def _canonical_tags(codes: Iterable[str]) -> frozenset[str]:
    tags = set()
    for code in codes:
        try:
            tags.add(langtags.canonical(code))
        except langtags.InvalidLanguageTag:
            continue  # a detector code with no BCP 47 reading (cld2's "xx-Qaai" and kin)
    return frozenset(tags)


@cache
def detector_label_sets() -> dict[str, frozenset[str]]:
    """The canonical tags each installed language detector can name, read from the detectors'
    own data: langdetect's profiles and pycld2's table of detected languages."""
    import pycld2

    profiles = resources.files("langdetect") / "profiles"
    detected = set(pycld2.DETECTED_LANGUAGES)
    return {
        "langdetect": _canonical_tags(p.name for p in profiles.iterdir()),
        "pycld2": _canonical_tags(code for name, code in pycld2.LANGUAGES if name in detected),
    }


def language_record(tag: str, labels: dict[str, frozenset[str]]) -> LanguageRecord:
    """The reference record of one language tag."""
    parsed = langtags.normalize(tag)
    base = parsed.language
    iso = pycountry.languages.get(alpha_2=base) if len(base) == 2 else None
    iso = iso or pycountry.languages.get(alpha_3=base)
    return LanguageRecord(
        tag=parsed.tag,
        name=langtags.display_name(parsed.tag),
        iso639_3=getattr(iso, "alpha_3", "") if iso else "",
        scope=SCOPES.get(getattr(iso, "scope", ""), "") if iso else "",
        macrolanguage=_macrolanguages().get(base, ""),
        default_script=langtags.default_script(parsed.tag) or "",
        detectors=tuple(sorted(name for name, tags in labels.items() if parsed.tag in tags)),
    )


def _overrides() -> list[dict[str, str]]:
    with OVERRIDES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        if row["official_status"] not in OFFICIAL_STATUSES:
            raise ValueError(
                f"{OVERRIDES.name} line {number}: official_status {row['official_status']!r} "
                f"is not one of {sorted(OFFICIAL_STATUSES)}"
            )
        if not row["source"].strip():
            raise ValueError(f"{OVERRIDES.name} line {number}: every override must cite a source")
    return rows


def _nation_languages(
    territories: dict[str, _Territory], alpha2s: set[str], skipped: list[str]
) -> list[NationLanguageRecord]:
    by_key: dict[tuple[str, str], NationLanguageRecord] = {}
    for territory, languages in get_global("territory_languages").items():
        if territory not in alpha2s:
            continue
        info = territories.get(territory, _Territory(None, None, {}))
        for code, data in languages.items():
            try:
                tag = langtags.canonical(code)
            except langtags.InvalidLanguageTag:
                skipped.append(f"{territory}/{code}")
                continue
            percent = float(data.get("population_percent") or 0.0)
            speakers = round((info.population or 0) * percent / 100)
            writing = info.writing.get(code, info.literacy if info.literacy is not None else 100)
            record = NationLanguageRecord(
                nation=territory,
                language=tag,
                population_percent=percent,
                speakers=speakers,
                writers=round(speakers * writing / 100),
                official_status=data.get("official_status") or "none",
                source="cldr",
                source_note="",
            )
            # Two CLDR codes can fold into one tag (Norway's `no` and `nb`): keep the larger
            # share, never the sum, so nobody is counted twice.
            current = by_key.get((territory, tag))
            if current is None or record.speakers > current.speakers:
                by_key[(territory, tag)] = record
    for row in _overrides():
        key = (row["nation"], langtags.canonical(row["language"]))
        current = by_key.get(key)
        info = territories.get(row["nation"], _Territory(None, None, {}))
        percent = (
            float(row["population_percent"])
            if row["population_percent"]
            else (current.population_percent if current else 0.0)
        )
        speakers = round((info.population or 0) * percent / 100)
        ratio = current.writers / current.speakers if current and current.speakers else 1.0
        by_key[key] = NationLanguageRecord(
            nation=key[0],
            language=key[1],
            population_percent=percent,
            speakers=speakers,
            writers=round(speakers * ratio),
            official_status=row["official_status"],
            source="override",
            source_note=row["source"].strip(),
        )
    return sorted(by_key.values(), key=lambda r: (r.nation, r.language))


def _versions() -> dict[str, str]:
    packages = ["babel", "language_data", "langcodes", "pycountry", "license-expression"]
    versions = {name: metadata.version(name) for name in packages}
    versions["cldr"] = str(get_global("cldr")["version"])
    versions["spdx-license-list"] = licensing.spdx_list_version()
    return versions


def build_reference_data() -> ReferenceData:
    """Gather every reference record from the installed packages and the override file."""
    territories = _territories()
    nations = [
        NationRecord(
            alpha2=c.alpha_2,
            alpha3=c.alpha_3,
            name=getattr(c, "common_name", None) or c.name,
            official_name=getattr(c, "official_name", "") or "",
            population=territories[c.alpha_2].population if c.alpha_2 in territories else None,
            literacy_percent=territories[c.alpha_2].literacy if c.alpha_2 in territories else None,
        )
        for c in pycountry.countries
    ]
    skipped: list[str] = []
    nation_languages = _nation_languages(territories, {n.alpha2 for n in nations}, skipped)
    labels = detector_label_sets()
    tags: Iterable[str] = {r.language for r in nation_languages}.union(*labels.values())
    languages = sorted((language_record(tag, labels) for tag in tags), key=lambda r: r.tag)
    licenses = [
        LicenseRecord(
            spdx_id=lic.spdx_id,
            name=lic.name,
            use_class=str(terms.use_class),
            commercial_training=terms.commercial_training,
            attribution=terms.attribution,
            share_alike=terms.share_alike,
            no_derivatives=terms.no_derivatives,
            osi_approved=lic.osi_approved,
            fsf_libre=lic.fsf_libre,
            deprecated=lic.deprecated,
            category=lic.category or "",
            reference_url=lic.reference_url,
        )
        for lic in licensing.spdx_licenses()
        for terms in [licensing.terms_for(lic.spdx_id)]
    ]
    return ReferenceData(
        nations=nations,
        languages=languages,
        nation_languages=nation_languages,
        licenses=licenses,
        versions=_versions(),
        skipped=skipped,
    )
