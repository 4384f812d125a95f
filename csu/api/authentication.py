"""API token authentication: knox's (digests only, expiry), plus two checks that do not rely
on every code path remembering to revoke (defence in depth)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions

from csu.models import ApiToken

# Recording every use would write on every read; once a minute tells an owner enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenAuthentication(KnoxTokenAuthentication):
    """A token of an inactive user, or one created before the user's last password change, is
    refused even if it was not revoked; each accepted use stamps ``last_used_at``."""

    def validate_user(self, auth_token: ApiToken) -> tuple[Any, ApiToken]:
        user = auth_token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        changed = user.password_changed_at
        if changed is not None and changed > auth_token.created:
            raise exceptions.AuthenticationFailed("Token issued before the last password change.")
        now = timezone.now()
        if auth_token.last_used_at is None or now - auth_token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=auth_token.pk).update(last_used_at=now)
            auth_token.last_used_at = now
        return user, auth_token


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token header."""

    target_class = "csu.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a key from *My account*, which expires and may be "
            "read-only.",
        }
