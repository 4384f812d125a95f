"""Intelligence leaving the unit: who may receive it, the log of it, and its labels.

R6 only law-enforcement agencies with an information-sharing agreement on file receive it,
except in an imminent danger, which needs a justification and tells every supervisor ·
R7 every dissemination (share or export) writes its ``DisseminationLog`` row in the same
transaction · R8 every record carries four labels (``labels.py``), on screen and in every export.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from csu import audit
from csu.exports import csv_bytes
from csu.models import User
from intel.intelligence.labels import LABEL_NAMES, person_name, record_labels
from intel.intelligence.selectors import intel_record_search
from intel.models import Agency, DisseminationLog, IntelRecord

CAVEAT = (
    "Criminal intelligence under 28 CFR Part 23 — need-to-know only; do not disseminate "
    "without logging"
)
RULE_R6 = (
    "Intelligence goes outside the unit only to law-enforcement agencies with an "
    "information-sharing agreement on file (28 CFR 23.20(e), (f)(1))."
)
JUSTIFICATION_MIN_CHARS = 20


def may_receive(agency: Agency) -> bool:
    """Whether an agency may receive intelligence without the imminent-danger exception."""
    return agency.is_law_enforcement and agency.agreement_signed_at is not None


def _check_recipient(
    *, recipient: str, recipient_agency: Agency, reason: str, emergency: bool, justification: str
) -> None:
    errors: dict[str, str] = {}
    if not recipient.strip():
        errors["recipient"] = "Name the person who receives the intelligence."
    if len(reason.strip()) < 10:
        errors["reason"] = "State the recipient's need to know and right to know."
    if emergency and len(justification.strip()) < JUSTIFICATION_MIN_CHARS:
        errors["emergency_justification"] = (
            f"Describe the imminent danger to life or property in at least "
            f"{JUSTIFICATION_MIN_CHARS} characters (28 CFR 23.20(f)(2))."
        )
    if not emergency and not may_receive(recipient_agency):
        errors["recipient_agency"] = RULE_R6
    if errors:
        raise ValidationError(errors)


def _log(
    *,
    actor: User,
    record: IntelRecord,
    recipient: str,
    recipient_agency: Agency,
    reason: str,
    channel: str,
    emergency: bool,
    justification: str,
) -> DisseminationLog:
    log = DisseminationLog(
        record=record,
        recipient=recipient.strip(),
        recipient_agency=recipient_agency,
        reason=reason.strip(),
        disseminated_by=actor,
        channel=channel,
        emergency=emergency,
        emergency_justification=justification.strip() if emergency else "",
    )
    log.full_clean()
    log.save()
    return log


def _notify_supervisors(
    *,
    actor: User,
    records: list[IntelRecord],
    recipient: str,
    recipient_agency: Agency,
    justification: str,
    channel: str,
) -> None:
    """One e-mail to every active supervisor per emergency disclosure, sent after commit.

    It names the records, not their content: e-mail is not where intelligence is kept.
    """
    supervisors = (
        get_user_model()
        .objects.with_perm(
            "intel.approve_intelrecord",
            backend="django.contrib.auth.backends.ModelBackend",
            include_superusers=False,
        )
        .exclude(email="")
        .order_by("pk")
    )
    to = list(supervisors.values_list("email", flat=True))
    if not to:
        audit.audit_log(
            actor=actor,
            action="intel.emergency_notify",
            outcome="failure",
            reason="no active supervisor has an e-mail address",
        )
        return
    links = "\n".join(f"  #{r.pk} {reverse('intel:record-detail', args=[r.pk])}" for r in records)
    message = EmailMessage(
        subject=f"[CSU] Emergency disclosure of intelligence by {actor.get_username()}",
        body=(
            f"{person_name(actor)} disclosed intelligence under the imminent-danger exception "
            f"(28 CFR 23.20(f)(2)) by {channel}.\n\nRecipient: {recipient} "
            f"({recipient_agency.name})\nJustification: {justification.strip()}\n\n"
            f"Records:\n{links}\n\nReview the disclosure in the dissemination log."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    transaction.on_commit(message.send)
    audit.audit_log(
        actor=actor,
        action="intel.emergency_notify",
        recipients=len(to),
        records=[r.pk for r in records],
    )


@transaction.atomic
def intel_record_disseminate(
    *,
    actor: User,
    record: IntelRecord,
    recipient: str,
    recipient_agency: Agency,
    reason: str,
    emergency: bool = False,
    emergency_justification: str = "",
) -> DisseminationLog:
    """Share one approved record outside the unit: the one path every share goes through.

    The log row is written with the share, in the same transaction; an emergency share also
    tells the supervisors once it is committed.
    """
    if not actor.has_perm("intel.add_disseminationlog"):
        raise PermissionDenied
    if not IntelRecord.objects.visible_to(actor).filter(pk=record.pk).exists():
        raise PermissionDenied  # need to know: nobody shares what they may not see
    if record.status != IntelRecord.Status.APPROVED:
        raise ValidationError("Only approved intelligence can be shared.")
    _check_recipient(
        recipient=recipient,
        recipient_agency=recipient_agency,
        reason=reason,
        emergency=emergency,
        justification=emergency_justification,
    )
    log = _log(
        actor=actor,
        record=record,
        recipient=recipient,
        recipient_agency=recipient_agency,
        reason=reason,
        channel="share",
        emergency=emergency,
        justification=emergency_justification,
    )
    # The recipient's name is on the dissemination log; the trail carries its id.
    audit.audit_log(
        actor=actor,
        action="intel.disseminate",
        obj=record,
        purpose=reason.strip(),
        dissemination=log.pk,
        agency=recipient_agency.pk,
        channel="share",
        emergency=emergency,
    )
    if emergency:
        _notify_supervisors(
            actor=actor,
            records=[record],
            recipient=recipient,
            recipient_agency=recipient_agency,
            justification=emergency_justification,
            channel="share",
        )
    return log


EXPORT_HEADER = [
    "record_id",
    "subject_kind",
    "subject",
    "predicate_category",
    "predicate",
    "narrative",
    "source_type",
    "approved_at",
    "review_due",
    *LABEL_NAMES,
    "handling",
]


def export_row(record: IntelRecord) -> list[Any]:
    labels = record_labels(record)
    subject = str(record.subject_person) if record.subject_person_id else record.subject_name
    return [
        record.pk,
        record.get_subject_kind_display(),
        subject,
        record.get_predicate_category_display(),
        record.predicate_narrative,
        record.narrative,
        record.get_source_type_display(),
        record.approved_at.isoformat() if record.approved_at else "",
        record.review_due.isoformat() if record.review_due else "",
        labels.sensitivity,
        labels.confidence,
        labels.submitting_agency,
        labels.control_official,
        CAVEAT,
    ]


@transaction.atomic
def intel_record_export(
    *,
    actor: User,
    text: str,
    recipient: str,
    recipient_agency: Agency,
    reason: str,
    emergency: bool = False,
    emergency_justification: str = "",
) -> bytes:
    """The approved records matching a search, as formula-safe CSV for one recipient.

    Every exported record is a dissemination: one log row each (channel "export"), written in
    this transaction, and the export itself is audited. Every row carries the four labels.
    """
    if not actor.has_perm("intel.add_disseminationlog"):
        raise PermissionDenied
    _check_recipient(
        recipient=recipient,
        recipient_agency=recipient_agency,
        reason=reason,
        emergency=emergency,
        justification=emergency_justification,
    )
    records = list(intel_record_search(actor=actor, text=text).select_related("approved_by"))
    if not records:
        raise ValidationError("No approved record matches this search: nothing to export.")
    logs = [
        _log(
            actor=actor,
            record=record,
            recipient=recipient,
            recipient_agency=recipient_agency,
            reason=reason,
            channel="export",
            emergency=emergency,
            justification=emergency_justification,
        )
        for record in records
    ]
    # The recipient's name is on the dissemination logs; the trail carries their ids, and the
    # search typed (so a supervisor can say who searched for what; admins see it redacted).
    audit.audit_log(
        actor=actor,
        action=audit.EXPORT,
        purpose=reason.strip(),
        export="intel_records",
        rows=len(records),
        search=text,
        agency=recipient_agency.pk,
        emergency=emergency,
        records=[r.pk for r in records],
        disseminations=[log.pk for log in logs],
    )
    if emergency:
        _notify_supervisors(
            actor=actor,
            records=records,
            recipient=recipient,
            recipient_agency=recipient_agency,
            justification=emergency_justification,
            channel="export",
        )
    return csv_bytes(EXPORT_HEADER, (export_row(r) for r in records))
