"""Celery entry points of the platform: thin, idempotent, ids only."""

from celery import shared_task

from csu.actors import system_actor
from csu.services import accounts_disable_stale


@shared_task(name="csu.tasks.accounts_disable_stale_task")
def accounts_disable_stale_task() -> int:
    return accounts_disable_stale(actor=system_actor())
