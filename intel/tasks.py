"""Celery entry points of the intel app: ids in, one service call, idempotent."""

from __future__ import annotations

from celery import shared_task

from intel.ingest.mapping import Mapping


@shared_task(name="intel.tasks.import_run_task", queue="imports", acks_late=True)
def import_run_task(import_id: int, user_id: int | None = None,
                    mapping: dict | None = None) -> str:
    from csu.models import User
    from intel.imports import import_run
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


@shared_task(name="intel.tasks.people_resolve_task", queue="imports", acks_late=True)
def people_resolve_task(import_id: int, user_id: int | None = None) -> dict:
    """Entity resolution for the arrests an import brought in. Idempotent: arrests already
    linked or queued for review are left alone."""
    from csu.models import User
    from intel.models import DataImport
    from intel.resolution.services import people_resolve_import

    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None:
        return {"missing": import_id}
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    return vars(people_resolve_import(actor=actor, data_import=data_import))


# Retention, run daily by beat (CELERY_BEAT_SCHEDULE) as the system actor. Each service selects
# what is due by predicate, so a redelivered or repeated run changes nothing; each returns and
# audits counts only.


@shared_task(name="intel.tasks.intel_records_purge_expired_task", queue="default")
def intel_records_purge_expired_task() -> int:
    from intel.intelligence import intel_records_purge_expired

    return intel_records_purge_expired(actor=None)


@shared_task(name="intel.tasks.memberships_remove_lapsed_task", queue="default")
def memberships_remove_lapsed_task() -> int:
    from intel.groups import memberships_remove_lapsed

    return memberships_remove_lapsed(actor=None)


@shared_task(name="intel.tasks.import_files_delete_expired_task", queue="default")
def import_files_delete_expired_task() -> int:
    from intel.imports import import_files_delete_expired

    return import_files_delete_expired(actor=None)


@shared_task(name="intel.tasks.import_snapshots_delete_expired_task", queue="default")
def import_snapshots_delete_expired_task() -> int:
    from intel.imports import import_snapshots_delete_expired

    return import_snapshots_delete_expired(actor=None)
