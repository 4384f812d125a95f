"""The API's default rule: signed in, second factor verified for sessions, a token's scope, a
password that need not be changed first, and the role's model permission for the action (reads
need ``view_*``, unlike DRF's default)."""

from typing import Any

from django.conf import settings
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions, IsAuthenticated

from csu.models import ApiToken
from csu.passwords import password_change_required


class HasRoleModelPermission(DjangoModelPermissions):
    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request: Any, view: Any) -> bool:
        if not _verified(request):
            return False
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)


class IsVerified(IsAuthenticated):
    """Signed in (and, for a browser session, past the second factor)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return super().has_permission(request, view) and _verified(request)


def _verified(request: Any) -> bool:
    """Every API view passes here (both permission classes): the checks below cannot be
    forgotten by a view that picks its own permission class from this module."""
    user = request.user
    if not (user and user.is_authenticated):
        return False
    if password_change_required(user):
        raise PermissionDenied("Change your password on the site before using the API.")
    if isinstance(request.auth, ApiToken):  # issued only from a verified session
        if request.auth.scope != ApiToken.Scope.WRITE and request.method not in SAFE_METHODS:
            raise PermissionDenied("This token is read-only.")
        return True
    return not settings.CSU_MFA_REQUIRED or user.is_verified()
