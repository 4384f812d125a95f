"""Rows that share a record id become one record with several parts.

Agencies export one row per offense, per charge or per victim: an incident with an aggravated
assault and a weapons violation is two rows with the same incident number. Each such row is a
*part* of one record (an ``IncidentOffense``, ``ArrestCharge``, ``CaseCharge`` or
``ShootingVictim``), and the record itself is written once:

- incidents: the lead offense is the most serious one (``intel.records.offenses.SERIOUSNESS``),
  and the incident's row is that offense's row; the firearm and domestic flags are true when any
  offense says so. The same offense listed twice (one row per involved person, say) is kept once.
- arrests and cases: charges in the order the rows give them; the record's row is the first.
- shootings: one victim per row; ``fatal`` when any victim died, with victim and fatal counts.

Calls for service have no parts: a record id seen twice keeps the later row (and the earlier
one is reported), as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from intel.records.offenses import seriousness


@dataclass(frozen=True)
class PartSpec:
    """Where a kind's parts go: the child model, its key to the record, the columns a part
    takes from the normalised row, and what makes two parts the same."""

    model: str
    parent_column: str
    columns: tuple[str, ...]
    same: tuple[str, ...] = ()  # empty: every row is its own part
    label: str = "parts"


PARTS: dict[str, PartSpec] = {
    "incidents": PartSpec(
        "IncidentOffense",
        "incident_id",
        (
            "offense_code",
            "offense_description",
            "category",
            "nibrs_code",
            "firearm",
            "domestic",
        ),
        same=("offense_code", "offense_description"),
        label="offenses",
    ),
    "arrests": PartSpec(
        "ArrestCharge",
        "arrest_id",
        ("statute", "offense_code", "description", "category", "severity"),
        same=("statute", "offense_code", "description"),
        label="charges",
    ),
    "cases": PartSpec(
        "CaseCharge",
        "case_id",
        ("statute", "description", "category", "severity"),
        same=("statute", "description"),
        label="charges",
    ),
    "shootings": PartSpec(
        "ShootingVictim",
        "shooting_id",
        (
            "name_as_recorded",
            "dob_as_recorded",
            "age",
            "age_group",
            "sex",
            "race",
            "ethnicity",
            "fatal",
            "injury",
        ),
        label="victims",
    ),
}


def folds(kind: str) -> bool:
    """Whether rows sharing a record id fold into one record for this kind."""
    return kind in PARTS


@dataclass
class Folded:
    records: pd.DataFrame  # one row per record
    parts: pd.DataFrame  # source_id, sequence, source_row and the part's columns
    folded: int  # rows that became a further part of another row's record


def fold(out: pd.DataFrame, parts: pd.DataFrame, kind: str) -> Folded:
    """One record per ``source_id`` of ``out`` (rows of a record are adjacent), and the parts
    numbered within their record. ``parts`` has ``source_id`` and ``source_row`` and may hold
    several parts per row (charges listed in one cell)."""
    spec = PARTS[kind]
    parts = parts[parts["source_id"].isin(out["source_id"])]
    if spec.same:
        parts = parts.drop_duplicates(subset=["source_id", *spec.same], keep="first")
    order = pd.Series(np.arange(len(out)), index=out["source_id"].to_numpy())
    order = order[~order.index.duplicated(keep="first")]
    keys: dict[str, object] = {"_record": parts["source_id"].map(order).to_numpy()}
    if kind == "incidents":  # the most serious offense leads
        keys["_rank"] = [
            seriousness(code, category)
            for code, category in zip(parts["nibrs_code"], parts["category"], strict=True)
        ]
    keys["_row"] = parts["source_row"].to_numpy()
    keys["_within"] = np.arange(len(parts))
    ranked = parts.assign(**keys).sort_values(list(keys), kind="stable")
    ranked["sequence"] = ranked.groupby("_record", sort=False).cumcount() + 1
    parts = ranked.drop(columns=list(keys)).reset_index(drop=True)

    if out["source_id"].is_unique:
        records = out
    elif kind == "incidents":
        lead_rows = parts.loc[parts["sequence"] == 1, "source_row"]
        records = out[out["source_row"].isin(lead_rows)]
    else:
        records = out.drop_duplicates(subset="source_id", keep="first")
    records = records.copy()
    grouped = parts.groupby("source_id", sort=False)
    if kind == "incidents":
        for flag in ("firearm", "domestic"):
            records[flag] = records["source_id"].map(grouped[flag].any()).astype(bool)
    if kind == "shootings":
        records["fatal"] = records["source_id"].map(grouped["fatal"].any()).astype(bool)
        records["victim_count"] = records["source_id"].map(grouped.size()).astype("int64")
        records["fatal_count"] = records["source_id"].map(grouped["fatal"].sum()).astype("int64")
    if kind == "cases":
        top = parts[parts["sequence"] == 1].set_index("source_id")
        records["top_charge"] = records["source_id"].map(top["description"]).fillna("")
        records["category"] = records["source_id"].map(top["category"]).fillna("other")
    return Folded(records, parts, folded=len(out) - len(records))
