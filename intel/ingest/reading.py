"""Safe, robust reading of police data extracts (CSV or XLSX) into a DataFrame of strings.

``read_extract`` refuses a whole file with an ``ExtractError`` whose ``message`` an analyst can act
on, or returns an ``Extract``: every cell a stripped string ("" when missing), indexed by the
source row number a person sees in Excel or a text editor (the header line of a plain CSV is 1).

CSV, about a second per million rows: the type is sniffed from content (never the extension);
decoding is UTF-8 (BOM or not), UTF-16/32, then cp1252, then latin-1; binary and NUL checks; the
delimiter and the header (after any junk lines) are found in the first 256 KB; pyarrow parses the
rest in one pass, counting rows with more fields than the header (refused) or fewer (padded).
Source rows: when records and physical lines tally, row i is on line i; when quoted values hold
line breaks, each record spans 1 + the breaks inside its values. Short rows are found by re-reading
the lines as text and put back in place (pandas' C parser pads them when quoted line breaks are
also present). Row placement: see ``csv_rows.py``; XLSX: see ``xlsx.py``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils.cell import get_column_letter

from intel.ingest.csv_rows import _line_of, _parse_region, _place_short_lines

GIB = 1024**3
HEAD_BYTES = 256 * 1024  # decoded head used for sniffing the delimiter and finding the header
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
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "a Linux program (executable)"), (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"), (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"SQLite format 3\x00", "an SQLite database"), (b"\x00asm", "a WebAssembly program"),
    (b"\xca\xfe\xba\xbe", "a program (executable)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (executable)"),
)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BIDI_AND_FORMAT = "Cf"  # unicode category of invisible format characters (RLO, zero-width, ...)
LINE_END_RE = re.compile(rb"\r\n?|\n")
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
        c for c in unicodedata.normalize("NFC", base)
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


def sniff_file_type(path: Path) -> str:
    """"csv" or "xlsx", decided by the file's content, never its extension."""
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
        from intel.ingest.xlsx import is_xlsx  # here: xlsx.py imports this module

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
    limit = _default_max_bytes() if max_bytes is None else max_bytes
    size = path.stat().st_size
    if size > limit:
        raise ExtractError(
            f"This file is {_mb(size)}, over the {_mb(limit)} limit for one upload. Export a "
            "shorter date range (or fewer columns) and upload the parts one at a time.",
            code="too_large",
        )
    if sniff_file_type(path) == "xlsx":
        from intel.ingest.xlsx import read_xlsx  # here: xlsx.py imports this module

        return read_xlsx(path, sheet=sheet, max_bytes=limit)
    return _read_csv(path, limit)


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


def _default_max_bytes() -> int:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        value = getattr(settings, "CSU_IMPORT_MAX_BYTES", None)
    except ImproperlyConfigured:  # used outside a configured Django process
        value = None
    return int(value) if value else GIB


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _decode(raw: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes without a BOM, and the encoding it was read with."""
    utf16 = _utf16_without_bom(raw[:4096])
    try:
        if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            return raw.decode("utf-32").encode(), "utf-32"
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return raw.decode("utf-16").encode(), "utf-16"
        if utf16:
            return raw.decode(utf16).encode(), utf16
    except UnicodeDecodeError as exc:
        raise _not_text() from exc
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[3:] if bom else raw
    try:
        if not body.isascii():
            body.decode("utf-8")
        return body, "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            return body.decode(encoding).encode(), encoding
        except UnicodeDecodeError:
            continue
    raise _not_text()  # unreachable: latin-1 decodes any bytes


def _utf16_without_bom(sample: bytes) -> str | None:
    even, odd = sample[0::2], sample[1::2]
    if len(sample) < 8:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _not_text() -> ExtractError:
    return ExtractError(
        "This file is not readable text, so it is not a CSV export: it may be another kind of "
        f"file renamed to .csv, or damaged. {SAY_EXPORT}",
        code="encoding",
    )


def _sniff_delimiter(lines: list[str]) -> str:
    hint = re.fullmatch(r"sep=(.)\s*", lines[0]) if lines else None  # Excel's "sep=;" line
    if hint:
        return hint.group(1)
    sample = [line for line in lines[:HEAD_RECORDS] if any(d in line for d in ",;\t|")][:30]
    if not sample:
        return ","
    try:
        return csv.Sniffer().sniff("".join(sample), delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _bad_quoting(exc: Exception) -> ExtractError:
    return ExtractError(
        "The rows of this file cannot be told apart: a quotation mark (\") seems to open a value "
        f"that is never closed, or a value is far too long. {SAY_EXPORT}",
        code="bad_quoting",
        details=[str(exc)[:200]],
    )


def _read_csv(path: Path, limit: int) -> Extract:
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:  # grew after stat()
        raise ExtractError(f"This file is over the {_mb(limit)} limit.", code="too_large")
    data, encoding = _decode(data)  # (big buffers are dropped as soon as they are not needed)
    if not re.search(rb"\S", data):
        raise ExtractError("This file is empty (it holds only blank space). " + SAY_EXPORT,
                           code="empty")
    sample = data[:65536].decode("utf-8", "replace")
    odd = sum(1 for c in sample if (c < " " and c not in "\t\n\r\f\v\x00")
              or "\x7f" <= c <= "\x9f" or c == "\ufffd")
    if odd > 0.05 * len(sample) and odd >= 8:  # real text has next to none
        raise _not_text()
    if b"\x00" in data:
        lines, pos = [], data.find(b"\x00")
        while pos >= 0 and len(lines) < SHOWN:
            lines.append(_line_of(data, pos))
            end = LINE_END_RE.search(data, pos)
            pos = data.find(b"\x00", end.end()) if end else -1
        raise ExtractError(
            "This file contains NUL (zero) bytes, which a CSV export never has (first on line "
            f"{', '.join(map(str, lines))}): it is damaged or not really a CSV. {SAY_EXPORT}",
            code="nul_bytes", details=[f"line {n}" for n in lines])

    head = data[:HEAD_BYTES].decode("utf-8", "ignore")
    lines = list(io.StringIO(head, newline=""))
    delimiter = _sniff_delimiter(lines)
    records: list[tuple[int, int, list[str]]] = []  # (first line, last line, fields)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for row in reader:
            records.append((records[-1][1] + 1 if records else 1, reader.line_num, row))
            if len(records) >= HEAD_RECORDS:
                break
    except csv.Error as exc:
        raise _bad_quoting(exc) from exc
    if len(data) > HEAD_BYTES:
        records = records[:-1]  # the last one may be cut off by the end of the head
    h = find_header([r[2] for r in records])
    if h is None:
        raise no_header_error()
    header_end = records[h][1]
    skipped = [r[0] for r in records[:h]]
    formulas_possible = any(c in data for c in (b"=", b"@", b"|"))
    region = data[len("".join(lines[:header_end]).encode()):]
    del data
    table, index = _parse_region(region, delimiter, len(records[h][2]), header_end + 1,
                                 place_short=_place_short_lines)
    del region
    return build_extract(table, index, records[h][2], records[h][0], skipped, "csv", encoding,
                         None, [], check_formulas=formulas_possible)


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
    table: pa.Table, index: np.ndarray, header: list[str], header_row: int, skipped: list[int],
    file_type: str, encoding: str | None, sheet: str | None, sheets: list[str],
    *, check_formulas: bool,
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
            "filters, export again, and upload the new file.", code="header_only")
    if not keep.all():
        mask = pa.array(keep)
        columns, index = [c.filter(mask) for c in columns], index[keep]
    headers = _clean_headers(header)
    if check_formulas:
        _refuse_formulas(columns, index, header, header_row, headers, sheet)
    named = [bool(c.strip()) for c in header]
    used = [j for j, col in enumerate(columns)  # drop unnamed columns that hold nothing
            if named[j] or pc.any(pc.greater(pc.binary_length(col), 0)).as_py()]
    frame = pa.table({f"c{j}": columns[j] for j in used}).to_pandas()
    frame.columns = [headers[j] for j in used]
    frame.index = pd.Index(index, name="row")
    return Extract(frame=frame, headers=list(frame.columns), file_type=file_type,
                   encoding=encoding, sheet=sheet, sheets=sheets, skipped_rows=skipped)


def _refuse_formulas(columns: list[pa.ChunkedArray], index: np.ndarray, header: list[str],
                     header_row: int, headers: list[str], sheet: str | None) -> None:
    def where(row: int, j: int) -> str:
        if sheet:
            return f"{sheet}!{get_column_letter(j + 1)}{row}"
        return f'row {row}, column "{headers[j]}"'

    found = [f"{where(header_row, j)} (header)"
             for j, c in enumerate(header) if FORMULA_RE.match(c.strip())]
    for j, col in enumerate(columns):  # cheap literal search first: a formula has "(" or "|"
        maybe = pc.or_(pc.match_substring(col, "("), pc.match_substring(col, "|"))
        if pc.any(maybe).as_py():
            rows = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))
            hits = pc.match_substring_regex(col.filter(maybe), FORMULA)
            found += [where(int(index[rows[i]]), j)
                      for i in np.flatnonzero(hits.to_numpy(zero_copy_only=False))[:SHOWN]]
    if found:
        raise ExtractError(
            f"This file has cells that spreadsheet programs would run as formulas ("
            f"{'; '.join(found[:SHOWN])}). Extracts must hold plain values: export again, or "
            "copy the cells and use Paste Special > Values, then upload.",
            code="formula_cells", details=found[:SHOWN])
