"""The prosecutor's brief: every section, every fact cited with its kind of source, victimisation
kept apart, owner-only notes and restricted intelligence, the PDF (its text and footer), the
audit of viewing, printing and downloading, who may read it, and a PDF renderer that never
touches the network."""

from __future__ import annotations

import http.server
import io
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from csu.models import AuditEvent
from intel.models import IntelRecord, Person
from intel.priority.brief import OWNER_NOTE_REDACTED, person_brief
from intel.priority.citations import cite_arrest, cite_case, cite_intel
from tests.factories.intel import ShootingFactory
from tests.factories.priority import add_arrest, add_case, add_intel, briefed_person, drug_rule

pytestmark = pytest.mark.django_db

SECTIONS = [
    "Identity",
    "Designation",
    "Current score",
    "Criminal history",
    "Open cases",
    "Recent timeline",
    "Associates and groups",
    "Intelligence (approved)",
    "Victimisation",
    "Probation and parole",
    "Alternative treatment",
    "Caveat",
]
CAVEAT_START = "A priority designation is an internal prioritisation aid"


@pytest.fixture
def briefed(analyst, supervisor, prosecutor):  # type: ignore[no-untyped-def]
    drug_rule(supervisor)
    return briefed_person(analyst=analyst, supervisor=supervisor, prosecutor=prosecutor)


def _section(html: str, key: str) -> str:
    match = re.search(rf'id="brief-{key}".*?</section>', html, re.S)
    assert match, key
    return match.group(0)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def test_it_shows_every_section_with_cited_sources(briefed, client_for, prosecutor) -> None:
    response = client_for(prosecutor).get(reverse("intel:person-brief", args=[briefed.person.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for title in SECTIONS:
        assert f">{title}</h2>" in html, title
    for arrest in briefed.arrests:
        assert f"HCPD arrest {arrest.source_id}" in html
    for case in briefed.cases:
        assert f"HCDA case {case.case_number} (record {case.source_id})" in html
    assert "court record" in html and "police report" in html
    good, tip = briefed.intel
    assert reverse("intel:record-detail", args=[good.pk]) in html  # the fact links its source
    assert "intelligence (source reliability B: usually reliable, content validity 2" in html
    assert "uncorroborated intelligence (source reliability D: reliability unknown" in html
    assert f"CSU membership #{briefed.memberships[0].pk}" in html
    assert "State Division of Parole PAR-2291" in html
    assert CAVEAT_START in html
    assert "Advice only" in html
    # The open case names its prosecutor (the user assigned), with the charges.
    cases = _section(html, "cases")
    assert prosecutor.get_full_name() in cases and "DRUG CHARGE" in cases
    assert briefed.cases[1].case_number not in cases  # the closed case is not open
    # The designation, with its basis citing the arrest it rested on.
    designation = _section(html, "designation")
    assert "Designated" in designation and "Two shootings linked" in designation
    assert f"HCPD arrest {briefed.arrests[0].source_id}" in designation


def test_the_current_score_cites_the_records_the_scoring_named(briefed, analyst) -> None:
    from csu.actors import system_actor
    from intel.priority.scoring import scores_compute

    scores_compute(actor=system_actor(), person_ids=[briefed.person.pk])

    brief = person_brief(actor=analyst, person=briefed.person)

    assert brief.score is not None
    cited = [r for f in brief.score.factors for r in f.records]
    assert cited, "the briefed person has scored records"
    assert all(r.kind != "not visible to you" for r in cited), cited


def test_it_keeps_victimisation_out_of_the_criminal_history(briefed, client_for, analyst) -> None:
    html = (
        client_for(analyst)
        .get(reverse("intel:person-brief", args=[briefed.person.pk]))
        .content.decode()
    )

    shooting = briefed.shootings[0]
    history = _section(html, "history")
    assert f"shooting {shooting.source_id}" not in history
    assert re.search(r"All arrests</th><td class=\"num\">3<", history)
    assert re.search(r"Violent arrests</th><td class=\"num\">1<", history)
    # Gun: the weapons arrest and the violent arrest whose incident involved a firearm.
    assert re.search(r"Firearm or weapons arrests</th><td class=\"num\">2<", history)
    victims = _section(html, "victimisation")
    assert f"HCPD shooting {shooting.source_id}" in victims
    assert f"shooting {shooting.source_id}" not in _section(html, "timeline")


def test_a_role_without_shooting_reports_is_told_so(briefed, client_for, prosecutor) -> None:
    html = (
        client_for(prosecutor)
        .get(reverse("intel:person-brief", args=[briefed.person.pk]))
        .content.decode()
    )

    victims = _section(html, "victimisation")
    assert "not open to your role" in victims
    assert briefed.shootings[0].source_id not in html


def test_the_owner_note_is_for_its_submitter_alone(briefed, analyst, prosecutor) -> None:
    note = "Handler: call Det. Ruiz before any use."

    for_submitter = person_brief(actor=analyst, person=briefed.person)
    for_prosecutor = person_brief(actor=prosecutor, person=briefed.person)

    assert [c.extra for c in for_submitter.intel if c.obj.owner_note] == [note]
    assert [c.extra for c in for_prosecutor.intel if c.obj.owner_note] == [OWNER_NOTE_REDACTED]


def test_the_owner_note_is_redacted_on_the_page(briefed, client_for, prosecutor) -> None:
    html = (
        client_for(prosecutor)
        .get(reverse("intel:person-brief", args=[briefed.person.pk]))
        .content.decode()
    )

    assert "Det. Ruiz" not in html
    assert OWNER_NOTE_REDACTED in html


def test_restricted_intelligence_the_reader_cannot_open_is_absent(
    briefed, analyst, supervisor, prosecutor, client_for
) -> None:
    hidden = add_intel(
        briefed,
        submitter=analyst,
        approver=supervisor,
        sensitivity=IntelRecord.Sensitivity.RESTRICTED,
        narrative="Restricted: wiretap summary naming his supplier.",
    )

    html = (
        client_for(prosecutor)
        .get(reverse("intel:person-brief", args=[briefed.person.pk]))
        .content.decode()
    )
    assert f"intel #{hidden.pk}" not in html and "wiretap" not in html
    # Its submitter sees it.
    assert hidden.pk in [c.obj.pk for c in person_brief(actor=analyst, person=briefed.person).intel]


def test_the_pdf_cites_every_record_and_carries_the_footer(briefed, client_for, prosecutor) -> None:
    response = client_for(prosecutor).get(
        reverse("intel:person-brief-pdf", args=[briefed.person.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="brief-{briefed.person.pk}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    text = _pdf_text(response.content)
    for arrest in briefed.arrests:
        assert cite_arrest(arrest).label in text
    for case in briefed.cases:
        assert cite_case(case).label in text
    for record in briefed.intel:
        assert cite_intel(record).label in text
    assert "Print" not in re.sub(r"Printed|print", "", text)  # no button in the PDF
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    # The footer on every page: the reader, the time, page X of Y, the caveat.
    for n, page in enumerate(PdfReader(io.BytesIO(response.content)).pages, start=1):
        page_text = re.sub(r"\s+", " ", page.extract_text() or "")
        assert f"{prosecutor.get_full_name()} ({prosecutor.username})" in page_text
        stamp = re.search(r"at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC", page_text)
        assert stamp, page_text
        generated = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        assert abs(generated - datetime.now(UTC)) < timedelta(minutes=5)  # UTC, not local
        assert f"Page {n} of {pages}" in page_text
        assert "not a basis for detention or arrest" in page_text


def test_rendering_a_pdf_leaves_the_log_quiet(briefed, client_for, prosecutor, caplog) -> None:
    """WeasyPrint reports every layout step of every page at INFO: dozens of lines a brief in
    the server's log, about a person. The settings keep it to warnings."""
    with caplog.at_level("INFO"):
        response = client_for(prosecutor).get(
            reverse("intel:person-brief-pdf", args=[briefed.person.pk])
        )

    assert response.status_code == 200
    assert [r.name for r in caplog.records if r.name.startswith(("weasyprint", "fontTools"))] == []


def test_view_print_and_download_are_audited(briefed, client_for, prosecutor) -> None:
    client = client_for(prosecutor)
    pk = briefed.person.pk

    assert client.get(reverse("intel:person-brief", args=[pk])).status_code == 200
    assert client.post(reverse("intel:person-brief-printed", args=[pk])).status_code == 204
    assert client.get(reverse("intel:person-brief-pdf", args=[pk])).status_code == 200

    events = AuditEvent.objects.filter(action__startswith="brief.").order_by("id")
    assert [(e.action, e.actor_id, e.object_type, e.object_id) for e in events] == [
        ("brief.viewed", prosecutor.pk, "intel.person", str(pk)),
        ("brief.printed", prosecutor.pk, "intel.person", str(pk)),
        ("brief.downloaded", prosecutor.pk, "intel.person", str(pk)),
    ]
    viewed = events[0]
    assert sorted(viewed.detail["intel_records"]) == sorted(r.pk for r in briefed.intel)
    assert viewed.detail["designation"] == briefed.designation.pk


def test_admins_and_anonymous_are_refused(briefed, client_for, admin_user, client) -> None:
    pk = briefed.person.pk
    admin = client_for(admin_user)
    for name, method in [
        ("intel:person-brief", "get"),
        ("intel:person-brief-pdf", "get"),
        ("intel:person-brief-printed", "post"),
    ]:
        assert getattr(admin, method)(reverse(name, args=[pk])).status_code == 403
        anonymous = getattr(client, method)(reverse(name, args=[pk]))
        assert anonymous.status_code == 302 and reverse("csu:login") in anonymous["Location"]
    assert AuditEvent.objects.filter(
        action="brief.viewed", actor=admin_user, outcome=AuditEvent.Outcome.DENIED
    ).exists()


def test_a_person_that_does_not_exist_is_404(client_for, prosecutor) -> None:
    client = client_for(prosecutor)
    assert client.get(reverse("intel:person-brief", args=[999999])).status_code == 404
    assert client.get(reverse("intel:person-brief-pdf", args=[999999])).status_code == 404


def test_a_merged_person_sends_the_reader_to_the_survivors_brief(
    briefed, client_for, prosecutor
) -> None:
    merged = Person.objects.create(first_name="Marc", last_name="Hale", merged_into=briefed.person)

    response = client_for(prosecutor).get(reverse("intel:person-brief", args=[merged.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("intel:person-brief", args=[briefed.person.pk])


def test_the_person_page_links_its_brief(briefed, client_for, prosecutor) -> None:
    html = (
        client_for(prosecutor)
        .get(reverse("intel:person-detail", args=[briefed.person.pk]))
        .content.decode()
    )
    assert reverse("intel:person-brief", args=[briefed.person.pk]) in html


def _queries(actor, person) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        person_brief(actor=actor, person=person)
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_records(briefed, analyst, supervisor) -> None:
    _queries(analyst, briefed.person)  # the reader's permissions are cached from here on
    before = _queries(analyst, briefed.person)

    for n in range(6):
        arrest = add_arrest(briefed, days_ago=50 + n, category="drug", firearm=bool(n % 2))
        add_case(briefed, arrest=arrest, status="charged", category="drug", assigned_to=supervisor)
        add_intel(briefed, submitter=analyst, approver=supervisor, narrative=f"Sighting {n}.")
        ShootingFactory(source_agency=briefed.police, victim=briefed.person)

    after = _queries(analyst, briefed.person)
    assert after == before
    assert before <= 25


# ------------------------------------------------------------------ the PDF renderer offline


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    _Counter.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_pdf_renderer_fetches_nothing_over_the_network(local_server) -> None:
    from intel.priority.pdf import StaticOnlyFetcher, html_to_pdf

    fetcher = StaticOnlyFetcher()
    html = (
        f'<link rel="stylesheet" href="{local_server}/evil.css">'
        f'<link rel="stylesheet" href="/static/css/brief.css">'
        f'<p>Brief</p><img src="{local_server}/beacon.png"><img src="file:///etc/hostname">'
    )

    pdf = html_to_pdf(html, fetcher=fetcher)

    assert pdf.startswith(b"%PDF")
    assert _Counter.hits == []  # the server was never asked
    assert f"{local_server}/evil.css" in fetcher.refused
    assert f"{local_server}/beacon.png" in fetcher.refused
    assert "file:///etc/hostname" in fetcher.refused
    assert not any("brief.css" in url for url in fetcher.refused)  # own static file served


def test_the_fetcher_refuses_external_urls_and_serves_static_files() -> None:
    from intel.priority.pdf import STATIC_ORIGIN, StaticOnlyFetcher

    fetcher = StaticOnlyFetcher()
    for url in [
        "http://example.com/a.css",
        "https://example.com/static/css/brief.css",
        f"{STATIC_ORIGIN}/media/secret.txt",
        f"{STATIC_ORIGIN}/static/../csu/settings/base.py",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    response = fetcher.fetch(f"{STATIC_ORIGIN}/static/css/brief.css")
    assert b"@media print" in response.read()
    assert response.content_type == "text/css"
