"""An analyst imports a real extract in the browser: drop the file, check the proposed mapping
on the preview, confirm it unchanged, and watch a real Celery worker load it."""

from __future__ import annotations

from pathlib import Path

import pytest

from intel.models import DataImport, Incident
from tests.conftest import PASSWORD, current_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EXTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "extracts" / "chicago_incidents.csv"


def test_analyst_imports_an_extract_with_the_proposed_mapping(
    page, worker, analyst, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    shots = artifacts_dir / "screenshots"
    device = totp_device(analyst)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I have read the notice above").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Crime analyst home").wait_for()

    page.get_by_role("link", name="Imports").click()
    page.get_by_label("Extract (CSV or XLSX)").set_input_files(str(EXTRACT))
    page.get_by_label("What it holds").select_option("incidents")
    page.get_by_label("From agency").fill("Chicago Police Department")
    page.get_by_role("button", name="Upload and preview").click()

    page.get_by_role("heading", name="Proposed mapping").wait_for()
    assert page.get_by_label("Date and time *").input_value() == "Date"
    assert page.get_by_label("Latitude").input_value() == "Latitude"
    page.screenshot(path=str(shots / "import-preview.png"), full_page=True)
    page.get_by_role("button", name="Import", exact=True).click()  # the mapping as proposed

    page.get_by_role("heading", name="Result").wait_for(timeout=60_000)
    page.screenshot(path=str(shots / "import-result.png"), full_page=True)
    data_import = DataImport.objects.get()
    assert (data_import.status, data_import.created) == ("succeeded", 300)
    assert Incident.objects.count() == 300
    assert "Download the rejected rows" not in page.content()
