"""Groups (crews, gangs) and memberships held to the same rules as intelligence records.

A membership says "this person belongs to this group", which is criminal intelligence in all but
name, so it follows the 28 CFR Part 23 workflow of ``intel.intelligence``: a criminal predicate
and a lawful-source attestation at entry, the protected-activity screen, approval by a supervisor
who did not submit it, a review date at most five years out, and removal with a reason that is
kept. Only approved memberships count as membership anywhere else (person page, network).
"""

from __future__ import annotations

import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from csu import audit
from csu.actors import is_system
from csu.models import User
from intel.choices import OffenseCategory
from intel.intelligence.approval import ApprovalRules, predicated_entry_approve
from intel.intelligence.records import UNLAWFUL, screen_text
from intel.models import Challenge, Group, GroupMembership, IntelRecord, Person
from intel.models.intelligence import PREDICATE_MIN_CHARS

REASON_MIN_CHARS = 20
Status = GroupMembership.Status
RemovalCategory = GroupMembership.RemovalCategory
REMOVED_TEXT = "(cleared when the membership was removed)"
logger = logging.getLogger(__name__)


@transaction.atomic
def group_create(
    *, actor: User, name: str, kind: str, description: str = "", parent: Group | None = None
) -> Group:
    """A group the unit tracks. Creating one says nothing about anyone's membership."""
    if not actor.has_perm("intel.add_group"):
        raise PermissionDenied
    group = Group(
        name=name.strip(),
        kind=kind,
        description=description.strip(),
        parent=parent,
        created_by=actor,
    )
    group.full_clean()
    group.save()
    audit.audit_log(actor=actor, action="group.create", obj=group)
    return group


def _check_predicate(
    *, predicate_category: str, predicate_narrative: str, source_type: str, lawfully_obtained: bool
) -> None:
    errors: dict[str, str] = {}
    if not lawfully_obtained:
        errors["lawfully_obtained"] = UNLAWFUL
    if predicate_category not in OffenseCategory.values:
        errors["predicate_category"] = "Choose the criminal activity the person is suspected of."
    if len((predicate_narrative or "").strip()) < PREDICATE_MIN_CHARS:
        errors["predicate_narrative"] = (
            f"State the reasonable suspicion of criminal activity in at least "
            f"{PREDICATE_MIN_CHARS} characters (28 CFR 23.20(a))."
        )
    if source_type not in IntelRecord.SourceType.values:
        errors["source_type"] = "Say where the information came from."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def membership_submit(
    *,
    actor: User,
    group: Group,
    person: Person,
    level: str,
    predicate_category: str,
    predicate_narrative: str,
    source_type: str,
    lawfully_obtained: bool,
) -> GroupMembership:
    """Propose that a person belongs to a group; it counts only once a supervisor approves it.

    Refused, with nothing saved, without a predicate category, a reasonable-suspicion statement
    of at least 40 characters, a source type and the lawful-source attestation.
    """
    if not actor.has_perm("intel.add_groupmembership"):
        raise PermissionDenied
    _check_predicate(
        predicate_category=predicate_category,
        predicate_narrative=predicate_narrative,
        source_type=source_type,
        lawfully_obtained=lawfully_obtained,
    )
    if person.merged_into_id is not None:
        raise ValidationError(
            {
                "person": f"This person was merged into person "
                f"#{person.merged_into_id}: choose that person."
            }
        )
    if level not in GroupMembership.Level.values:
        raise ValidationError({"level": "Choose confirmed member, associate or suspected."})
    membership = GroupMembership(
        group=group,
        person=person,
        level=level,
        predicate_category=predicate_category,
        predicate_narrative=predicate_narrative.strip(),
        source_type=source_type,
        lawfully_obtained=True,
        submitted_by=actor,
    )
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        # The one-current-membership constraint: a pending or approved one already exists.
        raise ValidationError(
            {"person": f"{person} already has a pending or approved membership in {group}."}
        ) from None
    audit.audit_log(
        actor=actor,
        action="membership.submit",
        obj=membership,
        screen_hits=membership_screen_hits(membership),
    )
    return membership


def membership_screen_hits(membership: GroupMembership) -> list[str]:
    """Political, religious or social terms in the predicate (28 CFR 23.20(b)).

    Computed from the narrative, which never changes after submission, so it need not be stored.
    """
    return screen_text(membership.predicate_narrative)


APPROVAL = ApprovalRules[GroupMembership](
    permission="intel.approve_groupmembership",
    action="membership.approve",
    noun="membership",
    screen_noun="predicate",
    screen_hits=membership_screen_hits,
    # The attestation lives on the membership, which removal clears; in the append-only audit
    # detail it would outlive the removal, so only its length goes there.
    audit_detail=lambda hits, attestation: {
        "screen_hits": hits,
        "attestation_chars": len(attestation),
    },
)


def membership_approve(
    *, actor: User, membership: GroupMembership, screen_attestation: str = ""
) -> GroupMembership:
    """A supervisor, never the submitter, approves; screen hits need the attestation. The one
    approval path of predicated entries (``approval.py``)."""
    return predicated_entry_approve(
        actor=actor, entry=membership, screen_attestation=screen_attestation, rules=APPROVAL
    )


@transaction.atomic
def membership_remove(*, actor: User, membership: GroupMembership, reason: str) -> GroupMembership:
    """Take a person out of a group (or turn down a pending proposal). The supervisor's reason
    is kept with the row as the record of the decision (like a challenge's outcome reason); the
    predicate and attestation go. It no longer counts as membership anywhere."""
    if not actor.has_perm("intel.approve_groupmembership"):
        raise PermissionDenied
    return remove_membership(actor=actor, membership=membership, reason=reason)


def remove_membership(
    *, actor: User, membership: GroupMembership, reason: str, challenge: Challenge | None = None
) -> GroupMembership:
    """The removal itself, shared by ``membership_remove`` and an upheld challenge: callers
    check their own permission and hold the transaction."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_CHARS:
        raise ValidationError(
            {"reason": f"Give the reason for removal in at least {REASON_MIN_CHARS} characters."}
        )
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == Status.REMOVED:
        raise ValidationError("This membership was already removed.")
    category = RemovalCategory.CHALLENGE_UPHELD if challenge else RemovalCategory.NO_LONGER_VALID
    _clear(
        membership,
        actor=actor,
        category=category,
        challenge=challenge,
        reason="" if challenge else reason,
    )
    # Lengths and ids, not text: the audit table is append-only and would keep the words.
    audit.audit_log(
        actor=actor,
        action="membership.remove",
        obj=membership,
        category=category,
        reason_chars=len(reason),
        challenge=challenge.pk if challenge else None,
    )
    return membership


def _clear(
    membership: GroupMembership,
    *,
    actor: User,
    category: str,
    challenge: Challenge | None = None,
    reason: str = "",
) -> None:
    """Remove a membership and destroy its content (28 CFR 23.20(h)): the predicate, the
    attestation and the grounds of challenges against it. Ids, dates, who removed it, the
    category and a supervisor's reason stay, so the removal can still be shown and counted."""
    membership.status = Status.REMOVED
    membership.removed_at = timezone.now()
    membership.removed_by = None if is_system(actor) else actor  # empty: the system removed it
    membership.removal_category = category
    membership.removal_reason = reason or RemovalCategory(category).label + (
        f" (challenge #{challenge.pk})" if challenge else ""
    )
    membership.predicate_narrative = membership.screen_attestation = ""
    membership.save(
        update_fields=[
            "status",
            "removed_at",
            "removed_by",
            "removal_category",
            "removal_reason",
            "predicate_narrative",
            "screen_attestation",
        ]
    )
    Challenge.objects.filter(membership=membership).update(grounds=REMOVED_TEXT)


@transaction.atomic
def memberships_remove_lapsed(*, actor: User, today: date | None = None) -> int:
    """Remove every approved membership past its review date (28 CFR 23.20(h): reviewed within
    five years or purged), clearing its content as any removal does. Selected by predicate, so
    a second run changes nothing. Run daily by beat as the system actor."""
    today = today or timezone.localdate()
    lapsed = GroupMembership.objects.select_for_update().filter(
        status=Status.APPROVED, review_due__lt=today
    )
    count = 0
    for membership in lapsed:
        _clear(membership, actor=actor, category=RemovalCategory.REVIEW_LAPSED)
        audit.audit_log(
            actor=actor,
            action="membership.remove",
            obj=membership,
            component="memberships_remove_lapsed",
            category=RemovalCategory.REVIEW_LAPSED,
        )
        count += 1
    audit.audit_log(
        actor=actor,
        action="retention.run",
        component="memberships_remove_lapsed",
        removed=count,
    )
    logger.info("retention memberships_remove_lapsed: removed=%d", count)
    return count
