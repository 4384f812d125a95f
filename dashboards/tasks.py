"""Celery entry points of the analysis (queue ``analysis``): the precompute of the pages'
default views, queued after police records change (``dashboards.apps``) and run hourly by beat
(``CELERY_BEAT_SCHEDULE``), which also rolls the views over to a new day. Repeating a run
replaces results with equal ones, so a redelivered task is harmless."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.cache import cache

QUEUED_FLAG = "analysis:precompute-queued"


@shared_task(name="dashboards.tasks.analysis_precompute_task", queue="analysis", acks_late=True)
def analysis_precompute_task() -> dict[str, Any]:
    from dashboards.precompute import analysis_precompute

    cache.delete(QUEUED_FLAG)  # changes from now on queue another run
    done = analysis_precompute()
    return {"results": done.results, "audiences": done.audiences, "seconds": done.seconds}


def analysis_precompute_queue() -> None:
    """Queue one precompute, unless one is queued and not yet started: an import that writes
    and a follow-up that writes again need one run after both, not two."""
    if cache.add(QUEUED_FLAG, 1, timeout=3600):
        analysis_precompute_task.delay()
