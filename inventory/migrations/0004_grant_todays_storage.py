"""Grant today's storage to the organisations that use it, so no live asset loses its place.

Each organisation gets, for each of its live assets, the narrowest sensible grant: a directory
(or a glob's literal directory) itself, a file's parent directory, never a whole root, bucket or
host for a file at its top (the file itself then). Where two organisations' grants would overlap
nothing is guessed: each gets exactly its own assets' locations, and a conflict line is printed
(`manage.py storage_grant_report` lists them again at any time). Nothing is deleted; existing
grants are kept; running it again adds nothing.
"""

from pathlib import Path

from django.conf import settings
from django.db import migrations

from inventory.grants import GLOB_CHARS, Holding, plan_grants

NOTE = "granted by migration 0004 from the organisation's live assets"
MAX_PREFIX = 1000


def _is_directory(location: str) -> bool | None:
    """True or False for a local location that exists, None when it cannot be looked at."""
    name, sep, relative = location.partition(":")
    if "://" in location or not sep or GLOB_CHARS & set(relative):
        return None
    root = settings.STORAGE_ROOTS.get(name)
    if root is None:
        return None
    path = Path(root) / relative
    if path.is_dir():
        return True
    if path.is_file():
        return False
    return None


def grant_todays_storage(apps, schema_editor):
    Asset = apps.get_model("inventory", "Asset")
    StorageGrant = apps.get_model("inventory", "StorageGrant")
    rows = (
        Asset.objects.exclude(status="retired")
        .order_by("organization__slug", "location")
        .values_list("organization_id", "organization__slug", "location")
    )
    organizations, holdings = {}, []
    for organization_id, slug, location in rows:
        organizations[slug] = organization_id
        location = location.strip()
        holdings.append(Holding(slug, location, _is_directory(location)))
    if not holdings:
        return
    plan = plan_grants(holdings)
    created = 0
    for grant in plan.grants:
        if len(grant.place.prefix) > MAX_PREFIX:
            print(f"storage grant skipped: {grant.owner}: {grant.place} is too long to store")
            continue
        _, new = StorageGrant.objects.get_or_create(
            organization_id=organizations[grant.owner],
            kind=grant.place.kind,
            root=grant.place.root,
            prefix=grant.place.prefix,
            defaults={"note": NOTE},
        )
        created += new
    print(f"storage grants: {created} granted for {len(holdings)} live asset(s)")
    for line in plan.skipped:
        print(f"storage grant skipped: {line}")
    for conflict in plan.conflicts:
        print(conflict)
    if plan.conflicts:
        print("(manage.py storage_grant_report lists the conflicts again)")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_storagegrant"),
    ]

    operations = [
        migrations.RunPython(grant_todays_storage, migrations.RunPython.noop, elidable=False),
    ]
