"""The demo county's priority designations, made through the workflow's services: one active,
one proposed by the analyst and awaiting the supervisor, one expiring within 30 days; a parole
term; the demo prosecutor assigned to the precinct where the designated person is arrested most.
Fictional, like everything in the demo."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from intel.models import Arrest, DesignationEvent, Person, PriorityDesignation, Zone
from intel.priority.designations import (
    DESIGNATION_MONTHS,
    designation_approve,
    designation_expiry,
    designation_propose,
)
from intel.priority.supervision import supervision_status_add, zone_assignment_add

REASONS = [
    "Four arrests for violent felonies in two years, two with a recovered handgun; named in "
    "the Mill Street shooting investigation.",
    "Arrested three times this year for robbery at knifepoint near the river blocks; the "
    "victims identified him in each case.",
    "Repeated arrests for assault and a weapons charge; on parole for a prior shooting.",
]
EXPIRING_IN_DAYS = 18


def seed_designations(
    *, analyst: Any, prosecutor: Any, supervisor: Any, police: Any, now: datetime
) -> dict[str, int]:
    """Designations of the people with the most violent arrests; returns what it made."""
    violent = Counter(
        Arrest.objects.filter(source_agency=police, person__isnull=False)
        .filter(Q(charges__category="violent"))
        .values_list("person_id", flat=True)
    )
    people = [Person.objects.get(pk=pk) for pk, _ in violent.most_common(3)]
    if len(people) < 3:
        return {}
    active = designation_propose(actor=analyst, person=people[0], reason=REASONS[0])
    designation_approve(actor=supervisor, designation=active, reason="Reviewed the arrests.")
    designation_propose(actor=analyst, person=people[1], reason=REASONS[1])  # awaits a decision
    expiring = designation_propose(actor=analyst, person=people[2], reason=REASONS[2])
    designation_approve(actor=supervisor, designation=expiring)
    _approved_long_ago(expiring, now=now)

    supervision_status_add(
        actor=analyst,
        person=people[2],
        kind="parole",
        agency="Harbor County Division of Parole",
        reference="HCP-2025-0193",
        officer="P.O. Reyes",
        starts_on=(now - timedelta(days=300)).date(),
    )
    zone_id = (
        Arrest.objects.filter(person=people[0], zone__isnull=False)
        .values_list("zone_id", flat=True)
        .order_by("-arrested_at")
        .first()
    )
    if zone_id is not None:
        zone_assignment_add(actor=supervisor, user=prosecutor, zone=Zone.objects.get(pk=zone_id))
    return {"designations": 3, "supervision terms": 1, "zone assignments": int(zone_id is not None)}


def _approved_long_ago(designation: PriorityDesignation, *, now: datetime) -> None:
    """Move a fresh approval back so that it expires within 30 days, its history with it: the
    demo shows a designation nearing its date without waiting a year."""
    expires = now + timedelta(days=EXPIRING_IN_DAYS)
    approved = expires - relativedelta(months=DESIGNATION_MONTHS)
    shift = approved - (designation.approved_at or now)
    PriorityDesignation.objects.filter(pk=designation.pk).update(
        proposed_at=designation.proposed_at + shift,
        decided_at=approved,
        approved_at=approved,
        expires_at=designation_expiry(approved),
    )
    for event in DesignationEvent.objects.filter(designation=designation):
        DesignationEvent.objects.filter(pk=event.pk).update(at=event.at + shift)
