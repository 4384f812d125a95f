"""Records in zones: which zone each point falls in, and reassigning records after a layer changes.

Point-in-zone is vectorised: points sorted by longitude, each zone tests only the points inside
its bounding box against its prepared polygon (``shapely.intersects_xy``). The prepared polygons
are cached per process and rebuilt when any layer changes (``zone_index_clear``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet, TextField
from django.db.models.functions import Cast

from intel.models import Zone, ZoneLayer
from intel.models.base import Located
from intel.signals import records_changed

_UPDATE_BATCH = 50_000
_FETCH_CHUNK = 500_000


@dataclass(frozen=True)
class _ZoneIndex:
    stamp: tuple[Any, ...]  # the layers, and the zones' count and last id, when loaded
    ids: np.ndarray  # zone ids, best first (layer priority, then layer id)
    geoms: np.ndarray  # prepared shapely geometries, same order
    bounds: np.ndarray  # (n, 4): minx, miny, maxx, maxy


_index: _ZoneIndex | None = None  # replaced whole, never mutated, so threads may share it


def zone_index_clear() -> None:
    global _index
    _index = None


def zone_index() -> _ZoneIndex:
    """The zones, loaded for repeated ``zones_for_points`` calls without a query each."""
    return _zone_index()


def _zone_index() -> _ZoneIndex:
    """All zones as prepared polygons, reloaded only when a layer or the zone set changed."""
    global _index
    layers = tuple(ZoneLayer.objects.order_by("pk").values_list("pk", "priority", "imported_at"))
    stamp = (layers, tuple(Zone.objects.aggregate(n=Count("pk"), last=Max("pk")).values()))
    cached = _index
    if cached is not None and cached.stamp == stamp:
        return cached
    rows = list(
        Zone.objects.order_by("layer__priority", "layer_id", "pk")
        .annotate(text=Cast("geometry", TextField()))
        .values_list("pk", "text")
    )
    ids = np.array([pk for pk, _ in rows], dtype=np.int64)
    geoms = shapely.from_geojson(np.array([text for _, text in rows], dtype=object))
    shapely.prepare(geoms)
    _index = _ZoneIndex(stamp, ids, geoms, shapely.bounds(geoms).reshape(-1, 4))
    return _index


def zones_for_points(
    lat: np.ndarray, lon: np.ndarray, index: _ZoneIndex | None = None
) -> np.ndarray:
    """The zone id containing each point (int64; 0 = none or no coordinates).

    Where layers overlap the zone of the layer with the lowest priority number wins, then the
    oldest layer. Points on a boundary count as inside.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    if lat.shape != lon.shape:
        raise ValueError("lat and lon must have the same shape.")
    result = np.zeros(lat.shape, dtype=np.int64)
    index = index or _zone_index()  # a caller may load it once (no query per call)
    located = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if not len(index.ids) or not len(located):
        return result
    order = located[np.argsort(lon[located], kind="stable")]
    xs, ys = lon[order], lat[order]
    unset = len(index.ids)
    best = np.full(len(order), unset, dtype=np.int64)
    for rank, (minx, miny, maxx, maxy) in enumerate(index.bounds):
        lo, hi = np.searchsorted(xs, minx, "left"), np.searchsorted(xs, maxx, "right")
        if lo == hi:
            continue
        window = slice(lo, hi)
        candidates = lo + np.flatnonzero(
            (ys[window] >= miny) & (ys[window] <= maxy) & (best[window] == unset)
        )
        inside = shapely.intersects_xy(index.geoms[rank], xs[candidates], ys[candidates])
        best[candidates[inside]] = rank  # ranks ascend, so the first zone found wins
    hit = best < unset
    result[order[hit]] = index.ids[best[hit]]
    return result


def located_models() -> list[type[Located]]:
    """The concrete record models with a location (incidents, arrests, shootings, calls)."""
    return [
        m
        for m in apps.get_app_config("intel").get_models()
        if issubclass(m, Located) and not m._meta.abstract and not m._meta.proxy
    ]


def _candidates(model: type[Located], layer: ZoneLayer | None) -> QuerySet[Located]:
    """Records whose zone may change. For one layer: those in its zones, without a zone, or
    inside its extent; no other record's best zone can have moved."""
    records = model._default_manager.filter(latitude__isnull=False, longitude__isnull=False)
    if layer is None:
        return records
    scope = Q(zone__isnull=True) | Q(zone__layer=layer)
    extent = Zone.objects.filter(layer=layer).aggregate(
        s=Min("min_lat"), w=Min("min_lon"), n=Max("max_lat"), e=Max("max_lon")
    )
    if extent["s"] is not None:
        scope |= Q(
            latitude__gte=extent["s"],
            latitude__lte=extent["n"],
            longitude__gte=extent["w"],
            longitude__lte=extent["e"],
        )
    return records.filter(scope)


def _write_zones(model: type[Located], ids: np.ndarray, zones: np.ndarray) -> None:
    """One UPDATE ... FROM unnest(...) per batch of ascending ids: set-based, and the id range
    lets the planner read only that slice of the table, not all of it per batch."""
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"UPDATE {table} AS t SET zone_id = NULLIF(v.zone, 0) "  # noqa: S608 - table name only
        "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, zone) "
        "WHERE t.id = v.id AND t.id BETWEEN %s AND %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _UPDATE_BATCH):
            batch = ids[start : start + _UPDATE_BATCH]
            cursor.execute(
                sql,
                [
                    batch.tolist(),
                    zones[start : start + _UPDATE_BATCH].tolist(),
                    int(batch[0]),
                    int(batch[-1]),
                ],
            )


@transaction.atomic
def records_reassign_zones(*, layer: ZoneLayer | None = None) -> dict[str, int]:
    """Recompute the zone of every located record (or, given a layer just imported, of those
    it can affect) and write the changes. Returns rows changed per model name."""
    changed: dict[str, int] = {}
    for model in located_models():
        records = _candidates(model, layer).order_by("pk")
        total, last = 0, 0
        while True:
            rows = list(
                records.filter(pk__gt=last).values_list("pk", "latitude", "longitude", "zone_id")[
                    :_FETCH_CHUNK
                ]
            )
            if not rows:
                break
            pks, lats, lons, zone_ids = zip(*rows, strict=True)
            ids = np.array(pks, dtype=np.int64)
            last = int(ids[-1])
            current = np.array([z or 0 for z in zone_ids], dtype=np.int64)
            new = zones_for_points(
                np.array(lats, dtype=np.float64), np.array(lons, dtype=np.float64)
            )
            moved = new != current
            _write_zones(model, ids[moved], new[moved])
            total += int(moved.sum())
        changed[model._meta.label_lower.partition(".")[2]] = total  # the model_name
    records_changed.send(sender="records_reassign_zones", layer=layer)
    return changed
