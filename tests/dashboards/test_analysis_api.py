"""The analysis API: the shapes partner systems rely on, 400s in the one error shape for bad
parameters, who may call it, and every call audited."""

from __future__ import annotations

from datetime import date

import h3
import pytest
from django.test import Client
from django.urls import reverse

from csu.models import AuditEvent
from csu.services import api_token_create
from tests.dashboards.records import plant_incidents
from tests.factories import ZoneFactory, ZoneLayerFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 3, 14)
COMPSTAT_ROW = {"zone", "category", "wtd", "wtd_prior", "d28", "d28_prior", "ytd", "ytd_prior"}
SPIKE_ROW = {"zone", "category", "observed", "expected", "p_value", "q_value", "flagged"}


@pytest.fixture
def api(analyst) -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_AUTHORIZATION=f"Token {api_token_create(actor=analyst)}")


@pytest.fixture
def precinct():  # type: ignore[no-untyped-def]
    zone = ZoneFactory(layer=ZoneLayerFactory(name="precincts"), key="104")
    plant_incidents(3, day=AS_OF, zone=zone, cell=h3.latlng_to_cell(40.70, -73.95, 9))
    plant_incidents(2, day=date(2024, 3, 15), zone=zone)  # wtd_prior; a year before, for spikes
    plant_incidents(1, day=date(2023, 1, 1), zone=zone)  # the records reach back two seasons
    return zone


def test_compstat_returns_paginated_rows_in_the_contract_shape(api, precinct) -> None:
    response = api.get(
        reverse("analysis-compstat"), {"layer": "precincts", "as_of": AS_OF.isoformat()}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    (row,) = body["results"]
    assert set(row) == COMPSTAT_ROW
    assert row == {**row, "zone": "104", "category": "violent", "wtd": 3, "wtd_prior": 2}


def test_spikes_return_paginated_rows_in_the_contract_shape(api, precinct) -> None:
    response = api.get(
        reverse("analysis-spikes"),
        {"layer": "precincts", "as_of": AS_OF.isoformat(), "window_days": 28},
    )

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert set(row) == SPIKE_ROW
    # Baseline: the same 28 days one year back (2) and two years back (0); three years back
    # is before the first record, so not counted as a zero.
    assert (row["zone"], row["observed"], row["expected"]) == ("104", 3, 1.0)
    assert isinstance(row["flagged"], bool) and 0 <= row["q_value"] <= 1


def test_hotspots_return_a_geojson_feature_collection(api, precinct) -> None:
    response = api.get(
        reverse("analysis-hotspots"),
        {"from": "2025-03-01", "to": AS_OF.isoformat(), "category": "violent", "resolution": 8},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 7  # the occupied cell and its ring
    for feature in body["features"]:
        assert feature["geometry"]["type"] == "Polygon"
        assert set(feature["properties"]) == {"h3", "count", "z", "p_value", "q_value", "class"}
        assert feature["properties"]["class"] in {"hot", "cold", "not significant"}
    assert sum(f["properties"]["count"] for f in body["features"]) == 3
    assert body["meta"]["excluded_bad_geocode"] == 0


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("analysis-compstat", {"layer": "nowhere"}, "layer"),
        ("analysis-compstat", {"layer": "precincts", "as_of": "14/03/2025"}, "as_of"),
        ("analysis-compstat", {}, "layer"),
        ("analysis-spikes", {"layer": "precincts", "window_days": "0"}, "window_days"),
        ("analysis-spikes", {"layer": "precincts", "as_of": "2025-02-30"}, "as_of"),
        ("analysis-hotspots", {"resolution": "10"}, "resolution"),
        ("analysis-hotspots", {"resolution": "4"}, "resolution"),
        ("analysis-hotspots", {"confidence": "1"}, "confidence"),
        ("analysis-hotspots", {"confidence": "0"}, "confidence"),
        ("analysis-hotspots", {"confidence": "high"}, "confidence"),
        ("analysis-hotspots", {"from": "2025-03-02", "to": "2025-03-01"}, "from"),
        ("analysis-hotspots", {"category": "jaywalking"}, "category"),
        ("analysis-hotspots", {"firearm": "maybe"}, "firearm"),
    ],
)
def test_bad_parameters_are_400_in_the_one_error_shape(api, precinct, name, params, field) -> None:
    before = AuditEvent.objects.count()

    response = api.get(reverse(name), params)

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], set(body)) == ("invalid", {"message", "code", "extra"})
    assert field in body["extra"]["fields"]
    # The refused read is still on the record, as a failure, and nothing else happened.
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None and (event.outcome, event.detail["status"]) == ("failure", 400)


def test_every_call_is_audited_with_its_filters(api, analyst, precinct) -> None:
    api.get(reverse("analysis-hotspots"), {"firearm": "true", "resolution": 7})

    event = AuditEvent.objects.filter(action="analysis.hotspots").get()
    assert (event.actor_username, event.outcome) == (analyst.username, "success")
    assert event.detail["firearm"] == "true" and event.detail["resolution"] == "7"


@pytest.mark.parametrize("role", ["prosecutor", "admin"])
def test_roles_that_cannot_read_every_record_kind_are_refused(personas, precinct, role) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(actor=personas[role])}")

    for name in ("analysis-compstat", "analysis-spikes", "analysis-hotspots"):
        response = client.get(reverse(name), {"layer": "precincts"})
        assert response.status_code == 403
        assert "features" not in response.json() and "results" not in response.json()
