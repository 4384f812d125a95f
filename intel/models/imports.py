"""Imports of police data extracts: the import itself, saved column mappings, the offense lookup
and the before-image of every record an import changed (so an import can be rolled back)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from intel.choices import OffenseCategory
from intel.models.base import Agency
from intel.querysets import VisibleQuerySet


class ImportKind(models.TextChoices):
    INCIDENTS = "incidents", "Incidents"
    ARRESTS = "arrests", "Arrests"
    SHOOTINGS = "shootings", "Shootings"
    CALLS = "calls", "Calls for service"
    CASES = "cases", "Case referrals"


class DataImport(models.Model):
    """One uploaded extract and what became of it.

    The file is kept privately (never served) under its sha256. A failed import leaves this row
    with its error and nothing else. Re-uploading identical bytes for the same agency and kind is
    recognised (``duplicate_of``) and writes nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for its mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Imported"
        DUPLICATE = "duplicate", "Already imported"
        FAILED = "failed", "Failed"
        ROLLED_BACK = "rolled_back", "Rolled back"

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=100, help_text="File name in the private store.")
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.BigIntegerField(default=0)
    sheet = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    mapping = models.JSONField(default=dict, blank=True, help_text="Field → source column(s).")
    mapping_notes = models.JSONField(default=dict, blank=True, help_text="Why each was chosen.")
    profile = models.ForeignKey(
        "intel.MappingProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    folded = models.PositiveIntegerField(
        default=0,
        help_text="Rows folded into another row's record (a further offense, charge or victim).",
    )
    parts = models.PositiveIntegerField(
        default=0, help_text="Offenses, charges or victims written with the records."
    )
    rejects = models.JSONField(default=list, blank=True, help_text="[row, field, reason] lists.")
    quality = models.JSONField(default=dict, blank=True, help_text="Geocode-quality counts.")
    phase = models.CharField(max_length=32, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    # Retention: the extract file goes CSU_IMPORT_FILE_RETENTION_DAYS after the import finishes,
    # the before-images (rollback snapshot) when the CSU_IMPORT_ROLLBACK_DAYS window closes.
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    snapshot_deleted_at = models.DateTimeField(null=True, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("rollback_dataimport", "Can roll back an import")]
        constraints = [
            # One successful import per file, agency and kind, even under concurrent uploads.
            models.UniqueConstraint(
                fields=["agency", "kind", "sha256", "sheet"],
                condition=Q(status="succeeded"),
                name="intel_dataimport_one_success_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.original_name}"

    # What the records of each kind are called, and their parts (rows folded into a record).
    NOUNS: ClassVar[dict[str, tuple[str, str]]] = {
        "incidents": ("incidents", "offenses"),
        "arrests": ("arrests", "charges"),
        "shootings": ("shootings", "victims"),
        "cases": ("cases", "charges"),
        "calls": ("calls", ""),
    }

    @property
    def records(self) -> int:
        """Records the file holds once its rows are folded: created, updated or unchanged."""
        return self.created + self.updated + self.unchanged

    @property
    def outcome(self) -> str:
        """E.g. "10,994 rows → 9,696 incidents (1,298 further offenses)"."""
        records, parts = self.NOUNS.get(self.kind, ("records", ""))
        line = f"{self.rows:,} rows → {self.records:,} {records}"
        if self.folded and parts:
            line += f" ({self.folded:,} further {parts})"
        if self.rejected:
            line += f"; {self.rejected:,} rejected"
        return line


class MappingProfile(models.Model):
    """A saved column mapping for one agency and kind, reused automatically next time."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    name = models.CharField(max_length=100)
    mapping = models.JSONField(help_text="Field → source column(s), plus options.")
    headers = models.JSONField(default=list, help_text="The headers it was saved from.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "name"], name="intel_profile_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency}, {self.get_kind_display()})"


class OffenseMapping(models.Model):
    """The editable lookup from an offense as agencies write it to our category and NIBRS code.

    ``pattern`` is matched against the upper-cased offense description (and code): an exact
    match first, then the longest pattern the text starts with, then the longest it contains.
    """

    pattern = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=OffenseCategory.choices)
    nibrs_code = models.CharField("NIBRS code", max_length=8, blank=True)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Only for this agency's extracts; empty for all agencies.",
    )
    builtin = models.BooleanField(default=False)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["pattern"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "pattern"], nulls_distinct=False, name="intel_offense_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pattern} → {self.category}"


class ImportChange(models.Model):
    """The row as it was before an import changed it: what rolling the import back restores."""

    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="changes")
    table = models.CharField(max_length=63)
    record_id = models.BigIntegerField()
    before = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["data_import", "table"])]

    def __str__(self) -> str:
        return f"{self.table} #{self.record_id} before import #{self.data_import_id}"
