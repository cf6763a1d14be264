"""Locations: the only code that turns an asset's location into bytes.

Three kinds, each checked when an asset is registered and again whenever a worker reads:
- `root:relative/path` — a file, directory or glob below a named storage root (`STORAGE_ROOTS`),
  resolved with symlinks followed and checked for containment; regular files and directories only.
- `s3://bucket/prefix` — through fsspec/s3fs, credentials from settings; never the instance
  credentials of the machine (its metadata address) unless an operator allows them.
- `https://…` (and `http://…` only when allowed) — fetched by resolving the host once, refusing
  loopback, private, link-local, carrier-grade NAT, multicast, reserved, unspecified and cloud
  metadata addresses (IPv4 hidden in IPv6 forms included), connecting to the checked address, and
  re-checking every redirect; time and bytes are capped.

At registration a `Scope` (an organisation's storage grants) also limits where a location may
lead: every path is checked against it once resolved, before anything is said of what is there.
"""

import fnmatch
import io
import ipaddress
import os
import socket
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast
from urllib.parse import urljoin, urlsplit

import urllib3

from inventory.formats import is_evidence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

GLOB_CHARS = frozenset("*?[")
# Cloud metadata services: refused even where an operator allows a private network.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class LocationError(ValueError):
    """A location that may not be read; the message says why."""


@dataclass(frozen=True)
class LocationPolicy:
    """What locations may be read, from settings (see `policy_from_settings`)."""

    storage_roots: dict[str, Path]
    allow_http: bool = False
    allowed_networks: tuple[Network, ...] = ()
    max_redirects: int = 3
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_seconds: float = 600.0
    max_bytes: int = 50 * 1024**3
    max_shards: int = 100_000
    s3_options: dict[str, Any] = field(default_factory=dict)
    # The machine's own credentials (environment, config files, the metadata address): only
    # when an operator says so (`S3_ALLOW_INSTANCE_CREDENTIALS`).
    s3_allow_instance_credentials: bool = False


@dataclass(frozen=True)
class Scope:
    """Where a location may lead once resolved: `allows(location)` answers for a resolved
    location (`root:path`, `s3://bucket/key`, a URL); `name` says whose, in refusals."""

    allows: Callable[[str], bool]
    name: str


@dataclass(frozen=True)
class Shard:
    """One file of an asset's location: what a worker profiles (or reads as licence evidence)."""

    location: str
    name: str
    size: int | None
    role: str  # "data" or "evidence"


# --- addresses ---------------------------------------------------------------------------------


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    if ip.teredo is not None:
        return ip.teredo[1], "Teredo"
    # IPv4-compatible (deprecated) ::a.b.c.d
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip)), "IPv4-compatible"
    return None


def address_refusal(ip: IPAddress, policy: LocationPolicy | None = None) -> str | None:
    """Why `ip` may not be connected to, or None when it may."""
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL:
            return "a local-use NAT64 address"
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner, form = embedded
            reason = address_refusal(inner, policy)
            return f"{form} form of {inner}, {reason}" if reason else None
    if policy and any(ip in net for net in policy.allowed_networks):
        return None
    checks: list[tuple[bool, str]] = [
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT, "a carrier-grade NAT address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "a non-public address"),
    ]
    return next((reason for refused, reason in checks if refused), None)


def resolve_host(host: str, port: int, policy: LocationPolicy) -> IPAddress:
    """Resolve `host` once and return the first address, refusing the host if any is refused."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise LocationError(f"host {host!r} does not resolve: {exc.strerror}") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for ip in addresses:
        reason = address_refusal(ip, policy)
        if reason:
            raise LocationError(f"host {host!r} resolves to {ip}, {reason}: refused")
    return addresses[0]


def _url_form(url: str, policy: LocationPolicy) -> tuple[str, str, int]:
    """Check a URL's form without resolving it; returns (scheme, host, port)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "http" and not policy.allow_http:
        raise LocationError(f"{url!r}: plain http is not allowed (use https)")
    if scheme not in {"http", "https"}:
        raise LocationError(f"{url!r}: unsupported scheme {scheme!r}")
    if not parts.hostname:
        raise LocationError(f"{url!r}: no host")
    if parts.username or parts.password:
        raise LocationError(f"{url!r}: credentials in URLs are not accepted")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise LocationError(f"{url!r}: {exc}") from exc
    return scheme, parts.hostname, port


def check_url(url: str, policy: LocationPolicy) -> tuple[str, str, int, IPAddress]:
    """Check a URL's scheme and address; returns (scheme, host, port, address to connect to)."""
    scheme, host, port = _url_form(url, policy)
    return scheme, host, port, resolve_host(host, port, policy)


# --- HTTP --------------------------------------------------------------------------------------


class CappedStream(io.RawIOBase):
    """A response body that stops at a byte cap and a deadline."""

    def __init__(self, response: Any, url: str, policy: LocationPolicy) -> None:
        self._response = response
        self._url = url
        self._left = policy.max_bytes
        self._deadline = time.monotonic() + policy.max_seconds
        self._policy = policy

    def _check_deadline(self) -> None:
        if time.monotonic() > self._deadline:
            raise LocationError(f"{self._url!r}: took longer than {self._policy.max_seconds:g} s")

    def read(self, size: int = -1) -> bytes:
        self._check_deadline()
        amount = min(1024 * 1024 if size is None or size < 0 else size, self._left + 1)
        # read1 returns what one receive gives, so a server dripping bytes cannot hold a read
        # past the deadline (read_timeout bounds a silent one)
        pieces: list[bytes] = []
        got = 0
        try:
            while got < amount:
                piece: bytes = self._response.read1(amount - got)
                if not piece:
                    break
                pieces.append(piece)
                got += len(piece)
                self._check_deadline()
        except urllib3.exceptions.HTTPError as exc:  # broken connection, read timeout: transient
            raise OSError(f"{self._url!r}: {exc}") from exc
        data = b"".join(pieces)
        self._left -= len(data)
        if self._left < 0:
            raise LocationError(f"{self._url!r}: larger than {self._policy.max_bytes} bytes")
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._response.release_conn()
            self._response.close()
        super().close()

    def __enter__(self) -> "CappedStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_url(url: str, policy: LocationPolicy, method: str = "GET") -> CappedStream:
    """Open `url`, checking every hop's address before connecting to it."""
    for _ in range(policy.max_redirects + 1):
        scheme, host, port, ip = check_url(url, policy)
        timeout = urllib3.Timeout(connect=policy.connect_timeout, read=policy.read_timeout)
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                str(ip),
                port,
                timeout=timeout,
                retries=False,
                server_hostname=host,
                assert_hostname=host,
                cert_reqs="CERT_REQUIRED",
            )
        else:
            pool = urllib3.HTTPConnectionPool(str(ip), port, timeout=timeout, retries=False)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = 443 if scheme == "https" else 80
        headers = {"Host": host if port == default_port else f"{host}:{port}"}
        try:
            response = pool.urlopen(
                method, target, headers=headers, redirect=False, preload_content=False
            )
        except urllib3.exceptions.HTTPError as exc:
            raise LocationError(f"{url!r}: {exc}") from exc
        if response.status in {301, 302, 303, 307, 308}:
            location = response.headers.get("Location", "")
            response.release_conn()
            if not location:
                raise LocationError(f"{url!r}: redirect without a Location header")
            url = urljoin(url, location)
            continue
        if response.status != 200:
            response.release_conn()
            raise LocationError(f"{url!r}: HTTP {response.status}")
        return CappedStream(response, url, policy)
    raise LocationError(f"more than {policy.max_redirects} redirects")


# --- local paths -------------------------------------------------------------------------------


def _split_local(location: str, policy: LocationPolicy) -> tuple[str, Path, str]:
    name, sep, relative = location.partition(":")
    roots = ", ".join(sorted(policy.storage_roots)) or "none configured"
    if not sep or name not in policy.storage_roots:
        raise LocationError(
            f"{location!r} is not in a storage root: local files are written "
            f"root:relative/path (roots: {roots})"
        )
    if not relative or relative.startswith("/"):
        raise LocationError(f"{location!r}: the path after '{name}:' must be relative")
    if ".." in PurePosixPath(relative).parts:
        raise LocationError(f"{location!r}: '..' is not allowed in a location")
    if "\x00" in relative:
        raise LocationError(f"{location!r}: NUL byte in path")
    return name, policy.storage_roots[name].resolve(), relative


def _inside(resolved: Path, root: Path, shown: str, scope: Scope | None) -> Path:
    if resolved != root and root not in resolved.parents:
        raise LocationError(f"{shown!r} leaves its storage root (through a symlink)")
    if scope is not None:
        name = shown.partition(":")[0]
        if not scope.allows(f"{name}:{resolved.relative_to(root).as_posix()}"):
            raise LocationError(f"{shown!r} leads outside {scope.name} (through a symlink)")
    return resolved


def _leads(path: Path, root: Path, shown: str, scope: Scope | None, *, steps: bool) -> Path:
    """`path` resolved and checked to stay inside `root` and `scope`, with `steps` every symlink
    on the way too, before anything is said of what exists there: a refusal is the same whether
    or not the files it points at exist."""
    if scope is not None and steps:
        step = root
        for part in path.relative_to(root).parts:
            step = step / part
            if step.is_symlink():
                _inside(step.resolve(), root, shown, scope)
            elif not step.exists():
                break  # nothing below a missing component is resolved any further
    return _inside(path.resolve(), root, shown, scope)


def _contained(
    path: Path, root: Path, shown: str, scope: Scope | None = None, *, steps: bool = True
) -> Path:
    """`path` resolved, inside `root` (and `scope`), an existing regular file or directory."""
    resolved = _leads(path, root, shown, scope, steps=steps)
    try:
        mode = resolved.stat().st_mode
    except FileNotFoundError as exc:
        raise LocationError(f"{shown!r} does not exist") from exc
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise LocationError(f"{shown!r} is not a regular file or directory")
    return resolved


def _role(name: str) -> str:
    """`evidence` for a licence/README file (`inventory.formats.is_evidence`), else `data`."""
    return "evidence" if is_evidence(name) else "data"


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as entries:
            return sorted(entries, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _glob(
    root: Path, name: str, directory: PurePosixPath, parts: tuple[str, ...], scope: Scope | None
) -> Iterator[PurePosixPath]:
    """Paths (relative to `root`) below the checked `directory` matching `parts`: `*`, `?` and
    `[…]` within one component, `**` any number of directories (not through symlinks). Every
    entry a pattern matches is checked before it is looked into."""
    if not parts:
        yield directory
        return
    head, rest = parts[0], parts[1:]
    base = root / directory
    if head == "**":
        yield from _glob(root, name, directory, rest, scope)
        for entry in _entries(base):
            if entry.is_dir(follow_symlinks=False):
                yield from _glob(root, name, directory / entry.name, parts, scope)
        return
    if GLOB_CHARS & set(head):
        names = [e.name for e in _entries(base) if fnmatch.fnmatchcase(e.name, head)]
    else:
        names = [head]
    for entry_name in names:
        relative = directory / entry_name
        if not os.path.lexists(root / relative):
            continue
        resolved = _leads(root / relative, root, f"{name}:{relative}", scope, steps=True)
        if not rest:
            yield relative
        elif resolved.is_dir():
            yield from _glob(root, name, relative, rest, scope)


def _list_local(location: str, policy: LocationPolicy, scope: Scope | None) -> list[Shard]:
    name, root, relative = _split_local(location, policy)
    parts = tuple(p for p in PurePosixPath(relative).parts if p != ".")
    first_glob = next((i for i, p in enumerate(parts) if GLOB_CHARS & set(p)), None)
    if first_glob is not None:
        # The literal directory is checked first: a pattern never looks outside its scope.
        start = PurePosixPath(*parts[:first_glob])
        _leads(root / start, root, f"{name}:{start}", scope, steps=True)
        matches = sorted(dict.fromkeys(_glob(root, name, start, parts[first_glob:], scope)))
        if not matches:
            raise LocationError(f"{location!r} matches no file")
        candidates = [(root / match, f"{name}:{match}") for match in matches]
    else:
        candidates = [(root / relative, location)]
    files: list[Path] = []
    for candidate, shown in candidates:
        resolved = _contained(candidate, root, shown, scope)
        if resolved.is_dir():
            for dirpath, dirnames, filenames in os.walk(resolved):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for filename in sorted(filenames):
                    if filename.startswith("."):
                        continue
                    path = Path(dirpath) / filename
                    shown = f"{name}:{path.relative_to(root)}"
                    # os.walk descends real directories only: the file is the one link left.
                    files.append(_contained(path, root, shown, scope, steps=False))
        else:
            files.append(resolved)
        if len(files) > policy.max_shards:
            raise LocationError(f"{location!r} has more than {policy.max_shards} files")
    shards = []
    for path in dict.fromkeys(files):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        shards.append(Shard(f"{name}:{rel}", rel, path.stat().st_size, _role(rel)))
    if not any(s.role == "data" for s in shards):
        raise LocationError(f"{location!r} holds no data file")
    return shards


# --- S3 ----------------------------------------------------------------------------------------


def _check_s3_credentials(policy: LocationPolicy) -> None:
    """Refuse, before any connection, to let s3fs find credentials by itself: its chain ends at
    the cloud metadata address, whose instance credentials are the machine's, not a tenant's."""
    options = policy.s3_options
    if options.get("anon") or policy.s3_allow_instance_credentials:
        return
    if not (options.get("key") and options.get("secret")):
        raise LocationError(
            "s3:// locations need S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or S3_ANONYMOUS "
            "for public buckets); the machine's instance credentials are not used unless "
            "S3_ALLOW_INSTANCE_CREDENTIALS is set"
        )


def _s3(policy: LocationPolicy) -> Any:
    _check_s3_credentials(policy)
    try:
        import s3fs
    except ImportError as exc:  # an optional extra: pip install .[s3]
        raise LocationError("s3:// locations need the s3fs package (pip install '.[s3]')") from exc
    return s3fs.S3FileSystem(**policy.s3_options)


def _list_s3(location: str, policy: LocationPolicy, scope: Scope | None) -> list[Shard]:
    parts = urlsplit(location)
    if not parts.netloc:
        raise LocationError(f"{location!r}: no bucket")
    fs = _s3(policy)
    path = f"{parts.netloc}{parts.path}".rstrip("/")
    try:
        if GLOB_CHARS & set(path):
            found = {p: fs.info(p) for p in fs.glob(path)}
        elif fs.isfile(path):
            found = {path: fs.info(path)}
        else:
            found = fs.find(path, detail=True)
    except (OSError, ValueError) as exc:
        raise LocationError(f"{location!r}: {exc}") from exc
    # Objects outside the scope are not listed (a listing's prefix is not a directory).
    shards = [
        Shard(f"s3://{key}", key, info.get("size"), _role(key))
        for key, info in sorted(found.items())
        if info.get("type", "file") == "file" and (scope is None or scope.allows(f"s3://{key}"))
    ]
    if not shards:
        raise LocationError(f"{location!r} holds no object")
    if len(shards) > policy.max_shards:
        raise LocationError(f"{location!r} has more than {policy.max_shards} objects")
    return shards


# --- the public doors --------------------------------------------------------------------------


def kind_of(location: str) -> str:
    scheme = urlsplit(location).scheme.lower() if "://" in location else ""
    if scheme in {"http", "https"}:
        return "url"
    if scheme == "s3":
        return "s3"
    if scheme:
        raise LocationError(
            f"{location!r}: unsupported scheme {scheme!r} (use root:path, s3://, https://)"
        )
    return "local"


def check_form(location: str, policy: LocationPolicy) -> str:
    """Check what can be checked of `location` without any I/O (its form, its storage root, its
    scheme); returns its kind (`local`, `s3`, `url`)."""
    location = location.strip()
    if not location:
        raise LocationError("empty location")
    kind = kind_of(location)
    if kind == "local":
        _split_local(location, policy)
    elif kind == "s3":
        if not urlsplit(location).netloc:
            raise LocationError(f"{location!r}: no bucket")
    else:
        _url_form(location, policy)
    return kind


def list_shards(location: str, policy: LocationPolicy, scope: Scope | None = None) -> list[Shard]:
    """Check `location` and list its files; raises LocationError with the reason. With a
    `scope`, every file must lie inside it once resolved (symlinks followed)."""
    location = location.strip()
    kind = check_form(location, policy)
    if kind == "local":
        return _list_local(location, policy, scope)
    if kind == "s3":
        return _list_s3(location, policy, scope)
    check_url(location, policy)
    name = PurePosixPath(urlsplit(location).path).name or urlsplit(location).hostname or ""
    return [Shard(location, name, None, _role(name))]


def open_shard(location: str, policy: LocationPolicy) -> IO[bytes]:
    """Open one shard for reading, re-checking it as at registration."""
    kind = kind_of(location)
    if kind == "local":
        _, root, relative = _split_local(location, policy)
        if GLOB_CHARS & set(relative):
            raise LocationError(f"{location!r}: a shard is one file, not a pattern")
        path = _contained(root / relative, root, location)
        if not path.is_file():
            raise LocationError(f"{location!r} is not a file")
        # O_NOFOLLOW|O_NONBLOCK guard against a swap to a symlink or FIFO after the check.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise LocationError(f"{location!r} is not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    if kind == "s3":
        parts = urlsplit(location)
        handle: IO[bytes] = _s3(policy).open(f"{parts.netloc}{parts.path}", "rb")
        return handle
    return cast(IO[bytes], open_url(location, policy))  # a raw binary stream, read-only


def opener(location: str, policy: LocationPolicy) -> Callable[[], IO[bytes]]:
    """A zero-argument opener for the profiling engine."""
    return lambda: open_shard(location, policy)


def policy_from_settings() -> LocationPolicy:
    """The policy configured in Django settings (read at call time, so tests may override)."""
    from django.conf import settings

    return LocationPolicy(
        storage_roots=dict(settings.STORAGE_ROOTS),
        allow_http=settings.LOCATIONS_ALLOW_HTTP,
        allowed_networks=tuple(
            ipaddress.ip_network(n, strict=False) for n in settings.LOCATIONS_ALLOWED_NETWORKS
        ),
        max_redirects=settings.LOCATIONS_MAX_REDIRECTS,
        max_seconds=settings.LOCATIONS_MAX_SECONDS,
        max_bytes=settings.LOCATIONS_MAX_BYTES,
        s3_options=dict(settings.S3_OPTIONS),
        s3_allow_instance_credentials=settings.S3_ALLOW_INSTANCE_CREDENTIALS,
    )


def local_stat(location: str, policy: LocationPolicy) -> os.stat_result | None:
    """The checked file's stat for a local shard (size and modification time for caches);
    None for remote locations."""
    if kind_of(location) != "local":
        return None
    _, root, relative = _split_local(location, policy)
    return _contained(root / relative, root, location).stat()
