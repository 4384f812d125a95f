"""Groups (crews, gangs) and who belongs to them, each membership held to an intel predicate."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from intel.models.predicated import (
    PredicatedEntry,
    predicate_category_field,
    predicate_narrative_field,
)
from intel.querysets import GroupMembershipQuerySet, VisibleQuerySet


class Group(models.Model):
    """A crew, gang or set the unit tracks."""

    class Kind(models.TextChoices):
        CREW = "crew", "Crew"
        GANG = "gang", "Gang"
        SET = "set", "Set (sub-group)"
        ORGANISATION = "organisation", "Criminal organisation"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CREW)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="sets"
    )
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupMembership(PredicatedEntry):
    """A person's membership in a group. Like an intel record it needs a criminal predicate,
    a lawful source and approval by a supervisor who did not submit it, and it must be
    revalidated within five years: those fields and constraints come from
    ``PredicatedEntry``."""

    class Level(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed member"
        ASSOCIATE = "associate", "Associate"
        SUSPECTED = "suspected", "Suspected member"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending supervisor review"
        APPROVED = "approved", "Approved"
        REMOVED = "removed", "Removed"

    class RemovalCategory(models.TextChoices):
        NO_LONGER_VALID = "no_longer_valid", "Removed by a supervisor"
        CHALLENGE_UPHELD = "challenge_upheld", "Challenge upheld"
        REVIEW_LAPSED = "review_lapsed", "Not revalidated by its review date"

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey("intel.Person", on_delete=models.PROTECT, related_name="memberships")
    level = models.CharField(max_length=16, choices=Level.choices)
    predicate_category = predicate_category_field()
    predicate_narrative = predicate_narrative_field()
    lawfully_obtained = models.BooleanField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(
        blank=True, help_text="Content-free once removed: the category and any challenge id."
    )
    removal_category = models.CharField(max_length=16, choices=RemovalCategory.choices, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the system removed it (review lapsed).",
    )
    screen_attestation = models.TextField(
        blank=True, help_text="Supervisor: how screen terms relate directly to criminal conduct."
    )

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "person"]
        permissions = [("approve_groupmembership", "Can approve or remove group memberships")]
        constraints = [
            *PredicatedEntry.entry_constraints("intel_membership"),
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=~models.Q(status="removed"),
                name="intel_membership_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.group} ({self.get_level_display().lower()})"
