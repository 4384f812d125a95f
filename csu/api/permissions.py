"""The API's default rule: signed in, second factor verified for sessions, and the role's model
permission for the action (reads need ``view_*``, unlike DRF's default)."""

from typing import Any

from django.conf import settings
from rest_framework.permissions import DjangoModelPermissions, IsAuthenticated


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
    user = request.user
    if not (user and user.is_authenticated):
        return False
    if request.auth is not None:  # a token: issued only from a verified session
        return True
    return not settings.CSU_MFA_REQUIRED or user.is_verified()
