"""The designation pages as each role uses them: proposing from the person page, deciding (never
one's own), renewal and challenges; the caveat on every page that shows a designation; probation
and parole terms; prosecutors' zones; the prosecutor's home list of briefs."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from intel.models import DesignationEvent, PriorityDesignation, SupervisionStatus, ZoneAssignment
from intel.priority.designations import (
    designation_approve,
    designation_propose,
    designations_expire,
)
from intel.priority.supervision import zone_assignment_add
from tests.factories import ArrestFactory, CaseReferralFactory, PersonFactory, ZoneFactory

pytestmark = pytest.mark.django_db

CAVEAT = "not a basis for detention or arrest"
REASON = "Three violent arrests in eighteen months, two with a recovered handgun."
FRESH = "Arrested again in March with a loaded pistol; the shooting case is now charged."


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def _active(analyst, supervisor, person=None) -> PriorityDesignation:  # type: ignore[no-untyped-def]
    designation = designation_propose(
        actor=analyst, person=person or PersonFactory(), reason=REASON
    )
    return designation_approve(actor=supervisor, designation=designation)


@pytest.fixture
def chief(make_user):  # type: ignore[no-untyped-def]
    user = make_user("supervisor", "chris.chief")
    user.groups.add(Group.objects.get(name="analyst"))
    return user


def test_an_analyst_proposes_from_the_person_page(analyst, client_for) -> None:
    person = PersonFactory(last_name="Quill")
    client = client_for(analyst)

    panel = client.get(reverse("intel:person-priority", args=[person.pk]))
    assert "Not designated." in _text(panel)
    assert reverse("intel:designation-propose", args=[person.pk]) in _text(panel)
    assert f"/intel/people/{person.pk}/brief/" in _text(panel)
    page = client.get(reverse("intel:person-detail", args=[person.pk]))
    assert reverse("intel:person-priority", args=[person.pk]) in _text(page)

    form = client.get(reverse("intel:designation-propose", args=[person.pk]))
    assert form.status_code == 200 and CAVEAT in _text(form)
    assert "No score on file" in _text(form)
    short = client.post(reverse("intel:designation-propose", args=[person.pk]), {"reason": "x"})
    assert short.status_code == 400 and not PriorityDesignation.objects.exists()
    response = client.post(
        reverse("intel:designation-propose", args=[person.pk]), {"reason": REASON}
    )

    designation = PriorityDesignation.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("intel:designation-detail", args=[designation.pk])
    again = client.post(reverse("intel:designation-propose", args=[person.pk]), {"reason": FRESH})
    assert again.status_code == 400
    assert "already has a proposed or active designation" in _text(again)
    panel = _text(client.get(reverse("intel:person-priority", args=[person.pk])))
    assert "Proposed, awaiting a supervisor" in panel and CAVEAT in panel
    assert reverse("intel:designation-propose", args=[person.pk]) not in panel


def test_a_supervisor_approves_another_persons_proposal_on_the_page(
    analyst, supervisor, client_for
) -> None:
    designation = designation_propose(actor=analyst, person=PersonFactory(), reason=REASON)
    client = client_for(supervisor)
    listing = _text(client.get(reverse("intel:designation-list")))
    assert f"{reverse('intel:designation-detail', args=[designation.pk])}#decide" in listing

    detail = _text(client.get(reverse("intel:designation-detail", args=[designation.pk])))
    assert reverse("intel:designation-approve", args=[designation.pk]) in detail
    response = client.post(reverse("intel:designation-approve", args=[designation.pk]), follow=True)

    designation.refresh_from_db()
    assert designation.status == "active" and designation.decided_by == supervisor
    assert "Designation approved" in _text(response)
    assert designation.expires_at.strftime("%Y-%m-%d") in _text(response)


def test_the_page_never_offers_self_approval_and_refuses_it(chief, client_for) -> None:
    designation = designation_propose(actor=chief, person=PersonFactory(), reason=REASON)
    client = client_for(chief)

    listing = _text(client.get(reverse("intel:designation-list")))
    detail = _text(client.get(reverse("intel:designation-detail", args=[designation.pk])))
    assert "You proposed this: another supervisor decides." in listing
    assert reverse("intel:designation-approve", args=[designation.pk]) not in detail
    assert reverse("intel:designation-reject", args=[designation.pk]) not in detail
    assert "a supervisor who is not you decides it" in detail

    response = client.post(reverse("intel:designation-approve", args=[designation.pk]), follow=True)

    designation.refresh_from_db()
    assert designation.status == "proposed" and designation.decided_by is None
    assert "another supervisor must decide" in _text(response)


def test_renewal_on_the_page_needs_fresh_words_and_another_supervisor(
    analyst, supervisor, make_user, client_for
) -> None:
    designation = _active(analyst, supervisor)
    analyst_client, supervisor_client = client_for(analyst), client_for(supervisor)
    url = reverse("intel:designation-renewal-request", args=[designation.pk])

    stale = analyst_client.post(url, {"reason": REASON}, follow=True)
    assert "fresh justification" in _text(stale)
    supervisor_client.post(url, {"reason": FRESH})
    detail = _text(
        supervisor_client.get(reverse("intel:designation-detail", args=[designation.pk]))
    )
    assert "You asked for this renewal: another supervisor grants it." in detail
    assert reverse("intel:designation-renew", args=[designation.pk]) not in detail

    other = client_for(make_user("supervisor", "sue.second"))
    other.post(reverse("intel:designation-renew", args=[designation.pk]))

    kinds = list(designation.events.values_list("kind", flat=True))
    assert kinds[-2:] == [DesignationEvent.Kind.RENEWAL_REQUESTED, DesignationEvent.Kind.RENEWED]


def test_a_challenge_recorded_and_upheld_on_the_page_removes_with_the_reason(
    analyst, supervisor, client_for
) -> None:
    designation = _active(analyst, supervisor)
    client_for(analyst).post(
        reverse("intel:designation-challenge-record", args=[designation.pk]),
        {"filed_by": "Legal Aid", "grounds": "Two of the arrests were his cousin's, not his."},
    )
    client = client_for(supervisor)
    detail = _text(client.get(reverse("intel:designation-detail", args=[designation.pk])))
    assert "Open challenge filed by Legal Aid" in detail

    client.post(
        reverse("intel:designation-challenge-decide", args=[designation.pk]),
        {"outcome": "upheld", "reason": "Fingerprints confirm the cousin was arrested."},
    )

    designation.refresh_from_db()
    assert designation.status == "removed"
    detail = _text(client.get(reverse("intel:designation-detail", args=[designation.pk])))
    assert "Fingerprints confirm the cousin was arrested." in detail
    assert "Challenge upheld: removed" in detail


def test_every_page_showing_a_designation_states_the_caveat(
    analyst, supervisor, prosecutor, client_for
) -> None:
    zone = ZoneFactory()
    zone_assignment_add(actor=supervisor, user=prosecutor, zone=zone)
    person = PersonFactory()
    ArrestFactory(person=person, zone=zone)
    designation = _active(analyst, supervisor, person)
    pages = {
        supervisor: [
            reverse("intel:designation-list"),
            reverse("intel:designation-detail", args=[designation.pk]),
            reverse("intel:person-priority", args=[person.pk]),
            reverse("intel:list-health"),
        ],
        analyst: [reverse("intel:designation-propose", args=[PersonFactory().pk])],
        prosecutor: [reverse("csu:home")],
    }

    checked = 0
    for user, urls in pages.items():
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert CAVEAT in _text(response), url
            checked += 1
    assert checked == 6


def test_supervision_terms_are_entered_and_listed_with_agency_and_reference(
    analyst, prosecutor, client_for
) -> None:
    person = PersonFactory()
    response = client_for(analyst).post(
        reverse("intel:supervision-add", args=[person.pk]),
        {
            "kind": "parole",
            "agency": "State Division of Parole",
            "reference": "P-2026-0412",
            "starts_on": "2026-01-05",
            "ends_on": "2025-01-05",
        },
    )
    assert response.status_code == 400 and not SupervisionStatus.objects.exists()

    client_for(analyst).post(
        reverse("intel:supervision-add", args=[person.pk]),
        {
            "kind": "parole",
            "agency": "State Division of Parole",
            "reference": "P-2026-0412",
            "starts_on": "2026-01-05",
        },
    )

    panel = _text(client_for(prosecutor).get(reverse("intel:person-priority", args=[person.pk])))
    assert "State Division of Parole" in panel and "P-2026-0412" in panel
    assert reverse("intel:supervision-add", args=[person.pk]) not in panel  # not a prosecutor's


def test_supervisors_assign_prosecutors_to_zones(
    supervisor, prosecutor, analyst, client_for
) -> None:
    zone = ZoneFactory(name="Harbor North")
    client = client_for(supervisor)

    refused = client.post(
        reverse("intel:zone-assignment-list"), {"user": analyst.pk, "zone": zone.pk}
    )
    assert refused.status_code == 400 and not ZoneAssignment.objects.exists()
    client.post(reverse("intel:zone-assignment-list"), {"user": prosecutor.pk, "zone": zone.pk})

    assignment = ZoneAssignment.objects.get()
    assert (assignment.user, assignment.zone, assignment.assigned_by) == (
        prosecutor,
        zone,
        supervisor,
    )
    listing = _text(client.get(reverse("intel:zone-assignment-list")))
    assert "Harbor North" in listing and prosecutor.username in listing
    client.post(reverse("intel:zone-assignment-delete", args=[assignment.pk]))
    assert not ZoneAssignment.objects.exists()


def test_the_prosecutors_home_lists_designated_people_in_their_zones_and_cases(
    analyst, supervisor, prosecutor, make_user, client_for
) -> None:
    mine, elsewhere = ZoneFactory(name="Harbor North"), ZoneFactory(name="Harbor South")
    zone_assignment_add(actor=supervisor, user=prosecutor, zone=mine)
    colleague = make_user("prosecutor", "pia.other")
    in_zone = PersonFactory(last_name="Zonerson")
    ArrestFactory(person=in_zone, zone=mine)
    on_case = PersonFactory(last_name="Casewell")
    CaseReferralFactory(
        arrest=ArrestFactory(person=on_case, zone=elsewhere),
        case_number="2026-CR-0077",
        assigned_to=prosecutor,
    )
    # Not theirs: another zone, another prosecutor's case, proposed only, expired.
    other_zone = PersonFactory(last_name="Southby")
    ArrestFactory(person=other_zone, zone=elsewhere)
    other_case = PersonFactory(last_name="Colleaguer")
    CaseReferralFactory(arrest=ArrestFactory(person=other_case), assigned_to=colleague)
    proposed = PersonFactory(last_name="Proposo")
    ArrestFactory(person=proposed, zone=mine)
    expired = PersonFactory(last_name="Lapsed")
    ArrestFactory(person=expired, zone=mine)
    for person in (in_zone, on_case, other_zone, other_case, expired):
        _active(analyst, supervisor, person)
    designation_propose(actor=analyst, person=proposed, reason=REASON)
    PriorityDesignation.objects.filter(person=expired).update(expires_at="2020-01-01T00:00Z")
    designations_expire()

    page = _text(client_for(prosecutor).get(reverse("csu:home")))

    section = page.split('id="briefs-title"')[1].split("</section>")[0]
    assert "ZONERSON" in section and "Arrest in zone Harbor North" in section
    assert "CASEWELL" in section and "Your case 2026-CR-0077" in section
    for name in ("SOUTHBY", "COLLEAGUER", "PROPOSO", "LAPSED"):
        assert name not in section, name
    assert f"/intel/people/{in_zone.pk}/brief/" in section
    assert f"/intel/people/{on_case.pk}/brief/" in section
    assert CAVEAT in section


def test_the_list_and_the_home_read_a_fixed_number_of_queries(
    analyst, supervisor, prosecutor, client_for
) -> None:
    """Ten designations cost the same queries as two: no query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    zone = ZoneFactory()
    zone_assignment_add(actor=supervisor, user=prosecutor, zone=zone)
    supervisor_client, prosecutor_client = client_for(supervisor), client_for(prosecutor)

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listing:
            assert supervisor_client.get(reverse("intel:designation-list")).status_code == 200
        with CaptureQueriesContext(connection) as home:
            assert prosecutor_client.get(reverse("csu:home")).status_code == 200
        return len(listing.captured_queries), len(home.captured_queries)

    def designate(n: int) -> None:
        for _ in range(n):
            person = PersonFactory()
            ArrestFactory(person=person, zone=zone)
            _active(analyst, supervisor, person)
            designation_propose(actor=analyst, person=PersonFactory(), reason=REASON)

    designate(2)
    few = counts()
    designate(8)
    many = counts()

    assert many == few
    page = _text(prosecutor_client.get(reverse("csu:home")))
    assert page.count("/brief/") == 10


def test_the_propose_page_shows_the_current_score_as_the_basis(
    analyst, admin_user, client_for
) -> None:
    from django.utils import timezone

    from intel.models import PriorityScore, ScoreConfig

    person = PersonFactory()
    config = ScoreConfig.objects.create(version=3, weights={}, note="v3", created_by=admin_user)
    factors = [
        {"name": "violent_arrests", "value": 3, "weight": 2.0, "contribution": 6.0, "records": [1]},
        {"name": "firearm", "value": 1, "weight": 1.5, "contribution": 1.5, "records": [2]},
    ]
    PriorityScore.objects.create(
        person=person, config=config, score=7.5, factors=factors, computed_at=timezone.now()
    )

    page = _text(client_for(analyst).get(reverse("intel:designation-propose", args=[person.pk])))

    assert "Score 7.50 under score version 3" in page
    assert "violent_arrests" in page and "firearm" in page and "1.5" in page


def test_the_list_filters_by_status_and_name(analyst, supervisor, client_for) -> None:
    active = _active(analyst, supervisor, PersonFactory(last_name="Ashby"))
    proposed = designation_propose(
        actor=analyst, person=PersonFactory(last_name="Brandt"), reason=REASON
    )
    client = client_for(supervisor)

    def listed(**query: str) -> set[int]:
        page = _text(client.get(reverse("intel:designation-list"), query))
        return {
            d.pk
            for d in (active, proposed)
            if reverse("intel:designation-detail", args=[d.pk]) + '"' in page
        }

    assert listed() == {active.pk, proposed.pk}
    assert listed(status="proposed") == {proposed.pk}
    assert listed(q="ashby") == {active.pk}
    assert listed(status="nonsense") == {active.pk, proposed.pk}
