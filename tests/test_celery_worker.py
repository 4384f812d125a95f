"""A task really runs through Redis and a separate Celery worker process (not eager)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from csu.models import AuditEvent, User
from csu.tasks import accounts_disable_stale_task

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    s = connection.settings_dict
    user = s["USER"] or "postgres"
    if s["HOST"].startswith("/"):  # a unix socket directory (the embedded server)
        return f"postgresql://{user}@{quote(s['HOST'], safe='')}/{s['NAME']}"
    return f"postgresql://{user}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker():  # type: ignore[no-untyped-def]
    """A real worker on a queue of its own, against the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "csu.settings.test",
           "DATABASE_URL": _database_url()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "csu", "worker", "-Q", queue, "--concurrency", "1",
         "--pool", "prefork", "-n", f"{queue}@%h", "-l", "warning", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield queue, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_runs_in_a_real_worker_through_redis(worker, make_user) -> None:
    queue, proc = worker
    idle = make_user("analyst", "idle.analyst")
    User.objects.filter(pk=idle.pk).update(last_login=timezone.now() - timedelta(days=120))

    result = accounts_disable_stale_task.apply_async(queue=queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and User.objects.get(pk=idle.pk).is_active:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else "worker died"
        time.sleep(0.25)

    assert not User.objects.get(pk=idle.pk).is_active
    event = AuditEvent.objects.get(action="user.disable", object_id=str(idle.pk))
    assert event.component == "accounts_disable_stale"
    assert result.id  # went through the broker, not run in this process

    health = Client().get("/healthz").json()
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
