"""What an intelligence record and a group membership share under 28 CFR Part 23: a criminal
predicate, a lawful source, the protected-activity screen's attestation, approval by a
supervisor who did not submit the entry, and a review date at most five years out."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models

from intel.choices import OffenseCategory

REVIEW_YEARS_MAX = 5
PREDICATE_MIN_CHARS = 40


class SourceType(models.TextChoices):
    """Where the information came from (the source label of 28 CFR 23.20(a))."""

    OFFICER = "officer", "Law-enforcement officer"
    RECORDS = "records", "Official records"
    INFORMANT = "informant", "Confidential informant"
    VICTIM_WITNESS = "victim_witness", "Victim or witness"
    PARTNER = "partner", "Partner agency"
    OPEN_SOURCE = "open_source", "Open source"


class PredicatedEntry(models.Model):
    """Abstract base of an entry held to a criminal predicate (``IntelRecord``,
    ``GroupMembership``). Each subclass keeps its own ``status`` choices, but both use
    ``PENDING`` and ``APPROVED`` as spelled here, which the one approval path
    (``intel.intelligence.approval``) relies on.

    The help texts of the predicate, the lawful-source attestation and the screen attestation
    differ between the two tables, so each subclass declares those fields with its own wording
    (a change of help text would be a migration); everything else is declared once here."""

    PENDING = "pending"
    APPROVED = "approved"
    SourceType = SourceType  # IntelRecord.SourceType, GroupMembership.SourceType

    status: str  # each subclass declares the field, with its own choices

    source_type = models.CharField(max_length=16, choices=SourceType.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @staticmethod
    def entry_constraints(prefix: str) -> list[models.BaseConstraint]:
        """The database rules every predicated entry carries, named ``<prefix>_…`` as they were
        created (``intel_record_…`` and ``intel_membership_…``): the lawful-source attestation,
        and an approver who is not the submitter."""
        return [
            models.CheckConstraint(
                condition=models.Q(lawfully_obtained=True), name=f"{prefix}_lawfully_obtained"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | (
                    models.Q(approved_by__isnull=False)
                    & ~models.Q(approved_by=models.F("submitted_by"))
                ),
                name=f"{prefix}_approved_by_other",
            ),
        ]


def predicate_category_field(*, help_text: str = "") -> models.CharField[str, str]:
    """The criminal activity an entry's subject is suspected of."""
    return models.CharField(max_length=16, choices=OffenseCategory.choices, help_text=help_text)


def predicate_narrative_field(*, help_text: str = "") -> models.TextField[str, str]:
    """Why there is reasonable suspicion: at least ``PREDICATE_MIN_CHARS`` characters."""
    return models.TextField(
        validators=[MinLengthValidator(PREDICATE_MIN_CHARS)], help_text=help_text
    )
