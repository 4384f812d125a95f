"""``/healthz``: database, broker and workers, as JSON, for load balancers and operators."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from csu import celery_app


def _check(fn) -> dict:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    try:
        detail = fn()
        status = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, none is raised
        detail, status = type(exc).__name__, "error"
    return {"status": status, "detail": detail, "ms": round((time.monotonic() - started) * 1000)}


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _broker() -> str:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL.replace("redis+socket://", "unix://"),
                                  socket_timeout=2)
    client.ping()
    return "redis"


def _workers() -> list[str]:
    replies = celery_app.control.ping(timeout=1.0) or []
    names = sorted(name for reply in replies for name in reply)
    if not names:
        raise RuntimeError("no worker answered")
    return names


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check(_database), "broker": _check(_broker)}
    checks["workers"] = (
        _check(_workers) if checks["broker"]["status"] == "ok"
        else {"status": "error", "detail": "broker unavailable", "ms": 0}
    )
    if checks["database"]["status"] != "ok" or checks["broker"]["status"] != "ok":
        overall, code = "error", 503
    elif checks["workers"]["status"] != "ok":
        overall, code = "degraded", 200
    else:
        overall, code = "ok", 200
    return JsonResponse({"status": overall, "checks": checks}, status=code)
