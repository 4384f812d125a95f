"""Column by column: from an extract's text cells to typed model values, in bulk.

Each function reads the columns the mapping chose for one kind of fact (when, where, who, which
offense) and returns or fills typed columns; ``parts`` reads the charges of an arrest, the
victims of a shooting and a case's own columns. ``normalize`` calls them part by part.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from intel.choices import Race
from intel.ingest import geo, parse
from intel.ingest.fields import KINDS
from intel.ingest.mapping import Mapping
from intel.records.offenses import categorise, nibrs_category


def column_of(frame: pd.DataFrame, mapping: Mapping, name: str) -> pd.Series | None:
    header = mapping.columns.get(name)
    return frame[header] if header else None


def when_of(frame: pd.DataFrame, mapping: Mapping, time_zone: str) -> pd.Series:
    date_col = column_of(frame, mapping, "when")
    assert date_col is not None
    fmt = mapping.options.get("when_format") or parse.detect_datetime(date_col).format or "ISO8601"
    time_col = column_of(frame, mapping, "when_time")
    if time_col is not None:
        # The date column holds the day (an offset on it is a labelling artefact); the time
        # column holds local wall-clock time.
        if fmt == "ISO8601":
            day = pd.to_datetime(date_col.str[:10], format="%Y-%m-%d", errors="coerce")
        else:
            day = parse.parse_datetime(date_col, fmt).dt.normalize()
        naive = day + parse.parse_time(time_col).fillna(pd.Timedelta(0))
        return parse.localise(naive, time_zone)
    naive = parse.parse_datetime(date_col, fmt)
    return parse.localise(naive, time_zone, already_utc=parse.is_utc_format(fmt, date_col))


def reported_of(frame: pd.DataFrame, mapping: Mapping, time_zone: str) -> pd.Series | None:
    """When the agency heard of it (the report date), where the extract gives one apart."""
    reported = column_of(frame, mapping, "reported_at")
    if reported is None:
        return None
    fmt = (
        mapping.options.get("reported_at_format")
        or parse.detect_datetime(reported).format
        or "ISO8601"
    )
    parsed = parse.parse_datetime(reported, fmt)
    return parse.localise(parsed, time_zone, already_utc=parse.is_utc_format(fmt, reported))


def record_ids(frame: pd.DataFrame, mapping: Mapping) -> pd.Series:
    """The agency's record id of each row. A row whose id cell is empty, like a file with no id
    at all, is keyed by a hash of its cells (``h…``): kept, not rejected, and the same row
    imported again finds its record."""
    column = column_of(frame, mapping, "source_id")
    if column is None:
        column = column_of(frame, mapping, "case_number")  # one row per charge of the case
    if column is None:
        booking = column_of(frame, mapping, "booking_number")
        if booking is not None and (booking != "").all() and booking.is_unique:
            return booking  # an arrest extract keyed by booking number
    ids = (
        column.str.strip().str.replace(r"\.0$", "", regex=True)
        if column is not None
        else pd.Series("", index=frame.index)
    )
    empty = (ids == "").to_numpy()
    if empty.any():
        ids = ids.copy()
        ids[empty] = row_keys(frame[empty])
    return ids


def row_keys(frame: pd.DataFrame) -> pd.Series:
    """Keys for rows without an id: a stable hash of the whole row, numbered among identical
    rows so that re-importing the same file gives the same keys."""
    hashes = pd.util.hash_pandas_object(frame, index=False)
    nth = hashes.groupby(hashes).cumcount()
    return "h" + hashes.map("{:016x}".format) + "-" + nth.astype(str)


def row_key_count(ids: pd.Series) -> int:
    """How many of these record ids are row keys (``row_keys``), not the agency's."""
    return int(ids.str.match(r"^h[0-9a-f]{16}-\d+$").sum())


def recorded_name(frame: pd.DataFrame, mapping: Mapping) -> pd.Series:
    """The name as the agency recorded it, written "LAST, FIRST M"."""
    last = column_of(frame, mapping, "last_name")
    if last is not None:
        first = column_of(frame, mapping, "first_name")
        middle = column_of(frame, mapping, "middle_name")
        name = last.str.upper()
        if first is not None:
            given = first.str.upper()
            if middle is not None:
                given = (given + " " + middle.str.upper()).str.strip()
            name = (name + ", " + given).where(given != "", name)
        return name.str.strip(", ")
    full = column_of(frame, mapping, "full_name")
    if full is None:
        return pd.Series("", index=frame.index)
    full = full.str.upper().str.replace(r"\s+", " ", regex=True).str.strip()
    has_comma = full.str.contains(",", regex=False)
    # "First M Last Jr." → "LAST JR, FIRST M"
    parts = full.str.extract(
        r"^(?P<given>.+?)\s+(?P<last>[A-Z'\-]+)(?P<suffix>\s+(?:JR|SR|II|III|IV)\.?)?$"
    )
    flipped = (
        parts["last"]
        + parts["suffix"].fillna("").str.replace(".", "", regex=False)
        + ", "
        + parts["given"]
    )
    return full.where(has_comma | flipped.isna(), flipped)


Target = Callable[[str], str]


def categories(
    kind_col: pd.Series, desc: pd.Series, patterns: list[tuple[str, str, str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Category and NIBRS code of each row from its offense type and description: the type
    decides unless it says nothing ("other"), then the description does; where both name the
    same category, the description's code is the more precise ("Assault" / "Aggravated
    Assault, Gun" is 13A, not 13B). Decided once per
    distinct (type, description) pair, then spread by integer codes."""
    lookup_type = categorise(kind_col.unique(), patterns)
    lookup_desc = categorise(desc.unique(), patterns)
    t_codes, t_values = pd.factorize(kind_col)
    d_codes, d_values = pd.factorize(desc)
    pair_codes, pairs = pd.factorize(t_codes.astype(np.int64) * (len(d_values) + 1) + d_codes)
    category = np.empty(len(pairs), dtype=object)
    nibrs = np.empty(len(pairs), dtype=object)
    for i, pair in enumerate(pairs):
        t, d = t_values[pair // (len(d_values) + 1)], d_values[pair % (len(d_values) + 1)]
        by_type, by_desc = lookup_type[t], lookup_desc[d]
        if by_type[0] == "other":
            chosen = by_desc
        elif by_desc[0] == by_type[0] and by_desc[1]:
            chosen = by_desc  # the same kind of offense, said more precisely
        else:
            chosen = by_type
        category[i], nibrs[i] = chosen
    return category[pair_codes], nibrs[pair_codes]


def offense(
    frame: pd.DataFrame,
    out: pd.DataFrame,
    mapping: Mapping,
    kind: str,
    patterns: list[tuple[str, str, str]],
    target: Target,
) -> None:
    spec = KINDS[kind]
    empty = pd.Series("", index=frame.index)
    code, kind_col, desc = (
        c if c is not None else empty
        for c in (
            column_of(frame, mapping, "offense_code"),
            column_of(frame, mapping, "offense_type"),
            column_of(frame, mapping, "offense_description"),
        )
    )
    if kind == "incidents":
        out["offense_code"] = code.str[:32]
        described = (kind_col + " - " + desc).str.strip(" -")
        out["offense_description"] = described.where(kind_col != "", desc).str[:255]
        category, nibrs = categories(kind_col, desc, patterns)
        # An offense code that is itself a NIBRS code (KC's "IBRS") is the NIBRS code, and
        # gives the category where the text (and so the analyst's lookup) says nothing.
        upper = code.str.upper()
        by_code = {c: nibrs_category(c) for c in pd.unique(upper)}
        coded = upper.map(by_code)
        known = coded.notna().to_numpy()
        out["category"] = np.where(known & (category == "other"), coded, category)
        out["nibrs_code"] = np.where(known, upper, nibrs)
    elif "offense_type" in spec.fields and kind not in ("arrests", "cases"):
        out[target("offense_type")] = kind_col.str[:100]
    if kind == "calls":
        out[target("offense_description")] = desc.str[:100]


def coordinates(frame: pd.DataFrame, mapping: Mapping) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude from whichever encoding the mapping found, rounded to 1e-7°."""
    cols = mapping.columns
    lat = pd.Series(np.nan, index=frame.index)
    lon = pd.Series(np.nan, index=frame.index)
    if "latitude" in cols and "longitude" in cols:
        lat, lon = (
            parse.parse_float(frame[cols["latitude"]]),
            parse.parse_float(frame[cols["longitude"]]),
        )
    elif "point" in cols:
        lat, lon = parse.parse_points(frame[cols["point"]])
    elif "ewkb" in cols:
        lat, lon = parse.parse_ewkb(frame[cols["ewkb"]])
    elif "x" in cols and "y" in cols and mapping.options.get("xy_epsg"):
        lat, lon = parse.reproject(
            parse.parse_float(frame[cols["x"]]),
            parse.parse_float(frame[cols["y"]]),
            int(mapping.options["xy_epsg"]),
        )
    return lat.round(7), lon.round(7)


def location(
    frame: pd.DataFrame,
    out: pd.DataFrame,
    mapping: Mapping,
    lat: pd.Series,
    lon: pd.Series,
    quality: pd.Series,
    zone_index: geo.ZoneIndex | None,
) -> dict[str, int]:
    cols = mapping.columns
    index = frame.index
    usable = quality.isin(geo.USABLE)
    out["latitude"] = lat.where(lat.notna(), None)
    out["longitude"] = lon.where(lon.notna(), None)
    out["geocode_quality"] = quality
    out["zone_id"] = geo.zone_ids(lat, lon, usable, zone_index)
    out["h3_r9"], out["h3_r7"] = geo.h3_cells(lat, lon, usable)
    address = frame[cols["address"]] if "address" in cols else pd.Series("", index=index)
    out["address"] = address.str[:255]
    district = frame[cols["district"]] if "district" in cols else pd.Series("", index=index)
    beat = frame[cols["beat"]] if "beat" in cols else pd.Series("", index=index)
    out["district"] = district.str.replace(r"\.0$", "", regex=True).str[:60]
    if "beat" in cols:
        out["district"] = (out["district"] + " / " + beat).str.strip(" /").str[:60]
    return {str(k): int(v) for k, v in quality.value_counts().items()}


def people(
    frame: pd.DataFrame, out: pd.DataFrame, mapping: Mapping, kind: str, target: Target
) -> None:
    """Who the record is about, as recorded: the subject's sex, race, ethnicity and age; and
    for arrests, case referrals and shooting victims the name, date of birth and identifiers
    entity resolution reads."""
    spec = KINDS[kind]
    races = {choice.value for choice in Race}
    col = mapping.columns
    if "subject_sex" in spec.fields:
        out[target("subject_sex")] = (
            parse.parse_sex(frame[col["subject_sex"]])
            if "subject_sex" in col
            else ("U" if kind != "incidents" else "")
        )
    if "subject_race" in spec.fields:
        out[target("subject_race")] = (
            parse.parse_race(frame[col["subject_race"]], races)
            if "subject_race" in col
            else ("unknown" if kind != "incidents" else "")
        )
    if "subject_ethnicity" in spec.fields:
        out[target("subject_ethnicity")] = (
            frame[col["subject_ethnicity"]].str[:40] if "subject_ethnicity" in col else ""
        )
    if "subject_age" in spec.fields:
        ages = parse.parse_int(frame[col["subject_age"]]) if "subject_age" in col else None
        out[target("subject_age")] = (
            ages if ages is not None else pd.array([pd.NA] * len(frame), dtype="Int64")
        )
    if "subject_age_group" in spec.fields:
        out[target("subject_age_group")] = (
            frame[col["subject_age_group"]].str[:16] if "subject_age_group" in col else ""
        )
    if kind not in ("arrests", "cases", "shootings"):
        return
    prefix = {"arrests": "", "cases": "defendant_", "shootings": ""}[kind]
    out[f"{prefix}name_as_recorded"] = recorded_name(frame, mapping).str[:200]
    out[f"{prefix}dob_as_recorded"] = dates(frame, mapping, "dob", birth=True)
    identifiers = [("state_id", "state_id_as_recorded"), ("fbi_number", "fbi_number_as_recorded")]
    if kind == "arrests":
        identifiers.append(("booking_number", "booking_number"))
    if kind != "shootings":
        for ident, name in identifiers:
            out[f"{prefix}{name}"] = frame[col[ident]].str[:40] if ident in col else ""


def dates(frame: pd.DataFrame, mapping: Mapping, name: str, *, birth: bool = False) -> object:
    """A date column's values (``datetime.date`` or NaT), or None where it is not mapped or its
    format cannot be told; dates of birth get two-digit years put in the right century."""
    header = mapping.columns.get(name)
    if header is None:
        return None
    found = parse.detect_datetime(frame[header])
    if not found.format:
        return None
    parsed = parse.parse_datetime(frame[header], found.format)
    if birth:
        parsed = parse.fix_two_digit_birth_years(parsed, pd.Timestamp.now().normalize())
    return parsed.dt.date
