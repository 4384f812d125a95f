"""From an extract's text cells to typed, normalised model columns, row by row in bulk.

Rows that lack what the kind requires (a usable date, a record id where the source has ids) are
rejected with the reason; everything else is kept. Nothing touches the database here except the
read of boundary layers for zones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from intel.choices import Race
from intel.ingest import geo, parse
from intel.ingest.arrowtext import json_objects
from intel.ingest.fields import KINDS
from intel.ingest.mapping import Mapping
from intel.records.offenses import categorise

SEVERITY = {
    "f": "felony",
    "felony": "felony",
    "m": "misdemeanor",
    "misdemeanor": "misdemeanor",
    "v": "violation",
    "violation": "violation",
    "i": "violation",
    "infraction": "violation",
}
CASE_STATUS = ["referred", "charged", "declined", "pleaded", "convicted", "dismissed", "acquitted"]


@dataclass
class Normalised:
    """Rows to write (new or changed ones only), their charges, the rejects, and counts."""

    records: pd.DataFrame
    charges: pd.DataFrame | None = None
    rejects: list[list] = field(default_factory=list)
    quality: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0


def _column(frame: pd.DataFrame, mapping: Mapping, name: str) -> pd.Series | None:
    header = mapping.columns.get(name)
    return frame[header] if header else None


def _reject(rejects: list[list], rows: pd.Index, field_name: str, reason: str | pd.Series) -> None:
    if isinstance(reason, pd.Series):
        rejects.extend([int(r), field_name, str(reason[r])] for r in rows)
    else:
        rejects.extend([int(r), field_name, reason] for r in rows)


def _when(frame: pd.DataFrame, mapping: Mapping, time_zone: str) -> pd.Series:
    date_col = _column(frame, mapping, "when")
    assert date_col is not None
    fmt = mapping.options.get("when_format") or parse.detect_datetime(date_col).format or "ISO8601"
    time_col = _column(frame, mapping, "when_time")
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


def _source_ids(frame: pd.DataFrame, mapping: Mapping) -> pd.Series:
    column = _column(frame, mapping, "source_id")
    if column is not None:
        return column.str.replace(r"\.0$", "", regex=True)
    booking = _column(frame, mapping, "booking_number")
    if booking is not None and (booking != "").all() and booking.is_unique:
        return booking  # an arrest extract keyed by booking number
    # No id in the source: a stable hash of the whole row, numbered among identical rows so
    # that re-importing the same file gives the same keys.
    hashes = pd.util.hash_pandas_object(frame, index=False)
    nth = hashes.groupby(hashes).cumcount()
    return "h" + hashes.map("{:016x}".format) + "-" + nth.astype(str)


def _name(frame: pd.DataFrame, mapping: Mapping) -> pd.Series:
    """The name as the agency recorded it, written "LAST, FIRST M"."""
    last = _column(frame, mapping, "last_name")
    if last is not None:
        first = _column(frame, mapping, "first_name")
        middle = _column(frame, mapping, "middle_name")
        name = last.str.upper()
        if first is not None:
            given = first.str.upper()
            if middle is not None:
                given = (given + " " + middle.str.upper()).str.strip()
            name = (name + ", " + given).where(given != "", name)
        return name.str.strip(", ")
    full = _column(frame, mapping, "full_name")
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


def _row_hashes(frame: pd.DataFrame, mapping: Mapping) -> pd.Series:
    """A 64-bit hash of each row's cells and the mapping: equal hash, equal stored values."""
    signature = int(hashlib.blake2b(mapping.signature().encode(), digest_size=7).hexdigest(), 16)
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return pd.Series((hashed ^ np.uint64(signature)).view(np.int64), index=frame.index)


@dataclass
class Prepared:
    """What needs the whole file: ids, hashes, unchanged rows skipped, duplicates, and the
    coordinates (stacking and the jurisdiction's extent are judged over all points)."""

    frame: pd.DataFrame
    source_ids: pd.Series
    hashes: pd.Series | None  # None: nothing stored to compare with; hashed part by part
    rejects: list[list]
    unchanged: int
    lat: pd.Series | None = None
    lon: pd.Series | None = None
    quality: pd.Series | None = None
    zone_index: object = None  # boundary polygons, loaded before any COPY starts


def prepare(
    frame: pd.DataFrame, mapping: Mapping, kind: str, stored: pd.DataFrame | None = None
) -> Prepared:
    """Rows whose id and hash match ``stored`` (``source_id``, ``stored_hash``) are unchanged:
    counted and dropped before any parsing, which is what makes re-importing cheap."""
    from intel.records.zones import zone_index

    source_ids = _source_ids(frame, mapping)
    hashes: pd.Series | None = None
    unchanged = 0
    if stored is not None and not stored.empty:
        hashes = _row_hashes(frame, mapping)
        known = pd.Series(stored["stored_hash"].to_numpy(), index=stored["source_id"])
        same = (source_ids.map(known) == hashes).fillna(False).astype(bool).to_numpy()
        unchanged = int(same.sum())
        frame, source_ids, hashes = frame[~same], source_ids[~same], hashes[~same]
    rejects: list[list] = []
    dupes = (source_ids.duplicated(keep="last") & (source_ids != "")).to_numpy()
    _reject(
        rejects,
        frame.index[dupes],
        mapping.columns.get("source_id", ""),
        "the same record id appears again later in the file; the later row was used",
    )
    frame, source_ids = frame[~dupes], source_ids[~dupes]
    hashes = hashes[~dupes] if hashes is not None else None
    prepared = Prepared(frame, source_ids, hashes, rejects, unchanged)
    if "latitude" in KINDS[kind].fields:
        prepared.lat, prepared.lon = _coordinates(frame, mapping)
        prepared.quality = geo.geocode_quality(
            prepared.lat, prepared.lon, blurred=bool(mapping.options.get("blurred"))
        )
        # The boundary layers come from the database: read now, before any COPY starts on the
        # connection, so the per-part work needs no query.
        prepared.zone_index = zone_index()
    return prepared


def normalise_part(
    prepared: Prepared,
    rows: slice,
    mapping: Mapping,
    kind: str,
    *,
    time_zone: str,
    patterns: list[tuple[str, str, str]],
) -> Normalised:
    """Typed rows for the model of ``kind``, for the prepared rows in ``rows``; rows lacking
    what the kind requires are rejected with the reason."""
    spec = KINDS[kind]
    frame = prepared.frame.iloc[rows]
    if frame.empty:
        return Normalised(pd.DataFrame({"source_id": pd.Series([], dtype=object)}))
    rejects: list[list] = []
    out = pd.DataFrame(index=frame.index)
    out["source_id"] = prepared.source_ids.iloc[rows]
    out["source_row"] = frame.index.astype("int64")
    out[spec.when_column] = _when(frame, mapping, time_zone)
    bad_when = out[spec.when_column].isna()
    date_header = mapping.columns["when"]
    _reject(
        rejects,
        out.index[bad_when],
        date_header,
        "no date, or a date that could not be read: '" + frame[date_header] + "'",
    )
    no_id = out["source_id"] == ""
    _reject(
        rejects, out.index[no_id & ~bad_when], mapping.columns.get("source_id", ""), "no record id"
    )
    for name in spec.required:
        if name in ("when",):
            continue
        column = _column(frame, mapping, name)
        if column is not None:
            empty = (column == "") & ~bad_when & ~no_id
            label = name.replace("_", " ")
            _reject(rejects, out.index[empty], mapping.columns[name], f"no {label}")
            no_id |= empty
    keep = (~bad_when & ~no_id).to_numpy()
    frame, out = frame[keep], out[keep]
    hashes = (
        prepared.hashes.iloc[rows][keep]
        if prepared.hashes is not None
        else _row_hashes(frame, mapping)
    )

    def col(name: str) -> pd.Series | None:
        return _column(frame, mapping, name)

    def target(name: str) -> str:
        return spec.columns.get(name, name)

    _offense(frame, out, mapping, kind, patterns, target)
    quality = {}
    if prepared.lat is not None:
        assert prepared.lon is not None and prepared.quality is not None
        quality = _location(
            frame,
            out,
            mapping,
            prepared.lat.iloc[rows][keep],
            prepared.lon.iloc[rows][keep],
            prepared.quality.iloc[rows][keep],
            prepared.zone_index,
        )
    _people(frame, out, mapping, kind, target)
    for flag in ("firearm", "domestic", "fatal"):
        if flag in spec.fields:
            values = col(flag)
            out[target(flag)] = parse.parse_bool(values) if values is not None else False
    for name in ("priority", "disposition", "case_number"):
        values = col(name)
        if name in spec.fields:
            out[target(name)] = values.str[:100] if values is not None else ""
    if kind == "cases":
        status = out["status"].str.lower()
        out["status"] = status.where(status.isin(CASE_STATUS), "referred")
    if "reported_at" in spec.fields:
        reported = col("reported_at")
        if reported is not None:
            fmt = (
                mapping.options.get("reported_at_format")
                or parse.detect_datetime(reported).format
                or "ISO8601"
            )
            out["reported_at"] = parse.localise(parse.parse_datetime(reported, fmt), time_zone)
    out["raw"] = json_objects(frame)
    out["row_hash"] = hashes
    charges = _charges(frame, out, mapping) if kind == "arrests" else None
    return Normalised(out, charges, rejects, quality)


def _offense(
    frame: pd.DataFrame,
    out: pd.DataFrame,
    mapping: Mapping,
    kind: str,
    patterns: list[tuple[str, str, str]],
    target,
) -> None:  # type: ignore[no-untyped-def]
    spec = KINDS[kind]
    code = _column(frame, mapping, "offense_code")
    kind_col = _column(frame, mapping, "offense_type")
    desc = _column(frame, mapping, "offense_description")
    empty = pd.Series("", index=frame.index)
    code, kind_col, desc = (c if c is not None else empty for c in (code, kind_col, desc))
    if kind == "incidents":
        out["offense_code"] = code.str[:32]
        described = (kind_col + " - " + desc).str.strip(" -")
        out["offense_description"] = described.where(kind_col != "", desc).str[:255]
    elif "offense_type" in spec.fields and kind != "arrests":
        out[target("offense_type")] = kind_col.str[:100]
    if kind in ("incidents",):
        lookup_type = categorise(kind_col.unique(), patterns)
        lookup_desc = categorise(desc.unique(), patterns)
        # The type decides unless it says nothing ("other"); then the description does.
        # Decided once per distinct (type, description) pair, then spread by integer codes.
        t_codes, t_values = pd.factorize(kind_col)
        d_codes, d_values = pd.factorize(desc)
        pair_codes, pairs = pd.factorize(t_codes.astype(np.int64) * (len(d_values) + 1) + d_codes)
        category = np.empty(len(pairs), dtype=object)
        nibrs = np.empty(len(pairs), dtype=object)
        for i, pair in enumerate(pairs):
            t, d = t_values[pair // (len(d_values) + 1)], d_values[pair % (len(d_values) + 1)]
            chosen = lookup_type[t] if lookup_type[t][0] != "other" else lookup_desc[d]
            category[i], nibrs[i] = chosen
        out["category"] = category[pair_codes]
        out["nibrs_code"] = nibrs[pair_codes]
    if kind == "calls":
        out[target("offense_description")] = desc.str[:100] if "disposition" else desc


def _coordinates(frame: pd.DataFrame, mapping: Mapping) -> tuple[pd.Series, pd.Series]:
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


def _location(
    frame: pd.DataFrame,
    out: pd.DataFrame,
    mapping: Mapping,
    lat: pd.Series,
    lon: pd.Series,
    quality: pd.Series,
    zone_index: object,
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


def _people(frame: pd.DataFrame, out: pd.DataFrame, mapping: Mapping, kind: str, target) -> None:  # type: ignore[no-untyped-def]
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
    if "subject_age_group" in spec.fields and kind != "shootings":
        out[target("subject_age_group")] = (
            frame[col["subject_age_group"]].str[:16] if "subject_age_group" in col else ""
        )
    if kind in ("arrests", "cases"):
        name = _name(frame, mapping).str[:200]
        dob = None
        if "dob" in col:
            found = parse.detect_datetime(frame[col["dob"]])
            if found.format:
                dob = parse.fix_two_digit_birth_years(
                    parse.parse_datetime(frame[col["dob"]], found.format),
                    pd.Timestamp.now().normalize(),
                ).dt.date
        if kind == "arrests":
            out["name_as_recorded"] = name
            out["dob_as_recorded"] = dob if dob is not None else None
            for ident, column in (
                ("state_id", "state_id_as_recorded"),
                ("fbi_number", "fbi_number_as_recorded"),
                ("booking_number", "booking_number"),
            ):
                out[column] = frame[col[ident]].str[:40] if ident in col else ""


def _charges(frame: pd.DataFrame, out: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """One charge per row, or several where the cells list them separated by ';' or '|'."""
    col = mapping.columns
    empty = pd.Series("", index=frame.index)

    def cells(name: str) -> pd.Series:
        return frame[col[name]] if name in col else empty

    desc = cells("offense_description").where(
        cells("offense_description") != "", cells("offense_type")
    )
    charges = pd.DataFrame(
        {
            "source_id": out["source_id"],
            "description": desc.str.split(r"\s*[;|]\s*", regex=True),
            "statute": cells("statute").str.split(r"\s*[;|]\s*", regex=True),
            "offense_code": cells("offense_code"),
            "severity": cells("severity").str.lower().map(SEVERITY).fillna("unknown"),
        }
    )
    charges = charges.explode("description", ignore_index=False)
    charges["sequence"] = charges.groupby(level=0).cumcount() + 1
    statutes = charges["statute"]
    charges["statute"] = [
        s[n - 1] if isinstance(s, list) and len(s) >= n else ""
        for s, n in zip(statutes, charges["sequence"], strict=True)
    ]
    charges["description"] = charges["description"].fillna("").str[:255]
    charges["statute"] = charges["statute"].str[:64]
    charges["offense_code"] = charges["offense_code"].str[:32]
    return charges.reset_index(drop=True)
