"""An area's timeline: a zone's shootings, homicides, violent incidents and related arrests per
week and listed newest first with links; other zones' and other kinds of records stay out; an
unknown zone is not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from csu.models import AuditEvent
from dashboards.analysis.cache import version_renew
from tests.dashboards.records import at, plant_incidents
from tests.factories import (
    ArrestChargeFactory,
    PersonFactory,
    ShootingFactory,
    ZoneFactory,
    ZoneLayerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone():  # type: ignore[no-untyped-def]
    layer = ZoneLayerFactory(name="precincts")
    return ZoneFactory(layer=layer, key="N1", name="North")


def _url(zone) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboards:zone-timeline", args=[zone.pk])


def test_it_lists_the_zones_violence_newest_first_with_links(client_for, supervisor, zone) -> None:
    today = timezone.localdate()
    other = ZoneFactory(layer=zone.layer, key="S1")
    arrestee = PersonFactory()
    ShootingFactory(zone=zone, occurred_at=at(today - timedelta(days=1)), victim_count=2)
    plant_incidents(
        1,
        day=today - timedelta(days=2),
        zone=zone,
        nibrs_code="09A",
        offense_description="MURDER 2ND DEGREE",
    )
    plant_incidents(1, day=today - timedelta(days=3), zone=zone, offense_description="ROBBERY 1")
    ArrestChargeFactory(
        arrest__zone=zone,
        arrest__person=arrestee,
        arrest__arrested_at=at(today - timedelta(days=4)),
        category="weapons",
        description="CRIM POSS WEAPON 2ND DEGREE",
    )
    # Not this page's: property crime, a drug arrest, another zone's shooting.
    plant_incidents(1, day=today, zone=zone, category="property", offense_description="LARCENY")
    ArrestChargeFactory(arrest__zone=zone, arrest__arrested_at=at(today), category="drug")
    ShootingFactory(zone=other, occurred_at=at(today))

    response = client_for(supervisor).get(_url(zone))

    assert response.status_code == 200
    titles = [entry["title"] for entry in response.context["entries"]]
    assert titles == [
        "Shooting, 2 victims",
        "Homicide: MURDER 2ND DEGREE",
        "ROBBERY 1",
        "Arrest: CRIM POSS WEAPON 2ND DEGREE",
    ]
    html = response.content.decode()
    assert reverse("intel:person-detail", args=[arrestee.pk]) in html
    assert "LARCENY" not in html
    last_week = response.context["weeks"][-1]
    weeks = response.context["weeks"]
    assert sum(w.shootings for w in weeks) == 1
    assert sum(w.homicides for w in weeks) == 1
    assert sum(w.violent_incidents for w in weeks) == 2
    assert sum(w.related_arrests for w in weeks) == 1
    assert last_week.week <= today
    event = AuditEvent.objects.filter(action="analysis.zone_timeline").get()
    assert (event.object_type, event.object_id) == ("intel.zone", str(zone.pk))


def test_an_unknown_zone_is_not_found(client_for, analyst) -> None:
    response = client_for(analyst).get(reverse("dashboards:zone-timeline", args=[987654]))

    assert response.status_code == 404


def test_the_list_is_paginated_in_a_fixed_number_of_queries(client_for, analyst, zone) -> None:
    client = client_for(analyst)
    today = timezone.localdate()

    def queries() -> int:
        version_renew()  # the weekly counts are computed, not read from the analysis cache
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url(zone))
        assert response.status_code == 200
        return len(captured)

    plant_incidents(3, day=today, zone=zone)
    queries()  # warm the permission cache
    few = queries()
    plant_incidents(80, day=today - timedelta(days=1), zone=zone)
    many = queries()
    response = client.get(_url(zone), {"page": 2})

    assert few == many
    assert len(response.context["entries"]) == 83 - 50
