"""Plotly figures for pages. Figures travel as JSON to ``static/js/charts.js`` (no inline script,
no CDN: plotly.js is served from the installed plotly package)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

CATEGORY_COLOURS = {
    "violent": "#b2182b",
    "property": "#2166ac",
    "drug": "#762a83",
    "weapons": "#e08214",
    "public_order": "#1b7837",
    "other": "#5a5a5a",
}


def weekly_trend_figure(rows: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Stacked weekly counts by offense category, from ``incident_weekly_counts`` rows."""
    series: dict[str, dict[Any, int]] = defaultdict(dict)
    weeks = sorted({row["week"] for row in rows})
    for row in rows:
        series[row["category"]][row["week"]] = row["count"]
    fig = go.Figure()
    for category in CATEGORY_COLOURS:
        if category not in series:
            continue
        label = category.replace("_", " ")
        fig.add_trace(
            go.Scatter(
                x=[w.isoformat() for w in weeks],
                y=[series[category].get(w, 0) for w in weeks],
                name=label,
                mode="lines",
                stackgroup="one",
                line={"width": 0.5, "color": CATEGORY_COLOURS[category]},
                hovertemplate=f"%{{y}} {label} (week of %{{x}})<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": title, "x": 0},
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        height=320,
        legend={"orientation": "h", "y": -0.2},
        yaxis={"title": "incidents per week", "rangemode": "tozero"},
        xaxis={"title": None},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig.to_plotly_json()
