"""Where uploaded extracts are kept: a private folder under MEDIA_ROOT, never served. The import
services write and read there; retention deletes from it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from intel.ingest.extract import ExtractError
from intel.models import DataImport


def store_dir() -> Path:
    """The folder, created owner-only on first use."""
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def stored_path(data_import: DataImport) -> Path:
    """Where the extract is kept; refused once retention has deleted it."""
    if data_import.file_deleted_at is not None:
        raise ExtractError(
            f"The uploaded file was deleted on {data_import.file_deleted_at:%Y-%m-%d} "
            f"({settings.CSU_IMPORT_FILE_RETENTION_DAYS} days after the import finished); "
            "upload it again to import it.",
            code="file_deleted",
        )
    return store_dir() / data_import.stored_name
