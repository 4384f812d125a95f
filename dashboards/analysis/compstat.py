"""CompStat: counts per zone and offense category for this week, the last 28 days and the year
to date, each against the same period a year earlier (``periods.compstat_windows``).

Every number comes from one grouped query with a ``COUNT(*) FILTER (WHERE ...)`` per window,
so the table costs the same whatever the number of zones. Records count in the zone stored on
them (``Located.zone``); a layer's table therefore holds the records whose zone is in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from csu.models import User
from dashboards.analysis.cache import analysis_cached
from dashboards.analysis.periods import Window, compstat_windows
from dashboards.analysis.scope import in_layer, layer_get
from intel.models import Arrest, Incident, Shooting

PERIODS = ("wtd", "wtd_prior", "d28", "d28_prior", "ytd", "ytd_prior")


@dataclass(frozen=True)
class CompStatCounts:
    """One measure over CompStat's six windows."""

    wtd: int
    wtd_prior: int
    d28: int
    d28_prior: int
    ytd: int
    ytd_prior: int

    @staticmethod
    def change_pct(current: int, prior: int) -> float | None:
        """Per cent change against the prior year; None when the prior year had none."""
        return None if prior == 0 else round((current - prior) * 100 / prior, 1)


@dataclass(frozen=True)
class CompStatRow(CompStatCounts):
    """Incidents of one category in one zone (``zone`` is the zone's key in its layer)."""

    zone: str
    zone_name: str
    category: str


def _window_filters(field: str, windows: dict[str, Window]) -> dict[str, Q]:
    return {
        name: Q(**{f"{field}__gte": w.start, f"{field}__lt": w.end}) for name, w in windows.items()
    }


def _span(field: str, windows: dict[str, Window]) -> Q:
    """From the earliest window's start to the latest's end: the rows any window can count."""
    start = min(w.start for w in windows.values())
    end = max(w.end for w in windows.values())
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


@analysis_cached("compstat")
def compstat_list(*, actor: User, layer: str, as_of: date) -> list[CompStatRow]:
    """Incidents per zone of ``layer`` and category in CompStat's windows ending ``as_of``
    (local days). One row per (zone, category) with at least one incident in any window,
    ordered by zone key and category; two queries (the layer, the counts)."""
    zone_layer = layer_get(actor=actor, name=layer)
    windows = compstat_windows(as_of)
    filters = _window_filters("occurred_at", windows)
    rows = (
        Incident.objects.visible_to(actor)
        .filter(_span("occurred_at", windows), in_layer(zone_layer))
        .values("zone__key", "zone__name", "category")
        .annotate(**{name: Count("id", filter=q) for name, q in filters.items()})
        .order_by("zone__key", "category")
    )
    return [
        CompStatRow(
            zone=row["zone__key"],
            zone_name=row["zone__name"],
            category=row["category"],
            **{name: row[name] for name in PERIODS},
        )
        for row in cast(Iterable[dict[str, Any]], rows)
    ]


def _counts(rows: QuerySet[Any], field: str, windows: dict[str, Window]) -> CompStatCounts:
    filters = _window_filters(field, windows)
    return CompStatCounts(
        **rows.aggregate(**{n: Count("id", filter=q) for n, q in filters.items()})
    )


@analysis_cached("compstat-totals")
def compstat_totals(*, actor: User, layer: str, as_of: date) -> dict[str, CompStatCounts]:
    """The CompStat windows for the whole layer: ``incidents``, ``arrests``, ``shootings``
    (shooting incidents) and ``shooting_victims``. Four queries (the layer, then one per
    table)."""
    zone_layer = layer_get(actor=actor, name=layer)
    windows = compstat_windows(as_of)
    incidents = Incident.objects.visible_to(actor).filter(
        _span("occurred_at", windows), in_layer(zone_layer)
    )
    arrests = Arrest.objects.visible_to(actor).filter(
        _span("arrested_at", windows), in_layer(zone_layer)
    )
    shootings = Shooting.objects.visible_to(actor).filter(
        _span("occurred_at", windows), in_layer(zone_layer)
    )
    filters = _window_filters("occurred_at", windows)
    shooting_counts = shootings.aggregate(
        **{n: Count("id", filter=q) for n, q in filters.items()},
        **{f"victims_{n}": Coalesce(Sum("victim_count", filter=q), 0) for n, q in filters.items()},
    )
    return {
        "incidents": _counts(incidents, "occurred_at", windows),
        "arrests": _counts(arrests, "arrested_at", windows),
        "shootings": CompStatCounts(**{n: shooting_counts[n] for n in PERIODS}),
        "shooting_victims": CompStatCounts(**{n: shooting_counts[f"victims_{n}"] for n in PERIODS}),
    }
