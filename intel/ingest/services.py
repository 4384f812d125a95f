"""Imports of police extracts: the services every interface (web, API, CLI, task) calls.

``import_create`` stores the file privately and recognises a file already imported;
``import_preview`` proposes the mapping; ``import_run`` validates the whole file, then writes it
in one transaction (a failure leaves nothing but the import's error); ``import_rollback``
undoes a whole import. ``import_run`` lives in ``run.py`` and ``import_rollback`` in
``rollback.py``; both are services of this module's interface and are imported from here.
Retention of the files and snapshots is in ``retention.py``; live progress is read in
``selectors.py``.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from csu import audit
from csu.actors import is_system
from csu.models import User
from intel.ingest import reading
from intel.ingest.fields import KINDS
from intel.ingest.mapping import Mapping, MappingError, check_required, propose_mapping
from intel.ingest.rollback import import_rollback, rollback_closes_at
from intel.ingest.run import import_run
from intel.ingest.selectors import saved_mapping
from intel.ingest.storage import store_dir, stored_path
from intel.models import Agency, Arrest, DataImport, MappingProfile
from intel.people.resolution.engine import ResolutionSummary
from intel.people.services import RESOLVED_KINDS, people_resolve_import
from intel.signals import arrests_imported

__all__ = [
    "agency_for_import",
    "import_create",
    "import_follow_ups",
    "import_preview",
    "import_queue",
    "import_rollback",
    "import_run",
    "import_upload",
    "mapping_profile_save",
    "rollback_closes_at",
]

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


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


def import_preview(
    *, actor: User, data_import: DataImport, rows: int = 10, options: dict[str, Any] | None = None
) -> Preview:
    """The first rows and the proposed mapping with its confidence, for the analyst to check.
    ``options`` (e.g. ``xy_epsg``) inform the proposal."""
    extract = reading.read_extract(stored_path(data_import), sheet=data_import.sheet or None)
    profile = saved_mapping(data_import)
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


@dataclass
class ImportFollowUps:
    """What ran after an import: ``people`` is the entity resolution of an arrest, shooting or
    case import (``None`` for other kinds, or an import that did not succeed)."""

    people: ResolutionSummary | None = None


@transaction.atomic
def import_follow_ups(*, actor: User, data_import: DataImport) -> ImportFollowUps:
    """What follows a successful import, the same whichever interface ran it (the worker after a
    web or API upload, or the ``import_extract`` command in its own process): the arrests,
    shooting victims or case defendants it brought in are resolved to people, then an arrest
    import's arrests are matched against the watch lists (``intel.signals.arrests_imported``,
    which the alerts app follows). Idempotent: records already linked or queued for review are
    left alone and alerts are made once per arrest and recipient, so a redelivered task changes
    nothing."""
    data_import.refresh_from_db(fields=["status", "kind"])
    done = ImportFollowUps()
    if data_import.status != DataImport.Status.SUCCEEDED:
        return done
    if data_import.kind in RESOLVED_KINDS:
        done.people = people_resolve_import(actor=actor, data_import=data_import)
    if data_import.kind == "arrests":
        # Alert matching (the alerts app listens): after resolution, which links the arrests
        # the identifier and linked-person matches read.
        arrest_ids = list(
            Arrest.objects.filter(data_import=data_import).values_list("pk", flat=True)
        )
        arrests_imported.send(
            sender="import_follow_ups", actor=actor, data_import=data_import, arrest_ids=arrest_ids
        )
    return done


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
