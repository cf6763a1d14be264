"""Shared fixtures: service gating, a real Celery worker process, API clients."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "", parts.port or default_port), 1.0):
            return True
    except OSError:
        return False


def services_problem() -> str | None:
    """Why PostgreSQL + Redis integration tests cannot run here, or None when they can."""
    if connection.vendor != "postgresql":
        return "DATABASE_URL does not name a PostgreSQL database"
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        return "CELERY_BROKER_URL does not name a Redis broker"
    db = settings.DATABASES["default"]
    if not _reachable(f"postgres://{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}", 5432):
        return "PostgreSQL is not answering"
    if not _reachable(settings.CELERY_BROKER_URL, 6379):
        return "Redis is not answering"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("services") or item.get_closest_marker("worker"):
        problem = services_problem()
        if problem and REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES is set but {problem}")
        if problem:
            pytest.skip(f"needs PostgreSQL and Redis: {problem}")


class Worker:
    """A `celery worker` subprocess consuming one private queue of the test database."""

    def __init__(self, queue: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.queue = queue
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def worker_env(queue: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        STORAGE_ROOTS=",".join(f"{k}={v}" for k, v in settings.STORAGE_ROOTS.items()),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


def start_worker(
    tmp_path: Path,
    *,
    queue: str | None = None,
    concurrency: int = 1,
    env: dict[str, str] | None = None,
) -> Worker:
    """Start `celery worker` on `queue` (a fresh private one by default); wait until ready."""
    queue = queue or f"test-{uuid.uuid4().hex[:12]}"
    name = f"{queue}-{uuid.uuid4().hex[:6]}"
    log = tmp_path / f"{name}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "-Q",
            queue,
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=worker_env(queue, env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    worker = Worker(queue, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{worker.output()}")
        if "ready." in worker.output():
            return worker
        time.sleep(0.2)
    stop_worker(worker)
    raise RuntimeError(f"celery worker not ready after 60 s:\n{worker.output()}")


def stop_worker(worker: Worker) -> None:
    if worker.process.poll() is None:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=10)


@pytest.fixture
def broker_mode() -> Iterator[None]:
    """Send tasks through the real broker instead of running them in-process."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous


@pytest.fixture
def celery_worker_process(
    tmp_path: Path, transactional_db: None, broker_mode: None
) -> Iterator[Worker]:
    """A real worker process; it is stopped at the end whatever happens."""
    worker = start_worker(tmp_path)
    celery_app.conf.task_default_queue = worker.queue
    try:
        yield worker
    finally:
        stop_worker(worker)


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Reference data for a transactional test (the flush after an earlier one removes it)."""
    from inventory.models import Nation
    from inventory.services import load_reference_data

    if not Nation.objects.exists():
        load_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Load the reference data (nations, languages, licences) once, committed, for every test."""
    from inventory.services import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def user(db: None) -> Any:
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def api(user: Any) -> Any:
    """An API client authenticated as an ordinary user."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def storage_root(tmp_path: Path, settings: Any) -> Path:
    """A storage root named `test` holding a small JSONL corpus and a licence file."""
    root = tmp_path / "root"
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "news.jsonl").write_text('{"text": "Habari za asubuhi"}\n', encoding="utf-8")
    (corpus / "LICENSE").write_text("SPDX-License-Identifier: CC-BY-4.0\n", encoding="utf-8")
    settings.STORAGE_ROOTS = {"test": root.resolve()}
    return root


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters (failed tokens, profile requests) start at zero in every test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
