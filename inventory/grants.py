"""Storage grants, pure: where a location or a grant points, whether a grant covers a location,
whether two locations overlap, and which grants today's assets need. No Django: strings in,
frozen answers out.

A place is a kind (`root`, `s3`, `https`), a storage root's name (kind `root` only) and path
components, the bucket or host first for `s3` and `https`. Comparisons are made on whole
components: `corpus` covers `corpus/news.jsonl` but not `corpus-2`. A glob's place is its literal
part (the components before the first one with `*`, `?` or `[`): whatever it matches lies below.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

ROOT, S3, HTTPS = "root", "s3", "https"
KINDS = (ROOT, S3, HTTPS)
GLOB_CHARS = frozenset("*?[")
DEFAULT_PORTS = {"https": 443, "http": 80}


class GrantError(ValueError):
    """A grant prefix or a location that cannot be placed; the message says why."""


@dataclass(frozen=True)
class Place:
    """Where a grant or a location points, normalised for comparison."""

    kind: str
    root: str
    parts: tuple[str, ...]
    glob: bool = False

    @property
    def prefix(self) -> str:
        """The parts as a grant prefix: `dir/sub`, `bucket/key`, `host/path`."""
        return "/".join(self.parts)

    def __str__(self) -> str:
        if self.kind == ROOT:
            return f"{self.root}:{self.prefix or '.'}"
        return f"{self.kind}://{self.prefix}"

    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.kind, self.root, self.parts)


def _has_glob(part: str) -> bool:
    return bool(GLOB_CHARS & set(part))


def _literal(parts: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """The components before the first glob component, and whether there was one."""
    for index, part in enumerate(parts):
        if _has_glob(part):
            return tuple(parts[:index]), True
    return tuple(parts), False


def _path_parts(path: str, shown: str, *, literal_keys: bool = False) -> list[str]:
    """Components of a slash-separated path: `.` and empty ones dropped, `..` and NUL refused.
    With `literal_keys` (S3 keys, where `a/./b` and `a//b` name other objects than `a/b`) `.`
    and inner empty components are refused too."""
    if "\x00" in path:
        raise GrantError(f"{shown!r}: NUL byte in path")
    raw = path.split("/")
    if literal_keys and ("." in raw or "" in raw[1:-1]):
        raise GrantError(f"{shown!r}: '.' and empty components ('//') are not allowed in a key")
    parts = [part for part in raw if part not in ("", ".")]
    if ".." in parts:
        raise GrantError(f"{shown!r}: '..' is not allowed")
    return parts


def _host(netloc_host: str, port: int | None, scheme: str, shown: str) -> str:
    """A host as compared: lower case, IDNA (punycode), no trailing dot, a port only when it is
    not the scheme's default."""
    host = netloc_host.strip().rstrip(".").lower()
    if not host:
        raise GrantError(f"{shown!r}: no host")
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    else:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise GrantError(f"{shown!r}: invalid host name") from exc
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return host


def _url_parts(url: str, shown: str) -> list[str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if parts.username is not None or parts.password is not None:
        raise GrantError(f"{shown!r}: credentials in URLs are not accepted")
    try:
        port = parts.port
    except ValueError as exc:
        raise GrantError(f"{shown!r}: {exc}") from exc
    host = _host(parts.hostname or "", port, scheme, shown)
    # Servers decode %2e, some %2f, some treat a backslash as a slash: compare what they see,
    # and refuse what servers disagree on.
    if "\\" in parts.path or any(e in parts.path.lower() for e in ("%2f", "%5c")):
        raise GrantError(f"{shown!r}: backslashes and encoded slashes are not accepted in a path")
    path_parts = _path_parts(unquote(parts.path), shown)
    if any(unquote(part) in (".", "..") for part in path_parts):
        raise GrantError(f"{shown!r}: '..' is not allowed")
    return [host, *path_parts]


def normalize_prefix(kind: str, prefix: str) -> str:
    """A grant's prefix in its one stored form: no leading or trailing slash, no `.` or empty
    components, no `..` or glob characters; for `s3` the bucket first (lower case), for `https`
    the host first (lower case, IDNA, `:port` unless 443). `root` and `s3` accept no scheme;
    `s3://` and `https://` are stripped when given."""
    text = prefix.strip()
    if kind == ROOT:
        parts = _path_parts(text, prefix)
    elif kind == S3:
        if text.lower().startswith("s3://"):
            text = text[5:]
        parts = _path_parts(text, prefix)
        if not parts:
            raise GrantError(f"{prefix!r}: an S3 grant names at least a bucket")
        parts[0] = parts[0].lower()
    elif kind == HTTPS:
        if "://" not in text:
            text = f"https://{text}"
        elif urlsplit(text).scheme.lower() not in DEFAULT_PORTS:
            raise GrantError(f"{prefix!r}: an https grant is written host/path")
        if urlsplit(text).query or urlsplit(text).fragment:
            raise GrantError(f"{prefix!r}: a grant is a host and path, without '?' or '#'")
        parts = _url_parts(text, prefix)
    else:
        raise GrantError(f"unknown grant kind {kind!r} (one of {', '.join(KINDS)})")
    if any(_has_glob(part) for part in parts):
        raise GrantError(f"{prefix!r}: a grant prefix has no glob characters (* ? [)")
    return "/".join(parts)


def grant_place(kind: str, root: str, prefix: str) -> Place:
    """The place of a grant (its prefix normalised)."""
    normalized = normalize_prefix(kind, prefix)
    return Place(
        kind, root if kind == ROOT else "", tuple(normalized.split("/") if normalized else ())
    )


def stored_place(kind: str, root: str, prefix: str) -> Place:
    """The place of a grant whose prefix is stored normalised (no normalising again)."""
    return Place(kind, root, tuple(prefix.split("/")) if prefix else ())


def place_of(location: str) -> Place:
    """The place of an asset's location: `root:relative/path`, `s3://bucket/key`,
    `https://host/path` (and `http://`, compared as the same host and path)."""
    text = location.strip()
    if "://" in text:
        scheme = urlsplit(text).scheme.lower()
        if scheme == "s3":
            parts = urlsplit(text)
            if not parts.netloc:
                raise GrantError(f"{location!r}: no bucket")
            if parts.query or parts.fragment:
                raise GrantError(f"{location!r}: an S3 location has no '?' or '#'")
            bucket = parts.netloc.lower()
            keys = _path_parts(parts.path, location, literal_keys=True)
            literal, glob = _literal([bucket, *keys])
            return Place(S3, "", literal, glob)
        if scheme in DEFAULT_PORTS:
            # A URL names one resource: glob characters in it are characters, not patterns.
            return Place(HTTPS, "", tuple(_url_parts(text, location)))
        raise GrantError(f"{location!r}: unsupported scheme {scheme!r}")
    name, sep, relative = text.partition(":")
    if not sep or not name:
        raise GrantError(f"{location!r}: local files are written root:relative/path")
    if relative.startswith("/"):
        raise GrantError(f"{location!r}: the path after '{name}:' must be relative")
    literal, glob = _literal(_path_parts(relative, location))
    return Place(ROOT, name, literal, glob)


def covers(grant: Place, place: Place) -> bool:
    """Whether `place` (a location's) lies at or below `grant`, component by component."""
    return (
        grant.kind == place.kind
        and grant.root == place.root
        and place.parts[: len(grant.parts)] == grant.parts
    )


def overlaps(a: Place, b: Place) -> bool:
    """Whether two places share anything: identical, or one a component prefix of the other."""
    if (a.kind, a.root) != (b.kind, b.root):
        return False
    n = min(len(a.parts), len(b.parts))
    return a.parts[:n] == b.parts[:n]


class PlaceIndex:
    """Places to test many others against for overlap, in time proportional to path depth."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._exact: set[tuple[str, str, tuple[str, ...]]] = set()
        self._above: set[tuple[str, str, tuple[str, ...]]] = set()
        for place in places:
            self._exact.add(place.key())
            for n in range(len(place.parts) + 1):
                self._above.add((place.kind, place.root, place.parts[:n]))

    def overlaps(self, place: Place) -> bool:
        """Whether `place` overlaps any indexed place."""
        if place.key() in self._above:  # an indexed place lies at or below it
            return True
        return any(
            (place.kind, place.root, place.parts[:n]) in self._exact
            for n in range(len(place.parts))
        )


def overlapping_pairs(items: Sequence[tuple[str, Place]]) -> list[tuple[int, int]]:
    """Index pairs (i < j) of items whose owners differ and whose places overlap."""
    by_key: dict[tuple[str, str, tuple[str, ...]], list[int]] = {}
    for index, (_, place) in enumerate(items):
        by_key.setdefault(place.key(), []).append(index)
    pairs: set[tuple[int, int]] = set()
    for j, (owner, place) in enumerate(items):
        for n in range(len(place.parts) + 1):
            for i in by_key.get((place.kind, place.root, place.parts[:n]), ()):
                if i != j and items[i][0] != owner:
                    pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


# --- grants for what is already registered -----------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """A live asset's location, as the migration and the report see it."""

    owner: str
    location: str
    # True for a directory, False for a file, None when unknown (remote, or missing).
    is_directory: bool | None = None


@dataclass(frozen=True)
class PlannedGrant:
    owner: str
    place: Place


@dataclass(frozen=True)
class Conflict:
    """Organisations whose narrowest grants would overlap: each got its own locations only;
    `still_overlapping` when even those overlap (a decision for staff)."""

    owners: tuple[str, ...]
    places: tuple[str, ...]
    still_overlapping: bool

    def __str__(self) -> str:
        what = (
            "their own locations still overlap: decide in the admin"
            if self.still_overlapping
            else "each granted its own locations only"
        )
        return (
            f"storage grant conflict: {', '.join(self.owners)} at {', '.join(self.places)}: {what}"
        )


@dataclass(frozen=True)
class GrantPlan:
    grants: tuple[PlannedGrant, ...]
    conflicts: tuple[Conflict, ...]
    skipped: tuple[str, ...]


def _looks_like_file(last: tuple[str, ...]) -> bool:
    """A guess for a location that cannot be looked at: a name with a suffix is a file."""
    return bool(last) and "." in last[0].strip(".")


def exact_place(place: Place) -> Place:
    """A location's own place as a grant (a glob's literal directory)."""
    return Place(place.kind, place.root, place.parts)


def narrowest_place(place: Place, is_directory: bool | None) -> Place:
    """The grant a holding needs: a directory (or a glob's literal directory) itself, a file's
    parent directory; never a whole root, bucket or host for a file at its top, which gets the
    file itself. Where the holding could not be looked at, a URL is a file, and otherwise a name
    with a suffix is one."""
    if place.glob:
        return exact_place(place)
    if is_directory is None:
        is_directory = place.kind != HTTPS and not _looks_like_file(place.parts[-1:])
    if is_directory:
        return place
    top = 0 if place.kind == ROOT else 1  # a bucket or host is the top of its kind
    if len(place.parts) - 1 <= top:
        return place
    return Place(place.kind, place.root, place.parts[:-1])


def plan_grants(holdings: Sequence[Holding]) -> GrantPlan:
    """Grants for today's holdings: each owner its narrowest places; where two owners' places
    would overlap, those owners get their holdings' own places instead, and a conflict is
    reported (still overlapping when even those overlap). Never guesses an owner."""
    placed: list[tuple[Holding, Place]] = []
    skipped: list[str] = []
    for holding in holdings:
        try:
            placed.append((holding, place_of(holding.location)))
        except GrantError as exc:
            skipped.append(f"{holding.owner}: {exc}: no grant")
    narrow = [(h.owner, narrowest_place(p, h.is_directory)) for h, p in placed]
    clashing = {i for pair in overlapping_pairs(narrow) for i in pair}
    final = [
        (owner, exact_place(placed[i][1]) if i in clashing else place)
        for i, (owner, place) in enumerate(narrow)
    ]
    still = {i for pair in overlapping_pairs(final) for i in pair}
    conflicts = _group_conflicts(narrow, clashing, final, still)
    grants = tuple(dict.fromkeys(PlannedGrant(owner, place) for owner, place in final))
    return GrantPlan(grants, conflicts, tuple(skipped))


def _group_conflicts(
    narrow: Sequence[tuple[str, Place]],
    clashing: set[int],
    final: Sequence[tuple[str, Place]],
    still: set[int],
) -> tuple[Conflict, ...]:
    """Clashing holdings grouped by overlap (connected components), one conflict each."""
    parent = list(range(len(narrow)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in overlapping_pairs(narrow):
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in sorted(clashing):
        groups.setdefault(find(i), []).append(i)
    conflicts = []
    for members in groups.values():
        owners = tuple(sorted({narrow[i][0] for i in members}))
        places = tuple(sorted({str(final[i][1]) for i in members}))
        conflicts.append(Conflict(owners, places, any(i in still for i in members)))
    return tuple(sorted(conflicts, key=lambda c: (c.places, c.owners)))


def first_uncovered(grants: Sequence[Place], places: Iterable[Place]) -> Place | None:
    """The first of `places` no grant covers, or None."""
    return next((p for p in places if not any(covers(g, p) for g in grants)), None)


Predicate = Callable[[str], bool]


def allows(grants: Sequence[Place]) -> Predicate:
    """A predicate for resolved locations (`inventory.locations.Scope`): True when a grant
    covers it; a location that cannot be placed is not allowed."""

    def allowed(location: str) -> bool:
        try:
            place = place_of(location)
        except GrantError:
            return False
        return any(covers(grant, place) for grant in grants)

    return allowed
