"""Reads for the person page: the person (or the survivor of a merge), why its records are
linked, its timeline, cases, victimisations and memberships, and a merge to un-merge. Each starts
from ``visible_to(actor)``; what the actor may not see raises the model's ``DoesNotExist``, as a
missing row does (the pages answer 404 to both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q

from csu.models import User
from intel.choices import CaseStatus
from intel.models import (
    Arrest,
    ArrestCharge,
    CaseCharge,
    CaseReferral,
    Challenge,
    GroupMembership,
    Incident,
    IntelRecord,
    Person,
    PersonAlias,
    PersonIdentifier,
    PersonLink,
    PersonMerge,
    PersonNameKey,
    Shooting,
    ShootingVictim,
    SourceRecord,
)
from intel.people.search import survivors

_NEVER = datetime.min.replace(tzinfo=UTC)  # undated entries sort last


def person_get(*, actor: User, pk: int) -> Person:
    """The person with this id, merged or not (the caller sends a merged one on to
    ``person_survivor``); ``Person.DoesNotExist`` when it does not exist or the actor may not
    see people."""
    person = Person.objects.visible_to(actor).filter(pk=pk).first()
    if person is None:
        raise Person.DoesNotExist("No such person.")
    return person


def person_survivor(*, actor: User, person: Person) -> Person:
    """The person a merged record now lives on (following merges of merges);
    ``Person.DoesNotExist`` if none."""
    survivor = survivors(Person.objects.visible_to(actor), [person.pk]).get(person.pk)
    if survivor is None:
        raise Person.DoesNotExist("No such person.")
    return survivor


@dataclass
class Source:
    """Where a fact came from: the agency, its id for the record, and the import that
    brought it."""

    agency: str
    source_id: str
    import_id: int | None = None


@dataclass
class TimelineEntry:
    at: datetime | None
    kind: str  # arrest, incident, shooting, case, intel, membership
    title: str
    details: list[str]
    source: Source
    obj: Any = None


def _arrests(actor: User, person: Person) -> list[Arrest]:
    return list(
        Arrest.objects.visible_to(actor)
        .filter(person=person)
        .select_related("source_agency", "person_link", "person_link__decided_by")
        .prefetch_related(Prefetch("charges", queryset=ArrestCharge.objects.order_by("sequence")))
        .order_by("-arrested_at", "-id")
    )


def _record_source(record: SourceRecord) -> Source:
    agency = record.source_agency
    return Source(agency.short_name or agency.name, record.source_id, record.data_import_id)


def _link_of(record: Arrest | ShootingVictim | CaseReferral) -> PersonLink | None:
    """Why the record is linked to its person (None for a record linked before links were
    kept, or by the import itself)."""
    try:
        return record.person_link
    except ObjectDoesNotExist:
        return None


# A case is open until it is declined, disposed of or dismissed.
OPEN_CASE_STATUSES = (CaseStatus.REFERRED, CaseStatus.CHARGED)


@dataclass
class Victimisation:
    """A shooting the person was a victim of, and their own line of it (``victim``: None for a
    shooting that names them only as its victim, with no victim line). Never an offender fact:
    it is shown apart from arrests and cases and counted in none of them."""

    shooting: Shooting
    victim: ShootingVictim | None

    @property
    def fatal(self) -> bool:
        return self.victim.fatal if self.victim is not None else self.shooting.fatal

    @property
    def injury(self) -> str:
        return self.victim.injury if self.victim is not None else ""

    @property
    def name_as_recorded(self) -> str:
        return self.victim.name_as_recorded if self.victim is not None else ""

    @property
    def link(self) -> PersonLink | None:
        return _link_of(self.victim) if self.victim is not None else None

    @property
    def source(self) -> Source:
        return _record_source(self.shooting)


def _victimisations(actor: User, person: Person) -> list[Victimisation]:
    """The shootings the person was a victim of, newest first, each with their victim line
    (two queries; none for a role that may not see shootings)."""
    shootings = (
        Shooting.objects.visible_to(actor)
        .filter(Q(victim=person) | Q(victims__person=person))
        .distinct()
        .select_related("source_agency")
        .prefetch_related(
            Prefetch(
                "victims",
                queryset=ShootingVictim.objects.filter(person=person)
                .select_related("person_link", "person_link__decided_by")
                .order_by("sequence"),
                to_attr="victims_of_person",
            )
        )
        .order_by("-occurred_at", "-id")
    )
    found: list[Victimisation] = []
    for shooting in shootings:
        lines: list[ShootingVictim] = getattr(shooting, "victims_of_person", [])
        if lines:
            found.extend(Victimisation(shooting, line) for line in lines)
        else:
            found.append(Victimisation(shooting, None))
    return found


def _cases(actor: User, person: Person) -> list[CaseReferral]:
    """The person's case referrals as defendant, newest first, with their charges and why the
    defendant is linked (two queries)."""
    return list(
        CaseReferral.objects.visible_to(actor)
        .filter(defendant=person)
        .select_related("source_agency", "person_link", "person_link__decided_by")
        .prefetch_related(Prefetch("charges", queryset=CaseCharge.objects.order_by("sequence")))
        .order_by("-referred_at", "-id")
    )


def _memberships(actor: User, person: Person) -> list[GroupMembership]:
    """Approved memberships only: a pending one is not yet intelligence, and a removed one is
    no longer (28 CFR 23.20(h): what was taken out must not keep following the person)."""
    return list(
        GroupMembership.objects.visible_to(actor)
        .filter(person=person)
        .filter(status=GroupMembership.Status.APPROVED)
        .select_related("group", "approved_by")
    )


def person_timeline(
    *,
    actor: User,
    person: Person,
    arrests: list[Arrest] | None = None,
    memberships: list[GroupMembership] | None = None,
    victimisations: list[Victimisation] | None = None,
    cases: list[CaseReferral] | None = None,
) -> list[TimelineEntry]:
    """Everything known about the person, newest first, each entry citing its source: arrests
    with charges, incidents linked through those arrests, shootings as victim, case referrals,
    approved intelligence records and approved group memberships. Ten queries at most."""
    arrests = _arrests(actor, person) if arrests is None else arrests
    memberships = _memberships(actor, person) if memberships is None else memberships
    victimisations = _victimisations(actor, person) if victimisations is None else victimisations
    cases = _cases(actor, person) if cases is None else cases
    entries: list[TimelineEntry] = []
    for a in arrests:
        charges = [
            f"{c.statute} {c.description}".strip() + f" ({c.get_severity_display()})"
            for c in a.charges.all()
        ]
        entries.append(
            TimelineEntry(
                a.arrested_at,
                "arrest",
                f"Arrested as {a.name_as_recorded}" if a.name_as_recorded else "Arrested",
                [*charges, a.address] if a.address else charges,
                _record_source(a),
                a,
            )
        )
    incidents = (
        Incident.objects.visible_to(actor)
        .filter(arrests__person=person)
        .distinct()
        .select_related("source_agency")
    )
    for i in incidents:
        entries.append(
            TimelineEntry(
                i.occurred_at,
                "incident",
                i.offense_description or i.offense_code or "Incident",
                [i.get_category_display(), i.address] if i.address else [i.get_category_display()],
                _record_source(i),
                i,
            )
        )
    for v in victimisations:
        entries.append(
            TimelineEntry(
                v.shooting.occurred_at,
                "shooting",
                "Shot (fatal)" if v.fatal else "Shot, survived",
                [line for line in (v.injury, v.shooting.address) if line],
                v.source,
                v.shooting,
            )
        )
    for c in cases:
        entries.append(
            TimelineEntry(
                c.referred_at,
                "case",
                f"Case {c.case_number} referred",
                [c.get_status_display(), c.top_charge],
                _record_source(c),
                c,
            )
        )
    for r in (
        IntelRecord.objects.visible_to(actor)
        .filter(status=IntelRecord.Status.APPROVED, subject_person=person)
        .select_related("submitting_agency")
    ):
        # The narrative is not shown here: opening the record is its own audited read.
        entries.append(
            TimelineEntry(
                r.approved_at or r.created_at,
                "intel",
                f"Intelligence record #{r.pk} approved",
                [
                    f"Predicate: {r.get_predicate_category_display()}",
                    f"Source {r.get_source_reliability_display()}, "
                    f"content {r.get_content_validity_display()}",
                    r.get_sensitivity_display(),
                ],
                Source(
                    r.submitting_agency.short_name or r.submitting_agency.name, f"intel #{r.pk}"
                ),
                r,
            )
        )
    for m in memberships:
        if m.status != GroupMembership.Status.APPROVED:
            continue
        entries.append(
            TimelineEntry(
                m.approved_at or m.created_at,
                "membership",
                f"{m.get_level_display()} of {m.group}",
                [
                    f"Predicate: {m.get_predicate_category_display()}",
                    f"Source: {m.get_source_type_display()}",
                ],
                Source("CSU", f"membership #{m.pk}"),
                m,
            )
        )
    entries.sort(key=lambda e: (e.at is not None, e.at or _NEVER), reverse=True)
    return entries


@dataclass
class PersonProfile:
    """What the person page shows."""

    person: Person
    name_keys: list[PersonNameKey]
    aliases: list[PersonAlias]
    identifiers: list[PersonIdentifier]
    arrests: list[Arrest]
    timeline: list[TimelineEntry]
    memberships: list[GroupMembership]
    challenges: list[Challenge]
    merges: list[PersonMerge]
    cases: list[CaseReferral]
    # Shootings the person was a victim of: apart from arrests and cases, never an offender fact.
    victimisations: list[Victimisation]

    @property
    def open_cases(self) -> list[CaseReferral]:
        return [c for c in self.cases if c.status in OPEN_CASE_STATUSES]

    @property
    def closed_cases(self) -> list[CaseReferral]:
        return [c for c in self.cases if c.status not in OPEN_CASE_STATUSES]


def person_profile(*, actor: User, person: Person) -> PersonProfile:
    """The person page: identity, every name recorded, why each arrest is linked, the cases with
    their charges, the shootings they were a victim of, the timeline, memberships, challenges
    and merge history, in a fixed number of queries (16 or so), however many records the
    person has."""
    arrests, memberships = _arrests(actor, person), _memberships(actor, person)
    cases, victimisations = _cases(actor, person), _victimisations(actor, person)
    # Only challenges to entries the actor can open: a challenge names its record.
    challenges = (
        Challenge.objects.visible_to(actor)
        .filter(person=person)
        .select_related("intel_record", "membership__group")
    )
    merges = (
        PersonMerge.objects.visible_to(actor)
        .filter(Q(survivor=person) | Q(merged=person))
        .select_related("survivor", "merged", "merged_by", "unmerged_by")
    )
    return PersonProfile(
        person=person,
        name_keys=list(person.name_keys.order_by("kind", "last", "first")),
        aliases=list(person.aliases.all()),
        identifiers=list(person.identifiers.select_related("issuing_agency")),
        arrests=arrests,
        timeline=person_timeline(
            actor=actor,
            person=person,
            arrests=arrests,
            memberships=memberships,
            victimisations=victimisations,
            cases=cases,
        ),
        memberships=memberships,
        challenges=list(challenges),
        merges=list(merges),
        cases=cases,
        victimisations=victimisations,
    )


def person_merge_get(*, actor: User, pk: int) -> PersonMerge:
    """A merge to un-merge; ``PersonMerge.DoesNotExist`` if it does not exist or the actor may
    not see merges."""
    merge = (
        PersonMerge.objects.visible_to(actor)
        .filter(pk=pk)
        .select_related("survivor", "merged")
        .first()
    )
    if merge is None:
        raise PersonMerge.DoesNotExist("No such merge.")
    return merge
