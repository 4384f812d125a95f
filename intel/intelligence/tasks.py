"""Celery entry points of the 28 CFR Part 23 workflow: retention, run daily by beat
(CELERY_BEAT_SCHEDULE) as the system actor. Each service selects what is due by predicate, so a
redelivered or repeated run changes nothing; each returns and audits counts only."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="intel.tasks.intel_records_purge_expired_task", queue="default")
def intel_records_purge_expired_task() -> int:
    from csu.actors import system_actor
    from intel.intelligence.records import intel_records_purge_expired

    return intel_records_purge_expired(actor=system_actor())


@shared_task(name="intel.tasks.memberships_remove_lapsed_task", queue="default")
def memberships_remove_lapsed_task() -> int:
    from csu.actors import system_actor
    from intel.intelligence.groups import memberships_remove_lapsed

    return memberships_remove_lapsed(actor=system_actor())
