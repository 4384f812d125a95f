"""The crime map page: a planted cluster shows as hot cells in the figure and the counts
sentence, the filters change what is counted, bad geocodes are left out and counted, and the
hotspot CSV cannot carry a formula."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import h3
import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from csu.models import AuditEvent
from dashboards.analysis.crime_map import crime_map_get
from dashboards.analysis.hotspots import HotspotFilter
from dashboards.views.map import zone_timeline_url
from intel.models import Incident
from tests.dashboards.records import at
from tests.factories import AgencyFactory, IncidentFactory, ZoneFactory, ZoneLayerFactory

pytestmark = pytest.mark.django_db

CENTRE = h3.latlng_to_cell(40.70, -73.95, 8)
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-74.1, 40.6], [-73.8, 40.6], [-73.8, 40.8], [-74.1, 40.8], [-74.1, 40.6]]],
}


def _plant(counts: dict[str, int], days_ago: int = 10, **fields: Any) -> None:
    """``counts[cell]`` incidents at each resolution-8 cell's centre, ``days_ago`` days ago."""
    agency = AgencyFactory()
    day = timezone.localdate() - timedelta(days=days_ago)
    built = []
    for cell, n in counts.items():
        lat, lon = h3.cell_to_latlng(cell)
        built += IncidentFactory.build_batch(
            n,
            source_agency=agency,
            occurred_at=at(day),
            latitude=lat,
            longitude=lon,
            h3_r9=h3.latlng_to_cell(lat, lon, 9),
            **{"category": "violent", "firearm": True, "geocode_quality": "ok", **fields},
        )
    Incident.objects.bulk_create(built)


@pytest.fixture
def cluster() -> list[str]:
    """Poisson background over 127 cells and a planted cluster of seven cells in the middle."""
    rng = np.random.default_rng(3)
    cells = sorted(h3.grid_disk(CENTRE, 6))
    counts = dict(zip(cells, rng.poisson(2.0, size=len(cells)).tolist(), strict=True))
    planted = sorted(h3.grid_disk(CENTRE, 1))
    for cell in planted:
        counts[cell] += 15
    _plant(counts)
    return planted


def _figure(response: Any) -> dict[str, Any]:
    content = response.content.decode()
    start = content.index('<script id="crime-map-figure" type="application/json">')
    body = content[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def _layer(figure: dict[str, Any], layer: str) -> list[dict[str, Any]]:
    return [t for t in figure["data"] if (t.get("meta") or {}).get("layer") == layer]


def test_a_planted_cluster_shows_hot_cells_and_the_counts_sentence(
    cluster, supervisor, client_for
) -> None:
    response = client_for(supervisor).get(reverse("dashboards:map"))

    assert response.status_code == 200
    figure = _figure(response)
    hot = [t for t in _layer(figure, "hotspots") if t["meta"]["class"] == "hot"]
    assert hot and set(cluster) <= set(hot[0]["meta"]["cells"])
    assert _layer(figure, "points") and _layer(figure, "hexagons")
    text = response.content.decode()
    assert f"{len(hot[0]['meta']['cells'])} cells are hot" in text
    assert "95 % confidence after the false-discovery-rate correction" in text
    assert "no more than about 5 % are expected to be chance" in text


def test_the_filters_change_the_records_counted(supervisor, client_for) -> None:
    _plant({CENTRE: 4})
    _plant({CENTRE: 3}, category="property", firearm=False)
    _plant({CENTRE: 5}, days_ago=200)
    old = timezone.localdate() - timedelta(days=200)
    client = client_for(supervisor)

    def located(**params: Any) -> int:
        response = client.get(reverse("dashboards:map"), params)
        assert response.status_code == 200
        return int(response.context["crime_map"].located)

    assert located() == 7  # the last 90 days by default
    assert located(category="violent") == 4
    assert located(category=["violent", "property"]) == 7
    assert located(firearm="no") == 3
    assert located(firearm="true") == 4  # the API's spelling
    assert located(**{"from": (old - timedelta(days=1)).isoformat()}) == 12


def test_the_zone_filter_keeps_one_zone_and_outlines_every_zone(supervisor, client_for) -> None:
    layer = ZoneLayerFactory(name="precincts", label="Precincts")
    inside = ZoneFactory(layer=layer, key="101", geometry=SQUARE)
    outside = ZoneFactory(layer=layer, key="102", geometry=SQUARE)
    _plant({CENTRE: 4}, zone=inside)
    _plant({CENTRE: 6}, zone=outside)
    client = client_for(supervisor)

    response = client.get(reverse("dashboards:map"), {"layer": "precincts", "zone": inside.pk})

    assert response.context["crime_map"].located == 4
    counts = {z.key: z.count for z in response.context["crime_map"].zones}
    assert counts == {"101": 4, "102": 0}
    figure = _figure(response)
    assert (
        _layer(figure, "outlines") and _layer(figure, "selected-zone")[0]["meta"]["zone"] == "101"
    )
    other = ZoneFactory(layer=ZoneLayerFactory(name="beats"), key="9")
    refused = client.get(reverse("dashboards:map"), {"layer": "precincts", "zone": other.pk})
    assert refused.status_code == 400 and "not in the chosen layer" in refused.content.decode()


def test_bad_geocodes_are_left_out_and_counted(supervisor, client_for) -> None:
    _plant({CENTRE: 3})
    _plant({CENTRE: 5}, geocode_quality="stacked")
    client = client_for(supervisor)

    response = client.get(reverse("dashboards:map"))
    assert response.context["crime_map"].located == 3
    assert response.context["crime_map"].hotspots.excluded_bad_geocode == 5
    assert "5 records with a bad geocode flag were left out" in response.content.decode()

    included = client.get(reverse("dashboards:map"), {"include_bad_geocodes": "on"})
    assert included.context["crime_map"].located == 8
    assert included.context["crime_map"].hotspots.incidents == 8


def test_points_are_sampled_evenly_and_say_so(supervisor) -> None:
    _plant({CENTRE: 30})
    today = timezone.localdate()
    where = HotspotFilter(first=today - timedelta(days=30), last=today)

    crime_map = crime_map_get(actor=supervisor, where=where, layer=None, max_points=10)

    assert crime_map.located == 30 and 0 < len(crime_map.points) <= 10 and crime_map.sampled


def test_the_hotspot_csv_is_formula_safe_and_audited(cluster, supervisor, client_for) -> None:
    response = client_for(supervisor).get(reverse("dashboards:hotspots-csv"), {"firearm": "yes"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    classes = {row["h3"]: row["class"] for row in rows}
    assert {classes[cell] for cell in cluster} == {"hot"}
    # Negative z-scores stay numbers a spreadsheet can sort; nothing else starts a formula.
    negative = [row["z"] for row in rows if row["z"].startswith("-")]
    assert negative and all(float(z) < 0 for z in negative)
    event = AuditEvent.objects.filter(action="analysis.hotspots_export").get()
    assert event.outcome == "success"


def test_a_zone_links_to_its_timeline() -> None:
    assert zone_timeline_url(7) == "/dashboards/zones/7/timeline/"


def test_a_zones_hotspots_are_the_countys_cells_centred_in_it(
    cluster, supervisor, client_for
) -> None:
    lat, lon = h3.cell_to_latlng(CENTRE)
    box = [[lon - 0.01, lat - 0.01], [lon + 0.01, lat - 0.01], [lon + 0.01, lat + 0.01],
           [lon - 0.01, lat + 0.01], [lon - 0.01, lat - 0.01]]  # fmt: skip
    zone = ZoneFactory(
        layer=ZoneLayerFactory(name="precincts"),
        key="101",
        geometry={"type": "Polygon", "coordinates": [box]},
        min_lat=lat - 0.01,
        min_lon=lon - 0.01,
        max_lat=lat + 0.01,
        max_lon=lon + 0.01,
    )
    inside = Incident.objects.filter(
        latitude__range=(lat - 0.01, lat + 0.01), longitude__range=(lon - 0.01, lon + 0.01)
    )
    inside.update(zone=zone)

    response = client_for(supervisor).get(
        reverse("dashboards:map"), {"layer": "precincts", "zone": zone.pk}
    )

    crime_map = response.context["crime_map"]
    assert crime_map.located == inside.count()
    # The cells drawn on the map: the density hexagons, and the hot ones among them.
    figure = _figure(response)
    cells = {c for t in _layer(figure, "hexagons") for c in t["meta"]["cells"]}
    hot = {
        c
        for t in _layer(figure, "hotspots")
        if t["meta"]["class"] == "hot"
        for c in t["meta"]["cells"]
    }
    assert cells and all(zone.contains(*h3.cell_to_latlng(cell)) for cell in cells | hot)
    assert CENTRE in hot
    assert "tested across the whole jurisdiction" in response.content.decode()


def test_the_page_costs_the_same_queries_whatever_the_number_of_records(
    supervisor, client_for
) -> None:
    layer = ZoneLayerFactory(name="precincts", label="Precincts")
    zones = [ZoneFactory(layer=layer, geometry=SQUARE) for _ in range(3)]
    client = client_for(supervisor)
    params = {"layer": "precincts", "zone": zones[0].pk}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboards:map"), params).status_code == 200
        return len(captured)

    _plant({CENTRE: 2}, zone=zones[0])
    few = queries()
    _plant(dict.fromkeys(h3.grid_disk(CENTRE, 3), 3), zone=zones[0])
    _plant({CENTRE: 5}, zone=zones[1])
    ZoneFactory(layer=layer, geometry=SQUARE)
    assert queries() == few


def test_a_tile_url_in_settings_adds_a_basemap_and_none_is_fetched_without(
    supervisor, client_for, settings
) -> None:
    _plant({CENTRE: 3})
    client = client_for(supervisor)
    assert not _figure(client.get(reverse("dashboards:map")))["layout"].get("images")

    settings.CSU_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.CSU_MAP_TILE_ATTRIBUTION = "© Example tiles"
    response = client.get(reverse("dashboards:map"))

    images = _figure(response)["layout"]["images"]
    assert 0 < len(images) <= 36
    assert all(i["source"].startswith("https://tiles.example.org/") for i in images)
    assert "{z}" not in images[0]["source"] and images[0]["layer"] == "below"
    assert "Basemap: © Example tiles" in response.content.decode()


def test_the_stored_figure_is_embedded_as_json_script_would_embed_it() -> None:
    """The figure is stored as text and embedded as is: a zone called "</script>..." cannot end
    the script element early, and the JSON reads back unchanged."""
    from django.utils.html import json_script

    from dashboards.figures.map import figure_script

    value = {"name": "</script><script>alert(1)</script> & <b>", "n": [1.5, None]}
    text = json.dumps(value)
    embedded = str(figure_script("crime-map-figure", text))

    assert embedded == str(json_script(value, "crime-map-figure"))
    body = embedded.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in body and json.loads(body) == value
