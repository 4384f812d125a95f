"""Celery entry points of imports: ids in, one service call, idempotent. Task names keep the
``intel.tasks.`` prefix they were queued and scheduled under (CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from intel.ingest.mapping import Mapping
from intel.people.tasks import people_resolve_task


@shared_task(name="intel.tasks.import_run_task", queue="imports", acks_late=True)
def import_run_task(import_id: int, user_id: int | None = None,
                    mapping: dict | None = None) -> str:
    from csu.models import User
    from intel.ingest.services import import_run
    from intel.models import DataImport

    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None:
        return "missing"
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    result = import_run(actor=actor, data_import=data_import,
                        mapping=Mapping.from_json(mapping) if mapping else None)
    if result.status == DataImport.Status.SUCCEEDED and result.kind == "arrests":
        people_resolve_task.delay(result.pk, user_id)
    return result.status


# Retention, run daily by beat (CELERY_BEAT_SCHEDULE) as the system actor. Each service selects
# what is due by predicate, so a redelivered or repeated run changes nothing; each returns and
# audits counts only.


@shared_task(name="intel.tasks.import_files_delete_expired_task", queue="default")
def import_files_delete_expired_task() -> int:
    from intel.ingest.retention import import_files_delete_expired

    return import_files_delete_expired(actor=None)


@shared_task(name="intel.tasks.import_snapshots_delete_expired_task", queue="default")
def import_snapshots_delete_expired_task() -> int:
    from intel.ingest.retention import import_snapshots_delete_expired

    return import_snapshots_delete_expired(actor=None)
