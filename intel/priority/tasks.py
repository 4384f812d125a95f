"""Celery entry points of priority offenders, run by beat (``CELERY_BEAT_SCHEDULE``) as the
system actor; each loads nothing but ids and calls a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="intel.tasks.designations_expire_task", queue="default")
def designations_expire_task() -> int:
    """Expire every designation whose twelve months have passed (daily)."""
    from intel.priority.designations import designations_expire

    return designations_expire()
