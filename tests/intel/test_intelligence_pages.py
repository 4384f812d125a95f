"""The intelligence pages as people use them: write, approve, read, share, export, restrict."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from csu.models import AuditEvent
from intel import intelligence as intel
from intel.models import Agency, DisseminationLog, IntelIdentifier, IntelRecord
from tests.factories import PersonFactory
from tests.intel.test_intelligence_rules import AGREED, PREDICATE, make

pytestmark = pytest.mark.django_db

SHARE = {
    "recipient": "Det. Cruz",
    "recipient_agency": "State Police Intelligence Unit",
    "reason": "Joint shooting review team.",
}


@pytest.fixture
def agency() -> Agency:
    return Agency.objects.create(name="Harbor County PD", agreement_signed_at=AGREED)


@pytest.fixture
def partner() -> Agency:
    return Agency.objects.create(name="State Police Intelligence Unit", agreement_signed_at=AGREED)


def detail(record: IntelRecord) -> str:
    return reverse("intel:record-detail", args=[record.pk])


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def test_an_analyst_writes_a_record_a_supervisor_approves_it_and_everyone_sees_its_labels(
    analyst, supervisor, prosecutor, client_for, agency
) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(first_name="Marcus", last_name="Hill")
    owner = PersonFactory()
    form = {
        "subject_kind": "person",
        "subject_person": person.pk,
        "narrative": "Recruits shooters for the crew outside the church on Elm St.",
        "predicate_category": "weapons",
        "predicate_narrative": PREDICATE,
        "source_type": "informant",
        "source_reliability": "B",
        "content_validity": "2",
        "sensitivity": "confidential",
        "submitting_agency": agency.pk,
        "identifiers": f"Ana Ruiz | registered owner of the car | {owner.pk}",
    }
    ann = client_for(analyst)

    refused = ann.post(reverse("intel:record-create"), form)  # no lawful-source attestation
    assert refused.status_code == 400 and "obtained lawfully" in text(refused)
    assert IntelRecord.objects.count() == 0

    created = ann.post(reverse("intel:record-create"), {**form, "lawfully_obtained": "on"})
    record = IntelRecord.objects.get()
    assert created["Location"] == detail(record)
    assert record.status == "draft" and record.identifiers.get().person == owner
    assert ann.post(reverse("intel:record-submit", args=[record.pk])).status_code == 302

    sam = client_for(supervisor)
    page = sam.get(detail(record))
    assert "church" in text(page) and "Approve" in text(page)
    no_attestation = sam.post(reverse("intel:record-approve", args=[record.pk]), {})
    assert no_attestation.status_code == 400
    assert "relates directly to criminal conduct" in text(no_attestation)
    sam.post(
        reverse("intel:record-approve", args=[record.pk]),
        {
            "screen_attestation": (
                "The church is only where the recruiting for the shootings takes place."
            )
        },
    )
    record.refresh_from_db()
    assert record.status == "approved" and record.approved_by == supervisor

    page = text(client_for(prosecutor).get(detail(record)))
    labels = re.search(r'<dl class="labels".*?</dl>', page).group(0)
    for label in (
        "Sensitivity</dt><dd>Confidential",
        "Confidence</dt><dd>B2: source usually reliable, content probably true",
        "Submitting agency</dt><dd>Harbor County PD",
        "Control official</dt><dd>Supervisor Tester",
    ):
        assert label in labels
    assert (
        "Criminal intelligence under 28 CFR Part 23 — need-to-know only; do not "
        "disseminate without logging" in page
    )
    assert f'Ana Ruiz</strong> (<a href="/intel/people/{owner.pk}/">' in page
    assert IntelIdentifier.LABEL in page
    assert "Share outside the unit" not in page and "Dissemination log" not in page


def test_reading_a_record_page_writes_exactly_one_audit_event(
    analyst, supervisor, prosecutor, client_for, agency
) -> None:  # type: ignore[no-untyped-def]
    record = make(analyst, agency, supervisor=supervisor)
    client = client_for(prosecutor)
    before = AuditEvent.objects.count()

    client.get(detail(record))

    events = list(AuditEvent.objects.order_by("id")[before:])
    print(f"audit events written by one read of a record page: {len(events)}")
    assert [(e.action, e.object_id, e.actor_id) for e in events] == [
        ("intel.record_viewed", str(record.pk), prosecutor.pk)
    ]


def test_r7_every_ui_share_and_csv_export_is_a_log_row(
    analyst, supervisor, client_for, agency, partner
) -> None:  # type: ignore[no-untyped-def]
    records = [make(analyst, agency, supervisor=supervisor) for _ in range(3)]
    sam, ann = client_for(supervisor), client_for(analyst)
    disseminations = 0
    for n in range(10):
        response = sam.post(reverse("intel:record-share", args=[records[n % 3].pk]), SHARE)
        assert response.status_code == 302
        disseminations += 1
    shares = DisseminationLog.objects.filter(channel="share").count()
    for _ in range(10):
        response = ann.post(reverse("intel:record-export"), {**SHARE, "q": "firearm"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        disseminations += len(list(csv.DictReader(io.StringIO(response.content.decode()))))
    exports = DisseminationLog.objects.filter(channel="export").count()

    logged = DisseminationLog.objects.count()
    print(
        f"R7: UI share 10 → {shares} log rows, CSV export 10 (×3 records) → {exports} log "
        f"rows; log rows {logged} == disseminations {disseminations}"
    )
    assert (shares, exports, logged) == (10, 30, disseminations)
    page = text(sam.get(detail(records[0])))
    assert page.count("Det. Cruz") == DisseminationLog.objects.filter(record=records[0]).count()


def test_r8_every_row_of_a_ui_export_carries_the_four_labels(
    analyst, supervisor, client_for, agency, partner
) -> None:  # type: ignore[no-untyped-def]
    for sensitivity in ("sensitive", "confidential", "restricted"):
        make(analyst, agency, supervisor=supervisor, sensitivity=sensitivity)

    response = client_for(analyst).post(reverse("intel:record-export"), {**SHARE, "q": ""})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    full = sum(all(row[name] for name in intel.LABEL_NAMES) for row in rows)
    print(f"R8 exports: {full}/{len(rows)} rows carry 4 labels")
    assert full == len(rows) == 3
    assert {r["sensitivity"] for r in rows} == {
        "Sensitive",
        "Confidential",
        "Restricted (named users only)",
    }


def test_the_share_form_refuses_a_recipient_without_an_agreement_and_says_why(
    analyst, supervisor, client_for, agency
) -> None:  # type: ignore[no-untyped-def]
    record = make(analyst, agency, supervisor=supervisor)
    Agency.objects.create(name="Harbor Schools", is_law_enforcement=False)
    client = client_for(supervisor)

    response = client.post(
        reverse("intel:record-share", args=[record.pk]),
        {**SHARE, "recipient_agency": "Harbor Schools"},
    )

    assert response.status_code == 400
    assert "information-sharing agreement on file" in text(response)
    assert DisseminationLog.objects.count() == 0
    response = client.post(
        reverse("intel:record-export"), {**SHARE, "recipient_agency": "Harbor Schools"}
    )
    assert response.status_code == 302 and DisseminationLog.objects.count() == 0
    assert "agreement on file" in text(client.get(response["Location"]))


def test_an_emergency_share_from_the_page_logs_it_and_emails_the_supervisors(
    analyst,
    supervisor,
    client_for,
    agency,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    supervisor.email = "sam@csu.example"
    supervisor.save()
    record = make(analyst, agency, supervisor=supervisor)
    Agency.objects.create(name="Harbor Schools", is_law_enforcement=False)
    client = client_for(analyst)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("intel:record-share", args=[record.pk]),
            {
                **SHARE,
                "recipient": "Principal Diaz",
                "recipient_agency": "Harbor Schools",
                "emergency": "on",
                "emergency_justification": (
                    "He said he would shoot at the school dismissal this afternoon."
                ),
            },
        )

    assert response.status_code == 302
    log = DisseminationLog.objects.get()
    print(
        f"emergency via the page: {DisseminationLog.objects.count()} log row, "
        f"{len(mail.outbox)} notification"
    )
    assert log.emergency and log.emergency_justification.startswith("He said")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@csu.example"]


# Each record URL and the permissions that let a role use it at all (else 403, whatever the
# record): for a role that may use it, a restricted record it was not named on must be 404.
RECORD_URLS = {
    "intel:record-detail": ("get", ("intel.view_intelrecord",)),
    "intel:record-share": ("post", ("intel.add_disseminationlog",)),
    "intel:record-approve": ("post", ("intel.approve_intelrecord",)),
    "intel:record-revalidate": ("post", ("intel.approve_intelrecord",)),
    "intel:record-purge": ("post", ("intel.approve_intelrecord",)),
    "intel:record-grant": ("post", ("intel.add_intelrecord", "intel.approve_intelrecord")),
    "intel:record-revoke": ("post", ("intel.add_intelrecord", "intel.approve_intelrecord")),
    "intel:record-submit": ("post", ("intel.add_intelrecord",)),
    "intel:record-identifier-add": ("post", ("intel.add_intelrecord",)),
}


def test_r5_a_restricted_record_is_not_found_for_every_role_not_named(
    analyst,
    supervisor,
    prosecutor,
    admin_user,
    make_user,
    client_for,
    agency,
    partner,
) -> None:  # type: ignore[no-untyped-def]
    record = make(analyst, agency, supervisor=supervisor, sensitivity="restricted")
    users = {
        "prosecutor": prosecutor,
        "analyst (not the submitter)": make_user("analyst"),
        "supervisor": supervisor,
        "admin": admin_user,
    }
    clients = {role: client_for(user) for role, user in users.items()}
    data = {
        "user": prosecutor.username,
        "explanation": "x" * 30,
        "name": "A. Ruiz",
        "relationship": "registered owner",
        **SHARE,
    }
    requests, unexpected, not_found = 0, [], 0
    for role, client in clients.items():
        for name, (method, perms) in RECORD_URLS.items():
            status = getattr(client, method)(reverse(name, args=[record.pk]), data).status_code
            expected = 404 if any(users[role].has_perm(p) for p in perms) else 403
            requests += 1
            not_found += status == 404
            if status != expected:
                unexpected.append((role, name, status))
        if role != "admin":
            listed = client.post(reverse("intel:record-list"), {"q": "firearm"}).content.decode()
            assert f'href="{detail(record)}"' not in listed
    print(
        f"R5 IDOR: {requests} requests by 4 roles not named on a restricted record: "
        f"{not_found} 404, {requests - not_found} 403 (role without the page), "
        f"{len(unexpected)} unexpected"
    )
    assert unexpected == []
    assert DisseminationLog.objects.count() == 0
    record.refresh_from_db()
    assert record.status == "approved"

    granted = client_for(analyst).post(
        reverse("intel:record-grant", args=[record.pk]), {"user": supervisor.username}
    )
    assert granted.status_code == 302
    assert clients["supervisor"].get(detail(record)).status_code == 200
    assert clients["prosecutor"].get(detail(record)).status_code == 404
    page = text(client_for(analyst).get(detail(record)))
    assert "Named readers" in page and f"({supervisor.username})" in page


def test_drafts_and_pending_records_are_never_in_search_or_exports(
    analyst, supervisor, client_for, agency, partner
) -> None:  # type: ignore[no-untyped-def]
    shown = make(analyst, agency, supervisor=supervisor)
    hidden = [make(analyst, agency, status=s) for s in ("draft", "pending") * 5]
    client = client_for(supervisor)

    page = client.post(reverse("intel:record-list"), {"q": "firearm"}).content.decode()
    export = client.post(reverse("intel:record-export"), {**SHARE, "q": "firearm"})
    exported = {int(r["record_id"]) for r in csv.DictReader(io.StringIO(export.content.decode()))}

    in_search = sum(f'href="{detail(r)}"' in page for r in hidden)
    print(
        f"drafts or pending in search: {in_search} of 10; in exports: "
        f"{len(exported & {r.pk for r in hidden})} of 10"
    )
    assert in_search == 0 and exported == {shown.pk}
    assert f'href="{detail(shown)}"' in page


def test_the_queues_show_each_role_its_work(
    analyst, supervisor, prosecutor, client_for, agency
) -> None:  # type: ignore[no-untyped-def]
    draft = make(analyst, agency, status="draft")
    pending = make(analyst, agency, status="pending")
    due = make(analyst, agency, supervisor=supervisor)
    later = make(analyst, agency, supervisor=supervisor)
    IntelRecord.objects.filter(pk=due.pk).update(
        review_due=timezone.localdate() + timedelta(days=30)
    )
    url = reverse("intel:record-list")

    mine = client_for(analyst).get(url + "?tab=mine").content.decode()
    assert f'href="{detail(draft)}"' in mine and f'href="{detail(pending)}"' in mine
    assert f'href="{detail(due)}"' not in mine
    sam = client_for(supervisor)
    awaiting = sam.get(url + "?tab=awaiting").content.decode()
    assert f'href="{detail(pending)}"' in awaiting and f'href="{detail(draft)}"' not in awaiting
    review = sam.get(url + "?tab=review").content.decode()
    assert f'href="{detail(due)}"' in review and f'href="{detail(later)}"' not in review
    pat = client_for(prosecutor).get(url + "?tab=awaiting").content.decode()
    assert "Awaiting approval" not in pat and f'href="{detail(pending)}"' not in pat


def test_the_list_runs_a_fixed_number_of_queries(
    analyst,
    supervisor,
    prosecutor,
    client_for,
    agency,
    django_assert_max_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(prosecutor)
    make(analyst, agency, supervisor=supervisor)
    client.get(reverse("intel:record-list"))
    for _ in range(20):
        make(analyst, agency, supervisor=supervisor)

    with django_assert_max_num_queries(15):
        response = client.get(reverse("intel:record-list"))
    assert response.content.decode().count("intel/records/") >= 21


def test_a_supervisor_revalidates_and_purges_from_the_page(
    analyst, supervisor, client_for, agency
) -> None:  # type: ignore[no-untyped-def]
    record = make(analyst, agency, supervisor=supervisor)
    client = client_for(supervisor)

    short = client.post(reverse("intel:record-revalidate", args=[record.pk]), {"explanation": "ok"})
    assert short.status_code == 400
    client.post(
        reverse("intel:record-revalidate", args=[record.pk]),
        {"explanation": "Re-arrested last month with a firearm; still valid."},
    )
    client.post(
        reverse("intel:record-purge", args=[record.pk]),
        {"explanation": "The case was dismissed and the predicate no longer holds."},
    )

    record.refresh_from_db()
    assert record.status == "purged" and record.narrative == ""
    page = text(client.get(detail(record)))
    assert "Purged" in page and "firearm to a juvenile" not in page
    assert "The case was dismissed" in page
