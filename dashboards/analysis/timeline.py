"""An area's violence over time: a zone's shootings, homicides, violent incidents and related
arrests (arrests in the zone with a violent or weapons charge), per week and as one list of
records, newest first.

Homicides are incidents with the NIBRS code 09A (murder and non-negligent manslaughter), which
the import gives every homicide offense (``intel.records.offenses``); they are violent
incidents too, and are counted in both lines. The list is one ``UNION ALL`` of the three tables
in the database, so a page of it costs the same however many records the zone holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.db import models
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from csu.models import User
from dashboards.analysis.cache import analysis_cached
from dashboards.analysis.periods import Window
from intel.choices import OffenseCategory
from intel.models import Arrest, ArrestCharge, Incident, Shooting, Zone

HOMICIDE_NIBRS = "09A"
RELATED_CHARGES = (OffenseCategory.VIOLENT, OffenseCategory.WEAPONS)
WEEKS_SHOWN = 104


@dataclass(frozen=True)
class TimelineWeek:
    """One week (from Monday, local) of a zone's violence."""

    week: date
    shootings: int = 0
    homicides: int = 0
    violent_incidents: int = 0
    related_arrests: int = 0


def zone_get(*, actor: User, zone_id: int) -> Zone:
    """The zone, with its layer, if the actor may see it; ``Zone.DoesNotExist`` otherwise."""
    return Zone.objects.visible_to(actor).select_related("layer").get(pk=zone_id)


def _related_arrests(actor: User, zone: Zone) -> QuerySet[Arrest]:
    charges = ArrestCharge.objects.filter(arrest=OuterRef("pk"), category__in=RELATED_CHARGES)
    return Arrest.objects.visible_to(actor).filter(Exists(charges), zone=zone)


def _violent_incidents(actor: User, zone: Zone) -> QuerySet[Incident]:
    return Incident.objects.visible_to(actor).filter(zone=zone, category=OffenseCategory.VIOLENT)


@analysis_cached("zone-timeline-weekly")
def zone_timeline_weekly(
    *, actor: User, zone: Zone, as_of: date, weeks: int = WEEKS_SHOWN
) -> list[TimelineWeek]:
    """The ``weeks`` weeks ending with the one holding ``as_of``, oldest first, zero weeks
    included. Three queries (one per table)."""
    monday = as_of - timedelta(days=as_of.weekday())
    starts = [monday - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    window = Window(starts[0], as_of)

    def weekly(rows: QuerySet[Any], field: str, **measures: Any) -> Iterable[dict[str, Any]]:
        span = {f"{field}__gte": window.start, f"{field}__lt": window.end}
        grouped = (
            rows.filter(**span)
            .annotate(week=TruncWeek(field))
            .values("week")
            .annotate(**measures)
            .order_by("week")
        )
        return cast(Iterable[dict[str, Any]], grouped)

    counts: dict[date, dict[str, int]] = {start: {} for start in starts}
    parts = [
        weekly(
            Shooting.objects.visible_to(actor).filter(zone=zone),
            "occurred_at",
            shootings=Count("id"),
        ),
        weekly(
            _violent_incidents(actor, zone),
            "occurred_at",
            violent_incidents=Count("id"),
            homicides=Count("id", filter=Q(nibrs_code=HOMICIDE_NIBRS)),
        ),
        weekly(_related_arrests(actor, zone), "arrested_at", related_arrests=Count("id")),
    ]
    for part in parts:
        for row in part:
            week = timezone.localtime(row.pop("week")).date()
            counts.setdefault(week, {}).update(row)
    return [TimelineWeek(week=start, **counts[start]) for start in starts]


def _columns(
    *, kind: str, at: str, description: Any, victims: Any, fatal: Any, person: str | None
) -> dict[str, Any]:
    """The columns every part of the list's UNION gives, in this order."""
    return {
        "tl_kind": Value(kind, output_field=models.CharField()),
        "tl_id": F("pk"),
        "tl_at": F(at),
        "tl_place": F("address"),
        "tl_what": description,
        "tl_victims": victims,
        "tl_fatal": fatal,
        "tl_person": F(person) if person else Value(None, output_field=models.IntegerField()),
    }


def zone_timeline_records(*, actor: User, zone: Zone) -> QuerySet[Any]:
    """The zone's shootings, violent incidents and related arrests as one list of dicts
    (``tl_kind``, ``tl_id``, ``tl_at``, ``tl_place``, ``tl_what``, ``tl_victims``, ``tl_fatal``
    (fatal shooting or homicide), ``tl_person``), newest first. The prefix keeps the columns
    clear of the models' own field names. Lazy: a paginator slices it into one query per page."""
    no_victims = Value(None, output_field=models.IntegerField())
    not_fatal = Value(False, output_field=models.BooleanField())
    top_charge = (
        ArrestCharge.objects.filter(arrest=OuterRef("pk"), category__in=RELATED_CHARGES)
        .order_by("sequence")
        .values("description")[:1]
    )
    shootings = Shooting.objects.visible_to(actor).filter(zone=zone)
    parts = [
        shootings.annotate(
            **_columns(
                kind="shooting",
                at="occurred_at",
                description=Value("Shooting", output_field=models.CharField()),
                victims=F("victim_count"),
                fatal=F("fatal"),
                person="victim_id",
            )
        ),
        _violent_incidents(actor, zone).annotate(
            **_columns(
                kind="incident",
                at="occurred_at",
                description=Coalesce(F("offense_description"), Value("")),
                victims=no_victims,
                fatal=ExpressionWrapper(
                    Q(nibrs_code=HOMICIDE_NIBRS), output_field=models.BooleanField()
                ),
                person=None,
            )
        ),
        _related_arrests(actor, zone).annotate(
            **_columns(
                kind="arrest",
                at="arrested_at",
                description=Coalesce(Subquery(top_charge), Value("")),
                victims=no_victims,
                fatal=not_fatal,
                person="person_id",
            )
        ),
    ]
    names = list(_columns(kind="", at="", description=None, victims=None, fatal=None, person=None))
    first, *rest = (part.values(*names) for part in parts)
    records: QuerySet[Any] = first.union(*rest, all=True)
    return records.order_by("-tl_at", "tl_kind", "-tl_id")
