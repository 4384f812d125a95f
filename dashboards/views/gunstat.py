"""The GunStat page: shootings and victims, firearm incidents and weapon arrests by zone and by
week, the last seven days' shootings, and the per-zone table as CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from csu.types import AuthedHttpRequest
from dashboards.analysis.gunstat import (
    PERIOD_DAYS,
    GunStatCounts,
    GunStatZoneRow,
    gunstat_by_zone,
    gunstat_weekly,
    shooting_recent_list,
)
from dashboards.forms import AnalysisFilters
from dashboards.timecharts import gunstat_figure
from dashboards.views.access import analysis_page, csv_download, filter_form

COLUMNS = (
    ("shootings", "Shooting incidents"),
    ("victims", "Victims"),
    ("fatal_victims", "Fatal"),
    ("nonfatal_victims", "Non-fatal"),
    ("firearm_incidents", "Firearm incidents"),
    ("weapon_arrests", "Arrests on a weapons charge"),
)


def _zone_rows(request: AuthedHttpRequest, f: AnalysisFilters) -> list[GunStatZoneRow]:
    if f.layer is None:
        return []
    first = f.as_of - timedelta(days=PERIOD_DAYS - 1)
    rows = gunstat_by_zone(actor=request.user, layer=f.layer, first=first, last=f.as_of)
    return [row for row in rows if f.zone is None or row.zone_id == f.zone.pk]


def _total(rows: list[GunStatZoneRow]) -> GunStatCounts:
    """The table's total line (a sum over the layer's zones, not over records)."""
    names = ("shootings", "victims", "fatal_victims", "firearm_incidents", "weapon_arrests")
    return GunStatCounts(**{name: sum(getattr(row, name) for row in rows) for name in names})


def _where(f: AnalysisFilters) -> str:
    if f.zone is not None:
        return str(f.zone)
    return f"every zone of {f.layer.label or f.layer.name}" if f.layer else ""


@analysis_page
def gunstat_view(request: AuthedHttpRequest) -> HttpResponse:
    """Gun violence by zone (28 days) and by week (52 weeks), and this week's shootings."""
    form = filter_form(request)
    context: dict[str, Any] = {"form": form, "query": request.GET.urlencode()}
    if form.errors:
        return render(request, "dashboards/gunstat.html", context, status=400)
    f = form.filters()
    context |= {"filters": f, "columns": COLUMNS, "period_days": PERIOD_DAYS}
    if f.layer is not None:
        rows = _zone_rows(request, f)
        zone_id = f.zone.pk if f.zone else None
        weeks = gunstat_weekly(actor=request.user, layer=f.layer, as_of=f.as_of, zone_id=zone_id)
        shootings = shooting_recent_list(actor=request.user, layer=f.layer, as_of=f.as_of)
        if f.zone is not None:
            shootings = shootings.filter(zone=f.zone)
        context |= {
            "zone_rows": rows,
            "total": _total(rows),
            "weeks": weeks,
            "has_weeks": any(w.shootings or w.firearm_incidents for w in weeks),
            "figure": gunstat_figure(weeks, title=f"Shooting victims per week: {_where(f)}"),
            "shootings": list(shootings[:200]),
            "week_first": f.as_of - timedelta(days=6),
            "where": _where(f),
        }
    return render(request, "dashboards/gunstat.html", context)


@analysis_page
def gunstat_csv_view(request: AuthedHttpRequest) -> HttpResponse:
    """The per-zone table as CSV (28 days ending "as of")."""
    form = filter_form(request)
    if form.errors:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    f = form.filters()
    header = ["zone", "zone_name", *(name for name, _ in COLUMNS)]
    rows = [
        [row.zone, row.zone_name, *(getattr(row, name) for name, _ in COLUMNS)]
        for row in _zone_rows(request, f)
    ]
    return csv_download(f"gunstat-{f.as_of.isoformat()}.csv", header, rows)
