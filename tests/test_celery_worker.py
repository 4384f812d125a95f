"""A task really runs through Redis and a separate Celery worker process (not eager)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from csu.models import AuditEvent, User
from csu.services import api_token_create
from csu.tasks import accounts_disable_stale_task


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_runs_in_a_real_worker_through_redis(worker, make_user) -> None:
    queue, proc = worker
    idle = make_user("analyst", "idle.analyst")
    User.objects.filter(pk=idle.pk).update(last_login=timezone.now() - timedelta(days=120))

    result = accounts_disable_stale_task.apply_async(queue=queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and User.objects.get(pk=idle.pk).is_active:
        assert proc.poll() is None, proc.log_path.read_text()
        time.sleep(0.25)

    assert not User.objects.get(pk=idle.pk).is_active
    event = AuditEvent.objects.get(action="user.disable", object_id=str(idle.pk))
    assert event.component == "accounts_disable_stale"
    assert result.id  # went through the broker, not run in this process

    key = api_token_create(actor=make_user("admin", "ops.monitor"), name="monitoring")
    health = Client().get("/healthz", HTTP_AUTHORIZATION=f"Token {key}").json()  # full report
    assert health["checks"]["workers"]["status"] == "ok"
    assert any(name.startswith(queue) for name in health["checks"]["workers"]["detail"])


def test_celery_delivery_settings_lose_nothing() -> None:
    from django.conf import settings

    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > settings.CELERY_TASK_TIME_LIMIT
