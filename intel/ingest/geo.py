"""Where each record is, and how much to trust it: geocode quality, zone and H3 cells.

Quality flags, first that applies: ``missing`` (no coordinates), ``zero`` (0,0), ``outside_extent``
(outside the jurisdiction: the boundary layers' extent when the file mostly falls inside it, else
far from the file's own centre), ``low_precision`` (the agency blurred coordinates, or fewer than
four decimals, about 10 m), ``stacked`` (many records on one exact point: a station or a
city-centre default), else ``ok``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import h3
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from intel.records.zones import _ZoneIndex as ZoneIndex

H3_FINE, H3_COARSE = 9, 7
STACK_MIN = 25  # records on one exact point before it counts as a default location
STACK_SHARE = 0.01
USABLE = ("ok", "stacked", "low_precision")  # worth a zone and H3 cells


def _decimals_below(values: np.ndarray, places: int) -> np.ndarray:
    scaled = values * 10**places
    close: np.ndarray = np.isclose(scaled, np.round(scaled), rtol=0, atol=1e-6)
    return close


def _extent_from_zones() -> tuple[float, float, float, float] | None:
    from django.db.models import Max, Min

    from intel.models import Zone

    box = Zone.objects.aggregate(
        a=Min("min_lat"), b=Min("min_lon"), c=Max("max_lat"), d=Max("max_lon")
    )
    if box["a"] is None:
        return None
    return box["a"], box["b"], box["c"], box["d"]


def geocode_quality(lat: pd.Series, lon: pd.Series, *, blurred: bool) -> pd.Series:
    quality = pd.Series("ok", index=lat.index, dtype=object)
    missing = lat.isna() | lon.isna()
    zero = ~missing & (lat.abs() < 1e-6) & (lon.abs() < 1e-6)
    present = ~missing & ~zero
    outside = pd.Series(False, index=lat.index)
    if present.any():
        extent = _extent_from_zones()
        margin = 0.02  # about 2 km
        inside_zones = None
        if extent:
            a, b, c, d = extent
            inside_zones = lat.between(a - margin, c + margin) & lon.between(b - margin, d + margin)
        if inside_zones is not None and inside_zones[present].mean() >= 0.5:
            outside = present & ~inside_zones
        else:
            mlat, mlon = lat[present].median(), lon[present].median()
            outside = present & (((lat - mlat).abs() > 1.0) | ((lon - mlon).abs() > 1.0))
    usable = present & ~outside
    coarse = usable & (
        _decimals_below(lat.fillna(0).to_numpy(), 3) & _decimals_below(lon.fillna(0).to_numpy(), 3)
    )
    low = usable & (coarse | blurred)
    keys = _point_keys(lat, lon)
    counts = keys[usable].value_counts()
    threshold = max(STACK_MIN, int(STACK_SHARE * len(lat)))
    stacked = usable & ~low & keys.isin(counts.index[counts >= threshold])
    quality[missing] = "missing"
    quality[zero] = "zero"
    quality[outside] = "outside_extent"
    quality[low] = "low_precision"
    quality[stacked] = "stacked"
    return quality


def h3_cells(lat: pd.Series, lon: pd.Series, usable: pd.Series) -> tuple[pd.Series, pd.Series]:
    """H3 cells at resolution 9 (~0.1 km²) and 7 (~5 km²), computed once per distinct point."""
    fine = pd.Series("", index=lat.index, dtype=object)
    coarse = pd.Series("", index=lat.index, dtype=object)
    if not usable.any():
        return fine, coarse
    ulat, ulon = lat[usable].to_numpy(), lon[usable].to_numpy()
    codes, uniques = pd.factorize(_point_keys(lat[usable], lon[usable]))
    first = np.zeros(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # a row holding each distinct point
    cells = np.array(
        [
            h3.latlng_to_cell(a, b, H3_FINE)
            for a, b in zip(ulat[first].tolist(), ulon[first].tolist(), strict=True)
        ],
        dtype=object,
    )
    parent_of = {c: h3.cell_to_parent(c, H3_COARSE) for c in set(cells.tolist())}
    parents = np.array([parent_of[c] for c in cells.tolist()], dtype=object)
    fine[usable] = cells[codes]
    coarse[usable] = parents[codes]
    return fine, coarse


def _point_keys(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """One integer per exact point (a 1e-7 degree grid)."""
    return (lat.fillna(0) * 1e7).round().astype("int64") * 4_000_000_000 + (
        lon.fillna(0) * 1e7
    ).round().astype("int64")


def zone_ids(
    lat: pd.Series, lon: pd.Series, usable: pd.Series, index: ZoneIndex | None = None
) -> pd.Series:
    from intel.records.zones import zones_for_points

    ids = pd.Series(pd.NA, index=lat.index, dtype="Int64")
    if usable.any():
        found = zones_for_points(
            lat[usable].to_numpy(dtype=float), lon[usable].to_numpy(dtype=float), index=index
        )
        ids[usable] = pd.array(np.where(found > 0, found, pd.NA), dtype="Int64")
    return ids
