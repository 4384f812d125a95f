"""People, the names they go by, and the identifiers agencies have given them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from intel.choices import Race, Sex
from intel.querysets import PersonMergeQuerySet, PersonPartQuerySet, VisibleQuerySet

if TYPE_CHECKING:
    from intel.models.records import Arrest, CaseReferral, ShootingVictim


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
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_people",
        help_text="Set while this record is merged into another person; cleared by un-merge.",
    )
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
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

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

    objects = PersonPartQuerySet.as_manager()

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

    objects = PersonPartQuerySet.as_manager()

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


class PersonNameKey(models.Model):
    """Every name a person has been recorded under, normalised for search and entity resolution.

    ``last``/``first`` are upper-case letters only; ``last_sound``/``first_sound`` are phonetic
    keys (jellyfish metaphone). Search and blocking use these columns' b-tree indexes.
    """

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Name on the person record"
        ALIAS = "alias", "Alias"
        RECORDED = "recorded", "Name as recorded in a linked record"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    last = models.CharField(max_length=100)
    first = models.CharField(max_length=100, blank=True)
    last_sound = models.CharField(max_length=24)
    first_sound = models.CharField(max_length=24, blank=True)

    objects = PersonPartQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "last", "first"], name="intel_personnamekey_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["last", "first"],
                name="intel_namekey_name_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["last_sound", "first_sound"], name="intel_namekey_sound_idx"),
            models.Index(fields=["first_sound", "last_sound"], name="intel_namekey_swap_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.last}, {self.first}"


# The records entity resolution links to people: an arrest's arrestee, a shooting's victim, a
# case referral's defendant. A link or a review candidate names exactly one of them.
RESOLVED_SOURCES = ("arrest", "shooting_victim", "case")


def _exactly_one_source() -> models.Q:
    """Exactly one of ``RESOLVED_SOURCES`` is set."""
    condition = models.Q()
    for source in RESOLVED_SOURCES:
        condition |= models.Q(**{f"{other}__isnull": other != source for other in RESOLVED_SOURCES})
    return condition


class PersonLink(models.Model):
    """Why a record belongs to its person: the method, the score and each factor. The record is
    an arrest, a shooting victim or a case referral's defendant (exactly one is set).

    One row per record, replaced when the record is relinked (merge, un-merge, review).
    """

    class Method(models.TextChoices):
        IDENTIFIER = "identifier", "Same identifier"
        AUTO = "auto", "Automatic: score above the link threshold"
        REVIEWED = "reviewed", "Linked by an analyst from the review queue"
        NEW = "new", "No match: new person"
        MERGE = "merge", "Moved by a merge"
        MANUAL = "manual", "Linked by an analyst"
        ARREST = "arrest", "The person of the case's arrest"

    arrest = models.OneToOneField(
        "intel.Arrest", null=True, blank=True, on_delete=models.CASCADE, related_name="person_link"
    )
    shooting_victim = models.OneToOneField(
        "intel.ShootingVictim",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="person_link",
    )
    case = models.OneToOneField(
        "intel.CaseReferral",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="person_link",
        help_text="The case whose defendant this links.",
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links")
    method = models.CharField(max_length=16, choices=Method.choices)
    score = models.FloatField(null=True, blank=True, help_text="Match probability, 0 to 1.")
    factors = models.JSONField(
        default=list, blank=True, help_text="[{factor, detail, weight}], strongest first."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonPartQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one_source(), name="intel_personlink_source")
        ]

    def __str__(self) -> str:
        return f"{record_label(self)} -> person #{self.person_id} ({self.method})"

    @property
    def source(self) -> str:
        """Which of ``RESOLVED_SOURCES`` the record is."""
        return record_source(self)

    @property
    def record(self) -> Arrest | ShootingVictim | CaseReferral:
        return linked_record(self)


class MatchCandidate(models.Model):
    """The review queue: a record (an arrest, a shooting victim or a case's defendant; exactly
    one is set) that may be a known person, scored between the thresholds."""

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting review"
        LINKED = "linked", "Linked to this person"
        REJECTED = "rejected", "Not this person"
        SUPERSEDED = "superseded", "Decided on another candidate"

    arrest = models.ForeignKey(
        "intel.Arrest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_candidates",
    )
    shooting_victim = models.ForeignKey(
        "intel.ShootingVictim",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_candidates",
    )
    case = models.ForeignKey(
        "intel.CaseReferral",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_candidates",
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    factors = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrest", "person"], name="intel_matchcandidate_unique"
            ),
            models.UniqueConstraint(
                fields=["shooting_victim", "person"], name="intel_matchcandidate_victim_unique"
            ),
            models.UniqueConstraint(
                fields=["case", "person"], name="intel_matchcandidate_case_unique"
            ),
            models.CheckConstraint(
                condition=_exactly_one_source(), name="intel_matchcandidate_source"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="intel_match_queue_idx")]

    def __str__(self) -> str:
        return f"{record_label(self)} ~ person #{self.person_id} ({self.score:.2f})"

    @property
    def source(self) -> str:
        """Which of ``RESOLVED_SOURCES`` the record is."""
        return record_source(self)

    @property
    def record(self) -> Arrest | ShootingVictim | CaseReferral:
        return linked_record(self)


def record_source(row: PersonLink | MatchCandidate) -> str:
    """Which of ``RESOLVED_SOURCES`` a link or a candidate is about."""
    if row.shooting_victim_id is not None:
        return "shooting_victim"
    if row.case_id is not None:
        return "case"
    return "arrest"


def linked_record(row: PersonLink | MatchCandidate) -> Arrest | ShootingVictim | CaseReferral:
    """The arrest, shooting victim or case a link or a candidate is about."""
    found: Arrest | ShootingVictim | CaseReferral | None = getattr(row, record_source(row))
    assert found is not None  # the check constraint: exactly one is set
    return found


def record_label(row: PersonLink | MatchCandidate) -> str:
    """Which record a link or a candidate is about, for ``__str__``."""
    labels = {"arrest": "Arrest", "shooting_victim": "Shooting victim", "case": "Case"}
    source = record_source(row)
    return f"{labels[source]} #{getattr(row, f'{source}_id')}"


class PersonMerge(models.Model):
    """One merge of two person records, with what it moved, so un-merge restores it exactly.

    ``snapshot`` holds the merged person's fields and the ids of every row that pointed at it
    (arrests, links, aliases, identifiers, name keys, cases, shootings, shooting victims, intel,
    memberships), and the survivor's fields before the merge.
    """

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_in")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_out")
    reason = models.TextField()
    snapshot = models.JSONField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerge_reason = models.TextField(blank=True)

    objects = PersonMergeQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at", "-id"]
        permissions = [("merge_person", "Can merge and un-merge person records")]

    def __str__(self) -> str:
        return f"Person #{self.merged_id} merged into #{self.survivor_id}"
