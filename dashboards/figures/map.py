"""The crime map as a plotly figure that needs no tile server and no WebGL.

Longitude and latitude are drawn on plain axes, the latitude axis stretched by 1 / cos(latitude)
so that a city keeps its shape (an equirectangular view, true enough at a county's scale). Each
layer is a legend group the reader can switch on and off: zone outlines (always drawn, for
orientation), incidents per zone, H3 hexagon density, Gi* hot and cold cells and the points.
Every trace names its layer in ``meta`` so pages and tests can find it in the figure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any, cast

import h3
import plotly.graph_objects as go
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from plotly.utils import PlotlyJSONEncoder

from csu.models import User
from dashboards.analysis.cache import analysis_cached
from dashboards.analysis.crime_map import CrimeMap, ZoneCount, crime_map_get
from dashboards.analysis.getis_ord import COLD, HOT
from dashboards.analysis.hotspots import HotspotFilter
from dashboards.charts import CATEGORY_COLOURS
from dashboards.figures.tiles import tile_images
from intel.models import ZoneLayer

DENSITY_COLOURS = ("#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")
ZONE_COLOURS = ("#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#31a354")
HOTSPOT_STYLES = {
    HOT: ("Hot spot", "rgba(215,48,31,0.75)", "#99000d"),
    COLD: ("Cold spot", "rgba(33,102,172,0.7)", "#08306b"),
}

Coords = list[float | None]
# Coordinates are drawn to 5 decimals (about a metre): the figure is half the size it would be
# with every float's 17 digits, and nothing a reader can see changes.
DIGITS = 5


def _rings(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    """The outer ring of each polygon of a GeoJSON Polygon or MultiPolygon."""
    if geometry.get("type") == "Polygon":
        yield geometry["coordinates"][0]
    elif geometry.get("type") == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield polygon[0]


def _join(rings: Iterable[Sequence[Sequence[float]]]) -> tuple[Coords, Coords]:
    """Rings as one line broken by ``None``: plotly draws (and fills) each part on its own."""
    xs: Coords = []
    ys: Coords = []
    for ring in rings:
        xs += [round(float(p[0]), DIGITS) for p in ring] + [None]
        ys += [round(float(p[1]), DIGITS) for p in ring] + [None]
    return xs, ys


def _cell_ring(cell: str) -> list[list[float]]:
    ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]


def _centre(geometry: dict[str, Any]) -> tuple[float, float]:
    """The middle of the geometry's bounding box (where its label goes)."""
    points = [p for ring in _rings(geometry) for p in ring]
    if not points:
        return 0.0, 0.0
    lons, lats = [float(p[0]) for p in points], [float(p[1]) for p in points]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def count_bins(values: Iterable[int], k: int = 5) -> list[tuple[int, int]]:
    """Up to ``k`` classes ``(low, high)`` (both included) over the positive counts, cut at
    quantiles of the distinct counts so a few very busy cells do not flatten the rest."""
    distinct = sorted({v for v in values if v > 0})
    if not distinct:
        return []
    k = min(k, len(distinct))
    edges = [distinct[round(i * (len(distinct) - 1) / k)] for i in range(k)] + [distinct[-1] + 1]
    bins = []
    for low, high in zip(edges, edges[1:], strict=False):
        if high > low:
            bins.append((low, high - 1))
    return bins


def _bin_label(low: int, high: int, noun: str) -> str:
    return f"{low} {noun}" if low == high else f"{low}–{high} {noun}"


def _zone_traces(zones: list[ZoneCount], selected: int | None) -> list[go.Scatter]:
    traces = []
    for (low, high), colour in zip(count_bins(z.count for z in zones), ZONE_COLOURS, strict=False):
        members = [z for z in zones if low <= z.count <= high]
        xs, ys = _join(ring for z in members for ring in _rings(z.geometry))
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line={"width": 0},
                opacity=0.8,
                name=_bin_label(low, high, "incidents"),
                legendgroup="zones",
                legendgrouptitle={"text": "Incidents per zone"},
                visible="legendonly",
                hoverinfo="skip",
                meta={"layer": "zones", "zones": [z.key for z in members]},
            )
        )
    xs, ys = _join(ring for z in zones for ring in _rings(z.geometry))
    traces.append(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"width": 1, "color": "#6b6b6b"},
            name="Zone outlines",
            hoverinfo="skip",
            meta={"layer": "outlines"},
        )
    )
    chosen = [z for z in zones if z.id == selected]
    if chosen:
        xs, ys = _join(_rings(chosen[0].geometry))
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 3, "color": "#111111"},
                name=f"Zone {escape(chosen[0].key)}",
                hoverinfo="skip",
                meta={"layer": "selected-zone", "zone": chosen[0].key},
            )
        )
    # Zone labels at the middle of each zone's box: the hover names the zone and its count.
    labelled = [z for z in zones if list(_rings(z.geometry))]
    traces.append(
        go.Scatter(
            x=[_centre(z.geometry)[0] for z in labelled],
            y=[_centre(z.geometry)[1] for z in labelled],
            mode="text",
            text=[escape(z.key) for z in labelled],
            textfont={"color": "#444444", "size": 11},
            hovertext=[
                f"Zone {escape(z.key)} {escape(z.name)}: {z.count} incident(s)" for z in labelled
            ],
            hoverinfo="text",
            showlegend=False,
            meta={"layer": "zone-labels"},
        )
    )
    return traces


def _density_traces(crime_map: CrimeMap) -> list[go.Scatter]:
    cells = [c for c in crime_map.hotspots.cells if c.count > 0]
    traces = []
    for (low, high), colour in zip(
        count_bins(c.count for c in cells), DENSITY_COLOURS, strict=False
    ):
        members = [c.h3 for c in cells if low <= c.count <= high]
        xs, ys = _join(_cell_ring(cell) for cell in members)
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line={"width": 0.3, "color": "#ffffff"},
                opacity=0.75,
                name=_bin_label(low, high, "per cell"),
                legendgroup="density",
                legendgrouptitle={"text": "Hexagon density"},
                hoverinfo="skip",
                meta={"layer": "hexagons", "cells": members},
            )
        )
    return traces


def _hotspot_traces(crime_map: CrimeMap) -> list[go.Scatter]:
    pct = f"{crime_map.hotspots.confidence:.0%}"
    traces = []
    for cls, (label, fill, edge) in HOTSPOT_STYLES.items():
        members = [c.h3 for c in crime_map.hotspots.cells if c.cls == cls]
        if not members:
            continue
        xs, ys = _join(_cell_ring(cell) for cell in members)
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=fill,
                line={"width": 1.2, "color": edge},
                name=f"{label} ({len(members)} cells, {pct})",
                legendgroup="hotspots",
                legendgrouptitle={"text": "Gi* hotspots"},
                hoverinfo="skip",
                meta={"layer": "hotspots", "class": cls, "cells": members},
            )
        )
    # Invisible markers at the cells' centres carry what a reader hovers for.
    shown = [c for c in crime_map.hotspots.cells if c.count > 0 or c.cls in HOTSPOT_STYLES]
    centres = [h3.cell_to_latlng(c.h3) for c in shown]
    traces.append(
        go.Scatter(
            x=[round(lng, DIGITS) for _, lng in centres],
            y=[round(lat, DIGITS) for lat, _ in centres],
            mode="markers",
            marker={"size": 10, "opacity": 0},
            showlegend=False,
            customdata=[[c.h3, c.count, c.z, c.q_value, c.cls] for c in shown],
            hovertemplate=(
                "%{customdata[1]} incident(s)<br>Gi* z = %{customdata[2]:.2f}, "
                "q = %{customdata[3]:.3f}<br>%{customdata[4]}<extra>%{customdata[0]}</extra>"
            ),
            meta={"layer": "cell-details"},
        )
    )
    return traces


def _point_traces(crime_map: CrimeMap) -> list[go.Scatter]:
    traces = []
    for category, colour in CATEGORY_COLOURS.items():
        members = [p for p in crime_map.points if p.category == category]
        if not members:
            continue
        label = category.replace("_", " ")
        traces.append(
            go.Scatter(
                x=[round(p.longitude, DIGITS) for p in members],
                y=[round(p.latitude, DIGITS) for p in members],
                mode="markers",
                marker={"size": 4, "color": colour, "opacity": 0.7},
                name=label,
                legendgroup="points",
                legendgrouptitle={"text": "Incidents"},
                customdata=[
                    [p.occurred_at.date().isoformat(), "firearm" if p.firearm else ""]
                    for p in members
                ],
                hovertemplate=f"{label} %{{customdata[1]}}<br>%{{customdata[0]}}<extra></extra>",
                meta={"layer": "points", "category": category, "count": len(members)},
            )
        )
    return traces


def crime_map_figure(
    crime_map: CrimeMap, *, selected_zone: int | None = None, tile_url: str | None = None
) -> dict[str, Any]:
    """The map's figure as plotly JSON: zones below, then density, hotspots and points; with
    ``tile_url`` (an ``{z}/{x}/{y}`` template) a raster basemap under them all."""
    fig = go.Figure()
    *zones, labels = _zone_traces(crime_map.zones, selected_zone)
    for trace in (
        zones
        + _density_traces(crime_map)
        + _hotspot_traces(crime_map)
        + _point_traces(crime_map)
        + [labels]  # on top, so every zone's hover answers
    ):
        fig.add_trace(trace)
    lats = [p.latitude for p in crime_map.points] or [
        float(p[1]) for z in crime_map.zones for r in _rings(z.geometry) for p in r
    ]
    middle = (min(lats) + max(lats)) / 2 if lats else 0.0
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=640,
        hovermode="closest",
        dragmode="pan",
        legend={"orientation": "v", "x": 1.01, "y": 1, "groupclick": "togglegroup"},
        xaxis={"visible": False},
        # An equirectangular view: a degree of latitude is longer than one of longitude.
        yaxis={
            "visible": False,
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians(middle)),
        },
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
    )
    if tile_url:
        corners = [
            (float(p[0]), float(p[1]))
            for z in crime_map.zones
            for r in _rings(z.geometry)
            for p in r
        ]
        corners += [(p.longitude, p.latitude) for p in crime_map.points]
        if corners:
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            fig.update_layout(
                images=tile_images(
                    tile_url, west=min(xs), south=min(ys), east=max(xs), north=max(ys)
                )
            )
    chosen = [z for z in crime_map.zones if z.id == selected_zone]
    points = [p for z in chosen for ring in _rings(z.geometry) for p in ring]
    if points:  # open on the chosen zone, a margin of its neighbours around it
        lons, lats = [float(p[0]) for p in points], [float(p[1]) for p in points]
        pad = 0.15 * max(max(lons) - min(lons), max(lats) - min(lats))
        fig.update_xaxes(range=[min(lons) - pad, max(lons) + pad])
        fig.update_yaxes(range=[min(lats) - pad, max(lats) + pad])
    return cast(dict[str, Any], fig.to_plotly_json())


@analysis_cached("map-figure")
def crime_map_figure_json(
    *,
    actor: User,
    where: HotspotFilter,
    layer: ZoneLayer | None,
    resolution: int,
    confidence: float,
    selected_zone: int | None,
    tile_url: str | None,
) -> str:
    """The map's figure (``crime_map_figure`` of ``crime_map_get``) as JSON text, kept whole:
    a repeated request neither builds the plotly figure nor serialises it again."""
    crime_map = crime_map_get(
        actor=actor, where=where, layer=layer, resolution=resolution, confidence=confidence
    )
    figure = crime_map_figure(crime_map, selected_zone=selected_zone, tile_url=tile_url)
    return json.dumps(figure, cls=PlotlyJSONEncoder)


def figure_script(element_id: str, figure_json: str) -> SafeString:
    """``<script type="application/json">`` holding ``figure_json``, escaped as
    ``json_script`` escapes (no ``</script>`` can end it early). Three ``replace`` calls, not
    ``str.translate``: on a megabyte of JSON they take about 10 ms, ``translate`` over 100 ms."""
    escaped = figure_json.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(escaped),  # noqa: S308 - escaped just above
    )
