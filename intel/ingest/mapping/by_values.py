"""The passes that choose a column by its values, for what the header pass left unmapped: the
time of the incident (``_when_by_values``, else the report date: ``_when_from_report``), its
separate time of day (``_time_by_values``), the offense (``_offense_by_values``) and the record
id (``_record_id``, or a note on how rows are keyed without one).
"""

from __future__ import annotations

from intel.ingest.fields import Kind
from intel.ingest.mapping.base import (
    HEADER_HINT,
    HEADER_WITHIN,
    VALUES_ALONE,
    VALUES_ONLY,
    Mapping,
    _Candidate,
    _choose,
)
from intel.ingest.mapping.headers import _header_score, _named_by_any_field, is_report_header
from intel.ingest.mapping.profile import _Profiles

# What each kind's time is the time of, for the note when the report date stands in for it.
_RECORD_NOUN = {
    "incidents": "incident",
    "arrests": "arrest",
    "shootings": "shooting",
    "calls": "call",
    "cases": "referral",
}


def _unused(mapping: Mapping, headers: list[str]) -> list[str]:
    used = set(mapping.columns.values())
    return [h for h in headers if h not in used]


def _values_only_note(header: str, why: str) -> str:
    return f'"{header}": {why}; header unrecognised'


def _when_by_values(mapping: Mapping, spec: Kind, headers: list[str], profiles: _Profiles) -> None:
    """The time of the incident from a column whose header names nothing, if it alone holds
    dates (report dates aside: they come last)."""
    if "when" in mapping.columns or "when" not in spec.fields:
        return
    fits = [
        h
        for h in _unused(mapping, headers)
        if not is_report_header(h)
        and not _named_by_any_field(h)
        and profiles[h].calendar.ratio >= VALUES_ALONE
    ]
    if len(fits) > 1:
        listed = ", ".join(f'"{h}"' for h in fits)
        mapping.notes["when"] = (
            f"several columns hold dates and no header says which is the {_noun(spec)}'s time "
            f"({listed}): choose one"
        )
        return
    if fits:
        found = profiles[fits[0]].calendar
        why = f"{found.ratio:.0%} parse as {found.format}"
        _choose(
            mapping,
            _Candidate(
                VALUES_ONLY * (0.35 + 0.65 * found.ratio),
                "when",
                fits[0],
                _values_only_note(fits[0], why),
                {"format": found.format},
            ),
        )


def _noun(spec: Kind) -> str:
    return _RECORD_NOUN.get(spec.name, "record")


def _when_from_report(
    mapping: Mapping, spec: Kind, headers: list[str], profiles: _Profiles
) -> None:
    """No occurrence date: the report date is the incident's time, and the note says so. Its
    time-of-day column, if separate, goes with it."""
    if "when" in mapping.columns or "when" not in spec.fields:
        return
    fallback = (
        f"no occurrence date in the extract: the report date is used as the {_noun(spec)}'s time"
    )
    reported = mapping.columns.get("reported_at")
    if reported and is_report_header(reported):
        mapping.columns["when"] = mapping.columns.pop("reported_at")
        mapping.confidence["when"] = mapping.confidence.pop("reported_at", 0.0)
        mapping.notes["when"] = f"{mapping.notes.pop('reported_at', '')}; {fallback}"
        if "reported_at_format" in mapping.options:
            mapping.options["when_format"] = mapping.options.pop("reported_at_format")
    else:
        dated = [
            (profiles[h].datetimes.ratio, -i, h)
            for i, h in enumerate(_unused(mapping, headers))
            if is_report_header(h) and profiles[h].datetimes.ratio >= 0.5
        ]
        if not dated:
            return
        ratio, _, header = max(dated)
        found = profiles[header].datetimes
        _choose(
            mapping,
            _Candidate(
                HEADER_HINT * (0.35 + 0.65 * ratio),
                "when",
                header,
                f'"{header}": {ratio:.0%} parse as {found.format}; header names a report; '
                f"{fallback}",
                {"format": found.format},
            ),
        )
    if "when_time" in spec.fields and "when_time" not in mapping.columns:
        timed = [
            (profiles[h].times.ratio, -i, h)
            for i, h in enumerate(_unused(mapping, headers))
            if is_report_header(h)
            and _header_score("when_time", h) > 0
            and profiles[h].times.ratio >= 0.5
        ]
        if timed:
            ratio, _, header = max(timed)
            found = profiles[header].times
            _choose(
                mapping,
                _Candidate(
                    HEADER_WITHIN * (0.35 + 0.65 * ratio),
                    "when_time",
                    header,
                    f'"{header}": {ratio:.0%} parse as times ({found.format}); the report\'s '
                    "time, as the report date is used",
                    {"format": found.format},
                ),
            )


def _time_by_values(mapping: Mapping, spec: Kind, headers: list[str], profiles: _Profiles) -> None:
    """A date-only time column's time of day from the one column whose header names nothing
    and whose values are clock times ("13:05")."""
    date_header = mapping.columns.get("when")
    if not date_header or "when_time" in mapping.columns or "when_time" not in spec.fields:
        return
    if is_report_header(date_header) or profiles[date_header].has_time_of_day:
        return
    fits = [
        h
        for h in _unused(mapping, headers)
        if not is_report_header(h)
        and not _named_by_any_field(h)
        and profiles[h].clock_times >= VALUES_ALONE
    ]
    if len(fits) == 1:
        found = profiles[fits[0]].times
        _choose(
            mapping,
            _Candidate(
                VALUES_ONLY * (0.35 + 0.65 * found.ratio),
                "when_time",
                fits[0],
                _values_only_note(fits[0], f"{found.ratio:.0%} parse as times ({found.format})"),
                {"format": found.format},
            ),
        )


def _offense_by_values(
    mapping: Mapping, spec: Kind, headers: list[str], profiles: _Profiles
) -> None:
    """With no offense column named, the one column of known offense names is the offense."""
    offense_fields = ("offense_code", "offense_type", "offense_description")
    if any(name in mapping.columns for name in offense_fields):
        return
    target = next((n for n in ("offense_type", "offense_description") if n in spec.fields), None)
    if target is None:
        return
    fits = [
        h
        for h in _unused(mapping, headers)
        if not _named_by_any_field(h)
        and profiles[h].filled >= 0.5
        and profiles[h].offenses >= 0.8
        and profiles[h].numbers < 0.5
    ]
    if len(fits) == 1:
        profile = profiles[fits[0]]
        _choose(
            mapping,
            _Candidate(
                VALUES_ONLY * (0.35 + 0.65 * profile.offenses),
                target,
                fits[0],
                _values_only_note(fits[0], f"{profile.offenses:.0%} are known offenses"),
                {},
            ),
        )


def _record_id(mapping: Mapping, spec: Kind, headers: list[str], profiles: _Profiles) -> None:
    """No record id header: the one column whose values are unique, non-empty and id-like
    (not dates, free text or coordinates) is the record id; else the note says how rows are
    keyed instead (by case number, booking number, or a hash of the row)."""
    if "source_id" in mapping.columns or "source_id" not in spec.fields:
        return
    case_number = mapping.columns.get("case_number")
    if case_number:
        mapping.notes["source_id"] = (
            f'no record id column: each case is keyed by its case number ("{case_number}"); '
            "rows with the same number are the charges of one case"
        )
        return
    booking = mapping.columns.get("booking_number")
    if booking and profiles[booking].is_key():
        mapping.notes["source_id"] = (
            f'no record id column: each row is keyed by its booking number ("{booking}", '
            "unique in the file)"
        )
        return
    fits = [
        h
        for h in _unused(mapping, headers)
        if profiles[h].filled == 1.0
        and profiles[h].id_like >= 0.99
        and profiles[h].distinct == 1.0
        and profiles[h].is_key()
        and not profiles[h].is_row_counter()
    ]
    if fits:
        header = fits[0]
        others = f" (also unique: {', '.join(fits[1:])})" if len(fits) > 1 else ""
        mapping.columns["source_id"] = header
        mapping.confidence["source_id"] = VALUES_ONLY
        mapping.notes["source_id"] = (
            f'"{header}": values unique, non-empty and id-like in all {len(profiles.frame):,} '
            f"rows; header unrecognised{others}"
        )
        return
    mapping.notes["source_id"] = (
        "no record id column: each row is keyed by a hash of its cells, so a corrected row will "
        "be imported as a new record"
    )
