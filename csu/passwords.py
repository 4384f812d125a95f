"""Password rules beyond Django's: no silent truncation (ASVS 6.2.9), a maximum age and the
forced change of an admin-chosen password (CJIS IA-5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone


class MaximumLengthValidator:
    """Refuse absurd lengths outright instead of truncating (Argon2 hashes every byte)."""

    max_length = 1024

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is longer than {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Up to {self.max_length} characters; spaces and passphrases are welcome."


def password_change_required(user: Any) -> bool:
    """The user must pick a new password before anything else: an admin chose the current one,
    or it is older than ``CSU_PASSWORD_MAX_AGE_DAYS`` (counted from ``date_joined`` when the
    change date is unknown, e.g. a console ``createsuperuser``)."""
    if getattr(user, "must_change_password", False):
        return True
    changed = getattr(user, "password_changed_at", None) or getattr(user, "date_joined", None)
    if changed is None:
        return False
    return bool(timezone.now() - changed > timedelta(days=settings.CSU_PASSWORD_MAX_AGE_DAYS))
