"""A supervisor before the weekly CompStat meeting, in real Chromium: opens Trends from the
navigation, filters to violent crime in one zone without any script (a GET form), sees the
chart drawn, the CompStat change and the flagged spike, opens the zone's timeline and downloads
the CompStat table as CSV. Screenshots are kept in artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dashboards.analysis.periods import YEAR_SHIFT
from tests.conftest import PASSWORD, current_code, totp_device
from tests.dashboards.records import plant_incidents
from tests.factories import AgencyFactory, ShootingFactory, ZoneFactory, ZoneLayerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _precincts():  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    layer = ZoneLayerFactory(name="precincts", label="Precincts")
    north = ZoneFactory(layer=layer, key="N1", name="North")
    south = ZoneFactory(layer=layer, key="S1", name="South")
    agency = AgencyFactory()
    for k in (1, 2, 3):
        plant_incidents(1, day=today - YEAR_SHIFT * k, zone=north, agency=agency)
        plant_incidents(2, day=today - YEAR_SHIFT * k, zone=south, agency=agency)
    plant_incidents(12, day=today, zone=north, agency=agency)
    plant_incidents(2, day=today, zone=south, agency=agency, category="drug")
    ShootingFactory(zone=north, occurred_at=timezone.now() - timedelta(hours=2), victim_count=2)
    return north


def test_supervisor_filters_trends_opens_a_timeline_and_downloads_compstat(  # type: ignore[no-untyped-def]
    page, supervisor, artifacts_dir
) -> None:
    north = _precincts()
    shots = artifacts_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    device = totp_device(supervisor)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(supervisor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I have read the notice above").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trends").click()
    page.get_by_label("Zone", exact=True).select_option(label="North (N1)")
    page.get_by_label("Category", exact=True).select_option("violent")
    page.get_by_role("button", name="Apply").click()

    assert f"zone={north.pk}" in page.url and "category=violent" in page.url  # shareable
    page.locator(".chart .main-svg").first.wait_for()  # plotly drew the trend
    compstat = page.locator("#compstat-title + .scroll table").inner_text()
    assert "North" in compstat and "+1100.0 %" in compstat  # 12 this week against 1
    assert "Significant after correcting for" in page.locator("table").last.inner_text()
    page.screenshot(path=str(shots / "trends-north-violent.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CompStat table as CSV").click()
    body = download.value.path().read_text()
    assert body.splitlines()[1].startswith('"N1","North","violent","12","1"')

    page.locator("#compstat-title + .scroll").get_by_role("link", name="North").click()
    page.get_by_role("heading", name="North (N1): violence over time").wait_for()
    page.locator(".chart .main-svg").first.wait_for()
    assert "Shooting, 2 victims" in page.locator("ol.timeline").inner_text()
    page.screenshot(path=str(shots / "zone-timeline-north.png"), full_page=True)
