"""Celery entry points of people: ids in, one service call, idempotent."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="intel.tasks.people_resolve_task", queue="imports", acks_late=True)
def people_resolve_task(import_id: int, user_id: int | None = None) -> dict[str, Any]:
    """Entity resolution for the arrests, shooting victims or case defendants an import brought
    in. Idempotent: records already linked or queued for review are left alone. Imports now queue
    ``intel.tasks.import_follow_ups_task`` instead; this name stays registered for the messages
    queued under it before."""
    from csu.actors import system_actor
    from csu.models import User
    from intel.models import DataImport
    from intel.people.services import people_resolve_import

    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None:
        return {"missing": import_id}
    actor = (User.objects.filter(pk=user_id).first() if user_id else None) or system_actor()
    return vars(people_resolve_import(actor=actor, data_import=data_import))
