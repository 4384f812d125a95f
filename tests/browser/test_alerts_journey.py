"""A prosecutor starts watching a man before his bail hearing: creates a watch list, opens his
page, presses "Watch this person", gives the reason, and finds him on the list.

The rest of issue 13's journey (an arrests extract for him is imported, the alert arrives in the
inbox, she acknowledges it and records the action) waits for matching and delivery (parts E and
F) to land on main."""

from __future__ import annotations

import pytest

from alerts.models import WatchEntry, WatchList
from tests.conftest import PASSWORD, current_code, totp_device
from tests.factories import ArrestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Out on bail for a shooting by the river; any new arrest breaks his conditions."


def _sign_in(page, user) -> None:  # type: ignore[no-untyped-def]
    device = totp_device(user)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I have read the notice above").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()


def test_prosecutor_creates_a_list_and_watches_a_person_from_his_page(  # type: ignore[no-untyped-def]
    page, prosecutor, artifacts_dir
) -> None:
    person = ArrestFactory(person__first_name="Devon", person__last_name="Price").person
    shots = artifacts_dir / "screenshots"
    _sign_in(page, prosecutor)

    page.get_by_role("link", name="Watch lists").click()
    page.get_by_role("heading", name="Watch lists").wait_for()
    page.get_by_role("link", name="New list").click()
    page.get_by_label("Name").fill("Open case: bail watch")
    page.get_by_label("Priority").select_option("high")
    page.get_by_role("button", name="Create the list").click()
    page.get_by_role("heading", name="Open case: bail watch").wait_for()
    assert "your role: <strong>owner</strong>" in page.content()
    page.screenshot(path=str(shots / "alerts-list-created.png"), full_page=True)

    page.goto(f"/intel/people/{person.pk}/")
    page.get_by_role("link", name="Watch this person").click()
    page.get_by_role("heading", name=f"Watch {person}").wait_for()
    page.get_by_label("Watch list").select_option(label="Open case: bail watch")
    page.get_by_label("Reason").fill(REASON)
    page.get_by_label("Note for yourself").fill("Victim fears retaliation.")
    page.screenshot(path=str(shots / "alerts-watch-person.png"), full_page=True)
    page.get_by_role("button", name="Watch this person").click()

    page.get_by_role("heading", name="Entries (1)").wait_for()
    content = page.content()
    assert REASON in content and "Victim fears retaliation." in content
    assert str(person) in content
    page.screenshot(path=str(shots / "alerts-entry-added.png"), full_page=True)
    entry = WatchEntry.objects.get(person=person)
    assert entry.watch_list == WatchList.objects.get(name="Open case: bail watch")
    assert entry.watch_list.priority == "high" and entry.created_by == prosecutor
