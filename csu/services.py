"""Writes on users and accounts. Every change of role, lock or factor is audited."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from csu import audit
from csu.actors import SYSTEM_USERNAME, is_system
from csu.exceptions import ApplicationError
from csu.models import ApiToken, AuditEvent, MFAEnrolmentCode, User
from csu.roles import ROLE_PERMISSIONS


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    agency: str = "",
    title: str = "",
) -> tuple[User, str]:
    """Create a user in exactly one role, with a password that passes the policy; return the
    user and the one-time MFA enrolment code to hand over (shown once, only its digest kept).

    A password an admin chose must be replaced at first sign-in. The system actor (the demo
    seed, tests, the console) may create users too: nobody else knows that password, so it is
    not forced.
    """
    if role not in ROLE_PERMISSIONS:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if not is_system(actor) and not actor.has_perm("csu.add_user"):
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
    user.must_change_password = not is_system(actor)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    audit.audit_log(
        actor=actor,
        action=audit.USER_CREATE,
        obj=user,
        component="user_create",
        role=role,
        must_change_password=user.must_change_password,
    )
    return user, _enrolment_code_issue(actor=actor, user=user, component="user_create")


@transaction.atomic
def user_set_role(*, actor: User, user: User, role: str) -> User:
    """Replace the user's role (one role per account keeps duties separate). Only an admin may;
    the system actor holds no permission, so no task or command hands out roles."""
    if role not in ROLE_PERMISSIONS:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if not actor.has_perm("csu.change_user") or is_system(user):
        raise PermissionDenied
    if actor.pk == user.pk:
        # An admin who could make themselves a supervisor would read case data (issue 8, #6).
        raise PermissionDenied("Nobody changes their own role; ask another administrator.")
    before = user.roles
    user.groups.set([Group.objects.get(name=role)])
    audit.audit_log(actor=actor, action=audit.ROLE_CHANGE, obj=user, before=before, after=[role])
    if before != [role]:
        api_tokens_revoke_all(actor=actor, user=user, reason="role change")
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Release an account locked after repeated failures (CJIS AC-7: only an admin may)."""
    if not actor.has_perm("csu.unlock_user"):
        raise PermissionDenied
    released: int = axes_reset(username=user.username)
    audit.audit_log(actor=actor, action=audit.UNLOCK, obj=user, attempts_cleared=released)
    return released


@transaction.atomic
def user_reset_mfa(*, actor: User, user: User) -> str:
    """Remove the user's second factors and API tokens; they enrol again at their next sign-in
    with the enrolment code returned here (shown once to the admin, who hands it over)."""
    if not actor.has_perm("csu.reset_mfa_user"):
        raise PermissionDenied
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_static, _ = StaticDevice.objects.filter(user=user).delete()
    audit.audit_log(actor=actor, action=audit.MFA_RESET, obj=user, devices=removed + removed_static)
    api_tokens_revoke_all(actor=actor, user=user, reason="MFA reset")
    return _enrolment_code_issue(actor=actor, user=user, component="user_reset_mfa")


@transaction.atomic
def user_password_change(*, actor: User, user: User, password: str) -> User:
    """Set a new password. The user's own choice clears ``must_change_password``; an admin's
    choice sets it (the user must replace it at first sign-in). Either way every API token
    dies, and sessions whose hash no longer matches end (the caller keeps its own with
    ``update_session_auth_hash``)."""
    own = actor.pk == user.pk
    if not own and not actor.has_perm("csu.change_user"):
        raise PermissionDenied
    if own and user.check_password(password):  # a forced change must really change it
        raise ValidationError({"password": "Choose a password different from the current one."})
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = not own
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.audit_log(actor=actor, action=audit.PASSWORD_CHANGE, obj=user, by_admin=not own)
    api_tokens_revoke_all(actor=actor, user=user, reason="password change")
    return user


def _enrolment_digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _enrolment_code_issue(*, actor: User, user: User, component: str) -> str:
    """A fresh one-time enrolment code for the user; earlier unused codes stop working."""
    now = timezone.now()
    MFAEnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    code = "-".join(secrets.token_hex(3) for _ in range(3))  # e.g. 4f1a2c-09be7d-a2c3f0
    entry = MFAEnrolmentCode.objects.create(
        user=user,
        digest=_enrolment_digest(code),
        created_by=actor,
        expires_at=now + timedelta(hours=settings.CSU_MFA_ENROLMENT_CODE_HOURS),
    )
    audit.audit_log(
        actor=actor,
        action=audit.MFA_ENROLMENT_CODE,
        obj=user,
        component=component,
        code_id=entry.pk,
        expires_at=entry.expires_at.isoformat(),
    )
    return code


@transaction.atomic
def mfa_enrolment_code_issue(*, actor: User, user: User) -> str:
    """Issue an enrolment code from the console (``manage.py mfa_enrolment_code``, as the system
    actor) or by an admin, e.g. for the first administrator, who has nobody to hand one over."""
    if not is_system(actor) and not actor.has_perm("csu.reset_mfa_user"):
        raise PermissionDenied
    if is_system(user):
        raise ApplicationError("The system actor never signs in, so it never enrols.")
    return _enrolment_code_issue(actor=actor, user=user, component="mfa_enrolment_code")


def _live_enrolment_codes(*, user: User) -> QuerySet[MFAEnrolmentCode]:
    return MFAEnrolmentCode.objects.filter(
        user=user, used_at__isnull=True, expires_at__gt=timezone.now()
    )


@transaction.atomic
def mfa_enrolment_begin(*, actor: User, code: str) -> tuple[TOTPDevice, int]:
    """A fresh unconfirmed authenticator (fresh secret) for one enrolment attempt, created only
    after the right enrolment code: a password alone never reaches a secret. Returns the device
    and the code's id, which the caller binds to its session; the code stays valid until an
    enrolment is confirmed with it (so a user whose attempt timed out may start again)."""
    if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise ApplicationError("This account already has an authenticator.")
    entry = _live_enrolment_codes(user=actor).filter(digest=_enrolment_digest(code)).first()
    if entry is None:
        raise ValidationError({"enrolment_code": "That enrolment code is not valid."})
    device = TOTPDevice.objects.create(user=actor, confirmed=False, name="Authenticator app")
    return device, entry.pk


@transaction.atomic
def mfa_enrolment_confirm(*, actor: User, device: TOTPDevice, code_id: int) -> TOTPDevice:
    """Confirm the session's device once its first code verified: the enrolment code is spent
    and every other unconfirmed device of the user (other attempts' secrets) is deleted."""
    # The row lock makes two sessions confirming at once spend the code only once.
    entry = _live_enrolment_codes(user=actor).select_for_update().filter(pk=code_id).first()
    if entry is None or device.user_id != actor.pk or device.confirmed:
        raise ApplicationError("This enrolment is no longer valid; sign in and start again.")
    entry.used_at = timezone.now()
    entry.save(update_fields=["used_at"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.audit_log(actor=actor, action=audit.MFA_ENROLL, obj=actor, code_id=entry.pk)
    return device


@transaction.atomic
def accounts_disable_stale(*, actor: User, now: datetime | None = None) -> int:
    """Disable accounts unused for 90 days or past their expiry (CJIS AC-2(3)). Run daily by
    beat as the system actor; an admin may run it too.

    Selects by predicate, so running it twice changes nothing the second time. Disabled users'
    sessions die on their next request (Django refuses inactive users).
    """
    if not is_system(actor) and not actor.has_perm("csu.change_user"):
        raise PermissionDenied
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CSU_ACCOUNT_INACTIVE_DAYS)
    stale = (
        User.objects.filter(is_active=True)
        .filter(
            Q(last_login__lt=cutoff)
            | Q(last_login__isnull=True, date_joined__lt=cutoff)
            | Q(account_expires_at__lt=now)
        )
        .exclude(username=SYSTEM_USERNAME)
    )  # never signs in, so never "stale"; it is inactive anyway
    count = 0
    for user in stale.select_for_update():
        expired = user.account_expires_at is not None and user.account_expires_at < now
        user.is_active = False
        user.disabled_reason = "account expired" if expired else "inactive for 90 days"
        user.save(update_fields=["is_active", "disabled_reason"])
        api_tokens_revoke_all(actor=actor, user=user, reason="account disabled")
        audit.audit_log(
            actor=actor,
            action=audit.USER_DISABLE,
            obj=user,
            outcome=AuditEvent.Outcome.SUCCESS,
            component="accounts_disable_stale",
            reason=user.disabled_reason,
        )
        count += 1
    return count


AUDIT_EXPORT_HEADER = [
    "occurred_at_utc",
    "action",
    "outcome",
    "actor",
    "object_type",
    "object_id",
    "object",
    "component",
    "method",
    "ip_address",
    "purpose",
    "detail",
]


@transaction.atomic
def audit_export(*, actor: User, filters: dict[str, Any], purpose: str) -> bytes:
    """The filtered audit trail as CSV; the export itself is recorded, with its purpose."""
    from csu.exports import csv_bytes
    from csu.selectors import audit_event_list, audit_event_shown

    if not actor.has_perm("csu.export_auditevent"):
        raise PermissionDenied
    if len(purpose.strip()) < 5:
        raise ValidationError({"purpose": "Say why you export the audit trail."})
    events = audit_event_list(actor=actor, filters=filters).order_by("occurred_at", "id")
    # Admins export case-data events as ids and metadata, like the page shows them.
    shown = (audit_event_shown(actor=actor, event=e) for e in events.iterator())
    rows = [
        [
            e.occurred_at.astimezone(UTC).isoformat(),
            e.action,
            e.outcome,
            e.actor_username,
            e.object_type,
            e.object_id,
            e.object_repr,
            e.component,
            e.method,
            e.ip_address or "",
            e.purpose,
            json.dumps(e.detail, sort_keys=True, default=str),
        ]
        for e in shown
    ]
    audit.audit_log(
        actor=actor,
        action=audit.EXPORT,
        purpose=purpose.strip(),
        export="audit_events",
        rows=len(rows),
        filters={k: str(v) for k, v in filters.items() if v},
    )
    return csv_bytes(AUDIT_EXPORT_HEADER, rows)


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    name: str = "API token",
    scope: str = ApiToken.Scope.READ,
    hours: int | None = None,
) -> str:
    """Issue an API token and return its key, shown once: only knox's digest is stored.

    Only for a session that passed the second factor (the view checks the session; a request's
    user that was not verified is refused here too when MFA is required). The lifetime is at
    most ``CSU_API_TOKEN_MAX_HOURS``. The scope defaults to read-only; writing needs
    ``scope="write"`` asked for explicitly.
    """
    is_verified = getattr(actor, "is_verified", None)  # set on request users by django-otp
    if settings.CSU_MFA_REQUIRED and is_verified is not None and not is_verified():
        raise PermissionDenied("API tokens are issued only after the second factor.")
    if not actor.is_active:
        raise PermissionDenied
    maximum = settings.CSU_API_TOKEN_MAX_HOURS
    hours = maximum if hours is None else hours
    if not 1 <= hours <= maximum:
        raise ValidationError({"hours": f"A token lives between 1 and {maximum} hours."})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": f"Unknown scope {scope!r}."})
    name = name.strip()[:80]
    if not name:
        raise ValidationError({"name": "Say what the token is for."})
    token, key = ApiToken.objects.create(
        user=actor, expiry=timedelta(hours=hours), name=name, scope=scope
    )
    audit.audit_log(
        actor=actor,
        action=audit.TOKEN_CREATE,
        obj=actor,
        token=token.token_key,
        name=name,
        scope=scope,
        hours=hours,
    )
    return str(key)


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: str) -> None:
    """Revoke one of the actor's own tokens (``token_id`` is its public ``token_key``); another
    user's token is not found."""
    token = ApiToken.objects.get(user=actor, token_key=token_id)  # DoesNotExist: the view's 404
    token.delete()
    audit.audit_log(
        actor=actor,
        action=audit.TOKEN_REVOKE,
        obj=actor,
        token=token_id,
        reason="revoked by its owner",
    )


@transaction.atomic
def api_tokens_revoke_all(*, actor: User, user: User, reason: str) -> int:
    """Revoke every API token of ``user`` (password change, MFA reset, role change, disable,
    lockout: ``actor`` is the admin, the user or the system actor); audited when any died."""
    revoked: int = ApiToken.objects.filter(user=user).delete()[0]
    if revoked:
        audit.audit_log(
            actor=actor, action=audit.TOKEN_REVOKE, obj=user, reason=reason, tokens=revoked
        )
    return revoked
