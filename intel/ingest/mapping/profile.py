"""What a column's values are: ``ColumnProfile``, the profiles of a frame made on first use
(``_Profiles``), and how well a column's values fit a field (``_content_score``), with the value
patterns these need. Knows nothing of headers.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import pandas as pd

from intel.ingest import parse
from intel.ingest.fields import FIELDS
from intel.records.offenses import BUILTIN, categorise

_BARE_NUMBER = r"-?\d+(?:\.\d+)?"
_ID_VALUE = r"[A-Za-z0-9#][A-Za-z0-9 _\-/.:#]{0,39}"
_DECIMAL = r"-?\d*\.\d*[1-9]\d*"  # a number with a fraction (a coordinate, a measure): not an id
_CODE_VALUE = r"[A-Za-z0-9][A-Za-z0-9.\-/ ]{0,11}"
_RACES = {
    "white",
    "black",
    "hispanic",
    "asian",
    "other",
    "native_american",
    "pacific_islander",
    "multiracial",
}


class ColumnProfile:
    """What a column's values are, measured on its first ``parse.SAMPLE`` non-empty values.

    Every share is of those values (``filled`` is the share of the first rows that have one).
    Measures are computed on first use and kept.
    """

    def __init__(self, column: pd.Series, n_rows: int) -> None:
        self.column = column
        head = column.iloc[: 4 * parse.SAMPLE]
        sample = head[head != ""].iloc[: parse.SAMPLE]
        if len(sample) < parse.SAMPLE and len(column) > len(head):
            sample = column[column != ""].iloc[: parse.SAMPLE]
        self.sample = sample
        self.filled = len(sample) / max(min(n_rows, parse.SAMPLE), 1)

    def _share(self, matches: pd.Series) -> float:
        return float(matches.mean()) if len(matches) else 0.0

    @cached_property
    def datetimes(self) -> parse.Detected:
        """The date or datetime format that parses the most values, and that share."""
        return parse.detect_datetime(self.sample)

    @cached_property
    def bare_numbers(self) -> float:
        return self._share(self.sample.str.fullmatch(_BARE_NUMBER))

    @cached_property
    def calendar(self) -> parse.Detected:
        """Like ``datetimes``, but bare numbers (years, ids, "20170102") never count: what a
        column must look like to be taken as dates on its values alone."""
        bare = self.sample.str.fullmatch(_BARE_NUMBER).to_numpy(dtype=bool)
        if bare.all():
            return parse.Detected(0.0)
        found = parse.detect_datetime(self.sample[~bare])
        return parse.Detected(found.ratio * float((~bare).mean()), found.format)

    @cached_property
    def has_time_of_day(self) -> bool:
        fmt = self.datetimes.format
        return bool(fmt) and parse.has_time_of_day(self.sample, fmt or "ISO8601")

    @cached_property
    def times(self) -> parse.Detected:
        return parse.detect_datetime(self.sample, parse.TIME_FORMATS)

    @cached_property
    def clock_times(self) -> float:
        """Share of times of day written with a colon ("13:05"): bare hours ("13") are too
        easily something else to be taken as times on their values alone."""
        if not self.times.format or ":" not in self.times.format:
            return 0.0
        return self.times.ratio * self._share(self.sample.str.contains(":", regex=False))

    @cached_property
    def numbers(self) -> float:
        return self._share(parse.parse_float(self.sample).notna())

    @cached_property
    def ages(self) -> float:
        return self._share(parse.parse_int(self.sample).notna())

    def coordinates(self, limit: int) -> float:
        values = parse.parse_float(self.sample)
        return self._share(values.between(-limit, limit) & values.notna())

    @cached_property
    def latitudes(self) -> float:
        return self.coordinates(90)

    @cached_property
    def longitudes(self) -> float:
        return self.coordinates(180)

    @cached_property
    def points(self) -> float:
        return parse.detect_points(self.sample).ratio

    @cached_property
    def wkb(self) -> float:
        return parse.detect_ewkb(self.sample).ratio

    @cached_property
    def flags(self) -> float:
        return parse.detect_bool(self.sample).ratio

    @cached_property
    def sexes(self) -> float:
        return self._share(self.sample.str.lower().isin(parse._SEX))

    @cached_property
    def races(self) -> float:
        race = parse.parse_race(self.sample, _RACES)
        return self._share((race != "unknown") | self.sample.str.lower().str.contains("unknown"))

    @cached_property
    def names(self) -> float:
        return self._share(self.sample.str.contains(r"[A-Za-z]{2,}", regex=True))

    @cached_property
    def offenses(self) -> float:
        """Share of values that the built-in offense table places in a category ("Assault",
        "Break and Enter", "THEFT F/AUTO"...)."""
        found = categorise(self.sample.unique().tolist(), BUILTIN)
        known = {text for text, (category, _) in found.items() if category != "other"}
        return self._share(self.sample.isin(known))

    @cached_property
    def codes(self) -> float:
        """Share of short code-like values with a digit ("0484", "08B", "13A", "PL 1200501")."""
        short = self.sample.str.fullmatch(_CODE_VALUE) & self.sample.str.contains(r"\d")
        return self._share(short)

    @cached_property
    def distinct(self) -> float:
        return self.sample.nunique() / len(self.sample) if len(self.sample) else 0.0

    @cached_property
    def id_like(self) -> float:
        """Share of values that look like record ids: one short token with a digit, not a
        number with a fraction. A column of dates is not id-like, whatever its values."""
        if self.calendar.ratio >= 0.5:
            return 0.0
        values = self.sample
        ok = (
            values.str.fullmatch(_ID_VALUE)
            & values.str.contains(r"\d")
            & ~values.str.fullmatch(_DECIMAL)
            & (values.str.count(" ") <= 2)
        )
        return self._share(ok)

    def is_key(self) -> bool:
        """Whether the whole column (not only the sample) is non-empty and unique."""
        return bool((self.column != "").all() and self.column.is_unique)

    def is_row_counter(self) -> bool:
        """1, 2, 3... in file order: a row number, which a new export renumbers."""
        numbers = pd.to_numeric(self.column, errors="coerce")
        if numbers.isna().any() or len(numbers) < 2:
            return False
        steps = numbers.diff().iloc[1:]
        return bool((steps == 1).all())


class _Profiles(dict[str, ColumnProfile]):
    """Each column's profile, made on first use."""

    def __init__(self, frame: pd.DataFrame) -> None:
        super().__init__()
        self.frame = frame

    def __missing__(self, header: str) -> ColumnProfile:
        profile = ColumnProfile(self.frame[header], len(self.frame))
        self[header] = profile
        return profile


def _content_score(field_name: str, profile: ColumnProfile) -> tuple[float, str, dict[str, Any]]:
    """How well the values fit the field (0–1), why, and any option learnt (date format)."""
    kind = FIELDS[field_name].type
    if profile.sample.empty:
        return 0.0, "column is empty", {}
    filled = profile.filled
    if kind in ("datetime", "date"):
        found = profile.datetimes
        return found.ratio, f"{found.ratio:.0%} parse as {found.format}", {"format": found.format}
    if kind == "time":
        found = profile.times
        return (
            found.ratio,
            f"{found.ratio:.0%} parse as times ({found.format})",
            {"format": found.format},
        )
    if field_name in ("latitude", "longitude"):
        ratio = profile.latitudes if field_name == "latitude" else profile.longitudes
        return ratio, f"{ratio:.0%} are valid {field_name}s", {}
    if kind == "float":
        return profile.numbers, f"{profile.numbers:.0%} are numbers", {}
    if kind == "int":
        return profile.ages * 0.9 + 0.1 * filled, f"{profile.ages:.0%} are ages", {}
    if kind == "point":
        return profile.points, f"{profile.points:.0%} are points", {}
    if kind == "ewkb":
        return profile.wkb, f"{profile.wkb:.0%} are WKB geometries", {}
    if kind == "bool":
        return profile.flags, f"{profile.flags:.0%} are yes/no values", {}
    if kind == "id":
        # Rows may share a record id (one row per offense, charge or victim), but a column
        # with few distinct values is a category, not an id.
        unique = profile.distinct
        if unique < 0.2:
            return unique * filled, f"only {unique:.0%} distinct in the sample", {}
        return filled * (0.5 + 0.5 * unique), f"{unique:.0%} unique in the sample", {}
    if kind == "sex":
        return profile.sexes, f"{profile.sexes:.0%} are sexes", {}
    if kind == "race":
        return profile.races, f"{profile.races:.0%} are races", {}
    if kind == "name":
        return profile.names, "names", {}
    if field_name == "offense_code":
        return profile.codes * filled, f"{profile.codes:.0%} look like offense codes", {}
    numeric = profile.numbers
    text_score = 1.0 - 0.5 * numeric if field_name in ("offense_description", "address") else 1.0
    why = "text"
    if field_name in ("offense_type", "offense_description") and profile.offenses > 0:
        why = f"text, {profile.offenses:.0%} known offenses"
    # A sparse text column (a disposition most cases do not have yet) is still that column:
    # how full it is only ranks it against other candidates.
    return text_score * (0.5 + 0.5 * filled), why, {}
