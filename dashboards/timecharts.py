"""Plotly figures of counts over time for the analysis pages (trends, GunStat, an area's
timeline). Like ``dashboards.charts`` they travel as JSON to ``static/js/charts.js``; each
figure is returned ready for ``json_script`` (dates and numbers as plain JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any, cast

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from dashboards.analysis.gunstat import GunStatWeek
from dashboards.analysis.timeline import TimelineWeek
from dashboards.analysis.trends import INTERVALS, TrendPoint
from dashboards.charts import CATEGORY_COLOURS

_LAYOUT: dict[str, Any] = {
    "margin": {"l": 40, "r": 10, "t": 40, "b": 40},
    "height": 340,
    "legend": {"orientation": "h", "y": -0.2},
    "xaxis": {"title": None},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "hovermode": "x unified",
}


def _json(fig: go.Figure, *, title: str, y_title: str) -> dict[str, Any]:
    fig.update_layout(
        title={"text": escape(title), "x": 0},  # zone names are data
        yaxis={"title": y_title, "rangemode": "tozero"},
        **_LAYOUT,
    )
    return cast(dict[str, Any], json.loads(json.dumps(fig.to_plotly_json(), cls=PlotlyJSONEncoder)))


def trend_figure(points: Sequence[TrendPoint], *, interval: str, title: str) -> dict[str, Any]:
    """Stacked counts by category, the rolling average of the total (solid) and the total of
    the same period a year earlier (dashed)."""
    x = [p.period.isoformat() for p in points]
    categories = [c for c in CATEGORY_COLOURS if any(c in p.by_category for p in points)]
    fig = go.Figure()
    for category in categories:
        label = category.replace("_", " ")
        fig.add_trace(
            go.Bar(
                x=x,
                y=[p.by_category.get(category, 0) for p in points],
                name=label,
                marker={"color": CATEGORY_COLOURS[category]},
            )
        )
    window = INTERVALS[interval][1]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[p.rolling for p in points],
            name=f"{window}-{interval} rolling average",
            mode="lines",
            line={"color": "#111111", "width": 2},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[p.prior for p in points],
            name="same period last year",
            mode="lines",
            line={"color": "#777777", "width": 2, "dash": "dash"},
        )
    )
    fig.update_layout(barmode="stack")
    return _json(fig, title=title, y_title=f"incidents per {interval}")


def gunstat_figure(weeks: Sequence[GunStatWeek], *, title: str) -> dict[str, Any]:
    """Victims per week (fatal and non-fatal stacked) with shooting incidents as a line."""
    x = [w.week.isoformat() for w in weeks]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=x,
            y=[w.fatal_victims for w in weeks],
            name="fatal victims",
            marker={"color": "#67001f"},
        )
    )
    fig.add_trace(
        go.Bar(
            x=x,
            y=[w.nonfatal_victims for w in weeks],
            name="non-fatal victims",
            marker={"color": "#f4a582"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[w.shootings for w in weeks],
            name="shooting incidents",
            mode="lines",
            line={"color": "#111111", "width": 2},
        )
    )
    fig.update_layout(barmode="stack")
    return _json(fig, title=title, y_title="per week")


TIMELINE_SERIES = (
    ("shootings", "shootings", "#b2182b"),
    ("homicides", "homicides", "#67001f"),
    ("violent_incidents", "violent incidents", "#2166ac"),
    ("related_arrests", "arrests on violent or weapons charges", "#1b7837"),
)


def timeline_figure(weeks: Sequence[TimelineWeek], *, title: str) -> dict[str, Any]:
    """One line per kind of record, per week."""
    x = [w.week.isoformat() for w in weeks]
    fig = go.Figure()
    for attr, label, colour in TIMELINE_SERIES:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[getattr(w, attr) for w in weeks],
                name=label,
                mode="lines",
                line={"color": colour, "width": 2},
            )
        )
    return _json(fig, title=title, y_title="per week")
