"""Partner agencies of every kind, the people to reach there, and the data-sharing agreements
(MOUs) that decide what may go to them.

A partner that also sends or receives records (a police department, a fusion centre) is linked to
the ``intel.Agency`` that names it on records and dissemination logs; a social-services or
community partner has no such link. Whether an agency may receive intelligence, e-mailed alerts or
research exports is read from its agreements (``partnerships.agreements``), never from a date on
the agency row.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from intel.querysets import VisibleQuerySet


class PartnerAgency(models.Model):
    """An organisation the unit works with."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        PROBATION_PAROLE = "probation_parole", "Probation / parole"
        SOCIAL_SERVICES = "social_services", "Social services"
        OUTREACH = "outreach", "Outreach / violence interruption"
        COMMUNITY = "community", "Community organisation"
        RESEARCH = "research", "Research partner"
        FUSION_CENTRE = "fusion_centre", "Fusion centre"
        COURT = "court", "Court"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    agency = models.OneToOneField(
        "intel.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner",
        help_text="The agency as it appears on records and dissemination logs, if it has one.",
    )
    is_law_enforcement = models.BooleanField(
        default=False, help_text="Intelligence goes only to law enforcement (28 CFR 23.20(e))."
    )
    address = models.CharField(max_length=255, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner agencies"

    def __str__(self) -> str:
        return self.name


class PartnerContact(models.Model):
    """A person to reach at a partner agency. Contact details are for staff only."""

    partner = models.ForeignKey(PartnerAgency, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=120, blank=True, help_text="e.g. 'Victim services lead'.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"


class Agreement(models.Model):
    """A data-sharing agreement (MOU) with one partner: what it permits, for how long, and the
    signed document (kept privately under its sha256, never served as a static file)."""

    class Use(models.TextChoices):
        INTEL_DISSEMINATION = "intel_dissemination", "Receive criminal intelligence"
        ALERT_EMAIL = "alert_email", "Receive arrest alerts by e-mail"
        RESEARCH_EXPORT = "research_export", "Receive research exports"
        RECORD_EXCHANGE = "record_exchange", "Exchange police records"
        VICTIM_REFERRAL = "victim_referral", "Receive victim-service referrals"

    class Category(models.TextChoices):
        INTELLIGENCE = "intelligence", "Criminal intelligence"
        ARRESTS = "arrests", "Arrests"
        INCIDENTS = "incidents", "Incidents"
        CASES = "cases", "Case referrals"
        VICTIMS = "victims", "Victim contact details"
        AGGREGATES = "aggregates", "Aggregated statistics only"

    partner = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(max_length=200)
    permitted_uses = ArrayField(models.CharField(max_length=24, choices=Use.choices), default=list)
    data_categories = ArrayField(
        models.CharField(max_length=16, choices=Category.choices), default=list
    )
    retention = models.CharField(
        max_length=300, blank=True, help_text="How long the partner may keep what it receives."
    )
    starts_on = models.DateField()
    expires_on = models.DateField(help_text="The last day the agreement is in force.")
    reminder_days = models.PositiveSmallIntegerField(
        default=60, help_text="Remind the owner this many days before expiry."
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    document_name = models.CharField(max_length=200, blank=True, help_text="As uploaded.")
    document_stored_name = models.CharField(max_length=100, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who keeps it current and receives the expiry reminder.",
    )
    terminated_at = models.DateTimeField(null=True, blank=True)
    termination_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("starts_on")),
                name="partnerships_agreement_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.partner})"
