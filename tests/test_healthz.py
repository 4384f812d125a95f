"""``/healthz``: liveness for anyone, fast and telling nothing; the full report for staff or a
token (finding 8: the anonymous check took 1-2 s and named the worker hosts)."""

import statistics
import time

import pytest
from django.test import Client

from csu import celery_app
from csu.services import api_token_create
from tests.conftest import password_step

pytestmark = pytest.mark.django_db

WORKER = "celery@worker-7.csu.internal"


@pytest.fixture
def pings(monkeypatch):  # type: ignore[no-untyped-def]
    """The worker ping, answered by a named worker, and counted."""
    calls = []

    def ping(timeout: float = 1.0):  # type: ignore[no-untyped-def]
        calls.append(timeout)
        return [{WORKER: {"ok": "pong"}}]

    monkeypatch.setattr(celery_app.control, "ping", ping)
    return calls


def test_health_reports_database_broker_and_workers_to_staff(analyst, client_for) -> None:
    response = client_for(analyst).get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    assert body["checks"]["workers"]["status"] in ("ok", "error")
    assert body["status"] == ("ok" if body["checks"]["workers"]["status"] == "ok" else "degraded")


def test_it_answers_anonymous_callers_with_liveness_only_and_fast(
    pings, django_assert_num_queries
) -> None:
    client = Client()
    with django_assert_num_queries(0):
        client.get("/healthz")
    timings, bodies = [], []
    for _ in range(20):
        started = time.perf_counter()
        response = client.get("/healthz")
        timings.append((time.perf_counter() - started) * 1000)
        bodies.append(response.content.decode())

    median = statistics.median(timings)
    print(f"anonymous /healthz median: {median:.1f} ms")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert not any(WORKER in body or "worker-7" in body for body in bodies)
    assert pings == []  # no worker was asked
    assert median < 250  # the worker ping alone waited a whole second


@pytest.mark.parametrize("role", ["prosecutor", "analyst", "supervisor", "admin"])
def test_it_gives_every_staff_role_the_full_report(role, make_user, client_for, pings) -> None:
    body = client_for(make_user(role)).get("/healthz").json()

    assert body["checks"]["workers"] == {
        "status": "ok",
        "detail": [WORKER],
        "ms": body["checks"]["workers"]["ms"],
    }
    assert body["checks"]["database"]["status"] == "ok"


def test_it_gives_an_api_token_the_full_report(analyst, pings) -> None:
    key = api_token_create(actor=analyst, name="monitoring")

    body = Client().get("/healthz", HTTP_AUTHORIZATION=f"Token {key}").json()

    assert WORKER in body["checks"]["workers"]["detail"]


def test_it_gives_a_wrong_token_or_a_password_only_session_liveness_only(analyst, pings) -> None:
    wrong = Client().get("/healthz", HTTP_AUTHORIZATION="Token csu_notatoken")
    half = Client()
    password_step(half, analyst.username)

    assert wrong.status_code == 200 and wrong.json() == {"status": "ok"}
    assert half.get("/healthz").json() == {"status": "ok"}
    assert pings == []
