"""Reads for the designation pages, the person page's designation and supervision panels, zone
assignments and the prosecutor's home. Each starts from ``visible_to(actor)``; what the actor may
not see raises the model's ``DoesNotExist``, as a missing row does (the pages answer 404)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from csu.models import User
from csu.roles import Role
from intel.models import (
    Arrest,
    CaseReferral,
    DesignationEvent,
    Person,
    PriorityDesignation,
    PriorityScore,
    ScoreConfig,
    SupervisionStatus,
    Zone,
    ZoneAssignment,
)
from intel.priority.designations import (
    EXPIRING_SOON_DAYS,
    OPEN,
    PROPOSE,
    Status,
    designation_actions,
    open_challenge,
    renewal_pending,
)


def _designations(actor: User) -> QuerySet[PriorityDesignation]:
    return PriorityDesignation.objects.visible_to(actor).select_related(
        "person", "proposed_by", "decided_by", "renewal_requested_by"
    )


def designation_get(*, actor: User, pk: int) -> PriorityDesignation:
    """The designation with this id; ``DoesNotExist`` when missing or out of sight."""
    designation = _designations(actor).filter(pk=pk).first()
    if designation is None:
        raise PriorityDesignation.DoesNotExist("No such designation.")
    return designation


@dataclass
class DesignationPage:
    designation: PriorityDesignation
    events: list[DesignationEvent]
    challenge: DesignationEvent | None  # the open one
    renewal_pending: bool
    actions: frozenset[str]
    expiring_soon: bool


def _expiring_soon(designation: PriorityDesignation) -> bool:
    soon = timezone.now() + timedelta(days=EXPIRING_SOON_DAYS)
    return (
        designation.status == Status.ACTIVE
        and designation.expires_at is not None
        and designation.expires_at <= soon
    )


def designation_page(*, actor: User, pk: int) -> DesignationPage:
    """A designation with its whole history and what the actor may do to it."""
    designation = designation_get(actor=actor, pk=pk)
    events = list(
        DesignationEvent.objects.visible_to(actor)
        .filter(designation=designation)
        .select_related("actor")
        .order_by("at", "id")
    )
    challenge = open_challenge(events)
    return DesignationPage(
        designation=designation,
        events=events,
        challenge=challenge,
        renewal_pending=renewal_pending(designation),
        actions=designation_actions(
            actor=actor, designation=designation, challenge_open=challenge is not None
        ),
        expiring_soon=_expiring_soon(designation),
    )


@dataclass
class DesignationPanel:
    """The person page's designation panel."""

    current: PriorityDesignation | None  # the open one, else the latest
    can_propose: bool
    expiring_soon: bool = False


def designation_current_for(*, actor: User, person: Person) -> DesignationPanel:
    """The person's proposed or active designation (else the latest one), and whether the
    actor may propose one now."""
    rows = _designations(actor).filter(person=person)
    current = rows.filter(status__in=OPEN).first() or rows.order_by("-proposed_at", "-id").first()
    can_propose = (
        actor.has_perm(PROPOSE)
        and person.merged_into_id is None
        and not (current is not None and current.status in OPEN)
    )
    return DesignationPanel(
        current=current,
        can_propose=can_propose,
        expiring_soon=current is not None and _expiring_soon(current),
    )


@dataclass
class DesignationLists:
    """The designation list page, section by section."""

    awaiting: list[PriorityDesignation] = field(default_factory=list)
    active: list[PriorityDesignation] = field(default_factory=list)
    expiring_soon: list[PriorityDesignation] = field(default_factory=list)
    pending_renewals: list[PriorityDesignation] = field(default_factory=list)
    history: list[PriorityDesignation] = field(default_factory=list)


def designation_list(*, actor: User, status: str = "", q: str = "") -> DesignationLists:
    """Designations the actor may see, split into the page's sections; ``status`` keeps one
    status, ``q`` matches the person's name."""
    rows = _designations(actor)
    if status:
        rows = rows.filter(status=status)
    for word in q.split():
        rows = rows.filter(
            Q(person__last_name__icontains=word) | Q(person__first_name__icontains=word)
        )
    lists = DesignationLists()
    for designation in rows.order_by("expires_at", "-proposed_at", "id"):
        if designation.status == Status.PROPOSED:
            lists.awaiting.append(designation)
        elif designation.status == Status.ACTIVE:
            lists.active.append(designation)
            if _expiring_soon(designation):
                lists.expiring_soon.append(designation)
            if renewal_pending(designation):
                lists.pending_renewals.append(designation)
        else:
            lists.history.append(designation)
    lists.history.sort(key=lambda d: d.ended_at or d.proposed_at, reverse=True)
    return lists


def supervision_list_for(*, actor: User, person: Person) -> list[SupervisionStatus]:
    """The person's probation and parole terms, newest first."""
    return list(
        SupervisionStatus.objects.visible_to(actor)
        .filter(person=person)
        .select_related("entered_by")
    )


def zone_assignment_list(*, actor: User) -> list[ZoneAssignment]:
    return list(
        ZoneAssignment.objects.visible_to(actor).select_related(
            "user", "zone", "zone__layer", "assigned_by"
        )
    )


def zone_assignment_get(*, actor: User, pk: int) -> ZoneAssignment:
    assignment = ZoneAssignment.objects.visible_to(actor).filter(pk=pk).first()
    if assignment is None:
        raise ZoneAssignment.DoesNotExist("No such assignment.")
    return assignment


def zone_choices(*, actor: User) -> QuerySet[Zone]:
    return Zone.objects.visible_to(actor).select_related("layer").order_by("layer__name", "key")


def prosecutor_choices() -> QuerySet[User]:
    """Active prosecutors' accounts (names only), for assigning zones."""
    return (
        get_user_model()
        .objects.filter(groups__name=Role.PROSECUTOR.value, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


@dataclass
class BriefRow:
    """A designated person on a prosecutor's home, and why they are listed there."""

    designation: PriorityDesignation
    person: Person
    why: list[str]


def designation_briefs_for_prosecutor(*, actor: User) -> list[BriefRow]:
    """Active designations of people with an arrest in one of the actor's zones or a case
    assigned to the actor, each with the zones and case numbers that put it there."""
    # One's own zone assignments are one's own to know (the role reads no one else's).
    zone_ids = list(ZoneAssignment.objects.filter(user=actor).values_list("zone_id", flat=True))
    active = _designations(actor).filter(status=Status.ACTIVE)
    why: dict[int, list[str]] = {}
    if zone_ids:
        arrests = (
            Arrest.objects.visible_to(actor)
            .filter(zone_id__in=zone_ids, person__in=active.values("person_id"))
            .values_list("person_id", "zone__name", "zone__key")
            .distinct()
            .order_by("person_id", "zone__key")
        )
        for person_id, zone_name, zone_key in arrests:
            why.setdefault(person_id, []).append(f"Arrest in zone {zone_name or zone_key}")
    cases = (
        CaseReferral.objects.visible_to(actor)
        .filter(assigned_to=actor, defendant__in=active.values("person_id"))
        .values_list("defendant_id", "case_number")
        .order_by("defendant_id", "case_number")
    )
    for person_id, case_number in cases:
        why.setdefault(person_id, []).append(f"Your case {case_number}")
    rows = [
        BriefRow(designation=d, person=d.person, why=why[d.person_id])
        for d in active.filter(person_id__in=why).order_by("expires_at", "id")
    ]
    return rows


def designation_basis_preview(*, actor: User, person: Person) -> dict:
    """What a proposal for ``person`` would rest on now: their score under the newest score
    version (``{score, version, factors}``), or ``{}`` without one."""
    config = ScoreConfig.objects.visible_to(actor).order_by("-version").first()
    if config is None:
        return {}
    score = PriorityScore.objects.visible_to(actor).filter(person=person, config=config).first()
    if score is None:
        return {}
    return {"score": score.score, "version": config.version, "factors": score.factors}
