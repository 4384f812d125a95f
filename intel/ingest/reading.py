"""Safe, robust reading of police data extracts (CSV or XLSX) into a DataFrame of strings.

``read_extract`` refuses a whole file with an ``ExtractError`` whose ``message`` an analyst can act
on, or returns an ``Extract``: every cell a stripped string ("" when missing), indexed by the
source row number a person sees in Excel or a text editor (the header line of a plain CSV is 1).

This module is the entry point: it sniffs the type from content and hands the file to one reader,
``csv_reader.read_csv`` (rows placed by ``csv_rows.py``) or ``xlsx.read_xlsx``. Both build on
``extract.py`` (the Extract, the errors, the header search and the checks every file gets).
Source rows: when records and physical lines tally, row i is on line i; when quoted values hold
line breaks, each record spans 1 + the breaks inside its values.
"""

from __future__ import annotations

from pathlib import Path

from intel.ingest.csv_reader import read_csv
from intel.ingest.extract import (
    SAY_EXPORT,
    Extract,
    ExtractError,
    default_max_bytes,
    mb,
    safe_upload_name,
)
from intel.ingest.xlsx import is_xlsx, read_xlsx

__all__ = ["Extract", "ExtractError", "read_extract", "safe_upload_name", "sniff_file_type"]

BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "a Linux program (executable)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x00asm", "a WebAssembly program"),
    (b"\xca\xfe\xba\xbe", "a program (executable)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (executable)"),
)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_file_type(path: Path) -> str:
    """ "csv" or "xlsx", decided by the file's content, never its extension."""
    with Path(path).open("rb") as f:
        head = f.read(4096)
    if not head:
        raise ExtractError("This file is empty. " + SAY_EXPORT, code="empty")
    if head.startswith(OLE2_MAGIC):
        raise ExtractError(
            "This is an old-style Excel file (.xls) or a password-protected workbook, which "
            "cannot be read safely. Open it in Excel, remove any password, save it as Excel "
            "Workbook (.xlsx) or CSV, and upload that.",
            code="xls_legacy",
        )
    if head.startswith(ZIP_MAGIC):
        if is_xlsx(path):
            return "xlsx"
        kind = "a zip archive (or a Word/PowerPoint file), not an Excel workbook"
    elif head.startswith(b"MZ") and b"\x00" in head[:1024]:
        kind = "a Windows program (executable)"
    else:
        kind = next((what for magic, what in BINARY_MAGIC if head.startswith(magic)), "")
    if kind:
        raise ExtractError(
            f"This is not a CSV or XLSX file: it looks like {kind}. {SAY_EXPORT}",
            code="not_csv_or_xlsx",
        )
    return "csv"


def read_extract(path: Path, *, sheet: str | None = None, max_bytes: int | None = None) -> Extract:
    """Read a police extract, CSV or XLSX (see the module docstring), or raise ExtractError."""
    path = Path(path)
    limit = default_max_bytes() if max_bytes is None else max_bytes
    size = path.stat().st_size
    if size > limit:
        raise ExtractError(
            f"This file is {mb(size)}, over the {mb(limit)} limit for one upload. Export a "
            "shorter date range (or fewer columns) and upload the parts one at a time.",
            code="too_large",
        )
    if sniff_file_type(path) == "xlsx":
        return read_xlsx(path, sheet=sheet, max_bytes=limit)
    return read_csv(path, limit)
