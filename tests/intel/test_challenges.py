"""Challenges: an upheld challenge removes the entry, and the challenge, its outcome and the
removal reason outlive it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from csu.models import AuditEvent
from intel.intelligence.challenges import challenge_decide, challenge_file
from intel.intelligence.groups import group_create, membership_approve, membership_submit
from intel.intelligence.selectors import challenge_list, membership_list
from intel.models import Challenge, GroupMembership, IntelRecord, ReviewDecision
from tests.factories import PersonFactory
from tests.factories.intel import INTEL_PREDICATE as PREDICATE
from tests.factories.intel import approved_intel_record

pytestmark = pytest.mark.django_db

GROUNDS = "My client was in custody in another county on every date the record relies on."
UPHELD = "Jail records confirm custody elsewhere on each date; the predicate does not hold."


@pytest.fixture
def membership(analyst, supervisor) -> GroupMembership:  # type: ignore[no-untyped-def]
    group = group_create(actor=analyst, name="Elm Street Crew", kind="crew")
    proposed = membership_submit(
        actor=analyst,
        group=group,
        person=PersonFactory(),
        level="associate",
        predicate_category="weapons",
        predicate_narrative=PREDICATE,
        source_type="officer",
        lawfully_obtained=True,
    )
    return membership_approve(actor=supervisor, membership=proposed)


def file(actor, **target) -> Challenge:  # type: ignore[no-untyped-def]
    return challenge_file(
        actor=actor,
        filed_by="J. Rivera, counsel",
        received_at=timezone.localdate(),
        grounds=GROUNDS,
        **target,
    )


def test_an_upheld_challenge_removes_the_membership_and_keeps_challenge_and_reason(
    analyst, supervisor, membership
) -> None:
    challenge = file(analyst, membership=membership)

    challenge_decide(actor=supervisor, challenge=challenge, outcome="upheld", reason=UPHELD)

    removed = GroupMembership.objects.get(pk=membership.pk)
    kept = Challenge.objects.get(pk=challenge.pk)
    assert removed.status == "removed" and removed.removal_category == "challenge_upheld"
    assert removed.removal_reason == f"Challenge upheld (challenge #{challenge.pk})"
    assert removed.predicate_narrative == "" and removed.removed_by == supervisor
    assert list(membership_list(actor=supervisor, person=membership.person)) == []
    assert kept.status == "upheld" and kept.removal_reason == UPHELD
    assert kept.outcome_reason == UPHELD and kept.decided_by == supervisor
    # Counsel's account of the person goes with the membership's content (28 CFR 23.20(h)).
    assert GROUNDS not in kept.grounds
    print(
        f"upheld challenge #{kept.pk}: membership {removed.status}, challenge kept "
        f"({kept.status}), removal reason kept ({len(kept.removal_reason)} chars)"
    )


def test_an_upheld_challenge_purges_the_intel_record_through_the_purge_path(
    analyst, supervisor
) -> None:
    record = approved_intel_record(analyst, supervisor)
    person = record.subject_person
    challenge = file(supervisor, intel_record=record)

    challenge_decide(actor=supervisor, challenge=challenge, outcome="upheld", reason=UPHELD)

    purged = IntelRecord.objects.get(pk=record.pk)
    kept = Challenge.objects.get(pk=challenge.pk)
    assert purged.status == "purged" and purged.narrative == "" and purged.subject_person is None
    decision = ReviewDecision.objects.get(record=record)
    assert decision.decision == "purged" and f"Challenge #{challenge.pk} upheld" in (
        decision.explanation
    )
    assert AuditEvent.objects.filter(action="intel.purge", object_id=str(record.pk)).count() == 1
    assert kept.status == "upheld" and kept.removal_reason == UPHELD
    assert kept.person == person and kept.intel_record_id == record.pk
    assert GROUNDS not in kept.grounds  # purged with the record, like its narrative
    print(
        f"upheld challenge #{kept.pk}: record {purged.status}, challenge kept "
        f"({kept.status}), removal reason kept"
    )


def test_a_denied_challenge_keeps_the_entry_and_needs_a_reason(
    analyst, supervisor, membership
) -> None:
    challenge = file(analyst, membership=membership)

    with pytest.raises(ValidationError, match="reason"):
        challenge_decide(actor=supervisor, challenge=challenge, outcome="denied", reason="")
    challenge_decide(
        actor=supervisor,
        challenge=challenge,
        outcome="denied",
        reason="Custody records show release two days before the first arrest.",
    )

    assert GroupMembership.objects.get(pk=membership.pk).status == "approved"
    kept = Challenge.objects.get(pk=challenge.pk)
    assert kept.status == "denied" and kept.removal_reason == ""
    assert kept.outcome_reason.startswith("Custody records")


def test_a_withdrawn_challenge_changes_nothing_else(analyst, supervisor, membership) -> None:
    challenge = file(analyst, membership=membership)

    challenge_decide(actor=supervisor, challenge=challenge, outcome="withdrawn", reason="")

    assert Challenge.objects.get(pk=challenge.pk).status == "withdrawn"
    assert GroupMembership.objects.get(pk=membership.pk).status == "approved"


def test_only_a_supervisor_decides_and_only_once(analyst, supervisor, membership) -> None:
    challenge = file(analyst, membership=membership)

    with pytest.raises(PermissionDenied):
        challenge_decide(actor=analyst, challenge=challenge, outcome="upheld", reason=UPHELD)
    challenge_decide(actor=supervisor, challenge=challenge, outcome="denied", reason=UPHELD)
    with pytest.raises(ValidationError, match="already decided"):
        challenge_decide(actor=supervisor, challenge=challenge, outcome="upheld", reason=UPHELD)

    assert GroupMembership.objects.get(pk=membership.pk).status == "approved"


REFUSED_FILINGS = {
    "no target": {},
    "short grounds": {"grounds": "Not him."},
    "received in the future": {"received_at": timezone.localdate() + timedelta(days=3)},
    "no filer": {"filed_by": "  "},
}


@pytest.mark.parametrize("change", REFUSED_FILINGS.values(), ids=REFUSED_FILINGS.keys())
def test_a_challenge_needs_one_target_grounds_and_a_real_date(analyst, membership, change) -> None:
    values = {
        "filed_by": "J. Rivera, counsel",
        "received_at": timezone.localdate(),
        "grounds": GROUNDS,
        "membership": membership,
    }
    if not change:
        values.pop("membership")
    values.update(change)

    with pytest.raises(ValidationError):
        challenge_file(actor=analyst, **values)
    assert Challenge.objects.count() == 0


def test_a_purged_record_or_removed_membership_cannot_be_challenged(
    analyst, supervisor, membership
) -> None:
    record = approved_intel_record(analyst, supervisor)
    challenge_decide(
        actor=supervisor,
        challenge=file(analyst, intel_record=record),
        outcome="upheld",
        reason=UPHELD,
    )
    challenge_decide(
        actor=supervisor,
        challenge=file(analyst, membership=membership),
        outcome="upheld",
        reason=UPHELD,
    )

    with pytest.raises(ValidationError, match="purged"):
        file(analyst, intel_record=record)
    with pytest.raises(ValidationError, match="already removed"):
        file(analyst, membership=membership)


def test_filing_and_deciding_are_audited(analyst, supervisor, membership) -> None:
    challenge = file(analyst, membership=membership)
    challenge_decide(actor=supervisor, challenge=challenge, outcome="upheld", reason=UPHELD)

    actions = list(
        AuditEvent.objects.filter(
            action__in=["challenge.file", "challenge.decide", "membership.remove"]
        )
        .order_by("id")
        .values_list("action", "object_type")
    )
    assert actions == [
        ("challenge.file", "intel.challenge"),
        ("membership.remove", "intel.groupmembership"),
        ("challenge.decide", "intel.challenge"),
    ]


def test_the_pages_file_and_decide_a_challenge(analyst, supervisor, membership, client_for) -> None:
    url = reverse("intel:challenge-file") + f"?membership={membership.pk}"
    form = client_for(analyst).get(url)
    assert form.status_code == 200 and "Elm Street Crew" in form.content.decode()

    response = client_for(analyst).post(
        url,
        {
            "membership": membership.pk,
            "filed_by": "J. Rivera, counsel",
            "received_at": timezone.localdate().isoformat(),
            "grounds": GROUNDS,
        },
    )
    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intel:challenge-detail", args=[challenge.pk])

    supervisor_client = client_for(supervisor)
    listing = supervisor_client.get(reverse("intel:challenge-list")).content.decode()
    assert "J. Rivera, counsel" in listing and "Open" in listing
    response = supervisor_client.post(
        reverse("intel:challenge-decide", args=[challenge.pk]),
        {"outcome": "upheld", "reason": UPHELD},
        follow=True,
    )
    body = response.content.decode()
    assert "Upheld: entry removed" in body and UPHELD in body
    assert GroupMembership.objects.get(pk=membership.pk).status == "removed"
    # The removed membership's challenge stays on the group page.
    group_page = supervisor_client.get(
        reverse("intel:group-detail", args=[membership.group_id])
    ).content.decode()
    assert reverse("intel:challenge-detail", args=[challenge.pk]) in group_page


def test_a_short_reason_is_refused_on_the_page_and_nothing_changes(
    analyst, supervisor, membership, client_for
) -> None:
    challenge = file(analyst, membership=membership)

    response = client_for(supervisor).post(
        reverse("intel:challenge-decide", args=[challenge.pk]),
        {"outcome": "upheld", "reason": "no"},
        follow=True,
    )

    assert "Not decided" in response.content.decode()
    assert Challenge.objects.get().status == "open"
    assert GroupMembership.objects.get(pk=membership.pk).status == "approved"


def test_a_target_out_of_sight_is_not_found(analyst, supervisor, client_for) -> None:
    restricted = approved_intel_record(analyst, supervisor, sensitivity="restricted")

    missing = client_for(analyst).get(reverse("intel:challenge-file") + "?membership=999999")
    # A restricted record is for named readers: a supervisor without a grant does not see it.
    hidden = client_for(supervisor).get(
        reverse("intel:challenge-file") + f"?record={restricted.pk}"
    )

    assert missing.status_code == 404
    assert hidden.status_code == 404


def test_the_list_hides_challenges_to_records_the_reader_may_not_see(
    analyst, supervisor, prosecutor
) -> None:
    restricted = approved_intel_record(analyst, supervisor, sensitivity="restricted")
    open_record = approved_intel_record(analyst, supervisor)
    file(analyst, intel_record=restricted)
    visible = file(analyst, intel_record=open_record)

    assert list(challenge_list(actor=prosecutor)) == [visible]
    assert len(challenge_list(actor=analyst)) == 2  # the submitter sees their own record


def test_a_challenge_to_an_intel_record_is_filed_from_the_record(
    analyst, supervisor, client_for
) -> None:
    record = approved_intel_record(analyst, supervisor)
    url = reverse("intel:challenge-file") + f"?record={record.pk}"

    form = client_for(analyst).get(url)
    response = client_for(analyst).post(
        url,
        {
            "record": record.pk,
            "filed_by": "The subject, in person",
            "received_at": timezone.localdate().isoformat(),
            "grounds": GROUNDS,
        },
    )

    assert form.status_code == 200 and f"#{record.pk}" in form.content.decode()
    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert challenge.intel_record == record and challenge.person == record.subject_person
