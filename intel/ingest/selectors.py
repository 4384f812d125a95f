"""Reads about imports for interfaces: live progress of a running import."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from intel.models import DataImport


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
