"""Celery entry points of imports: ids in, one service call, idempotent. Task names keep the
``intel.tasks.`` prefix they were queued and scheduled under (CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from celery import shared_task

from intel.ingest.mapping import Mapping

if TYPE_CHECKING:
    from csu.models import User


def _actor(user_id: int | None) -> User:
    """The user who started the import, or the system actor when none did (or they are gone)."""
    from csu.actors import system_actor
    from csu.models import User

    user = User.objects.filter(pk=user_id).first() if user_id else None
    return user or system_actor()


@shared_task(name="intel.tasks.import_run_task", queue="imports", acks_late=True)
def import_run_task(
    import_id: int, user_id: int | None = None, mapping: dict[str, Any] | None = None
) -> str:
    from intel.ingest.services import import_run
    from intel.models import DataImport

    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None:
        return "missing"
    result = import_run(
        actor=_actor(user_id),
        data_import=data_import,
        mapping=Mapping.from_json(mapping) if mapping else None,
    )
    if result.status == DataImport.Status.SUCCEEDED:
        import_follow_ups_task.delay(result.pk, user_id)
    return result.status


@shared_task(name="intel.tasks.import_follow_ups_task", queue="imports", acks_late=True)
def import_follow_ups_task(import_id: int, user_id: int | None = None) -> dict[str, Any]:
    """What follows a successful import (entity resolution of arrests), in its own task so a
    slow resolution never holds the import's delivery. Idempotent, as its service is."""
    from intel.ingest.services import import_follow_ups
    from intel.models import DataImport

    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None:
        return {"missing": import_id}
    done = import_follow_ups(actor=_actor(user_id), data_import=data_import)
    if done.people:
        # Resolution linked arrests to people: the candidate scores count them once linked.
        # (The import's commit queued a run already; this one is dropped if it has not
        # started yet, and queued if it has.)
        from intel.priority.tasks import scores_compute_queue

        scores_compute_queue()
    return {"people": vars(done.people) if done.people else None}


# Retention, run daily by beat (CELERY_BEAT_SCHEDULE) as the system actor. Each service selects
# what is due by predicate, so a redelivered or repeated run changes nothing; each returns and
# audits counts only.


@shared_task(name="intel.tasks.import_files_delete_expired_task", queue="default")
def import_files_delete_expired_task() -> int:
    from csu.actors import system_actor
    from intel.ingest.retention import import_files_delete_expired

    return import_files_delete_expired(actor=system_actor())


@shared_task(name="intel.tasks.import_snapshots_delete_expired_task", queue="default")
def import_snapshots_delete_expired_task() -> int:
    from csu.actors import system_actor
    from intel.ingest.retention import import_snapshots_delete_expired

    return import_snapshots_delete_expired(actor=system_actor())
