"""Need to know in one place: drafts and pending records are their submitter's (and, once
pending, the approving supervisors'), and nothing that refers to a record (a challenge, a
dissemination, a person page) shows it to anyone who may not open it. Search boxes take their
terms by POST and refuse a NUL byte with a 400."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from intel import intelligence as intel
from intel.models import (
    Agency,
    Challenge,
    DisseminationLog,
    GroupMembership,
    IntelIdentifier,
    IntelRecord,
    IntelRecordUserObjectPermission,
    ReviewDecision,
)
from tests.factories import ChallengeFactory, GroupMembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

PREDICATE = (
    "Subject was arrested twice this year with a loaded handgun and is named by two "
    "witnesses in the March shooting on Elm Street."
)
WORD = "quetzalfinch"  # in every narrative: a search or export for it finds them all
SHARE = {
    "recipient": "Det. Cruz",
    "recipient_agency": "Need Know State Police",
    "reason": "Joint shooting review team.",
}


@pytest.fixture
def agency() -> Agency:
    return Agency.objects.create(
        name="Need Know State Police", agreement_signed_at=timezone.localdate()
    )


def make(author, agency, *, status: str, supervisor=None, **overrides):  # type: ignore[no-untyped-def]
    values = {
        "subject_kind": "person",
        "subject_person": PersonFactory(last_name="Zanzibar"),
        "narrative": f"Seen handing a firearm ({WORD}) to a juvenile outside 12 Elm St.",
        "predicate_category": "weapons",
        "predicate_narrative": PREDICATE,
        "source_type": "officer",
        "source_reliability": "B",
        "content_validity": "2",
        "sensitivity": "confidential",
        "submitting_agency": agency,
        "lawfully_obtained": True,
    }
    values.update(overrides)
    record = intel.intel_record_create(actor=author, **values)
    if status in ("pending", "approved"):
        intel.intel_record_submit(actor=author, record=record)
    if status == "approved":
        record = intel.intel_record_approve(actor=supervisor, record=record)
    return record


def _state(record: IntelRecord) -> tuple:
    return (
        IntelRecord.objects.filter(pk=record.pk).values().get(),
        DisseminationLog.objects.filter(record=record).count(),
        ReviewDecision.objects.filter(record=record).count(),
        IntelIdentifier.objects.filter(record=record).count(),
        IntelRecordUserObjectPermission.objects.filter(content_object=record).count(),
    )


ACTIONS = {  # every POST route on one record, with data that would succeed if it were allowed
    "intel:record-submit": {},
    "intel:record-approve": {"screen_attestation": ""},
    "intel:record-revalidate": {"explanation": "Still valid after review of the file."},
    "intel:record-purge": {"explanation": "No longer valid after review of the file."},
    "intel:record-share": SHARE,
    "intel:record-identifier-add": {"name": "Pat Owner", "relationship": "registered owner"},
    "intel:record-grant": {"user": "pat.prosecutor"},
    "intel:record-revoke": {"user": "pat.prosecutor"},
}


def test_draft_and_pending_records_are_reachable_by_no_one_else(
    analyst, prosecutor, supervisor, admin_user, make_user, client_for, agency
) -> None:  # type: ignore[no-untyped-def]
    """Finding 4: ids are sequential, so every id was tried by every other persona on every
    route that takes one, and in search, export and the person page."""
    drafts = [make(analyst, agency, status="draft") for _ in range(3)]
    drafts.append(make(analyst, agency, status="draft", sensitivity="restricted"))
    pending = [make(analyst, agency, status="pending") for _ in range(3)]
    records = drafts + pending
    other_analyst = make_user("analyst", "bo.analyst")
    others = {
        "prosecutor": prosecutor,
        "other analyst": other_analyst,
        "supervisor": supervisor,
        "admin": admin_user,
    }
    clients = {name: client_for(user) for name, user in others.items()}
    reached: dict[int, list[str]] = {}
    requests = 0

    def note(record: IntelRecord, how: str) -> None:
        reached.setdefault(record.pk, []).append(how)

    for name, client in clients.items():
        # Search and every tab, by POST and GET: no link to any of them.
        pages = [client.post(reverse("intel:record-list"), {"tab": "search", "q": WORD})]
        pages += [
            client.get(reverse("intel:record-list"), {"tab": tab})
            for tab in ("search", "mine", "awaiting", "review")
        ]
        requests += len(pages)
        export = client.post(reverse("intel:record-export"), {**SHARE, "q": WORD})
        requests += 1
        exported = set()
        if export.get("Content-Type", "").startswith("text/csv"):
            exported = {
                int(r["record_id"]) for r in csv.DictReader(io.StringIO(export.content.decode()))
            }
        for record in records:
            legit = name == "supervisor" and record.status == IntelRecord.Status.PENDING
            if legit:
                continue  # the approving supervisor: the control below
            detail = reverse("intel:record-detail", args=[record.pk])
            if any(f'href="{detail}"' in p.content.decode() for p in pages):
                note(record, f"{name}: listed")
            if record.pk in exported:
                note(record, f"{name}: exported")
            person = client.get(reverse("intel:person-detail", args=[record.subject_person_id]))
            requests += 1
            if person.status_code == 200 and (
                detail in person.content.decode() or WORD in person.content.decode()
            ):
                note(record, f"{name}: on the person page")
            status = client.get(detail).status_code
            requests += 1
            if status not in (403, 404):
                note(record, f"{name}: detail {status}")
            for route, data in ACTIONS.items():
                before = _state(record)
                status = client.post(reverse(route, args=[record.pk]), data).status_code
                requests += 1
                if status not in (403, 404) or _state(record) != before:
                    note(record, f"{name}: {route} {status}")

    print(
        f"draft/pending records reachable by others: {len(reached)} of {len(records)} "
        f"({requests} requests by {len(others)} personas)"
    )
    assert reached == {}
    # The control: the author opens all of them; an approving supervisor the pending ones.
    author, sam = client_for(analyst), clients["supervisor"]
    assert all(
        author.get(reverse("intel:record-detail", args=[r.pk])).status_code == 200 for r in records
    )
    assert all(
        sam.get(reverse("intel:record-detail", args=[r.pk])).status_code == 200 for r in pending
    )
    awaiting = sam.get(reverse("intel:record-list"), {"tab": "awaiting"}).content.decode()
    assert all(reverse("intel:record-detail", args=[r.pk]) in awaiting for r in pending)


def test_a_supervisor_approves_a_pending_record_they_can_see(
    analyst, supervisor, client_for, agency
) -> None:  # type: ignore[no-untyped-def]
    record = make(analyst, agency, status="pending")

    response = client_for(supervisor).post(
        reverse("intel:record-approve", args=[record.pk]), {"screen_attestation": ""}
    )

    record.refresh_from_db()
    assert response.status_code == 302 and record.status == IntelRecord.Status.APPROVED


# ------------------------------------------------------------------ what refers to a record


@pytest.fixture
def contested(analyst, supervisor, agency):  # type: ignore[no-untyped-def]
    """One person with a challenge to a restricted record nobody was named on, and one to
    a membership everyone may see."""
    restricted = make(
        analyst, agency, status="approved", supervisor=supervisor, sensitivity="restricted"
    )
    person = restricted.subject_person
    membership = GroupMembershipFactory(
        group__name="Elm Street Crew",
        person=person,
        predicate_narrative=PREDICATE,
        submitted_by=analyst,
        status="approved",
        approved_by=supervisor,
    )
    common = {
        "person": person,
        "recorded_by": supervisor,
        "grounds": "My client was in custody on every date the record relies on.",
    }
    hidden = ChallengeFactory(intel_record=restricted, filed_by="Counsel Hidden-Vale", **common)
    shown = ChallengeFactory(membership=membership, filed_by="Counsel Open-Field", **common)
    return restricted, hidden, shown


def test_the_person_page_lists_only_challenges_the_reader_may_open(
    contested, prosecutor, supervisor, make_user, client_for
) -> None:  # type: ignore[no-untyped-def]
    """Finding 5: the person page listed challenges to restricted records (number, counsel,
    outcome) to readers who got 404 on the record and on the challenge."""
    restricted, hidden, shown = contested
    readers = {
        "prosecutor": prosecutor,
        "analyst": make_user("analyst", "bo.analyst"),
        "supervisor": supervisor,
    }
    url = reverse("intel:person-detail", args=[restricted.subject_person_id])
    leaked = []
    for name, user in readers.items():
        client = client_for(user)
        page = client.get(url).content.decode()
        assert "Counsel Open-Field" in page  # the list is there, and lists what it may
        record_link = reverse("intel:record-detail", args=[restricted.pk])
        if "Counsel Hidden-Vale" in page or record_link in page:
            leaked.append(name)
        assert client.get(reverse("intel:challenge-detail", args=[hidden.pk])).status_code == 404
        assert (
            client.get(reverse("intel:challenge-list"))
            .content.decode()
            .count("Counsel Hidden-Vale")
            == 0
        )

    print(
        f"challenges to a restricted record shown to readers not named on it: "
        f"{len(leaked)} of {len(readers)}"
    )
    assert leaked == []
    assign_perm("view_intelrecord", prosecutor, restricted)
    assert "Counsel Hidden-Vale" in client_for(prosecutor).get(url).content.decode()


def test_every_model_that_refers_to_a_record_follows_it(
    contested, analyst, supervisor, prosecutor, agency
) -> None:  # type: ignore[no-untyped-def]
    restricted, hidden, shown = contested
    open_record = make(analyst, agency, status="approved", supervisor=supervisor)
    for record in (restricted, open_record):
        DisseminationLog.objects.create(
            record=record,
            recipient="Det. Cruz",
            recipient_agency=agency,
            reason="Joint review team.",
            disseminated_by=supervisor,
        )
    pending = GroupMembershipFactory(
        group=shown.membership.group,
        level="suspected",
        predicate_narrative=PREDICATE,
        submitted_by=analyst,
    )

    assert set(
        DisseminationLog.objects.visible_to(supervisor).values_list("record_id", flat=True)
    ) == {open_record.pk}
    assert not DisseminationLog.objects.visible_to(analyst).exists()  # no view permission
    assert set(Challenge.objects.visible_to(supervisor)) == {shown}
    assert set(Challenge.objects.visible_to(analyst)) == {hidden, shown}  # the submitter
    intel.intel_record_revalidate(
        actor=supervisor, record=restricted, explanation="Still valid after review of the file."
    )
    assert ReviewDecision.objects.visible_to(analyst).filter(record=restricted).exists()
    assert not ReviewDecision.objects.visible_to(prosecutor).filter(record=restricted).exists()
    assert pending in GroupMembership.objects.visible_to(analyst)
    assert pending in GroupMembership.objects.visible_to(supervisor)
    assert pending not in GroupMembership.objects.visible_to(prosecutor)


# ---------------------------------------------------------------------------- search boxes


def test_a_nul_byte_in_any_search_box_is_a_bad_request_not_a_server_error(
    prosecutor, client_for
) -> None:  # type: ignore[no-untyped-def]
    """Finding 10: PostgreSQL text cannot hold NUL, so a ``\\x00`` reaching a query was a 500."""
    client = client_for(prosecutor)
    client.raise_request_exception = False
    attempts = {
        "person search, name": client.post(reverse("intel:person-list"), {"q": "SMI\x00TH"}),
        "person search, identifier": client.post(
            reverse("intel:person-list"), {"identifier": "S1\x00"}
        ),
        "person search, date of birth": client.post(
            reverse("intel:person-list"), {"dob": "1990-01-01\x00"}
        ),
        "intel record search": client.post(
            reverse("intel:record-list"), {"tab": "search", "q": "gun\x00"}
        ),
        "group search": client.get(reverse("intel:group-list"), {"q": "Elm\x00"}),
        "challenge list": client.get(
            reverse("intel:challenge-list"), {"status": "open\x00", "page": "1\x00"}
        ),
    }

    statuses = {name: r.status_code for name, r in attempts.items()}
    print(
        f"search boxes given a NUL byte: {sum(s >= 500 for s in statuses.values())} of "
        f"{len(statuses)} server errors; statuses {sorted(set(statuses.values()))}"
    )
    assert all(s < 500 for s in statuses.values()), statuses
    assert all(statuses[name] == 400 for name in statuses if name != "challenge list")


def test_person_and_intel_searches_keep_their_terms_out_of_the_url(prosecutor, client_for) -> None:  # type: ignore[no-untyped-def]
    """Finding 10: names and dates of birth in search URLs land in access logs. The forms
    post (with a CSRF token), the results come back on the same page, and a query string is
    not searched at all."""
    PersonFactory(first_name="Jon", last_name="Zanzibar", dob=date(1990, 1, 2))
    client = client_for(prosecutor)

    for url in (reverse("intel:person-list"), reverse("intel:record-list")):
        page = client.get(url).content.decode()
        search_forms = re.findall(r'<form[^>]*role="search"[^>]*>', page)
        assert search_forms and all('method="post"' in form for form in search_forms), url
        assert "csrfmiddlewaretoken" in page
    found = client.post(reverse("intel:person-list"), {"dob": "1990-01-02"})
    ignored = client.get(reverse("intel:person-list"), {"dob": "1990-01-02"})

    assert found.status_code == 200 and "1 person found" in found.content.decode()
    assert "person found" not in ignored.content.decode()
    forged = Client(enforce_csrf_checks=True)
    forged.cookies = client.cookies
    assert forged.post(reverse("intel:person-list"), {"q": "Zanzibar"}).status_code == 403
