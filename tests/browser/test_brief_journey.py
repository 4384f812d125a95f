"""A prosecutor before an arraignment: opens a designated man's page, goes to his brief, reads
it, downloads the PDF, and every arrest, case and intelligence record of his is cited in it.
A supervisor then finds the view and the download in the audit trail."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from csu.models import AuditEvent
from intel.priority.citations import cite_arrest, cite_case, cite_intel
from tests.conftest import PASSWORD, current_code, totp_device
from tests.factories.priority import briefed_person, drug_rule

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


def test_prosecutor_reads_and_downloads_a_designated_persons_brief(  # type: ignore[no-untyped-def]
    page, browser, live_server, prosecutor, analyst, supervisor, artifacts_dir
) -> None:
    drug_rule(supervisor)
    b = briefed_person(analyst=analyst, supervisor=supervisor, prosecutor=prosecutor)
    shots = artifacts_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    _sign_in(page, prosecutor)
    page.goto(reverse("intel:person-detail", args=[b.person.pk]))
    page.get_by_role("link", name="Prosecutor's brief").click()

    page.get_by_role("heading", name="Criminal history").wait_for()
    for title in ("Designation", "Open cases", "Intelligence (approved)", "Alternative treatment"):
        assert page.get_by_role("heading", name=title, exact=True).count() == 1
    content = page.content()
    assert "not a basis for detention or arrest" in content
    # Facts link to their source: the intelligence record's own page.
    first_intel = cite_intel(b.intel[0])
    page.get_by_role("link", name=first_intel.label).first.wait_for()
    assert page.locator(f'a[href="{first_intel.url}"]').count() >= 1
    page.screenshot(path=str(shots / "brief-page.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "brief-print-media.png"), full_page=True)
    page.emulate_media(media="screen")

    # Print: the button records the printing first, then opens the print dialog (stubbed here:
    # a headless browser has none).
    page.evaluate("window.print = () => { window.briefPrinted = true; }")
    page.get_by_role("button", name="Print").click()
    page.wait_for_function("window.briefPrinted === true")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == f"brief-{b.person.pk}.pdf"
    path = artifacts_dir / download.suggested_filename
    download.save_as(str(path))

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() or "" for p in reader.pages))
    for arrest in b.arrests:
        assert cite_arrest(arrest).label in text, arrest.source_id
    for case in b.cases:
        assert cite_case(case).label in text, case.case_number
    for record in b.intel:
        assert cite_intel(record).label in text, record.pk
    assert "court record" in text and "police report" in text
    assert f"{prosecutor.get_full_name()} ({prosecutor.username})" in text

    trail = AuditEvent.objects.filter(actor=prosecutor, action__startswith="brief.")
    assert list(trail.order_by("id").values_list("action", "object_id")) == [
        ("brief.viewed", str(b.person.pk)),
        ("brief.printed", str(b.person.pk)),
        ("brief.downloaded", str(b.person.pk)),
    ]

    # The supervisor reads the same in the audit trail's page.
    context = browser.new_context(base_url=live_server.url)
    other = context.new_page()
    other.set_default_timeout(15000)
    _sign_in(other, supervisor)
    other.goto(reverse("csu:audit-list") + f"?username={prosecutor.username}")
    audit_html = other.content()
    for action in ("brief.viewed", "brief.printed", "brief.downloaded"):
        assert action in audit_html
    assert f"intel.person #{b.person.pk}" in audit_html
    other.screenshot(path=str(shots / "brief-audit-trail.png"), full_page=True)
    context.close()
