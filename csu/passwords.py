"""Password rules beyond Django's: no silent truncation (ASVS 6.2.9)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


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
