"""Spike detection: a planted rise in one (category, zone) pair is flagged with its p and q
values; on Poisson noise with no rise, flags stay within the FDR level."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from scipy import stats

from dashboards.analysis.periods import YEAR_SHIFT, Window
from dashboards.analysis.spikes import EXPECTED_FLOOR, FDR_LEVEL, spike_list
from tests.dashboards.records import plant_incidents
from tests.factories import AgencyFactory, ZoneFactory, ZoneLayerFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 7, 20)
WINDOW = Window(AS_OF - timedelta(days=27), AS_OF)
SEASONAL = [WINDOW.shifted(YEAR_SHIFT * k) for k in (1, 2, 3)]


def _plant_pair(zone, category: str, counts: list[int], agency) -> None:  # type: ignore[no-untyped-def]
    """``counts[0]`` incidents in the current window, then one count per seasonal window,
    spread over the window's days."""
    for window, n in zip([WINDOW, *SEASONAL], counts, strict=True):
        for i in range(n):
            day = window.first + timedelta(days=i % 28)
            plant_incidents(1, day=day, zone=zone, category=category, agency=agency)


def _plant_noise(layer, zones: int, categories: list[str], rate: float, seed: int) -> dict:  # type: ignore[no-untyped-def]
    from intel.models import Incident
    from tests.dashboards.records import at
    from tests.factories import IncidentFactory

    rng = np.random.default_rng(seed)
    agency = AgencyFactory()
    built, truth = [], {}
    for z in range(zones):
        zone = ZoneFactory(layer=layer, key=f"Z{z:02d}")
        for category in categories:
            counts = rng.poisson(rate, size=4).tolist()
            truth[(zone.key, category)] = counts
            for window, n in zip([WINDOW, *SEASONAL], counts, strict=True):
                days = rng.integers(0, 28, size=n)
                built += [
                    IncidentFactory.build(
                        source_agency=agency,
                        zone=zone,
                        category=category,
                        occurred_at=at(window.first + timedelta(days=int(d)), int(h)),
                    )
                    for d, h in zip(days, rng.integers(0, 24, size=n), strict=True)
                ]
    Incident.objects.bulk_create(built)
    return truth


def test_a_planted_spike_is_flagged_with_its_p_and_q_values(analyst) -> None:
    layer = ZoneLayerFactory(name="precincts")
    agency = AgencyFactory()
    zones = [ZoneFactory(layer=layer, key=key) for key in ("A", "B", "C")]
    for zone in zones:
        for category in ("violent", "property"):
            _plant_pair(zone, category, [6, 5, 7, 6], agency)
    _plant_pair(zones[1], "weapons", [24, 5, 6, 7], agency)  # the spike: 24 against about 6

    rows = spike_list(actor=analyst, layer="precincts", as_of=AS_OF, window_days=28)

    flagged = [(r.zone, r.category) for r in rows if r.flagged]
    assert flagged == [("B", "weapons")]
    spike = rows[0]
    assert (spike.observed, spike.expected, spike.baseline) == (24, 6.0, (5, 6, 7))
    assert spike.baseline_kind == "seasonal"
    assert spike.p_value == pytest.approx(stats.poisson.sf(23, 6.0))
    assert spike.p_value < 1e-6
    # Seven pairs tested: BH multiplies the smallest p by 7 / 1.
    assert spike.q_value == pytest.approx(spike.p_value * 7)
    assert len(rows) == 7
    assert all(r.q_value > FDR_LEVEL for r in rows[1:])


@pytest.mark.parametrize("seed", [11, 12])
def test_on_poisson_noise_the_share_flagged_stays_within_the_fdr_level(analyst, seed) -> None:
    layer = ZoneLayerFactory(name="precincts")
    categories = ["violent", "property", "drug", "weapons", "public_order", "other"]
    truth = _plant_noise(layer, zones=10, categories=categories, rate=6.0, seed=seed)

    rows = spike_list(actor=analyst, layer="precincts", as_of=AS_OF, window_days=28)

    assert {(r.zone, r.category): r.observed for r in rows} == {
        pair: counts[0] for pair, counts in truth.items() if any(counts)
    }
    flagged = sum(r.flagged for r in rows)
    assert flagged / len(rows) <= FDR_LEVEL, [r for r in rows if r.flagged]


def test_a_pair_with_no_history_is_tested_against_the_floor_not_zero(analyst) -> None:
    layer = ZoneLayerFactory(name="precincts")
    agency = AgencyFactory()
    zone = ZoneFactory(layer=layer, key="A")
    _plant_pair(zone, "violent", [4, 4, 4, 4], agency)  # gives the layer its history
    _plant_pair(zone, "drug", [1, 0, 0, 0], agency)  # a first ever drug incident

    rows = {r.category: r for r in spike_list(actor=analyst, layer="precincts", as_of=AS_OF)}

    drug = rows["drug"]
    assert (drug.observed, drug.expected) == (1, EXPECTED_FLOOR)
    assert drug.p_value == pytest.approx(1 - np.exp(-EXPECTED_FLOOR))  # P(X >= 1), about 0.39
    assert not drug.flagged


def test_without_a_year_of_history_the_windows_just_before_stand_in(analyst) -> None:
    layer = ZoneLayerFactory(name="precincts")
    zone = ZoneFactory(layer=layer, key="A")
    for k, n in enumerate([9, 3, 4, 2]):  # current window, then the three before it
        plant_incidents(n, day=WINDOW.first - timedelta(days=28 * k), zone=zone)

    (row,) = spike_list(actor=analyst, layer="precincts", as_of=AS_OF)

    assert (row.baseline_kind, row.baseline, row.expected) == ("recent", (3, 4, 2), 3.0)


def test_records_that_start_inside_the_window_give_nothing_to_test(analyst) -> None:
    layer = ZoneLayerFactory(name="precincts")
    plant_incidents(5, day=AS_OF, zone=ZoneFactory(layer=layer))

    assert spike_list(actor=analyst, layer="precincts", as_of=AS_OF) == []
