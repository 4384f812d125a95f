"""The GunStat page: shootings and victims (fatal, non-fatal), firearm incidents and weapon
arrests per zone, the week's shootings listed and linked, the zone table as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from csu.models import AuditEvent
from tests.dashboards.records import at, plant_incidents
from tests.factories import (
    ArrestChargeFactory,
    PersonFactory,
    ShootingFactory,
    ZoneFactory,
    ZoneLayerFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 7, 17)


@pytest.fixture
def precincts():  # type: ignore[no-untyped-def]
    layer = ZoneLayerFactory(name="precincts", label="Precincts")
    north = ZoneFactory(layer=layer, key="N1", name="North")
    quiet = ZoneFactory(layer=layer, key="Q1", name="Quiet")
    victim = PersonFactory()
    ShootingFactory(
        zone=north,
        occurred_at=at(AS_OF, 22),
        victim_count=2,
        fatal_count=1,
        fatal=True,
        address="12 ELM ST",
        victim=victim,
    )
    ShootingFactory(zone=north, occurred_at=at(AS_OF - timedelta(days=20)), victim_count=1)
    ShootingFactory(zone=north, occurred_at=at(AS_OF - timedelta(days=40)))  # outside 28 days
    plant_incidents(2, day=AS_OF, zone=north, firearm=True)
    plant_incidents(5, day=AS_OF, zone=north, firearm=False)
    ArrestChargeFactory(arrest__zone=north, arrest__arrested_at=at(AS_OF), category="weapons")
    ArrestChargeFactory(arrest__zone=north, arrest__arrested_at=at(AS_OF), category="drug")
    return north, quiet, victim


def _get(client, name: str, **params):  # type: ignore[no-untyped-def]
    return client.get(reverse(name), {"layer": "precincts", "as_of": AS_OF.isoformat(), **params})


def test_it_counts_shootings_victims_firearm_incidents_and_weapon_arrests(
    client_for, supervisor, precincts
) -> None:
    north, quiet, victim = precincts

    response = _get(client_for(supervisor), "dashboards:gunstat")

    assert response.status_code == 200
    rows = {row.zone: row for row in response.context["zone_rows"]}
    n = rows["N1"]
    assert (n.shootings, n.victims, n.fatal_victims, n.nonfatal_victims) == (2, 3, 1, 2)
    assert (n.firearm_incidents, n.weapon_arrests) == (2, 1)
    assert rows["Q1"].shootings == 0  # a quiet zone shows as quiet, not missing
    weeks = response.context["weeks"]
    assert len(weeks) == 52 and weeks[-1].fatal_victims == 1 and weeks[-1].shootings == 1


def test_the_weeks_shootings_are_listed_and_linked(client_for, supervisor, precincts) -> None:
    north, _, victim = precincts

    response = _get(client_for(supervisor), "dashboards:gunstat")

    shootings = response.context["shootings"]
    assert [s.address for s in shootings] == ["12 ELM ST"]  # the 20-day-old one is not this week
    html = response.content.decode()
    assert "Fatal (1)" in html
    assert reverse("intel:person-detail", args=[victim.pk]) in html
    assert reverse("dashboards:zone-timeline", args=[north.pk]) in html


def test_the_zone_filter_narrows_the_table(client_for, analyst, precincts) -> None:
    _, quiet, _ = precincts

    response = _get(client_for(analyst), "dashboards:gunstat", zone=quiet.pk)

    assert [row.zone for row in response.context["zone_rows"]] == ["Q1"]
    assert response.context["shootings"] == []
    assert sum(w.shootings for w in response.context["weeks"]) == 0  # North's stay out


def test_the_csv_has_a_row_per_zone_and_is_audited(client_for, analyst, precincts) -> None:
    response = _get(client_for(analyst), "dashboards:gunstat-csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "zone",
        "zone_name",
        "shootings",
        "victims",
        "fatal_victims",
        "nonfatal_victims",
        "firearm_incidents",
        "weapon_arrests",
    ]
    assert rows[1:] == [
        ["N1", "North", "2", "3", "1", "2", "2", "1"],
        ["Q1", "Quiet", "0", "0", "0", "0", "0", "0"],
    ]
    assert AuditEvent.objects.filter(action="analysis.gunstat_exported").count() == 1


def test_the_page_takes_the_same_queries_for_one_shooting_or_ten(client_for, analyst) -> None:
    client = client_for(analyst)

    def queries(name: str, n: int) -> int:
        zone = ZoneFactory(layer=ZoneLayerFactory(name=name), key=f"{name}1")
        for i in range(n):
            ShootingFactory(zone=zone, occurred_at=at(AS_OF, i), victim=PersonFactory())
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("dashboards:gunstat"), {"layer": name, "as_of": AS_OF})
        assert len(response.context["shootings"]) == n
        return len(captured)

    queries("warm", 1)
    assert queries("one", 1) == queries("ten", 10)
