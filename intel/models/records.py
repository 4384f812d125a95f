"""The records agencies send: incidents and their offenses, arrests and their charges, case
referrals and their charges, shootings and their victims, and calls for service.

Many agencies export one row per offense, per charge or per victim: the import folds the rows
that share a record id into one record and keeps every row's part in a child table
(``IncidentOffense``, ``ArrestCharge``, ``CaseCharge``, ``ShootingVictim``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from intel.choices import CaseStatus, ChargeSeverity, OffenseCategory, Race, Sex
from intel.models.base import Located, SourceRecord


class Incident(SourceRecord, Located):
    """A reported crime: what the police recorded happened, when and where."""

    occurred_at = models.DateTimeField(db_index=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    offense_code = models.CharField(max_length=32, blank=True, help_text="As the agency codes it.")
    offense_description = models.CharField(max_length=255, blank=True)
    category = models.CharField(
        max_length=16,
        choices=OffenseCategory.choices,
        default=OffenseCategory.OTHER,
        db_index=True,
    )
    nibrs_code = models.CharField("NIBRS code", max_length=8, blank=True)
    firearm = models.BooleanField(default=False)
    domestic = models.BooleanField(default=False)
    # The person the record is about (stops and field contacts), as the agency recorded them.
    subject_sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    subject_race = models.CharField(max_length=20, choices=Race.choices, blank=True)
    subject_ethnicity = models.CharField(max_length=40, blank=True)
    subject_age = models.PositiveSmallIntegerField(null=True, blank=True)
    subject_age_group = models.CharField(max_length=16, blank=True)

    class Meta(SourceRecord.Meta):
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["category", "occurred_at"], name="intel_incident_cat_idx")]


class IncidentOffense(models.Model):
    """One offense of an incident. ``sequence`` 1 is the lead offense (the most serious by
    ``intel.records.offenses.SERIOUSNESS``), whose values the incident row repeats."""

    # No database constraint (as for SourceRecord.data_import): the import writes the parts
    # with COPY in the transaction that writes their records. A check per part locked its
    # record's row at commit, writing the whole table again (half the import's time at a
    # million rows). Deletes still cascade through the ORM; a rollback deletes parts first.
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="offenses", db_constraint=False
    )
    sequence = models.PositiveSmallIntegerField(default=1)
    offense_code = models.CharField(max_length=32, blank=True)
    offense_description = models.CharField(max_length=255, blank=True)
    category = models.CharField(
        max_length=16, choices=OffenseCategory.choices, default=OffenseCategory.OTHER
    )
    nibrs_code = models.CharField("NIBRS code", max_length=8, blank=True)
    firearm = models.BooleanField(default=False)
    domestic = models.BooleanField(default=False)
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "sequence"], name="intel_incidentoffense_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.offense_description or self.offense_code}"


class Arrest(SourceRecord, Located):
    """An arrest: the name and details as the police recorded them, and the person they were
    resolved to (entity resolution fills ``person``)."""

    arrested_at = models.DateTimeField(db_index=True)
    person = models.ForeignKey(
        "intel.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="arrests"
    )
    name_as_recorded = models.CharField(
        max_length=200, blank=True, help_text='"LAST, FIRST M"; empty in de-identified extracts.'
    )
    dob_as_recorded = models.DateField(null=True, blank=True)
    state_id_as_recorded = models.CharField(max_length=40, blank=True)
    fbi_number_as_recorded = models.CharField(max_length=40, blank=True)
    booking_number = models.CharField(max_length=40, blank=True)
    ethnicity = models.CharField(max_length=40, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    race = models.CharField(max_length=20, choices=Race.choices, default=Race.UNKNOWN)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    age_group = models.CharField(max_length=16, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="arrests"
    )

    class Meta(SourceRecord.Meta):
        ordering = ["-arrested_at", "-id"]


class ArrestCharge(models.Model):
    """One charge of an arrest, in the order the police listed them (the first is the top)."""

    # No database constraint: see IncidentOffense.incident.
    arrest = models.ForeignKey(
        Arrest, on_delete=models.CASCADE, related_name="charges", db_constraint=False
    )
    sequence = models.PositiveSmallIntegerField(default=1)
    statute = models.CharField(max_length=64, blank=True, help_text='e.g. "PL 120.05".')
    offense_code = models.CharField(max_length=32, blank=True)
    description = models.CharField(max_length=255, blank=True)
    category = models.CharField(
        max_length=16, choices=OffenseCategory.choices, default=OffenseCategory.OTHER
    )
    severity = models.CharField(
        max_length=16, choices=ChargeSeverity.choices, default=ChargeSeverity.UNKNOWN
    )

    class Meta:
        ordering = ["arrest", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrest", "sequence"], name="intel_arrestcharge_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.statute} {self.description}".strip()


class CaseReferral(SourceRecord):
    """A case the police referred to the prosecutor's office, and where it stands."""

    case_number = models.CharField(max_length=40, db_index=True)
    referred_at = models.DateTimeField(db_index=True)
    defendant = models.ForeignKey(
        "intel.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    arrest = models.ForeignKey(
        Arrest, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_referrals"
    )
    status = models.CharField(
        max_length=16, choices=CaseStatus.choices, default=CaseStatus.REFERRED
    )
    top_charge = models.CharField(max_length=255, blank=True)
    category = models.CharField(
        max_length=16, choices=OffenseCategory.choices, default=OffenseCategory.OTHER
    )
    disposition_at = models.DateTimeField(null=True, blank=True)
    disposition = models.CharField(max_length=100, blank=True, help_text="As the source says.")
    # The defendant as the referral recorded them; entity resolution fills ``defendant``.
    defendant_name_as_recorded = models.CharField(max_length=200, blank=True)
    defendant_dob_as_recorded = models.DateField(null=True, blank=True)
    defendant_state_id_as_recorded = models.CharField(max_length=40, blank=True)
    defendant_fbi_number_as_recorded = models.CharField(max_length=40, blank=True)
    defendant_sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    defendant_race = models.CharField(max_length=20, choices=Race.choices, default=Race.UNKNOWN)
    referring_agency = models.CharField(max_length=120, blank=True)
    arrest_number = models.CharField(
        max_length=100, blank=True, help_text="The arrest's record id, where the extract gives it."
    )
    charging_decision = models.CharField(max_length=100, blank=True)
    charging_decision_at = models.DateTimeField(null=True, blank=True)
    assigned_prosecutor = models.CharField(
        max_length=120, blank=True, help_text="As the extract names them."
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(SourceRecord.Meta):
        ordering = ["-referred_at", "-id"]

    def __str__(self) -> str:
        return f"Case {self.case_number}"


class CaseCharge(models.Model):
    """One charge of a case referral, in the order the extract gave them (1 is the lead)."""

    # No database constraint: see IncidentOffense.incident.
    case = models.ForeignKey(
        CaseReferral, on_delete=models.CASCADE, related_name="charges", db_constraint=False
    )
    sequence = models.PositiveSmallIntegerField(default=1)
    statute = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=255, blank=True)
    category = models.CharField(
        max_length=16, choices=OffenseCategory.choices, default=OffenseCategory.OTHER
    )
    severity = models.CharField(
        max_length=16, choices=ChargeSeverity.choices, default=ChargeSeverity.UNKNOWN
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "sequence"], name="intel_casecharge_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.statute} {self.description}".strip()


class Shooting(SourceRecord, Located):
    """A shooting incident and its victims (``ShootingVictim``); counted apart from incidents,
    as units report it. ``fatal`` is true when any victim died; the ``victim_*`` columns repeat
    the first victim's, for lists that show one line per shooting."""

    occurred_at = models.DateTimeField(db_index=True)
    fatal = models.BooleanField(default=False)
    victim_count = models.PositiveSmallIntegerField(default=1)
    fatal_count = models.PositiveSmallIntegerField(default=0)
    victim = models.ForeignKey(
        "intel.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shootings_as_victim",
        help_text="The first victim's person (every victim's is on ShootingVictim).",
    )
    victim_age = models.PositiveSmallIntegerField(null=True, blank=True)
    victim_sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    victim_race = models.CharField(max_length=20, choices=Race.choices, default=Race.UNKNOWN)
    victim_ethnicity = models.CharField(max_length=40, blank=True)

    class Meta(SourceRecord.Meta):
        ordering = ["-occurred_at", "-id"]


class ShootingVictim(models.Model):
    """One victim of a shooting, as the extract gives them. Being a victim is never an offender
    fact: briefs and scores read arrests and cases, never this table."""

    # No database constraint: see IncidentOffense.incident.
    shooting = models.ForeignKey(
        Shooting, on_delete=models.CASCADE, related_name="victims", db_constraint=False
    )
    sequence = models.PositiveSmallIntegerField(default=1)
    person = models.ForeignKey(
        "intel.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="victimisations",
    )
    name_as_recorded = models.CharField(max_length=200, blank=True)
    dob_as_recorded = models.DateField(null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    age_group = models.CharField(max_length=16, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    race = models.CharField(max_length=20, choices=Race.choices, default=Race.UNKNOWN)
    ethnicity = models.CharField(max_length=40, blank=True)
    fatal = models.BooleanField(default=False)
    injury = models.CharField(max_length=100, blank=True, help_text="Wound, as recorded.")
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["shooting", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["shooting", "sequence"], name="intel_shootingvictim_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Victim {self.sequence} of {self.shooting_id}"


class CallForService(SourceRecord, Located):
    """A call to dispatch (911 or non-emergency) and how it was closed."""

    received_at = models.DateTimeField(db_index=True)
    call_type = models.CharField(max_length=100, blank=True)
    priority = models.CharField(max_length=16, blank=True)
    disposition = models.CharField(max_length=100, blank=True)

    class Meta(SourceRecord.Meta):
        ordering = ["-received_at", "-id"]
        verbose_name = "call for service"
        verbose_name_plural = "calls for service"
