"""Hotspots: incidents per H3 cell over a filter, and where they cluster (Getis-Ord Gi*).

Counting is done in the database at the finest resolution every record stores (``h3_r9``),
then summed to the requested resolution with ``h3.cell_to_parent``: one grouped query whatever
the number of incidents, and a few thousand cells to roll up. A located record the import did
not give a cell (rare) gets one from its coordinates here.

Records whose geocode is not ``ok`` (missing, (0, 0), outside the jurisdiction, stacked on a
default point, low precision) are left out by default, and counted: a station address that
hundreds of records default to would otherwise be the city's worst hotspot.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import h3
from django.db.models import Count, Q, QuerySet

from csu.models import User
from dashboards.analysis.cache import analysis_cached
from dashboards.analysis.getis_ord import gi_star, study_area
from dashboards.analysis.periods import Window
from intel.choices import GeocodeQuality
from intel.models import Incident

STORED_RESOLUTION = 9
MIN_RESOLUTION = 5  # a cell of about 250 km²: coarser says nothing about a city
DEFAULT_RESOLUTION = 8
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class HotspotFilter:
    """What a hotspot map is drawn over. ``first`` and ``last`` are local days, both included;
    ``None`` for ``category``, ``firearm`` or ``zone_id`` means any; ``categories``, when not
    empty, keeps any of several categories (the map page's checkboxes)."""

    first: date
    last: date
    category: str | None = None
    categories: tuple[str, ...] = ()
    firearm: bool | None = None
    zone_id: int | None = None
    include_bad_geocodes: bool = False


@dataclass(frozen=True)
class HotspotCell:
    """One H3 cell of the study area: its incident count, Gi* z-score, two-sided p-value,
    FDR-adjusted q-value and class (``hot``, ``cold`` or ``not significant``)."""

    h3: str
    count: int
    z: float
    p_value: float
    q_value: float
    cls: str


@dataclass(frozen=True)
class HotspotMap:
    """The cells of a hotspot map, with what was counted and what was left out."""

    resolution: int
    confidence: float
    incidents: int  # located incidents counted in the cells
    excluded_bad_geocode: int  # matched the filter but left out for their geocode
    cells: list[HotspotCell] = field(default_factory=list)


def hotspot_incidents(actor: User, where: HotspotFilter) -> QuerySet[Incident]:
    """The incidents the actor may see that match ``where`` (geocodes not yet judged)."""
    window = Window(where.first, where.last)
    rows = Incident.objects.visible_to(actor).filter(
        occurred_at__gte=window.start, occurred_at__lt=window.end
    )
    if where.category:
        rows = rows.filter(category=where.category)
    if where.categories:
        rows = rows.filter(category__in=where.categories)
    if where.firearm is not None:
        rows = rows.filter(firearm=where.firearm)
    if where.zone_id is not None:
        rows = rows.filter(zone_id=where.zone_id)
    return rows


def _cell_counts(rows: QuerySet[Incident], resolution: int) -> Counter[str]:
    """Incidents per cell at ``resolution``: stored fine cells rolled up, and cells computed
    from the coordinates of located records that have none."""
    counts: Counter[str] = Counter()
    stored = rows.exclude(h3_r9="").values("h3_r9").annotate(n=Count("id")).order_by()
    for row in stored:
        counts[h3.cell_to_parent(row["h3_r9"], resolution)] += row["n"]
    loose = rows.filter(h3_r9="", latitude__isnull=False, longitude__isnull=False)
    for lat, lon in loose.values_list("latitude", "longitude"):
        counts[h3.latlng_to_cell(lat, lon, resolution)] += 1
    return counts


@analysis_cached("hotspots")
def hotspot_list(
    *,
    actor: User,
    where: HotspotFilter,
    resolution: int = DEFAULT_RESOLUTION,
    confidence: float = DEFAULT_CONFIDENCE,
) -> HotspotMap:
    """Incident counts and Gi* classes for every cell of the study area (the cells with
    incidents and their neighbours) at ``resolution`` (5 to 9), hot and cold at
    ``confidence`` after the FDR correction. Three queries."""
    if not MIN_RESOLUTION <= resolution <= STORED_RESOLUTION:
        raise ValueError(f"resolution must be {MIN_RESOLUTION} to {STORED_RESOLUTION}")
    rows = hotspot_incidents(actor, where)
    excluded = 0
    if not where.include_bad_geocodes:
        bad = ~Q(geocode_quality=GeocodeQuality.OK)
        excluded = rows.filter(bad).count()
        rows = rows.exclude(bad)
    counts = _cell_counts(rows, resolution)
    cells = study_area(counts)
    result = gi_star(cells, [counts.get(cell, 0) for cell in cells])
    classes = result.classes(confidence=confidence)
    return HotspotMap(
        resolution=resolution,
        confidence=confidence,
        incidents=sum(counts.values()),
        excluded_bad_geocode=excluded,
        cells=[
            HotspotCell(
                h3=cell,
                count=int(result.counts[i]),
                z=round(float(result.z[i]), 4),
                p_value=float(result.p_values[i]),
                q_value=float(result.q_values[i]),
                cls=classes[i],
            )
            for i, cell in enumerate(cells)
        ],
    )


def hotspot_geojson(hotspots: HotspotMap) -> dict[str, object]:
    """The map as a GeoJSON FeatureCollection: one Polygon per cell (lon, lat, closed ring)
    with ``h3, count, z, p_value, q_value, class``; ``meta`` says what was counted."""
    features = []
    for cell in hotspots.cells:
        ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell.h3)]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "id": cell.h3,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "h3": cell.h3,
                    "count": cell.count,
                    "z": cell.z,
                    "p_value": cell.p_value,
                    "q_value": cell.q_value,
                    "class": cell.cls,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "meta": {
            "resolution": hotspots.resolution,
            "confidence": hotspots.confidence,
            "incidents": hotspots.incidents,
            "excluded_bad_geocode": hotspots.excluded_bad_geocode,
        },
    }


@analysis_cached("hotspots-geojson")
def hotspot_geojson_text(
    *,
    actor: User,
    where: HotspotFilter,
    resolution: int = DEFAULT_RESOLUTION,
    confidence: float = DEFAULT_CONFIDENCE,
) -> str:
    """``hotspot_geojson`` of ``hotspot_list`` as compact JSON text: the API's response body,
    kept whole, so a repeated request neither draws the cells' outlines nor serialises them
    again."""
    hotspots = hotspot_list(actor=actor, where=where, resolution=resolution, confidence=confidence)
    return json.dumps(hotspot_geojson(hotspots), separators=(",", ":"))
