"""A prosecutor starts watching a man before his bail hearing: creates a watch list, opens his
page, presses "Watch this person", gives the reason, and finds him on the list. Then an arrests
extract naming him is imported through the real pipeline (``import_extract``: entity
resolution, matching), a real Celery worker delivers the alert, and she finds it in her inbox,
acknowledges it and records that bail was argued."""

from __future__ import annotations

import io
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from alerts.models import Alert, WatchEntry, WatchList
from tests.conftest import PASSWORD, current_code, totp_device
from tests.factories import ArrestFactory, PersonFactory, PersonIdentifierFactory

EXTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "alerts" / "arrests.csv"

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


def _watch_from_the_person_page(page, person, list_name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/intel/people/{person.pk}/")
    page.get_by_role("link", name="Watch this person").click()
    page.get_by_label("Watch list").select_option(label=list_name)
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Watch this person").click()
    page.get_by_role("heading", name="Entries (1)").wait_for()


@pytest.mark.worker
def test_the_alert_arrives_after_an_arrest_import_and_she_records_the_action(  # type: ignore[no-untyped-def]
    page, prosecutor, worker, artifacts_dir
) -> None:
    # The man in the extract's first row (tests/fixtures/alerts/arrests.csv), known by state ID.
    devon = PersonFactory(first_name="Devon", last_name="Marsh", dob=date(1995, 3, 14))
    PersonIdentifierFactory(person=devon, value="NY1234567K")
    shots = artifacts_dir / "screenshots"
    _sign_in(page, prosecutor)
    page.goto("/alerts/lists/new/")
    page.get_by_label("Name").fill("Open case: bail watch")
    page.get_by_label("Priority").select_option("high")
    page.get_by_role("button", name="Create the list").click()
    _watch_from_the_person_page(page, devon, "Open case: bail watch")

    call_command(
        "import_extract", str(EXTRACT), "--kind", "arrests",
        "--agency", "Test City Police Department", stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip

    # The worker delivers in-app; the inbox lists delivered alerts only. Poll, as she would.
    page.goto("/alerts/")
    deadline = time.monotonic() + 90
    while "MARSH" not in page.content().upper() and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    page.get_by_text("Open case: bail watch").first.wait_for()
    assert page.get_by_test_id("alerts-badge").inner_text() == "1"
    page.screenshot(path=str(shots / "alerts-inbox.png"), full_page=True)

    page.locator("table a[href^='/alerts/']").first.click()
    page.get_by_role("heading", name="Why you were alerted").wait_for()
    assert REASON in page.content()
    page.locator("select#id_action").select_option(label="Bail argued")
    page.locator("textarea#id_note").fill("Remand asked at arraignment; held on bail.")
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Action: ").wait_for()
    page.screenshot(path=str(shots / "alerts-acknowledged.png"), full_page=True)

    alert = Alert.objects.get(recipient=prosecutor)
    assert alert.person == devon and alert.acknowledged_at is not None
    assert alert.action == Alert.Action.BAIL_ARGUED
    assert [m["list"] for m in alert.matches] == ["Open case: bail watch"]
    assert alert.deliveries.get(channel="in_app").status == "sent"
