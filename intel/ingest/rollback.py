"""``import_rollback``: undo a whole import within its rollback window, from the
before-images the load saved (records and their parts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from csu import audit
from csu.actors import is_system
from csu.models import User
from intel.ingest.fields import KINDS
from intel.ingest.fold import PARTS
from intel.models import DataImport, ImportChange
from intel.signals import records_changed


@transaction.atomic
def import_rollback(*, actor: User, data_import: DataImport) -> DataImport:
    """Undo a whole import: remove what it created, restore what it changed. Only within
    ``CSU_IMPORT_ROLLBACK_DAYS`` of its finishing: after that its snapshot is deleted."""
    from django.apps import apps

    if not is_system(actor) and not actor.has_perm("intel.rollback_dataimport"):
        raise PermissionDenied
    data_import = DataImport.objects.select_for_update().get(pk=data_import.pk)
    if data_import.status != DataImport.Status.SUCCEEDED:
        raise ValidationError("Only a successful import can be rolled back.")
    closes = rollback_closes_at(data_import)
    if data_import.snapshot_deleted_at is not None or (closes and closes <= timezone.now()):
        raise ValidationError(
            f"The rollback window of {settings.CSU_IMPORT_ROLLBACK_DAYS} days closed on "
            f"{closes or data_import.snapshot_deleted_at:%Y-%m-%d}: the before-images were "
            "deleted, so this import can no longer be undone. Correct the records with a new "
            "extract instead."
        )
    later = DataImport.objects.filter(
        agency=data_import.agency,
        kind=data_import.kind,
        status=DataImport.Status.SUCCEEDED,
        created_at__gt=data_import.created_at,
    ).first()
    if later:
        raise ValidationError(
            f"Import #{later.pk} of the same agency and kind came later; roll it back first."
        )
    model = apps.get_model("intel", KINDS[data_import.kind].model)
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields]
    assignments = ", ".join(f'"{c}" = b."{c}"' for c in columns if c != "id")
    with connection.cursor() as cursor:
        if data_import.kind in PARTS:
            _rollback_parts(cursor, data_import, table)
        cursor.execute(
            f'DELETE FROM "{table}" WHERE first_import_id = %s',  # noqa: S608
            [data_import.pk],
        )
        removed = cursor.rowcount
        cursor.execute(
            f'UPDATE "{table}" t SET {assignments} FROM intel_importchange c, '  # noqa: S608
            f'LATERAL jsonb_populate_record(NULL::"{table}", c.before) b '
            'WHERE c.data_import_id = %s AND c."table" = %s AND c.record_id = t.id',
            [data_import.pk, table],
        )
        restored = cursor.rowcount
    ImportChange.objects.filter(data_import=data_import).delete()
    data_import.status = DataImport.Status.ROLLED_BACK
    data_import.save(update_fields=["status"])
    records_changed.send(sender="import_rollback", data_import=data_import)
    audit.audit_log(
        actor=actor, action="import.rollback", obj=data_import, removed=removed, restored=restored
    )
    return data_import


def _rollback_parts(cursor: Any, data_import: DataImport, table: str) -> None:
    """Remove the parts of the records the import created or changed, and put back the parts
    the changed records had before (saved as before-images by the load)."""
    from django.apps import apps

    spec = PARTS[data_import.kind]
    parts_table = apps.get_model("intel", spec.model)._meta.db_table
    parent = spec.parent_column
    cursor.execute(
        f'DELETE FROM "{parts_table}" WHERE "{parent}" IN ('  # noqa: S608
        f'SELECT id FROM "{table}" WHERE first_import_id = %s UNION '
        'SELECT record_id FROM intel_importchange WHERE data_import_id = %s AND "table" = %s)',
        [data_import.pk, data_import.pk, table],
    )
    cursor.execute(
        f'INSERT INTO "{parts_table}" SELECT (jsonb_populate_record(NULL::"{parts_table}", '  # noqa: S608
        'c.before)).* FROM intel_importchange c WHERE c.data_import_id = %s AND c."table" = %s',
        [data_import.pk, parts_table],
    )


def rollback_closes_at(data_import: DataImport) -> datetime | None:
    """When the import can no longer be rolled back (None while it has not finished)."""
    if data_import.finished_at is None:
        return None
    return data_import.finished_at + timedelta(days=settings.CSU_IMPORT_ROLLBACK_DAYS)
