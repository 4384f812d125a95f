"""Precompute: what the analysis pages show with their default filters, computed by the worker
(``dashboards.tasks``) after records change and on a schedule, so a supervisor opening the
trends page, GunStat or the map reads a stored result instead of counting a million records.

For each audience (the active users who may analyse, one per visibility key: they see the
same rows, so they share results) and each boundary layer they see: the trend by week and by
month, the CompStat table and totals, the spike test, GunStat by zone and by week, and the map
of the last 90 days. The filters come from the pages' own forms given an empty query, so the
keys are exactly those the pages ask for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import timezone

from csu.models import User
from dashboards.analysis.cache import MODELS_READ, refreshed
from dashboards.analysis.compstat import compstat_list, compstat_totals
from dashboards.analysis.crime_map import crime_map_get, crime_map_summary, map_zone_choices
from dashboards.analysis.gunstat import PERIOD_DAYS, gunstat_by_zone, gunstat_weekly
from dashboards.analysis.spikes import spike_list
from dashboards.analysis.trends import INTERVALS, trend_list
from dashboards.figures.map import crime_map_figure_json
from dashboards.forms import AnalysisFilterForm, MapFilterForm
from dashboards.permissions import may_analyse
from intel.querysets import visibility_key
from intel.records.selectors import zone_layer_list


@dataclass
class PrecomputeSummary:
    """What one run stored: results per audience and layer, and how long it took."""

    as_of: date
    audiences: int = 0
    layers: int = 0
    results: int = 0
    seconds: float = 0.0
    by_name: dict[str, int] = field(default_factory=dict)

    def count(self, name: str) -> None:
        self.results += 1
        self.by_name[name] = self.by_name.get(name, 0) + 1


def audiences() -> list[User]:
    """One active user per visibility key among those who may analyse (lowest id first)."""
    chosen: dict[str, User] = {}
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    for user in users:
        if not may_analyse(user):
            continue
        chosen.setdefault(visibility_key(user, MODELS_READ), user)
    return list(chosen.values())


def _for_layer(actor: User, layer_name: str, as_of: date, done: PrecomputeSummary) -> None:
    form = AnalysisFilterForm(
        QueryDict(f"layer={layer_name}&as_of={as_of.isoformat()}"),
        actor=actor,
        layers=list(zone_layer_list(actor=actor)),
    )
    form.is_valid()
    f = form.filters()
    assert f.layer is not None
    for interval in INTERVALS:
        refreshed(trend_list, actor=actor, where=f.trend_filter(), interval=interval, as_of=as_of)
        done.count("trend")
    for selector in (compstat_list, compstat_totals, spike_list):
        refreshed(selector, actor=actor, layer=f.layer.name, as_of=as_of)
        done.count(selector.__name__)
    first = as_of - timedelta(days=PERIOD_DAYS - 1)
    refreshed(gunstat_by_zone, actor=actor, layer=f.layer, first=first, last=as_of)
    refreshed(gunstat_weekly, actor=actor, layer=f.layer, as_of=as_of, zone_id=None)
    done.count("gunstat")
    maps = MapFilterForm(
        QueryDict(f"layer={layer_name}"),
        zone_choices=map_zone_choices(actor=actor),
        today=as_of,
    )
    if maps.is_valid():
        m = maps.filters()
        where = {"where": m.where, "layer": m.layer}
        shown = {"resolution": m.resolution, "confidence": m.confidence}
        refreshed(crime_map_get, actor=actor, **where, **shown)
        refreshed(crime_map_summary, actor=actor, **where, **shown)
        refreshed(
            crime_map_figure_json,
            actor=actor,
            **where,
            **shown,
            selected_zone=None,
            tile_url=settings.CSU_MAP_TILE_URL,
        )
        done.count("crime_map")


def analysis_precompute(*, as_of: date | None = None) -> PrecomputeSummary:
    """Compute and store the default views of every analysis page for every audience and
    layer, as of ``as_of`` (today by default). Safe to run at any time and twice: each result
    replaces the one stored under the same key."""
    started = time.perf_counter()
    done = PrecomputeSummary(as_of=as_of or timezone.localdate())
    for actor in audiences():
        done.audiences += 1
        for layer in zone_layer_list(actor=actor):
            done.layers += 1
            _for_layer(actor, layer.name, done.as_of, done)
    return replace(done, seconds=round(time.perf_counter() - started, 2))
