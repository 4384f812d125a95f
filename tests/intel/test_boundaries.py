"""Boundary layers: import from real files in any CRS, place points in zones, reassign records,
refuse bad input, and the page where analysts upload them."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from shapely.geometry import box

from csu.actors import system_actor
from csu.models import AuditEvent
from intel.models import Incident, Zone, ZoneLayer
from intel.records.boundaries import boundary_layer_import
from intel.records.selectors import zone_layer_list
from intel.records.zones import records_reassign_zones, zones_for_points
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "boundaries"


def _import(path: Path, layer: str, **kwargs: object) -> ZoneLayer:
    return boundary_layer_import(actor=system_actor(), path=path, layer=layer, **kwargs)


def _share_in_reported_zone(
    layer: ZoneLayer, lat: pd.Series, lon: pd.Series, reported: pd.Series
) -> float:
    """Of the rows with coordinates, the share whose zone's key equals the reported one
    (compared as integers, so "15", "15.0" and "015" agree)."""
    has_point = lat.notna() & lon.notna()
    zone_ids = zones_for_points(lat[has_point].to_numpy(), lon[has_point].to_numpy())
    key_of = {pk: int(key) for pk, key in layer.zones.values_list("pk", "key")}
    found = pd.Series([key_of.get(z, -1) for z in zone_ids], dtype="int64")
    expected = pd.to_numeric(reported[has_point], errors="coerce").reset_index(drop=True)
    return float((found == expected).mean())


def test_it_imports_queens_precincts_and_detects_the_key() -> None:
    layer = _import(REAL / "nyc_queens_precincts.geojson", "precincts")

    assert layer.key_field == "precinct"
    assert layer.feature_count == 16
    assert sorted(layer.zones.values_list("key", flat=True)) == [str(n) for n in range(100, 116)]
    zone = layer.zones.get(key="104")
    assert zone.name == "Precincts 104"
    assert zone.geometry["type"] in ("Polygon", "MultiPolygon")
    assert -74.0 < zone.min_lon < zone.max_lon < -73.7 and 40.5 < zone.min_lat < zone.max_lat < 41
    assert layer.import_summary["key_field_reason"].startswith("detected")


def test_it_imports_philadelphia_districts_in_crs84_by_dist_num() -> None:
    path = REAL / "philadelphia_police_districts.geojson"
    features = json.loads(path.read_text())["features"]
    unique_keys = {f["properties"]["DIST_NUM"] for f in features}

    layer = _import(path, "police-districts", label="Police districts")

    assert layer.key_field == "DIST_NUM"
    assert len(features) == 22 and len(unique_keys) == 22  # no two features share a district
    assert layer.zones.count() == len(unique_keys)
    zone = layer.zones.get(key="77")
    assert -75.3 < zone.min_lon < zone.max_lon < -74.9 and 39.8 < zone.min_lat < 40.2


def test_at_least_94_percent_of_points_land_in_the_zone_the_police_recorded() -> None:
    queens = _import(REAL / "nyc_queens_precincts.geojson", "precincts")
    philly = _import(REAL / "philadelphia_police_districts.geojson", "districts")
    arrests = pd.read_csv(
        REAL / "nyc_queens_arrests.csv", usecols=["Latitude", "Longitude", "ARREST_PRECINCT"]
    )
    shootings = pd.read_csv(REAL / "philadelphia_shootings.csv", usecols=["lat", "lng", "dist"])

    queens_share = _share_in_reported_zone(
        queens, arrests["Latitude"], arrests["Longitude"], arrests["ARREST_PRECINCT"]
    )
    philly_share = _share_in_reported_zone(
        philly, shootings["lat"], shootings["lng"], shootings["dist"]
    )

    print(
        f"\nQueens arrests in their ARREST_PRECINCT: {queens_share:.2%}; "  # noqa: T201
        f"Philadelphia shootings in their dist: {philly_share:.2%}"
    )
    assert queens_share >= 0.94
    assert philly_share >= 0.94


def test_a_zipped_shapefile_in_state_plane_feet_lands_in_lon_lat(tmp_path: Path) -> None:
    # Three 5,000 ft squares in Queens, in NY State Plane Long Island (US feet).
    squares = gpd.GeoDataFrame(
        {"SECTOR": ["A", "B", "C"], "SHAPE_Area": [2.5e7] * 3},
        geometry=[
            box(1_010_000 + i * 5_000, 200_000, 1_015_000 + i * 5_000, 205_000) for i in range(3)
        ],
        crs="EPSG:2263",
    )
    squares.to_file(tmp_path / "sectors.shp")
    archive = tmp_path / "sectors.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in tmp_path.glob("sectors.*"):
            if part.suffix != ".zip":
                out.write(part, f"sectors/{part.name}")

    layer = _import(archive, "sectors")

    assert layer.key_field == "SECTOR"
    assert "2263" in layer.source_crs
    for zone in layer.zones.all():
        assert -73.95 < zone.min_lon < zone.max_lon < -73.75, zone.min_lon
        assert 40.68 < zone.min_lat < zone.max_lat < 40.75, zone.min_lat
    lat, lon = np.array([40.705, np.nan]), np.array([-73.89, -73.89])
    assert zones_for_points(lat, lon)[1] == 0  # no coordinates, no zone


def test_reimport_updates_removes_zones_and_reassigns_records() -> None:
    in_one = IncidentFactory(latitude=40.005, longitude=-73.995)
    in_two = IncidentFactory(latitude=40.005, longitude=-73.982)  # the east half of beat 2
    in_three = IncidentFactory(latitude=40.005, longitude=-73.975)
    north = IncidentFactory(latitude=40.015, longitude=-73.995)
    nowhere = IncidentFactory(latitude=None, longitude=None)

    layer = _import(FIXTURES / "beats_v1.geojson", "beats", label="Beats")

    zones = {z.key: z for z in layer.zones.all()}
    assert sorted(zones) == ["1", "2", "3"]  # beat 2's two halves are one zone
    assert zones["2"].geometry["type"] == "Polygon" and zones["1"].name == "Harbor"
    assert layer.import_summary["reassigned"]["incident"] == 3
    assigned = dict(Incident.objects.values_list("pk", "zone__key"))
    assert assigned == {
        in_one.pk: "1",
        in_two.pk: "2",
        in_three.pk: "3",
        north.pk: None,
        nowhere.pk: None,
    }

    layer = _import(FIXTURES / "beats_v2.geojson", "beats")

    summary = layer.import_summary
    assert (summary["created"], summary["updated"], summary["removed"]) == (0, 2, 1)
    assert sorted(layer.zones.values_list("key", flat=True)) == ["1", "2"]
    assert layer.zones.get(key="1").max_lat == pytest.approx(40.02)
    assert layer.zones.get(key="2").pk == zones["2"].pk  # updated in place, not replaced
    assigned = dict(Incident.objects.values_list("pk", "zone__key"))
    assert assigned == {
        in_one.pk: "1",
        in_two.pk: None,
        in_three.pk: None,
        north.pk: "1",
        nowhere.pk: None,
    }
    event = AuditEvent.objects.filter(action="boundaries.import").latest("pk")
    assert event.object_id == str(layer.pk) and event.detail["removed"] == 1


def test_reimporting_the_same_file_changes_nothing() -> None:
    IncidentFactory(latitude=40.005, longitude=-73.995)
    first = _import(FIXTURES / "beats_v1.geojson", "beats")

    again = _import(FIXTURES / "beats_v1.geojson", "beats")

    assert again.pk == first.pk
    summary = again.import_summary
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 3)
    assert sum(summary["reassigned"].values()) == 0


def test_the_layer_list_counts_zones_in_one_query(analyst, django_assert_num_queries) -> None:
    _import(FIXTURES / "beats_v1.geojson", "beats", label="Beats")
    _import(FIXTURES / "beats_v2.geojson", "sectors", priority=10)
    assert analyst.has_perm("intel.view_zonelayer")  # permissions load once per request

    with django_assert_num_queries(1):
        layers = [(layer.name, layer.zone_count) for layer in zone_layer_list(actor=analyst)]

    assert layers == [("sectors", 2), ("beats", 3)]


def test_where_layers_overlap_the_lower_priority_number_wins() -> None:
    incident = IncidentFactory(latitude=40.005, longitude=-73.995)
    _import(FIXTURES / "beats_v1.geojson", "beats", priority=200)
    _import(FIXTURES / "beats_v2.geojson", "sectors", priority=10, key_field="beat")

    incident.refresh_from_db()
    assert incident.zone.layer.name == "sectors"
    ZoneLayer.objects.filter(name="sectors").update(priority=300)
    records_reassign_zones()
    incident.refresh_from_db()
    assert incident.zone.layer.name == "beats"


def test_a_million_points_are_placed_quickly() -> None:
    _import(FIXTURES / "beats_v1.geojson", "beats")
    rng = np.random.default_rng(7)
    lat = rng.uniform(39.99, 40.02, 1_000_000)
    lon = rng.uniform(-74.01, -73.96, 1_000_000)

    started = time.perf_counter()
    zone_ids = zones_for_points(lat, lon)
    seconds = time.perf_counter() - started

    print(f"\nzones_for_points: 1,000,000 points in {seconds:.2f} s")  # noqa: T201
    beat_of = dict(Zone.objects.values_list("pk", "key"))
    inside = (lat > 40.0) & (lat < 40.01) & (lon > -74.0) & (lon < -73.97)
    assert (zone_ids[~inside & ((lat > 40.0101) | (lat < 39.999))] == 0).all()
    beat_two = inside & (lon > -73.9899) & (lon < -73.9801)
    assert {beat_of[z] for z in np.unique(zone_ids[beat_two])} == {"2"}


@pytest.mark.parametrize(
    ("fixture", "kwargs", "message"),
    [
        ("arrests_renamed.geojson", {}, "could not be read as GeoJSON or a shapefile"),
        ("points_only.geojson", {}, "has no polygons (found Point)"),
        ("empty.geojson", {}, "holds no features"),
        ("beats_v1.geojson", {"key_field": "precinct"}, 'has no property "precinct"'),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_writes_nothing(
    fixture: str, kwargs: dict, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _import(FIXTURES / fixture, "bad", **kwargs)
    assert message in " ".join(refused.value.messages)

    option = ["--key-field", kwargs["key_field"]] if kwargs else []
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("import_boundaries", str(FIXTURES / fixture), "--layer", "bad", *option)
    assert not ZoneLayer.objects.exists() and not Zone.objects.exists()
    assert not AuditEvent.objects.filter(action="boundaries.import").exists()


def test_the_command_says_what_it_did(capsys: pytest.CaptureFixture[str]) -> None:
    call_command(
        "import_boundaries",
        str(FIXTURES / "beats_v1.geojson"),
        "--layer",
        "beats",
        "--label",
        "Beats",
        "--priority",
        "5",
    )

    out = capsys.readouterr().out
    assert 'Key field: "beat"' in out
    assert "3 created, 0 updated, 0 unchanged, 0 removed" in out
    assert "Records reassigned: " in out
    assert ZoneLayer.objects.get(name="beats").priority == 5


def _upload(name: str = "beats_v1.geojson") -> dict:
    content = (FIXTURES / name).read_bytes()
    return {
        "file": SimpleUploadedFile(name, content, content_type="application/geo+json"),
        "layer": "beats",
        "label": "Patrol beats",
        "key_field": "",
    }


def test_an_analyst_uploads_a_layer_and_sees_it_listed(analyst, client_for) -> None:
    client = client_for(analyst)

    response = client.post(reverse("intel:boundary-list"), _upload())

    assert response.status_code == 302
    page = client.get(reverse("intel:boundary-list"))
    assert page.status_code == 200
    assert b"Patrol beats" in page.content and b"Imported" in page.content
    layer = ZoneLayer.objects.get(name="beats")
    assert layer.imported_by == analyst and layer.zones.count() == 3


def test_an_upload_that_is_not_boundaries_shows_the_reason(analyst, client_for) -> None:
    response = client_for(analyst).post(
        reverse("intel:boundary-list"), _upload("points_only.geojson")
    )

    assert response.status_code == 400
    assert b"has no polygons" in response.content
    assert not ZoneLayer.objects.exists()


def test_a_supervisor_may_look_but_not_upload(supervisor, client_for) -> None:
    _import(FIXTURES / "beats_v1.geojson", "beats", label="Patrol beats")
    client = client_for(supervisor)

    page = client.get(reverse("intel:boundary-list"))

    assert page.status_code == 200 and b"Patrol beats" in page.content
    assert b"Upload boundaries" not in page.content
    assert client.post(reverse("intel:boundary-list"), _upload()).status_code == 403


def test_a_prosecutor_may_not_upload(prosecutor, client_for) -> None:
    # Whether prosecutors may view the list is the permission matrix's business
    # (intel.view_zonelayer in csu/roles.py); uploading is never theirs.
    response = client_for(prosecutor).post(reverse("intel:boundary-list"), _upload())

    assert response.status_code == 403
    assert not ZoneLayer.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client) -> None:
    response = client.get(reverse("intel:boundary-list"))

    assert response.status_code == 302 and reverse("csu:login") in response["Location"]
