"""GunStat: shootings and their victims (fatal and non-fatal), firearm incidents and arrests on
a weapons charge, per zone of a layer and per week, and the shootings of the last seven days.

Each measure is one grouped query on its own table; the per-zone rows are joined in Python over
the layer's zones (a few dozen), never over records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from csu.models import User
from dashboards.analysis.cache import analysis_cached
from dashboards.analysis.periods import Window
from dashboards.analysis.scope import in_layer
from intel.choices import OffenseCategory
from intel.models import Arrest, ArrestCharge, Incident, Shooting, Zone, ZoneLayer

WEEKS_SHOWN = 52


PERIOD_DAYS = 28  # the zone table: the 28 days ending "as of", as CompStat's middle column


@dataclass(frozen=True)
class GunStatCounts:
    """Gun violence over one window (a zone's, a week's or the layer's)."""

    shootings: int = 0
    victims: int = 0
    fatal_victims: int = 0
    firearm_incidents: int = 0
    weapon_arrests: int = 0

    @property
    def nonfatal_victims(self) -> int:
        return self.victims - self.fatal_victims


@dataclass(frozen=True)
class GunStatZoneRow(GunStatCounts):
    """One zone of the layer (every zone, zero or not, so a quiet zone shows as quiet)."""

    zone_id: int = 0
    zone: str = ""
    zone_name: str = ""


@dataclass(frozen=True)
class GunStatWeek(GunStatCounts):
    """One week, starting Monday (local)."""

    week: date = date.min


def weapon_arrests(arrests: QuerySet[Arrest]) -> QuerySet[Arrest]:
    """Arrests with at least one charge in the weapons category."""
    charges = ArrestCharge.objects.filter(arrest=OuterRef("pk"), category=OffenseCategory.WEAPONS)
    return arrests.filter(Exists(charges))


def _grouped(rows: QuerySet[Any], key: str, measures: dict[str, Any]) -> dict[Any, dict[str, int]]:
    grouped = rows.values(key).annotate(**measures).order_by(key)
    return {row.pop(key): row for row in cast(Iterable[dict[str, Any]], grouped)}


def _measures(
    actor: User, layer: ZoneLayer, window: Window, key: str, zone_id: int | None = None
) -> list[dict[Any, dict[str, int]]]:
    """The measures grouped by ``key`` (``zone_id`` or ``week``), in the layer or one of its
    zones: three queries."""
    span = {"gte": window.start, "lt": window.end}
    where = in_layer(layer) if zone_id is None else Q(zone_id=zone_id)

    def within(qs: QuerySet[Any], field: str) -> QuerySet[Any]:
        qs = qs.filter(where, **{f"{field}__{op}": v for op, v in span.items()})
        return qs.annotate(week=TruncWeek(field)) if key == "week" else qs

    shootings = within(Shooting.objects.visible_to(actor), "occurred_at")
    incidents = within(Incident.objects.visible_to(actor).filter(firearm=True), "occurred_at")
    arrests = within(weapon_arrests(Arrest.objects.visible_to(actor)), "arrested_at")
    return [
        _grouped(
            shootings,
            key,
            {
                "shootings": Count("id"),
                "victims": Coalesce(Sum("victim_count"), 0),
                "fatal_victims": Coalesce(Sum("fatal_count"), 0),
            },
        ),
        _grouped(incidents, key, {"firearm_incidents": Count("id")}),
        _grouped(arrests, key, {"weapon_arrests": Count("id")}),
    ]


def _merged(parts: list[dict[Any, dict[str, int]]], key: Any) -> dict[str, int]:
    merged: dict[str, int] = {}
    for part in parts:
        merged |= part.get(key, {})
    return merged


@analysis_cached("gunstat-zones")
def gunstat_by_zone(
    *, actor: User, layer: ZoneLayer, first: date, last: date
) -> list[GunStatZoneRow]:
    """Every zone of ``layer`` with its gun violence in the local days ``first`` to ``last``,
    in zone key order. Four queries (the zones, then one per table)."""
    parts = _measures(actor, layer, Window(first, last), "zone_id")
    zones = Zone.objects.visible_to(actor).filter(layer=layer).order_by("key")
    return [
        GunStatZoneRow(
            zone_id=zone.pk, zone=zone.key, zone_name=zone.name, **_merged(parts, zone.pk)
        )
        for zone in zones.only("pk", "key", "name")
    ]


@analysis_cached("gunstat-weekly")
def gunstat_weekly(
    *,
    actor: User,
    layer: ZoneLayer,
    as_of: date,
    weeks: int = WEEKS_SHOWN,
    zone_id: int | None = None,
) -> list[GunStatWeek]:
    """The ``weeks`` weeks ending with the one holding ``as_of`` (counted to ``as_of``), oldest
    first, weeks without any count included as zero; the layer's zones, or the zone
    ``zone_id`` of it. Three queries."""
    monday = as_of - timedelta(days=as_of.weekday())
    starts = [monday - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    parts = [
        {timezone.localtime(week).date(): counts for week, counts in part.items()}
        for part in _measures(actor, layer, Window(starts[0], as_of), "week", zone_id)
    ]
    return [GunStatWeek(week=start, **_merged(parts, start)) for start in starts]


def shooting_recent_list(
    *, actor: User, layer: ZoneLayer, as_of: date, days: int = 7
) -> QuerySet[Shooting]:
    """The shootings in zones of ``layer`` over the ``days`` local days ending ``as_of``,
    newest first, with their zone (one query)."""
    window = Window(as_of - timedelta(days=days - 1), as_of)
    return (
        Shooting.objects.visible_to(actor)
        .filter(in_layer(layer), occurred_at__gte=window.start, occurred_at__lt=window.end)
        .select_related("zone")
        .order_by("-occurred_at", "-pk")
    )
