"""The demo journey: a demo nation's library with a steward and a ministry reviewer, granted the
fixture corpora's storage and registering them as its assets (and, as capabilities land,
profiled and reported on)."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from inventory import services as inventory
from inventory.asset_serializers import AssetSerializer
from inventory.models import Asset, Membership, Nation, Organization

DEMO_NATION = "KE"
DEMO_ASSETS = Path(settings.BASE_DIR) / "fixtures" / "demo_assets.jsonl"
# The storage the demo library owns (kind, root, prefix): the fixture corpora.
DEMO_STORAGE = ("root", "fixtures", "corpora")


@dataclass
class DemoResult:
    steward: Any = None
    logins: dict[str, str] = field(default_factory=dict)
    registered: list[Asset] = field(default_factory=list)
    existing: list[Asset] = field(default_factory=list)


def _user(username: str, password: str, *, staff: bool = False) -> Any:
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.is_staff = user.is_superuser = staff
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def build_demo(*, passwords: dict[str, str]) -> DemoResult:
    """Create (or refresh) the demo organisations, users and assets; safe to run again."""
    nation = Nation.objects.get(alpha2=DEMO_NATION)
    library, _ = Organization.objects.get_or_create(
        slug="demo-national-library",
        defaults={"name": "Demo National Library", "nation": nation, "kind": "library"},
    )
    ministry, _ = Organization.objects.get_or_create(
        slug="demo-ministry-of-ict",
        defaults={"name": "Demo Ministry of ICT", "nation": nation, "kind": "ministry"},
    )
    result = DemoResult()
    admin = _user("demo", passwords["demo"], staff=True)
    kind, root, prefix = DEMO_STORAGE
    inventory.grant_storage(
        organization=library,
        kind=kind,
        root=root,
        prefix=prefix,
        granted_by=admin,
        note="the demo's fixture corpora",
    )
    steward = _user("steward", passwords["steward"])
    reviewer = _user("reviewer", passwords["reviewer"])
    Membership.objects.get_or_create(
        user=steward, organization=library, defaults={"role": "steward"}
    )
    Membership.objects.get_or_create(
        user=reviewer, organization=ministry, defaults={"role": "reviewer"}
    )
    result.steward = steward
    result.logins = {u.username: passwords[u.username] for u in (admin, steward, reviewer)}
    if DEMO_ASSETS.exists():
        for line in DEMO_ASSETS.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            existing = Asset.objects.filter(organization=library, location=row["location"]).first()
            if existing is not None:
                result.existing.append(existing)
                continue
            serializer = AssetSerializer(data=row, context={"user": steward})
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            data.pop("organization")
            result.registered.append(
                inventory.register_asset(organization=library, data=data, registered_by=steward)
            )
    return result


def build_demo_manifest(*, steward: Any) -> Any:
    """A manifest of every openly licensed demo corpus, materialised as a new version."""
    from curation.manifests import services as manifest_service
    from curation.models import Manifest

    manifest, _ = Manifest.objects.get_or_create(
        slug="demo-open-corpora",
        defaults={
            "title": "Demo corpora, open licences",
            "description": "Every profiled demo corpus under a licence that allows commercial "
            "training.",
            "organization": Organization.objects.get(slug="demo-national-library"),
            "criteria": {"purpose": "commercial"},
            "created_by": steward,
        },
    )
    return manifest_service.request_version(manifest=manifest, actor=steward)
