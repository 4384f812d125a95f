"""Gi* hotspots: a planted cluster comes out hot, uniform noise stays within the FDR level, and
records with a bad geocode are left out (and counted) unless asked for."""

from __future__ import annotations

from datetime import date, timedelta

import h3
import numpy as np
import pytest

from dashboards.analysis.getis_ord import gi_star, study_area
from dashboards.analysis.hotspots import HotspotFilter, hotspot_geojson, hotspot_list
from intel.models import Incident
from tests.dashboards.records import at, plant_incidents
from tests.factories import AgencyFactory, IncidentFactory

pytestmark = pytest.mark.django_db

DAY = date(2025, 6, 2)
CENTRE = h3.latlng_to_cell(40.70, -73.95, 8)
EVERYTHING = HotspotFilter(first=DAY - timedelta(days=30), last=DAY)


def _plant_counts(counts: dict[str, int], **fields) -> None:  # type: ignore[no-untyped-def]
    """``counts[cell]`` incidents at each resolution-8 cell's centre, in one INSERT."""
    agency = AgencyFactory()
    built = []
    for cell, n in counts.items():
        lat, lon = h3.cell_to_latlng(cell)
        built += IncidentFactory.build_batch(
            n,
            source_agency=agency,
            occurred_at=at(DAY),
            latitude=lat,
            longitude=lon,
            h3_r9=h3.latlng_to_cell(lat, lon, 9),
            **fields,
        )
    Incident.objects.bulk_create(built)


def _background(radius: int, rate: float, seed: int) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    cells = sorted(h3.grid_disk(CENTRE, radius))
    return dict(zip(cells, rng.poisson(rate, size=len(cells)).tolist(), strict=True))


def test_a_planted_cluster_comes_out_hot(analyst) -> None:
    counts = _background(radius=6, rate=2.0, seed=3)
    planted = h3.grid_disk(CENTRE, 1)
    for cell in planted:
        counts[cell] += 15
    _plant_counts(counts)

    hotspots = hotspot_list(actor=analyst, where=EVERYTHING, resolution=8, confidence=0.95)

    classes = {c.h3: c.cls for c in hotspots.cells}
    assert {classes[cell] for cell in planted} == {"hot"}
    assert "cold" not in {classes[cell] for cell in planted}
    hottest = max(hotspots.cells, key=lambda c: c.z)
    assert hottest.h3 in planted and hottest.q_value <= 0.05
    assert hotspots.incidents == sum(counts.values())
    # The cluster is local: most of the map is not significant.
    assert sum(c.cls == "hot" for c in hotspots.cells) < len(hotspots.cells) / 4


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_on_uniform_noise_the_share_of_cells_flagged_stays_within_the_fdr_level(seed) -> None:
    counts = {cell: n for cell, n in _background(radius=8, rate=1.5, seed=seed).items() if n}
    cells = study_area(counts)

    result = gi_star(cells, [counts.get(cell, 0) for cell in cells])

    flagged = sum(c != "not significant" for c in result.classes(confidence=0.95))
    assert flagged / len(cells) <= 0.05
    assert len(cells) > 217  # the empty ring around the records is in the study area


def test_bad_geocodes_are_left_out_and_counted_unless_asked_for(analyst) -> None:
    _plant_counts(_background(radius=4, rate=2.0, seed=5))
    station = h3.latlng_to_cell(40.75, -73.99, 8)
    _plant_counts({station: 80}, geocode_quality="stacked")

    default = hotspot_list(actor=analyst, where=EVERYTHING)
    everything = hotspot_list(
        actor=analyst, where=HotspotFilter(**{**EVERYTHING.__dict__, "include_bad_geocodes": True})
    )

    assert default.excluded_bad_geocode == 80
    assert station not in {c.h3 for c in default.cells}
    by_cell = {c.h3: c for c in everything.cells}
    assert (by_cell[station].count, by_cell[station].cls) == (80, "hot")
    assert everything.excluded_bad_geocode == 0


def test_filters_and_coarser_resolutions_roll_up_the_stored_cells(analyst) -> None:
    cell = h3.latlng_to_cell(40.70, -73.95, 9)
    plant_incidents(3, day=DAY, cell=cell, firearm=True)
    plant_incidents(2, day=DAY, cell=cell, category="property")
    plant_incidents(4, day=DAY - timedelta(days=40), cell=cell, firearm=True)  # before `first`
    # No stored cell: placed from its coordinates.
    plant_incidents(1, day=DAY, firearm=True, latitude=40.70, longitude=-73.95, h3_r9="")

    firearm = hotspot_list(
        actor=analyst,
        where=HotspotFilter(first=EVERYTHING.first, last=DAY, firearm=True),
        resolution=7,
    )

    parent = h3.cell_to_parent(cell, 7)
    counts = {c.h3: c.count for c in firearm.cells if c.count}
    assert counts == {parent: 4}
    assert len(firearm.cells) == 7  # the cell and its six neighbours
    assert {c.cls for c in firearm.cells} == {"not significant"}  # too few cells to say


def test_the_zone_filter_keeps_only_that_zones_incidents(analyst) -> None:
    from tests.factories import ZoneFactory

    inside, outside = ZoneFactory(key="IN"), ZoneFactory(key="OUT")
    plant_incidents(4, day=DAY, zone=inside, cell=h3.latlng_to_cell(40.70, -73.95, 9))
    plant_incidents(9, day=DAY, zone=outside, cell=h3.latlng_to_cell(40.80, -73.90, 9))

    hotspots = hotspot_list(
        actor=analyst, where=HotspotFilter(first=DAY, last=DAY, zone_id=inside.pk)
    )

    assert hotspots.incidents == 4
    assert {c.h3: c.count for c in hotspots.cells if c.count} == {
        h3.latlng_to_cell(40.70, -73.95, 8): 4
    }


def test_the_geojson_has_one_closed_lon_lat_polygon_per_cell(analyst) -> None:
    _plant_counts({CENTRE: 2})

    collection = hotspot_geojson(hotspot_list(actor=analyst, where=EVERYTHING))

    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert isinstance(features, list) and len(features) == 7
    centre = next(f for f in features if f["properties"]["h3"] == CENTRE)
    ring = centre["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7
    lon, lat = ring[0]
    assert -74.1 < lon < -73.8 and 40.6 < lat < 40.8  # lon first
    assert set(centre["properties"]) == {"h3", "count", "z", "p_value", "q_value", "class"}
