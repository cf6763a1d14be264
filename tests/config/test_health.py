import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from tests.conftest import ROOT


@pytest.mark.django_db
def test_health_reports_database_and_in_process_tasks(client: Client) -> None:
    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {
        "ok": True,
        "mode": "in-process",
        "detail": "no broker: tasks run in-process",
    }
    assert body["workers"]["count"] == 0


def test_health_is_503_when_the_database_does_not_answer() -> None:
    # A real PostgreSQL client pointed at a port nothing listens on (loopback only).
    env = dict(os.environ, DATABASE_URL="postgres://postgres@127.0.0.1:9/nowhere", DEBUG="false")
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health/', headers={'host': 'localhost'});"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "config.settings_test"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"]["status"] == "down"
    assert result["body"]["database"]["ok"] is False
    assert "127.0.0.1" in result["body"]["database"]["error"]


@pytest.mark.services
@pytest.mark.django_db
def test_health_reports_broker_and_no_workers_on_an_idle_queue(
    client: Client, broker_mode: None
) -> None:
    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["broker"]["ok"] is True
    assert body["broker"]["mode"] == "broker"
    assert body["database"]["vendor"] == "postgresql"
