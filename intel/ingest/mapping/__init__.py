"""Automatic mapping of an extract's columns onto our fields, by header names and by values.

Each column is *profiled* (``ColumnProfile``): the share of its first non-empty values that parse
as datetimes, dates, times, numbers, latitudes and longitudes, points, sexes, races, known
offenses or offense codes, and how unique and id-like they are. Each measure is taken only when
a decision needs it.

The proposal then runs in passes, each for what the previous left unmapped:

1. **Header and values together.** A (field, column) pair whose header names the field (an exact
   synonym scores 1.0, a synonym within the header 0.6) and whose values fit it (a date column
   must parse as dates, a latitude column must hold latitudes...) is a candidate, scored
   header × (0.35 + 0.65 × values). Points and WKB are recognised by their values alone. Fields
   are assigned greedily, best score first, one column each. A report date is never taken here
   as the time of the incident, and the record id never takes a column that names another
   identifier of the kind (a booking, arrest or case number).
2. **Values alone.** A column whose header names no field at all, and whose values fit one
   field unambiguously, is proposed for it when no other column does: the time of the incident
   (≥ 95 % datetimes that are not bare numbers), its time of day, the record id (unique,
   non-empty, id-like values: not dates, free text or coordinates) and the offense (known
   offense names).
3. **Report dates.** When nothing gives the time of the incident, the report date does.

Every choice carries a note saying why (values and header), so the analyst can check it on the
preview; so does a record id that could not be found, since rows are then keyed by a hash.

The package, imported one way (each module only from those before it): ``base`` (``Mapping``,
``MappingError``, the candidate type), ``profile`` (``ColumnProfile``, content scores),
``headers`` (header matching), ``by_values`` (passes 2 and 3, and the record id), and here the
proposal itself (``propose_mapping``), ``_settle`` and ``check_required``.
"""

from __future__ import annotations

import pandas as pd

from intel.ingest import parse
from intel.ingest.fields import FIELDS, KINDS, normalise_header
from intel.ingest.mapping.base import (
    CONFIDENT,
    HEADER_EXACT,
    HEADER_HINT,
    HEADER_WITHIN,
    VALUES_ALONE,
    VALUES_ONLY,
    Mapping,
    MappingError,
    _Candidate,
    _choose,
    _drop,
)
from intel.ingest.mapping.by_values import (
    _offense_by_values,
    _record_id,
    _time_by_values,
    _when_by_values,
    _when_from_report,
)
from intel.ingest.mapping.headers import (
    _header_match,
    _names_other_id,
    is_report_header,
    names_other_party,
)
from intel.ingest.mapping.profile import ColumnProfile, _content_score, _Profiles

__all__ = [
    "CONFIDENT",
    "HEADER_EXACT",
    "HEADER_HINT",
    "HEADER_WITHIN",
    "VALUES_ALONE",
    "VALUES_ONLY",
    "ColumnProfile",
    "Mapping",
    "MappingError",
    "check_required",
    "is_report_header",
    "propose_mapping",
]


def propose_mapping(frame: pd.DataFrame, kind: str, saved: Mapping | None = None) -> Mapping:
    """The best mapping for ``kind`` (a saved profile's choices win where its columns exist)."""
    spec = KINDS[kind]
    headers = list(frame.columns)
    profiles = _Profiles(frame)
    mapping = Mapping()
    if saved:
        for name, column in saved.columns.items():
            if column in headers and name in spec.fields:
                mapping.columns[name] = column
                mapping.confidence[name] = 1.0
                mapping.notes[name] = "from the saved mapping profile"
        mapping.options.update(saved.options)

    candidates: list[_Candidate] = []
    for name in spec.fields:
        if name in mapping.columns:
            continue
        for header in headers:
            if header in mapping.columns.values():
                continue
            if name in ("when", "when_time") and is_report_header(header):
                continue  # the report date stands in for the incident's only if nothing else
            if name == "source_id" and _names_other_id(header, spec):
                continue
            if name.startswith("subject_") and names_other_party(header, spec):
                continue  # a shooting's subject is its victim; an arrest's, the arrestee
            h_score, h_why = _header_match(name, header)
            if name == "reported_at" and h_score == 0 and is_report_header(header):
                h_score, h_why = HEADER_HINT, "header names a report"
            if h_score == 0 and FIELDS[name].type not in ("point", "ewkb"):
                continue
            c_score, why, options = _content_score(name, profiles[header])
            if FIELDS[name].type in ("point", "ewkb") and h_score == 0:
                # recognised by content alone
                h_score = VALUES_ONLY if c_score > 0.9 else 0.0
                h_why = "header unrecognised"
            score = h_score * (0.35 + 0.65 * c_score)
            if c_score < 0.5:
                continue
            candidates.append(
                _Candidate(score, name, header, f'"{header}": {why}; {h_why}', options)
            )

    for candidate in sorted(candidates, key=lambda c: -c.score):
        if candidate.name in mapping.columns or candidate.header in mapping.columns.values():
            continue
        _choose(mapping, candidate)

    _when_by_values(mapping, spec, headers, profiles)
    _when_from_report(mapping, spec, headers, profiles)
    _time_by_values(mapping, spec, headers, profiles)
    _offense_by_values(mapping, spec, headers, profiles)
    _settle(mapping, frame)
    _record_id(mapping, spec, headers, profiles)
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


def check_required(mapping: Mapping, kind: str, headers: list[str]) -> None:
    spec = KINDS[kind]
    missing = [name for name in spec.required if name not in mapping.columns]
    if missing:
        labels = ", ".join(FIELDS[n].label for n in missing)
        why = "".join(f" ({mapping.notes[n]})" for n in missing if mapping.notes.get(n))
        raise MappingError(
            f"Could not find {labels} for {kind}{why}. Headers found: {', '.join(headers)}. "
            "Choose the columns on the preview, or save a mapping profile.",
            missing=missing,
            headers=headers,
        )
