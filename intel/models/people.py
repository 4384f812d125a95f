"""People, the names they go by, and the identifiers agencies have given them."""

from __future__ import annotations

from django.db import models

from intel.choices import Race, Sex
from intel.querysets import VisibleQuerySet


class Person(models.Model):
    """A real individual, resolved from the names and identifiers in arrests, cases and
    shootings. Arrests keep the name as recorded; this is the person it was resolved to."""

    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    suffix = models.CharField(max_length=10, blank=True, help_text="JR, SR, III, ...")
    dob = models.DateField("date of birth", null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    race = models.CharField(max_length=20, choices=Race.choices, default=Race.UNKNOWN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="intel_person_name_idx"),
            models.Index(fields=["dob"], name="intel_person_dob_idx"),
        ]

    def __str__(self) -> str:
        last = f"{self.last_name} {self.suffix}" if self.suffix else self.last_name
        initial = f" {self.middle_name[0]}" if self.middle_name else ""
        return f"{last.upper()}, {self.first_name}{initial}"

    @property
    def full_name(self) -> str:
        """The name in reading order: "First Middle Last Suffix"."""
        parts = [self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(p for p in parts if p)


class PersonAlias(models.Model):
    """Another name the person is known by, including misspellings seen in records, so that
    searches and entity resolution find them under every name."""

    class Kind(models.TextChoices):
        ALIAS = "alias", "Alias"
        NICKNAME = "nickname", "Nickname"
        MAIDEN = "maiden", "Maiden name"
        MISSPELLING = "misspelling", "Misspelling seen in records"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    first_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ALIAS)

    class Meta:
        ordering = ["person", "last_name", "first_name"]
        verbose_name_plural = "person aliases"
        indexes = [models.Index(fields=["last_name", "first_name"], name="intel_alias_name_idx")]

    def __str__(self) -> str:
        name = ", ".join(p for p in [self.last_name.upper(), self.first_name] if p)
        return f"{name} ({self.get_kind_display().lower()})"


class PersonIdentifier(models.Model):
    """A number an agency has given the person (state ID, FBI number, booking number). The same
    value from the same issuer always means the same person."""

    class Kind(models.TextChoices):
        STATE_ID = "state_id", "State ID"
        FBI_NUMBER = "fbi_number", "FBI number"
        BOOKING_NUMBER = "booking_number", "Booking number"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=64)
    issuing_agency = models.ForeignKey(
        "intel.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["person", "kind", "value"]
        constraints = [
            # A state ID has no issuing agency row: NULL must still collide with NULL.
            models.UniqueConstraint(
                fields=["kind", "value", "issuing_agency"],
                name="intel_personidentifier_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"
