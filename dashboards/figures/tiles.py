"""An optional basemap under the crime map: raster tiles from a tile server set in settings
(``CSU_MAP_TILE_URL``, an ``{z}/{x}/{y}`` template), laid on the map's lon/lat axes as images.

Each Web Mercator tile is stretched between its own edges' latitudes; within one tile of a city
the difference from a true projection is a fraction of a pixel. Without a tile URL the map has
no basemap and needs nothing from outside (the zone outlines give orientation).
"""

from __future__ import annotations

import math
from typing import Any

MAX_TILES = 36
MAX_ZOOM = 17


def _tile_x(lon: float, zoom: int) -> int:
    return int((lon + 180.0) / 360.0 * 2**zoom)


def _tile_y(lat: float, zoom: int) -> int:
    rad = math.radians(max(min(lat, 85.05), -85.05))
    return int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * 2**zoom)


def _lon(x: int, zoom: int) -> float:
    return float(x / 2**zoom * 360.0 - 180.0)


def _lat(y: int, zoom: int) -> float:
    return float(math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2**zoom)))))


def tile_images(
    template: str, *, west: float, south: float, east: float, north: float
) -> list[dict[str, Any]]:
    """Plotly layout images covering the box with at most ``MAX_TILES`` tiles, at the finest
    zoom that allows (below the data, stretched to each tile's edges)."""
    for zoom in range(MAX_ZOOM, -1, -1):
        xs = range(_tile_x(west, zoom), _tile_x(east, zoom) + 1)
        ys = range(_tile_y(north, zoom), _tile_y(south, zoom) + 1)
        if len(xs) * len(ys) <= MAX_TILES:
            break
    return [
        {
            "source": template.format(z=zoom, x=x, y=y),
            "xref": "x",
            "yref": "y",
            "x": _lon(x, zoom),
            "y": _lat(y, zoom),
            "sizex": _lon(x + 1, zoom) - _lon(x, zoom),
            "sizey": _lat(y, zoom) - _lat(y + 1, zoom),
            "xanchor": "left",
            "yanchor": "top",
            "sizing": "stretch",
            "layer": "below",
            "opacity": 0.9,
        }
        for x in xs
        for y in ys
    ]
