"""What a mapping is and how a choice is recorded in it.

``Mapping`` (field → column, with each choice's confidence, note and parse options),
``MappingError``, the scores a choice is weighed with, the candidate type every pass proposes
with, and the helpers that record a candidate in a mapping (``_choose``) or take a field out of
it (``_drop``). Imports nothing from the rest of the package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

CONFIDENT = 0.75
VALUES_ALONE = 0.95  # share of a column's values that must fit a field with no header to say so
HEADER_EXACT, HEADER_WITHIN, HEADER_HINT, VALUES_ONLY = 1.0, 0.6, 0.6, 0.5


@dataclass
class Mapping:
    """Field → column, with per-field confidence (0–1) and the reason, plus parse options.

    ``notes`` may also explain a field left without a column (the record id, when rows are
    keyed by a hash)."""

    columns: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "options": self.options, "notes": self.notes}

    def signature(self) -> str:
        """What decides the stored values (not the notes): part of every row's hash."""
        return json.dumps({"columns": self.columns, "options": self.options}, sort_keys=True)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mapping:
        return cls(
            columns=dict(data.get("columns", {})),
            options=dict(data.get("options", {})),
            notes=dict(data.get("notes", {})),
        )


class MappingError(Exception):
    """Required fields could not be mapped; the message names them and lists the headers."""

    def __init__(self, message: str, *, missing: list[str], headers: list[str]) -> None:
        super().__init__(message)
        self.message, self.missing, self.headers = message, missing, headers


@dataclass(frozen=True)
class _Candidate:
    score: float
    name: str
    header: str
    note: str
    options: dict[str, Any]


def _choose(mapping: Mapping, candidate: _Candidate) -> None:
    mapping.columns[candidate.name] = candidate.header
    mapping.confidence[candidate.name] = round(min(candidate.score, 1.0), 2)
    mapping.notes[candidate.name] = candidate.note
    if candidate.options.get("format"):
        mapping.options[f"{candidate.name}_format"] = candidate.options["format"]


def _drop(mapping: Mapping, name: str) -> None:
    mapping.columns.pop(name, None)
    mapping.confidence.pop(name, None)
    mapping.notes.pop(name, None)
