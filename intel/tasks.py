"""Celery entry points of the intel app, gathered here for Celery's autodiscovery (it imports
``<app>.tasks``). Each lives in its domain package's ``tasks.py``; their names stay
``intel.tasks.<name>``, as queued and scheduled."""

from __future__ import annotations

from intel.ingest.tasks import (
    import_files_delete_expired_task,
    import_follow_ups_task,
    import_run_task,
    import_snapshots_delete_expired_task,
)
from intel.intelligence.tasks import (
    intel_records_purge_expired_task,
    memberships_remove_lapsed_task,
)
from intel.people.tasks import people_resolve_task
from intel.priority.tasks import designations_expire_task, scores_compute_task

__all__ = [
    "designations_expire_task",
    "import_files_delete_expired_task",
    "import_follow_ups_task",
    "import_run_task",
    "import_snapshots_delete_expired_task",
    "intel_records_purge_expired_task",
    "memberships_remove_lapsed_task",
    "people_resolve_task",
    "scores_compute_task",
]
