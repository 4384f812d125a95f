"""The CSV reader: decoding, binary and NUL checks, the delimiter and the header found in the
first 256 KB, then the rows placed by ``csv_rows._parse_region`` and built into an ``Extract``.

CSV, about a second per million rows: the type is sniffed from content (never the extension);
decoding is UTF-8 (BOM or not), UTF-16/32, then cp1252, then latin-1; binary and NUL checks; the
delimiter and the header (after any junk lines) are found in the first 256 KB; pyarrow parses the
rest in one pass, counting rows with more fields than the header (refused) or fewer (padded).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from intel.ingest.csv_rows import _bad_quoting, _line_of, _parse_region, _place_short_lines
from intel.ingest.extract import (
    HEAD_RECORDS,
    SAY_EXPORT,
    SHOWN,
    Extract,
    ExtractError,
    build_extract,
    find_header,
    mb,
    no_header_error,
)

HEAD_BYTES = 256 * 1024  # decoded head used for sniffing the delimiter and finding the header
LINE_END_RE = re.compile(rb"\r\n?|\n")


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


def read_csv(path: Path, limit: int) -> Extract:
    """Read a CSV extract of at most ``limit`` bytes (see the module docstring)."""
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:  # grew after stat()
        raise ExtractError(f"This file is over the {mb(limit)} limit.", code="too_large")
    data, encoding = _decode(data)  # (big buffers are dropped as soon as they are not needed)
    if not re.search(rb"\S", data):
        raise ExtractError(
            "This file is empty (it holds only blank space). " + SAY_EXPORT, code="empty"
        )
    sample = data[:65536].decode("utf-8", "replace")
    odd = sum(
        1
        for c in sample
        if (c < " " and c not in "\t\n\r\f\v\x00") or "\x7f" <= c <= "\x9f" or c == "\ufffd"
    )
    if odd > 0.05 * len(sample) and odd >= 8:  # real text has next to none
        raise _not_text()
    if b"\x00" in data:
        nul_lines: list[int] = []
        pos = data.find(b"\x00")
        while pos >= 0 and len(nul_lines) < SHOWN:
            nul_lines.append(_line_of(data, pos))
            end = LINE_END_RE.search(data, pos)
            pos = data.find(b"\x00", end.end()) if end else -1
        raise ExtractError(
            "This file contains NUL (zero) bytes, which a CSV export never has (first on line "
            f"{', '.join(map(str, nul_lines))}): it is damaged or not really a CSV. {SAY_EXPORT}",
            code="nul_bytes",
            details=[f"line {n}" for n in nul_lines],
        )

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
    region = data[len("".join(lines[:header_end]).encode()) :]
    del data
    table, index = _parse_region(
        region, delimiter, len(records[h][2]), header_end + 1, place_short=_place_short_lines
    )
    del region
    return build_extract(
        table,
        index,
        records[h][2],
        records[h][0],
        skipped,
        "csv",
        encoding,
        None,
        [],
        check_formulas=formulas_possible,
    )
