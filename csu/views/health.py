"""``/healthz``: liveness for anyone, the full report (database, broker, workers) for staff.

An anonymous caller (a load balancer) gets ``{"status": "ok"}`` and 200 as long as the process
answers: no database or broker round trip and no worker ping (which took 1-2 s and named the
worker hosts), so it is fast and cheap to call often and tells an outsider nothing. Liveness
deliberately does not depend on the database: a restart would not fix an unreachable database.
The readiness report is for a signed-in, verified user of any role, or an API token
(``Authorization: Token ...``, checked by the API's own authentication classes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, cast

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.settings import api_settings

from csu import celery_app
from csu.models import User
from csu.types import otp_verified


def _check(fn: Callable[[], object]) -> dict[str, Any]:
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
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL.replace("redis+socket://", "unix://"), socket_timeout=2
    )
    client.ping()
    return "redis"


def _workers() -> list[str]:
    replies = celery_app.control.ping(timeout=1.0) or []
    names = sorted(name for reply in replies for name in reply)
    if not names:
        raise RuntimeError("no worker answered")
    return names


def _token_user(request: HttpRequest) -> User | None:
    """The user of a valid API token in the request, else ``None``."""
    drf_request = Request(request)
    # The stubs type the setting as the dotted paths it is written with; api_settings hands
    # out the imported classes.
    classes = cast(list[type[BaseAuthentication]], api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    for authentication_class in classes:
        if issubclass(authentication_class, SessionAuthentication):
            continue  # the session is Django's request.user, checked below
        try:
            result = authentication_class().authenticate(drf_request)
        except AuthenticationFailed:
            return None
        if result is not None:
            return cast(User, result[0])
    return None


def _may_read_report(request: HttpRequest) -> bool:
    user = request.user
    if user.is_authenticated:
        verified = not settings.CSU_MFA_REQUIRED or otp_verified(user)
        return verified and bool(user.roles)
    if "HTTP_AUTHORIZATION" not in request.META:
        return False
    token_user = _token_user(request)
    return token_user is not None and bool(token_user.roles)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    if not _may_read_report(request):
        return JsonResponse({"status": "ok"})
    checks = {"database": _check(_database), "broker": _check(_broker)}
    checks["workers"] = (
        _check(_workers)
        if checks["broker"]["status"] == "ok"
        else {"status": "error", "detail": "broker unavailable", "ms": 0}
    )
    if checks["database"]["status"] != "ok" or checks["broker"]["status"] != "ok":
        overall, code = "error", 503
    elif checks["workers"]["status"] != "ok":
        overall, code = "degraded", 200
    else:
        overall, code = "ok", 200
    return JsonResponse({"status": overall, "checks": checks}, status=code)
