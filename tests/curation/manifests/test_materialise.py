"""Materialising a version: checksums looked up and stored in batches, cached by size and
modification time, in a number of queries that does not grow with the assets or their files."""

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curation.manifests import services
from curation.models import FileChecksum, Manifest, ManifestEntry, ManifestVersion
from inventory.models import Asset, Nation, Organization
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, profiled

pytestmark = pytest.mark.django_db


def make_assets(storage_root: Path, organization: Organization, assets: int, files: int) -> None:
    """`assets` profiled assets of `organization`, each a directory of `files` JSONL files and a
    licence file, with origin and hosting nations (what an entry reads of its asset)."""
    kenya, tanzania = Nation.objects.get(alpha2="KE"), Nation.objects.get(alpha2="TZ")
    for a in range(assets):
        directory = storage_root / organization.slug / f"asset-{a}"
        directory.mkdir(parents=True)
        (directory / "LICENSE").write_text("SPDX-License-Identifier: CC-BY-4.0\n")
        for f in range(files):
            (directory / f"part-{f}.jsonl").write_text(f'{{"text": "Habari {a}-{f}"}}\n')
        asset = AssetFactory(
            organization=organization,
            location=f"test:{organization.slug}/asset-{a}",
            hosting_nation=kenya,
        )
        asset.origin_nations.set([kenya, tanzania])
        profiled(asset, {"sw": 900, "en": 100})


def new_version(manifest: Manifest) -> ManifestVersion:
    return services.create_version(manifest=manifest, actor=manifest.created_by)


def materialise_counting(version: ManifestVersion) -> tuple[ManifestVersion, int]:
    with CaptureQueriesContext(connection) as queries:
        done = services.materialise(version_id=version.pk)
    assert done.status == ManifestVersion.Status.READY, done.error
    return done, len(queries)


def query_counts(storage_root: Path, assets: int, files: int) -> tuple[int, int]:
    """Queries of materialising a version of `assets` x `files` files, uncached then cached."""
    organization = OrganizationFactory()
    make_assets(storage_root, organization, assets, files)
    user = MembershipFactory(organization=organization).user
    manifest = Manifest.objects.create(
        slug=f"m-{organization.slug}", title="All", organization=organization, created_by=user
    )
    first, uncached = materialise_counting(new_version(manifest))
    second, cached = materialise_counting(new_version(manifest))
    assert first.entry_count == second.entry_count == assets * files
    assert first.content_hash == second.content_hash
    return uncached, cached


@pytest.fixture
def manifest(storage_root: Path, steward: Any) -> Manifest:
    organization = steward.memberships.get().organization
    make_assets(storage_root, organization, 2, 3)
    return Manifest.objects.create(
        slug="all", title="All", organization=organization, created_by=steward
    )


def test_materialising_takes_as_many_queries_for_six_assets_as_for_two(
    storage_root: Path,
) -> None:
    small = query_counts(storage_root, assets=2, files=3)
    large = query_counts(storage_root, assets=6, files=8)

    # the version; the profiles, their languages, their assets' origin nations; one checksum
    # lookup; a savepoint, the version locked, the entries inserted, the version saved, the
    # savepoint released; uncached, one upsert of the checksums besides
    assert small == large == (11, 10)


def test_entries_carry_each_files_sha256_in_order(manifest: Manifest, storage_root: Path) -> None:
    version = services.materialise(version_id=new_version(manifest).pk)

    entries = list(services.version_entries(version))
    files = sorted(storage_root.glob(f"{manifest.organization.slug}/asset-*/part-*.jsonl"))
    assert [(e.location, e.size, e.sha256) for e in entries] == [
        (
            f"test:{path.relative_to(storage_root).as_posix()}",
            path.stat().st_size,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
        for path in files
    ]
    assert list(ManifestEntry.objects.filter(version=version).values_list("sha256", flat=True)) == [
        e.sha256 for e in entries
    ]
    assert FileChecksum.objects.count() == len(files) == 6


def test_a_cached_checksum_is_used_while_size_and_mtime_hold(
    manifest: Manifest, storage_root: Path
) -> None:
    services.materialise(version_id=new_version(manifest).pk)
    location = f"test:{manifest.organization.slug}/asset-0/part-0.jsonl"
    FileChecksum.objects.filter(location=location).update(sha256="f" * 64)

    version = services.materialise(version_id=new_version(manifest).pk)

    entry = ManifestEntry.objects.get(version=version, position=0)
    assert (entry.data["location"], entry.sha256) == (location, "f" * 64)


def test_a_changed_file_gets_a_new_checksum(manifest: Manifest, storage_root: Path) -> None:
    first = services.materialise(version_id=new_version(manifest).pk)
    path = storage_root / manifest.organization.slug / "asset-1" / "part-2.jsonl"
    location = f"test:{manifest.organization.slug}/asset-1/part-2.jsonl"
    before = FileChecksum.objects.get(location=location)
    path.write_text('{"text": "Habari za jioni, leo ni siku nzuri"}\n')
    os.utime(path, ns=(before.mtime_ns + 1_000_000_000, before.mtime_ns + 1_000_000_000))

    second = services.materialise(version_id=new_version(manifest).pk)

    data = path.read_bytes()
    changed = ManifestEntry.objects.get(version=second, data__location=location)
    assert (changed.size, changed.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    stored = FileChecksum.objects.get(location=location)
    assert (stored.size, stored.mtime_ns, stored.sha256) == (
        len(data),
        path.stat().st_mtime_ns,
        hashlib.sha256(data).hexdigest(),
    )
    unchanged = lambda v: list(  # noqa: E731
        ManifestEntry.objects.filter(version=v)
        .exclude(data__location=location)
        .values_list("name", "sha256")
    )
    assert unchanged(second) == unchanged(first)
    assert second.content_hash != first.content_hash
    assert FileChecksum.objects.count() == 6


def test_a_file_of_two_assets_is_checksummed_once(manifest: Manifest, storage_root: Path) -> None:
    organization = manifest.organization
    location = f"test:{organization.slug}/asset-0/part-1.jsonl"
    whole = Asset.objects.get(location=f"test:{organization.slug}/asset-0")
    overlapping = AssetFactory(organization=organization, location=location)
    profiled(overlapping, {"sw": 100})

    version = services.materialise(version_id=new_version(manifest).pk)

    data = (storage_root / location.partition(":")[2]).read_bytes()
    shared = ManifestEntry.objects.filter(version=version, data__location=location)
    assert sorted(shared.values_list("asset_id", "sha256")) == sorted(
        (asset_id, hashlib.sha256(data).hexdigest()) for asset_id in (whole.pk, overlapping.pk)
    )
    assert version.entry_count == 7
    assert FileChecksum.objects.filter(location=location).count() == 1
