"""Challenges: a person (usually through counsel) contests an intel record or a group membership.

The unit records the challenge as received, and a supervisor decides it. Upheld, the entry goes:
a membership is removed with the reason, an intel record is purged through the one purge path
of ``intel.intelligence``. The challenge, its outcome and the decision's reason are kept after the
entry is gone, so the unit can show what was contested and what it did; the grounds (counsel's
account of the person) go with the entry's content.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from csu import audit
from csu.models import User
from intel.intelligence.groups import REASON_MIN_CHARS, remove_membership
from intel.intelligence.records import intel_record_purge
from intel.models import Challenge, GroupMembership, IntelRecord

Outcome = Challenge.Status
DECISIONS = [Outcome.UPHELD, Outcome.DENIED, Outcome.WITHDRAWN]


@transaction.atomic
def challenge_file(
    *,
    actor: User,
    filed_by: str,
    received_at: date,
    grounds: str,
    intel_record: IntelRecord | None = None,
    membership: GroupMembership | None = None,
) -> Challenge:
    """Record a challenge as the unit received it: against exactly one intel record about a
    person, or one group membership."""
    if not actor.has_perm("intel.add_challenge"):
        raise PermissionDenied
    if (intel_record is None) == (membership is None):
        raise ValidationError("A challenge is against one intel record or one membership.")
    # Decide on the stored state, not the caller's copy: the entry may have gone meanwhile.
    if intel_record is not None:
        intel_record = IntelRecord.objects.select_for_update().get(pk=intel_record.pk)
        if intel_record.status == IntelRecord.Status.PURGED:
            raise ValidationError("This record was purged: there is nothing left to challenge.")
        if intel_record.subject_person_id is None:
            raise ValidationError("Only a record about a person can be challenged by them.")
        person_id = intel_record.subject_person_id
    else:
        assert membership is not None
        membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
        if membership.status == GroupMembership.Status.REMOVED:
            raise ValidationError("This membership was already removed.")
        person_id = membership.person_id
    if received_at and received_at > timezone.localdate():
        raise ValidationError({"received_at": "The date received cannot be in the future."})
    challenge = Challenge(
        person_id=person_id,
        intel_record=intel_record,
        membership=membership,
        filed_by=filed_by.strip(),
        received_at=received_at,
        grounds=grounds.strip(),
        recorded_by=actor,
    )
    challenge.full_clean()
    challenge.save()
    audit.audit_log(
        actor=actor, action="challenge.file", obj=challenge, target=_target_label(challenge)
    )
    return challenge


@transaction.atomic
def challenge_decide(*, actor: User, challenge: Challenge, outcome: str, reason: str) -> Challenge:
    """A supervisor's decision. Upheld: the entry is removed, the reason kept on the challenge.
    Denied: the entry stays, and the reason is required. Withdrawn: closed as the filer asked."""
    if not actor.has_perm("intel.decide_challenge"):
        raise PermissionDenied
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.status != Outcome.OPEN:
        raise ValidationError("This challenge was already decided.")
    if outcome not in DECISIONS:
        raise ValidationError({"outcome": "Choose upheld, denied or withdrawn."})
    reason = (reason or "").strip()
    if outcome != Outcome.WITHDRAWN and len(reason) < REASON_MIN_CHARS:
        raise ValidationError(
            {
                "reason": f"Give the reason for the decision in at least "
                f"{REASON_MIN_CHARS} characters."
            }
        )
    if outcome == Outcome.UPHELD:
        _remove_entry(actor=actor, challenge=challenge, reason=reason)
        challenge.removal_reason = reason
    challenge.status = outcome
    challenge.outcome_reason = reason
    challenge.decided_by, challenge.decided_at = actor, timezone.now()
    challenge.save(
        update_fields=["status", "outcome_reason", "removal_reason", "decided_by", "decided_at"]
    )
    # The reason's length, not its text: the audit table is append-only and would keep it after
    # the entry and its content are gone; the reason itself is on the challenge.
    audit.audit_log(
        actor=actor,
        action="challenge.decide",
        obj=challenge,
        outcome_of=outcome,
        reason_chars=len(reason),
        target=_target_label(challenge),
    )
    return challenge


def _remove_entry(*, actor: User, challenge: Challenge, reason: str) -> None:
    """Remove what the upheld challenge contested; already gone is fine (nothing to undo)."""
    why = f"Challenge #{challenge.pk} upheld: {reason}"
    if challenge.membership_id is not None:
        membership = GroupMembership.objects.select_for_update().get(pk=challenge.membership_id)
        if membership.status != GroupMembership.Status.REMOVED:
            remove_membership(actor=actor, membership=membership, reason=why, challenge=challenge)
        return
    assert challenge.intel_record_id is not None  # a challenge is against one of the two
    record = IntelRecord.objects.select_for_update().get(pk=challenge.intel_record_id)
    if record.status != IntelRecord.Status.PURGED:
        intel_record_purge(actor=actor, record=record, explanation=why)


def _target_label(challenge: Challenge) -> str:
    if challenge.membership_id is not None:
        return f"membership #{challenge.membership_id}"
    return f"intel record #{challenge.intel_record_id}"
