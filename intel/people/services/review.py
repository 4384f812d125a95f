"""The review queue's decisions (an arrest, a shooting victim or a case's defendant that may be
a known person: link it, start a new person, reject a candidate) and what follows an import of
arrests, shootings or cases (``people_resolve_import``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from csu import audit
from csu.models import User
from intel.models import (
    Arrest,
    CaseReferral,
    DataImport,
    MatchCandidate,
    Person,
    PersonLink,
    PersonNameKey,
    Shooting,
    ShootingVictim,
)
from intel.people.resolution import store
from intel.people.resolution.engine import ResolutionSummary, resolve_records
from intel.people.resolution.names import parse_name
from intel.people.services.common import _require

# A record entity resolution links to a person: an arrest, a shooting victim, a case's defendant.
Resolvable = Arrest | ShootingVictim | CaseReferral


@dataclass(frozen=True)
class _AsRecorded:
    """Who a record names, whatever its source: the name, date of birth and identifiers as
    recorded, and the person it is linked to."""

    name: str
    dob: date | None
    sex: str
    race: str
    ids: dict[str, str]
    agency_id: int
    person_id: int | None


def _source(record: Resolvable) -> str:
    """The field naming the record on ``PersonLink`` and ``MatchCandidate``."""
    if isinstance(record, ShootingVictim):
        return "shooting_victim"
    if isinstance(record, CaseReferral):
        return "case"
    return "arrest"


def _as_recorded(record: Resolvable) -> _AsRecorded:
    if isinstance(record, ShootingVictim):
        agency = Shooting.objects.values_list("source_agency_id", flat=True).get(
            pk=record.shooting_id
        )
        return _AsRecorded(
            record.name_as_recorded,
            record.dob_as_recorded,
            record.sex,
            record.race,
            {},
            agency,
            record.person_id,
        )
    if isinstance(record, CaseReferral):
        return _AsRecorded(
            record.defendant_name_as_recorded,
            record.defendant_dob_as_recorded,
            record.defendant_sex,
            record.defendant_race,
            store.recorded_ids(
                record.defendant_state_id_as_recorded, record.defendant_fbi_number_as_recorded, ""
            ),
            record.source_agency_id,
            record.defendant_id,
        )
    return _AsRecorded(
        record.name_as_recorded,
        record.dob_as_recorded,
        record.sex,
        record.race,
        store.recorded_ids(
            record.state_id_as_recorded, record.fbi_number_as_recorded, record.booking_number
        ),
        record.source_agency_id,
        record.person_id,
    )


def _set_person(record: Resolvable, person: Person) -> None:
    """``Arrest.person``, ``ShootingVictim.person`` (and its shooting's ``victim`` when it is the
    first victim) or ``CaseReferral.defendant``."""
    if isinstance(record, ShootingVictim):
        ShootingVictim.objects.filter(pk=record.pk).update(person=person)
        if record.sequence == 1:
            Shooting.objects.filter(pk=record.shooting_id, victim__isnull=True).update(
                victim=person
            )
    elif isinstance(record, CaseReferral):
        CaseReferral.objects.filter(pk=record.pk).update(defendant=person)
    else:
        Arrest.objects.filter(pk=record.pk).update(person=person)


def _link(
    *,
    actor: User,
    record: Resolvable,
    person: Person,
    method: str,
    score: float | None,
    factors: list[dict[str, Any]],
) -> PersonLink:
    source = _source(record)
    PersonLink.objects.filter(**{source: record}).delete()
    link = PersonLink.objects.create(
        **{source: record},
        person=person,
        method=method,
        score=score,
        factors=factors,
        decided_by=actor,
    )
    _set_person(record, person)
    recorded = _as_recorded(record)
    name = parse_name(recorded.name)
    if name:
        store.name_keys_add([store.name_key(person.pk, name, PersonNameKey.Kind.RECORDED)])
    store.identifiers_add(
        (person.pk, kind, value, recorded.agency_id if kind == "booking_number" else None)
        for kind, value in recorded.ids.items()
    )
    return link


def _open(candidate: MatchCandidate) -> MatchCandidate:
    locked = (
        MatchCandidate.objects.select_for_update(of=("self",))
        .select_related("arrest", "shooting_victim", "case", "person")
        .get(pk=candidate.pk)
    )
    # The record is locked too: two candidates of one record are decided one after the other.
    record = locked.record
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if locked.status != MatchCandidate.Status.OPEN or _as_recorded(record).person_id is not None:
        raise ValidationError("This match has already been decided.")
    return locked


def _close_others(record: Resolvable, actor: User, status: str) -> None:
    MatchCandidate.objects.filter(
        **{_source(record): record}, status=MatchCandidate.Status.OPEN
    ).update(status=status, decided_by=actor, decided_at=timezone.now())


@transaction.atomic
def match_link(*, actor: User, candidate: MatchCandidate) -> PersonLink:
    """The analyst confirms the record (an arrest, a shooting victim or a case's defendant) is
    this person: link it, with the candidate's factors."""
    _require(actor, "intel.change_matchcandidate")
    candidate = _open(candidate)
    record = candidate.record
    link = _link(
        record=record,
        person=candidate.person,
        method=PersonLink.Method.REVIEWED,
        actor=actor,
        score=candidate.score,
        factors=candidate.factors,
    )
    MatchCandidate.objects.filter(pk=candidate.pk).update(
        status=MatchCandidate.Status.LINKED, decided_by=actor, decided_at=timezone.now()
    )
    _close_others(record, actor, MatchCandidate.Status.SUPERSEDED)
    audit.audit_log(
        actor=actor,
        action=audit.MATCH_DECIDE,
        obj=record,
        decision="linked",
        person=candidate.person_id,
        score=candidate.score,
    )
    return link


def _new_person(*, actor: User, record: Resolvable, why: str) -> Person:
    recorded = _as_recorded(record)
    name = parse_name(recorded.name)
    if name is None:
        raise ValidationError("The record has no name to start a person from.")
    person = store.person_from_name(name, dob=recorded.dob, sex=recorded.sex, race=recorded.race)
    person.save()
    store.name_keys_add([store.name_key(person.pk, name, PersonNameKey.Kind.PRIMARY)])
    _link(
        record=record,
        person=person,
        method=PersonLink.Method.NEW,
        actor=actor,
        score=None,
        factors=[{"factor": "no match", "detail": why, "weight": 0}],
    )
    return person


@transaction.atomic
def match_new_person(
    *,
    actor: User,
    arrest: Arrest | None = None,
    victim: ShootingVictim | None = None,
    case: CaseReferral | None = None,
) -> Person:
    """None of the candidates: the record (give one of ``arrest``, ``victim`` or ``case``, whose
    defendant it is) starts a new person."""
    _require(actor, "intel.change_matchcandidate")
    given = [r for r in (arrest, victim, case) if r is not None]
    if len(given) != 1:
        raise ValueError("Give exactly one of arrest, victim or case.")
    record: Resolvable = type(given[0]).objects.select_for_update().get(pk=given[0].pk)
    if _as_recorded(record).person_id is not None:
        raise ValidationError(f"This {_NOUNS[_source(record)]} is already linked to a person.")
    person = _new_person(
        actor=actor,
        record=record,
        why=f"an analyst ({actor.get_username()}) found no candidate matched",
    )
    _close_others(record, actor, MatchCandidate.Status.REJECTED)
    audit.audit_log(
        actor=actor, action=audit.MATCH_DECIDE, obj=record, decision="new_person", person=person.pk
    )
    return person


_NOUNS = {"arrest": "arrest", "shooting_victim": "victim", "case": "defendant"}


@transaction.atomic
def match_reject(*, actor: User, candidate: MatchCandidate) -> Person | None:
    """Not this person. When no candidate is left, the record starts a new person (returned)."""
    _require(actor, "intel.change_matchcandidate")
    candidate = _open(candidate)
    record = candidate.record
    MatchCandidate.objects.filter(pk=candidate.pk).update(
        status=MatchCandidate.Status.REJECTED, decided_by=actor, decided_at=timezone.now()
    )
    audit.audit_log(
        actor=actor,
        action=audit.MATCH_DECIDE,
        obj=record,
        decision="rejected",
        person=candidate.person_id,
    )
    if MatchCandidate.objects.filter(
        **{_source(record): record}, status=MatchCandidate.Status.OPEN
    ).exists():
        return None
    return _new_person(
        actor=actor,
        record=record,
        why=f"an analyst ({actor.get_username()}) rejected every candidate",
    )


def people_resolve(*, actor: User) -> ResolutionSummary:
    """Resolve every arrest, shooting victim and case defendant not yet linked or queued (on
    demand, from the review queue)."""
    _require(actor, "intel.change_matchcandidate")
    return resolve_records(actor=actor)


# Import kinds whose records entity resolution reads.
RESOLVED_KINDS = ("arrests", "shootings", "cases")


def _cases_link_arrests(cases: QuerySet[CaseReferral]) -> int:
    """Tie each of ``cases`` without an arrest to the arrest its ``arrest_number`` names (the
    arrest's ``source_id``): the one from the case's referring agency (by name or short name)
    when several agencies used that number, otherwise only when a single arrest has it.
    Returns how many cases were tied."""
    ids = list(
        cases.filter(arrest__isnull=True).exclude(arrest_number="").values_list("pk", flat=True)
    )
    if not ids:
        return 0
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH found AS (
                SELECT c.id AS case_id, a.id AS arrest_id,
                       trim(c.referring_agency) <> ''
                       AND lower(trim(c.referring_agency)) IN (lower(g.name), lower(g.short_name))
                           AS same_agency
                  FROM intel_casereferral c
                  JOIN intel_arrest a ON a.source_id = c.arrest_number
                  JOIN intel_agency g ON g.id = a.source_agency_id
                 WHERE c.id = ANY(%s)
            ), counted AS (
                SELECT case_id, arrest_id, same_agency,
                       count(*) OVER (PARTITION BY case_id) AS arrests,
                       count(*) FILTER (WHERE same_agency) OVER (PARTITION BY case_id) AS same
                  FROM found
            )
            UPDATE intel_casereferral c SET arrest_id = counted.arrest_id
              FROM counted
             WHERE c.id = counted.case_id
               AND (counted.arrests = 1 OR (counted.same_agency AND counted.same = 1))
            """,
            [ids],
        )
        return int(cur.rowcount)


@transaction.atomic
def people_resolve_import(*, actor: User, data_import: DataImport) -> ResolutionSummary:
    """What follows an arrest, shooting or case import: the records it brought in are resolved to
    people (the arrests, the shootings' named victims, the cases' defendants). A case import first
    ties each case to the arrest its arrest number names (its defendant is then that arrest's
    person, when the arrest is resolved); an arrest import ties the cases that name its arrests.
    Any other kind resolves nothing."""
    if data_import.kind == "arrests":
        ids = list(
            Arrest.objects.filter(data_import=data_import, person__isnull=True).values_list(
                "pk", flat=True
            )
        )
        numbers = Arrest.objects.filter(data_import=data_import).values("source_id")
        tied = _cases_link_arrests(CaseReferral.objects.filter(arrest_number__in=numbers))
        summary = resolve_records(actor=actor, arrest_ids=ids, victim_ids=[], case_ids=[])
    elif data_import.kind == "cases":
        cases = CaseReferral.objects.filter(data_import=data_import)
        tied = _cases_link_arrests(cases)
        ids = list(cases.filter(defendant__isnull=True).values_list("pk", flat=True))
        summary = resolve_records(actor=actor, arrest_ids=[], victim_ids=[], case_ids=ids)
    elif data_import.kind == "shootings":
        tied = 0
        ids = list(
            ShootingVictim.objects.filter(
                shooting__data_import=data_import, person__isnull=True
            ).values_list("pk", flat=True)
        )
        summary = resolve_records(actor=actor, arrest_ids=[], victim_ids=ids, case_ids=[])
    else:
        return ResolutionSummary()
    summary.cases_with_arrest = tied
    return summary
