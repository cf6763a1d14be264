"""Storage grants: an organisation registers assets only from storage it was granted, and never
over another organisation's live asset. Refusals say nothing of what lies outside the grants."""

import importlib
import json
import socket
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from inventory import grants, services
from inventory.grants import GrantError, Holding, Place, normalize_prefix, place_of, plan_grants
from inventory.locations import LocationError, LocationPolicy, list_shards
from inventory.models import Asset, StorageGrant
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, UserFactory

# --- the pure rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "place"),
    [
        ("test:.", Place("root", "test", ())),
        ("test:./knls//news.jsonl", Place("root", "test", ("knls", "news.jsonl"))),
        ("test:knls/sub/", Place("root", "test", ("knls", "sub"))),
        ("test:knls/*.jsonl", Place("root", "test", ("knls",), glob=True)),
        ("test:*/news.jsonl", Place("root", "test", (), glob=True)),
        ("s3://Corpora/news/part-0.jsonl", Place("s3", "", ("corpora", "news", "part-0.jsonl"))),
        ("s3://corpora/news/", Place("s3", "", ("corpora", "news"))),
        ("https://Data.Example.ORG:443/pub/a.txt?x=1",
         Place("https", "", ("data.example.org", "pub", "a.txt"))),
        ("http://example.org:80/pub", Place("https", "", ("example.org", "pub"))),
        ("https://example.org:8443/pub", Place("https", "", ("example.org:8443", "pub"))),
        ("https://bücher.example/x", Place("https", "", ("xn--bcher-kva.example", "x"))),
        ("https://example.org/pub/./a%2Etxt", Place("https", "", ("example.org", "pub", "a.txt"))),
        ("https://[::1]/x", Place("https", "", ("[::1]", "x"))),
    ],
)  # fmt: skip
def test_locations_are_placed_in_one_normal_form(location: str, place: Place) -> None:
    assert place_of(location) == place


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("test:knls/../kbc", "'..' is not allowed"),
        ("test:/etc", "must be relative"),
        ("nocolon", "local files are written root:relative/path"),
        ("s3://corpora/a//b", "empty components ('//') are not allowed in a key"),
        ("s3://corpora/./b", "'.' and empty components"),
        ("s3:///news", "no bucket"),
        ("https://example.org/pub/%2e%2e/private", "'..' is not allowed"),
        ("https://example.org/pub/%252e%252e/private", "'..' is not allowed"),
        ("https://example.org/pub%2Fprivate", "encoded slashes are not accepted"),
        ("https://example.org/pub\\private", "backslashes"),
        ("https://user:pw@example.org/x", "credentials in URLs are not accepted"),
        ("ftp://example.org/x", "unsupported scheme 'ftp'"),
    ],
)
def test_locations_that_cannot_be_placed_are_refused(location: str, message: str) -> None:
    with pytest.raises(GrantError, match=message.replace("(", r"\(").replace(")", r"\)")):
        place_of(location)


@pytest.mark.parametrize(
    ("kind", "prefix", "normalized"),
    [
        ("root", "", ""),
        ("root", "/knls//sub/./", "knls/sub"),
        ("s3", "s3://Corpora/news/", "corpora/news"),
        ("s3", "corpora", "corpora"),
        ("https", "https://Data.Example.org/pub/", "data.example.org/pub"),
        ("https", "data.example.org:8443", "data.example.org:8443"),
        ("https", "example.org:443/x", "example.org/x"),
    ],
)
def test_grant_prefixes_are_normalised(kind: str, prefix: str, normalized: str) -> None:
    assert normalize_prefix(kind, prefix) == normalized


@pytest.mark.parametrize(
    ("kind", "prefix", "message"),
    [
        ("root", "knls/../kbc", "'..' is not allowed"),
        ("root", "knls/*", "no glob characters"),
        ("s3", "", "names at least a bucket"),
        ("https", "example.org/x?y=1", "without '?' or '#'"),
        ("https", "ftp://example.org", "written host/path"),
        ("nfs", "x", "unknown grant kind 'nfs'"),
    ],
)
def test_bad_grant_prefixes_are_refused(kind: str, prefix: str, message: str) -> None:
    with pytest.raises(GrantError, match=message.replace("?", r"\?").replace("*", r"\*")):
        normalize_prefix(kind, prefix)


@pytest.mark.parametrize(
    ("grant", "location", "covered"),
    [
        (("root", "test", ""), "test:anything/at/all.jsonl", True),
        (("root", "test", ""), "test:.", True),
        (("root", "test", "knls"), "test:knls", True),
        (("root", "test", "knls"), "test:knls/news.jsonl", True),
        (("root", "test", "knls"), "test:knls-2/news.jsonl", False),
        (("root", "test", "knls"), "test:kn*/news.jsonl", False),
        (("root", "test", "knls"), "test:knls/*.jsonl", True),
        (("root", "test", "knls"), "test:*", False),
        (("root", "test", "knls"), "test:.", False),
        (("root", "test", "knls"), "other:knls/news.jsonl", False),
        (("root", "test", "knls/news.jsonl"), "test:knls/news.jsonl*", False),
        (("s3", "", "corpora/news"), "s3://corpora/news/part-0.jsonl", True),
        (("s3", "", "corpora/news"), "s3://corpora/newsletter", False),
        (("s3", "", "corpora/news"), "s3://corpora/*", False),
        (("s3", "", "corpora"), "s3://CORPORA/x", True),
        (("https", "", "data.example.org/knls"), "https://DATA.example.org/knls/x", True),
        (("https", "", "data.example.org/knls"), "https://data.example.org:8443/knls/x", False),
        (("https", "", "data.example.org/knls"), "https://data.example.org/kbc/x", False),
        (("https", "", "data.example.org"), "s3://data.example.org/x", False),
    ],
)
def test_a_grant_covers_locations_component_by_component(
    grant: tuple[str, str, str], location: str, covered: bool
) -> None:
    assert grants.covers(grants.grant_place(*grant), place_of(location)) is covered


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("test:knls/news.jsonl", "test:knls/news.jsonl", True),
        ("test:knls", "test:knls/news.jsonl", True),
        ("test:.", "test:knls/news.jsonl", True),
        ("test:knls/news.jsonl", "test:knls/news.jsonl.gz", False),
        ("test:knls", "test:knls-2", False),
        ("test:knls/*.jsonl", "test:knls/sub/a.txt", True),
        ("test:knls", "other:knls", False),
        ("s3://corpora/news", "s3://Corpora/news/a", True),
        ("https://example.org/a?x=1", "https://example.org/a?x=2", True),
        ("https://example.org/a", "s3://example.org/a", False),
    ],
)
def test_overlap_is_a_component_prefix_either_way(a: str, b: str, overlap: bool) -> None:
    assert grants.overlaps(place_of(a), place_of(b)) is overlap
    assert grants.overlaps(place_of(b), place_of(a)) is overlap
    assert grants.PlaceIndex([place_of(a)]).overlaps(place_of(b)) is overlap
    assert grants.PlaceIndex([place_of(b)]).overlaps(place_of(a)) is overlap


@pytest.mark.parametrize(
    ("location", "is_directory", "narrowest"),
    [
        ("test:knls/news/2024.jsonl", False, "test:knls/news"),
        ("test:knls/news", True, "test:knls/news"),
        ("test:knls/*.jsonl", None, "test:knls"),
        ("test:top.jsonl", False, "test:top.jsonl"),  # never the whole root for one file
        ("test:.", True, "test:."),
        ("test:knls/missing.jsonl", None, "test:knls"),
        ("test:knls/missing-dir", None, "test:knls/missing-dir"),
        ("s3://corpora/news/part-0.jsonl", None, "s3://corpora/news"),
        ("s3://corpora/news", None, "s3://corpora/news"),
        ("s3://corpora/top.jsonl", None, "s3://corpora/top.jsonl"),
        ("s3://corpora", None, "s3://corpora"),
        ("https://example.org/pub/a.jsonl", None, "https://example.org/pub"),
        ("https://example.org/a.jsonl", None, "https://example.org/a.jsonl"),
    ],
)
def test_the_narrowest_grant_for_a_holding(
    location: str, is_directory: bool | None, narrowest: str
) -> None:
    assert str(grants.narrowest_place(place_of(location), is_directory)) == narrowest


def test_plan_grants_gives_each_owner_its_own_locations_where_they_would_overlap() -> None:
    plan = plan_grants(
        [
            Holding("knls", "test:knls/news/2024.jsonl", False),
            Holding("knls", "test:knls/radio", True),
            Holding("knls", "test:shared/knls.jsonl", False),
            Holding("kbc", "test:shared/kbc.jsonl", False),
            Holding("kbc", "test:same.jsonl", False),
            Holding("tls", "test:same.jsonl", False),
            Holding("tls", "ftp://example.org/x", None),
        ]
    )

    assert [(g.owner, str(g.place)) for g in plan.grants] == [
        ("knls", "test:knls/news"),
        ("knls", "test:knls/radio"),
        ("knls", "test:shared/knls.jsonl"),
        ("kbc", "test:shared/kbc.jsonl"),
        ("kbc", "test:same.jsonl"),
        ("tls", "test:same.jsonl"),
    ]
    assert [str(c) for c in plan.conflicts] == [
        "storage grant conflict: kbc, tls at test:same.jsonl: their own locations still "
        "overlap: decide in the admin",
        "storage grant conflict: kbc, knls at test:shared/kbc.jsonl, test:shared/knls.jsonl: "
        "each granted its own locations only",
    ]
    assert plan.skipped == ("tls: 'ftp://example.org/x': unsupported scheme 'ftp': no grant",)


# --- registering through the API ---------------------------------------------------------------


@pytest.fixture
def libraries(storage_root: Path) -> dict[str, Any]:
    """Two organisations, each holding its own folder of the test root."""
    for folder, files in {
        "knls": ["news.jsonl", "radio/part-0.jsonl"],
        "kbc": ["secret-minutes.jsonl", "archive/tapes.jsonl"],
        "shared": ["radio/part-0.jsonl", "other.jsonl"],
    }.items():
        for name in files:
            path = storage_root / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text('{"text": "Habari"}\n', encoding="utf-8")
    knls = OrganizationFactory(slug="knls", storage=[("root", "test", "knls")])
    kbc = OrganizationFactory(slug="kbc", storage=[("root", "test", "kbc")])
    return {
        "root": storage_root,
        "knls": knls,
        "kbc": kbc,
        "steward": MembershipFactory(organization=knls).user,
        "kbc_steward": MembershipFactory(organization=kbc).user,
    }


def as_user(user: AbstractUser) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def register(user: AbstractUser, location: str, **changes: Any) -> Any:
    body = {
        "title": "Corpus",
        "location": location,
        "text_field": "text",
        "languages": ["sw"],
        "license": "CC-BY-4.0",
    } | changes
    return as_user(user).post("/api/v1/assets/", body, format="json")


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail the test if anything tries to open a socket connection or resolve a name."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"a network call was attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.django_db
def test_a_steward_registers_in_its_folder_but_not_in_another_organisations(
    libraries: dict[str, Any],
) -> None:
    own = register(libraries["steward"], "test:knls/news.jsonl")
    foreign = register(libraries["steward"], "test:kbc/secret-minutes.jsonl", title="Minutes")

    assert own.status_code == 201, own.content
    assert own.json()["organization"] == "knls"
    assert foreign.status_code == 400
    assert foreign.json() == {
        "location": ["'test:kbc/secret-minutes.jsonl' is not under a storage grant of 'knls'"]
    }
    assert list(Asset.objects.values_list("location", flat=True)) == ["test:knls/news.jsonl"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "location",
    [
        "test:kbc/secret-minutes.jsonl",
        "test:kbc/no-such-file.jsonl",
        "test:kbc",
        "test:kbc/archive",
        "test:kbc/*.jsonl",
        "test:kbc/**/*",
        "test:*/secret-minutes.jsonl",
        "test:k*/news.jsonl",
        "test:.",
        "test:./kbc",
    ],
)
def test_a_refusal_outside_the_grant_says_nothing_of_what_is_there(
    libraries: dict[str, Any], location: str
) -> None:
    response = register(libraries["steward"], location)

    assert response.status_code == 400
    assert response.json() == {"location": [f"{location!r} is not under a storage grant of 'knls'"]}
    body = response.content.decode()
    for name in ("secret-minutes", "archive", "tapes", "does not exist", "matches no file"):
        assert name not in body.replace(location, "")
    assert Asset.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("location", "status", "message"),
    [
        ("test:./knls/news.jsonl", 201, None),
        ("test:knls/./radio/", 201, None),
        ("test:knls/*.jsonl", 201, None),
        ("test:knls/**/*.jsonl", 201, None),
        ("test:knls/..", 400, "'test:knls/..': '..' is not allowed in a location"),
        ("test:knls/../kbc/secret-minutes.jsonl", 400, "'..' is not allowed in a location"),
        ("test:knls/missing.jsonl", 400, "'test:knls/missing.jsonl' does not exist"),
        ("test:knls/*.parquet", 400, "'test:knls/*.parquet' matches no file"),
    ],
)
def test_dots_and_globs_inside_the_grant(
    libraries: dict[str, Any], location: str, status: int, message: str | None
) -> None:
    response = register(libraries["steward"], location)

    assert response.status_code == status, response.content
    if message:
        assert message in response.json()["location"][0]
        assert Asset.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("link", "target", "location"),
    [
        ("knls/minutes.jsonl", "../kbc/secret-minutes.jsonl", "test:knls/minutes.jsonl"),
        ("knls/probe.jsonl", "../kbc/no-such-file.jsonl", "test:knls/probe.jsonl"),
        ("knls/theirs", "../kbc", "test:knls/theirs"),
        ("knls/theirs", "../kbc", "test:knls/theirs/secret-minutes.jsonl"),
        ("knls/theirs", "../kbc", "test:knls/theirs/*.jsonl"),
        ("knls/theirs", "../kbc", "test:knls/th*/*.jsonl"),
        ("knls/theirs", "../kbc", "test:knls/*"),
        ("knls/absent", "../kbc/no-such-dir", "test:knls/absent/*.jsonl"),
    ],
)
def test_a_symlink_into_another_organisations_folder_is_refused(
    libraries: dict[str, Any], link: str, target: str, location: str
) -> None:
    (libraries["root"] / link).symlink_to(target)

    response = register(libraries["steward"], location)

    assert response.status_code == 400
    (message,) = response.json()["location"]
    assert message.endswith("leads outside the storage grants of 'knls' (through a symlink)")
    for leaked in ("kbc", "secret", "no-such"):  # beyond the location as given
        assert leaked not in message.replace(location, "")
    assert Asset.objects.count() == 0


@pytest.mark.django_db
def test_a_symlink_in_a_listed_directory_pointing_to_another_organisation_refuses_it(
    libraries: dict[str, Any],
) -> None:
    (libraries["root"] / "knls" / "radio" / "leak.jsonl").symlink_to(
        "../../kbc/secret-minutes.jsonl"
    )

    response = register(libraries["steward"], "test:knls/radio")

    assert response.status_code == 400
    assert response.json() == {
        "location": [
            "'test:knls/radio/leak.jsonl' leads outside the storage grants of 'knls' "
            "(through a symlink)"
        ]
    }


@pytest.mark.django_db
def test_a_symlink_that_stays_inside_the_grant_is_followed(libraries: dict[str, Any]) -> None:
    (libraries["root"] / "knls" / "alias.jsonl").symlink_to("news.jsonl")

    response = register(libraries["steward"], "test:knls/alias.jsonl")

    assert response.status_code == 201, response.content


@pytest.fixture
def shared(libraries: dict[str, Any]) -> dict[str, Any]:
    """Both organisations granted the `shared` folder; kbc's asset lives in `shared/radio`."""
    for organization in (libraries["knls"], libraries["kbc"]):
        services.grant_storage(organization=organization, kind="root", root="test", prefix="shared")
    libraries["radio"] = AssetFactory(organization=libraries["kbc"], location="test:shared/radio")
    return libraries


@pytest.mark.django_db
@pytest.mark.parametrize(
    "location",
    ["test:shared/radio", "test:shared/radio/part-0.jsonl", "test:shared", "test:./shared/*"],
)
def test_overlapping_another_organisations_live_asset_is_refused(
    shared: dict[str, Any], location: str
) -> None:
    response = register(shared["steward"], location)

    assert response.status_code == 400
    assert response.json() == {
        "location": [
            f"{location!r} overlaps a live asset of another organisation: storage is not shared"
        ]
    }
    assert Asset.objects.count() == 1


@pytest.mark.django_db
def test_beside_another_organisations_asset_is_allowed(shared: dict[str, Any]) -> None:
    response = register(shared["steward"], "test:shared/other.jsonl")

    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_overlapping_a_retired_asset_is_allowed(shared: dict[str, Any]) -> None:
    services.retire_asset(asset=shared["radio"], actor=shared["kbc_steward"])

    response = register(shared["steward"], "test:shared/radio")

    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_an_organisation_may_overlap_its_own_assets(shared: dict[str, Any]) -> None:
    first = register(shared["kbc_steward"], "test:shared/radio/part-0.jsonl", title="Part")
    second = register(shared["kbc_steward"], "test:shared", title="All")

    assert (first.status_code, second.status_code) == (201, 201)


@pytest.mark.django_db
def test_a_symlink_onto_another_organisations_asset_is_refused(shared: dict[str, Any]) -> None:
    (shared["root"] / "shared" / "mine.jsonl").symlink_to("radio/part-0.jsonl")

    response = register(shared["steward"], "test:shared/mine.jsonl")

    assert response.status_code == 400
    assert response.json() == {
        "location": [
            "'test:shared/mine.jsonl' overlaps a live asset of another organisation: "
            "storage is not shared"
        ]
    }


@pytest.mark.django_db
def test_moving_an_asset_is_checked_and_a_refusal_changes_nothing(
    libraries: dict[str, Any],
) -> None:
    created = register(libraries["steward"], "test:knls/news.jsonl").json()
    asset = Asset.objects.get(pk=created["id"])
    before = (asset.location, asset.updated_at, asset.history.count())
    client = as_user(libraries["steward"])

    refused = client.patch(
        f"/api/v1/assets/{asset.pk}/",
        {"location": "test:kbc/secret-minutes.jsonl", "title": "Moved"},
        format="json",
    )
    moved = client.patch(
        f"/api/v1/assets/{asset.pk}/", {"location": "test:knls/radio"}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json() == {
        "location": ["'test:kbc/secret-minutes.jsonl' is not under a storage grant of 'knls'"]
    }
    assert moved.status_code == 200, moved.content
    asset.refresh_from_db()
    assert asset.title == "Corpus"
    assert before[2] + 1 == asset.history.count()
    assert asset.location == "test:knls/radio"


@pytest.mark.django_db
def test_an_asset_registered_before_grants_keeps_working_until_it_moves(
    libraries: dict[str, Any],
) -> None:
    legacy = AssetFactory(organization=libraries["knls"], location="test:corpus/news.jsonl")

    renamed = as_user(libraries["steward"]).patch(
        f"/api/v1/assets/{legacy.pk}/",
        {"title": "Renamed", "location": "test:corpus/news.jsonl"},
        format="json",
    )

    assert renamed.status_code == 200, renamed.content


@pytest.mark.django_db
def test_staff_register_for_an_organisation_only_within_its_grants(
    libraries: dict[str, Any],
) -> None:
    staff = UserFactory(is_staff=True)
    OrganizationFactory(slug="ungranted", storage=[])

    ungranted = register(staff, "test:knls/news.jsonl", organization="ungranted")
    granted = register(staff, "test:knls/news.jsonl", organization="knls")

    assert ungranted.status_code == 400
    assert ungranted.json() == {
        "location": ["'test:knls/news.jsonl' is not under a storage grant of 'ungranted'"]
    }
    assert granted.status_code == 201, granted.content
    assert list(Asset.objects.values_list("organization__slug", flat=True)) == ["knls"]


@pytest.mark.django_db
def test_the_service_refuses_a_location_the_serializer_would_have(
    shared: dict[str, Any],
) -> None:
    """A door that skips the serializer (or a concurrent registration) meets the same rule."""
    with pytest.raises(services.StorageRefusal, match="overlaps a live asset"):
        services.register_asset(
            organization=shared["knls"],
            data={"title": "Race", "location": "test:shared/radio", "format": "jsonl"},
            registered_by=shared["steward"],
        )
    with pytest.raises(services.StorageRefusal, match="is not under a storage grant of 'knls'"):
        services.update_asset(
            asset=AssetFactory(organization=shared["knls"], location="test:knls/news.jsonl"),
            data={"location": "test:kbc"},
            actor=shared["steward"],
        )
    assert Asset.objects.filter(title="Race").count() == 0
    assert Asset.objects.filter(location="test:kbc").count() == 0


# --- S3 and HTTPS ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_s3_without_credentials_is_refused_before_connecting(
    libraries: dict[str, Any],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    no_connections: list[object],
) -> None:
    s3fs = pytest.importorskip("s3fs")

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("an S3 client was built")

    monkeypatch.setattr(s3fs, "S3FileSystem", never)
    settings.S3_OPTIONS = {"anon": False}
    services.grant_storage(organization=libraries["knls"], kind="s3", prefix="corpora/knls")

    outside = register(libraries["steward"], "s3://corpora/kbc/minutes.jsonl")
    inside = register(libraries["steward"], "s3://corpora/knls/news.jsonl")

    assert outside.json() == {
        "location": ["'s3://corpora/kbc/minutes.jsonl' is not under a storage grant of 'knls'"]
    }
    assert inside.status_code == 400
    assert inside.json() == {
        "location": [
            "s3:// locations need S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or S3_ANONYMOUS for "
            "public buckets); the machine's instance credentials are not used unless "
            "S3_ALLOW_INSTANCE_CREDENTIALS is set"
        ]
    }
    assert no_connections == []
    assert Asset.objects.count() == 0


@pytest.mark.parametrize(
    ("options", "allow", "refused"),
    [
        ({"anon": False}, False, True),
        ({"key": "k", "anon": False}, False, True),
        ({"secret": "s", "anon": False}, False, True),
        ({"key": "k", "secret": "s", "anon": False}, False, False),
        ({"anon": True}, False, False),
        ({"anon": False}, True, False),
    ],
)
def test_s3fs_is_built_only_with_credentials_or_when_an_operator_allows_the_machines(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_connections: list[object],
    options: dict[str, Any],
    allow: bool,
    refused: bool,
) -> None:
    s3fs = pytest.importorskip("s3fs")
    built: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> None:
        built.append(kwargs)
        raise LocationError("stopped before listing")

    monkeypatch.setattr(s3fs, "S3FileSystem", record)
    policy = LocationPolicy(
        storage_roots={"test": tmp_path}, s3_options=options, s3_allow_instance_credentials=allow
    )

    with pytest.raises(LocationError) as error:
        list_shards("s3://corpora/news", policy)

    assert ("instance credentials are not used" in str(error.value)) is refused
    assert built == ([] if refused else [options])
    assert no_connections == []


def test_the_setting_defaults_to_refusing_instance_credentials(settings: Any) -> None:
    from inventory.locations import policy_from_settings

    assert settings.S3_ALLOW_INSTANCE_CREDENTIALS is False
    settings.S3_ALLOW_INSTANCE_CREDENTIALS = True
    assert policy_from_settings().s3_allow_instance_credentials is True


@pytest.mark.django_db
def test_an_https_grant_covers_its_host_and_path_only(
    libraries: dict[str, Any], no_connections: list[object]
) -> None:
    services.grant_storage(
        organization=libraries["knls"], kind="https", prefix="https://93.184.216.34/knls/"
    )

    inside = register(libraries["steward"], "https://93.184.216.34/knls/news.jsonl")
    beside = register(libraries["steward"], "https://93.184.216.34/knls-archive/news.jsonl")
    other_port = register(libraries["steward"], "https://93.184.216.34:8443/knls/news.jsonl")
    dotted = register(libraries["steward"], "https://93.184.216.34/knls/%2e%2e/kbc/x.jsonl")

    assert inside.status_code == 201, inside.content
    assert beside.json()["location"][0].endswith("is not under a storage grant of 'knls'")
    assert other_port.json()["location"][0].endswith("is not under a storage grant of 'knls'")
    assert dotted.json()["location"][0].endswith("'..' is not allowed")
    assert no_connections == []


# --- granting ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_grant_storage_normalises_and_is_idempotent(libraries: dict[str, Any]) -> None:
    first = services.grant_storage(
        organization=libraries["knls"], kind="root", root="test", prefix="/knls//new/"
    )
    again = services.grant_storage(
        organization=libraries["knls"], kind="root", root="test", prefix="knls/new"
    )

    assert first.pk == again.pk
    assert first.prefix == "knls/new"
    with pytest.raises(ValidationError) as unknown:
        services.grant_storage(organization=libraries["knls"], kind="root", root="nope")
    assert unknown.value.message_dict == {"root": ["no storage root 'nope' (roots: test)"]}
    with pytest.raises(ValidationError) as dotted:
        services.grant_storage(organization=libraries["knls"], kind="s3", prefix="b/../c")
    assert dotted.value.message_dict == {"prefix": ["'b/../c': '..' is not allowed"]}
    with pytest.raises(ValidationError) as rooted:
        services.grant_storage(organization=libraries["knls"], kind="s3", root="test", prefix="b")
    assert rooted.value.message_dict == {"root": ["only a storage-root grant names a root, not s3"]}


@pytest.fixture
def staff_client(db: None) -> tuple[Client, AbstractUser]:
    staff = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client, staff


@pytest.mark.django_db
def test_staff_grant_storage_in_the_admin(
    libraries: dict[str, Any], staff_client: tuple[Client, AbstractUser]
) -> None:
    client, staff = staff_client
    url = "/admin/inventory/storagegrant/add/"
    form = {"organization": libraries["kbc"].pk, "kind": "root", "root": "test", "note": "deal"}

    created = client.post(url, form | {"prefix": "/knls//radio/"}, follow=True)
    unknown_root = client.post(url, form | {"root": "nope", "prefix": "x"})
    dotted = client.post(url, form | {"prefix": "kbc/../knls"})
    duplicate = client.post(url, form | {"prefix": "knls/radio"})

    assert created.status_code == 200
    grant = StorageGrant.objects.get(organization=libraries["kbc"], prefix="knls/radio")
    assert (grant.kind, grant.root, grant.granted_by, grant.note) == ("root", "test", staff, "deal")
    messages = [str(m) for m in created.context["messages"]]
    assert "test:knls/radio overlaps storage granted to knls" in " ".join(messages)
    assert "no storage root &#x27;nope&#x27; (roots: test)" in unknown_root.content.decode()
    assert "&#x27;..&#x27; is not allowed" in dotted.content.decode()
    assert "already exists" in duplicate.content.decode()
    assert StorageGrant.objects.filter(organization=libraries["kbc"]).count() == 2
    for page in [
        "/admin/inventory/storagegrant/",
        "/admin/inventory/storagegrant/?kind__exact=root&q=knls",
        f"/admin/inventory/storagegrant/{grant.pk}/change/",
    ]:
        assert client.get(page).status_code == 200, page


@pytest.mark.django_db
def test_the_admin_asset_form_applies_the_storage_rule(
    libraries: dict[str, Any], staff_client: tuple[Client, AbstractUser]
) -> None:
    _, staff = staff_client
    asset = AssetFactory(organization=libraries["knls"], location="test:knls/news.jsonl")
    request = RequestFactory().get("/")
    request.user = staff
    form_class = admin.site._registry[Asset].get_form(request, asset)
    data = model_to_dict(asset)
    data = {k: v for k, v in data.items() if v is not None}
    data["languages"] = [lang.pk for lang in asset.languages.all()]

    moved = form_class(data=data | {"location": "test:kbc/secret-minutes.jsonl"}, instance=asset)
    kept = form_class(data=data | {"title": "Renamed"}, instance=asset)

    assert moved.is_valid() is False
    assert moved.errors["location"] == [
        "'test:kbc/secret-minutes.jsonl' is not under a storage grant of 'knls'"
    ]
    assert kept.is_valid() is True, kept.errors


# --- the doors that go through the serializer --------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_register_asset_command_inherits_the_rule(libraries: dict[str, Any]) -> None:
    username = libraries["steward"].username
    with pytest.raises(CommandError) as error:
        run(
            "register_asset", "--user", username, "--title", "Minutes", "--location",
            "test:kbc/secret-minutes.jsonl", "--text-field", "text", "--language", "sw",
            "--license", "CC-BY-4.0",
        )  # fmt: skip

    assert str(error.value) == (
        "asset refused:\n  location: 'test:kbc/secret-minutes.jsonl' is not under a storage "
        "grant of 'knls'"
    )
    assert Asset.objects.count() == 0


@pytest.mark.django_db
def test_an_import_overlapping_across_organisations_imports_nothing(
    shared: dict[str, Any], tmp_path: Path
) -> None:
    staff = UserFactory(username="importer", is_staff=True)
    path = tmp_path / "assets.jsonl"
    rows = [
        {"title": "Ours", "organization": "knls", "location": "test:shared/other.jsonl",
         "text_field": "text", "languages": ["sw"], "license": "CC0-1.0"},
        {"title": "Theirs", "organization": "kbc", "location": "test:shared/other.jsonl",
         "text_field": "text", "languages": ["sw"], "license": "CC0-1.0"},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run("import_assets", str(path), "--user", staff.username)

    assert str(error.value) == (
        f"{path}: nothing imported, line 2: location: 'test:shared/other.jsonl' overlaps a live "
        "asset of another organisation: storage is not shared"
    )
    assert list(Asset.objects.all()) == [shared["radio"]]


@pytest.mark.django_db
def test_the_demo_grants_its_library_the_fixture_corpora_first() -> None:
    from curation.demo import build_demo

    result = build_demo(passwords={"demo": "d-1-aaaaaa", "steward": "s-1-aaaa", "reviewer": "r-1"})

    grant = StorageGrant.objects.get()
    assert (grant.organization.slug, grant.kind, grant.root, grant.prefix) == (
        "demo-national-library",
        "root",
        "fixtures",
        "corpora",
    )
    assert grant.granted_by == get_user_model().objects.get(username="demo")
    assert len(result.registered) == 11


# --- the migration and the report --------------------------------------------------------------

migration = importlib.import_module("inventory.migrations.0004_grant_todays_storage")


@pytest.mark.django_db
def test_the_migration_grants_todays_storage_without_guessing(
    storage_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (storage_root / "knls" / "radio").mkdir(parents=True)
    (storage_root / "knls" / "news").mkdir()
    (storage_root / "knls" / "news" / "2024.jsonl").write_text("{}\n")
    knls = OrganizationFactory(slug="knls", storage=[])
    kbc = OrganizationFactory(slug="kbc", storage=[])
    tls = OrganizationFactory(slug="tls", storage=[("root", "test", "tls")])
    for organization, location in [
        (knls, "test:knls/news/2024.jsonl"),
        (knls, "test:knls/radio"),
        (knls, "test:knls/*.txt"),
        (knls, "s3://corpora/knls/part-0.jsonl"),
        (knls, "https://Data.example.org/knls/x.jsonl"),
        (knls, "test:shared/knls.jsonl"),
        (kbc, "test:shared/kbc.jsonl"),
        (kbc, "test:corpus/news.jsonl"),
        (tls, "test:corpus/news.jsonl"),
        (tls, "test:top.jsonl"),
    ]:
        AssetFactory(organization=organization, location=location)
    AssetFactory(organization=kbc, location="test:retired/x.jsonl", status="retired")
    assets_before = list(Asset.objects.order_by("pk").values_list("pk", "location", "status"))

    migration.grant_todays_storage(apps, None)
    printed = capsys.readouterr().out
    rows = StorageGrant.objects.select_related("organization")
    granted = sorted((g.organization.slug, str(g.place)) for g in rows)
    migration.grant_todays_storage(apps, None)  # again: nothing added

    assert granted == [
        ("kbc", "test:corpus/news.jsonl"),
        ("kbc", "test:shared/kbc.jsonl"),
        ("knls", "https://data.example.org/knls"),
        ("knls", "s3://corpora/knls"),
        ("knls", "test:knls"),
        ("knls", "test:knls/news"),
        ("knls", "test:knls/radio"),
        ("knls", "test:shared/knls.jsonl"),
        ("tls", "test:corpus/news.jsonl"),
        ("tls", "test:tls"),  # kept: nothing is deleted
        ("tls", "test:top.jsonl"),
    ]
    assert StorageGrant.objects.count() == len(granted)
    assert printed.splitlines() == [
        "storage grants: 10 granted for 10 live asset(s)",
        "storage grant conflict: kbc, tls at test:corpus/news.jsonl: their own locations still "
        "overlap: decide in the admin",
        "storage grant conflict: kbc, knls at test:shared/kbc.jsonl, test:shared/knls.jsonl: "
        "each granted its own locations only",
        "(manage.py storage_grant_report lists the conflicts again)",
    ]
    assert list(Asset.objects.order_by("pk").values_list("pk", "location", "status")) == (
        assets_before
    )


@pytest.mark.django_db
def test_the_migration_on_an_empty_registry_does_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    migration.grant_todays_storage(apps, None)

    assert StorageGrant.objects.count() == 0
    assert capsys.readouterr().out == ""


@pytest.mark.django_db
def test_the_report_lists_shared_grants_overlaps_and_ungranted_assets(
    shared: dict[str, Any],
) -> None:
    AssetFactory(organization=shared["knls"], slug="mine", location="test:shared/radio/a.jsonl")
    AssetFactory(organization=shared["knls"], slug="old", location="test:corpus/news.jsonl")

    printed = run("storage_grant_report")

    assert printed.splitlines() == [
        "Grants shared by organisations (1):",
        "  test:shared (kbc) overlaps test:shared (knls)",
        "Live assets of different organisations that overlap (1):",
        f"  kbc/{shared['radio'].slug} (test:shared/radio) overlaps knls/mine "
        "(test:shared/radio/a.jsonl)",
        "Live assets outside their organisation's grants (1):",
        "  knls/old (test:corpus/news.jsonl): not under a storage grant of its organisation",
    ]


@pytest.mark.django_db
def test_the_report_says_when_there_is_nothing_to_decide(libraries: dict[str, Any]) -> None:
    assert run("storage_grant_report") == "No storage conflicts.\n"
