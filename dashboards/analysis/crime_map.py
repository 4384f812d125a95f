"""The crime map: everything one map page draws, read for one actor and one filter.

One call gathers the layers the page shows: a sample of the points (at most ``max_points``,
taken evenly by id so the same filter always shows the same points), the Gi* hotspot cells
(whose counts are also the hexagon density layer), the incidents per zone of a boundary layer
and the outlines of that layer's zones (there are no map tiles, so outlines give orientation).
Points and zone counts follow the hotspot map's rule on geocodes: records with a bad geocode
flag are left out unless asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime

import h3
from django.db.models import Count, QuerySet
from django.db.models.functions import Mod

from csu.models import User
from dashboards.analysis.cache import analysis_cached
from dashboards.analysis.getis_ord import COLD, HOT
from dashboards.analysis.hotspots import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESOLUTION,
    HotspotFilter,
    HotspotMap,
    hotspot_incidents,
    hotspot_list,
)
from dashboards.analysis.scope import in_layer
from intel.choices import GeocodeQuality
from intel.models import Incident, Zone, ZoneLayer

MAX_POINTS = 5000


@dataclass(frozen=True)
class MapPoint:
    """One incident drawn as a point."""

    id: int
    latitude: float
    longitude: float
    category: str
    firearm: bool
    occurred_at: datetime


@dataclass(frozen=True)
class ZoneCount:
    """A zone of the chosen layer, its outline and the incidents counted in it."""

    id: int
    key: str
    name: str
    geometry: dict[str, object]
    count: int


@dataclass(frozen=True)
class CrimeMap:
    """The layers of one map: points (``points`` drawn of ``located`` in all), the hotspot
    cells, and the zones of ``layer`` with their counts."""

    hotspots: HotspotMap
    points: list[MapPoint]
    located: int
    layer: ZoneLayer | None
    zones: list[ZoneCount] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        return len(self.points) < self.located

    def cells_of_class(self, cls: str) -> int:
        return sum(1 for cell in self.hotspots.cells if cell.cls == cls)


def _mapped(actor: User, where: HotspotFilter) -> QuerySet[Incident]:
    rows = hotspot_incidents(actor, where)
    if not where.include_bad_geocodes:
        rows = rows.filter(geocode_quality=GeocodeQuality.OK)
    return rows


@analysis_cached("map-hotspots")
def map_hotspots(
    *,
    actor: User,
    where: HotspotFilter,
    resolution: int = DEFAULT_RESOLUTION,
    confidence: float = DEFAULT_CONFIDENCE,
) -> HotspotMap:
    """Gi* hotspots for the map. With a zone chosen, the cells are tested across the whole
    jurisdiction and those whose centre lies in the zone are kept: a zone's hotspots are the
    places in it that stand out from the county, not from the zone's own few records (against
    which a zone whose violence is all in one place would show no hotspot at all). The bad
    geocodes left out are still those of the zone's records."""
    if where.zone_id is None:
        return hotspot_list(actor=actor, where=where, resolution=resolution, confidence=confidence)
    zone = Zone.objects.visible_to(actor).get(pk=where.zone_id)
    county = hotspot_list(
        actor=actor,
        where=replace(where, zone_id=None),
        resolution=resolution,
        confidence=confidence,
    )
    cells = [c for c in county.cells if zone.contains(*h3.cell_to_latlng(c.h3))]
    excluded = 0
    if not where.include_bad_geocodes:
        rows = hotspot_incidents(actor, where)
        excluded = rows.exclude(geocode_quality=GeocodeQuality.OK).count()
    return HotspotMap(
        resolution=resolution,
        confidence=confidence,
        incidents=sum(c.count for c in cells),
        excluded_bad_geocode=excluded,
        cells=cells,
    )


def _points(rows: QuerySet[Incident], max_points: int) -> tuple[list[MapPoint], int]:
    """At most ``max_points`` located incidents, every k-th id when there are more (two
    queries): deterministic, spread over the whole period and the whole area."""
    located = rows.filter(latitude__isnull=False, longitude__isnull=False)
    total = located.count()
    step = max(1, math.ceil(total / max_points)) if max_points else 1
    if step > 1:
        located = located.annotate(_bucket=Mod("id", step)).filter(_bucket=0)
    values = located.order_by("id").values_list(
        "id", "latitude", "longitude", "category", "firearm", "occurred_at"
    )[:max_points]
    return [
        MapPoint(pk, float(lat or 0), float(lon or 0), category, firearm, when)
        for pk, lat, lon, category, firearm, when in values
    ], total


def _zone_counts(actor: User, rows: QuerySet[Incident], layer: ZoneLayer | None) -> list[ZoneCount]:
    """Every zone of ``layer`` with the incidents whose stored zone it is (two queries)."""
    if layer is None:
        return []
    counts = dict(
        rows.filter(in_layer(layer))
        .values_list("zone_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("zone_id", "n")
    )
    zones = Zone.objects.visible_to(actor).filter(layer=layer).order_by("key")
    return [
        ZoneCount(z.pk, z.key, z.name, z.geometry, counts.get(z.pk, 0))
        for z in zones.only("id", "key", "name", "geometry")
    ]


@analysis_cached("crime-map")
def crime_map_get(
    *,
    actor: User,
    where: HotspotFilter,
    layer: ZoneLayer | None,
    resolution: int = DEFAULT_RESOLUTION,
    confidence: float = DEFAULT_CONFIDENCE,
    max_points: int = MAX_POINTS,
) -> CrimeMap:
    """The map's layers over ``where`` for ``actor``. The zone choropleth counts the same
    incidents as the points, grouped by the zones of ``layer`` (``None``: no choropleth);
    the hotspots are ``map_hotspots``."""
    rows = _mapped(actor, where)
    points, located = _points(rows, max_points)
    return CrimeMap(
        hotspots=map_hotspots(
            actor=actor, where=where, resolution=resolution, confidence=confidence
        ),
        points=points,
        located=located,
        layer=layer,
        zones=_zone_counts(actor, rows, layer),
    )


@dataclass(frozen=True)
class CrimeMapSummary:
    """What the map page says about a map besides drawing it: the counts, the hotspot totals
    and the zones of the layer with their counts (no points, cells or outlines: a page that
    reads its figure as stored text need not load those again)."""

    located: int
    drawn: int
    hotspots: HotspotMap  # without its cells
    hot_cells: int
    cold_cells: int
    layer: ZoneLayer | None
    zones: list[ZoneCount] = field(default_factory=list)  # without their outlines

    @property
    def sampled(self) -> bool:
        return self.drawn < self.located


@analysis_cached("crime-map-summary")
def crime_map_summary(
    *,
    actor: User,
    where: HotspotFilter,
    layer: ZoneLayer | None,
    resolution: int = DEFAULT_RESOLUTION,
    confidence: float = DEFAULT_CONFIDENCE,
) -> CrimeMapSummary:
    """``crime_map_get``'s numbers, for the page's sentences and zone table."""
    full = crime_map_get(
        actor=actor, where=where, layer=layer, resolution=resolution, confidence=confidence
    )
    return CrimeMapSummary(
        located=full.located,
        drawn=len(full.points),
        hotspots=replace(full.hotspots, cells=[]),
        hot_cells=full.cells_of_class(HOT),
        cold_cells=full.cells_of_class(COLD),
        layer=full.layer,
        zones=[replace(zone, geometry={}) for zone in full.zones],
    )


def map_zone_choices(*, actor: User) -> list[tuple[ZoneLayer, list[Zone]]]:
    """The boundary layers the actor may see, each with its zones, for the filter form."""
    layers = list(ZoneLayer.objects.visible_to(actor).order_by("priority", "pk"))
    zones = Zone.objects.visible_to(actor).filter(layer__in=layers).order_by("layer_id", "key")
    by_layer: dict[int, list[Zone]] = {layer.pk: [] for layer in layers}
    for zone in zones.only("id", "key", "name", "layer_id"):
        by_layer[zone.layer_id].append(zone)
    return [(layer, by_layer[layer.pk]) for layer in layers]
