"""Reads about one person for interfaces: the person page (identity, why its records are linked,
timeline), a merge, and the match review queue. Each starts from ``visible_to(actor)``; what the
actor may not see is a 404. Search by name, identifier or date of birth is in ``search.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404

from intel.models import (
    Arrest,
    ArrestCharge,
    CaseReferral,
    Challenge,
    GroupMembership,
    Incident,
    IntelRecord,
    MatchCandidate,
    Person,
    PersonIdentifier,
    PersonMerge,
    PersonNameKey,
    Shooting,
)
from intel.people.search import survivors

_NEVER = datetime.min.replace(tzinfo=UTC)  # undated entries sort last


def person_get(actor: Any, pk: int) -> Person:
    """The person with this id, merged or not (the caller sends a merged one on to
    ``person_survivor``); 404 when it does not exist or the actor may not see people."""
    person = Person.objects.visible_to(actor).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person.")
    return person


def person_survivor(actor: Any, person: Person) -> Person:
    """The person a merged record now lives on (following merges of merges); 404 if none."""
    survivor = survivors(Person.objects.visible_to(actor), [person.pk]).get(person.pk)
    if survivor is None:
        raise Http404("No such person.")
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


def _arrests(actor: Any, person: Person) -> list[Arrest]:
    return list(
        Arrest.objects.visible_to(actor)
        .filter(person=person)
        .select_related("source_agency", "person_link", "person_link__decided_by")
        .prefetch_related(Prefetch("charges", queryset=ArrestCharge.objects.order_by("sequence")))
        .order_by("-arrested_at", "-id")
    )


def _record_source(record: Any) -> Source:
    agency = record.source_agency
    return Source(agency.short_name or agency.name, record.source_id, record.data_import_id)


def _memberships(actor: Any, person: Person) -> list[GroupMembership]:
    """Approved memberships only: a pending one is not yet intelligence, and a removed one is
    no longer (28 CFR 23.20(h): what was taken out must not keep following the person)."""
    return list(
        GroupMembership.objects.visible_to(actor)
        .filter(person=person)
        .filter(status=GroupMembership.Status.APPROVED)
        .select_related("group", "approved_by")
    )


def person_timeline(
    actor: Any,
    person: Person,
    arrests: list[Arrest] | None = None,
    memberships: list[GroupMembership] | None = None,
) -> list[TimelineEntry]:
    """Everything known about the person, newest first, each entry citing its source: arrests
    with charges, incidents linked through those arrests, shootings as victim, case referrals,
    approved intelligence records and approved group memberships. Eight queries at most."""
    arrests = _arrests(actor, person) if arrests is None else arrests
    memberships = _memberships(actor, person) if memberships is None else memberships
    entries = []
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
    for s in (
        Shooting.objects.visible_to(actor).filter(victim=person).select_related("source_agency")
    ):
        entries.append(
            TimelineEntry(
                s.occurred_at,
                "shooting",
                "Shot (fatal)" if s.fatal else "Shot, survived",
                [s.address] if s.address else [],
                _record_source(s),
                s,
            )
        )
    for c in (
        CaseReferral.objects.visible_to(actor)
        .filter(defendant=person)
        .select_related("source_agency")
    ):
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
    aliases: list[Any]
    identifiers: list[PersonIdentifier]
    arrests: list[Arrest]
    timeline: list[TimelineEntry]
    memberships: list[GroupMembership]
    challenges: list[Challenge]
    merges: list[PersonMerge]


def person_profile(actor: Any, person: Person) -> PersonProfile:
    """The person page: identity, every name recorded, why each arrest is linked, the timeline,
    memberships, challenges and merge history, in a fixed number of queries (13 or so),
    however many records the person has."""
    arrests, memberships = _arrests(actor, person), _memberships(actor, person)
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
        timeline=person_timeline(actor, person, arrests, memberships),
        memberships=memberships,
        challenges=list(challenges),
        merges=list(merges),
    )


def person_merge_get(actor: Any, pk: int) -> PersonMerge:
    """A merge to un-merge; 404 if it does not exist or the actor may not see merges."""
    merge = (
        PersonMerge.objects.visible_to(actor)
        .filter(pk=pk)
        .select_related("survivor", "merged")
        .first()
    )
    if merge is None:
        raise Http404("No such merge.")
    return merge


# ---------------------------------------------------------------------------- review queue


@dataclass
class MatchGroup:
    """One arrest awaiting review, as recorded, and the people it may be, best first."""

    arrest: Arrest
    candidates: list[MatchCandidate]


def match_queue(actor: Any, *, page: Any = 1, per_page: int = 10) -> tuple[Page, list[MatchGroup]]:
    """Arrests with open candidates, best score first, one page of them with their candidates
    side by side (people with identifiers, names recorded and arrest counts)."""
    candidates = MatchCandidate.objects.visible_to(actor)
    if candidates.query.is_empty():
        arrests = Arrest.objects.none()
    else:
        arrests = (
            Arrest.objects.visible_to(actor)
            .filter(match_candidates__status=MatchCandidate.Status.OPEN)
            .annotate(best=Max("match_candidates__score"))
            .order_by("-best", "-arrested_at", "id")
        )
    paged = Paginator(arrests, per_page).get_page(page)
    on_page = list(paged.object_list)
    if not on_page:
        return paged, []
    people = (
        Person.objects.visible_to(actor)
        .annotate(arrest_count=Count("arrests"))
        .prefetch_related(
            Prefetch(
                "identifiers", queryset=PersonIdentifier.objects.select_related("issuing_agency")
            ),
            Prefetch("name_keys", queryset=PersonNameKey.objects.order_by("kind", "last", "first")),
        )
    )
    by_arrest: dict[int, list[MatchCandidate]] = defaultdict(list)
    for c in (
        candidates.filter(arrest__in=on_page, status=MatchCandidate.Status.OPEN)
        .prefetch_related(Prefetch("person", queryset=people.select_related("merged_into")))
        .order_by("-score", "id")
    ):
        by_arrest[c.arrest_id].append(c)
    arrests_full = {
        a.pk: a
        for a in Arrest.objects.visible_to(actor)
        .filter(pk__in=[a.pk for a in on_page])
        .select_related("source_agency")
        .prefetch_related(Prefetch("charges", queryset=ArrestCharge.objects.order_by("sequence")))
    }
    return paged, [MatchGroup(arrests_full[a.pk], by_arrest[a.pk]) for a in on_page]


def match_candidate_get(actor: Any, pk: int) -> MatchCandidate:
    """An open or decided candidate; 404 if missing or not visible."""
    found = (
        MatchCandidate.objects.visible_to(actor)
        .filter(pk=pk)
        .select_related("arrest", "person")
        .first()
    )
    if found is None:
        raise Http404("No such candidate.")
    return found


def match_arrest_get(actor: Any, pk: int) -> Arrest:
    """An arrest in the review queue (it has candidates); 404 otherwise."""
    if MatchCandidate.objects.visible_to(actor).query.is_empty():
        raise Http404("No such arrest.")
    found = (
        Arrest.objects.visible_to(actor)
        .filter(pk=pk, match_candidates__isnull=False)
        .distinct()
        .first()
    )
    if found is None:
        raise Http404("No such arrest.")
    return found
