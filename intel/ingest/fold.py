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

from intel.ingest.arrowtext import positions
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
    parts: pd.DataFrame  # source_id, sequence, source_row, record (its row in records), columns
    folded: int  # rows that became a further part of another row's record


def _ranks(parts: pd.DataFrame) -> np.ndarray:
    """Each offense's seriousness, decided once per distinct (NIBRS code, category) pair."""
    code, codes = pd.factorize(parts["nibrs_code"], use_na_sentinel=False)
    category, categories = pd.factorize(parts["category"], use_na_sentinel=False)
    pair, pairs = pd.factorize(code.astype(np.int64) * len(categories) + category)
    ranks = np.array(
        [seriousness(codes[p // len(categories)], categories[p % len(categories)]) for p in pairs],
        dtype=np.int64,
    )
    return np.asarray(ranks[pair], dtype=np.int64)


def fold(out: pd.DataFrame, parts: pd.DataFrame, kind: str) -> Folded:
    """One record per ``source_id`` of ``out`` (rows of a record are adjacent), and the parts
    numbered within their record. ``parts`` has ``source_id`` and ``source_row`` and may hold
    several parts per row (charges listed in one cell).

    Records are numbered once (their order of first row) and everything after works on those
    integers: an extract with no repeated id, the usual case, costs one hash of the ids."""
    spec = PARTS[kind]
    row_record, record_ids = pd.factorize(out["source_id"])
    record = positions(parts["source_id"], record_ids)
    if (record < 0).any():
        parts, record = parts[record >= 0], record[record >= 0]
    several = len(record) > 0 and int(np.bincount(record).max()) > 1
    if several and spec.same:
        same = pd.DataFrame({"_record": record, **{c: parts[c].to_numpy() for c in spec.same}})
        first = ~same.duplicated(keep="first").to_numpy()
        parts, record = parts[first], record[first]
    # Parts in record order; within a record the most serious offense leads (incidents), then
    # the order of the rows and of the parts in them.
    keys: list[np.ndarray] = [np.arange(len(parts)), parts["source_row"].to_numpy()]
    if several and kind == "incidents":
        keys.append(_ranks(parts))
    order = np.lexsort([*keys, record])
    record = record[order]
    starts = np.r_[True, record[1:] != record[:-1]] if len(record) else np.zeros(0, dtype=bool)
    at = np.arange(len(record))
    sequence = at - np.maximum.accumulate(np.where(starts, at, 0)) + 1
    parts = parts.iloc[order].reset_index(drop=True)
    parts["sequence"] = sequence
    lead = np.full(len(record_ids), -1, dtype=np.int64)  # each record's first part
    lead[record[starts]] = np.flatnonzero(starts)

    if len(record_ids) == len(out):
        records, of_record = out, row_record
    elif kind == "incidents":
        is_lead = out["source_row"].isin(parts["source_row"].to_numpy()[starts]).to_numpy()
        records, of_record = out[is_lead], row_record[is_lead]
    else:
        firsts = ~pd.Series(row_record).duplicated(keep="first").to_numpy()
        records, of_record = out[firsts], row_record[firsts]
    records = records.copy()
    position = np.full(len(record_ids), -1, dtype=np.int64)
    position[of_record] = np.arange(len(records))
    parts["record"] = position[record]

    def per_record(values: pd.Series, *, count: bool = False) -> np.ndarray:
        totals = np.bincount(
            record, weights=values.fillna(False).to_numpy(dtype=np.int64), minlength=len(record_ids)
        )
        chosen = totals.astype(np.int64) if count else totals > 0
        return np.asarray(chosen[of_record])

    if kind == "incidents":
        for flag in ("firearm", "domestic"):
            records[flag] = per_record(parts[flag])
    if kind == "shootings":
        records["fatal"] = per_record(parts["fatal"])
        records["victim_count"] = np.bincount(record, minlength=len(record_ids))[of_record]
        records["fatal_count"] = per_record(parts["fatal"], count=True)
    if kind == "cases":
        top = lead[of_record]  # -1 (no charge) takes the value appended last
        records["top_charge"] = np.append(parts["description"].to_numpy(dtype=object), "")[top]
        records["category"] = np.append(parts["category"].to_numpy(dtype=object), "other")[top]
    return Folded(records, parts, folded=len(out) - len(records))
