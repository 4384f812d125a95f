"""Reads of the platform for its pages: users with their security state, the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from csu import audit
from csu.models import AuditEvent, User


def user_locked_usernames() -> set[str]:
    return set(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


def user_list(*, actor: User) -> list[User]:
    """Users with roles, MFA enrolment and lock state, for the admin's user page."""
    if not actor.has_perm("csu.view_user"):
        raise PermissionDenied
    users = list(
        User.objects.prefetch_related("groups")
        .annotate(
            mfa_enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .order_by("username")
    )
    locked = user_locked_usernames()
    for user in users:
        user.is_locked = user.username in locked  # type: ignore[attr-defined]
    return users


def audit_event_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[AuditEvent]:
    if not actor.has_perm("csu.view_auditevent"):
        raise PermissionDenied
    qs = AuditEvent.objects.select_related("actor")
    filters = filters or {}
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("outcome"):
        qs = qs.filter(outcome=filters["outcome"])
    if filters.get("username"):
        qs = qs.filter(actor_username__iexact=filters["username"])
    if filters.get("since"):
        qs = qs.filter(occurred_at__date__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(occurred_at__date__lte=filters["until"])
    return qs


def audit_summary(*, actor: User, days: int = 7) -> dict[str, int]:
    """Counts a supervisor reviews weekly (CJIS AU-6): failures, lockouts, exports, admin acts."""
    since = timezone.now() - timedelta(days=days)
    counts = AuditEvent.objects.filter(occurred_at__gte=since).aggregate(
        logins=Count("id", filter=Q(action=audit.LOGIN)),
        failed_logins=Count("id", filter=Q(action=audit.LOGIN_FAILED)),
        lockouts=Count("id", filter=Q(action=audit.LOCKOUT)),
        exports=Count("id", filter=Q(action=audit.EXPORT)),
        privileged=Count("id", filter=Q(action__startswith="user.")),
    )
    return counts
