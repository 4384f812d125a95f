"""The analysis reads in a fixed number of queries, however many zones, categories and cells:
counting is grouped in the database, never a query per row."""

from __future__ import annotations

from datetime import date, timedelta

import h3
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.analysis.compstat import compstat_list, compstat_totals
from dashboards.analysis.hotspots import HotspotFilter, hotspot_list
from dashboards.analysis.spikes import spike_list
from tests.dashboards.records import plant_incidents
from tests.factories import ZoneFactory, ZoneLayerFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 5, 7)


def _queries(analyst, name: str, zones: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    layer = ZoneLayerFactory(name=name)
    for z in range(zones):
        zone = ZoneFactory(layer=layer, key=f"{name}-{z}")
        cell = h3.latlng_to_cell(40.6 + z * 0.02, -73.9, 9)
        for category in ("violent", "drug"):
            plant_incidents(2, day=AS_OF, zone=zone, cell=cell, category=category)
            plant_incidents(1, day=AS_OF - timedelta(days=364), zone=zone, category=category)
    reads = {
        "compstat": lambda: compstat_list(actor=analyst, layer=layer.name, as_of=AS_OF),
        "totals": lambda: compstat_totals(actor=analyst, layer=layer.name, as_of=AS_OF),
        "spikes": lambda: spike_list(actor=analyst, layer=layer.name, as_of=AS_OF),
        "hotspots": lambda: hotspot_list(
            actor=analyst, where=HotspotFilter(first=AS_OF, last=AS_OF)
        ),
    }
    counts = {}
    for name, read in reads.items():
        with CaptureQueriesContext(connection) as captured:
            assert read()
        counts[name] = len(captured)
    return counts


def test_the_analysis_reads_take_the_same_queries_for_one_zone_or_six(analyst) -> None:
    _queries(analyst, "warm", 1)  # fills the actor's permission cache

    one, six = _queries(analyst, "one", 1), _queries(analyst, "six", 6)

    assert one == six
    assert six == {"compstat": 2, "totals": 4, "spikes": 3, "hotspots": 3}


def test_the_records_of_a_layer_are_picked_by_zone_ids_not_by_a_join_through_the_layer(
    analyst,
) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL plans a join through the (rarely analysed) zones table as one zone and then
    reads the records once per zone: 5x slower at 1,000,000 incidents (``scope.in_layer``)."""
    layer = ZoneLayerFactory(name="ids")
    zones = [ZoneFactory(layer=layer, key=f"ids-{z}") for z in range(3)]
    plant_incidents(2, day=AS_OF, zone=zones[0], category="violent")
    with CaptureQueriesContext(connection) as captured:
        spike_list(actor=analyst, layer=layer.name, as_of=AS_OF)
        compstat_totals(actor=analyst, layer=layer.name, as_of=AS_OF)
    counting = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counting
    for sql in counting:
        assert '"intel_zone"."layer_id"' not in sql, sql
        assert '"zone_id" IN (' in sql, sql
