"""Plotly figures for pages. Figures travel as JSON to ``static/js/charts.js`` (no inline script,
no CDN: plotly.js is served from the installed plotly package)."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any, cast

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
    return cast(dict[str, Any], fig.to_plotly_json())


HOP_STYLES = {
    0: ("This person", "#b2182b", 18),
    1: ("Associates", "#2166ac", 12),
    2: ("Associates of associates", "#8c8c8c", 9),
}


def network_figure(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], *, title: str = "", seed: int = 7
) -> dict[str, Any]:
    """An associate network: nodes coloured by hop from the person, group membership in the
    hover, edge width by the number of shared events.

    ``nodes``: ``{id, label, hop, groups, shared_events}``; ``edges``: ``{source, target,
    weight}``. The layout is networkx's spring layout with a fixed seed, so the same network
    draws the same way every time; the person sits in the middle.
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(node["id"] for node in nodes)
    graph.add_edges_from((e["source"], e["target"]) for e in edges)
    centre = next((node["id"] for node in nodes if node["hop"] == 0), None)
    # Unweighted: weights would pull the closest associates onto the person and hide them;
    # strength is shown by the edge's width instead.
    if centre is not None and len(nodes) > 1:
        pos = nx.spring_layout(graph, seed=seed, pos={centre: (0.0, 0.0)}, fixed=[centre])
    else:
        pos = nx.spring_layout(graph, seed=seed)

    fig = go.Figure()
    by_width: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for edge in edges:
        by_width[min(int(edge["weight"]), 6)].append(edge)
    for width, group in sorted(by_width.items()):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for edge in group:
            (x0, y0), (x1, y1) = pos[edge["source"]], pos[edge["target"]]
            xs += [float(x0), float(x1), None]
            ys += [float(y0), float(y1), None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line={"width": 0.8 + 1.2 * width, "color": "#9aa5b1"},
            )
        )
    # Invisible points mid-edge carry the edge's hover: how many events the two share.
    fig.add_trace(
        go.Scatter(
            x=[float((pos[e["source"]][0] + pos[e["target"]][0]) / 2) for e in edges],
            y=[float((pos[e["source"]][1] + pos[e["target"]][1]) / 2) for e in edges],
            mode="markers",
            marker={"size": 6, "opacity": 0},
            showlegend=False,
            hovertemplate="%{text}<extra></extra>",
            text=[f"{e['weight']} shared event{'s' if e['weight'] != 1 else ''}" for e in edges],
        )
    )
    labels = {node["id"]: node["label"] for node in nodes}
    few = sum(1 for node in nodes if node["hop"] == 1) <= 12
    for hop, (name, colour, size) in HOP_STYLES.items():
        members = [node for node in nodes if node["hop"] == hop]
        if not members:
            continue
        hover = []
        for node in members:
            # Names and group names are data: escaped, as plotly reads hover text as markup.
            groups = (
                "<br>".join(escape(g) for g in node["groups"]) or "no approved group membership"
            )
            shared = (
                f"<br>{node['shared_events']} shared event(s) with "
                f"{escape(labels.get(centre, 'the person'))}"
                if hop == 1
                else ""
            )
            hover.append(f"<b>{escape(node['label'])}</b><br>{groups}{shared}")
        show_text = hop == 0 or (hop == 1 and few)
        fig.add_trace(
            go.Scatter(
                x=[float(pos[node["id"]][0]) for node in members],
                y=[float(pos[node["id"]][1]) for node in members],
                mode="markers+text" if show_text else "markers",
                name=name,
                # The label is drawn as markup too: a name like <a href=...> must stay text.
                text=[escape(node["label"]) for node in members] if show_text else None,
                textposition="top center",
                hovertext=hover,
                hoverinfo="text",
                marker={"size": size, "color": colour, "line": {"width": 1, "color": "#ffffff"}},
            )
        )
    fig.update_layout(
        title={"text": escape(title), "x": 0},
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        height=440,
        hovermode="closest",
        legend={"orientation": "h", "y": -0.05},
        xaxis={"visible": False},
        yaxis={"visible": False},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return cast(dict[str, Any], fig.to_plotly_json())
