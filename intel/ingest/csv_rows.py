"""Where each record of a CSV sits in the source file: ``read_extract``'s row placement.

``_parse_region`` parses everything after the header with pyarrow in one pass and gives each
record its source line. Rows with more fields than the header are refused (``ragged_rows``); rows
with fewer are padded with "" and put back in place: by re-reading the lines as text when records
and physical lines tally, else by pandas' C parser, which pads them itself. When quoted values hold
line breaks, each record spans 1 + the breaks inside its values, and a quote left open at the end
is caught by a strict parse of the last record. Errors are ``extract.ExtractError``s.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from intel.ingest.extract import SAY_EXPORT, SHOWN, ExtractError

# How short rows are put back when records are lines: ``_place_short_lines`` or a stand-in
PlaceShort = Callable[[bytes, str, pa.Table, dict[str, int], int], pa.Table | None]


def _bad_quoting(exc: Exception) -> ExtractError:
    return ExtractError(
        'The rows of this file cannot be told apart: a quotation mark (") seems to open a value '
        f"that is never closed, or a value is far too long. {SAY_EXPORT}",
        code="bad_quoting",
        details=[str(exc)[:200]],
    )


def _line_of(data: bytes, pos: int) -> int:
    """1-based physical line (LF, CRLF or CR endings) of byte ``pos``."""
    return data.count(b"\n", 0, pos) + data.count(b"\r", 0, pos) - data.count(b"\r\n", 0, pos) + 1


def _count_lines(data: bytes) -> int:
    n = data.count(b"\n")
    if b"\r" in data:
        n += data.count(b"\r") - data.count(b"\r\n")
    return n + (1 if data and data[-1:] not in (b"\n", b"\r") else 0)


def _parse_region(
    region: bytes, delimiter: str, width: int, first_line: int, *, place_short: PlaceShort
) -> tuple[pa.Table, np.ndarray]:
    """Parse everything after the header; return the table and each row's source line.
    ``place_short`` is ``_place_short_lines``, passed in by csv_reader.py (its tests replace it
    there with a stand-in returning None, to have pandas pad the short rows instead)."""
    names = [f"c{i}" for i in range(width)]
    if not re.search(rb"\S", region):
        return pa.table({n: pa.array([], pa.string()) for n in names}), np.zeros(0, np.int64)
    # pyarrow skips rows whose field count differs from the header's; count them, note short ones
    n_long, n_short, short = [0], [0], {}

    def invalid(row: pacsv.InvalidRow) -> str:
        if row.actual_columns > row.expected_columns:
            n_long[0] += 1
        else:
            n_short[0] += 1
            short[row.text] = row.actual_columns
        return "skip"

    try:
        table = _parse(region, delimiter, names, invalid)
    except pa.ArrowInvalid as exc:
        raise _bad_quoting(exc) from exc
    if n_long[0]:
        raise _ragged(region, delimiter, width, first_line, n_long[0])
    lines = _count_lines(region)
    if n_short[0]:  # rows shorter than the header: put back, padded with ""
        placed = None
        if table.num_rows + n_short[0] == lines:
            placed = place_short(region, delimiter, table, short, n_short[0])
        table = _read_padded(region, delimiter, names) if placed is None else placed
    if table.num_rows == lines:  # every record is one line: the common case
        return table, np.arange(first_line, first_line + lines, dtype=np.int64)
    # Quoted values span lines: a record spans 1 + the line breaks inside its values.
    spans, cr = np.ones(table.num_rows, dtype=np.int64), b"\r" in region
    for col in filter(_has_line_breaks, table.columns):
        breaks = pc.count_substring(col, "\n")
        if cr:
            breaks = pc.subtract(
                pc.add(breaks, pc.count_substring(col, "\r")), pc.count_substring(col, "\r\n")
            )
        spans += breaks.to_numpy(zero_copy_only=False)
    if spans.sum() != lines:
        raise _bad_quoting(ValueError(f"{spans.sum()} lines placed of {lines}"))
    _check_tail(region, delimiter, int(spans[-1]))
    return table, first_line + np.concatenate(([0], np.cumsum(spans)[:-1]))


def _has_line_breaks(col: pa.ChunkedArray) -> bool:
    """Whether any value of a string column holds CR or LF (a quick look at its data buffers)."""
    for chunk in col.chunks:
        data = chunk.buffers()[2]
        if data is not None:
            values = np.frombuffer(data, dtype=np.uint8)
            if (values == 10).any() or (values == 13).any():
                return True
    return False


def _parse(
    data: bytes,
    delimiter: str,
    names: list[str],
    invalid: Callable[[pacsv.InvalidRow], str] | None = None,
) -> pa.Table:
    """pyarrow's reading of ``data``, every value a string ("" when empty). One thread: the
    ``invalid`` row handler is cheap then (threads contend for the GIL to call it)."""
    return pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )


def _read_padded(region: bytes, delimiter: str, names: list[str]) -> pa.Table:
    """Short rows and quoted line breaks together: pandas' C parser pads short rows
    itself and keeps every record (blank lines too), in order. (No row is longer than the header:
    pyarrow has checked.)"""
    frame = pd.read_csv(
        io.BytesIO(region),
        sep=delimiter,
        header=None,
        names=names,
        index_col=False,
        dtype=str,
        na_filter=False,
        skip_blank_lines=False,
        quotechar='"',
        doublequote=True,
        engine="c",
    )
    return pa.Table.from_pandas(frame, preserve_index=False)


def _ragged(region: bytes, delimiter: str, width: int, first_line: int, n: int) -> ExtractError:
    found: list[str] = []
    reader = csv.reader(io.StringIO(region.decode(), newline=""), delimiter=delimiter)
    line = first_line
    for row in reader:
        if len(row) > width:
            found.append(f"row {line}: {len(row)} values")
            if len(found) == SHOWN:
                break
        line = first_line + reader.line_num
    return ExtractError(
        f"{n:,} row(s) have more values than the header row has columns ({width}), so the "
        f"values cannot be matched to columns safely (first: {'; '.join(found)}). This usually "
        "means a value containing the separator was not put in quotes. Fix those rows or "
        f"export again.",
        code="ragged_rows",
        details=found,
    )


def _place_short_lines(
    region: bytes, delimiter: str, table: pa.Table, short: dict[str, int], n_short: int
) -> pa.Table | None:
    """Records are lines here, so the short rows are the lines whose text pyarrow reported as
    short (``short``: text -> field count): found by reading the region again as whole lines,
    then padded with delimiters, parsed, and put back in place. None if that does not add up."""
    sep = next((c for c in "\x1f\x1e\x1d\x1c\x01" if c.encode() not in region), None)
    if sep is None:
        return None
    lines = pacsv.read_csv(
        pa.py_buffer(region),
        read_options=pacsv.ReadOptions(column_names=["line"]),
        parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={"line": pa.string()}, strings_can_be_null=False, null_values=[]
        ),
    )["line"]
    is_short = pc.is_in(lines, value_set=pa.array(list(short), pa.string()))
    if lines.length() != table.num_rows + n_short or pc.sum(is_short).as_py() != n_short:
        return None
    texts = lines.filter(is_short).to_pylist()
    padded = "\n".join(t + delimiter * (table.num_columns - short[t]) for t in texts)
    try:
        extra = _parse(padded.encode(), delimiter, table.column_names)
    except pa.ArrowInvalid:
        return None
    if extra.num_rows != n_short:
        return None
    return _interleave(table, extra, np.flatnonzero(is_short.to_numpy(zero_copy_only=False)))


def _interleave(table: pa.Table, extra: pa.Table, at: np.ndarray) -> pa.Table:
    """``table`` with the rows of ``extra`` put back at record numbers ``at`` (ascending)."""
    runs = np.flatnonzero(np.diff(at) != 1) + 1  # where a run of consecutive short rows starts
    if len(runs) > 100:  # many runs: one gather instead of many zero-copy slices
        is_short = np.zeros(table.num_rows + extra.num_rows, dtype=bool)
        is_short[at] = True
        order = np.empty(len(is_short), dtype=np.int64)
        order[~is_short] = np.arange(table.num_rows)
        order[is_short] = table.num_rows + np.arange(extra.num_rows)
        return pa.concat_tables([table, extra]).take(pa.array(order))
    pieces, done = [], 0
    for first, last in zip([0, *runs], [*runs, extra.num_rows], strict=True):
        before = int(at[first]) - first  # parsed rows that come before this run
        pieces += [table.slice(done, before - done), extra.slice(first, last - first)]
        done = before
    pieces.append(table.slice(done))
    return pa.concat_tables(pieces)


def _check_tail(region: bytes, delimiter: str, span: int) -> None:
    """A quote left open runs to the end of the file, silently swallowing the lines after it into
    the last record; when that record spans lines, parse it strictly to tell."""
    if span <= 1:
        return
    end = len(region) - (
        2 if region.endswith(b"\r\n") else 1 if region.endswith((b"\n", b"\r")) else 0
    )
    start = -1
    for _ in range(span):  # back over the line break before each of the last `span` lines
        start = max(region.rfind(b"\n", 0, end), region.rfind(b"\r", 0, end))
        if start < 0:
            break
        end = start - 1 if region[start - 1 : start + 1] == b"\r\n" else start
    tail = region[start + 1 :].decode()
    try:
        list(csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise _bad_quoting(exc) from exc
