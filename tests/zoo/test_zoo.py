"""The bad-input zoo through the whole system: each hostile shard is registered as an asset in a
storage root and profiled by a real run (tasks in-process), or fetched from a server on
127.0.0.1 through the location layer. Each case asserts a clear status, the exact counters and
reason, and that nothing else is lost. Files come from `make_zoo.py` (nothing large committed).

Memory cap: a lazy case (ten million documents, a 2 GiB line) is profiled in a fresh process and
its peak RSS growth over a warmed-up engine must stay under MEMORY_CAP_MIB (300). Ten million
documents run with ZOO_LARGE=1 (one million always run); the 2 GiB line always runs.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import urllib3

from curation.coverage import services as coverage
from curation.models import AssetProfile, ProfileRun, ProfileShard, ShardResult
from curation.runs import services as runs
from tests.factories import AssetFactory
from tests.zoo.make_zoo import CASES, MiB, write_case

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP_MIB = 300
LARGE = os.environ.get("ZOO_LARGE", "").lower() in {"1", "true", "yes"}
needs_large = pytest.mark.skipif(not LARGE, reason="large zoo case: set ZOO_LARGE=1 (about 15 s)")


@pytest.fixture(autouse=True)
def _reading_only(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The zoo is about reading: label fewer documents, skip the coverage report refresh (a
    chart per run, tested elsewhere)."""
    settings.PROFILE_SAMPLE_SIZE = 100
    monkeypatch.setattr(coverage, "schedule_refresh", lambda nations: None)


def profile_location(location: str, capture: Any, **fields: Any) -> tuple[ProfileRun, Any]:
    asset = AssetFactory(location=location, **{"format": "jsonl", **fields})
    with capture(execute=True):
        run, created = runs.request_profile(asset=asset, requested_by=None)
    assert created
    run.refresh_from_db()
    assert run.status in {ProfileRun.Status.SUCCEEDED, ProfileRun.Status.FAILED}  # terminal
    return run, asset


def profile_case(name: str, root: Path, capture: Any) -> tuple[ProfileRun, ProfileShard, dict]:
    directory = root / "zoo"
    directory.mkdir(exist_ok=True)
    path = write_case(directory, name)
    run, _ = profile_location(f"test:zoo/{path.name}", capture, **CASES[name].asset)
    shard = ProfileShard.objects.get(run=run)
    result = ShardResult.objects.filter(shard=shard).first()
    return run, shard, (result.profile["shard"] if result else {})


OK, FAILED = "succeeded", "failed"
RATIO = "compression ratio above 200:1 after 68157440 bytes (possible decompression bomb)"
HTML = "not JSON (looks like HTML, not JSONL)"

# case → run status, shard error ("" when done), stop reason, exact totals (non-zero ones; every
# other counter must be 0), parse-error reason prefixes, flags that must be present
EXPECTED: dict[str, tuple[str, str, str, dict[str, int], list[str], set[str]]] = {
    "gzip_bomb": (OK, "", RATIO, {
        "uncompressed_bytes": 68157440, "documents": 1, "empty_documents": 1,
        "characters": 64 * MiB, "words": 1, "nul_characters": 64 * MiB,
    }, [], {"incomplete_shards"}),
    "zstd_bomb": (OK, "", RATIO, {
        "uncompressed_bytes": 68157440, "documents": 60405, "characters": 67048460,
        "words": 10872724, "too_short_documents": 1, "labellable_documents": 60404,
        "labellable_characters": 67048440,
    }, [], {"incomplete_shards", "high_duplicate_rate"}),
    # zip is not a supported compression: the archive is read as bytes, never expanded
    "zip_bomb": (OK, "", "", {
        "uncompressed_bytes": 130658, "documents": 3, "characters": 130644, "words": 15,
        "too_short_documents": 1, "labellable_documents": 2, "labellable_characters": 130597,
        "invalid_utf8_sequences": 120, "replacement_char_documents": 3, "nul_characters": 15600,
    }, [], {"invalid_utf8", "nul_characters"}),
    # one level of gzip declared: the inner gzip is not opened, its bytes are not JSON
    "nested_archive": (OK, "", "", {
        "uncompressed_bytes": 98, "invalid_utf8_sequences": 33, "parse_errors": 1,
    }, ["line 1: not JSON"], {"mostly_unparseable", "no_documents"}),
    # tar is not a supported format: headers are read as text, nothing is extracted
    "hostile_tar": (OK, "", "", {
        "uncompressed_bytes": 10240, "documents": 3, "characters": 10238, "words": 33,
        "labellable_documents": 3, "labellable_characters": 10238, "nul_characters": 9598,
    }, [], {"nul_characters"}),
    "deep_json": (OK, "", "", {
        "uncompressed_bytes": 200050, "documents": 1, "characters": 26, "words": 5,
        "too_short_documents": 1, "parse_errors": 1,
    }, ["line 1: JSON nested too deeply"], {"parse_errors"}),
    "huge_integers": (OK, "", "", {
        "uncompressed_bytes": 9227, "documents": 2, "characters": 32, "words": 4,
        "too_short_documents": 2, "parse_errors": 2,
    }, ["line 1: not JSON: Exceeds the limit (4300 digits)", "line 3: 'text' is int, not text"],
        {"parse_errors"}),
    "nan": (OK, "", "", {
        "uncompressed_bytes": 110, "documents": 2, "characters": 36, "words": 7,
        "too_short_documents": 2, "parse_errors": 1,
    }, ["line 3: 'text' is float, not text"], {"parse_errors"}),
    "duplicate_keys": (OK, "", "", {
        "uncompressed_bytes": 107, "documents": 2, "characters": 22, "words": 4,
        "too_short_documents": 2, "parse_errors": 1,
    }, ["line 1: not JSON: duplicate key 'text'"], {"parse_errors"}),
    # JSON-escaped lone surrogates are kept (script Zzzz); UTF-8-encoded ones are invalid UTF-8
    "lone_surrogates": (OK, "", "", {
        "uncompressed_bytes": 100, "documents": 3, "characters": 51, "words": 11,
        "too_short_documents": 2, "labellable_documents": 1, "labellable_characters": 36,
        "invalid_utf8_sequences": 3, "replacement_char_documents": 1,
    }, [], {"invalid_utf8"}),
    "latin1": (OK, "", "", {
        "uncompressed_bytes": 46, "documents": 2, "characters": 44, "words": 9,
        "too_short_documents": 2, "invalid_utf8_sequences": 8, "replacement_char_documents": 2,
    }, [], {"invalid_utf8"}),
    "invalid_utf8": (OK, "", "", {
        "uncompressed_bytes": 113, "documents": 5, "characters": 105, "words": 18,
        "too_short_documents": 5, "invalid_utf8_sequences": 9, "replacement_char_documents": 4,
    }, [], {"invalid_utf8"}),
    "utf16_bom": (OK, "", "", {
        "uncompressed_bytes": 186, "documents": 2, "characters": 26, "words": 6,
        "too_short_documents": 2,
    }, [], set()),
    # CRLF ends a line; a lone CR and U+2028 do not; NUL is counted
    "line_endings": (OK, "", "", {
        "uncompressed_bytes": 51, "documents": 5, "empty_documents": 1, "characters": 42,
        "words": 8, "too_short_documents": 4, "nul_characters": 1,
    }, [], {"nul_characters"}),
    "csv_200kb_fields": (OK, "", "", {
        "uncompressed_bytes": 614423, "documents": 3, "characters": 614400, "words": 3,
        "labellable_documents": 3, "labellable_characters": 614400,
    }, [], set()),
    "csv_unbalanced_quotes": (OK, "", "", {
        "uncompressed_bytes": 65, "documents": 1, "characters": 12, "words": 2,
        "too_short_documents": 1, "parse_errors": 1,
    }, ["record 4: unexpected end of data"], {"parse_errors"}),
    "csv_wrong_delimiter": (FAILED, "no column 'text' in the csv header (columns: id;text)", "",
        {}, [], set()),
    "parquet_truncated": (FAILED, "not a Parquet file (no PAR1 magic)", "", {}, [], set()),
    "parquet_wrong_magic": (FAILED, "not a Parquet file (no PAR1 magic)", "", {}, [], set()),
    # the footer's 10^9 rows are not believed: the pages hold 1234 rows and 1234 are counted
    "parquet_billion_rows": (OK, "", "", {
        "uncompressed_bytes": 24127, "documents": 1234, "characters": 17400, "words": 3702,
        "too_short_documents": 1234,
    }, [], set()),
    "mixed_scripts": (OK, "", "", {
        "uncompressed_bytes": 182, "documents": 5, "empty_documents": 1, "characters": 103,
        "words": 17, "too_short_documents": 3, "labellable_documents": 1,
        "labellable_characters": 43,
    }, [], set()),
    "empty_text": (OK, "", "", {}, [], {"no_documents"}),
    "empty_gz_zero_bytes": (OK, "", "", {}, [], {"no_documents"}),
    "empty_gz_member": (OK, "", "", {}, [], {"no_documents"}),
    "empty_zst_zero_bytes": (OK, "", "", {}, [], {"no_documents"}),
    "empty_zst_frame": (OK, "", "", {}, [], {"no_documents"}),
    "bz2_truncated": (OK, "", "truncated bz2 stream", {
        "uncompressed_bytes": 199956, "documents": 7734, "characters": 192223,
        "words": 23200, "too_short_documents": 7734,
    }, [], {"incomplete_shards"}),
    "html_as_jsonl": (OK, "", "", {"uncompressed_bytes": 120, "parse_errors": 3},
        [f"line {n}: {HTML}" for n in (1, 2, 3)], {"mostly_unparseable", "no_documents"}),
}  # fmt: skip


def test_every_generated_case_has_an_expected_outcome() -> None:
    assert set(EXPECTED) == set(CASES)
    assert len(EXPECTED) >= 20


@pytest.mark.parametrize("name", list(EXPECTED))
def test_zoo_case(
    name: str, storage_root: Path, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    status, error, stop, totals, reasons, flags = EXPECTED[name]
    before = {p for p in tmp_path.rglob("*")}

    run, shard, profile = profile_case(name, storage_root, django_capture_on_commit_callbacks)

    assert run.status == status
    assert shard.error == error
    if error:
        assert shard.status == ProfileShard.Status.FAILED
        assert run.error_code == "no_readable_shard"
        assert not AssetProfile.objects.filter(asset=run.asset).exists()
        return
    assert shard.status == ProfileShard.Status.DONE
    size = (storage_root / "zoo" / CASES[name].filename).stat().st_size
    got = {k: v for k, v in profile["totals"].items() if v and k != "files"}
    assert got == {**totals, **({"compressed_bytes": size} if size else {})}
    assert profile["stop_reason"] == stop
    for prefix, reason in zip(reasons, profile["parse_error_reasons"], strict=True):
        assert reason.startswith(prefix)
    assert flags <= set(run.result["flags"])
    assert AssetProfile.objects.get(asset=run.asset).documents == totals.get("documents", 0)
    # nothing extracted, nothing written beside the shard (archives are never unpacked)
    assert {p for p in tmp_path.rglob("*")} - before == {
        storage_root / "zoo",
        storage_root / "zoo" / CASES[name].filename,
    }


def test_hostile_tar_members_are_never_written(
    storage_root: Path, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    run, _, profile = profile_case("hostile_tar", storage_root, django_capture_on_commit_callbacks)

    assert run.status == OK
    assert profile["totals"]["documents"] == 3
    assert not Path("/tmp/zoo-absolute.txt").exists()
    assert not (tmp_path.parent / "zoo-escape.txt").exists()
    assert not (storage_root.parent / "zoo-escape.txt").exists()
    assert sorted(p.name for p in (storage_root / "zoo").iterdir()) == ["hostile.tar"]


def test_utf16_and_mixed_scripts_are_decoded_not_damaged(
    storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    _, _, utf16 = profile_case("utf16_bom", storage_root, django_capture_on_commit_callbacks)
    _, _, mixed = profile_case("mixed_scripts", storage_root, django_capture_on_commit_callbacks)

    assert utf16["encoding"] == "utf-16"
    assert utf16["notes"] == ["transcoded from utf-16 (byte order mark)"]
    assert {"Latn", "Grek", "Hani"} <= set(utf16["scripts"])
    assert {"Latn", "Cyrl", "Arab", "Hani", "Deva", "Hebr", "Grek"} <= set(mixed["scripts"])


def test_bad_shards_beside_a_good_one_lose_nothing_of_it(
    storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """One asset: a good shard, every JSONL zoo case and a corrupt gzip. The run succeeds, the
    good shard's documents are all counted, the unreadable shard is named, and the totals are
    the sum of the shards profiled alone."""
    directory = storage_root / "zoo"
    directory.mkdir()
    good = "".join(json.dumps({"text": f"Habari ya asubuhi namba {i}"}) + "\n" for i in range(500))
    (directory / "good.jsonl").write_text(good, encoding="utf-8")
    (directory / "corrupt.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 64)
    jsonl = [n for n, c in CASES.items() if c.filename.endswith((".jsonl", ".jsonl.gz"))]
    for name in jsonl:
        write_case(directory, name)

    run, asset = profile_location("test:zoo", django_capture_on_commit_callbacks)

    shards = ProfileShard.objects.filter(run=run)
    assert run.status == OK
    counts = (run.shards_total, run.shards_done, run.shards_failed)
    assert counts == (len(jsonl) + 2, len(jsonl) + 1, 1)
    failed = shards.get(status=ProfileShard.Status.FAILED)
    assert failed.name == "zoo/corrupt.jsonl.gz"
    assert failed.error.startswith("corrupt gzip stream")
    assert run.result["failed_shards"][0]["name"] == "zoo/corrupt.jsonl.gz"
    assert any(flag.startswith("partial: 1 of") for flag in run.result["flags"])
    expected = 500 + sum(EXPECTED[n][3].get("documents", 0) for n in jsonl)
    assert run.result["totals"]["documents"] == expected
    errors = sum(EXPECTED[n][3].get("parse_errors", 0) for n in jsonl)
    assert run.result["totals"]["parse_errors"] == errors
    good_result = ShardResult.objects.get(shard__name="zoo/good.jsonl").profile["shard"]
    assert good_result["totals"]["documents"] == 500
    assert good_result["stop_reason"] == ""
    assert AssetProfile.objects.get(asset=asset).documents == expected


# --- the location layer: what is refused before a byte is read ---------------------------------


def test_a_symlink_out_of_the_root_and_a_fifo_are_refused_at_registration(
    storage_root: Path, tmp_path: Path
) -> None:
    (storage_root / "escape.jsonl").symlink_to("/etc/passwd")
    os.mkfifo(storage_root / "pipe.jsonl")

    for name, reason in [
        ("escape.jsonl", "leaves its storage root (through a symlink)"),
        ("pipe.jsonl", "is not a regular file or directory"),
    ]:
        asset = AssetFactory(location=f"test:{name}")
        with pytest.raises(runs.ProfileRequestError, match=re.escape(reason)):
            runs.request_profile(asset=asset, requested_by=None)
        assert not ProfileRun.objects.filter(asset=asset).exists()


# --- lazy cases: too large for a file, measured in a fresh process ------------------------------


def measure(name: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "tests.zoo.make_zoo", "--measure", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    print(f"\n{name}: {result['seconds']} s, peak RSS growth {result['rss_growth_mib']} MiB")
    assert result["rss_growth_mib"] < MEMORY_CAP_MIB
    return result


AFTER = b"\nthe line after the long one\n"


@pytest.mark.parametrize("name", ["line_2gib", "line_256mib"])  # about 1 s for both
def test_a_giant_line_is_skipped_counted_and_the_next_line_read(name: str) -> None:
    size = {"line_2gib": 2048 * MiB, "line_256mib": 256 * MiB}[name]

    result = measure(name)

    totals = result["totals"]
    assert totals["uncompressed_bytes"] == size + len(AFTER)
    assert (totals["documents"], totals["overlong_lines"], totals["parse_errors"]) == (1, 1, 1)
    assert totals["characters"] == len(AFTER.strip())
    assert result["parse_error_reasons"] == [f"1 line(s) longer than {64 * MiB} bytes skipped"]
    assert result["stop_reason"] == ""


@pytest.mark.parametrize(
    ("name", "documents", "empty", "distinct"),
    [
        pytest.param("docs_10m_one_byte", 10_000_000, 0, 4, marks=needs_large),
        ("docs_1m_one_byte", 1_000_000, 0, 4),
        ("docs_5m_empty", 5_000_000, 5_000_000, 0),
    ],
)
def test_millions_of_tiny_documents_are_counted_exactly_in_bounded_memory(
    name: str, documents: int, empty: int, distinct: int
) -> None:
    result = measure(name)

    totals = result["totals"]
    assert totals["documents"] == documents
    assert totals["empty_documents"] == empty
    assert totals["characters"] == documents - empty
    assert result["distinct_documents"] == distinct
    assert result["stop_reason"] == ""


# --- over the network: a server on 127.0.0.1 only -----------------------------------------------

HTML_PAGE = CASES["html_as_jsonl"].build()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    other_port = 0  # the port of a listener on 127.0.0.2 that must never be contacted

    def log_message(self, *args: Any) -> None:
        pass

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = self.path
        try:
            if path == "/error.jsonl":
                self._body(200, HTML_PAGE)
            elif path == "/gateway.jsonl":
                self._body(502, HTML_PAGE)
            elif path == "/endless.jsonl":
                self._endless()
            elif path == "/slow.jsonl":
                self._slow()
            elif path == "/to-loopback.jsonl":
                self._redirect(f"http://127.0.0.2:{self.other_port}/x.jsonl")
            elif path == "/to-metadata.jsonl":
                self._redirect("http://169.254.169.254/latest/meta-data/x.jsonl")
            elif path == "/to-mapped-metadata.jsonl":
                self._redirect("http://[::ffff:169.254.169.254]/x.jsonl")
            elif path.startswith("/loop"):
                self._redirect("/loop.jsonl")
            else:
                self._body(404, b"not found")
        except OSError:  # the client hung up: what a capped reader does
            pass

    def _body(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _endless(self) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b'{"text": "' + b"bila mwisho " * 400 + b'"}\n'  # about 5 kB
        for _ in range(100_000):  # 500 MB at most, should the client never stop
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    def _slow(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # one byte every 50 ms: never silent long enough
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.05)
        self.close_connection = True


@pytest.fixture
def server() -> Iterator[str]:
    other = socket.socket()
    other.bind(("127.0.0.2", 0))
    other.listen(1)
    other.setblocking(False)
    _Handler.other_port = other.getsockname()[1]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
        with pytest.raises(BlockingIOError):
            other.accept()  # nobody ever connected to the refused loopback address
    finally:
        httpd.shutdown()
        httpd.server_close()
        other.close()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[tuple[str, int]]:
    """Every address urllib3 connects to; anything but 127.0.0.1 fails the test unconnected."""
    seen: list[tuple[str, int]] = []
    real = urllib3.util.connection.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        seen.append((address[0], address[1]))
        if address[0] != "127.0.0.1":
            raise AssertionError(f"the zoo tried to connect to {address}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", guarded)
    settings.LOCATIONS_ALLOW_HTTP = True
    settings.LOCATIONS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.LOCATIONS_MAX_BYTES = 4 * MiB
    settings.LOCATIONS_MAX_SECONDS = 1.0
    settings.LOCATIONS_MAX_REDIRECTS = 3
    return seen


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/gateway.jsonl", "HTTP 502"),
        ("/endless.jsonl", f"larger than {4 * MiB} bytes"),
        ("/slow.jsonl", "took longer than 1 s"),
        (
            "/to-loopback.jsonl",
            "host '127.0.0.2' resolves to 127.0.0.2, a loopback address: refused",
        ),
        (
            "/to-metadata.jsonl",
            "host '169.254.169.254' resolves to 169.254.169.254, a cloud metadata address",
        ),
        (
            "/to-mapped-metadata.jsonl",
            "IPv4-mapped form of 169.254.169.254, a cloud metadata address: refused",
        ),
        ("/loop.jsonl", "more than 3 redirects"),
    ],
)
def test_hostile_servers_fail_the_shard_with_a_reason(
    path: str,
    error: str,
    server: str,
    connections: list[tuple[str, int]],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    if path == "/endless.jsonl":
        settings.LOCATIONS_MAX_SECONDS = 30.0  # the byte cap, not the clock, must end this one
    run, asset = profile_location(server + path, django_capture_on_commit_callbacks)

    shard = ProfileShard.objects.get(run=run)
    assert (run.status, run.error_code, shard.status) == (FAILED, "no_readable_shard", "failed")
    assert shard.error.startswith("location: ")
    assert error in shard.error
    assert not ShardResult.objects.filter(run=run).exists()
    assert not AssetProfile.objects.filter(asset=asset).exists()
    port = int(server.rsplit(":", 1)[1])
    assert connections
    assert set(connections) == {("127.0.0.1", port)}  # the refused hops were never connected
    if path == "/loop.jsonl":
        assert len(connections) == 4  # the first request and three redirects, then refused


def test_an_html_error_page_served_as_jsonl_is_counted_and_flagged(
    server: str, connections: list[tuple[str, int]], django_capture_on_commit_callbacks: Any
) -> None:
    run, _ = profile_location(server + "/error.jsonl", django_capture_on_commit_callbacks)

    shard = ProfileShard.objects.get(run=run)
    profile = ShardResult.objects.get(shard=shard).profile["shard"]
    assert (run.status, shard.status) == (OK, "done")
    assert profile["totals"]["parse_errors"] == 3
    assert profile["totals"]["documents"] == 0
    assert all(HTML in reason for reason in profile["parse_error_reasons"])
    assert {"mostly_unparseable", "no_documents"} <= set(run.result["flags"])


def test_a_metadata_address_is_refused_at_registration_without_a_connection(
    connections: list[tuple[str, int]],
) -> None:
    asset = AssetFactory(location="http://169.254.169.254/latest/x.jsonl")

    with pytest.raises(runs.ProfileRequestError, match="a cloud metadata address: refused"):
        runs.request_profile(asset=asset, requested_by=None)

    assert connections == []
