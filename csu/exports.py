"""Exports that cannot carry spreadsheet formulas (ASVS 1.2.10, CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def neutralise(value: Any) -> str:
    """The cell as text, prefixed with ``'`` if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_TRIGGERS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8")
