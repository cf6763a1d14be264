import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from config.celery import app
from tests.conftest import ROOT

PRODUCTION_ENV = {
    "SECRET_KEY": "a-real-production-secret-" + "q7Zp2" * 10,
    "ALLOWED_HOSTS": "registry.example.org",
    "DEBUG": "false",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_time_limits_out_of_order_are_refused_with_their_names() -> None:
    env = PRODUCTION_ENV | {"CELERY_TASK_TIME_LIMIT": "7200", "CELERY_VISIBILITY_TIMEOUT": "3600"}
    result = manage("check", env=env)

    assert result.returncode != 0
    assert "CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT" in result.stderr


def test_celery_delivery_guarantees() -> None:
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit < conf.visibility_timeout
    assert conf.broker_transport_options == {"visibility_timeout": conf.visibility_timeout}
    assert conf.result_backend_transport_options == {"visibility_timeout": conf.visibility_timeout}
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.accept_content == ["json"]


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
