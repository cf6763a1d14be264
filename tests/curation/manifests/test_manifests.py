"""Tests of the pure manifest module: hashing, streamed renderings, Croissant, diff, attribution."""

from __future__ import annotations

import bz2
import copy
import csv
import gzip
import hashlib
import io
import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from curation.manifests.attribution import attribution_bundle
from curation.manifests.croissant import (
    CROISSANT_CONTEXT,
    render_croissant,
    render_croissant_stream,
)
from curation.manifests.diff import Diff, diff
from curation.manifests.entries import Entry, VersionMeta, content_hash
from curation.manifests.tabular import CSV_COLUMNS, render_csv, render_json, render_jsonl
from tests.curation.manifests.croissant_check import check_croissant

pytestmark = [
    # Noise from mlcroissant's dependencies, not from this project.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index"),
]

SHA_A = "a" * 64
SHA_B = "b" * 64


def make_entry(**overrides: Any) -> Entry:
    values: dict[str, Any] = {
        "asset_id": 1,
        "asset_slug": "swahili-news",
        "asset_title": "Swahili news",
        "organization": "demo-library",
        "organization_name": "Demo National Library",
        "location": "fixtures:corpora/swahili-news/part-0.jsonl",
        "name": "part-0.jsonl",
        "size": 1200,
        "sha256": SHA_A,
        "format": "jsonl",
        "compression": "",
        "text_field": "text",
        "document_unit": "line",
        "languages": (("sw", 1200), ("en", 30)),
        "license_expression": "CC-BY-4.0",
        "license_class": "open-attribution",
        "attribution": '"Swahili news" by Demo National Library, CC-BY-4.0',
        "origin_nations": ("KE", "TZ"),
        "hosting_nation": "KE",
        "custodian": "Demo National Library",
    }
    values.update(overrides)
    return Entry(**values)


def make_meta(**overrides: Any) -> VersionMeta:
    values: dict[str, Any] = {
        "slug": "swahili-open",
        "title": "Open Swahili",
        "description": "Every openly licensed Swahili file.",
        "version": 3,
        "created_at": "2025-03-04T05:06:07+00:00",
        "created_by": "alice",
        "publisher": "Demo National Library",
        "criteria": {"languages": ["sw"], "purpose": "commercial"},
        "content_hash": "c" * 64,
        "base_url": "https://registry.example.org",
    }
    values.update(overrides)
    return VersionMeta(**values)


ENTRIES = (
    make_entry(),
    make_entry(name="part-1.jsonl", sha256=SHA_B, size=800, languages=(("sw", 900),)),
    make_entry(
        asset_id=2,
        asset_slug="yoruba-radio",
        asset_title='Yoruba "radio", transcripts',
        location="https://data.example.org/yo/radio.csv",
        name="radio/2024.csv",
        format="csv",
        text_field="transcript",
        languages=(("yo", 5000),),
        license_expression="CC-BY-SA-4.0",
        license_class="open-share-alike",
        attribution="",
        origin_nations=("NG",),
        hosting_nation="NG",
        custodian="Lagos\nArchive",
    ),
)


def canonical_hash(entries: list[Entry]) -> str:
    ordered = sorted(entries, key=lambda e: (e.asset_id, e.name))
    text = json.dumps(
        [e.to_json() for e in ordered], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


# --- entries and hashing ------------------------------------------------------------------------


def test_entry_json_round_trip_normalises_languages() -> None:
    entry = make_entry(languages=[["sw", 1200], ["en", 30]], origin_nations=["KE", "TZ"])
    assert entry.languages == (("en", 30), ("sw", 1200))
    assert entry.origin_nations == ("KE", "TZ")
    data = entry.to_json()
    assert data["languages"] == [["en", 30], ["sw", 1200]]
    assert data["origin_nations"] == ["KE", "TZ"]
    assert Entry.from_json(json.loads(json.dumps(data))) == entry
    assert entry.key == (1, "part-0.jsonl")
    assert entry.total_tokens == 1230


def test_content_hash_is_canonical_json_sha256() -> None:
    assert content_hash(list(ENTRIES)) == canonical_hash(list(ENTRIES))
    assert content_hash([]) == hashlib.sha256(b"[]").hexdigest()


def test_content_hash_is_order_independent() -> None:
    assert content_hash(list(ENTRIES)) == content_hash(list(reversed(ENTRIES)))
    assert content_hash(list(ENTRIES)) == content_hash([ENTRIES[2], ENTRIES[0], ENTRIES[1]])


def test_content_hash_ignores_version_metadata_but_not_entries() -> None:
    entries = list(ENTRIES)
    first = "".join(render_json(make_meta(version=1, created_at="2025-01-01T00:00:00Z"), entries))
    second = "".join(render_json(make_meta(version=2, created_at="2026-01-01T00:00:00Z"), entries))
    assert first != second  # the documents differ only in their metadata ...
    assert json.loads(first)["entries"] == json.loads(second)["entries"]
    # ... and the hash is a function of the entries alone
    assert content_hash(entries) == content_hash(list(ENTRIES))
    changed = [replace(ENTRIES[0], sha256="d" * 64), *ENTRIES[1:]]
    assert content_hash(changed) != content_hash(entries)
    assert content_hash(entries[:2]) != content_hash(entries)


# --- streamed renderings ------------------------------------------------------------------------


def many_entries(n: int) -> list[Entry]:
    return [
        make_entry(asset_id=1 + i // 100, name=f"part-{i:05d}.jsonl", size=i, sha256=f"{i:064x}")
        for i in range(n)
    ]


@pytest.mark.parametrize("count", [0, 1, 3, 1300])
def test_render_json_parses_back_to_the_same_entries(count: int) -> None:
    entries = many_entries(count) if count != 3 else list(ENTRIES)
    meta = make_meta()
    document = json.loads("".join(render_json(meta, iter(entries))))
    assert document["manifest"] == meta.to_json()
    assert document["manifest"]["url"] == (
        "https://registry.example.org/api/v1/manifests/swahili-open/versions/3/"
    )
    assert [Entry.from_json(e) for e in document["entries"]] == entries


@pytest.mark.parametrize("count", [0, 3, 1300])
def test_render_jsonl_parses_back_to_the_same_entries(count: int) -> None:
    entries = many_entries(count) if count != 3 else list(ENTRIES)
    meta = make_meta()
    text = "".join(render_jsonl(meta, iter(entries)))
    assert text.endswith("\n")
    lines = text.splitlines()
    assert json.loads(lines[0]) == {"manifest": meta.to_json()}
    assert [Entry.from_json(json.loads(line)) for line in lines[1:]] == entries


@pytest.mark.parametrize("count", [0, 3, 1300])
def test_render_csv_parses_back_to_the_same_entries(count: int) -> None:
    entries = many_entries(count) if count != 3 else list(ENTRIES)
    text = "".join(render_csv(make_meta(), iter(entries)))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert [Entry.from_csv_row(row) for row in rows] == entries


def test_render_csv_formats_languages_and_nations() -> None:
    text = "".join(render_csv(make_meta(), [ENTRIES[0]]))
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["languages"] == "en:30;sw:1200"
    assert row["origin_nations"] == "KE;TZ"
    assert row["size"] == "1200"


FORMULA_FIELDS = [
    "asset_slug",
    "asset_title",
    "organization",
    "organization_name",
    "location",
    "name",
    "text_field",
    "document_unit",
    "license_expression",
    "attribution",
    "hosting_nation",
    "custodian",
]


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example","x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x"],
)
@pytest.mark.parametrize("field", FORMULA_FIELDS)
def test_render_csv_neutralises_formula_cells_and_parses_them_back(field: str, value: str) -> None:
    entry = make_entry(**{field: value})

    text = "".join(render_csv(make_meta(), [entry]))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    json_text = "".join(render_json(make_meta(), [entry]))

    assert len(rows) == 1
    assert rows[0][field] == "'" + value
    assert Entry.from_csv_row(rows[0]) == entry
    assert json.loads(json_text)["entries"][0][field] == value  # JSON as it was


def test_render_csv_neutralises_list_cells_and_ends_rows_with_crlf() -> None:
    entry = make_entry(origin_nations=("=KE", "TZ"), languages=(("-x", 5), ("sw", 1)))

    text = "".join(render_csv(make_meta(), [entry]))
    row = next(csv.DictReader(io.StringIO(text, newline="")))

    assert row["origin_nations"] == "'=KE;TZ"
    assert row["languages"] == "'-x:5;sw:1"
    assert Entry.from_csv_row(row) == entry
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 2


def test_neutralising_does_not_change_the_content_hash() -> None:
    """The hash is of the entries' JSON; a CSV's cells never feed it."""
    entries = [make_entry(asset_title="=1+1"), make_entry(asset_id=2, custodian="@x")]
    expected = hashlib.sha256(
        (
            "["
            + ",".join(
                json.dumps(e.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                for e in entries
            )
            + "]"
        ).encode()
    ).hexdigest()

    assert content_hash(entries) == expected


class Exploding:
    """Yields n entries, then fails: shows how far a renderer has consumed its input."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.consumed = 0

    def __iter__(self) -> Iterator[Entry]:
        for i in range(self.n):
            self.consumed += 1
            yield make_entry(name=f"part-{i}.jsonl")
        raise RuntimeError("the database went away")


@pytest.mark.parametrize("render", [render_json, render_jsonl, render_csv])
def test_renderers_stream_lazily(render: Any) -> None:
    source = Exploding(3)
    chunks = render(make_meta(), source)
    assert source.consumed == 0  # nothing is read before the first chunk is asked for
    first = next(chunks)
    assert source.consumed == 0
    assert first.startswith(('{"manifest": ', "asset_id,"))
    with pytest.raises(RuntimeError, match="went away"):
        list(chunks)
    assert source.consumed == 3


def test_render_json_chunks_are_bounded() -> None:
    chunks = list(render_json(make_meta(), many_entries(2000)))
    assert len(chunks) == 1 + 4  # the header, then batches of 512 entries
    assert max(len(c) for c in chunks) < 512 * 1000


# --- Croissant ----------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to open a network connection while validating."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def write_file(directory: Path, name: str, fmt: str, compression: str, texts: list[str]) -> bytes:
    if fmt == "jsonl":
        body = "".join(json.dumps({"id": i, "body": t}) + "\n" for i, t in enumerate(texts))
    elif fmt in {"csv", "tsv"}:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(["id", "body"])
        writer.writerows(enumerate(texts))
        body = buffer.getvalue()
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = io.BytesIO()
        pq.write_table(pa.table({"id": range(len(texts)), "body": texts}), sink)
        data = sink.getvalue()
        body = ""
    else:
        body = "".join(t + "\n" for t in texts)
    if fmt != "parquet":
        data = body.encode()
    if compression == "gz":
        data = gzip.compress(data, mtime=0)
    elif compression == "bz2":
        data = bz2.compress(data)
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


SPECS: dict[str, tuple[str, str, str, str]] = {
    # key: (file name, format, compression, document unit)
    "jsonl": ("news/a.jsonl", "jsonl", "", "line"),
    "jsonl-gz": ("news/b.jsonl.gz", "jsonl", "gz", "line"),
    "csv": ("radio/c.csv", "csv", "", "line"),
    "tsv": ("radio/d.tsv", "tsv", "", "line"),
    "parquet": ("web/e.parquet", "parquet", "", "line"),
    "text-lines": ("books/f.txt", "text", "", "line"),
    "text-file": ("books/g.txt", "text", "", "file"),
    "text-gz": ("books/h.txt.gz", "text", "gz", "line"),
    "csv-bz2": ("radio/i.csv.bz2", "csv", "bz2", "line"),
}
TEXTS = ["habari za asubuhi", "leo ni siku nzuri", "wanafunzi walifika shuleni mapema"]


def build(directory: Path, keys: list[str]) -> tuple[list[Entry], dict[str, str]]:
    """Real files for the given kinds, their entries, and a map of file name to path."""
    entries, paths = [], {}
    for n, key in enumerate(keys):
        name, fmt, compression, unit = SPECS[key]
        data = write_file(directory, name, fmt, compression, TEXTS)
        slug = name.split("/")[0]
        entries.append(
            make_entry(
                asset_id=n + 1,
                asset_slug=slug,
                asset_title=slug.title(),
                location=f"fixtures:corpora/{name}" if n % 2 else f"https://cdn.example.org/{name}",
                name=name.split("/")[1],
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                format=fmt,
                compression=compression,
                text_field="" if fmt == "text" else "body",
                document_unit=unit,
            )
        )
        paths[name.split("/")[1]] = str(directory / name)
    return entries, paths


def mlcroissant_issues(doc: dict[str, Any], mapping: dict[str, str] | None = None) -> Any:
    """Static validation by mlcroissant: parse the metadata and build its operation graph,
    without downloading anything. Raises mlcroissant.ValidationError on errors."""
    mlc = pytest.importorskip("mlcroissant")
    dataset = mlc.Dataset(jsonld=copy.deepcopy(doc), mapping=mapping)
    return dataset, dataset.metadata.ctx.issues


MIXES = {
    "jsonl": ["jsonl"],
    "jsonl-gz": ["jsonl-gz"],
    "csv": ["csv"],
    "tsv": ["tsv"],
    "parquet": ["parquet"],
    "text": ["text-lines", "text-file"],
    "text-gz": ["text-gz"],
    "bz2": ["csv-bz2"],
    "all": list(SPECS),
}
UNREADABLE = {"csv-bz2"}  # mlcroissant reads gzip itself, not bzip2: validated, not loaded


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("mix", list(MIXES))
def test_croissant_passes_mlcroissant_and_the_spec_check(tmp_path: Path, mix: str) -> None:
    entries, paths = build(tmp_path, MIXES[mix])
    meta = make_meta(content_hash=content_hash(entries))
    doc = render_croissant(meta, entries)
    assert check_croissant(doc) == []
    _, issues = mlcroissant_issues(doc)
    assert issues.errors == set()
    assert issues.warnings == set()
    assert json.loads(json.dumps(doc)) == doc  # plain JSON

    # Loading the records from the local copies (matched by @id) checks each file's sha256 and
    # that every RecordSet's source and extraction really yield the text.
    mapping = {fo["@id"]: paths[fo["name"]] for fo in doc["distribution"]}
    dataset, _ = mlcroissant_issues(doc, mapping)
    for record_set, entry in zip(
        doc["recordSet"], sorted(entries, key=lambda e: e.key), strict=True
    ):
        key = next(k for k, spec in SPECS.items() if spec[0].endswith("/" + entry.name))
        if key in UNREADABLE:
            continue
        field_id = record_set["field"][0]["@id"]
        values = [r[field_id] for r in dataset.records(record_set["@id"])]
        texts = [v.decode() if isinstance(v, bytes) else v for v in values]
        if entry.document_unit == "file":
            assert texts == ["".join(t + "\n" for t in TEXTS)]
        else:
            assert texts == TEXTS


def test_croissant_document_content() -> None:
    entries = [
        make_entry(
            asset_id=7,
            asset_slug="yo radio",
            name="data/2024 part.jsonl.gz",
            location="s3://bucket/yo/2024.jsonl.gz",
            compression="gz",
            languages=(("yo", 10),),
            license_expression="CC-BY-4.0 AND LicenseRef-community",
        ),
        make_entry(license_expression="MIT OR Apache-2.0", license_class="open-attribution"),
        make_entry(name="other.txt", format="text", text_field="", document_unit="paragraph"),
    ]
    meta = make_meta(content_hash=content_hash(entries))
    doc = render_croissant(meta, entries)
    context = doc["@context"]
    assert context == dict(CROISSANT_CONTEXT)
    assert context["scr"] == "https://w3id.org/sovereign-corpus-registry/ns#"
    assert context["cr"] == "http://mlcommons.org/croissant/"
    assert doc["@type"] == "sc:Dataset"
    assert doc["dct:conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert doc["name"] == "Open Swahili"
    assert doc["version"] == "3.0.0"
    assert doc["datePublished"] == "2025-03-04T05:06:07+00:00"
    assert doc["url"] == "https://registry.example.org/api/v1/manifests/swahili-open/versions/3/"
    assert doc["creator"] == {"@type": "sc:Organization", "name": "Demo National Library"}
    assert doc["inLanguage"] == ["en", "sw", "yo"]
    assert doc["license"] == [
        "https://spdx.org/licenses/Apache-2.0.html",
        "https://spdx.org/licenses/CC-BY-4.0.html",
        "https://spdx.org/licenses/MIT.html",
    ]
    assert doc["scr:contentHash"] == content_hash(entries)
    assert json.loads(doc["scr:criteria"]) == {"languages": ["sw"], "purpose": "commercial"}
    assert [fo["@id"] for fo in doc["distribution"]] == [
        "swahili-news/other.txt",
        "swahili-news/part-0.jsonl",
        "yo_radio/data/2024_part.jsonl.gz",
    ]
    text, jsonl, gz = doc["distribution"]
    assert text["encodingFormat"] == "text/plain"
    assert text["contentUrl"] == "https://registry.example.org/api/v1/assets/1/files/other.txt"
    assert jsonl["encodingFormat"] == "application/jsonlines"
    assert jsonl["sha256"] == SHA_A
    assert jsonl["contentSize"] == "1200 B"
    assert "scr:compression" not in jsonl
    assert gz["encodingFormat"] == "application/jsonlines"
    assert gz["scr:compression"] == "application/gzip"
    assert gz["contentUrl"] == "s3://bucket/yo/2024.jsonl.gz"
    assert gz["name"] == "data/2024 part.jsonl.gz"
    assert gz["scr:originNations"] == ["KE", "TZ"]
    assert gz["scr:hostingNation"] == "KE"
    assert gz["scr:custodian"] == "Demo National Library"
    assert gz["scr:licenseExpression"] == "CC-BY-4.0 AND LicenseRef-community"
    assert gz["scr:languages"] == ["yo:10"]
    sources = [rs["field"][0]["source"] for rs in doc["recordSet"]]
    assert sources == [
        {"fileObject": {"@id": "swahili-news/other.txt"}, "extract": {"fileProperty": "content"}},
        {"fileObject": {"@id": "swahili-news/part-0.jsonl"}, "extract": {"column": "text"}},
        {"fileObject": {"@id": "yo_radio/data/2024_part.jsonl.gz"}, "extract": {"column": "text"}},
    ]
    assert {rs["field"][0]["dataType"] for rs in doc["recordSet"]} == {"sc:Text"}
    assert check_croissant(doc) == []


@pytest.mark.usefixtures("no_network")
def test_croissant_names_licences_without_spdx_identifier() -> None:
    entries = [
        make_entry(license_expression="LicenseRef-community-terms", license_class="research-only"),
        make_entry(name="b.jsonl", license_expression="NOASSERTION", license_class="unknown"),
        make_entry(name="c.jsonl", license_expression="CC0-1.0"),
    ]
    doc = render_croissant(make_meta(), entries)
    assert doc["license"] == [
        "https://spdx.org/licenses/CC0-1.0.html",
        {"@type": "sc:CreativeWork", "name": "LicenseRef-community-terms"},
        {"@type": "sc:CreativeWork", "name": "NOASSERTION"},
    ]
    assert check_croissant(doc) == []
    _, issues = mlcroissant_issues(doc)
    assert issues.errors == set()
    assert issues.warnings == set()


def test_check_croissant_flags_an_empty_version() -> None:
    # The spec requires a distribution and a licence: a version with no file has neither.
    assert check_croissant(render_croissant(make_meta(), [])) == [
        "license: missing (a URL or CreativeWork is required)",
        "distribution: missing or empty (FileObjects or FileSets are required)",
    ]


def test_croissant_ids_are_unique_when_sanitised_names_collide() -> None:
    entries = [make_entry(name="a b.txt"), make_entry(name="a_b.txt"), make_entry(name="a\tb.txt")]
    doc = render_croissant(make_meta(), entries)
    assert [fo["@id"] for fo in doc["distribution"]] == [
        "swahili-news/a_b.txt",
        "swahili-news/a_b.txt~2",
        "swahili-news/a_b.txt~3",
    ]
    assert check_croissant(doc) == []


def test_croissant_is_deterministic() -> None:
    meta = make_meta()
    first = json.dumps(render_croissant(meta, list(ENTRIES)))
    assert json.dumps(render_croissant(meta, list(reversed(ENTRIES)))) == first


@pytest.mark.parametrize("count", [0, 3, 1300])
def test_croissant_stream_is_the_same_document(count: int) -> None:
    entries = many_entries(count) if count != 3 else list(ENTRIES)
    meta = make_meta()
    ordered = sorted(entries, key=lambda e: e.key)
    chunks = list(render_croissant_stream(meta, lambda: iter(ordered)))
    assert json.loads("".join(chunks)) == render_croissant(meta, entries)
    assert max(len(c) for c in chunks) < 512 * 2000


def test_croissant_stream_is_lazy_and_requires_key_order() -> None:
    source = Exploding(3)
    chunks = render_croissant_stream(make_meta(), lambda: source)
    first = next(chunks)
    assert source.consumed == 0
    assert first.startswith('{"@context": {')
    with pytest.raises(RuntimeError, match="went away"):
        list(chunks)
    shuffled = [ENTRIES[2], ENTRIES[0]]
    with pytest.raises(ValueError, match="in \\(asset_id, name\\) order"):
        list(render_croissant_stream(make_meta(), lambda: shuffled))


REQUIRED = [
    "@context",
    "@type",
    "dct:conformsTo",
    "name",
    "description",
    "license",
    "url",
    "creator",
    "datePublished",
    "distribution",
]


@pytest.mark.parametrize("key", REQUIRED)
def test_check_croissant_reports_a_removed_required_property(key: str) -> None:
    doc = render_croissant(make_meta(), list(ENTRIES))
    del doc[key]
    problems = check_croissant(doc)
    assert problems
    assert problems[0].startswith(key + ":")


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("key", ["name", "description", "url", "creator"])
def test_mlcroissant_accepts_omissions_that_check_croissant_reports(key: str) -> None:
    doc = render_croissant(make_meta(), list(ENTRIES))
    del doc[key]
    _, issues = mlcroissant_issues(doc)
    assert issues.errors == set()
    assert check_croissant(doc) == [
        {
            "name": "name: missing or empty",
            "description": "description: missing or empty",
            "url": "url: missing or not a URL",
            "creator": "creator: missing (an Organization or Person is required)",
        }[key]
    ]


def test_check_croissant_reports_file_and_field_problems() -> None:
    doc = render_croissant(make_meta(), list(ENTRIES))
    del doc["distribution"][0]["sha256"]
    del doc["distribution"][1]["name"]
    doc["distribution"][2]["encodingFormat"] = ""
    del doc["recordSet"][0]["field"][0]["dataType"]
    doc["recordSet"][1]["field"][0]["source"]["fileObject"]["@id"] = "missing"
    doc["recordSet"][2]["@id"] = doc["distribution"][2]["@id"]
    doc["scr:extra"] = True
    doc["@context"] = {k: v for k, v in doc["@context"].items() if k != "scr"}
    assert check_croissant(doc) == [
        "@context: the prefix 'scr' is used but not declared",
        "distribution[0]: sha256 (or md5) missing",
        "distribution[1]: name missing",
        "distribution[2]: encodingFormat missing",
        "recordSet[0].field[0]: dataType missing",
        "recordSet[2]: duplicate @id 'yoruba-radio/radio/2024.csv'",
        "recordSet[1].field[0]: source 'missing' is not declared in the document",
    ]


def test_check_croissant_rejects_wrong_values() -> None:
    doc = render_croissant(make_meta(), list(ENTRIES))
    doc["@type"] = "sc:CreativeWork"
    doc["dct:conformsTo"] = "http://mlcommons.org/croissant/0.8"
    doc["license"] = ["not a url"]
    doc["datePublished"] = "yesterday"
    doc["version"] = "3"
    doc["distribution"][0]["sha256"] = "ABC"
    assert check_croissant(doc) == [
        "@type: must be sc:Dataset, got 'sc:CreativeWork'",
        "dct:conformsTo: must be http://mlcommons.org/croissant/1.0",
        "license: 'not a url' is neither a URL nor a named CreativeWork",
        "datePublished: missing or not an ISO 8601 date",
        "version: '3' is not MAJOR.MINOR.PATCH",
        "distribution[0]: sha256 is not 64 lower-case hex digits",
    ]


# --- diff and attribution -----------------------------------------------------------------------


def test_diff_reports_added_removed_and_changed() -> None:
    a, b, c = ENTRIES
    b_new = replace(b, sha256="e" * 64, size=801)
    a_relicensed = replace(a, license_expression="CC0-1.0", license_class="open-unrestricted")
    retitled = replace(c, asset_title="Renamed")  # not a content change
    d = make_entry(asset_id=3, name="new.jsonl")
    result = diff([a, b, c], [d, retitled, b_new, a_relicensed])
    assert result == Diff(added=(d,), removed=(), changed=((a, a_relicensed), (b, b_new)))
    assert diff([a, b, c], [a]) == Diff(removed=(b, c))
    assert diff([a], [a]) == Diff()
    data = result.to_json()
    assert data["summary"] == {"added": 1, "removed": 0, "changed": 2}
    assert data["added"] == [d.to_json()]
    assert [item["fields"] for item in data["changed"]] == [
        ["license_expression", "license_class"],
        ["sha256", "size"],
    ]
    assert data["changed"][1]["old"] == b.to_json()
    assert data["changed"][1]["new"] == b_new.to_json()


def test_diff_sees_language_changes() -> None:
    a = ENTRIES[0]
    relabelled = replace(a, languages=(("sw", 1230),))
    assert diff([a], [relabelled]).changed == ((a, relabelled),)


def test_attribution_bundle() -> None:
    entries = [
        make_entry(),
        make_entry(name="part-1.jsonl"),  # same line: deduplicated
        make_entry(asset_id=2, asset_slug="b", attribution='"B" by Org B, CC-BY-4.0'),
        ENTRIES[2],  # share-alike, no attribution given: a line is built
        make_entry(
            asset_id=4,
            asset_slug="nc",
            license_expression="CC-BY-NC-4.0",
            license_class="non-commercial",
            attribution='"NC" by Org C, CC-BY-NC-4.0',
        ),
        make_entry(asset_id=5, license_expression="CC0-1.0", license_class="open-unrestricted"),
        make_entry(asset_id=6, license_expression="LicenseRef-x", license_class="research-only"),
    ]
    assert attribution_bundle(entries) == [
        {
            "license": "CC-BY-4.0",
            "license_class": "open-attribution",
            "license_urls": ["https://spdx.org/licenses/CC-BY-4.0.html"],
            "assets": ["b", "swahili-news"],
            "lines": [
                '"B" by Org B, CC-BY-4.0',
                '"Swahili news" by Demo National Library, CC-BY-4.0',
            ],
        },
        {
            "license": "CC-BY-NC-4.0",
            "license_class": "non-commercial",
            "license_urls": ["https://spdx.org/licenses/CC-BY-NC-4.0.html"],
            "assets": ["nc"],
            "lines": ['"NC" by Org C, CC-BY-NC-4.0'],
        },
        {
            "license": "CC-BY-SA-4.0",
            "license_class": "open-share-alike",
            "license_urls": ["https://spdx.org/licenses/CC-BY-SA-4.0.html"],
            "assets": ["yoruba-radio"],
            "lines": ['"Yoruba "radio", transcripts" by Demo National Library, CC-BY-SA-4.0'],
        },
    ]
    assert attribution_bundle([]) == []
