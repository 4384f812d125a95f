"""``import_run``: validate a whole extract, then write it in one transaction.

Reading, mapping, preparing (whole file), normalising part by part while the previous part
streams into PostgreSQL, loading, and the import's row updated with what happened. A failure
leaves nothing but the import's error.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from csu import audit
from csu.models import AuditEvent, User
from intel.ingest import reading
from intel.ingest.columns import row_key_count
from intel.ingest.load import load, stored_rows
from intel.ingest.mapping import Mapping, MappingError, check_required, propose_mapping
from intel.ingest.normalize import Normalised, normalise_part, prepare
from intel.ingest.selectors import progress_key, saved_mapping
from intel.ingest.storage import stored_path
from intel.models import Agency, DataImport, OffenseMapping
from intel.records.offenses import BUILTIN
from intel.signals import records_changed

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
PART_ROWS = 100_000  # rows normalised while the previous part streams into PostgreSQL
FIRST_PART_ROWS = 10_000  # a small first part: the COPY starts sooner


def _offense_patterns(agency: Agency) -> list[tuple[str, str, str]]:
    """The analyst's lookup rows (this agency's first, then everyone's) override built-ins."""
    patterns: dict[str, tuple[str, str, str]] = {p[0]: p for p in BUILTIN}
    rows = OffenseMapping.objects.filter(Q(agency=agency) | Q(agency__isnull=True))
    for row in sorted(rows, key=lambda r: r.agency_id is not None):
        patterns[row.pattern.upper()] = (row.pattern.upper(), row.category, row.nibrs_code)
    return list(patterns.values())


def import_run(
    *,
    actor: User,
    data_import: DataImport,
    mapping: Mapping | None = None,
    time_zone: str | None = None,
    progress: Progress | None = None,
) -> DataImport:
    """Validate and write a whole extract. Idempotent: a finished import is returned as is.

    ``running`` is accepted too: a worker that died mid-import left that status behind (its
    transaction rolled back), and the redelivered task must finish the job. Two deliveries at
    once are serialised by the import lock, and the second finds the import done.
    """
    data_import.refresh_from_db()
    if data_import.status not in (
        DataImport.Status.PENDING,
        DataImport.Status.QUEUED,
        DataImport.Status.RUNNING,
        DataImport.Status.FAILED,
    ):
        return data_import
    started = time.monotonic()
    key = progress_key(data_import.pk)

    def report(phase: str, done: int, total: int) -> None:
        cache.set(key, {"phase": phase, "done": done, "total": total}, timeout=3600)
        if progress:
            progress(phase, done, total)

    DataImport.objects.filter(pk=data_import.pk).update(
        status=DataImport.Status.RUNNING, started_at=timezone.now(), error="", error_code=""
    )
    try:
        report("reading the file", 0, 0)
        extract = reading.read_extract(stored_path(data_import), sheet=data_import.sheet or None)
        total = len(extract.frame)
        report("mapping columns", 0, total)
        if mapping is None:
            profile = saved_mapping(data_import)
            mapping = propose_mapping(
                extract.frame,
                data_import.kind,
                Mapping.from_json(profile.mapping) if profile else None,
            )
        check_required(mapping, data_import.kind, extract.headers)
        patterns = _offense_patterns(data_import.agency)
        zone = time_zone or data_import.agency.time_zone or settings.TIME_ZONE or "UTC"
        with transaction.atomic():
            report("comparing with stored records", 0, total)
            stored = stored_rows(agency_id=data_import.agency_id, kind=data_import.kind)
            if DataImport.objects.select_for_update().get(pk=data_import.pk).status in (
                DataImport.Status.SUCCEEDED,
                DataImport.Status.DUPLICATE,
                DataImport.Status.ROLLED_BACK,
            ):
                raise _AlreadyDone
            report("validating rows", 0, total)
            prepared = prepare(extract.frame, mapping, data_import.kind, stored)
            rejects, quality, notes = list(prepared.rejects), Counter[str](), Counter[str]()

            def parts() -> Iterator[Normalised]:
                for rows in prepared.slices(PART_ROWS, first=FIRST_PART_ROWS):
                    part = normalise_part(
                        prepared,
                        rows,
                        mapping,
                        data_import.kind,
                        patterns=patterns,
                        time_zone=zone,
                    )
                    rejects.extend(part.rejects)
                    quality.update(part.quality)
                    notes.update(part.notes)
                    yield part

            counts = load(
                import_id=data_import.pk,
                agency_id=data_import.agency_id,
                kind=data_import.kind,
                batches=parts(),
                total=len(prepared.frame),
                new_records=prepared.new_records,
                progress=report,
            )
            DataImport.objects.filter(pk=data_import.pk).update(
                status=DataImport.Status.SUCCEEDED,
                rows=total,
                created=counts.created,
                updated=counts.updated,
                unchanged=prepared.unchanged,
                rejected=len(rejects),
                folded=counts.folded,
                parts=counts.parts,
                rejects=sorted(rejects)[:100_000],
                quality=dict(quality),
                mapping={"columns": mapping.columns, "options": mapping.options},
                mapping_notes=_run_notes(mapping, prepared.source_ids, notes),
                finished_at=timezone.now(),
                seconds=time.monotonic() - started,
                progress_done=total,
                progress_total=total,
                phase="done",
            )
            records_changed.send(sender="import_run", data_import=data_import)
    except _AlreadyDone:
        data_import.refresh_from_db()
        return data_import  # another delivery of the same task finished it meanwhile
    except IntegrityError:
        # Another upload of the same file succeeded meanwhile (the partial unique index).
        twin = DataImport.objects.filter(
            agency=data_import.agency,
            kind=data_import.kind,
            sha256=data_import.sha256,
            sheet=data_import.sheet,
            status=DataImport.Status.SUCCEEDED,
        ).first()
        _fail(
            data_import,
            "This file was imported meanwhile by another upload; nothing was written.",
            "duplicate",
            status=DataImport.Status.DUPLICATE,
            duplicate_of=twin,
        )
    except reading.ExtractError as exc:
        _fail(data_import, exc.message, exc.code, details=exc.details)
    except MappingError as exc:
        _fail(data_import, exc.message, "mapping")
    except Exception as exc:
        _fail(
            data_import,
            f"The import failed and wrote nothing ({type(exc).__name__}: {str(exc)[:300]}).",
            "internal",
        )
        raise
    finally:
        cache.delete(key)
    data_import.refresh_from_db()
    audit.audit_log(
        actor=actor,
        action="import.run",
        obj=data_import,
        component="import_run",
        outcome=(
            AuditEvent.Outcome.SUCCESS
            if data_import.status == DataImport.Status.SUCCEEDED
            else AuditEvent.Outcome.FAILURE
        ),
        status=data_import.status,
        rows=data_import.rows,
        created=data_import.created,
        updated=data_import.updated,
        rejected=data_import.rejected,
    )
    return data_import


def _run_notes(mapping: Mapping, source_ids: pd.Series, counts: Counter[str]) -> dict[str, str]:
    """The mapping's notes, with what the run found row by row: rows keyed by a hash because
    their id cell was empty, rows timed by their report date because they had no occurrence."""
    notes = dict(mapping.notes)
    if "source_id" in mapping.columns:
        hashed = int(row_key_count(source_ids))
        if hashed:
            notes["source_id"] += (
                f"; {hashed:,} rows had no id and are keyed by a hash of their cells"
            )
    stood_in = counts.get("when_from_report", 0)
    if stood_in and "when" in notes:
        notes["when"] += f"; {stood_in:,} rows had no date here: their report date was used"
    return notes


class _AlreadyDone(Exception):
    """Leaves the import's transaction untouched: the import was finished by another run."""


def _fail(
    data_import: DataImport,
    message: str,
    code: str,
    *,
    details: list[str] | None = None,
    status: str = DataImport.Status.FAILED,
    duplicate_of: DataImport | None = None,
) -> None:
    text = message if not details else message + "\n" + "\n".join(details[:10])
    DataImport.objects.filter(pk=data_import.pk).update(
        status=status,
        error=text,
        error_code=code,
        finished_at=timezone.now(),
        duplicate_of=duplicate_of,
    )
