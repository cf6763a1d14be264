"""Benchmark: a national registry as it grows (issue 18). Seeds synthetic assets with stored
profiles (`manage.py seed_registry`) up to each size given and prints, at each size, the time
and query count of: refreshing Kenya's coverage (the largest nation, 30% of the assets), the
coverage API for every purpose, and a ministry reviewer's asset list (first page and the page
after a deep cursor). Asserts nothing.

    createdb registry_bench_seed   # an empty PostgreSQL database, used for nothing else
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench_seed \\
        .venv/bin/python benchmarks/registry.py --sizes 1000 10000 100000
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, int]:
    """Median milliseconds and query count of `call`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append(1000 * (time.perf_counter() - started))
        queries = len(captured)
    return statistics.median(times), queries


def measure(kenya: Any, staff: Any, reviewer: Any, repeat: int) -> list[tuple[str, Any]]:
    """(what, (median ms, queries)) of each figure at the registry's current size."""
    from rest_framework.test import APIClient

    from curation.coverage import services as coverage

    rows = [
        (
            "refresh_coverage(KE)",
            timed(lambda: coverage.refresh_coverage(nation=kenya, force=True), 1),
        )
    ]
    client = APIClient()
    client.force_authenticate(staff)
    for purpose in ("all", "commercial", "research"):
        path = f"/api/v1/coverage/KE/?purpose={purpose}"
        rows.append((f"GET {path}", timed(lambda p=path: client.get(p), repeat)))
    reviewing = APIClient()
    reviewing.force_authenticate(reviewer)
    listing = "/api/v1/assets/?page_size=50"
    rows.append(
        ("reviewer's asset list, first page", timed(lambda: reviewing.get(listing), repeat))
    )
    url = reviewing.get(listing).json().get("next")
    for _ in range(20):  # walk 20 pages in
        if not url:
            break
        url = reviewing.get(url).json().get("next")
    if url:
        deep = url
        rows.append(
            ("reviewer's asset list, 21st page", timed(lambda: reviewing.get(deep), repeat))
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to an empty PostgreSQL database")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from curation.seed import seed_registry
    from inventory.models import Asset, Membership, Nation, Organization
    from tests.factories import MembershipFactory, UserFactory

    settings.ALLOWED_HOSTS.append("testserver")  # the test client's host
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_reference_data", stdout=quiet)
    kenya = Nation.objects.get(alpha2="KE")
    ministry, _ = Organization.objects.get_or_create(
        slug="bench-ministry-ke", defaults={"name": "Ministry", "nation": kenya, "kind": "ministry"}
    )
    reviewer = (
        Membership.objects.filter(organization=ministry).first()
        or MembershipFactory(organization=ministry, role=Membership.Role.REVIEWER)
    ).user
    staff = UserFactory(username=f"bench-staff-{time.time_ns()}", is_staff=True)
    print(f"{'assets':>8} {'what':<44} {'ms':>9} {'queries':>8}")
    for size in args.sizes:
        have = Asset.objects.count()
        if size > have:
            seeded = seed_registry(assets=size - have, prefix=f"s{have}")
            print(f"{size:>8} seeded {seeded.assets} assets in {seeded.seconds:.0f} s")
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would keep them
            cursor.execute("ANALYZE")
        rows = measure(kenya, staff, reviewer, args.repeat)
        for what, (ms, queries) in rows:
            print(f"{size:>8} {what:<44} {ms:9.1f} {queries:8d}", flush=True)


if __name__ == "__main__":
    main()
