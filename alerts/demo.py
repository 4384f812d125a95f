"""Demo watch lists for Harbor County (``seed_demo``): the demo prosecutor's nested gang lists,
shared with the analyst as editor, and a high-priority bail watch on the most recently arrested
people, whose arrests are then matched (part E's service) so the prosecutor has alerts.
Written through the services, so lists, roles and entries are what a user would have made."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from alerts.models import WatchEntry, WatchList
from alerts.services.alerts import alerts_create_for_arrests
from alerts.services.entries import watch_entry_add
from alerts.services.lists import watchlist_create, watchlist_member_set
from csu.actors import system_actor
from intel.models import Agency, Arrest, GroupMembership, Zone

GANGS, CREW, CONFIRMED, BAIL_WATCH = "Gangs", "Eastside Crew", "Confirmed", "Open case: bail watch"
FIREARM_STATUTE = "PL 265.03"


def demo_watch_lists_seed(*, prosecutor: Any, analyst: Any, police: Agency) -> dict[str, int]:
    """Gangs > Eastside Crew > Confirmed with the crew's confirmed members, a charge entry
    (loaded firearm) and a place entry (the busiest precinct); "Open case: bail watch" (high
    priority) with the people of the three most recent arrests. Returns what it made."""
    gangs = watchlist_create(
        actor=prosecutor,
        name=GANGS,
        description="Crews the unit follows; every group's arrests matter to its prosecutor.",
    )
    watchlist_member_set(actor=prosecutor, watch_list=gangs, user=analyst, role="editor")
    crew = watchlist_create(actor=prosecutor, name=CREW, parent=gangs)
    confirmed = watchlist_create(actor=prosecutor, name=CONFIRMED, parent=crew)
    bail = watchlist_create(
        actor=prosecutor,
        name=BAIL_WATCH,
        priority=WatchList.Priority.HIGH,
        description="Defendants out on bail in open cases: argue remand on any new arrest.",
    )
    entries = 0
    members = (
        GroupMembership.objects.filter(
            group__name=CREW,
            status=GroupMembership.Status.APPROVED,
            level=GroupMembership.Level.CONFIRMED,
        )
        .select_related("person")
        .order_by("person_id")
    )
    for membership in members[:4]:
        watch_entry_add(
            actor=prosecutor,
            watch_list=confirmed,
            kind=WatchEntry.Kind.PERSON,
            person=membership.person,
            reason="Confirmed Eastside Crew member (approved membership): shootings by the river.",
            note="Tell the Eastside Crew ADA before arraignment.",
        )
        entries += 1
    watch_entry_add(
        actor=analyst,
        watch_list=crew,
        kind=WatchEntry.Kind.CHARGE,
        charge=FIREARM_STATUTE,
        reason="Any loaded-firearm arrest may be the crew's guns: check against the crew's cases.",
    )
    entries += 1
    busiest_id = (
        Arrest.objects.filter(source_agency=police, zone__isnull=False)
        .values("zone")
        .annotate(n=Count("id"))
        .order_by("-n", "zone")
        .values_list("zone", flat=True)
        .first()
    )
    busiest = Zone.objects.filter(pk=busiest_id).first() if busiest_id else None
    if busiest is not None:
        watch_entry_add(
            actor=prosecutor,
            watch_list=gangs,
            kind=WatchEntry.Kind.PLACE,
            zone=busiest,
            reason="The crews' home precinct: arrests there may touch a crew case.",
        )
        entries += 1
    recent = (
        Arrest.objects.filter(source_agency=police, person__isnull=False)
        .select_related("person")
        .order_by("-arrested_at", "-id")
    )
    watched: set[int] = set()
    recent_ids: list[int] = []
    for arrest in recent[:20]:
        if arrest.person is None or arrest.person.pk in watched or len(watched) == 3:
            continue
        watch_entry_add(
            actor=prosecutor,
            watch_list=bail,
            kind=WatchEntry.Kind.PERSON,
            person=arrest.person,
            reason="Released on bail in an open felony case: a new arrest breaks its conditions.",
            note="Argue remand; the assigned ADA is on the case file.",
            owner_note="Victim fears retaliation (told the ADA in person).",
        )
        watched.add(arrest.person.pk)
        recent_ids.append(arrest.pk)
        entries += 1
    # The demo's arrests were generated, not imported, so nothing matched them: match the
    # latest ones now, as an import would, so the prosecutor's inbox has its alerts.
    alerts = alerts_create_for_arrests(actor=system_actor(), arrest_ids=recent_ids)
    return {"watch lists": 4, "watch entries": entries, "alerts": len(alerts)}


def demo_watch_lists_reset(*, prosecutor: Any) -> dict[str, int]:
    """Delete the demo prosecutor's demo lists and their entries (sub-lists first)."""
    roots = WatchList.objects.filter(
        parent__isnull=True, name__in=[GANGS, BAIL_WATCH], created_by=prosecutor
    )
    lists = WatchList.objects.filter(
        Q(pk__in=roots) | Q(parent__in=roots) | Q(parent__parent__in=roots)
    )
    deleted = {"alerts.WatchEntry": WatchEntry.objects.filter(watch_list__in=lists).delete()[0]}
    n = 0
    for level in (3, 2, 1):
        n += WatchList.objects.filter(pk__in=lists.values("pk"), level=level).delete()[0]
    deleted["alerts.WatchList"] = n
    return deleted
