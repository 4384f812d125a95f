"""The XLSX reader (``reading.read_extract`` picks it by content): archive safety checks before
any XML is parsed, then the rows of one sheet as text.

An XLSX file is a zip of XML parts. Before openpyxl sees it: at most 1,000 entries (read from the
end-of-central-directory record before ``zipfile`` lists them; no ZIP64); declared
uncompressed sizes summing to at most 500 MB and 50 x the upload limit; no entry over 1 MB that
unpacks more than 100 x; no encrypted entries; no ``<!DOCTYPE``/``<!ENTITY`` in the first 64 KB of
any XML part (billion laughs, XXE). ``zipfile`` never inflates an entry past its declared size (and
checks its CRC), so the declared sizes bound the work. openpyxl then parses with defusedxml (a
second layer: it refuses entity declarations anywhere in a part).

Values are read in one read-only pass with ``data_only=False`` so that formula cells are seen
(``data_type == "f"``) and refused; every other cell's value is exactly what ``data_only=True``
gives.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pyarrow as pa
from defusedxml import DefusedXmlException
from openpyxl.utils.cell import get_column_letter

from intel.ingest.extract import (
    HEAD_RECORDS,
    SAY_EXPORT,
    SHOWN,
    Extract,
    ExtractError,
    build_extract,
    find_header,
    no_header_error,
)

MAX_ENTRIES = 1_000
MAX_UNPACKED = 500_000_000
MAX_DIRECTORY = 4 << 20  # central directory bytes: 1,000 entries with long names
MAX_RATIO = 100
RATIO_FROM = 1_000_000  # the ratio is checked only for entries bigger than this, unpacked
XML_SCAN = 64 * 1024
PEEK_ROWS = 60
REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")
NEEDLES = tuple(
    word.encode(enc)
    for word in ("<!DOCTYPE", "<!ENTITY")
    for enc in ("ascii", "utf-16-le", "utf-16-be")
)


def is_xlsx(path: Path) -> bool:
    """True when ``path`` is a zip holding ``[Content_Types].xml`` and ``xl/workbook.xml``, or a
    zip with too many entries to list safely (``check_archive`` then refuses it)."""
    if _too_many_entries(path):
        return True
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return all(name in names for name in REQUIRED)


def _too_many_entries(path: Path) -> bool:
    """Read the end-of-central-directory record before ``zipfile`` builds an object per entry
    (millions of tiny entries would exhaust memory): too many entries, too big a directory, or
    ZIP64 (only archives far beyond these limits need it)."""
    with Path(path).open("rb") as f:
        f.seek(max(0, f.seek(0, 2) - 65_557))  # the record (22 bytes) + the longest comment
        tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return False  # not a zip: zipfile will say so
    entries, directory_size = struct.unpack("<10xHI", tail[at : at + 16])
    zip64 = at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07"
    return zip64 or entries > MAX_ENTRIES or directory_size > MAX_DIRECTORY


def check_archive(path: Path, max_bytes: int) -> None:
    """Refuse zip bombs, encrypted parts and XML with DTDs or entities, before parsing."""
    bomb = ExtractError(
        "This .xlsx file unpacks to far more data than a real spreadsheet of its size (or has "
        "too many parts), so it was not opened. Open it in Excel, save it again, and upload "
        "that, or export the data as CSV.",
        code="zip_bomb",
    )
    if _too_many_entries(path):
        raise bomb
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise bomb
            if sum(i.file_size for i in infos) > min(MAX_UNPACKED, 50 * max_bytes):
                raise bomb
            for info in infos:
                big = info.file_size > RATIO_FROM
                if big and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise bomb
                if info.flag_bits & 0x1:
                    raise _unreadable("it is encrypted")
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as part:
                        head = part.read(XML_SCAN).upper()
                    if any(needle in head for needle in NEEDLES):
                        raise _xml_entities()
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise _unreadable("it is damaged") from exc


def read_xlsx(path: Path, *, sheet: str | None, max_bytes: int) -> Extract:
    """The Extract of ``sheet``, or of the first sheet holding a table (header and data)."""
    check_archive(path, max_bytes)
    with Path(path).open("rb") as f:  # a file object: openpyxl refuses paths not named .xlsx
        try:
            wb = openpyxl.load_workbook(f, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many types for a malformed workbook
            raise _parse_failure(exc) from exc
        try:
            names = list(wb.sheetnames)
            ws = _choose(wb, names, sheet)
            records, formulas = _rows(ws)
        except ExtractError:
            raise
        except Exception as exc:
            raise _parse_failure(exc) from exc
        finally:
            wb.close()
    if formulas:
        raise ExtractError(
            f"This workbook has formulas in it ({', '.join(formulas[:SHOWN])}). Extracts must "
            "hold plain values: copy the sheet and use Paste Special > Values (or export again "
            "as CSV), then upload.",
            code="formula_cells",
            details=formulas[:SHOWN],
        )
    if not any(values for _, values in records):
        raise ExtractError(
            f'The sheet "{ws.title}" is empty. Choose the sheet that holds the '
            "extract, or export it again, and upload.",
            code="empty",
        )
    h = find_header([values for _, values in records[:HEAD_RECORDS]])
    if h is None:
        raise no_header_error()
    header_row, header = records[h]
    data = records[h + 1 :]
    long = [
        f"row {n}: a value in column {get_column_letter(len(values))}"
        for n, values in data
        if len(values) > len(header)
    ]
    if long:
        raise ExtractError(
            f"{len(long):,} row(s) have values to the right of the last named column "
            f"(first: {'; '.join(long[:SHOWN])}). Give those columns a name in the header row, "
            "or delete the stray values, and upload again.",
            code="ragged_rows",
            details=long[:SHOWN],
        )
    table = pa.table(
        {
            f"c{j}": pa.array([v[j] if j < len(v) else "" for _, v in data], pa.string())
            for j in range(len(header))
        }
    )
    index = np.array([n for n, _ in data], dtype=np.int64)
    return build_extract(
        table,
        index,
        header,
        header_row,
        [n for n, _ in records[:h]],
        "xlsx",
        None,
        ws.title,
        names,
        check_formulas=True,
    )


def _rows(ws: Any) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """(Excel row number, values without trailing blanks) of every row, and formula cells."""
    records: list[tuple[int, list[str]]] = []
    formulas: list[str] = []
    for number, row in enumerate(ws.iter_rows(), 1):
        values = []
        for cell in row:
            if cell.data_type == "f":
                formulas.append(f"{ws.title}!{cell.coordinate}")
            values.append(cell_text(cell.value))
        if len(formulas) >= SHOWN:
            break
        while values and not values[-1].strip():
            values.pop()
        records.append((number, values))
    return records, formulas


def cell_text(value: Any) -> str:
    """A cell value as text: ISO dates, whole floats without ".0", None as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _choose(wb: Any, names: list[str], sheet: str | None) -> Any:
    """The named sheet, else the first sheet with a header and data, else the first non-empty."""
    tables = [ws for ws in wb.worksheets if hasattr(ws, "iter_rows")]
    for ws in tables:
        ws.reset_dimensions()  # a wrong <dimension> must not cut rows off
    if sheet is not None:
        wanted = [ws for ws in tables if ws.title == sheet] or [
            ws for ws in tables if ws.title.strip().casefold() == sheet.strip().casefold()
        ]
        if len(wanted) != 1:
            listed = ", ".join(f'"{n}"' for n in names)
            raise ExtractError(
                f'This workbook has no sheet of data named "{sheet}". Its sheets '
                f"are: {listed}. Choose one of those.",
                code="sheet",
                details=names,
            )
        return wanted[0]
    fallback = None
    for ws in tables:
        peek = [
            [cell_text(v).strip() for v in row]
            for row in ws.iter_rows(max_row=PEEK_ROWS, values_only=True)
        ]
        if any(any(row) for row in peek):
            fallback = fallback or ws
            h = find_header(peek)
            if h is not None and any(any(row) for row in peek[h + 1 :]):
                return ws
    if fallback is None:
        raise ExtractError(
            "This workbook is empty: none of its sheets holds any data. " + SAY_EXPORT, code="empty"
        )
    return fallback


def _parse_failure(exc: BaseException) -> ExtractError:
    """xml_entities when defusedxml refused the XML (openpyxl may wrap its error), else
    xlsx_unreadable."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return _xml_entities()
        seen = seen.__cause__ or seen.__context__
    return _unreadable("it is damaged or not a real Excel workbook")


def _xml_entities() -> ExtractError:
    return ExtractError(
        "This .xlsx file contains XML declarations (DOCTYPE or ENTITY) that Excel never writes "
        "and that are used in attacks, so it was not opened. Open the original in Excel, save it "
        "again as .xlsx, and upload that, or export the data as CSV.",
        code="xml_entities",
    )


def _unreadable(why: str) -> ExtractError:
    return ExtractError(
        f"This .xlsx file cannot be opened: {why}. Open it in Excel, save it again as Excel "
        "Workbook (.xlsx) or CSV, and upload that.",
        code="xlsx_unreadable",
    )
