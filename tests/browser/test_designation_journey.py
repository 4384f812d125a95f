"""An analyst proposes a man for designation from his person page; the supervisor approves it
from the designation list; the person page then shows him designated, with the caveat. In a
real browser: the person page's designation panel is loaded with htmx."""

from __future__ import annotations

from typing import Any

import pytest

from intel.models import PriorityDesignation
from tests.conftest import PASSWORD, current_code, totp_device
from tests.factories import ArrestFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAVEAT = "not a basis for detention or arrest"
REASON = "Three violent arrests in eighteen months, two with a recovered handgun."


def _sign_in(page: Any, user: Any) -> None:
    device = totp_device(user)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I have read the notice above").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()


def test_a_proposal_is_approved_by_the_supervisor_and_shown_with_the_caveat(  # type: ignore[no-untyped-def]
    page, browser, live_server, analyst, supervisor, artifacts_dir
) -> None:
    shots = artifacts_dir / "screenshots"
    person = PersonFactory(first_name="Marcus", last_name="Vale")
    ArrestFactory(person=person)

    _sign_in(page, analyst)
    page.goto(f"/intel/people/{person.pk}/")
    page.get_by_text("Not designated.").wait_for()  # the panel arrived by htmx
    page.get_by_role("link", name="Propose for designation").click()
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Propose for supervisor review").click()
    page.get_by_role("heading", name="History").wait_for()
    assert CAVEAT in page.content()
    page.screenshot(path=str(shots / "designation-proposed.png"), full_page=True)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    chief = context.new_page()
    chief.set_default_timeout(15000)
    _sign_in(chief, supervisor)
    chief.get_by_role("link", name="Designations").click()
    chief.get_by_role("link", name="Decide").click()
    chief.get_by_role("button", name="Approve for twelve months").click()
    chief.get_by_text("Designation approved").wait_for()
    chief.screenshot(path=str(shots / "designation-approved.png"), full_page=True)
    chief.goto(f"/intel/people/{person.pk}/")
    panel = chief.locator("section[aria-labelledby=priority-title]")
    panel.get_by_text("Designated", exact=True).wait_for()
    assert CAVEAT in panel.inner_text()
    chief.screenshot(path=str(shots / "person-designated.png"), full_page=True)
    context.close()

    designation = PriorityDesignation.objects.get(person=person)
    assert (designation.status, designation.proposed_by, designation.decided_by) == (
        "active",
        analyst,
        supervisor,
    )
