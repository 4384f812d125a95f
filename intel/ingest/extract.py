"""What every extract reader shares: the ``Extract`` a reader returns, the ``ExtractError`` it
raises, the header search, column naming and the checks every source gets (blank rows dropped,
formula cells refused, the upload name made safe).

The CSV reader (``csv_reader.py``, with row placement in ``csv_rows.py``) and the XLSX reader
(``xlsx.py``) build on this module; ``reading.read_extract`` picks one. Nothing here imports a
reader, so the imports run one way: reading -> readers -> extract.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils.cell import get_column_letter

GIB = 1024**3
HEADER_WITHIN = 20  # the header must be one of the first 20 records
HEAD_RECORDS = 60  # records sampled to find "the widest row"
SHOWN = 5  # offending lines/cells named in an error
SAY_EXPORT = "Export it again from the source system as CSV or Excel (.xlsx) and upload that."

# A cell Excel or LibreOffice would run: a function call (=HYPERLINK(, @SUM() or DDE (=cmd|, +cmd|).
NAME = r"[=@+\-\s]*[A-Za-z_][A-Za-z0-9_.]*\s*"
FORMULA = rf"^(?:[=@]{NAME}\(|[=@+\-]{NAME}\|)"
FORMULA_RE = re.compile(FORMULA)
NUMERIC_RE = re.compile(
    r"[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?"  # 12, -3.5, 1,234, 1e5, 40%
    r"|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:[AaPp][Mm])?)?"
    r"|\d{1,2}:\d\d(?::\d\d)?\s*(?:[AaPp][Mm])?"
)
BIDI_AND_FORMAT = "Cf"  # unicode category of invisible format characters (RLO, zero-width, ...)
WINDOWS_RESERVED = str.maketrans(dict.fromkeys('<>:"|?*', "_"))


class ExtractError(Exception):
    """The whole file cannot be imported. ``message`` is shown to the analyst as is: plain words,
    what is wrong and what to do, e.g. 'This file is empty.'"""

    def __init__(self, message: str, *, code: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = list(details or [])

    def __str__(self) -> str:
        return self.message


@dataclass
class Extract:
    """A file read into strings. ``frame``'s index is the source row number (see module doc)."""

    frame: pd.DataFrame
    headers: list[str]
    file_type: str
    encoding: str | None
    sheet: str | None
    sheets: list[str]
    skipped_rows: list[int]


def safe_upload_name(name: str) -> str:
    """The file's base name, safe to store as metadata and to offer as a download name."""
    bad = ExtractError(
        "This file name cannot be used. Rename the file to something simple, such as "
        "'arrests 2024.csv', and upload it again.",
        code="path_name",
    )
    if "\x00" in name or ".." in re.split(r"[/\\]", name):
        raise bad
    base = re.split(r"[/\\]", name)[-1]
    base = "".join(
        c
        for c in unicodedata.normalize("NFC", base)
        if unicodedata.category(c) not in ("Cc", BIDI_AND_FORMAT)
    )
    base = base.translate(WINDOWS_RESERVED).strip().rstrip(".")
    if not base or base in (".", ".."):
        raise bad
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        keep = dot + ext if dot and len(ext) <= 10 else ""
        base = (stem if keep else base)[: 200 - len(keep)].rstrip() + keep
    return base


def find_header(rows: Sequence[Sequence[str]]) -> int | None:
    """Position of the header among the first rows: the first of the first 20 with at least 60% as
    many non-empty cells as the widest sampled row and mostly non-numeric cells; else None."""
    filled = [[c.strip() for c in row if c.strip()] for row in rows[:HEAD_RECORDS]]
    widest = max(map(len, filled), default=0)
    for i, cells in enumerate(filled[:HEADER_WITHIN]):
        if cells and len(cells) >= 0.6 * widest:
            numeric = sum(1 for c in cells if NUMERIC_RE.fullmatch(c))
            if numeric * 2 < len(cells):
                return i
    return None


def default_max_bytes() -> int:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        value = getattr(settings, "CSU_IMPORT_MAX_BYTES", None)
    except ImproperlyConfigured:  # used outside a configured Django process
        value = None
    return int(value) if value else GIB


def mb(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def no_header_error() -> ExtractError:
    return ExtractError(
        "No header row was found in the first 20 rows. The first row of the table must name "
        "each column (for example 'Case Number, Date, Offense'). Add a header row, or export "
        "again with column names, and upload again.",
        code="no_header",
    )


def _clean_headers(raw: Sequence[str]) -> list[str]:
    names: list[str] = []
    for i, cell in enumerate(raw, 1):
        spaced = " ".join(cell.split())  # tabs, line breaks, runs of spaces: one space
        text = "".join(c for c in spaced if unicodedata.category(c) not in ("Cc", "Cf"))
        base = name = text or f"column_{i}"
        k = 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


def build_extract(
    table: pa.Table,
    index: np.ndarray,
    header: list[str],
    header_row: int,
    skipped: list[int],
    file_type: str,
    encoding: str | None,
    sheet: str | None,
    sheets: list[str],
    *,
    check_formulas: bool,
) -> Extract:
    """The Extract of a table of raw string columns (one per header cell) whose rows sit on the
    source rows ``index``: strip values, drop blank rows, refuse formulas, name the columns."""
    columns = [pc.utf8_trim_whitespace(c) for c in table.columns]
    keep = np.zeros(table.num_rows, dtype=bool)
    for col in columns:
        keep |= pc.greater(pc.binary_length(col), 0).to_numpy(zero_copy_only=False)
    skipped = sorted([*skipped, *index[~keep].tolist()])
    if not keep.any():
        raise ExtractError(
            "This file has a header row but no data rows. Check the export's date range and "
            "filters, export again, and upload the new file.",
            code="header_only",
        )
    if not keep.all():
        mask = pa.array(keep)
        columns, index = [c.filter(mask) for c in columns], index[keep]
    headers = _clean_headers(header)
    if check_formulas:
        _refuse_formulas(columns, index, header, header_row, headers, sheet)
    named = [bool(c.strip()) for c in header]
    used = [
        j
        for j, col in enumerate(columns)  # drop unnamed columns that hold nothing
        if named[j] or pc.any(pc.greater(pc.binary_length(col), 0)).as_py()
    ]
    frame = pa.table({f"c{j}": columns[j] for j in used}).to_pandas()
    frame.columns = [headers[j] for j in used]
    frame.index = pd.Index(index, name="row")
    return Extract(
        frame=frame,
        headers=list(frame.columns),
        file_type=file_type,
        encoding=encoding,
        sheet=sheet,
        sheets=sheets,
        skipped_rows=skipped,
    )


def _refuse_formulas(
    columns: list[pa.ChunkedArray],
    index: np.ndarray,
    header: list[str],
    header_row: int,
    headers: list[str],
    sheet: str | None,
) -> None:
    def where(row: int, j: int) -> str:
        if sheet:
            return f"{sheet}!{get_column_letter(j + 1)}{row}"
        return f'row {row}, column "{headers[j]}"'

    found = [
        f"{where(header_row, j)} (header)"
        for j, c in enumerate(header)
        if FORMULA_RE.match(c.strip())
    ]
    for j, col in enumerate(columns):  # cheap literal search first: a formula has "(" or "|"
        maybe = pc.or_(pc.match_substring(col, "("), pc.match_substring(col, "|"))
        if pc.any(maybe).as_py():
            rows = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))
            hits = pc.match_substring_regex(col.filter(maybe), FORMULA)
            found += [
                where(int(index[rows[i]]), j)
                for i in np.flatnonzero(hits.to_numpy(zero_copy_only=False))[:SHOWN]
            ]
    if found:
        raise ExtractError(
            f"This file has cells that spreadsheet programs would run as formulas ("
            f"{'; '.join(found[:SHOWN])}). Extracts must hold plain values: export again, or "
            "copy the cells and use Paste Special > Values, then upload.",
            code="formula_cells",
            details=found[:SHOWN],
        )
