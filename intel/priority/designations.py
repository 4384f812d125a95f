"""The designation workflow: propose, decide, renew, challenge, remove, expire.

An analyst or a prosecutor proposes a person with a reason of at least 20 characters; the basis
is the person's score under the newest score version, snapshotted. A supervisor who is not the
proposer approves or rejects (the database refuses self-approval too:
``intel_designation_not_self_approved``). An approved designation expires twelve calendar months
after approval, unless renewed with a fresh justification by a supervisor who did not ask for
the renewal (``intel_designation_renewal_not_self``). Challenges and removals are kept with
their reasons in ``DesignationEvent``, the append-only history.

Each write is one transaction: the row, its event and its audit entry. Audit details carry ids
and lengths, never the reasons' words (the trail outlives the designation).
"""

from __future__ import annotations

import logging
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from csu import audit
from csu.actors import system_actor
from csu.exceptions import ApplicationError
from csu.models import User
from intel.models import (
    DesignationEvent,
    Person,
    PriorityDesignation,
    PriorityScore,
    ScoreConfig,
)

logger = logging.getLogger(__name__)

REASON_MIN_CHARS = 20
DESIGNATION_MONTHS = 12
EXPIRING_SOON_DAYS = 30
PROPOSE = "intel.add_prioritydesignation"
CHANGE = "intel.change_prioritydesignation"  # renewal requests and challenges
DECIDE = "intel.decide_prioritydesignation"

Status = PriorityDesignation.Status
Kind = DesignationEvent.Kind
OPEN = (Status.PROPOSED, Status.ACTIVE)


def designation_expiry(start: datetime) -> datetime:
    """Twelve calendar months after ``start`` (approval or renewal)."""
    return start + relativedelta(months=DESIGNATION_MONTHS)


def renewal_pending(designation: PriorityDesignation) -> bool:
    """A renewal was asked for and neither granted nor refused yet."""
    requested = designation.renewal_requested_at
    return requested is not None and (
        designation.renewed_at is None or designation.renewed_at < requested
    )


def open_challenge(events: list[DesignationEvent]) -> DesignationEvent | None:
    """The latest challenge not yet decided, from the designation's history (oldest first)."""
    current: DesignationEvent | None = None
    for event in events:
        if event.kind == Kind.CHALLENGED:
            current = event
        elif event.kind in (Kind.CHALLENGE_UPHELD, Kind.CHALLENGE_DENIED):
            current = None
    return current


def designation_actions(
    *, actor: User, designation: PriorityDesignation, challenge_open: bool
) -> frozenset[str]:
    """What ``actor`` may do to the designation now: the page offers exactly these, the
    services check the same rules."""
    actions: set[str] = set()
    status = designation.status
    decides = actor.has_perm(DECIDE)
    if status == Status.PROPOSED and decides and designation.proposed_by_id != actor.pk:
        actions |= {"approve", "reject"}
    if status == Status.ACTIVE:
        pending = renewal_pending(designation)
        if actor.has_perm(CHANGE) and not pending:
            actions.add("renewal_request")
        if decides and pending and designation.renewal_requested_by_id != actor.pk:
            actions.add("renew")
        if decides and pending:
            actions.add("renewal_refuse")
        if decides:
            actions.add("remove")
    if status in OPEN:
        if actor.has_perm(CHANGE) and not challenge_open:
            actions.add("challenge_record")
        if decides and challenge_open:
            actions.add("challenge_decide")
    return frozenset(actions)


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied


def _text(value: str, *, field: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) < REASON_MIN_CHARS:
        raise ValidationError({field: f"Give {what} in at least {REASON_MIN_CHARS} characters."})
    return value


def _locked(designation: PriorityDesignation) -> PriorityDesignation:
    """The stored row, locked: every rule is decided on it, so two decisions at once cannot
    both pass."""
    return PriorityDesignation.objects.select_for_update().get(pk=designation.pk)


def _event(
    designation: PriorityDesignation,
    kind: str,
    *,
    actor: User,
    at: datetime,
    reason: str = "",
    filed_by: str = "",
) -> DesignationEvent:
    return DesignationEvent.objects.create(
        designation=designation, kind=kind, actor=actor, at=at, reason=reason, filed_by=filed_by
    )


def _basis(person: Person) -> dict:
    """The person's score under the newest score version, or ``{}`` when there is none."""
    config = ScoreConfig.objects.order_by("-version").first()
    if config is None:
        return {}
    score = PriorityScore.objects.filter(person=person, config=config).first()
    if score is None:
        return {}
    return {"score": score.score, "version": config.version, "factors": score.factors}


@transaction.atomic
def designation_propose(*, actor: User, person: Person, reason: str) -> PriorityDesignation:
    """Propose ``person`` for designation; it counts only once a supervisor approves it.

    Refused when the person already has a proposed or active designation, or was merged into
    another person. The basis is the person's current score, snapshotted."""
    _require(actor, PROPOSE)
    reason = _text(reason, field="reason", what="the reason for the designation")
    if person.merged_into_id is not None:
        raise ApplicationError(
            f"Person #{person.pk} was merged into person #{person.merged_into_id}: "
            "propose that person instead."
        )
    if PriorityDesignation.objects.filter(person=person, status__in=OPEN).exists():
        raise ApplicationError(
            f"{person} already has a proposed or active designation: open it instead."
        )
    now = timezone.now()
    designation = PriorityDesignation(
        person=person,
        reason=reason,
        basis=_basis(person),
        proposed_by=actor,
        proposed_at=now,
    )
    try:
        with transaction.atomic():
            designation.save()
    except IntegrityError:
        # The one-open-designation constraint: another proposal landed first.
        raise ApplicationError(
            f"{person} already has a proposed or active designation: open it instead."
        ) from None
    _event(designation, Kind.PROPOSED, actor=actor, at=now, reason=reason)
    audit.audit_log(
        actor=actor,
        action="designation.propose",
        obj=designation,
        person=person.pk,
        basis_version=designation.basis.get("version"),
        reason_chars=len(reason),
    )
    return designation


def _decidable(actor: User, designation: PriorityDesignation) -> PriorityDesignation:
    _require(actor, DECIDE)
    designation = _locked(designation)
    if designation.proposed_by_id == actor.pk:
        raise ApplicationError("You proposed this designation: another supervisor must decide it.")
    if designation.status != Status.PROPOSED:
        raise ApplicationError(
            f"Only a proposed designation can be decided; this one is "
            f"{designation.get_status_display().lower()}."
        )
    return designation


@transaction.atomic
def designation_approve(
    *, actor: User, designation: PriorityDesignation, reason: str = ""
) -> PriorityDesignation:
    """A supervisor who did not propose it approves: the designation is active for twelve
    calendar months."""
    designation = _decidable(actor, designation)
    now = timezone.now()
    reason = (reason or "").strip()
    designation.status = Status.ACTIVE
    designation.decided_by = actor
    designation.decided_at = now
    designation.decision_reason = reason
    designation.approved_at = now
    designation.expires_at = designation_expiry(now)
    designation.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "approved_at",
            "expires_at",
        ]
    )
    _event(designation, Kind.APPROVED, actor=actor, at=now, reason=reason)
    audit.audit_log(
        actor=actor,
        action="designation.approve",
        obj=designation,
        expires_at=designation.expires_at.isoformat(),
    )
    return designation


@transaction.atomic
def designation_reject(
    *, actor: User, designation: PriorityDesignation, reason: str
) -> PriorityDesignation:
    """A supervisor who did not propose it turns the proposal down, with a reason."""
    reason = _text(reason, field="reason", what="the reason for rejecting")
    designation = _decidable(actor, designation)
    now = timezone.now()
    designation.status = Status.REJECTED
    designation.decided_by = actor
    designation.decided_at = now
    designation.decision_reason = reason
    designation.ended_at = now
    designation.ended_reason = reason
    designation.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "ended_at",
            "ended_reason",
        ]
    )
    _event(designation, Kind.REJECTED, actor=actor, at=now, reason=reason)
    audit.audit_log(
        actor=actor, action="designation.reject", obj=designation, reason_chars=len(reason)
    )
    return designation


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _active(designation: PriorityDesignation, what: str) -> None:
    if designation.status != Status.ACTIVE:
        raise ApplicationError(
            f"Only an active designation can {what}; this one is "
            f"{designation.get_status_display().lower()}."
        )


@transaction.atomic
def designation_renewal_request(
    *, actor: User, designation: PriorityDesignation, reason: str
) -> PriorityDesignation:
    """Ask for another twelve months, with a fresh justification: not the original reason nor
    any earlier renewal's, word for word. Another supervisor grants or refuses it."""
    _require(actor, CHANGE)
    reason = _text(reason, field="reason", what="a fresh justification")
    designation = _locked(designation)
    _active(designation, "be renewed")
    if renewal_pending(designation):
        raise ApplicationError("A renewal is already awaiting a supervisor.")
    earlier = [designation.reason]
    earlier += DesignationEvent.objects.filter(
        designation=designation, kind=Kind.RENEWAL_REQUESTED
    ).values_list("reason", flat=True)
    if _normalised(reason) in {_normalised(e) for e in earlier}:
        raise ValidationError(
            {
                "reason": "A renewal needs a fresh justification: this repeats the original "
                "reason or an earlier renewal's. Say what has happened since."
            }
        )
    now = timezone.now()
    designation.renewal_reason = reason
    designation.renewal_requested_by = actor
    designation.renewal_requested_at = now
    # The previous renewal's approver is in the history; cleared here so that the approver of
    # this request is checked against this request's author alone.
    designation.renewed_by = None
    designation.renewed_at = None
    designation.save(
        update_fields=[
            "renewal_reason",
            "renewal_requested_by",
            "renewal_requested_at",
            "renewed_by",
            "renewed_at",
        ]
    )
    _event(designation, Kind.RENEWAL_REQUESTED, actor=actor, at=now, reason=reason)
    audit.audit_log(
        actor=actor,
        action="designation.renewal_request",
        obj=designation,
        reason_chars=len(reason),
    )
    return designation


def _pending_renewal(actor: User, designation: PriorityDesignation) -> PriorityDesignation:
    _require(actor, DECIDE)
    designation = _locked(designation)
    _active(designation, "be renewed")
    if not renewal_pending(designation):
        raise ApplicationError("No renewal is awaiting a decision.")
    return designation


@transaction.atomic
def designation_renew(*, actor: User, designation: PriorityDesignation) -> PriorityDesignation:
    """A supervisor who did not ask for the renewal grants it: twelve months from now."""
    designation = _pending_renewal(actor, designation)
    if designation.renewal_requested_by_id == actor.pk:
        raise ApplicationError("You asked for this renewal: another supervisor must grant it.")
    now = timezone.now()
    designation.renewed_by = actor
    designation.renewed_at = now
    designation.expires_at = designation_expiry(now)
    designation.save(update_fields=["renewed_by", "renewed_at", "expires_at"])
    _event(designation, Kind.RENEWED, actor=actor, at=now, reason=designation.renewal_reason)
    audit.audit_log(
        actor=actor,
        action="designation.renew",
        obj=designation,
        expires_at=designation.expires_at.isoformat(),
    )
    return designation


@transaction.atomic
def designation_renewal_refuse(
    *, actor: User, designation: PriorityDesignation, reason: str
) -> PriorityDesignation:
    """A supervisor refuses the renewal; the designation still expires on its date."""
    reason = _text(reason, field="reason", what="the reason for refusing")
    designation = _pending_renewal(actor, designation)
    now = timezone.now()
    designation.renewal_requested_at = None  # no longer pending; the request is in the history
    designation.save(update_fields=["renewal_requested_at"])
    _event(designation, Kind.RENEWAL_REFUSED, actor=actor, at=now, reason=reason)
    audit.audit_log(
        actor=actor,
        action="designation.renewal_refuse",
        obj=designation,
        reason_chars=len(reason),
    )
    return designation


def _history(designation: PriorityDesignation) -> list[DesignationEvent]:
    return list(DesignationEvent.objects.filter(designation=designation).order_by("at", "id"))


@transaction.atomic
def designation_challenge_record(
    *, actor: User, designation: PriorityDesignation, filed_by: str, grounds: str
) -> DesignationEvent:
    """Record a challenge from the person or their counsel; a supervisor decides it."""
    _require(actor, CHANGE)
    filed_by = (filed_by or "").strip()
    if not filed_by:
        raise ValidationError({"filed_by": "Say who filed the challenge (counsel or the person)."})
    grounds = _text(grounds, field="grounds", what="the grounds of the challenge")
    designation = _locked(designation)
    if designation.status not in OPEN:
        raise ApplicationError("Only a proposed or active designation can be challenged.")
    if open_challenge(_history(designation)) is not None:
        raise ApplicationError("A challenge to this designation is already awaiting a decision.")
    event = _event(
        designation,
        Kind.CHALLENGED,
        actor=actor,
        at=timezone.now(),
        reason=grounds,
        filed_by=filed_by[:200],
    )
    audit.audit_log(
        actor=actor,
        action="designation.challenge_record",
        obj=designation,
        grounds_chars=len(grounds),
    )
    return event


@transaction.atomic
def designation_challenge_decide(
    *, actor: User, designation: PriorityDesignation, upheld: bool, reason: str
) -> PriorityDesignation:
    """A supervisor decides the open challenge, with a reason: upheld, the designation is
    removed with that reason; denied, it stands."""
    _require(actor, DECIDE)
    reason = _text(reason, field="reason", what="the reason for the decision")
    designation = _locked(designation)
    if open_challenge(_history(designation)) is None:
        raise ApplicationError("No challenge to this designation is awaiting a decision.")
    now = timezone.now()
    if upheld:
        _end(designation, Status.REMOVED, at=now, reason=reason)
    _event(
        designation,
        Kind.CHALLENGE_UPHELD if upheld else Kind.CHALLENGE_DENIED,
        actor=actor,
        at=now,
        reason=reason,
    )
    audit.audit_log(
        actor=actor,
        action="designation.challenge_decide",
        obj=designation,
        upheld=upheld,
        reason_chars=len(reason),
    )
    return designation


def _end(designation: PriorityDesignation, status: str, *, at: datetime, reason: str) -> None:
    designation.status = status
    designation.ended_at = at
    designation.ended_reason = reason
    designation.save(update_fields=["status", "ended_at", "ended_reason"])


@transaction.atomic
def designation_remove(
    *, actor: User, designation: PriorityDesignation, reason: str
) -> PriorityDesignation:
    """A supervisor takes an active designation off the list, with a reason that is kept."""
    _require(actor, DECIDE)
    reason = _text(reason, field="reason", what="the reason for removal")
    designation = _locked(designation)
    _active(designation, "be removed")
    now = timezone.now()
    _end(designation, Status.REMOVED, at=now, reason=reason)
    _event(designation, Kind.REMOVED, actor=actor, at=now, reason=reason)
    audit.audit_log(
        actor=actor, action="designation.remove", obj=designation, reason_chars=len(reason)
    )
    return designation


EXPIRED_REASON = "Twelve months passed since approval or the last renewal."


@transaction.atomic
def designations_expire(*, now: datetime | None = None) -> int:
    """Every active designation whose date has come expires, by the system actor. Selected by
    predicate, so a second run changes nothing. Run daily by beat
    (``designations-expire``)."""
    now = now or timezone.now()
    actor = system_actor()
    due = PriorityDesignation.objects.select_for_update().filter(
        status=Status.ACTIVE, expires_at__lte=now
    )
    count = 0
    for designation in due:
        # It ended on its date; the event says when the system noticed.
        assert designation.expires_at is not None
        _end(designation, Status.EXPIRED, at=designation.expires_at, reason=EXPIRED_REASON)
        _event(designation, Kind.EXPIRED, actor=actor, at=now, reason=EXPIRED_REASON)
        audit.audit_log(
            actor=actor,
            action="designation.expire",
            obj=designation,
            component="designations_expire",
        )
        count += 1
    audit.audit_log(
        actor=actor, action="retention.run", component="designations_expire", expired=count
    )
    logger.info("designations_expire: expired=%d", count)
    return count
