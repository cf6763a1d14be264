"""Benchmark: one profiling run of a corpus on 1 worker, then on 2 (separate processes,
PostgreSQL + Redis). Prints wall times, the speed-up, the packs the files went into, database
commits per file and the documents labelled; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/profile_runs.py
    ... benchmarks/profile_runs.py --shards 1000 --docs 25    # 1,000 small files (~4 KB)
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELERY = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1"]
CELERY += ["--without-gossip", "--without-mingle", "--loglevel=WARNING"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--docs", type=int, default=6000, help="documents per shard")
    parser.add_argument("--sample", type=int, default=5000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database and CELERY_BROKER_URL to Redis")
    storage = Path(tempfile.mkdtemp(prefix="bench-runs-"))
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = dict(
        os.environ,
        STORAGE_ROOTS=f"bench={storage}",
        CELERY_TASK_DEFAULT_QUEUE=queue,
        COVERAGE_DEBOUNCE_SECONDS="0",  # the run's coverage refresh ends before the next phase
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from curation.models import ProfileRun, ProfileShard
    from curation.runs import services as runs
    from inventory.models import Nation, Organization
    from tests.corpora import write_corpus
    from tests.factories import AssetFactory, UserFactory

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_reference_data", stdout=quiet)
    size = write_corpus(storage / "corpus", args.shards, args.docs)
    organization, _ = Organization.objects.get_or_create(
        slug="bench", defaults={"name": "Bench", "nation": Nation.objects.get(alpha2="KE")}
    )
    asset = AssetFactory(
        organization=organization,
        location="bench:corpus",
        registered_by=UserFactory(username=f"bench-{queue}"),
        slug=f"bench-{queue}",
        languages=["sw", "en", "fr"],
    )
    documents = args.shards * args.docs
    print(f"corpus: {args.shards} shards, {documents:,} documents, {size / 1e6:.1f} MB")
    timings = {}
    for workers in (1, 2):
        processes = [
            subprocess.Popen(
                [*CELERY, "-Q", queue, "-n", f"{queue}-{n}@%h"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n in range(workers)
        ]
        time.sleep(6)  # let the workers connect and import the engine
        commits = _commits(connection)
        started = time.perf_counter()
        run, _ = runs.request_profile(asset=asset, requested_by=None, sample_size=args.sample)
        requested = time.perf_counter() - started
        while run.status in ProfileRun.ACTIVE:
            time.sleep(0.1)
            run.refresh_from_db()
        timings[workers] = time.perf_counter() - started
        _drain(queue)
        for process in processes:
            process.terminate()
            process.wait()
        time.sleep(1.5)  # the statistics collector flushes about once a second
        committed, inserted, updated = (
            after - before for after, before in zip(_commits(connection), commits, strict=True)
        )
        shards = ProfileShard.objects.filter(run=run)
        packs = len(set(shards.values_list("pack", flat=True)))
        labelled = (run.result or {}).get("totals", {}).get("labelled_documents")
        print(
            f"{workers} worker(s): {timings[workers]:.2f} s (request {requested:.2f} s), "
            f"run {run.status}, "
            f"{size / 1e6 / timings[workers]:.1f} MB/s; {shards.count()} files in {packs} packs; "
            f"{committed} transactions (all sessions, with this script's polling every 0.1 s), "
            f"{inserted} rows inserted, {updated} updated; {labelled} documents labelled"
        )
    speedup = timings[1] / timings[2]
    print(f"speed-up 2 workers / 1 worker: {speedup:.2f}x ({os.cpu_count()} cores)")


def _drain(queue: str) -> None:
    """Wait until the workers took every message (the coverage refresh after the run)."""
    import redis

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    deadline = time.monotonic() + 30
    while client.llen(queue) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)  # the last one taken runs to its end


def _commits(connection: object) -> tuple[int, int, int]:
    """Transactions committed, rows inserted and rows updated in the database so far."""
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT xact_commit, tup_inserted, tup_updated FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        return tuple(int(n) for n in cursor.fetchone())  # type: ignore[return-value]


if __name__ == "__main__":
    main()
