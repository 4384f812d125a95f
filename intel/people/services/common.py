"""What every people service checks first: the actor's permission and, for a merge or an
un-merge, a reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from csu.models import User

MIN_REASON = 10


def _require(actor: User, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": f"Give a reason of at least {MIN_REASON} characters."})
    return reason
