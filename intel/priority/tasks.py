"""Celery entry points of priority offenders. Each loads what it needs and calls a service as
the system actor; repeating a run changes nothing."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

# --- scoring: the candidate scores, after records change (``intel.apps``) and nightly --------
SCORES_QUEUED_FLAG = "priority:scores-queued"
# A burst of imports within this many seconds is scored once, after the last of them.
SCORES_COUNTDOWN = 30


@shared_task(name="intel.tasks.scores_compute_task", queue="analysis", acks_late=True)
def scores_compute_task() -> int:
    from csu.actors import system_actor
    from intel.priority.scoring import scores_compute

    cache.delete(SCORES_QUEUED_FLAG)  # changes from now on queue another run
    return scores_compute(actor=system_actor())


def scores_compute_queue(*, countdown: int = SCORES_COUNTDOWN) -> bool:
    """Queue one run of the scores unless one is queued and not yet started: a burst of
    imports needs one run after them all, not one each. Returns whether a run was queued."""
    if cache.add(SCORES_QUEUED_FLAG, 1, timeout=3600):
        scores_compute_task.apply_async(countdown=countdown)
        return True
    return False


@shared_task(name="intel.tasks.designations_expire_task", queue="default")
def designations_expire_task() -> int:
    """Expire every designation whose twelve months have passed (daily)."""
    from intel.priority.designations import designations_expire

    return designations_expire()
