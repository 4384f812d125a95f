"""Audit of authentication events (cross-cutting, hence signals): one event per login, failed
login, logout and lockout."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from csu import audit
from csu.models import AuditEvent


@receiver(user_logged_in, dispatch_uid="csu-audit-login")
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.audit_log(actor=user, action=audit.LOGIN, request=request)


@receiver(user_logged_out, dispatch_uid="csu-audit-logout")
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.audit_log(actor=user, action=audit.LOGOUT, request=request)


@receiver(user_login_failed, dispatch_uid="csu-audit-login-failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    audit.audit_log(
        actor=user,
        username=username,
        action=audit.LOGIN_FAILED,
        outcome=AuditEvent.Outcome.FAILURE,
        request=request,
        factor=credentials.get("factor", "password"),
    )


@receiver(user_locked_out, dispatch_uid="csu-audit-lockout")
def _on_locked_out(sender: Any, request: Any, username: str, **kwargs: Any) -> None:
    user = get_user_model().objects.filter(username=username).first()
    audit.audit_log(
        actor=user,
        username=username,
        action=audit.LOCKOUT,
        outcome=AuditEvent.Outcome.DENIED,
        request=request,
    )
    if user is not None:
        # A locked account is one someone may be guessing at: its API tokens die with the lock.
        from csu.actors import system_actor
        from csu.services import api_tokens_revoke_all

        # The lock is the system's act (the failing caller is not who the trail should name).
        api_tokens_revoke_all(actor=system_actor(), user=user, reason="lockout")
