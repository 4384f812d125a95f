"""CompStat: week to date, 28 days and year to date per zone and category against a year
earlier, counted from records planted on each side of every window's edge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from dashboards.analysis.compstat import compstat_list, compstat_totals
from dashboards.analysis.periods import compstat_windows
from tests.dashboards.records import at, plant_incidents
from tests.factories import ArrestFactory, ShootingFactory, ZoneFactory, ZoneLayerFactory

pytestmark = pytest.mark.django_db

# A Thursday: the week to date is Monday 11 March through Thursday 14 March 2024.
AS_OF = date(2024, 3, 14)


def test_windows_line_up_weekdays_a_year_back_and_ytd_by_calendar() -> None:
    w = compstat_windows(AS_OF)

    assert (w["wtd"].first, w["wtd"].last) == (date(2024, 3, 11), AS_OF)
    assert (w["wtd_prior"].first, w["wtd_prior"].last) == (date(2023, 3, 13), date(2023, 3, 16))
    assert w["wtd_prior"].first.weekday() == 0  # a Monday, like this week's
    assert (w["d28"].first, w["d28"].last) == (date(2024, 2, 16), AS_OF)
    assert (w["d28_prior"].first, w["d28_prior"].last) == (date(2023, 2, 17), date(2023, 3, 16))
    assert (w["ytd"].first, w["ytd_prior"].first) == (date(2024, 1, 1), date(2023, 1, 1))
    assert w["ytd_prior"].last == date(2023, 3, 14)


def test_counts_match_hand_counted_records_across_every_edge(analyst) -> None:
    layer = ZoneLayerFactory(name="precincts")
    north, south = ZoneFactory(layer=layer, key="N1"), ZoneFactory(layer=layer, key="S1")
    other_layer_zone = ZoneFactory(layer=ZoneLayerFactory(name="council"), key="C9")
    plant = plant_incidents
    # north/violent, hand-counted per window below.
    plant(2, day=AS_OF, hour=23, zone=north)  # late on as_of: wtd, d28, ytd
    plant(1, day=AS_OF + timedelta(days=1), hour=0, zone=north)  # the next day: nowhere
    plant(3, day=date(2024, 3, 11), hour=0, zone=north)  # Monday 00:00: wtd, d28, ytd
    plant(1, day=date(2024, 3, 10), hour=23, zone=north)  # Sunday before: d28, ytd
    plant(4, day=date(2024, 2, 16), zone=north)  # first day of d28: d28, ytd
    plant(1, day=date(2024, 2, 15), zone=north)  # the day before: ytd only
    plant(2, day=date(2024, 1, 1), hour=0, zone=north)  # ytd only
    plant(1, day=date(2023, 12, 31), hour=23, zone=north)  # last year, after ytd_prior: none
    plant(5, day=date(2023, 3, 13), zone=north)  # Monday a year back: wtd/d28/ytd prior
    plant(1, day=date(2023, 3, 16), zone=north)  # Thursday 364 days back: wtd, d28 prior; not ytd
    plant(2, day=date(2023, 2, 17), zone=north)  # d28_prior's first day, ytd_prior
    plant(1, day=date(2023, 2, 16), zone=north)  # the day before: ytd_prior only
    plant(1, day=date(2023, 1, 1), zone=north)  # ytd_prior
    # Other categories, zones and layers stay in their own rows or out.
    plant(3, day=AS_OF, zone=north, category="property")
    plant(6, day=AS_OF, zone=south)
    plant(7, day=AS_OF, zone=other_layer_zone)
    plant(8, day=AS_OF, zone=None)

    rows = {
        (r.zone, r.category): r
        for r in compstat_list(actor=analyst, layer="precincts", as_of=AS_OF)
    }

    assert set(rows) == {("N1", "violent"), ("N1", "property"), ("S1", "violent")}
    violent = rows[("N1", "violent")]
    assert (violent.wtd, violent.d28, violent.ytd) == (5, 10, 13)
    assert (violent.wtd_prior, violent.d28_prior, violent.ytd_prior) == (6, 8, 9)
    assert (rows[("N1", "property")].wtd, rows[("S1", "violent")].ytd) == (3, 6)


def test_totals_count_arrests_shootings_and_victims_in_the_layer(analyst) -> None:
    layer = ZoneLayerFactory(name="precincts")
    zone = ZoneFactory(layer=layer)
    plant_incidents(2, day=AS_OF, zone=zone)
    ArrestFactory(arrested_at=at(AS_OF), zone=zone)
    ArrestFactory(arrested_at=at(date(2023, 3, 15)), zone=zone)  # wtd_prior
    ShootingFactory(occurred_at=at(AS_OF), zone=zone, victim_count=3)
    ShootingFactory(occurred_at=at(date(2024, 2, 1)), zone=zone, victim_count=1)
    ShootingFactory(occurred_at=at(AS_OF), zone=None, victim_count=5)  # no zone: not counted

    totals = compstat_totals(actor=analyst, layer="precincts", as_of=AS_OF)

    assert (totals["incidents"].wtd, totals["arrests"].wtd, totals["arrests"].wtd_prior) == (
        2,
        1,
        1,
    )
    assert (totals["shootings"].wtd, totals["shootings"].ytd) == (1, 2)
    assert (totals["shooting_victims"].wtd, totals["shooting_victims"].ytd) == (3, 4)


def test_an_unknown_layer_is_bad_input(analyst) -> None:
    with pytest.raises(ValidationError) as raised:
        compstat_list(actor=analyst, layer="nope", as_of=AS_OF)

    assert "layer" in raised.value.message_dict


def test_a_role_that_may_not_read_layers_cannot_name_one(prosecutor) -> None:
    """visible_to: to a prosecutor (no view_zonelayer) every layer is unknown."""
    ZoneLayerFactory(name="precincts")

    with pytest.raises(ValidationError):
        compstat_list(actor=prosecutor, layer="precincts", as_of=AS_OF)
