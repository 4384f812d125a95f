"""Choices shared by the record models, the importers and the analysis code."""

from __future__ import annotations

from django.db import models


class OffenseCategory(models.TextChoices):
    """The normalised offense category every incident, arrest charge and case carries."""

    VIOLENT = "violent", "Violent"
    PROPERTY = "property", "Property"
    DRUG = "drug", "Drug"
    WEAPONS = "weapons", "Weapons"
    PUBLIC_ORDER = "public_order", "Public order"
    OTHER = "other", "Other"


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    NONBINARY = "X", "Non-binary"
    UNKNOWN = "U", "Unknown"


class Race(models.TextChoices):
    """Census-like race and ethnicity categories, as police extracts commonly record them."""

    WHITE = "white", "White"
    BLACK = "black", "Black or African American"
    HISPANIC = "hispanic", "Hispanic or Latino"
    ASIAN = "asian", "Asian"
    NATIVE_AMERICAN = "native_american", "American Indian or Alaska Native"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Other Pacific Islander"
    MULTIRACIAL = "multiracial", "Two or more races"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class GeocodeQuality(models.TextChoices):
    """How far a record's coordinates can be trusted; only ``ok`` points go on maps as exact."""

    OK = "ok", "OK"
    MISSING = "missing", "Missing"
    ZERO = "zero", "Zero (0, 0)"
    OUTSIDE_EXTENT = "outside_extent", "Outside the jurisdiction"
    STACKED = "stacked", "Stacked on a default point"
    LOW_PRECISION = "low_precision", "Low precision"


class ChargeSeverity(models.TextChoices):
    FELONY = "felony", "Felony"
    MISDEMEANOR = "misdemeanor", "Misdemeanor"
    VIOLATION = "violation", "Violation"
    UNKNOWN = "unknown", "Unknown"


class CaseStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    CHARGED = "charged", "Charged"
    DECLINED = "declined", "Declined"
    PLEADED = "pleaded", "Pleaded"
    CONVICTED = "convicted", "Convicted"
    DISMISSED = "dismissed", "Dismissed"
    ACQUITTED = "acquitted", "Acquitted"
