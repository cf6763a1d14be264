"""File formats: evidence names, suffix → format and compression, and the location layer using
the same rules (a data file named like a licence is data)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser
from rest_framework.test import APIClient

from inventory import formats
from inventory.locations import LocationError, LocationPolicy, Shard, list_shards
from tests.factories import MembershipFactory, OrganizationFactory


@pytest.mark.parametrize(
    "name",
    [
        "LICENSE",
        "LICENSE-MIT",
        "LICENCE.txt",
        "COPYING",
        "COPYING.txt",
        "COPYING.LESSER",
        "README",
        "README.md",
        "README.en.md",
        "readme.rst",
        "NOTICE",
        "licence_fr.txt",
        "LICENSE-APACHE-2.0",
        "corpus/LICENSE",
        "s3-bucket/news/README.md",
        "dir\\LICENSE.txt",
    ],
)
def test_licence_and_readme_files_are_evidence(name: str) -> None:
    assert formats.is_evidence(name) is True


@pytest.mark.parametrize(
    "name",
    [
        "licenses_2024.jsonl",
        "license_records.csv",
        "readme.jsonl.gz",
        "LICENSE.txt.gz",
        "README.parquet",
        "data.txt",
        "news.jsonl",
        "licenses",
        "mylicense.txt",
        "LICENSE/data.jsonl",
        ".LICENSE",
    ],
)
def test_data_files_named_like_licences_are_data(name: str) -> None:
    assert formats.is_evidence(name) is False


@pytest.mark.parametrize(
    ("name", "fmt", "compression"),
    [
        ("a.jsonl.gz", "jsonl", "gz"),
        ("a.tsv.zst", "tsv", "zst"),
        ("a.txt.bz2", "text", "bz2"),
        ("a.csv.xz", "csv", "xz"),
        ("a.ndjson.gzip", "jsonl", "gz"),
        ("a.tab.zstd", "tsv", "zst"),
        ("a.json", "jsonl", None),
        ("a.md", "text", None),
        ("a.parquet", "parquet", None),
        ("a.pq", "parquet", None),
        ("NEWS.JSONL.GZ", "jsonl", "gz"),
        ("Stories.TXT", "text", None),
        ("PART-1.TSV.ZST", "tsv", "zst"),
        ("corpus/part-0", None, None),
        ("README", None, None),
        ("archive.gz", None, "gz"),
        ("a.docx", None, None),
        ("dir.gz/part.jsonl", "jsonl", None),
        ("s3://bucket/key/a.csv.bz2", "csv", "bz2"),
        ("dir\\a.txt.xz", "text", "xz"),
    ],
)
def test_format_and_compression_come_from_the_suffixes(
    name: str, fmt: str | None, compression: str | None
) -> None:
    assert formats.infer_format(name) == fmt
    assert formats.infer_compression(name) == compression


@pytest.mark.parametrize(
    ("name", "stripped"),
    [("a.jsonl.gz", "a.jsonl"), ("A.TXT.ZST", "A.TXT"), ("a.jsonl", "a.jsonl"), ("a", "a")],
)
def test_strip_compression(name: str, stripped: str) -> None:
    assert formats.strip_compression(name) == stripped


def test_every_format_and_compression_has_a_suffix_and_a_media_type() -> None:
    assert set(formats.FORMAT_SUFFIXES.values()) == set(formats.FORMATS)
    assert set(formats.COMPRESSION_SUFFIXES.values()) == set(formats.COMPRESSIONS)
    assert set(formats.MEDIA_TYPES) == set(formats.FORMATS)
    assert set(formats.COMPRESSION_MEDIA_TYPES) == set(formats.COMPRESSIONS)
    assert formats.media_type("jsonl") == "application/jsonlines"
    assert formats.media_type("unknown") == "text/plain"


# --- the location layer uses the same rule -----------------------------------------------------


@pytest.fixture
def dump_root(tmp_path: Path) -> Path:
    root = tmp_path / "dump"
    (root / "records").mkdir(parents=True)
    (root / "records" / "licenses_2024.jsonl").write_text('{"text": "MIT"}\n')
    return root


def test_a_location_whose_only_file_is_named_like_a_licence_lists_it_as_data(
    dump_root: Path,
) -> None:
    policy = LocationPolicy(storage_roots={"dump": dump_root.resolve()})

    shards = list_shards("dump:records", policy)

    assert shards == [
        Shard(
            "dump:records/licenses_2024.jsonl",
            "records/licenses_2024.jsonl",
            len('{"text": "MIT"}\n'),
            "data",
        )
    ]


def test_a_location_of_evidence_only_still_holds_no_data(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "LICENSE").write_text("CC-BY-4.0")
    (tmp_path / "docs" / "README.en.md").write_text("About")
    policy = LocationPolicy(storage_roots={"docs": tmp_path.resolve()})

    with pytest.raises(LocationError, match="holds no data file"):
        list_shards("docs:docs", policy)


@pytest.mark.django_db
def test_an_asset_whose_only_file_is_named_like_a_licence_can_be_registered(
    storage_root: Path,
) -> None:
    (storage_root / "records").mkdir()
    (storage_root / "records" / "licenses_2024.jsonl").write_text(
        '{"text": "Habari za asubuhi"}\n', encoding="utf-8"
    )
    steward: AbstractUser = MembershipFactory(organization=OrganizationFactory(slug="knls")).user
    client = APIClient()
    client.force_login(steward)

    response = client.post(
        "/api/v1/assets/",
        {
            "title": "Licence records 2024",
            "description": "Licence records as JSON lines.",
            "location": "test:records",
            "text_field": "text",
            "languages": ["sw"],
            "license": "cc-by-4.0",
            "origin_nations": ["ke"],
            "hosting_nation": "KE",
            "custodian": "Kenya National Library Service",
            "access_level": "restricted",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["format"] == "jsonl"
