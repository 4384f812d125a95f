import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_reports_database_broker_and_workers() -> None:
    response = Client().get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    assert body["checks"]["workers"]["status"] in ("ok", "error")
    assert body["status"] == ("ok" if body["checks"]["workers"]["status"] == "ok" else "degraded")
