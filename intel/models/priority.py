"""Priority offenders: the transparent candidate score and its versioned configuration, the
designation workflow with its history, probation and parole status, and the office's
alternative-treatment rules. Nothing here is a basis for detention or arrest
(``DESIGNATION_CAVEAT``); every page that shows a designation says so."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinLengthValidator, MinValueValidator
from django.db import models

from intel.choices import OffenseCategory
from intel.querysets import PersonFactQuerySet, VisibleQuerySet

DESIGNATION_CAVEAT = (
    "A priority designation is an internal prioritisation aid for prosecutors. "
    "It is not a basis for detention or arrest."
)

# The factors a score may weigh, in the order they are shown. ``shooting_victimisation`` is
# shown apart and weighs nothing unless the office opts in (``ScoreConfig.count_victimisation``).
SCORE_FACTORS = (
    "violent_arrests",
    "violent_incidents",
    "firearm",
    "recent_arrest",
    "open_cases",
    "supervision",
    "shooting_victimisation",
)


class ScoreConfig(models.Model):
    """One version of the score's weights and windows. Never edited: a change saves a new
    version (``intel.people.priority.services``), so every stored score keeps the weights that
    made it. The newest version is the one in force."""

    version = models.PositiveIntegerField(unique=True)
    # {factor name: weight}, every name of SCORE_FACTORS present.
    weights = models.JSONField()
    window_years = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Arrests, incidents and firearm records count when within this many years.",
    )
    recent_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1)],
        help_text="'Recent arrest' counts when the latest arrest is within this many months.",
    )
    count_victimisation = models.BooleanField(
        default=False,
        help_text="Only by the office's explicit choice does being shot add to the score.",
    )
    note = models.TextField(help_text="Why this version was made.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Score version {self.version}"


class PriorityScore(models.Model):
    """A person's candidate score under one config version, with every factor and the ids of
    the records behind it: ``factors`` is ``[{name, value, weight, contribution, records:
    [{type, id}]}]`` and the contributions sum to ``score``. People whose factors are all zero
    get no row."""

    person = models.ForeignKey(
        "intel.Person", on_delete=models.CASCADE, related_name="priority_scores"
    )
    config = models.ForeignKey(ScoreConfig, on_delete=models.PROTECT, related_name="scores")
    score = models.FloatField()
    factors = models.JSONField()
    computed_at = models.DateTimeField()

    objects = PersonFactQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "person_id"]
        permissions = [("list_candidates", "Can see the ranked list of candidates")]
        constraints = [
            models.UniqueConstraint(fields=["config", "person"], name="intel_priorityscore_unique")
        ]
        indexes = [models.Index(fields=["config", "-score"], name="intel_priorityscore_rank_idx")]

    def __str__(self) -> str:
        return f"Person #{self.person_id}: {self.score:g} (v{self.config_id})"


class SupervisionStatus(models.Model):
    """Probation or parole, where known: entered by staff from the supervising agency's word,
    with that agency's reference."""

    class Kind(models.TextChoices):
        PROBATION = "probation", "Probation"
        PAROLE = "parole", "Parole"

    person = models.ForeignKey("intel.Person", on_delete=models.CASCADE, related_name="supervision")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    agency = models.CharField(max_length=200, help_text="The supervising agency.")
    reference = models.CharField(
        max_length=64, blank=True, help_text="The supervising agency's number for the term."
    )
    officer = models.CharField(max_length=200, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonFactQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name_plural = "supervision statuses"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.agency})"


class PriorityDesignation(models.Model):
    """A person designated a priority offender: proposed with a reason, approved or rejected by
    a supervisor who is not the proposer (the database refuses self-approval too), expiring
    twelve months after approval or renewal. ``basis`` snapshots the score and factors the
    proposal rested on. Its history is ``events``."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed, awaiting a supervisor"
        ACTIVE = "active", "Designated"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        REMOVED = "removed", "Removed"

    person = models.ForeignKey(
        "intel.Person", on_delete=models.PROTECT, related_name="designations"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    reason = models.TextField(validators=[MinLengthValidator(20)])
    basis = models.JSONField(
        default=dict, blank=True, help_text="{score, version, factors} when proposed."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The latest renewal request (fresh justification, by whom and when) and its approval; a
    # request is pending while ``renewed_at`` is older than it. The history is in ``events``.
    renewal_reason = models.TextField(blank=True)
    renewal_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    renewal_requested_at = models.DateTimeField(null=True, blank=True)
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    renewed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.TextField(blank=True)

    objects = PersonFactQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        permissions = [("decide_prioritydesignation", "Can approve or reject designations")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("proposed_by")),
                name="intel_designation_not_self_approved",
            ),
            models.CheckConstraint(
                condition=~models.Q(renewed_by=models.F("renewal_requested_by")),
                name="intel_designation_renewal_not_self",
            ),
            # One open designation per person: proposed or active.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["proposed", "active"]),
                name="intel_designation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Designation #{self.pk} of person #{self.person_id} ({self.status})"


class DesignationEvent(models.Model):
    """One step in a designation's life, append-only: proposed, approved, rejected, renewal
    requested, renewed, challenged, challenge decided, removed, expired."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        RENEWAL_REQUESTED = "renewal_requested", "Renewal requested"
        RENEWED = "renewed", "Renewed"
        RENEWAL_REFUSED = "renewal_refused", "Renewal refused"
        CHALLENGED = "challenged", "Challenged"
        CHALLENGE_UPHELD = "challenge_upheld", "Challenge upheld: removed"
        CHALLENGE_DENIED = "challenge_denied", "Challenge denied"
        REMOVED = "removed", "Removed"
        EXPIRED = "expired", "Expired"

    designation = models.ForeignKey(
        PriorityDesignation, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    reason = models.TextField(blank=True)
    # Who filed a challenge (counsel or the person, as named); blank for other events.
    filed_by = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d})"


class TreatmentRule(models.Model):
    """An alternative-treatment eligibility rule of the office's charging guidelines (e.g.
    diversion for non-violent drug cases with no connection to violence). Each criterion left
    blank is not applied; the brief shows, for each one applied, whether the person meets it
    and the records that decide it."""

    name = models.CharField(max_length=120, unique=True)
    treatment = models.CharField(max_length=120, help_text='e.g. "Drug court diversion".')
    guideline = models.TextField(help_text="The charging guideline it implements, in words.")
    active = models.BooleanField(default=True)
    lookback_years = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1)])
    open_case_categories = ArrayField(
        models.CharField(max_length=16, choices=OffenseCategory.choices),
        default=list,
        blank=True,
        help_text="The person has an open case, and every open case is in these categories.",
    )
    max_violent_arrests = models.PositiveSmallIntegerField(null=True, blank=True)
    max_arrests = models.PositiveSmallIntegerField(null=True, blank=True)
    no_firearm = models.BooleanField(
        default=False, help_text="No firearm or weapons record within the lookback."
    )
    no_violent_group = models.BooleanField(
        default=False, help_text="No approved membership of a group with a violent predicate."
    )
    not_designated = models.BooleanField(
        default=False, help_text="Not currently designated a priority offender."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ZoneAssignment(models.Model):
    """A prosecutor's zones: their home lists the designated people with records there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="zone_assignments"
    )
    zone = models.ForeignKey("intel.Zone", on_delete=models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["user", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["user", "zone"], name="intel_zoneassignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.zone}"
