"""Writes on users and accounts. Every change of role, lock or factor is audited."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from csu import audit
from csu.models import AuditEvent, User
from csu.roles import ROLE_PERMISSIONS


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    agency: str = "",
    title: str = "",
) -> User:
    """Create a user in exactly one role, with a password that passes the policy."""
    if role not in ROLE_PERMISSIONS:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if actor is not None and not actor.has_perm("csu.add_user"):
        raise PermissionDenied
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        agency=agency,
        title=title,
    )
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    audit.audit_log(actor=actor, action=audit.USER_CREATE, obj=user, component="user_create",
                    role=role)
    return user


@transaction.atomic
def user_set_role(*, actor: User | None, user: User, role: str) -> User:
    """Replace the user's role (one role per account keeps duties separate)."""
    if role not in ROLE_PERMISSIONS:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if actor is not None and not actor.has_perm("csu.change_user"):
        raise PermissionDenied
    before = user.roles
    user.groups.set([Group.objects.get(name=role)])
    audit.audit_log(actor=actor, action=audit.ROLE_CHANGE, obj=user, before=before, after=[role])
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Release an account locked after repeated failures (CJIS AC-7: only an admin may)."""
    if not actor.has_perm("csu.unlock_user"):
        raise PermissionDenied
    released = axes_reset(username=user.username)
    audit.audit_log(actor=actor, action=audit.UNLOCK, obj=user, attempts_cleared=released)
    return released


@transaction.atomic
def user_reset_mfa(*, actor: User, user: User) -> int:
    """Remove the user's second factors; they enrol again at their next sign-in."""
    if not actor.has_perm("csu.reset_mfa_user"):
        raise PermissionDenied
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_static, _ = StaticDevice.objects.filter(user=user).delete()
    audit.audit_log(actor=actor, action=audit.MFA_RESET, obj=user, devices=removed + removed_static)
    return removed + removed_static


@transaction.atomic
def accounts_disable_stale(*, actor: Any = None, now: Any = None) -> int:
    """Disable accounts unused for 90 days or past their expiry (CJIS AC-2(3)).

    Selects by predicate, so running it twice changes nothing the second time. Disabled users'
    sessions die on their next request (Django refuses inactive users).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CSU_ACCOUNT_INACTIVE_DAYS)
    stale = User.objects.filter(is_active=True).filter(
        Q(last_login__lt=cutoff)
        | Q(last_login__isnull=True, date_joined__lt=cutoff)
        | Q(account_expires_at__lt=now)
    )
    count = 0
    for user in stale.select_for_update():
        expired = user.account_expires_at is not None and user.account_expires_at < now
        user.is_active = False
        user.disabled_reason = "account expired" if expired else "inactive for 90 days"
        user.save(update_fields=["is_active", "disabled_reason"])
        audit.audit_log(
            actor=actor,
            username="system",
            action=audit.USER_DISABLE,
            obj=user,
            outcome=AuditEvent.Outcome.SUCCESS,
            component="accounts_disable_stale",
            reason=user.disabled_reason,
        )
        count += 1
    return count


AUDIT_EXPORT_HEADER = [
    "occurred_at_utc", "action", "outcome", "actor", "object_type", "object_id", "object",
    "component", "method", "ip_address", "purpose",
]


@transaction.atomic
def audit_export(*, actor: User, filters: dict[str, Any], purpose: str) -> bytes:
    """The filtered audit trail as CSV; the export itself is recorded, with its purpose."""
    from csu.exports import csv_bytes
    from csu.selectors import audit_event_list

    if not actor.has_perm("csu.export_auditevent"):
        raise PermissionDenied
    if len(purpose.strip()) < 5:
        raise ValidationError({"purpose": "Say why you export the audit trail."})
    events = audit_event_list(actor=actor, filters=filters).order_by("occurred_at", "id")
    rows = [
        [
            e.occurred_at.astimezone(UTC).isoformat(), e.action, e.outcome,
            e.actor_username, e.object_type, e.object_id, e.object_repr, e.component, e.method,
            e.ip_address or "", e.purpose,
        ]
        for e in events.iterator()
    ]
    audit.audit_log(
        actor=actor, action=audit.EXPORT, purpose=purpose.strip(), export="audit_events",
        rows=len(rows), filters={k: str(v) for k, v in filters.items() if v},
    )
    return csv_bytes(AUDIT_EXPORT_HEADER, rows)


@transaction.atomic
def api_token_create(*, actor: User) -> str:
    """Issue (or replace) the user's API token; it is shown once."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=actor).delete()
    token = Token.objects.create(user=actor)
    audit.audit_log(actor=actor, action=audit.TOKEN_CREATE, obj=actor)
    return token.key
