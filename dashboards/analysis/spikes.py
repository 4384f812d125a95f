"""Spike detection: which (category, zone) pairs had significantly more incidents in the last
``window_days`` than their own seasonal baseline.

Baseline (``expected``): the mean count of the same window one, two and three years earlier
(each shifted by a multiple of 364 days, so the weekdays and the season match), using only the
years the data reaches back to: a year before the first record would count as a false zero and
make every pair look like a spike. Where the data reaches back less than a year, the windows
just before the current one stand in (up to three), and the rows say which was used. Seasonal
windows come first because crime is seasonal: comparing July with the spring before it would
flag every summer.

Floor: a pair's expected count is at least ``EXPECTED_FLOOR`` (half an incident per window).
A pair with no incidents in its baseline is not impossible, it is rare: without a floor its
first incident would have p = 0. With the floor, one incident gives p = 0.39 and four give
p = 0.002, which still has to survive the correction.

Test and correction: ``p = P(X >= observed)`` for ``X ~ Poisson(expected)`` (one-sided: only
rises are asked about), then Benjamini-Hochberg q-values across every pair tested, i.e. every
(category, zone) pair with at least one incident in the current or a baseline window. A pair is
flagged when ``q <= FDR_LEVEL`` and ``observed > expected``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.db.models import Count, Min, Q
from django.utils import timezone

from csu.models import User
from dashboards.analysis.cache import analysis_cached
from dashboards.analysis.periods import YEAR_SHIFT, Window
from dashboards.analysis.scope import in_layer, layer_get
from dashboards.analysis.stats import bh_q_values, poisson_upper_p
from intel.models import Incident

BASELINE_YEARS = 3
RECENT_WINDOWS = 3
EXPECTED_FLOOR = 0.5
FDR_LEVEL = 0.05


@dataclass(frozen=True)
class SpikeRow:
    """One (category, zone) pair tested: its count in the window, what its baseline expected,
    the test's p-value, the FDR-adjusted q-value and whether it is flagged as a real rise.
    ``baseline`` holds the counts of the baseline windows the mean was taken over."""

    zone: str
    zone_name: str
    category: str
    observed: int
    expected: float
    p_value: float
    q_value: float
    flagged: bool
    baseline: tuple[int, ...]
    baseline_kind: str  # "seasonal" (same window in earlier years) or "recent"


def _baseline_windows(
    current: Window, window_days: int, first_day: date
) -> tuple[str, list[Window]]:
    """The baseline windows the data fully covers: the same window in earlier years, else the
    windows just before the current one."""
    seasonal = [current.shifted(YEAR_SHIFT * k) for k in range(1, BASELINE_YEARS + 1)]
    covered = [w for w in seasonal if w.first >= first_day]
    if covered:
        return "seasonal", covered
    recent = [
        current.shifted(timedelta(days=window_days * k)) for k in range(1, RECENT_WINDOWS + 1)
    ]
    return "recent", [w for w in recent if w.first >= first_day]


@analysis_cached("spikes")
def spike_list(*, actor: User, layer: str, as_of: date, window_days: int = 28) -> list[SpikeRow]:
    """Every (category, zone of ``layer``) pair tested for a rise in the ``window_days`` local
    days ending ``as_of``, flagged ones first, then by q-value. Three queries (the layer, the
    first record, the counts).

    Empty when the records do not reach back one whole window before the current one: there is
    nothing to compare with, and a pair is never tested against an invented zero."""
    zone_layer = layer_get(actor=actor, name=layer)
    incidents = Incident.objects.visible_to(actor).filter(in_layer(zone_layer))
    current = Window(as_of - timedelta(days=window_days - 1), as_of)
    first = incidents.aggregate(first=Min("occurred_at"))["first"]
    kind, baseline = "recent", list[Window]()
    if first is not None:
        kind, baseline = _baseline_windows(current, window_days, timezone.localdate(first))
    if not baseline:
        return []  # the records start inside this window: nothing to compare it with
    windows = {"observed": current} | {f"b{i}": w for i, w in enumerate(baseline)}
    span = Q(occurred_at__gte=min(w.start for w in windows.values())) & Q(
        occurred_at__lt=current.end
    )
    counts = (
        incidents.filter(span)
        .values("zone__key", "zone__name", "category")
        .annotate(
            **{
                name: Count("id", filter=Q(occurred_at__gte=w.start, occurred_at__lt=w.end))
                for name, w in windows.items()
            }
        )
        .order_by("zone__key", "category")
    )
    tested = []
    for row in cast(Iterable[dict[str, Any]], counts):
        history = tuple(row[f"b{i}"] for i in range(len(baseline)))
        if row["observed"] == 0 and not any(history):
            continue  # only between windows: not a pair this test is about
        expected = max(sum(history) / len(history), EXPECTED_FLOOR)
        tested.append((row, history, expected, poisson_upper_p(row["observed"], expected)))
    q_values = bh_q_values([p for *_, p in tested])
    rows = [
        SpikeRow(
            zone=row["zone__key"],
            zone_name=row["zone__name"],
            category=row["category"],
            observed=row["observed"],
            expected=round(expected, 4),
            p_value=p,
            q_value=float(q),
            flagged=bool(q <= FDR_LEVEL and row["observed"] > expected),
            baseline=history,
            baseline_kind=kind,
        )
        for (row, history, expected, p), q in zip(tested, q_values, strict=True)
    ]
    return sorted(rows, key=lambda r: (not r.flagged, r.q_value, r.zone, r.category))
