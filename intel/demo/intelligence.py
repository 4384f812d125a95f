"""The demo county's intelligence: two crews with members and a handful of intel records, all
made through the 28 CFR Part 23 services (predicate, lawful source, approval by a supervisor
who did not submit them). Fictional, like everything in the demo."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from intel.intelligence import intel_record_approve, intel_record_create, intel_record_submit
from intel.intelligence.groups import group_create, membership_approve, membership_submit
from intel.models import Agency, Arrest, Person

CREWS = [
    ("Eastside Crew", "Street crew the precinct links to a run of shootings near the river."),
    ("Mill Street Set", "Set selling near the mill blocks; frequent weapons arrests."),
]
PREDICATES = {
    "violent": "Named by two witnesses and on video at the scene of a non-fatal shooting; "
    "arrested with crew members twice in the last six months.",
    "weapons": "Recovered firearm in the car he was driving; the gun was traced to a straw "
    "purchase linked to the crew's other arrests.",
    "drug": "Controlled buys by an undercover officer on three dates at the same address, "
    "with lab results confirming fentanyl.",
}


def seed_intelligence(
    *, analyst: Any, supervisor: Any, police: Agency, rng: random.Random
) -> dict[str, int]:
    """Crews and intel on the county's most-arrested people; returns what it made."""
    frequent = [
        pk
        for pk, _ in Counter(
            Arrest.objects.filter(source_agency=police, person__isnull=False).values_list(
                "person_id", flat=True
            )
        ).most_common(24)
    ]
    people = list(Person.objects.filter(pk__in=frequent))
    rng.shuffle(people)
    memberships = records = 0
    for (name, description), members in zip(CREWS, (people[:6], people[6:11]), strict=True):
        group = group_create(actor=analyst, name=name, kind="crew", description=description)
        for n, person in enumerate(members):
            category = rng.choice(list(PREDICATES))
            membership = membership_submit(
                actor=analyst,
                group=group,
                person=person,
                level=("confirmed", "associate", "suspected")[n % 3],
                predicate_category=category,
                predicate_narrative=PREDICATES[category],
                source_type="officer",
                lawfully_obtained=True,
            )
            if n < len(members) - 1:  # the last one waits for the supervisor
                membership_approve(actor=supervisor, membership=membership)
            memberships += 1
    for n, person in enumerate(people[11:18]):
        category = rng.choice(list(PREDICATES))
        record = intel_record_create(
            actor=analyst,
            subject_kind="person",
            subject_person=person,
            narrative=f"Field intelligence on {person.full_name}: seen with crew members at the "
            "corner of Mill and 4th on several evenings; associates armed.",
            predicate_category=category,
            predicate_narrative=PREDICATES[category],
            source_type=("officer", "informant", "records")[n % 3],
            source_reliability="B",
            content_validity="2",
            sensitivity="confidential",
            submitting_agency=police,
            lawfully_obtained=True,
        )
        if n < 6:  # one draft stays with the analyst
            intel_record_submit(actor=analyst, record=record)
        if n < 5:  # one waits for approval
            intel_record_approve(actor=supervisor, record=record)
        records += 1
    return {"groups": len(CREWS), "memberships": memberships, "intel_records": records}
