"""Priority-offender rows for tests of the brief and treatment: a designated person with one of
every kind of record, built directly with the ORM (the designation services are another part's:
the rows are made in the state they would leave them in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from intel.models import (
    Agency,
    Arrest,
    CaseReferral,
    GroupMembership,
    Incident,
    IntelRecord,
    Person,
    PriorityDesignation,
    Shooting,
    SupervisionStatus,
    TreatmentRule,
)
from tests.factories.intel import (
    AgencyFactory,
    ArrestChargeFactory,
    ArrestFactory,
    CaseReferralFactory,
    GroupMembershipFactory,
    IncidentFactory,
    IntelRecordFactory,
    PersonFactory,
    ShootingFactory,
)

DRUG_RULE = "Drug diversion: non-violent drug cases with no connection to violence"


@dataclass
class Briefed:
    """The person and their records, by kind."""

    person: Person
    police: Agency
    court: Agency
    arrests: list[Arrest] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    cases: list[CaseReferral] = field(default_factory=list)
    intel: list[IntelRecord] = field(default_factory=list)
    memberships: list[GroupMembership] = field(default_factory=list)
    shootings: list[Shooting] = field(default_factory=list)
    designation: PriorityDesignation | None = None
    supervision: SupervisionStatus | None = None


def add_arrest(b: Briefed, *, days_ago: int, category: str, firearm: bool = False) -> Arrest:
    now = timezone.now()
    incident = IncidentFactory(
        source_agency=b.police,
        occurred_at=now - timedelta(days=days_ago, hours=1),
        category=category,
        firearm=firearm,
        offense_description=f"{category.upper()} INCIDENT",
    )
    arrest = ArrestFactory(
        source_agency=b.police,
        person=b.person,
        arrested_at=now - timedelta(days=days_ago),
        incident=incident,
    )
    statute = {"violent": "PL 120.05", "drug": "PL 220.03", "weapons": "PL 265.03"}
    ArrestChargeFactory(
        arrest=arrest,
        sequence=1,
        category=category,
        statute=statute.get(category, "PL 140.10"),
        description=f"{category.upper()} CHARGE",
    )
    b.arrests.append(arrest)
    b.incidents.append(incident)
    return arrest


def add_case(
    b: Briefed, *, arrest: Arrest, status: str, category: str, assigned_to: Any = None
) -> CaseReferral:
    case = CaseReferralFactory(
        source_agency=b.court,
        arrest=arrest,
        defendant=b.person,
        status=status,
        category=category,
        top_charge=f"{category.upper()} CHARGE",
        assigned_to=assigned_to,
        assigned_prosecutor="" if assigned_to else "ADA Rivera",
        referred_at=arrest.arrested_at + timedelta(days=1),
    )
    b.cases.append(case)
    return case


def add_intel(b: Briefed, *, submitter: Any, approver: Any, **values: Any) -> IntelRecord:
    record = IntelRecordFactory(
        subject_person=b.person,
        submitted_by=submitter,
        status=IntelRecord.Status.APPROVED,
        approved_by=approver,
        approved_at=timezone.now() - timedelta(days=3),
        submitting_agency=b.police,
        **values,
    )
    b.intel.append(record)
    return record


def briefed_person(
    *, analyst: Any, supervisor: Any, prosecutor: Any, designated: bool = True
) -> Briefed:
    """A man with three arrests (violent with a gun, drug, weapons), an open drug case assigned
    to ``prosecutor`` and a closed one, two approved intelligence records (one with an owner
    note, one of content that cannot be judged), an approved violent-crew membership, a
    shooting he survived, parole, and an active designation."""
    b = Briefed(
        person=PersonFactory(first_name="Marcus", last_name="Hale", dob=date(1995, 4, 2)),
        police=AgencyFactory(name="Harbor County PD", short_name="HCPD"),
        court=AgencyFactory(
            name="Harbor County District Attorney", short_name="HCDA", kind=Agency.Kind.PROSECUTOR
        ),
    )
    violent = add_arrest(b, days_ago=400, category="violent", firearm=True)
    drug = add_arrest(b, days_ago=30, category="drug")
    add_arrest(b, days_ago=900, category="weapons")
    add_case(b, arrest=drug, status="charged", category="drug", assigned_to=prosecutor)
    add_case(b, arrest=violent, status="convicted", category="violent")
    add_intel(
        b,
        submitter=analyst,
        approver=supervisor,
        narrative="Seen handing a handgun to a crew member outside 12 Elm Street.",
        owner_note="Handler: call Det. Ruiz before any use.",
    )
    add_intel(
        b,
        submitter=analyst,
        approver=supervisor,
        narrative="Anonymous tip: stores product at a cousin's flat.",
        content_validity=IntelRecord.Validity.UNKNOWN,
        source_reliability=IntelRecord.Reliability.UNKNOWN,
    )
    b.memberships.append(
        GroupMembershipFactory(
            person=b.person,
            submitted_by=analyst,
            status=GroupMembership.Status.APPROVED,
            approved_by=supervisor,
            approved_at=timezone.now() - timedelta(days=10),
            predicate_category="violent",
        )
    )
    b.shootings.append(
        ShootingFactory(
            source_agency=b.police,
            victim=b.person,
            occurred_at=timezone.now() - timedelta(days=200),
            address="40 Dock Street",
        )
    )
    b.supervision = SupervisionStatus.objects.create(
        person=b.person,
        kind=SupervisionStatus.Kind.PAROLE,
        agency="State Division of Parole",
        reference="PAR-2291",
        starts_on=timezone.localdate() - timedelta(days=300),
        entered_by=analyst,
    )
    if designated:
        now = timezone.now()
        b.designation = PriorityDesignation.objects.create(
            person=b.person,
            status=PriorityDesignation.Status.ACTIVE,
            reason="Two shootings linked to his crew this year and a gun arrest.",
            basis={
                "score": 7.5,
                "version": 1,
                "factors": [
                    {
                        "name": "violent_arrests",
                        "value": 1,
                        "weight": 3.0,
                        "contribution": 3.0,
                        "records": [{"type": "arrest", "id": violent.pk}],
                    }
                ],
            },
            proposed_by=analyst,
            proposed_at=now - timedelta(days=20),
            decided_by=supervisor,
            decided_at=now - timedelta(days=19),
            approved_at=now - timedelta(days=19),
            expires_at=now + timedelta(days=346),
        )
    return b


def drug_rule(actor: Any, **values: Any) -> TreatmentRule:
    """The seed's default rule, made directly."""
    return TreatmentRule.objects.create(
        **{
            "name": DRUG_RULE,
            "treatment": "Drug court diversion",
            "guideline": "Non-violent drug cases with no connection to violence may be diverted.",
            "open_case_categories": ["drug"],
            "max_violent_arrests": 0,
            "lookback_years": 5,
            "no_firearm": True,
            "no_violent_group": True,
            "updated_by": actor,
            **values,
        }
    )
