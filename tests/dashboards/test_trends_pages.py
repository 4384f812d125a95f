"""The trends page and its CSV downloads as a supervisor reads them: the counts of planted
records, the CompStat change (and "n/a" where last year had none), the spike sentence, filters
that change the numbers, formula-safe CSV, audited reads and a query budget."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from csu.models import AuditEvent
from dashboards.analysis.periods import YEAR_SHIFT
from tests.dashboards.records import at, plant_incidents
from tests.factories import (
    AgencyFactory,
    ArrestFactory,
    ShootingFactory,
    ZoneFactory,
    ZoneLayerFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 7, 17)  # a Thursday
YEAR_AGO = AS_OF - YEAR_SHIFT  # the Thursday 52 weeks earlier: week-to-date prior


@pytest.fixture
def precincts():  # type: ignore[no-untyped-def]
    """North: 3 violent incidents this week against 2 a year ago (+50 %); South: 4 drug
    incidents, none last year (n/a); one firearm incident; an arrest and a shooting."""
    layer = ZoneLayerFactory(name="precincts", label="Precincts")
    north = ZoneFactory(layer=layer, key="N1", name="North")
    south = ZoneFactory(layer=layer, key="S1", name="South")
    agency = AgencyFactory()
    plant_incidents(3, day=AS_OF, zone=north, agency=agency)
    plant_incidents(2, day=YEAR_AGO, zone=north, agency=agency)
    plant_incidents(4, day=AS_OF, zone=south, category="drug", agency=agency)
    plant_incidents(1, day=AS_OF, zone=south, category="weapons", firearm=True, agency=agency)
    ArrestFactory(zone=north, arrested_at=at(AS_OF))
    ShootingFactory(zone=north, occurred_at=at(AS_OF), victim_count=3, fatal_count=1, fatal=True)
    return layer, north, south


def _get(client, name: str, **params):  # type: ignore[no-untyped-def]
    return client.get(reverse(name), {"layer": "precincts", "as_of": AS_OF.isoformat(), **params})


def test_it_shows_the_period_counts_and_the_compstat_change(
    client_for, supervisor, precincts
) -> None:
    response = _get(client_for(supervisor), "dashboards:trends")

    assert response.status_code == 200
    totals = dict(response.context["totals"])
    assert [c["current"] for c in totals["Incidents"]] == [8, 8, 8]
    assert totals["Incidents"][0]["prior"] == 2
    assert totals["Arrests"][0]["current"] == 1
    assert totals["Shooting incidents"][0]["current"] == 1
    assert totals["Shooting victims"][0]["current"] == 3
    rows = {(r["zone"], r["category"]): r for r in response.context["compstat"]}
    assert rows[("N1", "violent")]["cells"][0] == {
        "label": "Week to date",
        "current": 3,
        "prior": 2,
        "change": 50.0,
    }
    assert rows[("S1", "drug")]["cells"][0]["change"] is None
    html = response.content.decode()
    assert "+50.0 %" in html
    assert "n/a" in html
    assert "Infinity" not in html
    # Each zone links to its timeline.
    assert reverse("dashboards:zone-timeline", args=[precincts[1].pk]) in html


def test_the_filters_change_the_numbers_and_stay_in_the_links(
    client_for, analyst, precincts
) -> None:
    client = client_for(analyst)
    _, north, south = precincts

    everything = _get(client, "dashboards:trends")
    drugs = _get(client, "dashboards:trends", category="drug")
    firearms = _get(client, "dashboards:trends", firearm="yes")
    north_only = _get(client, "dashboards:trends", zone=north.pk)

    def last(response) -> int:  # type: ignore[no-untyped-def]
        return response.context["points"][-1].total

    assert (last(everything), last(drugs), last(firearms), last(north_only)) == (8, 4, 1, 3)
    assert {r["category"] for r in drugs.context["compstat"]} == {"drug"}
    assert {r["zone"] for r in north_only.context["compstat"]} == {"N1"}
    assert everything.context["points"][-1].prior == 2  # the same week last year
    assert f"zone={north.pk}" in north_only.content.decode()  # the CSV links keep the filters


def test_monthly_counts_and_the_rolling_average(client_for, analyst, precincts) -> None:
    _, north, _ = precincts
    plant_incidents(1, day=date(2024, 7, 10), zone=north)  # July last year, to the 17th
    # The fixture's two of 18 July 2024 (52 weeks back) and these four fall after the 17th.
    plant_incidents(4, day=date(2024, 7, 25), zone=north)

    response = _get(client_for(analyst), "dashboards:trends", interval="month")

    points = response.context["points"]
    assert len(points) == 24 and points[-1].period == date(2025, 7, 1)
    assert points[-1].total == 8 and points[-1].rolling == round(8 / 3, 2)
    assert points[-13].total == 1 + 2 + 4  # July 2024 in full, as its own month
    assert points[-1].prior == 1  # ...but only to the 17th against this July (to the 17th)


def test_this_weeks_twin_last_year_is_cut_at_the_same_weekday(
    client_for, analyst, precincts
) -> None:
    _, north, _ = precincts
    plant_incidents(5, day=YEAR_AGO + timedelta(days=2), zone=north)  # the Saturday after

    points = _get(client_for(analyst), "dashboards:trends").context["points"]

    assert points[-1].prior == 2  # Thursday's two, not Saturday's five
    assert points[0].rolling == (2 + 5) / 4  # the whole week still counts in its own right


def test_a_zone_of_another_layer_is_a_bad_request(client_for, analyst, precincts) -> None:
    stranger = ZoneFactory(layer=ZoneLayerFactory(name="council"), key="C1")

    response = _get(client_for(analyst), "dashboards:trends", zone=stranger.pk)

    assert response.status_code == 400
    assert "Choose a zone of the chosen boundary layer." in response.content.decode()


def test_a_flagged_spike_says_it_survived_the_correction(client_for, supervisor) -> None:
    layer = ZoneLayerFactory(name="precincts")
    hot, calm = ZoneFactory(layer=layer, key="H1"), ZoneFactory(layer=layer, key="C1")
    agency = AgencyFactory()
    for k in (1, 2, 3):  # one a year in the same 28 days, for three years
        plant_incidents(1, day=AS_OF - YEAR_SHIFT * k, zone=hot, agency=agency)
        plant_incidents(2, day=AS_OF - YEAR_SHIFT * k, zone=calm, agency=agency)
    plant_incidents(15, day=AS_OF - timedelta(days=3), zone=hot, agency=agency)
    plant_incidents(2, day=AS_OF - timedelta(days=3), zone=calm, agency=agency)

    response = _get(client_for(supervisor), "dashboards:trends")

    html = response.content.decode()
    assert "Significant after correcting for 2 comparisons" in html
    assert "Within normal variation." in html
    first, sentence, _ = response.context["spikes"][0]
    assert (first.zone, first.observed, first.flagged) == ("H1", 15, True)
    assert first.p_value < 0.0001 and "&lt; 0.0001" in html  # too small for four decimals
    calm = response.context["spikes"][1][0]
    assert f"{calm.p_value:.4f}" in html and f"{calm.q_value:.4f}" in html


def test_the_compstat_csv_has_the_rows_and_neutralises_formulas(client_for, supervisor) -> None:
    layer = ZoneLayerFactory(name="precincts")
    zone = ZoneFactory(layer=layer, key="X1", name='=HYPERLINK("http://evil.example")')
    plant_incidents(3, day=AS_OF, zone=zone)
    plant_incidents(2, day=YEAR_AGO, zone=zone)

    response = _get(client_for(supervisor), "dashboards:compstat-csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:6] == ["zone", "zone_name", "category", "wtd", "wtd_prior", "wtd_change_pct"]
    assert rows[1][:6] == ["X1", '\'=HYPERLINK("http://evil.example")', "violent", "3", "2", "50.0"]
    event = AuditEvent.objects.filter(action="analysis.compstat_exported").get()
    assert event.detail["layer"] == "precincts" and event.outcome == "success"


def test_the_trend_csv_has_one_row_per_period(client_for, analyst, precincts) -> None:
    response = _get(client_for(analyst), "dashboards:trends-csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "week",
        "violent",
        "drug",
        "weapons",
        "total",
        "rolling_average",
        "same_period_last_year",
    ]
    assert len(rows) == 1 + 52
    assert rows[-1] == ["2025-07-14", "3", "4", "1", "8", "2.0", "2"]


def test_the_trends_page_takes_the_same_queries_for_one_zone_or_six(client_for, analyst) -> None:
    client = client_for(analyst)

    def queries(name: str, zones: int) -> int:
        layer = ZoneLayerFactory(name=name)
        for z in range(zones):
            zone = ZoneFactory(layer=layer, key=f"{name}{z}")
            plant_incidents(2, day=AS_OF, zone=zone)
            plant_incidents(1, day=YEAR_AGO, zone=zone, category="drug")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("dashboards:trends"), {"layer": name, "as_of": AS_OF})
        assert response.status_code == 200
        return len(captured)

    queries("warm", 1)
    assert queries("one", 1) == queries("six", 6)
