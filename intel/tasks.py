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
    return result.status
