"""Criminal intelligence records under 28 CFR Part 23, and the log of every dissemination.

The rules live in the data model and its one service module (``intel.intelligence``): a record
cannot exist without a criminal predicate and a lawful-source attestation, only a supervisor who
is not the submitter approves it, only approved records are searchable or shareable, and every
record must be revalidated within five years or its content is purged.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from intel.models.base import Agency

# The two limits are re-exported: forms and services import them from here.
from intel.models.predicated import PREDICATE_MIN_CHARS as PREDICATE_MIN_CHARS
from intel.models.predicated import REVIEW_YEARS_MAX as REVIEW_YEARS_MAX
from intel.models.predicated import (
    PredicatedEntry,
    predicate_category_field,
    predicate_narrative_field,
)
from intel.querysets import (
    ChallengeQuerySet,
    DisseminationLogQuerySet,
    IntelRecordPartQuerySet,
    IntelRecordQuerySet,
)


class IntelRecord(PredicatedEntry):
    """One piece of criminal intelligence about a subject, with its predicate and labels.
    Predicate, source, approval and review fields and constraints come from
    ``PredicatedEntry``, shared with group memberships."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending supervisor review"
        APPROVED = "approved", "Approved"
        PURGED = "purged", "Purged"

    class SubjectKind(models.TextChoices):
        PERSON = "person", "Person"
        GROUP = "group", "Group or organisation"
        LOCATION = "location", "Location"

    class Reliability(models.TextChoices):
        RELIABLE = "A", "A: reliable"
        USUALLY = "B", "B: usually reliable"
        UNRELIABLE = "C", "C: unreliable"
        UNKNOWN = "D", "D: reliability unknown"

    class Validity(models.TextChoices):
        CONFIRMED = "1", "1: confirmed"
        PROBABLE = "2", "2: probably true"
        DOUBTFUL = "3", "3: doubtfully true"
        UNKNOWN = "4", "4: cannot be judged"

    class Sensitivity(models.TextChoices):
        SENSITIVE = "sensitive", "Sensitive"
        CONFIDENTIAL = "confidential", "Confidential"
        RESTRICTED = "restricted", "Restricted (named users only)"

    subject_kind = models.CharField(max_length=16, choices=SubjectKind.choices)
    subject_person = models.ForeignKey(
        "intel.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intel_records",
    )
    subject_name = models.CharField(
        max_length=200, blank=True, help_text="A group's or location's name."
    )
    narrative = models.TextField()
    owner_note = models.TextField(
        blank=True,
        help_text="Handling notes for the submitter alone: redacted for every other reader.",
    )
    predicate_category = predicate_category_field(
        help_text="The criminal activity the subject is reasonably suspected of."
    )
    predicate_narrative = predicate_narrative_field(
        help_text="Why there is reasonable suspicion of that criminal activity."
    )
    source_reliability = models.CharField(max_length=1, choices=Reliability.choices)
    content_validity = models.CharField(max_length=1, choices=Validity.choices)
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices)
    submitting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    lawfully_obtained = models.BooleanField(
        help_text="The submitter attests the information was obtained lawfully."
    )
    screen_hits = models.JSONField(
        default=list, blank=True, help_text="Political, religious or social terms found."
    )
    screen_attestation = models.TextField(
        blank=True, help_text="Supervisor: how those terms relate directly to criminal conduct."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    validated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IntelRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("approve_intelrecord", "Can approve, revalidate or purge intelligence")]
        constraints = PredicatedEntry.entry_constraints("intel_record")

    def __str__(self) -> str:
        return f"Intel #{self.pk} ({self.get_status_display()})"


class ReviewDecision(models.Model):
    """A supervisor's revalidation or purge decision on a record, with the reason."""

    class Decision(models.TextChoices):
        REVALIDATED = "revalidated", "Revalidated"
        PURGED = "purged", "Purged"

    record = models.ForeignKey(IntelRecord, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    explanation = models.TextField(validators=[MinLengthValidator(20)])
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = IntelRecordPartQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.get_decision_display()} #{self.record_id}"


class DisseminationLog(models.Model):
    """Who received intelligence outside the unit, why and when (28 CFR 23.20(g)).

    Written in the same transaction as the share; append-only in the database.
    """

    record = models.ForeignKey(IntelRecord, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=200)
    recipient_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(
        validators=[MinLengthValidator(10)], help_text="The need to know and right to know."
    )
    disseminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disseminated_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(
        max_length=16, default="share", help_text="share, export, api or alert."
    )
    emergency = models.BooleanField(
        default=False, help_text="Imminent danger to life or property (28 CFR 23.20(f)(2))."
    )
    emergency_justification = models.TextField(blank=True)

    objects = DisseminationLogQuerySet.as_manager()

    class Meta:
        ordering = ["-disseminated_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.record_id} to {self.recipient} ({self.recipient_agency})"


class IntelIdentifier(models.Model):
    """Non-criminal identifying information in a record (28 CFR 23, 1998 clarification): a
    person or organisation named only to identify the subject (the registered owner of a car,
    a landlord). Labelled as such; it has no predicate and can never be a subject or an alert
    target."""

    LABEL = "Non-criminal identifying information: not a subject of this record"

    record = models.ForeignKey(IntelRecord, on_delete=models.CASCADE, related_name="identifiers")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=200, help_text="How it identifies the subject.")
    person = models.ForeignKey(
        "intel.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = IntelRecordPartQuerySet.as_manager()

    class Meta:
        ordering = ["record", "id"]

    def __str__(self) -> str:
        return f"{self.name} (non-criminal identifier)"


class Challenge(models.Model):
    """A person's contest (usually through counsel) of an intel record or a group membership.
    The challenge, its outcome and any removal reason are kept after the entry is removed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld: entry removed"
        DENIED = "denied", "Denied: entry kept"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey("intel.Person", on_delete=models.PROTECT, related_name="challenges")
    intel_record = models.ForeignKey(
        IntelRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="challenges"
    )
    membership = models.ForeignKey(
        "intel.GroupMembership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="challenges",
    )
    filed_by = models.CharField(max_length=200, help_text="Counsel or the person, as named.")
    received_at = models.DateField()
    grounds = models.TextField(validators=[MinLengthValidator(20)])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    outcome_reason = models.TextField(blank=True)
    removal_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        permissions = [("decide_challenge", "Can decide challenges")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(intel_record__isnull=False, membership__isnull=True)
                    | models.Q(intel_record__isnull=True, membership__isnull=False)
                ),
                name="intel_challenge_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Challenge #{self.pk} by {self.filed_by} ({self.get_status_display()})"


class IntelRecordUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian grants: who may see a restricted record."""

    content_object = models.ForeignKey(IntelRecord, on_delete=models.CASCADE)


class IntelRecordGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(IntelRecord, on_delete=models.CASCADE)
