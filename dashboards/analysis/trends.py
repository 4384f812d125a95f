"""Trends: incidents per week or per month over a filter (zone or layer, category, firearm),
with a rolling average and the same period a year earlier, for the trends page, its chart and
its CSV.

One grouped query (period × category) covers the periods shown, the year before them (the
prior-year line and the rolling average's first points) and nothing else. The last period runs
to ``as_of``; its prior-year twin is cut at the same day a year earlier (``to_date``), so a
half-finished week is never set against a whole one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from csu.models import User
from dashboards.analysis.cache import analysis_cached
from dashboards.analysis.periods import YEAR_SHIFT, local_midnight, year_earlier
from dashboards.analysis.scope import in_layer
from intel.models import Incident, ZoneLayer

# interval: (periods shown, periods in the rolling average)
INTERVALS = {"week": (52, 4), "month": (24, 3)}


@dataclass(frozen=True)
class TrendFilter:
    """Which incidents a trend counts. ``zone_id`` narrows to one zone, else ``layer`` to the
    zones of one boundary layer, else every incident; ``None`` category or firearm means any."""

    layer: ZoneLayer | None = None
    zone_id: int | None = None
    category: str | None = None
    firearm: bool | None = None


@dataclass(frozen=True)
class TrendPoint:
    """One week (starting Monday) or calendar month: incidents by category, their total, the
    rolling average of the total and the total of the same period a year earlier."""

    period: date
    total: int
    rolling: float
    prior: int
    by_category: dict[str, int] = field(default_factory=dict)


def _period_starts(interval: str, as_of: date, count: int) -> list[date]:
    """The first days of the ``count`` periods ending with the one holding ``as_of``."""
    if interval == "week":
        monday = as_of - timedelta(days=as_of.weekday())
        return [monday - timedelta(weeks=k) for k in range(count - 1, -1, -1)]
    months = as_of.year * 12 + as_of.month - 1
    return [date((months - k) // 12, (months - k) % 12 + 1, 1) for k in range(count - 1, -1, -1)]


def _prior(interval: str, period: date) -> date:
    return period - YEAR_SHIFT if interval == "week" else period.replace(year=period.year - 1)


@analysis_cached("trend")
def trend_list(*, actor: User, where: TrendFilter, interval: str, as_of: date) -> list[TrendPoint]:
    """The trend ending ``as_of`` (local days), oldest period first: 52 weeks with a 4-week
    rolling average, or 24 months with a 3-month one. Periods without incidents count zero."""
    shown, window = INTERVALS[interval]
    periods = _period_starts(interval, as_of, shown)
    earliest = _prior(interval, periods[0])
    end = local_midnight(as_of + timedelta(days=1))
    # The last period's twin a year earlier is counted only to the same day (``to_date``).
    twin = _prior(interval, periods[-1])
    cut = local_midnight(
        (as_of - YEAR_SHIFT if interval == "week" else year_earlier(as_of)) + timedelta(days=1)
    )
    twin_end = local_midnight(_next(interval, twin))
    incidents = Incident.objects.visible_to(actor).filter(
        occurred_at__gte=local_midnight(earliest), occurred_at__lt=end
    )
    if where.zone_id is not None:
        incidents = incidents.filter(zone_id=where.zone_id)
    elif where.layer is not None:
        incidents = incidents.filter(in_layer(where.layer))
    if where.category:
        incidents = incidents.filter(category=where.category)
    if where.firearm is not None:
        incidents = incidents.filter(firearm=where.firearm)
    trunc = TruncWeek if interval == "week" else TruncMonth
    rows = (
        incidents.annotate(period=trunc("occurred_at"))
        .values("period", "category")
        .annotate(
            count=Count("id"),
            to_date=Count("id", filter=~Q(occurred_at__gte=cut, occurred_at__lt=twin_end)),
        )
        .order_by("period", "category")
    )
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    to_date: dict[date, int] = defaultdict(int)
    for row in cast(Iterable[dict[str, Any]], rows):
        day = timezone.localtime(row["period"]).date()
        counts[day][row["category"]] = row["count"]
        to_date[day] += row["to_date"]

    def total(day: date) -> int:
        return sum(counts.get(day, {}).values())

    points = []
    for period in periods:
        recent = [period]
        for _ in range(window - 1):
            recent.append(_prior_step(interval, recent[-1]))
        points.append(
            TrendPoint(
                period=period,
                total=total(period),
                rolling=round(sum(total(d) for d in recent) / window, 2),
                prior=to_date.get(_prior(interval, period), 0),
                by_category=dict(sorted(counts.get(period, {}).items())),
            )
        )
    return points


def _prior_step(interval: str, period: date) -> date:
    """The period just before ``period``."""
    if interval == "week":
        return period - timedelta(weeks=1)
    return (period - timedelta(days=1)).replace(day=1)


def _next(interval: str, period: date) -> date:
    """The period just after ``period``."""
    if interval == "week":
        return period + timedelta(weeks=1)
    return (period + timedelta(days=31)).replace(day=1)
