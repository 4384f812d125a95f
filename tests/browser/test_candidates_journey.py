"""An analyst reads the ranked candidates, each score's factors with its points, and narrows
them to a precinct; an administrator makes a new version of the weights, first refused for
weighing victimisation without the office's explicit choice. Screenshots are kept in
artifacts/screenshots/."""

from __future__ import annotations

import pytest

from intel.demo import demo_seed
from intel.models import Arrest, PriorityScore, ScoreConfig
from tests.conftest import PASSWORD, current_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user) -> None:  # type: ignore[no-untyped-def]
    device = totp_device(user)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I have read the notice above").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()


def test_an_analyst_reads_the_candidates_and_an_admin_reweighs(  # type: ignore[no-untyped-def]
    page, browser, live_server, analyst, admin_user, artifacts_dir
) -> None:
    demo_seed(people=150, incidents=600, arrests=300)
    shots = artifacts_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    top = PriorityScore.objects.order_by("-score", "person_id").first()
    assert top is not None
    zone = Arrest.objects.filter(person=top.person, zone__isnull=False).first().zone

    _sign_in(page, analyst)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Candidates").click()
    page.get_by_role("heading", name="Candidates").wait_for()
    first = page.locator("table.candidates tbody tr").first
    assert first.get_attribute("data-person") == str(top.person_id)
    assert "×" in first.inner_text() and "=" in first.inner_text()
    assert "not a basis for detention or arrest" in page.get_by_role("note").inner_text()
    page.screenshot(path=str(shots / "candidates.png"), full_page=True)

    page.get_by_label("Zone").select_option(str(zone.pk))
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**zone={zone.pk}**")
    rows = page.locator("table.candidates tbody tr")
    assert str(top.person_id) in [
        rows.nth(i).get_attribute("data-person") for i in range(rows.count())
    ]
    page.screenshot(path=str(shots / "candidates-zone.png"), full_page=True)

    admin = browser.new_context(base_url=live_server.url).new_page()
    _sign_in(admin, admin_user)
    admin.goto("/intel/priority/scores/")
    admin.get_by_role("link", name="New version").click()
    admin.get_by_label("Weight: Shooting victimisation").fill("2")
    admin.get_by_label("Note").fill("Count being shot")
    admin.get_by_role("button", name="Save the new version").click()
    admin.locator("p.error", has_text="Being shot is not an offender fact").wait_for()
    admin.screenshot(path=str(shots / "score-version-refused.png"), full_page=True)
    admin.get_by_label("Weight: Shooting victimisation").fill("0")
    admin.get_by_label("Weight: Firearm involvement").fill("5")
    admin.get_by_role("button", name="Save the new version").click()
    admin.get_by_text("Version 2 saved").wait_for()
    admin.screenshot(path=str(shots / "score-versions.png"), full_page=True)
    assert ScoreConfig.objects.get(version=2).weights["firearm"] == 5.0
