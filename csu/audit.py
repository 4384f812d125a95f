"""The one-line audit helper every feature calls: ``audit_log(actor=..., action=..., obj=...)``.

The request in flight (set by ``RequestContextMiddleware``) supplies where the act came from, so
services deep in the stack need not pass it along. Tasks and commands name themselves as the
component instead.

``actor`` is the person who acted, or the system actor (``csu.actors.system_actor``) for tasks,
commands and signals. Where nobody is signed in (a failed or throttled sign-in) it is the
request's ``AnonymousUser``, or ``None`` for a username that matches no account: the trail then
keeps the name as typed, or "anonymous".
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest

from csu.models import AuditEvent, User

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "csu_current_request", default=None
)

# Actions with a fixed meaning; features add their own ("intel.view", "import.start", ...).
LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
LOGOUT = "auth.logout"
LOCKOUT = "auth.lockout"
MFA_ENROLL = "auth.mfa_enroll"
UNLOCK = "user.unlock"
MFA_RESET = "user.mfa_reset"
ROLE_CHANGE = "user.role_change"
PERMISSION_CHANGE = "user.permission_change"
USER_CREATE = "user.create"
USER_DISABLE = "user.disable"
TOKEN_CREATE = "api.token_create"  # noqa: S105 - an action name
TOKEN_REVOKE = "api.token_revoke"  # noqa: S105 - an action name
PASSWORD_CHANGE = "user.password_change"  # noqa: S105 - an action name
MFA_ENROLMENT_CODE = "user.mfa_enrolment_code"
EXPORT = "export"
AUDIT_VIEW = "audit.view"
PEOPLE_RESOLVED = "people.resolve"
PERSON_MERGE = "person.merge"
PERSON_UNMERGE = "person.unmerge"
MATCH_DECIDE = "person.match_decide"


def client_ip(request: HttpRequest) -> str | None:
    """The client address. Only REMOTE_ADDR is trusted: a proxy sets it (ASVS 15.3.4)."""
    return request.META.get("REMOTE_ADDR") or None


def _object_repr(obj: models.Model) -> str:
    """How an object is named in the trail: a user by their username (account metadata), any
    other object by type and id only, so no name, narrative or identifier lands in the trail."""
    if isinstance(obj, User):
        return obj.get_username()[:200]
    return f"{obj._meta.label_lower} #{obj.pk}"


def audit_log(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    purpose: str = "",
    request: HttpRequest | None = None,
    component: str = "",
    username: str = "",
    **detail: Any,
) -> AuditEvent:
    """Record one audit event and return it. ``detail`` carries ids, counts and codes, never
    record content (names, narratives, grounds): the trail outlives purged records."""
    return audit_record(
        actor=actor,
        action=action,
        outcome=outcome,
        purpose=purpose,
        request=request,
        component=component,
        username=username,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_object_repr(obj) if obj is not None else "",
        detail=detail,
    )


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    purpose: str = "",
    request: HttpRequest | None = None,
    component: str = "",
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event from its parts (``audit_log`` names an object; the read-audit middleware
    knows only the type and id in the URL)."""
    request = request or current_request.get()
    # Only a sign-in attempt has no user: the request's AnonymousUser, or None for a username
    # that matches no account. ``username`` then names what was typed.
    user = actor if isinstance(actor, User) and actor.pk is not None else None
    event = AuditEvent(
        action=action,
        outcome=outcome,
        actor=user,
        actor_username=(user.get_username() if user else username or "anonymous")[:150],
        purpose=purpose[:300],
        detail=detail or {},
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr or (f"{object_type} #{object_id}" if object_type else ""),
    )
    if request is not None:
        event.component = component or request.path[:200]
        event.method = request.method or ""
        event.ip_address = client_ip(request)
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        # The read-audit middleware does not record a refusal a service already recorded.
        request.__dict__.setdefault("csu_audit_outcomes", []).append(outcome)
    else:
        event.component = component or "system"
    event.save()
    return event
