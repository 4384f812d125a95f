"""Exports that cannot carry spreadsheet formulas (ASVS 1.2.10, CSV injection)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# A plain decimal number is no formula: a longitude or a fall in crime stays a number.
_NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?", re.IGNORECASE)


def neutralise(value: Any) -> str:
    """The cell as text, prefixed with ``'`` if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if _NUMBER.fullmatch(text):
        return text
    return "'" + text if text.startswith(_TRIGGERS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8")
