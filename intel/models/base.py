"""Agencies, zone boundaries, and the abstract parts every source record shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from intel.choices import GeocodeQuality
from intel.geo import point_in_geometry
from intel.querysets import VisibleQuerySet


class Agency(models.Model):
    """An organisation that sends records or issues identifiers: a police department, the
    prosecutor's office, a state or federal agency. Records are unique per agency and source id."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police department"
        PROSECUTOR = "prosecutor", "Prosecutor's office"
        SHERIFF = "sheriff", "Sheriff's office"
        STATE = "state", "State agency"
        FEDERAL = "federal", "Federal agency"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.POLICE)
    is_law_enforcement = models.BooleanField(default=True)
    agreement_signed_at = models.DateField(
        null=True,
        blank=True,
        help_text="When the information-sharing agreement was signed: intelligence goes outside "
        "the unit only to law-enforcement agencies with one on file (28 CFR 23.20(f)).",
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="IANA time zone of the agency's local times (empty: the office's own).",
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class ZoneLayer(models.Model):
    """A set of boundaries imported together, e.g. police precincts or council districts."""

    name = models.SlugField(max_length=64, unique=True, help_text='e.g. "precincts".')
    label = models.CharField(max_length=120)
    key_field = models.CharField(
        max_length=64, blank=True, help_text="The source attribute that identifies each zone."
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    source_crs = models.CharField(max_length=64, default="EPSG:4326")
    priority = models.PositiveSmallIntegerField(
        default=100, help_text="Where layers overlap, a point goes to the lower number's zone."
    )
    feature_count = models.PositiveIntegerField(
        default=0, help_text="Features in the last imported file, before dissolving by key."
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label or self.name


class Zone(models.Model):
    """One boundary of a layer (a precinct, a beat), stored as GeoJSON in WGS84 with its bbox
    so point-in-zone tests can skip most zones cheaply."""

    layer = models.ForeignKey(ZoneLayer, on_delete=models.CASCADE, related_name="zones")
    key = models.CharField(max_length=64, help_text='The source\'s identifier, e.g. "104".')
    name = models.CharField(max_length=200, blank=True)
    geometry = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon, WGS84 (lon, lat).")
    min_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lat = models.FloatField()
    max_lon = models.FloatField()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["layer", "key"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "key"], name="intel_zone_layer_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})" if self.name else self.key

    def contains(self, lat: float, lon: float) -> bool:
        """Is the point inside this zone's polygon?"""
        if not (self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon):
            return False
        return point_in_geometry(lon, lat, self.geometry)


class SourceRecord(models.Model):
    """What every record sent by an agency has: who sent it, their id for it, and the raw row.

    ``(source_agency, source_id)`` is unique, so re-importing an extract updates, never
    duplicates.
    """

    # No database constraint (nor on ``Located.zone``): an import COPYs a million rows and the
    # constraint's trigger looked the agency (and zone) up once per row, several times the cost
    # of writing the row. The loader resolves both before writing; Django still enforces
    # ``on_delete`` (an agency with records cannot be deleted; a deleted zone's records lose it).
    source_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    source_id = models.CharField(max_length=100, help_text="The agency's own id for the record.")
    raw = models.JSONField(default=dict, blank=True, help_text="The source row as received.")
    source_row = models.PositiveIntegerField(
        null=True, blank=True, help_text="Row number in the imported file."
    )
    # The import that last wrote the record, and the one that first created it. No database
    # constraint: imports load with COPY and the rows must not pay a foreign-key check each.
    data_import = models.ForeignKey(
        "intel.DataImport",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    first_import = models.ForeignKey(
        "intel.DataImport",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    row_hash = models.BigIntegerField(
        null=True, blank=True, help_text="Hash of the normalised values: unchanged rows skip."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["source_agency", "source_id"], name="%(app_label)s_%(class)s_source_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.source_id}"


class Located(models.Model):
    """Where a record happened: the address as given, coordinates, how trustworthy they are,
    and the zone and H3 cells derived from them."""

    address = models.CharField(max_length=255, blank=True, help_text="Address or block.")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    geocode_quality = models.CharField(
        max_length=16,
        choices=GeocodeQuality.choices,
        default=GeocodeQuality.MISSING,
        help_text="Set by the import; until coordinates are checked they count as missing.",
    )
    zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False
    )
    h3_r7 = models.CharField(max_length=16, blank=True)
    h3_r9 = models.CharField(max_length=16, blank=True)
    district = models.CharField(
        max_length=64, blank=True, help_text="The source's own district or beat."
    )

    class Meta:
        abstract = True
