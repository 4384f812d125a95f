"""The crime map page and its hotspot CSV: both parse the same GET filters, so a shared URL
shows, and downloads, exactly the map its sender saw."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from csu.exports import csv_bytes
from csu.types import AuthedHttpRequest
from dashboards.analysis.crime_map import (
    ZoneCount,
    crime_map_summary,
    map_hotspots,
    map_zone_choices,
)
from dashboards.figures.map import crime_map_figure_json, figure_script
from dashboards.forms import MapFilterForm
from dashboards.permissions import may_analyse

HOTSPOT_CSV_HEADER = (
    "h3",
    "resolution",
    "latitude",
    "longitude",
    "count",
    "z",
    "p_value",
    "q_value",
    "class",
)


def zone_timeline_url(zone_id: int) -> str:
    """The zone's area timeline."""
    return reverse("dashboards:zone-timeline", kwargs={"zone_id": zone_id})


def _form(request: AuthedHttpRequest) -> MapFilterForm:
    if not may_analyse(request.user):
        raise PermissionDenied
    return MapFilterForm(
        request.GET,
        zone_choices=map_zone_choices(actor=request.user),
        today=timezone.localdate(),
    )


def _zone_rows(
    request: AuthedHttpRequest, zones: list[ZoneCount], layer: str
) -> list[dict[str, Any]]:
    """Each zone, busiest first, with the link that maps it and its timeline (if installed)."""
    rows = []
    for zone in sorted(zones, key=lambda z: (-z.count, z.key)):
        query = request.GET.copy()
        query["layer"], query["zone"] = layer, str(zone.id)
        rows.append(
            {
                "zone": zone,
                "map_query": query.urlencode(),
                "timeline_url": zone_timeline_url(zone.id),
            }
        )
    return rows


@require_GET
def crime_map_view(request: AuthedHttpRequest) -> HttpResponse:
    """Points, hexagon density, incidents per zone and Gi* hotspots over the filters."""
    form = _form(request)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        filters = form.filters()
        crime_map = crime_map_summary(
            actor=request.user,
            where=filters.where,
            layer=filters.layer,
            resolution=filters.resolution,
            confidence=filters.confidence,
        )
        figure_json = crime_map_figure_json(
            actor=request.user,
            where=filters.where,
            layer=filters.layer,
            resolution=filters.resolution,
            confidence=filters.confidence,
            selected_zone=filters.zone.pk if filters.zone else None,
            tile_url=settings.CSU_MAP_TILE_URL,
        )
        context |= {
            "filters": filters,
            "crime_map": crime_map,
            "hot_cells": crime_map.hot_cells,
            "cold_cells": crime_map.cold_cells,
            "false_share": round((1 - filters.confidence) * 100),
            "figure_script": figure_script("crime-map-figure", figure_json),
            "confidence_pct": round(filters.confidence * 100),
            "zone_rows": _zone_rows(request, crime_map.zones, filters.layer.name)
            if filters.layer
            else [],
            "zone_timeline_url": zone_timeline_url(filters.zone.pk) if filters.zone else None,
            "query": request.GET.urlencode(),
            "tile_attribution": settings.CSU_MAP_TILE_ATTRIBUTION
            if settings.CSU_MAP_TILE_URL
            else "",
        }
    return render(request, "dashboards/map.html", context, status=200 if form.is_valid() else 400)


@require_GET
def hotspot_csv_view(request: AuthedHttpRequest) -> HttpResponse:
    """The map's H3 cells with their counts, Gi* z, p and q values and class, as CSV."""
    form = _form(request)
    if not form.is_valid():
        return render(request, "dashboards/map.html", {"form": form}, status=400)
    filters = form.filters()
    hotspots = map_hotspots(
        actor=request.user,
        where=filters.where,
        resolution=filters.resolution,
        confidence=filters.confidence,
    )
    rows = []
    for cell in hotspots.cells:
        lat, lng = _centre(cell.h3)
        rows.append(
            (
                cell.h3,
                hotspots.resolution,
                lat,
                lng,
                cell.count,
                cell.z,
                cell.p_value,
                cell.q_value,
                cell.cls,
            )  # fmt: skip
        )
    where = filters.where
    response = HttpResponse(
        csv_bytes(HOTSPOT_CSV_HEADER, rows), content_type="text/csv; charset=utf-8"
    )
    name = f"hotspots-{where.first.isoformat()}-to-{where.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _centre(cell: str) -> tuple[float, float]:
    import h3

    lat, lng = h3.cell_to_latlng(cell)
    return round(lat, 6), round(lng, 6)
