"""Reads about imports: live progress of a running import, the mapping profile it uses."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from intel.models import DataImport, MappingProfile


def progress_key(import_id: int) -> str:
    return f"import-progress:{import_id}"


def import_progress(*, data_import: DataImport) -> dict[str, Any]:
    """Live progress of a running import (kept in Redis: the import's own row is inside the
    import's transaction until it commits)."""
    return cache.get(progress_key(data_import.pk)) or {
        "phase": data_import.get_status_display(),
        "done": data_import.progress_done,
        "total": data_import.progress_total,
    }


def saved_mapping(data_import: DataImport) -> MappingProfile | None:
    """The profile chosen for the import, else the agency's newest one for the kind."""
    if data_import.profile_id:
        return data_import.profile
    return (
        MappingProfile.objects.filter(agency=data_import.agency, kind=data_import.kind)
        .order_by("-updated_at")
        .first()
    )
