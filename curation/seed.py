"""A synthetic national registry for benchmarks (`manage.py seed_registry`): organisations in 20
nations (Kenya holding 30% of the assets), assets (half public) and stored profiles in the shapes
finished runs store. Every profile's JSON is a real merged profile of a fixture corpus with its
figures and language rows replaced; each language row carries an overlap sketch of the size a
real run keeps (up to 2,048 documents per asset, shared by its languages). Rows are written with
`bulk_create` in batches, without history; the service never calls this.
"""

import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from curation.models import AssetProfile, ProfileLanguage, ProfileRun
from curation.profiling import ProfileOptions, profile_paths
from curation.profiling.sketch import DEFAULT_SKETCH_SIZE, LanguageSketch
from inventory.models import Asset, Language, Nation, NationLanguage, Organization

NATIONS = (
    "KE", "TZ", "UG", "NG", "GH", "ZA", "ET", "RW", "SN", "CM",
    "IN", "PK", "BD", "ID", "PH", "BR", "MX", "FR", "DE", "GB",
)  # fmt: skip
KENYA_SHARE = 0.30
CLASSES = (
    "open-unrestricted", "open-attribution", "open-attribution", "open-share-alike",
    "non-commercial", "research-only", "unknown",
)  # fmt: skip
TEMPLATE_CORPUS = Path(settings.BASE_DIR) / "fixtures" / "corpora" / "mixed-east-africa"


@dataclass(frozen=True)
class Seeded:
    organizations: int
    assets: int
    language_rows: int
    seconds: float


def template_profile() -> dict[str, Any]:
    """A real merged profile (of the fixture corpus `mixed-east-africa`), as runs store it."""
    paths = sorted(p for p in TEMPLATE_CORPUS.glob("*.jsonl"))
    profile, _ = profile_paths(paths, ProfileOptions(format="jsonl"))
    data = profile.to_json()
    data.pop("sketches", None)
    data.pop("signatures", None)
    return data


def _sketch(rng: np.random.Generator, entries: int, documents: int, tokens: int) -> bytes:
    hashes = np.sort(rng.integers(0, 2**63, size=entries, dtype=np.uint64))
    probability = min(1.0, entries / max(documents, 1))
    per_document = tokens / max(documents, 1)
    rows = zip(hashes.tolist(), [probability] * entries, [per_document] * entries, strict=True)
    return LanguageSketch.build(rows).packed


def _languages_by_nation(nations: list[Nation]) -> dict[int, list[Language]]:
    out: dict[int, list[Language]] = {n.pk: [] for n in nations}
    links = NationLanguage.objects.filter(nation__in=nations).select_related("language")
    for link in links.order_by("nation_id", "-writers", "language__tag"):
        if len(out[link.nation_id]) < 8:
            out[link.nation_id].append(link.language)
    return out


def seed_registry(*, assets: int, prefix: str = "seed", seed: int = 0, batch: int = 2000) -> Seeded:
    """Add `assets` assets (and their organisations, one per 100 assets, at least 20) to the
    registry; run it again with another `prefix` to add more."""
    started = time.perf_counter()
    rng = random.Random(seed)
    sketch_rng = np.random.default_rng(seed)
    nations = list(Nation.objects.filter(alpha2__in=NATIONS).order_by("alpha2"))
    if len(nations) != len(NATIONS):
        raise ValueError("reference data missing: run `manage.py load_reference_data` first")
    kenya = next(n for n in nations if n.alpha2 == "KE")
    others = [n for n in nations if n.alpha2 != "KE"]
    spoken = _languages_by_nation(nations)
    user, _ = get_user_model().objects.get_or_create(username=f"{prefix}-steward")
    count = max(20, math.ceil(assets / 100))
    kenyan = round(count * KENYA_SHARE)
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"{prefix} organisation {i}",
            slug=f"{prefix}-org-{i}",
            nation=kenya if i < kenyan else others[i % len(others)],
            kind="library" if i % 3 else "broadcaster",
        )
        for i in range(count)
    )
    template = template_profile()
    rows = 0
    for start in range(0, assets, batch):
        rows += _seed_batch(
            range(start, min(assets, start + batch)),
            organizations=organizations,
            spoken=spoken,
            user=user,
            prefix=prefix,
            template=template,
            rng=rng,
            sketch_rng=sketch_rng,
        )
    return Seeded(len(organizations), assets, rows, time.perf_counter() - started)


@transaction.atomic
def _seed_batch(
    numbers: range,
    *,
    organizations: list[Organization],
    spoken: dict[int, list[Language]],
    user: Any,
    prefix: str,
    template: dict[str, Any],
    rng: random.Random,
    sketch_rng: np.random.Generator,
) -> int:
    now = timezone.now()
    owners = [organizations[n % len(organizations)] for n in numbers]
    created = Asset.objects.bulk_create(
        Asset(
            organization=owner,
            title=f"{prefix} corpus {n}",
            slug=f"{prefix}-corpus-{n}",
            location=f"s3://{prefix}-bucket/corpus-{n}/",
            format="jsonl",
            text_field="text",
            license_expression="CC-BY-4.0",
            license_class=CLASSES[n % len(CLASSES)],
            access_level="public" if n % 2 == 0 else "restricted",
            hosting_nation_id=owner.nation_id if n % 2 else None,
            status=Asset.Status.PROFILED,
            registered_by=user,
        )
        for n, owner in zip(numbers, owners, strict=True)
    )
    choices = [
        rng.sample(
            spoken[a.organization.nation_id], k=min(3, len(spoken[a.organization.nation_id]))
        )
        for a in created
    ]
    Asset.languages.through.objects.bulk_create(
        Asset.languages.through(asset_id=a.pk, language_id=lang.pk)
        for a, langs in zip(created, choices, strict=True)
        for lang in langs
    )
    Asset.origin_nations.through.objects.bulk_create(
        Asset.origin_nations.through(asset_id=a.pk, nation_id=a.organization.nation_id)
        for i, a in enumerate(created)
        if i % 10 < 7
    )
    runs = ProfileRun.objects.bulk_create(
        ProfileRun(
            asset=a,
            options={},
            status="succeeded",
            shards_total=1,
            shards_done=1,
            finished_at=now,
        )
        for a in created
    )
    profiles = []
    languages: list[tuple[Asset, dict[str, Any], bytes]] = []
    for asset, run, langs in zip(created, runs, choices, strict=True):
        documents = int(rng.lognormvariate(math.log(20_000), 1.5)) + 10
        tokens = documents * rng.randint(80, 400)
        weights = sorted((rng.random() for _ in langs), reverse=True)
        shares = [w / sum(weights) for w in weights]
        kept = min(DEFAULT_SKETCH_SIZE, documents)
        rows: list[dict[str, Any]] = []
        for lang, share in zip(langs, shares, strict=True):
            n = round(tokens * share)
            rows.append(
                {
                    "language": lang.tag,
                    "status": "detected",
                    "documents": round(documents * share),
                    "characters": n * 4,
                    "share_documents": share,
                    "share_characters": share,
                    "estimated_tokens": n,
                    "members": [],
                }
            )
            entries = max(1, round(kept * share))
            languages.append(
                (
                    asset,
                    rows[-1],
                    _sketch(sketch_rng, entries, round(documents * share), n),
                )
            )
        totals = {
            **template["totals"],
            "documents": documents,
            "characters": tokens * 4,
            "estimated_tokens": tokens,
            "duplicate_documents": documents // 50,
        }
        profiles.append(
            AssetProfile(
                asset=asset,
                run=run,
                profiled_at=now,
                documents=documents,
                characters=tokens * 4,
                words=tokens * 3 // 4,
                estimated_tokens=tokens,
                duplicate_documents=documents // 50,
                uncompressed_bytes=tokens * 5,
                complete=True,
                data={**template, "totals": totals, "languages": rows},
            )
        )
    stored = {p.asset_id: p for p in AssetProfile.objects.bulk_create(profiles)}
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage.of(stored[asset.pk], row, sketch) for asset, row, sketch in languages
    )
    return len(languages)
