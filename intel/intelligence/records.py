"""A record's life under 28 CFR Part 23: create, submit, approve, revalidate, purge.

R1 predicate required · R2 approval by a supervisor who is not the submitter · R3 screen for
political, religious or social content, forcing a supervisor attestation · R4 lawful-source
attestation · R9 review within five years or purge (content destroyed, a tombstone and the
audit trail kept).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from csu import audit
from csu.models import User

# The attestation rule and the review period live with the one approval path; re-exported
# here, where callers found them before.
from intel.intelligence.approval import ATTESTATION_MIN_CHARS as ATTESTATION_MIN_CHARS
from intel.intelligence.approval import ApprovalRules, _review_due, predicated_entry_approve
from intel.intelligence.approval import check_screen_attestation as check_screen_attestation
from intel.intelligence.identifiers import IdentifierInput, add_identifier
from intel.models import Agency, Challenge, IntelIdentifier, IntelRecord, Person, ReviewDecision
from intel.models.intelligence import PREDICATE_MIN_CHARS

logger = logging.getLogger(__name__)
PURGED_TEXT = "(purged with the record)"

# Terms that suggest political, religious or social views, associations or activities
# (28 CFR 23.20(b)). A hit does not block a record: it requires the approving supervisor to
# attest how the content relates directly to criminal conduct.
# Words with an everyday criminal-justice sense ("march" the month, "party", "strike") are left
# out or only matched as phrases, so the screen stays worth reading.
SCREEN_TERMS = [
    "church", "mosque", "synagogue", "temple", "religion", "religious", "pastor", "imam", "rabbi",
    "protest", "protester", "protesters", "demonstration", "demonstrators", "rally", "activist",
    "activists", "political", "politics", "election", "political party", "labor union",
    "trade union", "petition", "advocacy", "boycott", "vigil", "congregation", "worship",
]  # fmt: skip
_SCREEN = re.compile(
    r"\b(" + "|".join(sorted((re.escape(t) for t in SCREEN_TERMS), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
UNLAWFUL = "Only information obtained lawfully may be stored (28 CFR 23.20(d))."


def screen_text(*texts: str) -> list[str]:
    """The screen terms found, lower-cased, in order of first appearance."""
    found: list[str] = []
    for text in texts:
        for match in _SCREEN.finditer(text or ""):
            term = match.group(1).lower()
            if term not in found:
                found.append(term)
    return found


@transaction.atomic
def intel_record_create(
    *,
    actor: User,
    subject_kind: str,
    narrative: str,
    predicate_category: str,
    predicate_narrative: str,
    source_type: str,
    source_reliability: str,
    content_validity: str,
    sensitivity: str,
    submitting_agency: Agency,
    lawfully_obtained: bool,
    subject_person: Person | None = None,
    subject_name: str = "",
    identifiers: Sequence[IdentifierInput] = (),
) -> IntelRecord:
    """A draft record. Refused without a predicate, labels or the lawful-source attestation.

    ``identifiers`` are non-criminal identifying information (R10), added with the record.
    """
    if not actor.has_perm("intel.add_intelrecord"):
        raise PermissionDenied
    if not lawfully_obtained:
        raise ValidationError({"lawfully_obtained": UNLAWFUL})
    if subject_kind == IntelRecord.SubjectKind.PERSON and subject_person is None:
        raise ValidationError({"subject_person": "Name the person the record is about."})
    if subject_kind != IntelRecord.SubjectKind.PERSON and not subject_name.strip():
        raise ValidationError({"subject_name": "Name the group or location."})
    record = IntelRecord(
        subject_kind=subject_kind,
        subject_person=subject_person,
        subject_name=subject_name,
        narrative=narrative,
        predicate_category=predicate_category,
        predicate_narrative=predicate_narrative,
        source_type=source_type,
        source_reliability=source_reliability,
        content_validity=content_validity,
        sensitivity=sensitivity,
        submitting_agency=submitting_agency,
        lawfully_obtained=True,
        submitted_by=actor,
        screen_hits=screen_text(narrative, predicate_narrative, subject_name),
    )
    if len((predicate_narrative or "").strip()) < PREDICATE_MIN_CHARS:
        raise ValidationError(
            {
                "predicate_narrative": (
                    f"State the reasonable suspicion of criminal activity in at least "
                    f"{PREDICATE_MIN_CHARS} characters (28 CFR 23.20(a))."
                )
            }
        )
    record.full_clean()
    record.save()
    for identifier in identifiers:
        add_identifier(record=record, identifier=identifier)
    audit.audit_log(
        actor=actor,
        action="intel.create",
        obj=record,
        screen_hits=record.screen_hits,
        identifiers=len(identifiers),
    )
    return record


@transaction.atomic
def intel_record_submit(*, actor: User, record: IntelRecord) -> IntelRecord:
    """The submitter sends their draft to supervisor review."""
    if record.submitted_by_id != actor.pk or record.status != IntelRecord.Status.DRAFT:
        raise PermissionDenied
    record.status = IntelRecord.Status.PENDING
    record.save(update_fields=["status", "updated_at"])
    audit.audit_log(actor=actor, action="intel.submit", obj=record)
    return record


def _validated(now: datetime) -> dict[str, Any]:
    return {"validated_at": now}  # approval is the record's first validation


# A record's screen hits are stored at submission (its narrative can be edited while a draft).
APPROVAL = ApprovalRules[IntelRecord](
    permission="intel.approve_intelrecord",
    action="intel.approve",
    noun="record",
    screen_noun="record",
    screen_hits=lambda record: record.screen_hits,
    stamp=_validated,
)


def intel_record_approve(
    *, actor: User, record: IntelRecord, screen_attestation: str = ""
) -> IntelRecord:
    """A supervisor, never the submitter, approves; screen hits need the attestation. The one
    approval path of predicated entries (``approval.py``), which also validates it now."""
    return predicated_entry_approve(
        actor=actor, entry=record, screen_attestation=screen_attestation, rules=APPROVAL
    )


@transaction.atomic
def intel_record_revalidate(*, actor: User, record: IntelRecord, explanation: str) -> IntelRecord:
    """Review an approved record: it stays for at most five more years."""
    if not actor.has_perm("intel.approve_intelrecord"):
        raise PermissionDenied
    decision = ReviewDecision(
        record=record,
        reviewer=actor,
        explanation=explanation,
        decision=ReviewDecision.Decision.REVALIDATED,
    )
    decision.full_clean()
    if record.status != IntelRecord.Status.APPROVED:
        raise ValidationError("Only an approved record can be revalidated.")
    decision.save()
    now = timezone.now()
    record.validated_at, record.review_due = now, _review_due(timezone.localdate(now))
    record.save(update_fields=["validated_at", "review_due", "updated_at"])
    audit.audit_log(actor=actor, action="intel.revalidate", obj=record)
    return record


def _destroy_content(record: IntelRecord) -> None:
    record.status = IntelRecord.Status.PURGED
    record.narrative = record.predicate_narrative = record.screen_attestation = ""
    record.subject_name, record.subject_person, record.screen_hits = "", None, []
    record.save()
    # Earlier reviewers' reasons may describe the subject too; the decisions themselves stay.
    ReviewDecision.objects.filter(record=record).update(explanation=PURGED_TEXT)
    # So may a challenge's grounds (counsel's account of the subject): the challenge, its dates,
    # filer and outcome stay, so the unit can still show what was contested and what it did.
    Challenge.objects.filter(intel_record=record).update(grounds=PURGED_TEXT)
    # Identifying information about third parties goes with the content it identified.
    IntelIdentifier.objects.filter(record=record).delete()


@transaction.atomic
def intel_record_purge(*, actor: User, record: IntelRecord, explanation: str) -> IntelRecord:
    """A supervisor's decision to purge a record now (no longer valid, challenge upheld...).

    The content is destroyed as at expiry; the decision and its explanation are kept, so the
    explanation must not repeat the content.
    """
    if not actor.has_perm("intel.approve_intelrecord"):
        raise PermissionDenied
    record = IntelRecord.objects.select_for_update().get(pk=record.pk)
    if record.status == IntelRecord.Status.PURGED:
        raise ValidationError("This record is already purged.")
    decision = ReviewDecision(
        record=record,
        reviewer=actor,
        explanation=explanation.strip(),
        decision=ReviewDecision.Decision.PURGED,
    )
    decision.full_clean()
    _destroy_content(record)
    decision.save()  # after the clearing above: this explanation is the one kept
    # Lengths, not text: the audit table is append-only and would keep the words forever.
    audit.audit_log(
        actor=actor,
        action="intel.purge",
        obj=record,
        decision=decision.pk,
        explanation_chars=len(decision.explanation),
    )
    return record


@transaction.atomic
def intel_records_purge_expired(*, actor: User, today: date | None = None) -> int:
    """Destroy the content of every record past its review date and not revalidated (selected
    by predicate, so a second run changes nothing). The row stays as a tombstone for the
    dissemination log. Run daily by beat as the system actor."""
    today = today or timezone.localdate()
    expired = IntelRecord.objects.select_for_update().filter(
        status=IntelRecord.Status.APPROVED, review_due__lt=today
    )
    count = 0
    for record in expired:
        _destroy_content(record)
        audit.audit_log(
            actor=actor,
            action="intel.purge",
            obj=record,
            component="intel_records_purge_expired",
            reason="review date passed",
        )
        count += 1
    audit.audit_log(
        actor=actor,
        action="retention.run",
        component="intel_records_purge_expired",
        purged=count,
    )
    logger.info("retention intel_records_purge_expired: purged=%d", count)
    return count
