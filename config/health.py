"""GET /health/: database, broker and worker status for load balancers and operators.

200 when the database answers (the site can serve), 503 otherwise. The broker and workers are
reported, not required: the catalogue stays readable while profiling is paused."""

import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app


def _database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; its text is the diagnosis
        return {"ok": False, "vendor": connection.vendor, "error": str(exc)}
    return {
        "ok": True,
        "vendor": connection.vendor,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }


def _broker() -> dict[str, Any]:
    if app.conf.task_always_eager:
        return {"ok": True, "mode": "in-process", "detail": "no broker: tasks run in-process"}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.HEALTH_PING_TIMEOUT)
            transport = conn.transport_cls
    except Exception as exc:  # kombu raises several unrelated types for "unreachable"
        return {"ok": False, "mode": "broker", "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "mode": "broker", "transport": str(transport)}


def _workers(broker_ok: bool) -> dict[str, Any]:
    if app.conf.task_always_eager:
        return {"ok": True, "count": 0, "hostnames": [], "detail": "tasks run in-process"}
    if not broker_ok:
        return {"ok": False, "count": 0, "hostnames": [], "detail": "broker unreachable"}
    try:
        replies = app.control.ping(timeout=settings.HEALTH_PING_TIMEOUT) or []
    except Exception as exc:  # a broker failing mid-ping
        return {"ok": False, "count": 0, "hostnames": [], "error": str(exc)}
    hostnames = sorted(name for reply in replies for name in reply)
    return {"ok": bool(hostnames), "count": len(hostnames), "hostnames": hostnames}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    database = _database()
    broker = _broker()
    workers = _workers(broker["ok"])
    body = {
        "status": "ok" if database["ok"] and broker["ok"] and workers["ok"] else "degraded",
        "database": database,
        "broker": broker,
        "workers": workers,
    }
    if not database["ok"]:
        body["status"] = "down"
    return JsonResponse(body, status=200 if database["ok"] else 503)
