"""Reads of records for interfaces (home pages, dashboards, API). Each starts from
``visible_to(actor)``, aggregates in the database and runs a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from csu.models import User
from intel.choices import OffenseCategory
from intel.models import (
    Arrest,
    ArrestCharge,
    CaseReferral,
    Incident,
    OffenseMapping,
    Person,
    Shooting,
    Zone,
    ZoneLayer,
)
from intel.records.offenses import BUILTIN


def _week_start(moment: datetime) -> datetime:
    """Midnight of the Monday of ``moment``'s week, in the current time zone."""
    local = timezone.localtime(moment)
    monday = local - timedelta(days=local.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def incident_weekly_counts(
    *, actor: User, weeks: int = 104, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Incidents per week (weeks start on Monday, local time) and category, oldest first.

    Covers the current week and the ``weeks - 1`` whole weeks before it. Weeks or categories
    without incidents are absent, not zero.
    """
    now = now or timezone.now()
    since = _week_start(now) - timedelta(weeks=max(weeks, 1) - 1)
    rows = (
        Incident.objects.visible_to(actor)
        .filter(occurred_at__gte=since, occurred_at__lte=now)
        .annotate(week=TruncWeek("occurred_at"))
        .values("week", "category")
        .annotate(count=Count("id"))
        .order_by("week", "category")
    )
    return [
        {
            "week": timezone.localtime(row["week"]).date(),
            "category": row["category"],
            "count": row["count"],
        }
        for row in rows
    ]


def _change_pct(current: int, previous: int) -> float | None:
    if previous == 0:
        return None
    return round((current - previous) * 100 / previous, 1)


def incident_category_comparison(
    *, actor: User, days: int = 28, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Incidents per category in the last ``days`` days against the ``days`` before.

    One row per category in the order of ``OffenseCategory`` (``category``, ``label``,
    ``current``, ``previous``, ``change_pct``; ``change_pct`` is None when the previous period
    had none). An empty list when neither period has any incident.
    """
    now = now or timezone.now()
    start = now - timedelta(days=days)
    before = start - timedelta(days=days)
    counts: dict[str, tuple[int, int]] = {
        row["category"]: (row["current"], row["previous"])
        for row in Incident.objects.visible_to(actor)
        .filter(occurred_at__gte=before, occurred_at__lt=now)
        .values("category")
        .annotate(
            current=Count("id", filter=Q(occurred_at__gte=start)),
            previous=Count("id", filter=Q(occurred_at__lt=start)),
        )
        .order_by()
    }
    if not counts:
        return []
    result = []
    for category in OffenseCategory:
        current, previous = counts.get(category.value, (0, 0))
        result.append(
            {
                "category": category.value,
                "label": category.label,
                "current": current,
                "previous": previous,
                "change_pct": _change_pct(current, previous),
            }
        )
    return result


def arrest_recent_list(
    *, actor: User, days: int = 7, limit: int = 25, now: datetime | None = None
) -> QuerySet[Arrest]:
    """The newest arrests of the last ``days`` days, with person, zone, agency and charges
    (in order) loaded: three queries however many rows are shown."""
    now = now or timezone.now()
    return (
        Arrest.objects.visible_to(actor)
        .filter(arrested_at__gte=now - timedelta(days=days), arrested_at__lte=now)
        .select_related("person", "zone", "source_agency")
        .prefetch_related(Prefetch("charges", queryset=ArrestCharge.objects.order_by("sequence")))
        .order_by("-arrested_at", "-id")[:limit]
    )


def record_counts(*, actor: User) -> dict[str, int]:
    """How many incidents, arrests, shootings and their victims, people, case referrals and
    zones the actor can see."""
    shootings = Shooting.objects.visible_to(actor).aggregate(
        shootings=Count("id"), victims=Coalesce(Sum("victim_count"), 0)
    )
    return {
        "incidents": Incident.objects.visible_to(actor).count(),
        "arrests": Arrest.objects.visible_to(actor).count(),
        "shootings": shootings["shootings"],
        "shooting_victims": shootings["victims"],
        "people": Person.objects.visible_to(actor).count(),
        "cases": CaseReferral.objects.visible_to(actor).count(),
        "zones": Zone.objects.visible_to(actor).count(),
    }


def zone_layer_list(*, actor: User) -> QuerySet[ZoneLayer]:
    """The boundary layers the actor may see, with their zone counts, zone ids and importer
    (one query), in the order they win where they overlap."""
    return (
        ZoneLayer.objects.visible_to(actor)
        .select_related("imported_by")
        .annotate(zone_count=Count("zones"), zone_ids=ArrayAgg("zones__id", default=[]))
        .order_by("priority", "pk")
    )


def offense_mapping_list(*, actor: User) -> list[dict[str, Any]]:
    """The lookup as it applies: the analyst's rows (which win) and the built-in patterns."""
    rows = [
        {
            "pattern": r.pattern,
            "category": r.category,
            "nibrs_code": r.nibrs_code,
            "agency": r.agency.name if r.agency else "all agencies",
            "builtin": False,
        }
        for r in OffenseMapping.objects.visible_to(actor).select_related("agency")
    ]
    overridden = {r["pattern"] for r in rows}
    rows += [
        {"pattern": p, "category": c, "nibrs_code": n, "agency": "all agencies", "builtin": True}
        for p, c, n in BUILTIN
        if p not in overridden
    ]
    return sorted(rows, key=lambda r: (r["builtin"], r["pattern"]))
