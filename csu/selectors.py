"""Reads of the platform for its pages: users with their security state, the audit trail."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from csu import audit
from csu.actors import SYSTEM_USERNAME
from csu.models import AuditEvent, User


def user_locked_usernames() -> set[str]:
    return set(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).values_list("username", flat=True)
    )


def _people() -> QuerySet[User]:
    """Accounts of people: every user but the system actor, which nobody administers."""
    return User.objects.exclude(username=SYSTEM_USERNAME)


def user_get(*, actor: User, pk: int) -> User | None:
    """One person's account for the admin's user actions; ``None`` when there is none (the
    system actor included), which the page answers with 404."""
    if not actor.has_perm("csu.view_user"):
        raise PermissionDenied
    return _people().filter(pk=pk).first()


def user_list(*, actor: User) -> list[User]:
    """Users with roles, MFA enrolment and lock state, for the admin's user page (the system
    actor is not among them)."""
    if not actor.has_perm("csu.view_user"):
        raise PermissionDenied
    users: list[User] = list(
        _people()
        .prefetch_related("groups")
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


REDACTED = "[redacted]"
# Events about accounts and the platform, not about case data: admins see them whole.
ACCOUNT_ACTION_PREFIXES = ("auth.", "user.", "api.", "audit.")
# Metadata of a case-data event that every reader of the trail may see.
METADATA_DETAIL_KEYS = ("route", "status")


def audit_event_is_case_data(event: AuditEvent) -> bool:
    """Whether an event is about case data. Anything not known to be about accounts counts as
    case data, so a new feature's events are redacted for admins until someone decides."""
    if event.action.startswith(ACCOUNT_ACTION_PREFIXES):
        return False
    audit_export = event.action == audit.EXPORT and (event.detail or {}).get("export") == (
        "audit_events"
    )
    return not audit_export


def audit_event_shown(*, actor: User, event: AuditEvent) -> AuditEvent:
    """The event as ``actor`` may see it: the one rule for the audit page, its CSV export and
    the API. Readers with case-data access (supervisors) see everything; others (admins) see of
    a case-data event who, what, when, the outcome, the object's type and id and the route, and
    a marker in place of the object's name, the purpose, search terms and any other detail.
    Returns an unsaved copy; the stored row is never touched (it cannot be)."""
    if actor.has_perm("intel.view_person") or not audit_event_is_case_data(event):
        return event
    shown = copy.copy(event)
    shown.object_repr = REDACTED if event.object_repr else ""
    shown.purpose = REDACTED if event.purpose else ""
    shown.detail = {
        key: (value if key in METADATA_DETAIL_KEYS else REDACTED)
        for key, value in (event.detail or {}).items()
    }
    return shown


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
