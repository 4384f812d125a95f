"""Need to know for restricted records (R5): named users granted ``view_intelrecord`` on one
record through django-guardian's direct-foreign-key permission rows.

Who may see a record is decided in one place, ``IntelRecord.objects.visible_to`` (in
``intel.querysets``); this module only writes and lists the grants it reads.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, remove_perm

from csu import audit
from csu.models import User
from intel.models import IntelRecord, IntelRecordUserObjectPermission

VIEW = "view_intelrecord"


def may_grant(*, actor: User, record: IntelRecord) -> bool:
    """The submitter (the originator, who knows who needs to know) or a supervisor who can see
    the record. Without the first, nobody could ever bring a supervisor in to approve it."""
    if record.sensitivity != IntelRecord.Sensitivity.RESTRICTED:
        return False
    if record.status == IntelRecord.Status.PURGED:
        return False
    return record.submitted_by_id == actor.pk or actor.has_perm("intel.approve_intelrecord")


def _check(actor: User, record: IntelRecord) -> None:
    if not IntelRecord.objects.visible_to(actor).filter(pk=record.pk).exists():
        raise PermissionDenied
    if record.sensitivity != IntelRecord.Sensitivity.RESTRICTED:
        raise ValidationError(
            "Only restricted records have named readers; the others are "
            "open to every role that reads intelligence."
        )
    if not may_grant(actor=actor, record=record):
        raise PermissionDenied


@transaction.atomic
def intel_record_grant(*, actor: User, record: IntelRecord, user: User) -> None:
    """Let one named user read a restricted record."""
    _check(actor, record)
    if not user.is_active or not user.has_perm("intel.view_intelrecord"):
        raise ValidationError(
            {
                "user": f"{user.get_username()} cannot read intelligence at all; "
                "a grant would not let them see it."
            }
        )
    assign_perm(VIEW, user, record)
    audit.audit_log(actor=actor, action="intel.grant", obj=record, user=user.get_username())


@transaction.atomic
def intel_record_revoke(*, actor: User, record: IntelRecord, user: User) -> None:
    """Take a named user's access to a restricted record away (the submitter keeps theirs)."""
    _check(actor, record)
    if not IntelRecordUserObjectPermission.objects.filter(
        content_object=record, user=user, permission__codename=VIEW
    ).exists():
        raise ValidationError({"user": f"{user.get_username()} has no grant on this record."})
    remove_perm(VIEW, user, record)
    audit.audit_log(actor=actor, action="intel.revoke", obj=record, user=user.get_username())


def intel_record_readers(*, record: IntelRecord) -> QuerySet[User]:
    """The users named on a restricted record (group grants are listed by the admin site)."""
    return User.objects.filter(
        intelrecorduserobjectpermission__content_object=record,
        intelrecorduserobjectpermission__permission__codename=VIEW,
    ).order_by("username")


def grantable_users() -> QuerySet[User]:
    """Active users whose role reads intelligence: the only ones a grant can help."""
    return User.objects.with_perm(
        "intel.view_intelrecord",
        backend="django.contrib.auth.backends.ModelBackend",
        include_superusers=False,
    ).order_by("username")
