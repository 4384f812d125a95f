"""Celery entry points of the alerts app (queue ``alerts``). Thin: one service call each."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError


# Matching (alerts.services.alerts) queues this by name on commit after creating alerts, and
# beat runs it every minute (``alert-deliveries``) for digests, quiet hours and retries. The
# service claims each row, so a redelivered or concurrent run sends nothing twice; a run that
# fails as a whole (the database gone) is retried with exponential backoff. A failing e-mail
# does not fail the run: its row keeps the error and its own backoff (alerts.services.delivery).
@shared_task(
    name="alerts.tasks.alert_deliveries_send_task",
    queue="alerts",
    acks_late=True,
    autoretry_for=(DatabaseError, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def alert_deliveries_send_task() -> int:
    from alerts.services.delivery import alert_deliveries_send

    return alert_deliveries_send()


# --- Watch entries (part D): expiry, daily by beat (CELERY_BEAT_SCHEDULE) ------------------
@shared_task(name="alerts.tasks.watch_entries_expire_task", queue="alerts")
def watch_entries_expire_task() -> int:
    """Entries past their expiry stop alerting; selects by predicate, so a rerun is a no-op."""
    from alerts.services.entries import watch_entries_expire

    return watch_entries_expire()
