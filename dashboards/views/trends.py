"""The trends page (weekly or monthly counts, the CompStat table, the spike test) and its two
CSV downloads. Filters come from the query string, so a filtered page is a URL to share."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from csu.types import AuthedHttpRequest
from dashboards.analysis.compstat import CompStatCounts, compstat_list, compstat_totals
from dashboards.analysis.spikes import FDR_LEVEL, SpikeRow, spike_list
from dashboards.analysis.trends import INTERVALS, TrendPoint, trend_list
from dashboards.forms import AnalysisFilters
from dashboards.timecharts import trend_figure
from dashboards.views.access import analysis_page, csv_download, filter_form
from intel.choices import OffenseCategory

WINDOWS = (("wtd", "Week to date"), ("d28", "28 days"), ("ytd", "Year to date"))
TOTALS = (
    ("incidents", "Incidents"),
    ("arrests", "Arrests"),
    ("shootings", "Shooting incidents"),
    ("shooting_victims", "Shooting victims"),
)
SPIKES_SHOWN = 25
CATEGORY_LABELS = dict(OffenseCategory.choices)


def _cells(counts: CompStatCounts) -> list[dict[str, Any]]:
    """Each CompStat window: this year, last year and the change (None: no prior, "n/a")."""
    cells = []
    for name, label in WINDOWS:
        current, prior = getattr(counts, name), getattr(counts, f"{name}_prior")
        cells.append(
            {
                "label": label,
                "current": current,
                "prior": prior,
                "change": CompStatCounts.change_pct(current, prior),
            }
        )
    return cells


def _compstat_rows(request: AuthedHttpRequest, f: AnalysisFilters) -> list[dict[str, Any]]:
    """The CompStat rows of the layer, narrowed to the filters' zone and category."""
    if f.layer is None:
        return []
    zone_ids = {zone.key: zone.pk for zone in f.zones}
    rows = compstat_list(actor=request.user, layer=f.layer.name, as_of=f.as_of)
    return [
        {
            "zone": row.zone,
            "zone_name": row.zone_name,
            "zone_id": zone_ids.get(row.zone),
            "category": row.category,
            "category_label": CATEGORY_LABELS.get(row.category, row.category),
            "counts": row,
            "cells": _cells(row),
        }
        for row in rows
        if (f.zone is None or row.zone == f.zone.key)
        and (f.category is None or row.category == f.category)
    ]


def spike_sentence(row: SpikeRow, tested: int) -> str:
    """What a spike row means, in a sentence a supervisor can repeat."""
    if row.flagged:
        return (
            f"Significant after correcting for {tested} comparisons "
            f"(false discovery rate {FDR_LEVEL:.0%})."
        )
    return "Within normal variation."


def _trend(request: AuthedHttpRequest, f: AnalysisFilters) -> list[TrendPoint]:
    return trend_list(
        actor=request.user, where=f.trend_filter(), interval=f.interval, as_of=f.as_of
    )


def _scope_label(f: AnalysisFilters) -> str:
    """What the trend counts, in words: "North (N1), violent, firearm involved"."""
    if f.zone is not None:
        parts = [str(f.zone)]
    elif f.layer is not None:
        parts = [f"every zone of {f.layer.label or f.layer.name}"]
    else:
        parts = ["every incident"]
    if f.category:
        parts.append(CATEGORY_LABELS.get(f.category, f.category).lower())
    if f.firearm is not None:
        parts.append("firearm involved" if f.firearm else "no firearm")
    return ", ".join(parts)


@analysis_page
def trends_view(request: AuthedHttpRequest) -> HttpResponse:
    """Trends by category with a rolling average and last year; CompStat; the spike test."""
    form = filter_form(request)
    context: dict[str, Any] = {"form": form, "query": request.GET.urlencode()}
    if form.errors:
        return render(request, "dashboards/trends.html", context, status=400)
    f = form.filters()
    points = _trend(request, f)
    scope = _scope_label(f)
    context |= {
        "filters": f,
        "scope": scope,
        "rolling_window": INTERVALS[f.interval][1],
        "points": points,
        "has_trend": any(p.total or p.prior for p in points),
        "trend_figure": trend_figure(
            points, interval=f.interval, title=f"Incidents per {f.interval}: {scope}"
        ),
    }
    if f.layer is not None:
        totals = compstat_totals(actor=request.user, layer=f.layer.name, as_of=f.as_of)
        spikes = spike_list(actor=request.user, layer=f.layer.name, as_of=f.as_of)
        # Every flagged pair, then the closest calls up to SPIKES_SHOWN (rows come flagged first).
        shown = [row for i, row in enumerate(spikes) if row.flagged or i < SPIKES_SHOWN]
        context |= {
            "totals": [(label, _cells(totals[name])) for name, label in TOTALS],
            "compstat": _compstat_rows(request, f),
            "spikes": [
                (row, spike_sentence(row, len(spikes)), CATEGORY_LABELS.get(row.category, ""))
                for row in shown
            ],
            "spikes_tested": len(spikes),
            "spikes_flagged": sum(1 for row in spikes if row.flagged),
        }
    return render(request, "dashboards/trends.html", context)


@analysis_page
def trends_csv_view(request: AuthedHttpRequest) -> HttpResponse:
    """The trend's numbers as CSV: one row per period, the categories as columns."""
    form = filter_form(request)
    if form.errors:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    f = form.filters()
    points = _trend(request, f)
    categories = [c for c, _ in OffenseCategory.choices if any(c in p.by_category for p in points)]
    header = [f.interval, *categories, "total", "rolling_average", "same_period_last_year"]
    rows = [
        [p.period.isoformat(), *(p.by_category.get(c, 0) for c in categories), p.total]
        + [p.rolling, p.prior]
        for p in points
    ]
    return csv_download(f"trends-{f.interval}-{f.as_of.isoformat()}.csv", header, rows)


@analysis_page
def compstat_csv_view(request: AuthedHttpRequest) -> HttpResponse:
    """The CompStat table as on the page (same filters), one row per zone and category."""
    form = filter_form(request)
    if form.errors:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    f = form.filters()
    header = ["zone", "zone_name", "category"]
    for name, _ in WINDOWS:
        header += [name, f"{name}_prior", f"{name}_change_pct"]
    rows = []
    for row in _compstat_rows(request, f):
        line = [row["zone"], row["zone_name"], row["category"]]
        for cell in row["cells"]:
            line += [
                cell["current"],
                cell["prior"],
                "n/a" if cell["change"] is None else cell["change"],
            ]
        rows.append(line)
    layer = f.layer.name if f.layer else "none"
    return csv_download(f"compstat-{layer}-{f.as_of.isoformat()}.csv", header, rows)
