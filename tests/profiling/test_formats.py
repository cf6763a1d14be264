"""Readers: every format, compression and document unit, on the fixture corpora."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma

import pytest
import zstandard

from curation.profiling import (
    Limits,
    ProfileOptions,
    infer_compression,
    infer_format,
    profile_paths,
)
from tests.profiling.conftest import CORPORA, profile_asset, profile_bytes

# directory, options, documents, language, script
CORPUS_CASES = [
    ("swahili-news", {"format": "text"}, 80, "sw", "Latn"),
    ("yoruba-stories", {"format": "text", "document_unit": "paragraph"}, 30, "yo", "Latn"),
    ("amharic-news", {"format": "jsonl", "text_field": "content.text"}, 40, "am", "Ethi"),
    ("zulu-oral-history", {"format": "csv", "text_field": "transcript"}, 40, "zu", "Latn"),
    ("basque-parliament", {"format": "tsv", "text_field": "testua"}, 40, "eu", "Latn"),
    ("hindi-health", {"format": "parquet"}, 40, "hi", "Deva"),
    ("russian-library", {"format": "text", "document_unit": "file"}, 6, "ru", "Cyrl"),
    ("arabic-press", {"format": "jsonl"}, 40, "ar", "Arab"),
    ("chinese-stories", {"format": "text"}, 40, "zh-Hans", "Hani"),
    ("georgian-archive", {"format": "text"}, 40, "ka", "Geor"),
]


@pytest.mark.parametrize(("directory", "options", "documents", "language", "script"), CORPUS_CASES)
def test_fixture_corpus_is_read_and_labelled(directory, options, documents, language, script):
    asset, _ = profile_paths([CORPORA / directory], ProfileOptions(**options))

    assert asset.totals.documents == documents
    assert asset.totals.parse_errors == 0
    assert asset.totals.invalid_utf8_sequences == 0
    assert asset.languages[0].language == language
    # The rest, if any, is abstention (`und-<Script>`), never another language.
    assert asset.languages[0].share_documents >= 0.9
    assert all(row.language.startswith("und-") for row in asset.languages[1:])
    assert next(iter(asset.scripts)) == script


@pytest.mark.parametrize(
    ("name", "compression", "fmt"),
    [
        ("a.jsonl.gz", "gz", "jsonl"),
        ("a.txt.bz2", "bz2", "text"),
        ("a.csv.xz", "xz", "csv"),
        ("a.tsv.zst", "zst", "tsv"),
        ("a.parquet", None, "parquet"),
        ("a.txt", None, "text"),
    ],
)
def test_compression_and_format_are_inferred_from_the_name(name, compression, fmt):
    assert infer_compression(name) == compression
    assert infer_format(name) == fmt


TEXT = "Habari za leo, rafiki yangu mpendwa.\nThe weather is fine today in the city.\n"


@pytest.mark.parametrize(
    ("name", "pack"),
    [
        ("t.txt", lambda b: b),
        ("t.txt.gz", gzip.compress),
        ("t.txt.bz2", bz2.compress),
        ("t.txt.xz", lzma.compress),
        ("t.txt.zst", lambda b: zstandard.ZstdCompressor().compress(b)),
    ],
)
def test_every_compression_gives_the_same_totals(name, pack):
    packed = pack(TEXT.encode())

    profile = profile_bytes(packed, name=name)

    assert profile.totals.documents == 2
    assert profile.totals.characters == len(TEXT) - 2
    assert profile.totals.uncompressed_bytes == len(TEXT.encode())
    assert profile.totals.compressed_bytes == len(packed)
    assert profile.complete


def test_concatenated_gzip_members_are_all_read():
    data = gzip.compress(b"first line of text here\n") + gzip.compress(b"second line of text\n")

    profile = profile_bytes(data, name="t.txt.gz")

    assert profile.totals.documents == 2
    assert profile.complete


@pytest.mark.parametrize(
    ("unit", "documents", "empty"),
    [("line", 7, 3), ("paragraph", 3, 0), ("file", 1, 0)],
)
def test_document_units(unit, documents, empty):
    data = b"one a\none b\n\ntwo a\n\n  \nthree a\n"

    profile = profile_bytes(data, ProfileOptions(document_unit=unit))

    assert profile.totals.documents == documents
    assert profile.totals.empty_documents == empty


def test_jsonl_dotted_path_and_licence_field_are_read():
    records = [
        {"meta": {"body": "Maandishi ya kwanza kabisa hapa"}, "license": "CC-BY-4.0"},
        {"meta": {"body": "Maandishi ya pili kabisa hapa"}, "license": "CC-BY-NC-4.0"},
        {"meta": {"other": "no body"}},
    ]
    data = "".join(json.dumps(r) + "\n" for r in records).encode()

    profile = profile_bytes(data, ProfileOptions(format="jsonl", text_field="meta.body"), "a.jsonl")

    assert profile.totals.documents == 2
    assert profile.totals.parse_errors == 1
    assert profile.parse_error_reasons == ("line 3: no 'meta.body' field",)
    assert dict(profile.licence_values) == {"CC-BY-4.0": 1, "CC-BY-NC-4.0": 1}


def test_csv_quoted_multiline_field_is_one_document():
    data = b'id,text\n1,"first line\nsecond line"\n2,plain\n'

    profile = profile_bytes(data, ProfileOptions(format="csv"), "a.csv")

    assert profile.totals.documents == 2
    assert profile.totals.characters == len("first line\nsecond line") + len("plain")


def test_parquet_from_a_non_seekable_compressed_stream():
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": ["una frase en español", None, "otra frase"]}), buffer)

    profile = profile_bytes(
        gzip.compress(buffer.getvalue()), ProfileOptions(format="parquet"), "a.parquet.gz"
    )

    assert profile.totals.documents == 2
    assert profile.totals.parse_errors == 1


def test_utf16_with_bom_is_transcoded():
    data = "Habari ya asubuhi\nGood morning to you\n".encode("utf-16")

    profile = profile_bytes(data)

    assert profile.encoding == "utf-16"
    assert profile.totals.documents == 2
    assert profile.totals.invalid_utf8_sequences == 0


def test_asset_profile_json_round_trip_is_lossless():
    asset = profile_asset(TEXT.encode(), ProfileOptions(declared_languages=("sw", "xx")))

    stored = json.loads(json.dumps(asset.to_json()))

    assert type(asset).from_json(stored) == asset


@pytest.mark.parametrize(
    ("unit", "data"),
    [
        ("file", ("neno " * 5000).encode()),
        (
            "paragraph",
            ("neno " * 2500 + "\n" + "neno " * 2500 + "\n\nkando kando ya mto\n").encode(),
        ),
    ],
)
def test_documents_longer_than_the_cap_are_counted_in_parts(unit, data):
    limits = Limits(max_document_chars=1000)
    small = profile_bytes(data, ProfileOptions(document_unit=unit, limits=limits))
    whole = profile_bytes(data, ProfileOptions(document_unit=unit))

    assert small.totals.to_json() == whole.totals.to_json()
    assert small.totals.documents == (1 if unit == "file" else 2)
    assert small.totals.words == data.decode().count("neno") + (4 if unit == "paragraph" else 0)
