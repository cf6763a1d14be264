"""schemathesis against the project's own OpenAPI schema, in-process, with authenticated clients.

Every operation of `/api/schema/` is called with data generated from its schema (valid and, for
5xx hunting, deliberately invalid) by a staff pipeline holding a knox token, a staff user and a
plain steward with browser sessions. Two properties must hold for every response: no 5xx, and
every documented response matches its schema. Path parameters are drawn half the time from real
rows (an asset with a profile, a manifest with a version, a profile run, a policy) so that the
calls reach past the 404s.

CI runs `FUZZ_EXAMPLES` (default 10) examples per operation and client; the README records a
longer run. Each example runs in a savepoint that is rolled back, so writes never accumulate.
"""

import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.db import connection, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from inventory.models import ApiToken, Asset
from tests.factories import (
    AssetFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    profiled,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# `status_code_conformance` is left out on purpose: the schema documents the success responses
# and the 400s of validated bodies, while DRF answers 401/403/404/405/429 on every view without
# drf-spectacular declaring them. Those statuses are correct behaviour, not contradictions; a
# documented status whose body contradicts its schema is what `response_schema_conformance` finds.
CHECKS = [not_a_server_error, response_schema_conformance]
SAFE = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Tally:
    requests: int = 0
    operations: set[str] = field(default_factory=set)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def session(user: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and cookies of a logged-in browser session of `user`, CSRF token included."""
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    return {"X-CSRFToken": csrf}, cookies


def known_values(asset: Asset, manifest_slug: str) -> dict[str, Any]:
    run = asset.profile_runs.first()
    assert run is not None
    return {
        "alpha2": "KE",
        "tag": "sw",
        "spdx_id": "CC-BY-4.0",
        "slug": manifest_slug,
        "number": "1",
        "other": "1",
        "name": "news.jsonl",
        "asset_id": asset.pk,
        "run_id": run.pk,
    }


def fixed_path(path: str, names: list[str], known: dict[str, Any]) -> dict[str, Any]:
    fixed: dict[str, Any] = {}
    for name in names:
        if name == "id":
            fixed[name] = known["run_id"] if path.startswith("/api/v1/profile-runs/") else None
            fixed[name] = fixed[name] or known["asset_id"]
        elif name in known:
            fixed[name] = known[name]
    return fixed


def describe(exc: BaseException) -> str:
    found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
    return "; ".join(f"{type(e).__name__}: {str(e).strip()[:1200]}" for e in found)


def fuzz(operation: Any, who: str, auth: tuple[dict, dict], known: dict, tally: Tally) -> None:
    headers, cookies = auth
    names = [p.name for p in operation.path_parameters]
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if names:
        fixed = fixed_path(operation.path, names, known)
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed))

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        cache.clear()  # throttle counters: a fuzzer is not the abuse they limit
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers, cookies=cookies)
            tally.requests += 1
            tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
            if os.environ.get("FUZZ_TRACE"):
                print(who, case.method, case.formatted_path, response.status_code)
            case.validate_response(response, checks=CHECKS)
        except (BaseExceptionGroup, Exception) as exc:  # check failures, or a crash in a view
            sent = f"{case.formatted_path} query={case.query} body={str(case.body)[:200]}"
            failure = f"{who} {operation.label}: {describe(exc)}\n  sent: {sent}"
            if failure not in tally.failures:
                tally.failures.append(failure)
        finally:
            transaction.savepoint_rollback(savepoint)

    run()


@pytest.fixture
def keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The WSGI app fires request_started/finished, whose close_old_connections would close the
    test's transaction connection on PostgreSQL (Django's test client unhooks it likewise)."""
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)


@pytest.mark.django_db
def test_the_api_keeps_to_its_schema_under_generated_requests(
    storage_root: Path, keep_test_connection: None
) -> None:
    started = time.monotonic()
    staff = UserFactory(username="fuzz-staff", is_staff=True, is_superuser=True)
    organization = OrganizationFactory(slug="fuzz-org")
    steward: Any = MembershipFactory(organization=organization).user
    asset: Any = AssetFactory(organization=organization, registered_by=steward)
    profiled(asset, {"sw": 9_000, "en": 1_000})
    _, token = ApiToken.objects.create(staff, expiry=timedelta(days=1), name="fuzz")

    browser = Client()
    browser.force_login(steward)
    created = browser.post(
        "/api/v1/manifests/",
        {"slug": "fuzz-v1", "title": "Fuzz", "criteria": {"languages": ["sw"]}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    version = browser.post("/api/v1/manifests/fuzz-v1/versions/")
    assert version.status_code == 201, version.content
    known = known_values(asset, "fuzz-v1")

    clients = [
        ("staff-token", ({"Authorization": f"Token {token}"}, {}), True),
        ("staff-session", session(staff), False),
        ("steward-session", session(steward), False),
    ]
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    tally = Tally()
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # the schema itself is broken: nothing to fuzz
        operation = result.ok()
        tally.operations.add(operation.label)
        for who, auth, reads_only in clients:
            if reads_only and operation.method.upper() not in SAFE:
                continue  # a knox token is read-only: its writes are refused before any view
            fuzz(operation, who, auth, known, tally)

    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis: {len(tally.operations)} operations, {tally.requests} requests, "
        f"statuses {dict(sorted(tally.statuses.items()))}, {len(tally.failures)} failures, "
        f"{elapsed:.1f} s"
    )
    assert tally.requests > 0
    assert not tally.failures, "\n\n".join(tally.failures)
