"""Vectorised parsing of extract columns (pandas): dates in whatever format the agency uses,
coordinates in any of the usual encodings, flags, sexes and races. Nothing here loops over rows
in Python; a million-row column parses in well under a second per format tried."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

DATETIME_FORMATS = [
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%m/%d/%Y", "%m/%d/%y %I:%M:%S %p", "%m/%d/%y %I:%M %p", "%m/%d/%y %H:%M", "%m/%d/%y",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M:%S%z", "%Y/%m/%d", "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y", "%d-%b-%Y %H:%M", "%d-%b-%Y", "%d-%b-%y", "%b %d %Y", "%Y%m%d", "ISO8601",
]  # fmt: skip
TIME_FORMATS = ["%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%H%M", "%H"]
SAMPLE = 2000

_EWKB = re.compile(r"^(00|01)[0-9A-Fa-f]{16,}$")


@dataclass(frozen=True)
class Detected:
    """What a sample of a column looks like: the share of non-empty values that parse."""

    ratio: float
    format: str | None = None


def _sample(column: pd.Series) -> pd.Series:
    values = column[column != ""]
    return values.iloc[:SAMPLE]


def _parse_datetimes(values: pd.Series, fmt: str) -> pd.Series:
    if fmt == "ISO8601" or fmt.endswith("%z"):
        parsed = pd.to_datetime(values, format=fmt, errors="coerce", utc=True)
        return parsed.dt.tz_convert(None)  # offsets applied; naive UTC, marked by the caller
    return pd.to_datetime(values, format=fmt, errors="coerce")


def detect_datetime(column: pd.Series, formats: list[str] = DATETIME_FORMATS) -> Detected:
    """The format that parses the most of a sample (ties: the earlier, US-first, format)."""
    sample = _sample(column)
    if sample.empty:
        return Detected(0.0)
    best = Detected(0.0)
    for fmt in formats:
        try:
            ratio = float(_parse_datetimes(sample, fmt).notna().mean())
        except (ValueError, TypeError, OverflowError):
            continue
        if ratio > best.ratio + 1e-9:
            best = Detected(ratio, fmt)
        if ratio == 1.0:
            break
    return best


def has_time_of_day(column: pd.Series, fmt: str) -> bool:
    """Whether a datetime column carries times (not all midnight): a date-only column may have a
    separate time column."""
    parsed = _parse_datetimes(_sample(column), fmt).dropna()
    if parsed.empty:
        return False
    return bool(((parsed.dt.hour != 0) | (parsed.dt.minute != 0)).any())


def parse_datetime(column: pd.Series, fmt: str) -> pd.Series:
    """Naive datetimes (NaT where unparseable); ISO values with an offset come out in UTC."""
    return _parse_datetimes(column.where(column != "", None), fmt)


def is_utc_format(fmt: str, column: pd.Series) -> bool:
    """Whether the parsed values are UTC (the values carry their offset), not local times."""
    if fmt.endswith("%z"):
        return True
    return fmt == "ISO8601" and bool(
        _sample(column).str.contains(r"(?:Z|[+-]\d\d(?::?\d\d)?)$", regex=True).any()
    )


def parse_time(column: pd.Series) -> pd.Series:
    """Time of day as a timedelta since midnight (NaT where missing)."""
    best = detect_datetime(column, TIME_FORMATS)
    if not best.format:
        return pd.Series(pd.NaT, index=column.index, dtype="timedelta64[ns]")
    parsed = pd.to_datetime(column.where(column != "", None), format=best.format, errors="coerce")
    return parsed - parsed.dt.normalize()


def localise(naive: pd.Series, time_zone: str, *, already_utc: bool = False) -> pd.Series:
    """Aware UTC datetimes from local wall-clock times (DST gaps shift forward; repeated hours
    are read as standard time)."""
    if already_utc:
        return naive.dt.tz_localize("UTC")
    ambiguous = np.zeros(len(naive), dtype=bool)
    local = naive.dt.tz_localize(time_zone, ambiguous=ambiguous, nonexistent="shift_forward")
    return local.dt.tz_convert("UTC")


def fix_two_digit_birth_years(dates: pd.Series, today: pd.Timestamp) -> pd.Series:
    """'03/04/65' is 1965, not 2065: a birth date cannot be in the future."""
    future = dates > today
    return dates.where(~future, dates - pd.DateOffset(years=100))


def parse_float(column: pd.Series) -> pd.Series:
    return pd.to_numeric(
        column.str.replace(",", "", regex=False).where(column != "", None), errors="coerce"
    )


def parse_int(column: pd.Series) -> pd.Series:
    numbers = parse_float(column)
    whole = numbers.where((numbers >= 0) & (numbers < 130) & (numbers == numbers.round()))
    return whole.astype("Int64")


_WKT_RE2 = (
    r"^\s*(?i:POINT)\s*Z?\s*\(\s*(?P<lon>-?[0-9.]+(?:[eE]-?[0-9]+)?)\s+"
    r"(?P<lat>-?[0-9.]+(?:[eE]-?[0-9]+)?)"
)
_PAREN_RE2 = (
    r"^\s*\(?\s*(?P<lat>-?[0-9]+(?:\.[0-9]+)?)\s*,\s*"
    r"(?P<lon>-?[0-9]+(?:\.[0-9]+)?)\s*\)?\s*$"
)


def parse_points(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude from WKT ``POINT (lon lat)`` or ``"(lat, lon)"`` strings (both
    patterns run in Arrow's RE2 over the whole column)."""
    from intel.ingest.arrowtext import extract_floats

    lat, lon = extract_floats(column, _WKT_RE2, ("lat", "lon"))
    missing = lat.isna()
    if missing.any():
        plat, plon = extract_floats(column[missing], _PAREN_RE2, ("lat", "lon"))
        lat[missing], lon[missing] = plat, plon
    return lat, lon


def detect_points(column: pd.Series) -> Detected:
    sample = _sample(column)
    if sample.empty:
        return Detected(0.0)
    lat, lon = parse_points(sample)
    ok = lat.between(-90, 90) & lon.between(-180, 180)
    return Detected(float(ok.mean()))


def parse_ewkb(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude from hex (E)WKB points, reprojected to WGS84 when the SRID says."""
    import shapely
    from pyproj import Transformer

    lat = pd.Series(np.nan, index=column.index)
    lon = pd.Series(np.nan, index=column.index)
    present = column.str.match(_EWKB)
    if not present.any():
        return lat, lon
    geoms = shapely.from_wkb(column[present].to_numpy(), on_invalid="ignore")
    xs, ys = shapely.get_x(geoms), shapely.get_y(geoms)
    srids = shapely.get_srid(geoms)
    for srid in np.unique(srids):
        rows = srids == srid
        if srid not in (0, 4326):
            transformer = Transformer.from_crs(int(srid), 4326, always_xy=True)
            xs[rows], ys[rows] = transformer.transform(xs[rows], ys[rows])
    lon[present], lat[present] = xs, ys
    return lat, lon


def detect_ewkb(column: pd.Series) -> Detected:
    sample = _sample(column)
    if sample.empty:
        return Detected(0.0)
    return Detected(float(sample.str.match(_EWKB).mean()))


def reproject(x: pd.Series, y: pd.Series, epsg: int) -> tuple[pd.Series, pd.Series]:
    from pyproj import Transformer

    transformer = Transformer.from_crs(epsg, 4326, always_xy=True)
    lon, lat = transformer.transform(x.to_numpy(dtype=float), y.to_numpy(dtype=float))
    return pd.Series(lat, index=x.index), pd.Series(lon, index=x.index)


_TRUE = {"true", "t", "y", "yes", "1", "x", "fatal", "killed"}
_FALSE = {"false", "f", "n", "no", "0", ""}


def parse_bool(column: pd.Series) -> pd.Series:
    lowered = column.str.lower()
    return lowered.isin(_TRUE)


def detect_bool(column: pd.Series) -> Detected:
    sample = _sample(column).str.lower()
    if sample.empty:
        return Detected(0.0)
    return Detected(float(sample.isin(_TRUE | _FALSE).mean()))


_SEX = {
    "m": "M",
    "male": "M",
    "man": "M",
    "f": "F",
    "female": "F",
    "woman": "F",
    "x": "X",
    "nonbinary": "X",
    "non-binary": "X",
    "u": "U",
    "unknown": "U",
    "": "",
}
_RACE = [
    (r"^(w|white|white hispanic|white non-hispanic)$", "white"),
    (r"^(b|black|black hispanic|african american|black or african american)$", "black"),
    (r"^(a|asian|asian / pacific islander|asian/pacific islander|api|asian pacific islander)$",
     "asian"),
    (r"^(i|american indian|american indian/alaskan native|american indian/alaska native|"
     r"native american|amer ind)$", "native_american"),
    (r"^(p|pacific islander|native hawaiian)", "pacific_islander"),
    (r"^(h|hispanic|latino|hispanic/latino|white hispanic)$", "hispanic"),
    (r"^(u|unknown|unk|not recorded|refused|other/unknown|\(null\))$", "unknown"),
    (r"^(m|multiple|multi|multiracial|two or more)", "multiracial"),
    (r"^(o|other)", "other"),
]  # fmt: skip


def parse_sex(column: pd.Series) -> pd.Series:
    return column.str.lower().map(_SEX).fillna("U")


def parse_race(column: pd.Series, choices: set[str]) -> pd.Series:
    lowered = column.str.lower().str.strip()
    out = pd.Series("unknown", index=column.index, dtype=object)
    uniques = lowered.unique()
    table = {}
    for value in uniques:
        table[value] = "unknown"
        for pattern, race in _RACE:
            if re.match(pattern, value) and race in choices:
                table[value] = race
                break
    out[:] = lowered.map(table)
    return out
