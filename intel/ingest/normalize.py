"""From an extract's text cells to typed, normalised records and their parts, in bulk.

``prepare`` works on the whole file: record ids, unchanged records skipped, rows that share a
record id brought together (``intel.ingest.fold``), identical rows reported, coordinates judged.
``normalise_part`` then types a slice of whole records, column by column (``intel.ingest.columns``),
and folds their rows. Rows that lack what the kind requires (a usable date, a record id where the
source has ids) are rejected with the reason; everything else is kept. Nothing touches the
database here except the read of boundary layers for zones.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from intel.ingest import columns, geo, parse, parts
from intel.ingest.arrowtext import json_objects, positions
from intel.ingest.fields import KINDS
from intel.ingest.fold import PARTS, fold, folds
from intel.ingest.mapping import Mapping

Reject = list[object]  # [row, column header, reason]


@dataclass
class Normalised:
    """Records to write (new or changed ones only), their parts (offenses, charges, victims),
    the rejects, and counts. A record's ``stored_id`` is its id in the table (-1: new), a
    part's ``record`` the position of its record in ``records``."""

    records: pd.DataFrame
    parts: pd.DataFrame | None = None
    rejects: list[Reject] = field(default_factory=list)
    quality: dict[str, int] = field(default_factory=dict)
    folded: int = 0
    notes: Counter[str] = field(default_factory=Counter)  # e.g. rows timed by their report date


def _reject(
    rejects: list[Reject], rows: pd.Index, field_name: str, reason: str | pd.Series
) -> None:
    if isinstance(reason, pd.Series):
        rejects.extend([int(r), field_name, str(reason[r])] for r in rows)
    else:
        rejects.extend([int(r), field_name, reason] for r in rows)


def _row_hashes(frame: pd.DataFrame, mapping: Mapping) -> pd.Series:
    """A 64-bit hash of each row's cells and the mapping: equal hash, equal stored values."""
    signature = int(hashlib.blake2b(mapping.signature().encode(), digest_size=7).hexdigest(), 16)
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return pd.Series((hashed ^ np.uint64(signature)).view(np.int64), index=frame.index)


def _record_hashes(row_hashes: pd.Series, records: np.ndarray) -> pd.Series:
    """Each row's record hash: the wrapping sum of the row hashes of its record (``records``:
    the record number of each row), so a record is unchanged when the same rows come again, in
    any order."""
    summed = row_hashes.groupby(records, sort=False).transform("sum")
    return pd.Series(summed.to_numpy(), index=row_hashes.index)


@dataclass
class Prepared:
    """What needs the whole file: ids, hashes, unchanged records skipped, the rows of each
    record brought together, and the coordinates (stacking and the jurisdiction's extent are
    judged over all points)."""

    frame: pd.DataFrame
    source_ids: pd.Series
    hashes: pd.Series | None  # None: nothing stored to compare with; hashed part by part
    rejects: list[Reject]
    unchanged: int
    record_starts: np.ndarray | None = None  # True where a record's rows begin; None: 1 row each
    new_records: int = 0  # records not stored yet (an upper bound: some may be rejected)
    stored_ids: np.ndarray | None = None  # each row's stored record id; -1: not stored yet
    lat: pd.Series | None = None
    lon: pd.Series | None = None
    quality: pd.Series | None = None
    zone_index: geo.ZoneIndex | None = None  # boundary polygons, loaded before any COPY starts

    def slices(self, size: int, *, first: int | None = None) -> Iterator[slice]:
        """Slices of about ``size`` rows (the first of about ``first``) that never cut a
        record's rows apart."""
        total, start = len(self.frame), 0
        while start < total:
            end = min(start + (first if start == 0 and first else size), total)
            if self.record_starts is not None:
                while end < total and not self.record_starts[end]:
                    end += 1
            yield slice(start, end)
            start = end


def prepare(
    frame: pd.DataFrame, mapping: Mapping, kind: str, stored: pd.DataFrame | None = None
) -> Prepared:
    """Rows whose id and hash match ``stored`` (``source_id``, ``stored_hash``) are unchanged:
    counted and dropped before any parsing, which is what makes re-importing cheap."""
    from intel.records.zones import zone_index

    source_ids = columns.record_ids(frame, mapping)
    id_header = mapping.columns.get("source_id", "")
    rejects: list[Reject] = []
    # Records numbered once (one hash of the ids); rows are compared by these integers after.
    records, record_ids = pd.factorize(source_ids)
    has_id = (source_ids != "").to_numpy()
    shared = np.zeros(len(records), dtype=bool)
    if len(record_ids) < len(records):
        shared = (np.bincount(records)[records] > 1) & has_id
    hashes: pd.Series | None = None
    if (stored is not None and not stored.empty) or shared.any():
        hashes = _row_hashes(frame, mapping)
    record_starts = None
    if shared.any() and folds(kind):
        assert hashes is not None
        # The same row twice is one row: reported, not folded.
        seen = pd.DataFrame({"id": records, "hash": hashes.to_numpy()}).duplicated(keep="first")
        twin = shared & seen.to_numpy()
        _reject(
            rejects,
            frame.index[twin],
            id_header,
            "an identical row of the same record appears earlier in the file; counted once",
        )
        keep = ~twin
        frame, source_ids, hashes = frame[keep], source_ids[keep], hashes[keep]
        records = records[keep]
        # A record's rows side by side, in the order of its first row.
        first = pd.Series(np.arange(len(frame))).groupby(records).transform("min")
        order = np.argsort(first.to_numpy(), kind="stable")
        frame, source_ids, hashes = frame.iloc[order], source_ids.iloc[order], hashes.iloc[order]
        records = records[order]
        hashes = _record_hashes(hashes, records)
        record_starts = np.r_[True, records[1:] != records[:-1]]
    elif shared.any():
        # Kinds without parts: the later row of an id is the record.
        dupes = pd.Series(records).duplicated(keep="last").to_numpy() & has_id
        _reject(
            rejects,
            frame.index[dupes],
            id_header,
            "the same record id appears again later in the file; the later row was used",
        )
        frame, source_ids, records = frame[~dupes], source_ids[~dupes], records[~dupes]
        hashes = hashes[~dupes] if hashes is not None else None
    unchanged = 0
    stored_ids = np.full(len(source_ids), -1, dtype=np.int64)
    if stored is not None and not stored.empty:
        assert hashes is not None
        at = positions(source_ids, stored["source_id"])
        found = at >= 0
        stored_ids[found] = stored["id"].to_numpy(dtype=np.int64)[at[found]]
        hashed = stored["stored_hash"].notna().to_numpy()
        stored_hash = stored["stored_hash"].fillna(0).to_numpy(dtype=np.int64)
        # (at -1, where the id is new, reads the last stored row: masked by found)
        same = found & hashed[at] & (stored_hash[at] == hashes.to_numpy(dtype=np.int64))
        if record_starts is not None:
            unchanged = int((same & record_starts).sum())
            record_starts = record_starts[~same]
        else:
            unchanged = int(same.sum())
        frame, source_ids, hashes = frame[~same], source_ids[~same], hashes[~same]
        records, stored_ids = records[~same], stored_ids[~same]
    prepared = Prepared(frame, source_ids, hashes, rejects, unchanged, record_starts)
    prepared.stored_ids = stored_ids
    # Records not stored yet: each distinct id once, and each row whose id is empty.
    fresh = stored_ids < 0
    distinct = np.count_nonzero(np.bincount(records[fresh], minlength=len(record_ids)))
    prepared.new_records = int(distinct) + int((fresh & (source_ids == "").to_numpy()).sum())
    if "latitude" in KINDS[kind].fields:
        prepared.lat, prepared.lon = columns.coordinates(frame, mapping)
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
    """Typed records for the model of ``kind``, and their parts, for the prepared rows in
    ``rows`` (whole records: see ``Prepared.slices``); rows lacking what the kind requires are
    rejected with the reason."""
    spec = KINDS[kind]
    frame = prepared.frame.iloc[rows]
    if frame.empty:
        return Normalised(pd.DataFrame({"source_id": pd.Series([], dtype=object)}))
    rejects: list[Reject] = []
    out = pd.DataFrame(index=frame.index)
    out["source_id"] = prepared.source_ids.iloc[rows]
    out["source_row"] = frame.index.astype("int64")
    out["stored_id"] = prepared.stored_ids[rows] if prepared.stored_ids is not None else -1
    out[spec.when_column] = columns.when_of(frame, mapping, time_zone)
    reported = (
        columns.reported_of(frame, mapping, time_zone) if "reported_at" in spec.fields else None
    )
    notes: Counter[str] = Counter()
    if reported is not None:
        out["reported_at"] = reported
        # No occurrence date on the row (an empty cell, not an unreadable one), but a report
        # date: the report date stands in.
        empty = frame[mapping.columns["when"]].str.strip() == ""
        stand_in = (empty & out[spec.when_column].isna() & reported.notna()).to_numpy()
        if stand_in.any():
            out.loc[stand_in, spec.when_column] = reported[stand_in]
            notes["when_from_report"] = int(stand_in.sum())
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
        values = columns.column_of(frame, mapping, name)
        if values is not None:
            empty = (values == "") & ~bad_when & ~no_id
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
        return columns.column_of(frame, mapping, name)

    def target(name: str) -> str:
        return spec.columns.get(name, name)

    columns.offense(frame, out, mapping, kind, patterns, target)
    quality = {}
    if prepared.lat is not None:
        assert prepared.lon is not None and prepared.quality is not None
        quality = columns.location(
            frame,
            out,
            mapping,
            prepared.lat.iloc[rows][keep],
            prepared.lon.iloc[rows][keep],
            prepared.quality.iloc[rows][keep],
            prepared.zone_index,
        )
    columns.people(frame, out, mapping, kind, target)
    for flag in ("firearm", "domestic", "fatal"):
        if flag in spec.fields:
            values = col(flag)
            out[target(flag)] = parse.parse_bool(values) if values is not None else False
    for name in ("priority", "disposition"):
        values = col(name)
        if name in spec.fields and kind != "cases":
            out[target(name)] = values.str[:100] if values is not None else ""
    if kind == "cases":
        parts.case_columns(frame, out, mapping, time_zone)
    out["raw"] = json_objects(frame)
    out["row_hash"] = hashes
    if not folds(kind):
        return Normalised(out, None, rejects, quality, notes=notes)
    if kind in ("arrests", "cases"):
        rows = parts.charges(frame, out, mapping, patterns)
    elif kind == "shootings":
        rows = parts.victims(frame, out, mapping)
    else:
        rows = out[["source_id", "source_row", *PARTS[kind].columns]]
    folded = fold(out, rows, kind)
    if quality:  # counted per record, not per row
        counts = folded.records["geocode_quality"].value_counts()
        quality = {str(k): int(v) for k, v in counts.items()}
    return Normalised(folded.records, folded.parts, rejects, quality, folded.folded, notes)
