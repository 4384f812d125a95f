"""The people pages: search, the person page (audited once per view), merge and un-merge, and
the review queue whose buttons call the resolution services."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from csu.models import AuditEvent
from intel.models import (
    Arrest,
    MatchCandidate,
    Person,
    PersonIdentifier,
    PersonLink,
    PersonMerge,
)
from intel.people.services import person_merge
from tests.factories.intel import AgencyFactory, ArrestChargeFactory, MatchCandidateFactory
from tests.intel.test_people import T0, arrest_of, person

pytestmark = pytest.mark.django_db


def viewed(pk: int) -> int:
    return AuditEvent.objects.filter(
        action="person.viewed", object_type="intel.person", object_id=str(pk)
    ).count()


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def jon(db):  # type: ignore[no-untyped-def]
    jon = person("SMITH, JON", date(1990, 1, 2), recorded=("SMYTH, JON",))
    PersonIdentifier.objects.create(
        person=jon, kind="booking_number", value="B-77", issuing_agency=AgencyFactory()
    )
    first = arrest_of(jon, "SMYTH, JON", 1, data_import_id=12)
    ArrestChargeFactory(arrest=first, sequence=1)
    PersonLink.objects.create(
        arrest=first,
        person=jon,
        method="auto",
        score=0.974,
        factors=[
            {"factor": "last name", "detail": "SMYTH / SMITH: one typo apart", "weight": 2.5},
            {"factor": "date of birth", "detail": "1990-01-02: same", "weight": 6.0},
        ],
    )
    return jon


def test_the_person_page_shows_why_records_are_linked_and_is_audited_once_per_view(
    jon, prosecutor, client_for
) -> None:
    client = client_for(prosecutor)
    url = reverse("intel:person-detail", args=[jon.pk])

    first = client.get(url)
    after_one = viewed(jon.pk)
    client.get(url)

    assert first.status_code == 200
    assert (after_one, viewed(jon.pk)) == (1, 2)
    page = first.content.decode()
    assert "SMITH, Jon" in page and "1990-01-02" in page
    assert "Booking number <code>B-77</code> issued by Test City Police Department" in page
    assert "Automatic: score above the link threshold" in page and "97%" in page
    assert "SMYTH / SMITH: one typo apart" in page
    assert "Source: TCPD A00001, import #12" in page
    assert f'hx-get="{reverse("intel:person-network", args=[jon.pk])}"' in page
    assert 'hx-trigger="load"' in page
    assert "Merge another person into this one" not in page  # a prosecutor cannot merge
    print(f"person.viewed events after 2 views: {viewed(jon.pk)}")


def test_a_missing_person_is_not_found(prosecutor, client_for) -> None:
    response = client_for(prosecutor).get(reverse("intel:person-detail", args=[999999]))

    assert response.status_code == 404
    # The refusal is on the record (csu.audit_reads), as a denied read of that id.
    refused = AuditEvent.objects.get(action="person.viewed")
    assert (refused.outcome, refused.object_id) == ("denied", "999999")


def test_a_merged_persons_page_sends_you_to_the_survivor_with_a_notice(
    jon, analyst, prosecutor, client_for
) -> None:
    duplicate = person("SMITH, JONATHAN", date(1990, 1, 2))
    person_merge(actor=analyst, survivor=jon, merged=duplicate, reason="same booking number")
    client = client_for(prosecutor)

    response = client.get(reverse("intel:person-detail", args=[duplicate.pk]), follow=True)

    assert response.redirect_chain == [(reverse("intel:person-detail", args=[jon.pk]), 302)]
    assert (
        f"Person #{duplicate.pk} (SMITH, Jonathan) was merged into this record"
        in messages_of(response)[0]
    )
    # The notice names the merged person, so opening their old page is a read of it.
    assert (viewed(duplicate.pk), viewed(jon.pk)) == (1, 1)


def test_an_analyst_merges_from_the_page_and_undoes_it(jon, analyst, client_for) -> None:
    other = person("SMITH, JOHNNY", date(1990, 1, 2))
    their_arrest = arrest_of(other, "SMITH, JOHNNY", 5)
    client = client_for(analyst)
    page = reverse("intel:person-detail", args=[jon.pk])

    refused = client.post(
        reverse("intel:person-merge", args=[jon.pk]),
        {"other": other.pk, "reason": "same"},
        follow=True,
    )
    assert "Nothing was merged" in messages_of(refused)[0]
    assert not PersonMerge.objects.exists()

    merged = client.post(
        reverse("intel:person-merge", args=[jon.pk]),
        {"other": other.pk, "reason": "same DOB and booking photo"},
        follow=True,
    )
    their_arrest.refresh_from_db()
    assert merged.redirect_chain == [(page, 302)]
    assert their_arrest.person_id == jon.pk
    body = merged.content.decode()
    assert f"Person #{other.pk} (SMITH, Johnny) merged into #{jon.pk}" in body
    assert f"Un-merge #{other.pk}" in body

    merge = PersonMerge.objects.get()
    undone = client.post(
        reverse("intel:person-unmerge", args=[merge.pk]),
        {"reason": "different fingerprints on file"},
        follow=True,
    )
    their_arrest.refresh_from_db()
    other.refresh_from_db()
    assert undone.redirect_chain == [(reverse("intel:person-detail", args=[other.pk]), 302)]
    assert their_arrest.person_id == other.pk and not other.is_merged
    assert "is a separate record again" in messages_of(undone)[0]


def test_merging_someone_who_does_not_exist_changes_nothing(jon, analyst, client_for) -> None:
    response = client_for(analyst).post(
        reverse("intel:person-merge", args=[jon.pk]),
        {"other": 999999, "reason": "a long enough reason"},
        follow=True,
    )

    assert "there is no person #999999" in messages_of(response)[0]
    assert not PersonMerge.objects.exists()


def test_the_person_page_costs_the_same_queries_for_1_or_11_arrests(
    jon, prosecutor, client_for
) -> None:
    client = client_for(prosecutor)
    url = reverse("intel:person-detail", args=[jon.pk])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    for n in range(2, 12):
        ArrestChargeFactory(arrest=arrest_of(jon, "SMITH, JON", n))
    eleven = count()

    assert one == eleven <= 25
    print(
        f"person page: {one} queries with 1 arrest, {eleven} with 11 (session, auth, audit "
        "included)"
    )


# ------------------------------------------------------------------------------ search


def test_the_search_page_explains_each_result_and_is_audited(jon, prosecutor, client_for) -> None:
    client = client_for(prosecutor)

    response = client.post(reverse("intel:person-list"), {"q": "Smythe, Jon"})

    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("intel:person-detail", args=[jon.pk]) in body
    assert "sound-alike: SMYTHE, JON sounds like" in body
    event = AuditEvent.objects.get(action="person.searched")
    assert event.detail["q"] == "Smythe, Jon" and event.detail["results"] == 1


def test_an_empty_search_asks_for_something_to_search_by(prosecutor, client_for) -> None:
    client = client_for(prosecutor)

    blank = client.get(reverse("intel:person-list"))
    nothing = client.post(reverse("intel:person-list"), {"q": " ", "identifier": ""})

    assert blank.status_code == 200 and "people found" not in blank.content.decode()
    assert nothing.status_code == 400
    assert "Give a name, a date of birth or an identifier." in nothing.content.decode()


def test_people_is_in_the_navigation_of_roles_that_see_people(
    prosecutor, admin_user, client_for
) -> None:
    link = f'href="{reverse("intel:person-list")}"'

    assert link in client_for(prosecutor).get(reverse("csu:home")).content.decode()
    assert link not in client_for(admin_user).get(reverse("csu:home")).content.decode()


# ------------------------------------------------------------------------ review queue


@pytest.fixture
def queued(jon):  # type: ignore[no-untyped-def]
    """An arrest resolution could not decide: Jon, or another Jon Smith."""
    other = person("SMITH, JON", date(1991, 1, 2))
    arrest = Arrest.objects.create(
        source_agency=AgencyFactory(),
        source_id="A-Q1",
        arrested_at=T0,
        name_as_recorded="SMITH, JON",
        dob_as_recorded=date(1990, 2, 1),
        booking_number="B-991",
    )
    factors = [
        {"factor": "last name", "detail": "SMITH / SMITH: exact", "weight": 4.0},
        {
            "factor": "date of birth",
            "detail": "1990-02-01 / 1990-01-02: day and month swapped",
            "weight": 3.5,
        },
    ]
    best = MatchCandidateFactory(arrest=arrest, person=jon, score=0.83, factors=factors)
    second = MatchCandidateFactory(
        arrest=arrest,
        person=other,
        score=0.41,
        factors=[{"factor": "date of birth", "detail": "same year only", "weight": -4.0}],
    )
    return {"arrest": arrest, "best": best, "second": second, "other": other}


def test_the_queue_shows_the_arrest_as_recorded_beside_each_candidate(
    queued, analyst, supervisor, client_for
) -> None:
    body = client_for(analyst).get(reverse("intel:match-list")).content.decode()

    assert "1 arrest awaiting review" in body
    assert "Arrest as recorded" in body and "B-991" in body and "1990-02-01" in body
    assert body.index("83%") < body.index("41%")  # best candidate first
    assert "day and month swapped" in body and "same year only" in body
    assert reverse("intel:match-link", args=[queued["best"].pk]) in body
    assert reverse("intel:match-new-person", args=[queued["arrest"].pk]) in body
    watching = client_for(supervisor).get(reverse("intel:match-list")).content.decode()
    assert "83%" in watching and "Not this person" not in watching  # supervisors only look


def test_the_queue_costs_the_same_queries_for_1_or_5_arrests(queued, analyst, client_for) -> None:
    client = client_for(analyst)
    client.get(reverse("intel:match-list"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("intel:match-list")).status_code == 200
        return len(queries)

    one = count()
    for n in range(4):
        arrest = Arrest.objects.create(
            source_agency=AgencyFactory(),
            source_id=f"A-Q{n + 2}",
            arrested_at=T0,
            name_as_recorded="SMITH, JON",
        )
        ArrestChargeFactory(arrest=arrest)
        for candidate in (queued["best"].person, queued["other"]):
            PersonIdentifier.objects.create(
                person=candidate, kind="other", value=f"X{n}-{candidate.pk}"
            )
            MatchCandidateFactory(arrest=arrest, person=candidate)
    five = count()

    assert one == five
    print(f"review queue: {one} queries with 1 arrest, {five} with 5")


def test_link_ties_the_arrest_to_the_candidate_and_closes_the_others(
    queued, analyst, client_for
) -> None:
    response = client_for(analyst).post(
        reverse("intel:match-link", args=[queued["best"].pk]), follow=True
    )

    queued["arrest"].refresh_from_db()
    link = PersonLink.objects.get(arrest=queued["arrest"])
    assert queued["arrest"].person == queued["best"].person
    assert (link.method, link.decided_by.username) == ("reviewed", analyst.username)
    assert dict(MatchCandidate.objects.values_list("pk", "status")) == {
        queued["best"].pk: "linked",
        queued["second"].pk: "superseded",
    }
    assert "is now linked to person" in messages_of(response)[0]
    assert "No arrest is waiting for review." in response.content.decode()


def test_not_this_person_rules_one_out_and_the_last_one_starts_a_new_person(
    queued, analyst, client_for
) -> None:
    client = client_for(analyst)

    client.post(reverse("intel:match-reject", args=[queued["second"].pk]))
    queued["arrest"].refresh_from_db()
    assert queued["arrest"].person_id is None
    last = client.post(reverse("intel:match-reject", args=[queued["best"].pk]), follow=True)

    queued["arrest"].refresh_from_db()
    assert set(MatchCandidate.objects.values_list("status", flat=True)) == {"rejected"}
    assert queued["arrest"].person_id not in (None, queued["best"].person_id, queued["other"].pk)
    assert "No candidate is left, so the arrest starts a new person" in messages_of(last)[-1]


def test_new_person_starts_a_person_from_the_arrest(queued, analyst, client_for) -> None:
    response = client_for(analyst).post(
        reverse("intel:match-new-person", args=[queued["arrest"].pk]), follow=True
    )

    queued["arrest"].refresh_from_db()
    new = queued["arrest"].person
    assert new is not None and new.pk not in (queued["best"].person_id, queued["other"].pk)
    assert (new.last_name, new.dob) == ("Smith", date(1990, 2, 1))
    assert PersonLink.objects.get(arrest=queued["arrest"]).method == "new"
    assert f"starts a new person: #{new.pk}" in messages_of(response)[0]


def test_a_decided_match_cannot_be_decided_again(queued, analyst, client_for) -> None:
    client = client_for(analyst)
    client.post(reverse("intel:match-link", args=[queued["best"].pk]))

    again = client.post(reverse("intel:match-reject", args=[queued["best"].pk]), follow=True)

    assert "already been decided" in messages_of(again)[-1]
    assert Person.objects.count() == 2
