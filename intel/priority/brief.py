"""The prosecutor's brief on one person: what the person page shows (``person_profile``, reused,
not repeated), and around it the designation and its basis, the current score, a criminal
history summary, open cases with their prosecutors, associates and groups, approved
intelligence with its labels and narrative, victimisation kept apart, probation and parole, the
alternative-treatment assessment and the caveat.

Every fact carries a ``Citation`` (``intel.priority.citations``): the agency, its number for the
record, and whether it is a court record, a police report or intelligence. Everything is read
from ``visible_to(actor)``: an intelligence record the reader may not open is not in the brief
at all, and an owner-only note is shown to the record's submitter alone. The number of queries
does not grow with the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, Subquery, Value, When
from django.utils import timezone

from csu.models import User
from intel.choices import OffenseCategory
from intel.models import (
    Arrest,
    CaseReferral,
    Incident,
    IntelRecord,
    Person,
    PriorityDesignation,
    PriorityScore,
    ScoreConfig,
    SupervisionStatus,
)
from intel.models.priority import DESIGNATION_CAVEAT
from intel.people.network import Associate, person_network_get
from intel.people.selectors.person import (
    PersonProfile,
    TimelineEntry,
    Victimisation,
    person_profile,
)
from intel.priority.citations import (
    POLICE_REPORT,
    Citation,
    cite_arrest,
    cite_case,
    cite_incident,
    cite_intel,
    cite_membership,
    cite_shooting,
    cite_supervision,
)
from intel.priority.treatment import (
    PersonFacts,
    RuleAssessment,
    is_violent,
    is_weapons,
    treatment_assess,
)

TIMELINE_ENTRIES = 25
OWNER_NOTE_REDACTED = "[owner-only note redacted]"


@dataclass
class Count:
    """A count in the criminal history, with the arrests that make it."""

    label: str
    arrests: list[Citation]

    @property
    def count(self) -> int:
        return len(self.arrests)


@dataclass
class CriminalHistory:
    """Arrests only: a shooting the person suffered is never counted here."""

    arrests: list[Citation]
    by_year: list[Count]
    by_category: list[Count]
    violent: Count
    gun: Count


@dataclass
class Factor:
    """A score factor with the records behind it, as stored with the score or the
    designation's basis."""

    name: str
    value: Any
    weight: Any
    contribution: Any
    records: list[Citation]

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


@dataclass
class DesignationView:
    designation: PriorityDesignation
    basis_score: Any
    basis_version: Any
    factors: list[Factor]


@dataclass
class ScoreView:
    score: PriorityScore
    factors: list[Factor]


@dataclass
class CaseView:
    case: CaseReferral
    citation: Citation
    prosecutor: str
    charges: list[str]


@dataclass
class Cited:
    """Any other fact of the brief, with its source."""

    obj: Any
    citation: Citation
    extra: str = ""


@dataclass
class AssociateView:
    associate: Associate
    evidence: list[Citation]


@dataclass
class Brief:
    person: Person
    profile: PersonProfile
    reader: User
    generated_at: datetime
    designation: DesignationView | None
    score: ScoreView | None
    history: CriminalHistory
    open_cases: list[CaseView]
    timeline: list[Cited]
    associates: list[AssociateView]
    memberships: list[Cited]
    intel: list[Cited]
    victimisations: list[Cited]
    supervision: list[Cited]
    treatment: list[RuleAssessment]
    caveat: str = DESIGNATION_CAVEAT
    incidents: list[Incident] = field(default_factory=list)
    # Whether the reader's role reads shootings at all: "none recorded" would mislead otherwise.
    shootings_visible: bool = True

    def citations(self) -> Iterator[Citation]:
        """Every record the brief cites, once each (for the audit event's ids and tests)."""
        seen: set[Citation] = set()
        groups: list[list[Citation]] = [
            self.history.arrests,
            [c.citation for c in self.open_cases],
            [c.citation for c in self.timeline],
            [c.citation for c in self.memberships],
            [c.citation for c in self.intel],
            [c.citation for c in self.victimisations],
        ]
        for group in groups:
            for citation in group:
                if citation not in seen:
                    seen.add(citation)
                    yield citation


def _history(arrests: list[Arrest], incidents: dict[int, Incident]) -> CriminalHistory:
    by_year: dict[int, list[Citation]] = defaultdict(list)
    by_category: dict[str, list[Citation]] = defaultdict(list)
    violent, gun = [], []
    names = dict(OffenseCategory.choices)
    for arrest in arrests:
        cite = cite_arrest(arrest)
        by_year[arrest.arrested_at.year].append(cite)
        for category in sorted({c.category for c in arrest.charges.all()}):
            by_category[category].append(cite)
        if is_violent(arrest):
            violent.append(cite)
        if is_weapons(arrest, incidents):
            gun.append(cite)
    order = {c: n for n, c in enumerate(OffenseCategory.values)}
    return CriminalHistory(
        arrests=[cite_arrest(a) for a in arrests],
        by_year=[Count(str(year), by_year[year]) for year in sorted(by_year, reverse=True)],
        by_category=[
            Count(str(names.get(c, c)), by_category[c])
            for c in sorted(by_category, key=lambda c: order.get(c, 99))
        ],
        violent=Count("Violent arrests", violent),
        gun=Count("Firearm or weapons arrests", gun),
    )


def _record_index(
    profile: PersonProfile,
    incidents: list[Incident],
    intel: list[IntelRecord],
    supervision: list[SupervisionStatus],
) -> dict[tuple[str, int], Citation]:
    index: dict[tuple[str, int], Citation] = {}
    index.update({("arrest", a.pk): cite_arrest(a) for a in profile.arrests})
    index.update({("incident", i.pk): cite_incident(i) for i in incidents})
    index.update({("case", c.pk): cite_case(c) for c in profile.cases})
    index.update(
        {("shooting", v.shooting.pk): cite_shooting(v.shooting) for v in profile.victimisations}
    )
    index.update({("intel", r.pk): cite_intel(r) for r in intel})
    index.update({("membership", m.pk): cite_membership(m) for m in profile.memberships})
    index.update({("supervision", s.pk): cite_supervision(s) for s in supervision})
    return index


def _factors(raw: Any, index: dict[tuple[str, int], Citation]) -> list[Factor]:
    """Stored factors with their records cited; a record the reader cannot see is named by
    type and number only."""
    factors = []
    for f in raw if isinstance(raw, list) else []:
        records = []
        for r in f.get("records") or []:
            # The types ``intel.priority.scoring`` writes: arrest, incident, case, shooting,
            # supervision (the keys of ``_record_index``).
            found = index.get((r.get("type"), r.get("id")))
            records.append(
                found or Citation("CSU", f"{r.get('type')} #{r.get('id')}", "not visible to you")
            )
        factors.append(
            Factor(
                f.get("name", ""), f.get("value"), f.get("weight"), f.get("contribution"), records
            )
        )
    return factors


def _designation(actor: User, person: Person) -> PriorityDesignation | None:
    """The active designation, else the most recent one."""
    return (
        PriorityDesignation.objects.visible_to(actor)
        .filter(person=person)
        .select_related("proposed_by", "decided_by")
        .annotate(
            active_first=Case(
                When(status=PriorityDesignation.Status.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("active_first", "-proposed_at", "-id")
        .first()
    )


def _score(actor: User, person: Person) -> PriorityScore | None:
    """The person's score under the newest score version, if there is one for them."""
    newest = ScoreConfig.objects.visible_to(actor).order_by("-version").values("pk")[:1]
    return (
        PriorityScore.objects.visible_to(actor)
        .filter(person=person, config=Subquery(newest))
        .select_related("config")
        .first()
    )


def _prosecutors(actor: User, cases: list[CaseReferral]) -> dict[int, User]:
    ids = {c.assigned_to_id for c in cases if c.assigned_to_id}
    if not ids:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


def _case_view(case: CaseReferral, users: dict[int, User]) -> CaseView:
    user = users.get(case.assigned_to_id) if case.assigned_to_id else None
    prosecutor = (user.get_full_name() or user.username) if user else case.assigned_prosecutor
    charges = [
        f"{c.statute} {c.description}".strip() + f" ({c.get_severity_display()})"
        for c in case.charges.all()
    ]
    return CaseView(case, cite_case(case), prosecutor or "unassigned", charges)


def _entry_citation(entry: TimelineEntry) -> Citation:
    obj = entry.obj
    if entry.kind == "arrest":
        return cite_arrest(obj)
    if entry.kind == "incident":
        return cite_incident(obj)
    if entry.kind == "case":
        return cite_case(obj)
    if entry.kind == "intel":
        return cite_intel(obj)
    if entry.kind == "membership":
        return cite_membership(obj)
    return Citation(entry.source.agency, entry.source.source_id, POLICE_REPORT)


def _owner_note(reader: User, record: IntelRecord) -> str:
    if not record.owner_note:
        return ""
    return record.owner_note if record.submitted_by_id == reader.pk else OWNER_NOTE_REDACTED


def _associates(actor: User, person: Person) -> list[AssociateView]:
    network = person_network_get(actor=actor, pk=person.pk)
    views = []
    for associate in network.associates:
        evidence = []
        for event in associate.evidence:
            if event.kind == "incident":
                number = f"incident {event.incident_source_id or event.incident_id}"
            else:
                number = "arrests " + ", ".join(event.own_arrests + event.their_arrests)
            evidence.append(Citation(event.agency, number, POLICE_REPORT))
        views.append(AssociateView(associate, evidence))
    return views


def _victimisation(v: Victimisation, person: Person) -> Cited:
    return Cited(v, cite_shooting(v.shooting, person.pk))


def person_brief(*, actor: User, person: Person, now: datetime | None = None) -> Brief:
    """The brief on ``person`` as ``actor`` may read it, in a fixed number of queries."""
    profile = person_profile(actor=actor, person=person)
    entries = [e for e in profile.timeline if e.kind != "shooting"]  # victimisation: apart
    incidents = [e.obj for e in profile.timeline if e.kind == "incident"]
    intel: list[IntelRecord] = [e.obj for e in profile.timeline if e.kind == "intel"]
    supervision = list(SupervisionStatus.objects.visible_to(actor).filter(person=person))
    designation = _designation(actor, person)
    score = _score(actor, person)
    index = _record_index(profile, incidents, intel, supervision)
    facts = PersonFacts(
        arrests=profile.arrests,
        incidents=incidents,
        cases=profile.cases,
        memberships=profile.memberships,
        designation=designation
        if designation and designation.status == PriorityDesignation.Status.ACTIVE
        else None,
    )
    users = _prosecutors(actor, profile.open_cases)
    basis = designation.basis if designation and isinstance(designation.basis, dict) else {}
    return Brief(
        person=person,
        profile=profile,
        reader=actor,
        generated_at=now or timezone.now(),
        designation=DesignationView(
            designation,
            basis.get("score"),
            basis.get("version"),
            _factors(basis.get("factors"), index),
        )
        if designation
        else None,
        score=ScoreView(score, _factors(score.factors, index)) if score else None,
        history=_history(profile.arrests, {i.pk: i for i in incidents}),
        open_cases=[_case_view(c, users) for c in profile.open_cases],
        timeline=[Cited(e, _entry_citation(e)) for e in entries[:TIMELINE_ENTRIES]],
        associates=_associates(actor, person),
        memberships=[Cited(m, cite_membership(m)) for m in profile.memberships],
        intel=[Cited(r, cite_intel(r), _owner_note(actor, r)) for r in intel],
        victimisations=[_victimisation(v, person) for v in profile.victimisations],
        supervision=[Cited(s, cite_supervision(s)) for s in supervision],
        treatment=treatment_assess(actor=actor, person=person, facts=facts, now=now),
        incidents=incidents,
        shootings_visible=actor.has_perm("intel.view_shooting"),
    )
