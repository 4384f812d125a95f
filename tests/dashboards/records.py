"""Planting records for the analysis tests: many at once (one INSERT), at a local day and hour,
in a zone or an H3 cell."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import h3
from django.utils import timezone

from intel.models import Agency, Incident, Zone
from intel.signals import records_changed
from tests.factories import AgencyFactory, IncidentFactory


def at(day: date, hour: int = 12) -> datetime:
    """``hour`` o'clock local time on ``day`` (the office's time zone)."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def plant_incidents(
    n: int,
    *,
    day: date,
    hour: int = 12,
    zone: Zone | None = None,
    cell: str | None = None,
    agency: Agency | None = None,
    **fields: Any,
) -> list[Incident]:
    """``n`` incidents on a local day; placed at ``cell``'s centre (with its stored r7/r9
    cells) when given."""
    agency = agency or AgencyFactory()
    if cell is not None:
        lat, lon = h3.cell_to_latlng(cell)
        fields |= {
            "latitude": lat,
            "longitude": lon,
            "h3_r9": h3.latlng_to_cell(lat, lon, 9),
            "h3_r7": h3.latlng_to_cell(lat, lon, 7),
        }
    built = IncidentFactory.build_batch(
        n, source_agency=agency, occurred_at=at(day, hour), zone=zone, **fields
    )
    planted = Incident.objects.bulk_create(built)
    # A bulk write, like an import: it says so, so cached analysis results are recounted.
    records_changed.send(sender="plant_incidents")
    return planted
