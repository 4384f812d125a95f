"""The one approval path of a predicated entry (an intelligence record or a group membership).

28 CFR 23.20 asks the same of both: a supervisor who holds the approval permission and did not
submit the entry approves it while it is pending; a hit of the protected-activity screen needs
that supervisor's attestation of how it relates directly to criminal conduct; approval starts a
review period of at most five years. What differs per kind (its permission, audit action, where
its screen hits come from, what else approval stamps) is given as ``ApprovalRules``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from csu import audit
from csu.models import User
from intel.models.predicated import REVIEW_YEARS_MAX, PredicatedEntry

ATTESTATION_MIN_CHARS = 20

E = TypeVar("E", bound=PredicatedEntry)


def check_screen_attestation(hits: list[str], attestation: str, what: str) -> str:
    """The supervisor's attestation a screen hit requires before approval (28 CFR 23.20(b)),
    for a record or a membership alike; returns it stripped."""
    attestation = (attestation or "").strip()
    if hits and len(attestation) < ATTESTATION_MIN_CHARS:
        raise ValidationError(
            {
                "screen_attestation": (
                    f"The {what} mentions {', '.join(hits)}: explain how this relates directly to "
                    "criminal conduct (28 CFR 23.20(b)) before approving."
                )
            }
        )
    return attestation


def _review_due(validated: date) -> date:
    """The last day of the review period that starts on ``validated`` (28 CFR 23.20(h))."""
    return validated.replace(year=validated.year + REVIEW_YEARS_MAX) - timedelta(days=1)


@dataclass(frozen=True)
class ApprovalRules(Generic[E]):
    """What one kind of predicated entry brings to the shared approval path."""

    permission: str  # the approval permission, "intel.approve_<model>"
    action: str  # the audit action of an approval or a refused one
    noun: str  # names the entry in "Only a <noun> pending review can be approved."
    screen_noun: str  # names what the screen read, in the attestation error
    screen_hits: Callable[[E], list[str]]
    # Extra fields approval stamps (name -> value, given the approval time).
    stamp: Callable[[datetime], dict[str, Any]] = field(default=lambda now: {})
    # Extra audit detail (given the screen hits and the attestation kept).
    audit_detail: Callable[[list[str], str], dict[str, Any]] = field(
        default=lambda hits, attestation: {}
    )


def predicated_entry_approve(
    *, actor: User, entry: E, screen_attestation: str, rules: ApprovalRules[E]
) -> E:
    """A supervisor, never the submitter, approves a pending entry; screen hits need the
    attestation. Sets the approver, the time and the review date, and audits.

    A refused attempt is audited outside the approval's transaction, so the record of it stays.
    """
    if not actor.has_perm(rules.permission) or entry.submitted_by_id == actor.pk:
        audit.audit_log(actor=actor, action=rules.action, obj=entry, outcome="denied")
        raise PermissionDenied
    return _approve(actor=actor, entry=entry, screen_attestation=screen_attestation, rules=rules)


@transaction.atomic
def _approve(*, actor: User, entry: E, screen_attestation: str, rules: ApprovalRules[E]) -> E:
    # Locked and re-read: the submitter check and the status are decided on the stored row, so
    # two approvals at once cannot both pass.
    entry = type(entry)._default_manager.select_for_update().get(pk=entry.pk)
    if entry.submitted_by_id == actor.pk:
        raise PermissionDenied
    if entry.status != PredicatedEntry.PENDING:
        raise ValidationError(f"Only a {rules.noun} pending review can be approved.")
    hits = rules.screen_hits(entry)
    attestation = check_screen_attestation(hits, screen_attestation, rules.screen_noun)
    now = timezone.now()
    values: dict[str, Any] = {
        "status": PredicatedEntry.APPROVED,
        "approved_by": actor,
        "approved_at": now,
        "review_due": _review_due(timezone.localdate(now)),
        "screen_attestation": attestation,
        **rules.stamp(now),
    }
    for name, value in values.items():
        setattr(entry, name, value)
    # ``updated_at`` (where the model has one) is stamped by ``auto_now`` only when listed.
    auto = [f.name for f in entry._meta.concrete_fields if getattr(f, "auto_now", False)]
    entry.save(update_fields=[*values, *auto])
    audit.audit_log(
        actor=actor, action=rules.action, obj=entry, **rules.audit_detail(hits, attestation)
    )
    return entry
