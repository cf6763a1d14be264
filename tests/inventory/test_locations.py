"""Locations: refused addresses are checked without opening a connection to them; the only
servers contacted are started by the tests on 127.0.0.1."""

import ipaddress
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from inventory.locations import (
    LocationError,
    LocationPolicy,
    address_refusal,
    check_url,
    list_shards,
    open_shard,
    open_url,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "demo"
    (base / "corpus" / "part").mkdir(parents=True)
    (base / "corpus" / "a.jsonl").write_text('{"text": "a"}\n')
    (base / "corpus" / "part" / "b.jsonl.gz").write_bytes(b"\x1f\x8b")
    (base / "corpus" / "LICENSE").write_text("CC-BY-4.0")
    (base / "corpus" / ".hidden").write_text("x")
    (tmp_path / "secret.txt").write_text("outside the root")
    return base


@pytest.fixture
def policy(root: Path) -> LocationPolicy:
    return LocationPolicy(storage_roots={"demo": root.resolve()}, allow_http=True)


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail the test if anything tries to open a socket connection."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"a connection to {address!r} was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "127.0.0.1, a loopback address"),
        ("http://localhost/", "a loopback address"),
        ("http://[::1]/", "::1, a loopback address"),
        ("http://10.0.0.1/", "10.0.0.1, a private address"),
        ("http://192.168.1.10/x.jsonl", "a private address"),
        ("http://172.16.5.4/", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://169.254.10.10/", "a link-local address"),
        ("http://100.64.0.1/", "100.64.0.1, a carrier-grade NAT address"),
        ("http://100.100.100.200/", "a cloud metadata address"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped form of 127.0.0.1, a loopback address"),
        ("http://[::ffff:a00:1]/", "IPv4-mapped form of 10.0.0.1, a private address"),
        ("http://[64:ff9b::7f00:1]/", "NAT64 form of 127.0.0.1, a loopback address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "a cloud metadata address"),
        ("http://[2002:7f00:1::]/", "6to4 form of 127.0.0.1, a loopback address"),
        ("http://[fd00:ec2::254]/", "a cloud metadata address"),
        ("http://[fc00::1]/", "a private address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://0.0.0.0/", "an unspecified address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://240.0.0.1/", "a reserved address"),
    ],
)
def test_refused_addresses_name_their_reason_without_connecting(
    policy: LocationPolicy, no_connections: list[object], url: str, reason: str
) -> None:
    with pytest.raises(LocationError, match="refused") as error:
        check_url(url, policy)

    assert reason in str(error.value)
    assert no_connections == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("ftp://example.org/x", "unsupported scheme 'ftp'"),
        ("gopher://example.org/", "unsupported scheme 'gopher'"),
        ("https://user:pw@example.org/x", "credentials in URLs are not accepted"),
    ],
)
def test_unsupported_urls_are_refused(policy: LocationPolicy, url: str, message: str) -> None:
    with pytest.raises(LocationError, match=message):
        list_shards(url, policy)


def test_plain_http_is_refused_unless_allowed(root: Path, no_connections: list[object]) -> None:
    strict = LocationPolicy(storage_roots={"demo": root})
    with pytest.raises(LocationError, match="plain http is not allowed"):
        check_url("http://93.184.216.34/data.jsonl", strict)


def test_a_public_address_passes_the_check_without_a_connection(
    policy: LocationPolicy, no_connections: list[object]
) -> None:
    scheme, host, port, ip = check_url("https://93.184.216.34/corpus.jsonl.gz", policy)

    assert (scheme, host, port, ip) == (
        "https",
        "93.184.216.34",
        443,
        ipaddress.ip_address("93.184.216.34"),
    )
    assert no_connections == []


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "93.184.216.34"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


def test_an_allowed_network_opens_but_metadata_stays_refused(root: Path) -> None:
    policy = LocationPolicy(
        storage_roots={"demo": root},
        allowed_networks=(ipaddress.ip_network("169.254.0.0/16"),),
    )
    assert address_refusal(ipaddress.ip_address("169.254.1.1"), policy) is None
    assert address_refusal(ipaddress.ip_address("169.254.169.254"), policy) == (
        "a cloud metadata address"
    )


# --- local paths -------------------------------------------------------------------------------


def test_a_directory_lists_its_files_with_licence_evidence_apart(policy: LocationPolicy) -> None:
    shards = list_shards("demo:corpus", policy)

    assert [(s.location, s.role) for s in shards] == [
        ("demo:corpus/LICENSE", "evidence"),
        ("demo:corpus/a.jsonl", "data"),
        ("demo:corpus/part/b.jsonl.gz", "data"),
    ]
    assert shards[1].size == len('{"text": "a"}\n')


def test_a_glob_lists_matching_files(policy: LocationPolicy) -> None:
    shards = list_shards("demo:corpus/**/*.jsonl*", policy)
    assert [s.name for s in shards] == ["corpus/a.jsonl", "corpus/part/b.jsonl.gz"]


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("demo:../x", "'..' is not allowed"),
        ("demo:corpus/../../secret.txt", "'..' is not allowed"),
        ("demo:/etc/passwd", "must be relative"),
        ("/dev/zero", "is not in a storage root"),
        ("/etc/passwd", "is not in a storage root"),
        ("other:corpus", "is not in a storage root: local files are written root:relative/path"),
        ("demo:missing.jsonl", "does not exist"),
        ("demo:corpus/*.parquet", "matches no file"),
        ("", "empty location"),
    ],
)
def test_local_locations_refused(policy: LocationPolicy, location: str, message: str) -> None:
    with pytest.raises(LocationError, match=message):
        list_shards(location, policy)


def test_a_symlink_out_of_the_root_is_refused(root: Path, policy: LocationPolicy) -> None:
    (root / "escape.txt").symlink_to(root.parent / "secret.txt")

    with pytest.raises(LocationError, match="leaves its storage root"):
        list_shards("demo:escape.txt", policy)
    with pytest.raises(LocationError, match="leaves its storage root"):
        open_shard("demo:escape.txt", policy)


def test_a_symlink_inside_a_directory_pointing_out_refuses_the_listing(
    root: Path, policy: LocationPolicy
) -> None:
    (root / "corpus" / "part" / "leak.jsonl").symlink_to(root.parent / "secret.txt")

    with pytest.raises(LocationError, match=r"demo:corpus/part/leak.jsonl' leaves its storage"):
        list_shards("demo:corpus", policy)


def test_a_symlink_to_a_device_is_refused(root: Path, policy: LocationPolicy) -> None:
    (root / "zero.jsonl").symlink_to("/dev/zero")

    with pytest.raises(LocationError, match="leaves its storage root"):
        list_shards("demo:zero.jsonl", policy)


def test_a_fifo_is_refused(root: Path, policy: LocationPolicy) -> None:
    os.mkfifo(root / "pipe.jsonl")

    with pytest.raises(LocationError, match="not a regular file or directory"):
        list_shards("demo:pipe.jsonl", policy)
    with pytest.raises(LocationError, match="not a regular file or directory"):
        open_shard("demo:pipe.jsonl", policy)


def test_open_shard_reads_a_file_in_the_root(policy: LocationPolicy) -> None:
    with open_shard("demo:corpus/a.jsonl", policy) as handle:
        assert handle.read() == b'{"text": "a"}\n'


# --- a live server on 127.0.0.1 ----------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b"missing"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.routes = {
        "/data.jsonl": (200, {}, b'{"text": "habari"}\n'),
        "/to-private": (302, {"Location": "http://10.0.0.1/data.jsonl"}, b""),
        "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/"}, b""),
        "/to-ipv6-loopback": (302, {"Location": "http://[::1]/data.jsonl"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/hop1": (302, {"Location": "/hop2"}, b""),
        "/hop2": (302, {"Location": "/data.jsonl"}, b""),
        "/big": (200, {}, b"x" * 5000),
    }
    try:
        yield base
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def loopback_policy(root: Path) -> LocationPolicy:
    """Trusts 127.0.0.1 only (the test server), nothing else private."""
    return LocationPolicy(
        storage_roots={"demo": root},
        allow_http=True,
        allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),),
        max_bytes=1000,
    )


def test_a_loopback_server_is_refused_by_default(server: str, policy: LocationPolicy) -> None:
    with pytest.raises(LocationError, match="a loopback address: refused"):
        open_url(f"{server}/data.jsonl", policy)


def test_reading_from_an_allowed_server(server: str, loopback_policy: LocationPolicy) -> None:
    with open_url(f"{server}/hop1", loopback_policy) as stream:
        assert stream.read() == b'{"text": "habari"}\n'


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/to-private", "10.0.0.1, a private address: refused"),
        ("/to-metadata", "a cloud metadata address: refused"),
        ("/to-ipv6-loopback", "::1, a loopback address: refused"),
        ("/loop", "more than 3 redirects"),
        ("/nothing-here", "HTTP 404"),
    ],
)
def test_redirects_are_rechecked_before_connecting(
    server: str, loopback_policy: LocationPolicy, path: str, message: str
) -> None:
    with pytest.raises(LocationError, match=message):
        open_url(f"{server}{path}", loopback_policy)


def test_a_body_over_the_byte_cap_stops(server: str, loopback_policy: LocationPolicy) -> None:
    def drain() -> None:
        with open_url(f"{server}/big", loopback_policy) as stream:
            while stream.read(300):
                pass

    with pytest.raises(LocationError, match="larger than 1000 bytes"):
        drain()
