"""Automatic mapping of an extract's columns onto our fields, by header names and content.

Each candidate (field, column) gets a score from the header (exact synonym 1.0, synonym within
the header 0.6) confirmed by the values (a date column must parse as dates, a latitude column
must hold latitudes...). Fields are then assigned greedily, best score first, one column each.
Every choice carries a note saying why, so the analyst can check it on the preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from intel.ingest import parse
from intel.ingest.fields import FIELDS, KINDS, normalise_header

CONFIDENT = 0.75


@dataclass
class Mapping:
    """Field → column, with per-field confidence (0–1) and the reason, plus parse options."""

    columns: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "options": self.options, "notes": self.notes}

    def signature(self) -> str:
        """What decides the stored values (not the notes): part of every row's hash."""
        import json

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


def _header_score(field_name: str, header: str) -> float:
    norm = normalise_header(header)
    best = 0.0
    for synonym in FIELDS[field_name].synonyms:
        if norm == synonym:
            return 1.0
        if len(synonym) >= 4 and (f" {synonym} " in f" {norm} "):
            best = max(best, 0.6)
    return best


def _content_score(field_name: str, column: pd.Series, n_rows: int) -> tuple[float, str, dict]:
    """How well the values fit the field (0–1), why, and any option learnt (date format)."""
    kind = FIELDS[field_name].type
    sample = column[column != ""].iloc[: parse.SAMPLE]
    filled = len(sample) / max(min(n_rows, parse.SAMPLE), 1)
    if sample.empty:
        return 0.0, "column is empty", {}
    if kind in ("datetime", "date"):
        found = parse.detect_datetime(sample)
        return found.ratio, f"{found.ratio:.0%} parse as {found.format}", {"format": found.format}
    if kind == "time":
        found = parse.detect_datetime(sample, parse.TIME_FORMATS)
        return (
            found.ratio,
            f"{found.ratio:.0%} parse as times ({found.format})",
            {"format": found.format},
        )
    if field_name in ("latitude", "longitude"):
        values = parse.parse_float(sample)
        limit = 90 if field_name == "latitude" else 180
        ok = values.between(-limit, limit) & values.notna()
        return float(ok.mean()), f"{ok.mean():.0%} are valid {field_name}s", {}
    if kind == "float":
        ok = parse.parse_float(sample).notna()
        return float(ok.mean()), f"{ok.mean():.0%} are numbers", {}
    if kind == "int":
        ok = parse.parse_int(sample).notna()
        return float(ok.mean()) * 0.9 + 0.1 * filled, f"{ok.mean():.0%} are ages", {}
    if kind == "point":
        found = parse.detect_points(sample)
        return found.ratio, f"{found.ratio:.0%} are points", {}
    if kind == "ewkb":
        found = parse.detect_ewkb(sample)
        return found.ratio, f"{found.ratio:.0%} are WKB geometries", {}
    if kind == "bool":
        found = parse.detect_bool(sample)
        return found.ratio, f"{found.ratio:.0%} are yes/no values", {}
    if kind == "id":
        unique = sample.nunique() / len(sample)
        return unique * filled, f"{unique:.0%} unique in the sample", {}
    if kind == "sex":
        ok = sample.str.lower().isin(parse._SEX)
        return float(ok.mean()), f"{ok.mean():.0%} are sexes", {}
    if kind == "race":
        race = parse.parse_race(
            sample,
            {
                "white",
                "black",
                "hispanic",
                "asian",
                "other",
                "native_american",
                "pacific_islander",
                "multiracial",
            },
        )
        known = (race != "unknown") | sample.str.lower().str.contains("unknown")
        return float(known.mean()), f"{known.mean():.0%} are races", {}
    if kind == "name":
        ok = sample.str.contains(r"[A-Za-z]{2,}", regex=True)
        return float(ok.mean()), "names", {}
    numeric = parse.parse_float(sample).notna().mean()
    text_score = 1.0 - 0.5 * numeric if field_name in ("offense_description", "address") else 1.0
    return text_score * filled, "text", {}


def propose_mapping(frame: pd.DataFrame, kind: str, saved: Mapping | None = None) -> Mapping:
    """The best mapping for ``kind`` (a saved profile's choices win where its columns exist)."""
    spec = KINDS[kind]
    headers = list(frame.columns)
    mapping = Mapping()
    if saved:
        for name, column in saved.columns.items():
            if column in headers and name in spec.fields:
                mapping.columns[name] = column
                mapping.confidence[name] = 1.0
                mapping.notes[name] = "from the saved mapping profile"
        mapping.options.update(saved.options)

    candidates: list[tuple[float, str, str, str, dict]] = []
    for name in spec.fields:
        if name in mapping.columns:
            continue
        for header in headers:
            if header in mapping.columns.values():
                continue
            h_score = _header_score(name, header)
            if h_score == 0 and FIELDS[name].type not in ("point", "ewkb"):
                continue
            c_score, why, options = _content_score(name, frame[header], len(frame))
            if FIELDS[name].type in ("point", "ewkb") and h_score == 0:
                h_score = 0.5 if c_score > 0.9 else 0.0  # recognised by content alone
            score = h_score * (0.35 + 0.65 * c_score)
            if c_score < 0.5:
                continue
            candidates.append((score, name, header, f'"{header}": {why}', options))

    for score, name, header, why, options in sorted(candidates, key=lambda c: -c[0]):
        if name in mapping.columns or header in mapping.columns.values():
            continue
        mapping.columns[name] = header
        mapping.confidence[name] = round(min(score, 1.0), 2)
        mapping.notes[name] = why
        if options.get("format"):
            mapping.options[f"{name}_format"] = options["format"]
    _settle(mapping, frame)
    return mapping


def _settle(mapping: Mapping, frame: pd.DataFrame) -> None:
    """Resolve overlaps between ways of saying the same thing."""
    cols = mapping.columns
    # A separate time column only matters when the date column carries no time of day.
    if "when" in cols and "when_time" in cols:
        fmt = mapping.options.get("when_format") or "ISO8601"
        if parse.has_time_of_day(frame[cols["when"]], fmt):
            _drop(mapping, "when_time")
    # Coordinates: numeric lat/lon beat points, points beat WKB, WKB beats projected X/Y.
    if "latitude" in cols and "longitude" in cols:
        for name in ("point", "ewkb"):
            _drop(mapping, name)
    elif "point" in cols:
        _drop(mapping, "ewkb")
    if any(n in cols for n in ("latitude", "point", "ewkb")) or "xy_epsg" not in mapping.options:
        _drop(mapping, "x")
        _drop(mapping, "y")
    if "latitude" in cols and "longitude" not in cols:
        _drop(mapping, "latitude")
    if "longitude" in cols and "latitude" not in cols:
        _drop(mapping, "longitude")
    # A full-name column and split name columns: keep the split ones.
    if "full_name" in cols and "last_name" in cols:
        _drop(mapping, "full_name")
    header_text = " ".join(normalise_header(h) for h in cols.values())
    if "blurred" in header_text:
        mapping.options["blurred"] = True


def _drop(mapping: Mapping, name: str) -> None:
    mapping.columns.pop(name, None)
    mapping.confidence.pop(name, None)
    mapping.notes.pop(name, None)


def check_required(mapping: Mapping, kind: str, headers: list[str]) -> None:
    spec = KINDS[kind]
    missing = [name for name in spec.required if name not in mapping.columns]
    if missing:
        labels = ", ".join(FIELDS[n].label for n in missing)
        raise MappingError(
            f"Could not find {labels} for {kind}. Headers found: {', '.join(headers)}. "
            "Choose the columns on the preview, or save a mapping profile.",
            missing=missing,
            headers=headers,
        )
