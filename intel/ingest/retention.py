"""Retention of what an import leaves behind: the uploaded extract files and the rollback
snapshots, each deleted after its window by a daily task (as the system actor). The import's
summary, counts and rejected-row reasons stay."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from csu import audit
from intel.ingest.storage import store_dir
from intel.models import DataImport, ImportChange

if TYPE_CHECKING:
    from csu.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def import_files_delete_expired(*, actor: User, now: datetime | None = None) -> int:
    """Delete the extract files of imports that finished ``CSU_IMPORT_FILE_RETENTION_DAYS``
    ago (and of uploads abandoned before mapping for as long), and say so on the import. The
    summary, counts and rejected-row reasons stay. Selected by predicate, so a second run
    changes nothing. Run daily by beat as the system actor."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CSU_IMPORT_FILE_RETENTION_DAYS)
    due = (
        DataImport.objects.select_for_update()
        .filter(file_deleted_at__isnull=True)
        .filter(
            Q(finished_at__lt=cutoff)
            | Q(finished_at__isnull=True, status=DataImport.Status.PENDING, created_at__lt=cutoff)
        )
    )
    count = 0
    for data_import in due:
        # The row's update commits with the transaction; an unlinked file cannot come back,
        # so a rollback after this point only means the next run marks it again.
        (store_dir() / data_import.stored_name).unlink(missing_ok=True)
        data_import.file_deleted_at = now
        data_import.save(update_fields=["file_deleted_at"])
        count += 1
    audit.audit_log(
        actor=actor,
        action="retention.run",
        component="import_files_delete_expired",
        files_deleted=count,
    )
    logger.info("retention import_files_delete_expired: files_deleted=%d", count)
    return count


@transaction.atomic
def import_snapshots_delete_expired(*, actor: User, now: datetime | None = None) -> int:
    """Delete the rollback snapshots (the before-images of changed rows) of imports whose
    ``CSU_IMPORT_ROLLBACK_DAYS`` window has closed; rollback is refused from then on. Selected
    by predicate, so a second run changes nothing. Run daily by beat as the system actor."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CSU_IMPORT_ROLLBACK_DAYS)
    due = DataImport.objects.select_for_update().filter(
        snapshot_deleted_at__isnull=True, status=DataImport.Status.SUCCEEDED, finished_at__lt=cutoff
    )
    imports_closed = rows_deleted = 0
    for data_import in due:
        rows_deleted += ImportChange.objects.filter(data_import=data_import).delete()[0]
        data_import.snapshot_deleted_at = now
        data_import.save(update_fields=["snapshot_deleted_at"])
        imports_closed += 1
    audit.audit_log(
        actor=actor,
        action="retention.run",
        component="import_snapshots_delete_expired",
        imports=imports_closed,
        snapshot_rows=rows_deleted,
    )
    logger.info(
        "retention import_snapshots_delete_expired: imports=%d snapshot_rows=%d",
        imports_closed,
        rows_deleted,
    )
    return imports_closed
