"""Small pure-Python geometry helpers for GeoJSON in WGS84 (no GEOS/PostGIS in this stack).

Coordinates follow GeoJSON: ``[lon, lat]``. Good enough for zone polygons of a county; the
boundary importer and H3 assignment (later) do the heavy lifting in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Ring = Sequence[Sequence[float]]


def point_in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting: is the point inside the closed ring? Points on an edge may go either way."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = (xj - xi) * (lat - yi) / (yj - yi) + xi
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def _polygons(geometry: dict[str, Any]) -> Iterable[Sequence[Ring]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        yield geometry["coordinates"]
    elif kind == "MultiPolygon":
        yield from geometry["coordinates"]
    else:
        raise ValueError(f"Expected a Polygon or MultiPolygon, not {kind!r}.")


def point_in_geometry(lon: float, lat: float, geometry: dict[str, Any]) -> bool:
    """Is the point inside the (Multi)Polygon, honouring holes?"""
    for rings in _polygons(geometry):
        if (
            rings
            and point_in_ring(lon, lat, rings[0])
            and not any(point_in_ring(lon, lat, hole) for hole in rings[1:])
        ):
            return True
    return False


def geometry_bbox(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """``(min_lat, min_lon, max_lat, max_lon)`` of a (Multi)Polygon's outer rings."""
    lons: list[float] = []
    lats: list[float] = []
    for rings in _polygons(geometry):
        lons.extend(p[0] for p in rings[0])
        lats.extend(p[1] for p in rings[0])
    if not lons:
        raise ValueError("The geometry has no coordinates.")
    return min(lats), min(lons), max(lats), max(lons)
