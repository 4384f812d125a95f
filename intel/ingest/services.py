"""Imports of police extracts: the services every interface (web, API, CLI, task) calls.

``import_create`` stores the file privately and recognises a file already imported;
``import_preview`` proposes the mapping; ``import_run`` validates the whole file, then writes it
in one transaction (a failure leaves nothing but the import's error); ``import_rollback``
undoes a whole import. Retention of the files and snapshots is in ``retention.py``; live progress
is read in ``selectors.py``.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from csu import audit
from csu.actors import is_system
from csu.models import AuditEvent, User
from intel.ingest import reading
from intel.ingest.fields import KINDS
from intel.ingest.load import load, stored_rows
from intel.ingest.mapping import Mapping, MappingError, check_required, propose_mapping
from intel.ingest.normalize import Normalised, normalise_part, prepare
from intel.ingest.selectors import progress_key
from intel.ingest.storage import store_dir, stored_path
from intel.models import Agency, DataImport, ImportChange, MappingProfile, OffenseMapping
from intel.people.resolution.engine import ResolutionSummary
from intel.people.services import people_resolve_import
from intel.records.offenses import BUILTIN

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
PART_ROWS = 100_000  # rows normalised while the previous part streams into PostgreSQL


def agency_for_import(*, name: str, time_zone: str = "") -> Agency:
    """The agency an extract comes from, created on first use (an agency's name is its key).
    A time zone given here becomes the agency's: its local times are read in it."""
    agency, _ = Agency.objects.get_or_create(name=name.strip()[:200])
    if time_zone and agency.time_zone != time_zone:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(
                {
                    "time_zone": f"Unknown time zone {time_zone!r} (use an IANA "
                    "name such as America/Chicago)."
                }
            ) from exc
        agency.time_zone = time_zone
        agency.save(update_fields=["time_zone"])
    return agency


@transaction.atomic
def import_create(
    *,
    actor: User,
    source: BinaryIO,
    original_name: str,
    kind: str,
    agency: Agency,
    sheet: str = "",
    profile: MappingProfile | None = None,
    max_bytes: int | None = None,
) -> DataImport:
    """Store an uploaded extract privately under a generated name, hashing it on the way."""
    if kind not in KINDS:
        raise ValidationError({"kind": f"Unknown kind {kind!r}; use one of {', '.join(KINDS)}."})
    if not is_system(actor) and not actor.has_perm("intel.add_dataimport"):
        raise PermissionDenied
    try:
        name = reading.safe_upload_name(original_name)
    except reading.ExtractError as exc:
        raise ValidationError({"file": exc.message}) from exc
    limit = max_bytes or settings.CSU_IMPORT_MAX_BYTES
    stored = f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:8]}"
    target = store_dir() / stored
    digest, size = hashlib.sha256(), 0
    with open(target, "wb") as out:
        target.chmod(0o600)
        while chunk := source.read(1 << 20):
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise ValidationError(
                    {
                        "file": f"This file is larger than the "
                        f"{limit // (1 << 20)} MB limit for an extract."
                    }
                )
            digest.update(chunk)
            out.write(chunk)
    sha = digest.hexdigest()
    previous = DataImport.objects.filter(
        agency=agency, kind=kind, sha256=sha, sheet=sheet, status=DataImport.Status.SUCCEEDED
    ).first()
    data_import = DataImport.objects.create(
        kind=kind,
        agency=agency,
        original_name=name,
        stored_name=stored,
        sha256=sha,
        size_bytes=size,
        sheet=sheet,
        profile=profile,
        created_by=None if is_system(actor) else actor,
        status=DataImport.Status.DUPLICATE if previous else DataImport.Status.PENDING,
        duplicate_of=previous,
    )
    if previous:
        target.unlink(missing_ok=True)
        data_import.error = (
            f"This file was already imported as import #{previous.pk} on "
            f"{previous.finished_at:%Y-%m-%d %H:%M}; nothing was written."
        )
        data_import.finished_at = data_import.file_deleted_at = timezone.now()
        data_import.save(update_fields=["error", "finished_at", "file_deleted_at"])
    audit.audit_log(
        actor=actor,
        action="import.upload",
        obj=data_import,
        component="import_create",
        kind=kind,
        agency=agency.name,
        bytes=size,
        duplicate_of=getattr(previous, "pk", None),
    )
    return data_import


@transaction.atomic
def import_upload(
    *,
    actor: User,
    source: BinaryIO,
    original_name: str,
    kind: str,
    agency_name: str,
    time_zone: str = "",
    sheet: str = "",
    max_bytes: int | None = None,
) -> DataImport:
    """An upload from the web or the API: find (or create) the agency, then store the file.
    One transaction, so a refused upload leaves no new agency behind."""
    agency = agency_for_import(name=agency_name, time_zone=time_zone)
    return import_create(
        actor=actor,
        source=source,
        original_name=original_name,
        kind=kind,
        agency=agency,
        sheet=sheet,
        max_bytes=max_bytes,
    )


@dataclass
class Preview:
    extract: reading.Extract
    mapping: Mapping
    rows: list[list[str]]
    error: str = ""


def _saved_mapping(data_import: DataImport) -> MappingProfile | None:
    if data_import.profile_id:
        return data_import.profile
    return (
        MappingProfile.objects.filter(agency=data_import.agency, kind=data_import.kind)
        .order_by("-updated_at")
        .first()
    )


def import_preview(
    *, actor: User, data_import: DataImport, rows: int = 10, options: dict[str, Any] | None = None
) -> Preview:
    """The first rows and the proposed mapping with its confidence, for the analyst to check.
    ``options`` (e.g. ``xy_epsg``) inform the proposal."""
    extract = reading.read_extract(stored_path(data_import), sheet=data_import.sheet or None)
    profile = _saved_mapping(data_import)
    saved = Mapping.from_json(profile.mapping) if profile else None
    if options:
        saved = saved or Mapping()
        saved.options.update(options)
    mapping = propose_mapping(extract.frame, data_import.kind, saved)
    error = ""
    try:
        check_required(mapping, data_import.kind, extract.headers)
    except MappingError as exc:
        error = exc.message
    head = extract.frame.head(rows)
    return Preview(
        extract,
        mapping,
        [[str(i), *row] for i, row in zip(head.index, head.to_numpy().tolist(), strict=True)],
        error,
    )


@transaction.atomic
def import_queue(
    *, actor: User, data_import: DataImport, mapping: Mapping | None = None
) -> DataImport:
    """Hand an import to a worker (after this transaction commits): with the mapping the
    analyst confirmed, or none to let the worker map it automatically (API uploads)."""
    from intel.ingest.tasks import import_run_task

    updated = DataImport.objects.filter(pk=data_import.pk, status=DataImport.Status.PENDING).update(
        status=DataImport.Status.QUEUED
    )
    if updated:
        import_run_task.delay_on_commit(
            data_import.pk, actor.pk, mapping.as_json() if mapping else None
        )
    data_import.refresh_from_db()
    return data_import


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
            profile = _saved_mapping(data_import)
            mapping = propose_mapping(
                extract.frame,
                data_import.kind,
                Mapping.from_json(profile.mapping) if profile else None,
            )
        check_required(mapping, data_import.kind, extract.headers)
        patterns = _offense_patterns(data_import.agency)
        zone = time_zone or data_import.agency.time_zone or settings.TIME_ZONE
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
            rejects, quality = list(prepared.rejects), Counter()

            def parts() -> Iterator[Normalised]:
                for start in range(0, len(prepared.frame), PART_ROWS):
                    part = normalise_part(
                        prepared,
                        slice(start, start + PART_ROWS),
                        mapping,
                        data_import.kind,
                        patterns=patterns,
                        time_zone=zone,
                    )
                    rejects.extend(part.rejects)
                    quality.update(part.quality)
                    yield part

            counts = load(
                import_id=data_import.pk,
                agency_id=data_import.agency_id,
                kind=data_import.kind,
                parts=parts(),
                stored=stored,
                total=len(prepared.frame),
                progress=report,
            )
            DataImport.objects.filter(pk=data_import.pk).update(
                status=DataImport.Status.SUCCEEDED,
                rows=total,
                created=counts.created,
                updated=counts.updated,
                unchanged=prepared.unchanged,
                rejected=len(rejects),
                rejects=sorted(rejects)[:100_000],
                quality=dict(quality),
                mapping={"columns": mapping.columns, "options": mapping.options},
                mapping_notes=mapping.notes,
                finished_at=timezone.now(),
                seconds=time.monotonic() - started,
                progress_done=total,
                progress_total=total,
                phase="done",
            )
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


@dataclass
class ImportFollowUps:
    """What ran after an import: ``people`` is the entity resolution of an arrest import
    (``None`` for other kinds, or an import that did not succeed)."""

    people: ResolutionSummary | None = None


@transaction.atomic
def import_follow_ups(*, actor: User, data_import: DataImport) -> ImportFollowUps:
    """What follows a successful import, the same whichever interface ran it (the worker after a
    web or API upload, or the ``import_extract`` command in its own process): the arrests it
    brought in are resolved to people. Alert matching joins here. Idempotent: arrests already
    linked or queued for review are left alone, so a redelivered task changes nothing."""
    data_import.refresh_from_db(fields=["status", "kind"])
    done = ImportFollowUps()
    if data_import.status != DataImport.Status.SUCCEEDED:
        return done
    if data_import.kind == "arrests":
        done.people = people_resolve_import(actor=actor, data_import=data_import)
    return done


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
        cursor.execute(
            f'DELETE FROM "{table}" WHERE first_import_id = %s',  # noqa: S608
            [data_import.pk],
        )
        removed = cursor.rowcount
        cursor.execute(
            f'UPDATE "{table}" t SET {assignments} FROM intel_importchange c, '  # noqa: S608
            f'LATERAL jsonb_populate_record(NULL::"{table}", c.before) b '
            "WHERE c.data_import_id = %s AND c.record_id = t.id",
            [data_import.pk],
        )
        restored = cursor.rowcount
    ImportChange.objects.filter(data_import=data_import).delete()
    data_import.status = DataImport.Status.ROLLED_BACK
    data_import.save(update_fields=["status"])
    audit.audit_log(
        actor=actor, action="import.rollback", obj=data_import, removed=removed, restored=restored
    )
    return data_import


def rollback_closes_at(data_import: DataImport) -> datetime | None:
    """When the import can no longer be rolled back (None while it has not finished)."""
    if data_import.finished_at is None:
        return None
    return data_import.finished_at + timedelta(days=settings.CSU_IMPORT_ROLLBACK_DAYS)


@transaction.atomic
def mapping_profile_save(
    *, actor: User, agency: Agency, kind: str, name: str, mapping: Mapping, headers: list[str]
) -> MappingProfile:
    profile, _ = MappingProfile.objects.update_or_create(
        agency=agency,
        kind=kind,
        name=name.strip()[:100],
        defaults={
            "mapping": mapping.as_json(),
            "headers": headers,
            "created_by": None if is_system(actor) else actor,
        },
    )
    audit.audit_log(actor=actor, action="import.profile_save", obj=profile)
    return profile
