"""Where each record is, and how much to trust it: geocode quality, zone and H3 cells.

Quality flags, first that applies: ``missing`` (no coordinates), ``zero`` (0,0), ``outside_extent``
(outside the jurisdiction: the boundary layers' extent when the file mostly falls inside it, else
far from the file's own centre), ``low_precision`` (the agency blurred coordinates, or fewer than
four decimals, about 10 m), ``stacked`` (many records on one exact point: a station or a
city-centre default), else ``ok``.
"""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd

H3_FINE, H3_COARSE = 9, 7
STACK_MIN = 25  # records on one exact point before it counts as a default location
STACK_SHARE = 0.01


def _decimals_below(values: np.ndarray, places: int) -> np.ndarray:
    scaled = values * 10**places
    return np.isclose(scaled, np.round(scaled), rtol=0, atol=1e-6)


def _extent_from_zones() -> tuple[float, float, float, float] | None:
    from django.db.models import Max, Min

    from intel.models import Zone

    box = Zone.objects.aggregate(a=Min("min_lat"), b=Min("min_lon"), c=Max("max_lat"),
                                 d=Max("max_lon"))
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
            inside_zones = lat.between(a - margin, c + margin) & lon.between(b - margin,
                                                                             d + margin)
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
    counts = pd.Series(list(zip(lat.round(7), lon.round(7), strict=True)),
                       index=lat.index)[usable].value_counts()
    threshold = max(STACK_MIN, int(STACK_SHARE * len(lat)))
    stacked_points = set(counts[counts >= threshold].index)
    stacked = usable & ~low
    if stacked_points:
        keys = pd.Series(list(zip(lat.round(7), lon.round(7), strict=True)), index=lat.index)
        stacked &= keys.isin(stacked_points)
    else:
        stacked &= False
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
    points = pd.DataFrame({"lat": lat[usable].round(7), "lon": lon[usable].round(7)})
    distinct = points.drop_duplicates()
    cells = [h3.latlng_to_cell(a, b, H3_FINE)
             for a, b in zip(distinct["lat"].tolist(), distinct["lon"].tolist(), strict=True)]
    distinct = distinct.assign(fine=cells)
    parents = {c: h3.cell_to_parent(c, H3_COARSE) for c in set(cells)}
    distinct["coarse"] = distinct["fine"].map(parents)
    merged = points.merge(distinct, on=["lat", "lon"], how="left")
    fine[usable] = merged["fine"].to_numpy()
    coarse[usable] = merged["coarse"].to_numpy()
    return fine, coarse


def zone_ids(lat: pd.Series, lon: pd.Series, usable: pd.Series) -> pd.Series:
    from intel.boundaries import zones_for_points

    ids = pd.Series(pd.NA, index=lat.index, dtype="Int64")
    if usable.any():
        found = zones_for_points(lat[usable].to_numpy(dtype=float),
                                 lon[usable].to_numpy(dtype=float))
        ids[usable] = pd.array(np.where(found > 0, found, pd.NA), dtype="Int64")
    return ids
