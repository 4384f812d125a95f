"""Users and the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken

from csu.roles import ROLE_LABELS, Role


# knox ships no type information, so the django plugin cannot build the reverse manager that
# ApiToken's inherited ``user`` foreign key adds here (``auth_token_set``); nothing uses it.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person who signs in to CSU (or the system actor, ``csu.actors``). Roles are Django
    groups (see ``csu.roles``)."""

    agency = models.CharField(max_length=120, blank=True, help_text="The user's employing agency.")
    title = models.CharField(max_length=120, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    account_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="After this date the account is disabled (CJIS AC-2)."
    )
    disabled_reason = models.CharField(max_length=200, blank=True)
    must_change_password = models.BooleanField(
        default=False,
        help_text="Set when an admin chose the password: the user must pick their own first.",
    )

    class Meta:
        ordering = ["username"]
        permissions = [
            ("unlock_user", "Can release a locked-out account"),
            ("reset_mfa_user", "Can reset a user's second factor"),
        ]

    @property
    def roles(self) -> list[str]:
        """The user's role names, in the order of ``Role`` (most specific duty first)."""
        names = {g.name for g in self.groups.all()}
        return [r.value for r in Role if r.value in names]

    @property
    def primary_role(self) -> str | None:
        roles = self.roles
        return roles[0] if roles else None

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS[r] for r in self.roles]

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutable("Audit events are append-only; they cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("Audit events are append-only; they cannot be deleted.")


class AuditImmutable(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEvent(models.Model):
    """One auditable act: who did what to which object, when (UTC), from where, with what outcome.

    Append-only: a database trigger (migration ``0002``) refuses UPDATE, DELETE and TRUNCATE for
    every role, and the ORM refuses them too. Write through ``csu.audit.audit_log``.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"
        DENIED = "denied", "Denied"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    actor = models.ForeignKey(
        "csu.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, help_text="Kept as typed, even if unknown.")
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    component = models.CharField(max_length=200, help_text="URL path, task or command name.")
    method = models.CharField(max_length=10, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        permissions = [("export_auditevent", "Can export audit events")]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditImmutable("Audit events are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("Audit events are append-only; they cannot be deleted.")


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only its digest is stored, it expires, and it carries a
    scope. Issued from a session that passed the second factor; revoked whenever the account's
    credentials, second factor, role or state change."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    name = models.CharField(max_length=80, help_text="What the token is for, e.g. 'GIS sync'.")
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]


class MFAEnrolmentCode(models.Model):
    """A one-time code an admin hands over so that a new account (or one whose second factor was
    reset) can enrol an authenticator: the password alone never reaches the enrolment secret.
    Only a digest is kept; the code is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mfa_enrolment_codes")
    digest = models.CharField(max_length=128, unique=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"MFA enrolment code #{self.pk} for user #{self.user_id}"
