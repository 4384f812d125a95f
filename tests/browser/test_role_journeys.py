"""Each demo role signs in through the real page, with a real TOTP code, in real Chromium, and
lands on its own home page. Screenshots are kept in artifacts/screenshots/."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP

from intel.demo import DEMO_USERS, demo_seed
from tests.conftest import current_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_HEADINGS = {
    "prosecutor": "Prosecutor home",
    "analyst": "Crime analyst home",
    "supervisor": "Supervisor home",
    "admin": "Administrator home",
}


def _password_step(page, demo: dict) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(demo["username"])
    page.get_by_label("Password").fill(demo["password"])
    page.get_by_label("I have read the notice above").check()
    page.get_by_role("button", name="Continue").click()


def test_every_role_signs_in_with_mfa_and_sees_its_home(page, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    from csu.actors import system_actor
    from csu.models import User
    from csu.services import mfa_enrolment_code_issue

    demo_seed(people=150, incidents=600, arrests=300)
    shots = artifacts_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    for demo in DEMO_USERS:
        role = demo["role"]
        user = User.objects.get(username=demo["username"])
        device = None if role == "prosecutor" else totp_device(user)  # the others enrolled before
        # as an admin hands over
        enrolment_code = mfa_enrolment_code_issue(actor=system_actor(), user=user)
        _password_step(page, demo)
        if role == "prosecutor":
            # First sign-in: the enrolment code, then an authenticator from the key shown.
            page.get_by_role("heading", name="Set up your authenticator").wait_for()
            page.get_by_label("Enrolment code").fill(enrolment_code)
            page.get_by_role("button", name="Continue").click()
            page.get_by_test_id("totp-secret").wait_for()
            page.screenshot(path=str(shots / "mfa-enrolment.png"), full_page=True)
            secret = page.get_by_test_id("totp-secret").inner_text()
            totp = TOTP(base64.b32decode(secret))
            code = f"{totp.token():06d}"
        else:
            code = current_code(device)
            page.get_by_role("heading", name="Enter your code").wait_for()
        page.get_by_label("Six-digit code").fill(code)
        page.get_by_role("button", name="Verify").click()

        page.get_by_role("heading", name=HOME_HEADINGS[role]).wait_for()
        if role in ("analyst", "supervisor"):
            page.locator(".chart .main-svg").first.wait_for()  # plotly drew the trend
        page.screenshot(path=str(shots / f"home-{role}.png"), full_page=True)
        nav = page.get_by_role("navigation", name="Main").inner_text()
        assert ("Audit trail" in nav) == (role in ("supervisor", "admin"))
        assert ("Users" in nav) == (role == "admin")
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in").wait_for()

    assert sorted(p.name for p in shots.glob("home-*.png")) == [
        f"home-{r}.png" for r in sorted(HOME_HEADINGS)
    ]


def test_login_page_is_usable_by_keyboard(page, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.screenshot(path=str(artifacts_dir / "screenshots" / "login.png"), full_page=True)
    focused = []
    for _ in range(3):
        focused.append(page.evaluate("document.activeElement.name"))
        page.keyboard.press("Tab")
    focused.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert focused == ["username", "password", "acknowledge_banner", "Continue"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # ticks the notice from the keyboard
    assert page.get_by_label("I have read the notice above").is_checked()
    for label in ("Username", "Password", "I have read the notice above and consent to its terms."):
        assert page.get_by_label(label).count() == 1
