"""The parts of a record beyond its one row of facts, column by column: an arrest's charges, a
shooting's victims, and a case referral's own columns (its arrest, charging decision, prosecutor,
disposition and the status they imply)."""

from __future__ import annotations

import pandas as pd

from intel.ingest import parse
from intel.ingest.columns import categories, dates
from intel.ingest.mapping import Mapping

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


# What a case's disposition or charging decision says, in the order the words are looked for.
_CASE_WORDS: tuple[tuple[str, str], ...] = (
    ("acquit", "acquitted"), ("not guilty", "acquitted"), ("convict", "convicted"),
    ("guilty", "convicted"), ("sentenc", "convicted"), ("plea", "pleaded"), ("plead", "pleaded"),
    ("dismiss", "dismissed"), ("nolle", "dismissed"), ("nol pros", "dismissed"),
    ("declin", "declined"), ("reject", "declined"), ("no charge", "declined"),
    ("not charged", "declined"), ("approv", "charged"), ("charged", "charged"),
    ("filed", "charged"), ("indict", "charged"), ("accepted", "charged"),
)  # fmt: skip


def case_status(text: pd.Series) -> pd.Series:
    """The case status a free-text disposition or decision implies ("" where it says none)."""
    lower = text.str.lower()
    status = pd.Series("", index=text.index)
    for word, value in reversed(_CASE_WORDS):  # earlier words win: applied last
        status = status.mask(lower.str.contains(word, regex=False), value)
    return status.where(~lower.isin(CASE_STATUS), lower)


def case_columns(frame: pd.DataFrame, out: pd.DataFrame, mapping: Mapping, time_zone: str) -> None:
    """A case referral's own columns: who referred it, its arrest, the charging decision, the
    assigned prosecutor, the disposition and the status they imply."""
    col = mapping.columns
    empty = pd.Series("", index=frame.index)

    def text(name: str, size: int) -> pd.Series:
        return frame[col[name]].str[:size] if name in col else empty

    out["case_number"] = text("case_number", 40)
    out["referring_agency"] = text("referring_agency", 120)
    out["arrest_number"] = text("arrest_number", 100).str.replace(r"\.0$", "", regex=True)
    out["charging_decision"] = text("charging_decision", 100)
    out["assigned_prosecutor"] = text("assigned_prosecutor", 120)
    out["disposition"] = text("disposition", 100)
    for name in ("charging_decision_at", "disposition_at"):
        days = dates(frame, mapping, name)
        out[name] = (
            parse.localise(pd.to_datetime(pd.Series(days, index=frame.index)), time_zone)
            if days is not None
            else None
        )
    status = case_status(out["disposition"])
    status = status.where(status != "", case_status(out["charging_decision"]))
    out["status"] = status.where(status != "", "referred")


def charges(
    frame: pd.DataFrame, out: pd.DataFrame, mapping: Mapping, patterns: list[tuple[str, str, str]]
) -> pd.DataFrame:
    """One charge per row, or several where the cells list them separated by ';' or '|', each
    with its category from the offense lookup."""
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
            "source_row": out["source_row"],
            "description": desc.str.split(r"\s*[;|]\s*", regex=True),
            "statute": cells("statute").str.split(r"\s*[;|]\s*", regex=True),
            "offense_code": cells("offense_code"),
            "severity": cells("severity").str.lower().map(SEVERITY).fillna("unknown"),
        }
    )
    charges = charges.explode("description", ignore_index=False)
    nth = charges.groupby(level=0).cumcount() + 1
    statutes = charges["statute"]
    charges["statute"] = [
        s[n - 1] if isinstance(s, list) and len(s) >= n else ""
        for s, n in zip(statutes, nth, strict=True)
    ]
    charges["description"] = charges["description"].fillna("").str[:255]
    charges["statute"] = charges["statute"].str[:64]
    charges["offense_code"] = charges["offense_code"].str[:32]
    blank = pd.Series("", index=charges.index)
    charges["category"], _nibrs = categories(blank, charges["description"], patterns)
    return charges.reset_index(drop=True)


def victims(frame: pd.DataFrame, out: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """One victim per row of a shootings extract."""
    injury = mapping.columns.get("injury")
    return pd.DataFrame(
        {
            "source_id": out["source_id"],
            "source_row": out["source_row"],
            "name_as_recorded": out["name_as_recorded"],
            "dob_as_recorded": out["dob_as_recorded"],
            "age": out["victim_age"],
            "age_group": out["victim_age_group"],
            "sex": out["victim_sex"],
            "race": out["victim_race"],
            "ethnicity": out["victim_ethnicity"],
            "fatal": out["fatal"],
            "injury": frame[injury].str[:100] if injury else "",
        }
    )
