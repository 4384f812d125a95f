"""A supervisor setting priorities: signs in, opens the crime map from the home page, filters it
to firearm violence in one precinct over the last 90 days, sees points, hexagons and significant
hotspots drawn, opens the precinct's timeline (where that page is installed) and downloads a
table as CSV. Screenshots and the download are kept in artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dashboards.views.map import zone_timeline_url
from intel.demo import catalog, demo_seed
from intel.demo.planted import CLUSTER
from intel.models import Zone
from tests.conftest import PASSWORD, current_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the figure on the page holds, by layer (read from plotly's own data in the DOM).
FIGURE_LAYERS = """() => {
  const traces = document.getElementById("crime-map").data || [];
  const out = {};
  for (const t of traces) {
    const meta = t.meta || {};
    const key = meta.layer + (meta["class"] ? ":" + meta["class"] : "");
    const n = meta.cells ? meta.cells.length : (t.x || []).filter((v) => v !== null).length;
    out[key] = (out[key] || 0) + n;
  }
  return out;
}"""


def _sign_in(page: Any, user: Any) -> None:
    device = totp_device(user)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I have read the notice above").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()


def test_supervisor_maps_firearm_violence_in_a_precinct(page, supervisor, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    demo_seed(people=150, incidents=600, arrests=300)
    precinct = next(z for z in Zone.objects.all() if z.contains(*CLUSTER))
    shots = artifacts_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    _sign_in(page, supervisor)
    page.get_by_role("heading", name="Supervisor home").wait_for()
    page.get_by_role("link", name="Open the crime map").click()
    page.get_by_role("heading", name="Crime map").wait_for()
    page.locator("#crime-map .main-svg").first.wait_for()
    page.screenshot(path=str(shots / "map-default.png"), full_page=True)

    page.get_by_label("Violent").check()
    page.get_by_label("Firearm").select_option("yes")
    page.get_by_label("Zone layer").select_option(catalog.LAYER_NAME)
    page.get_by_label("Zone", exact=True).select_option(str(precinct.pk))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/dashboards/map/?*firearm=yes*")
    page.locator("#crime-map .main-svg").first.wait_for()
    page.screenshot(path=str(shots / "map-firearm-violence-precinct.png"), full_page=True)

    assert page.get_by_label("From").input_value()  # the last 90 days, shown as chosen
    layers = page.evaluate(FIGURE_LAYERS)
    assert layers.get("points", 0) > 0, layers
    assert layers.get("hexagons", 0) > 0, layers
    assert layers.get("hotspots:hot", 0) > 0, layers
    assert layers.get("selected-zone", 0) > 0, layers
    # plotly drew them: filled hexagons and point markers are in the SVG.
    assert page.locator("#crime-map .scatterlayer .trace path.js-fill").count() > 0
    assert page.locator("#crime-map .scatterlayer .point").count() > 0
    summary = page.get_by_test_id("hotspot-summary").inner_text()
    assert "95 % confidence after the false-discovery-rate correction" in summary
    assert "hot" in summary and "expected to be chance" in summary
    assert "left out of the points and hotspots" in page.get_by_test_id("map-summary").inner_text()

    # The chart itself downloads as PNG from plotly's camera button, offline.
    page.locator("#crime-map").hover()
    with page.expect_download() as png:
        page.locator("#crime-map .modebar-btn[data-title*='PNG']").click()
    png.value.save_as(str(artifacts_dir / "crime-map.png"))
    assert (artifacts_dir / "crime-map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    timeline = zone_timeline_url(precinct.pk)
    page.get_by_role("link", name=f"Open the timeline of zone {precinct.key}").click()
    page.wait_for_url(f"**{timeline}")
    page.screenshot(path=str(shots / "zone-timeline.png"), full_page=True)
    page.go_back()

    response = page.request.get(f"{reverse('dashboards:compstat-csv')}?layer={catalog.LAYER_NAME}")
    assert response.ok and "csv" in response.headers["content-type"]
    assert response.text().startswith('"zone"') or "zone" in response.text().splitlines()[0]
    (artifacts_dir / "compstat.csv").write_bytes(response.body())
