"""The data of the analysis benchmark: a jurisdiction of 25 square zones and ``rows`` incidents
over three years up to yesterday, loaded with COPY (the import pipeline has its own benchmark).

Points are mostly spread over the city with a few dense clusters (so the map has hotspots to
find), 2 % with a bad geocode flag; categories and firearm involvement in realistic shares.
"""

from __future__ import annotations

from datetime import timedelta

import h3
import numpy as np
import pandas as pd
from django.db import connection
from django.utils import timezone

from intel.ingest.load import _complete, _copy
from intel.models import Agency, Incident, Zone, ZoneLayer

LAYER = "bench-districts"
SOUTH, NORTH, WEST, EAST = 41.65, 42.02, -87.90, -87.53
GRID = 5  # zones per side
CATEGORIES = ["violent", "property", "drug", "weapons", "public_order", "other"]
SHARES = [0.22, 0.45, 0.08, 0.05, 0.1, 0.1]
YEARS = 3


def _zones() -> tuple[ZoneLayer, np.ndarray]:
    """A layer of GRID x GRID square zones; returns it and the zone ids, row-major from the south
    west."""
    layer = ZoneLayer.objects.create(name=LAYER, label="Bench districts", key_field="DIST")
    dlat, dlon = (NORTH - SOUTH) / GRID, (EAST - WEST) / GRID
    ids = []
    for row in range(GRID):
        for col in range(GRID):
            s, w = SOUTH + row * dlat, WEST + col * dlon
            n, e = s + dlat, w + dlon
            ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
            zone = Zone.objects.create(
                layer=layer,
                key=str(row * GRID + col + 1),
                name=f"District {row * GRID + col + 1}",
                geometry={"type": "Polygon", "coordinates": [ring]},
                min_lat=s,
                min_lon=w,
                max_lat=n,
                max_lon=e,
            )
            ids.append(zone.pk)
    return layer, np.array(ids)


def load(rows: int, seed: int = 5) -> dict[str, object]:
    """Load ``rows`` incidents; returns the layer name, the agency and the date span."""
    rng = np.random.default_rng(seed)
    agency = Agency.objects.create(name="Bench City PD", short_name="BCPD")
    _layer, zone_ids = _zones()
    last = timezone.localdate() - timedelta(days=1)
    first = last - timedelta(days=365 * YEARS)
    now = timezone.now()
    # In UTC: the import floors timestamps, which is ambiguous on a local autumn night.
    local_end = pd.Timestamp(last + timedelta(days=1)).tz_localize(timezone.get_current_timezone())
    end = local_end.tz_convert("UTC")
    seconds = rng.integers(0, 365 * YEARS * 86400, rows)
    occurred = end - pd.to_timedelta(seconds, unit="s")
    # 85 % spread over the city, 15 % in eight dense clusters.
    clustered = rng.random(rows) < 0.15
    centres = np.column_stack(
        [rng.uniform(SOUTH + 0.03, NORTH - 0.03, 8), rng.uniform(WEST + 0.03, EAST - 0.03, 8)]
    )
    which = rng.integers(0, 8, rows)
    lat = np.where(
        clustered, centres[which, 0] + rng.normal(0, 0.004, rows), rng.uniform(SOUTH, NORTH, rows)
    )
    lon = np.where(
        clustered, centres[which, 1] + rng.normal(0, 0.004, rows), rng.uniform(WEST, EAST, rows)
    )
    lat, lon = np.clip(lat, SOUTH, NORTH - 1e-9), np.clip(lon, WEST, EAST - 1e-9)
    row_i = ((lat - SOUTH) / (NORTH - SOUTH) * GRID).astype(int)
    col_i = ((lon - WEST) / (EAST - WEST) * GRID).astype(int)
    cells9 = [h3.latlng_to_cell(a, b, 9) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    parents = {c: h3.cell_to_parent(c, 7) for c in set(cells9)}
    bad = rng.random(rows) < 0.02
    category = rng.choice(CATEGORIES, rows, p=SHARES)
    frame = pd.DataFrame(
        {
            "source_id": [f"B{i:09d}" for i in range(rows)],
            "occurred_at": occurred,
            "reported_at": occurred,
            "category": category,
            "offense_description": category,
            "firearm": rng.random(rows) < np.where(category == "violent", 0.35, 0.03),
            "latitude": lat,
            "longitude": lon,
            "zone_id": zone_ids[row_i * GRID + col_i],
            "h3_r9": cells9,
            "h3_r7": [parents[c] for c in cells9],
            "geocode_quality": np.where(bad, "stacked", "ok"),
            "row_hash": np.arange(rows, dtype=np.int64),
            "created_at": now,
            "updated_at": now,
        }
    )
    complete = _complete(frame, Incident, {"source_agency_id": agency.pk})
    with connection.cursor() as cursor:
        for start in range(0, rows, 200_000):
            _copy(cursor.cursor, Incident._meta.db_table, complete.iloc[start : start + 200_000])
        # Statistics on the records and the zones, as a DBA would have them: the raw SQL the
        # pages are measured against joins the zones, and without their statistics PostgreSQL
        # plans that join as if a layer had one zone (a loop reading the table once per zone).
        for table in (Incident._meta.db_table, Zone._meta.db_table):
            cursor.execute(f"ANALYZE {table}")
    return {"layer": LAYER, "agency": agency.pk, "first": first, "last": last}
