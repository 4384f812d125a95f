"""A prosecutor before a bail hearing: finds a man by a misspelt name, opens his page, reads why
his arrests are linked, his timeline, and sees the graph of his associates drawn."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from csu.actors import system_actor
from intel.models import Arrest, Incident
from intel.people.resolution.engine import resolve_arrests
from tests.conftest import PASSWORD, current_code, totp_device
from tests.factories.intel import AgencyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
T0 = datetime(2025, 5, 1, 22, tzinfo=UTC)


def _county() -> None:
    pd = AgencyFactory(name="Harbor County PD")
    incident = Incident.objects.create(
        source_agency=pd,
        source_id="I1",
        occurred_at=T0,
        offense_description="ROBBERY",
        category="violent",
    )
    rows = [
        ("SMITH, JON A", date(1994, 3, 11), "S1", incident),
        ("SMITH JR, JOHN", date(1994, 3, 11), "S1", None),
        ("PRICE, DEVON", date(1996, 1, 2), "S2", incident),
    ]
    for n, (name, dob, sid, inc) in enumerate(rows):
        Arrest.objects.create(
            source_agency=pd,
            source_id=f"A{n}",
            arrested_at=T0 + timedelta(days=n * 30),
            name_as_recorded=name,
            dob_as_recorded=dob,
            state_id_as_recorded=sid,
            sex="M",
            incident=inc,
            person=None,
        )
    resolve_arrests(actor=system_actor())


def test_prosecutor_finds_a_person_and_reads_his_page(page, prosecutor, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    _county()
    shots = artifacts_dir / "screenshots"
    device = totp_device(prosecutor)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(prosecutor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I have read the notice above").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()

    page.get_by_role("link", name="People").click()
    page.get_by_label("Name").fill("Jon Smyth")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="1 person found").wait_for()
    page.screenshot(path=str(shots / "person-search.png"), full_page=True)
    page.get_by_role("link", name="SMITH, Jon A").first.click()

    page.get_by_role("heading", name="Why these records are linked").wait_for()
    content = page.content()
    assert "Same identifier" in content and "state ID" in content
    assert "ROBBERY" in content or "A0" in content
    page.locator(".chart .main-svg").first.wait_for(timeout=20_000)  # plotly drew the graph
    assert page.get_by_role("link", name="PRICE, Devon").count() >= 1
    page.screenshot(path=str(shots / "person-page.png"), full_page=True)
