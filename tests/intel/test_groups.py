"""Groups and memberships: a membership is intelligence, held to a predicate and a second pair of
eyes, and only an approved one counts as membership anywhere."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from csu.models import AuditEvent
from intel.intelligence.groups import (
    group_create,
    membership_approve,
    membership_remove,
    membership_submit,
)
from intel.intelligence.selectors import group_page, membership_list
from intel.models import Group, GroupMembership
from tests.conftest import sign_in
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PREDICATE = (
    "Arrested twice this year with two confirmed members, each time carrying a loaded "
    "handgun; named by a witness in the Elm Street shooting."
)


@pytest.fixture
def group(analyst) -> Group:  # type: ignore[no-untyped-def]
    return group_create(actor=analyst, name="Elm Street Crew", kind="crew")


def proposal(group: Group, **overrides: object) -> dict:
    values = {
        "group": group,
        "person": PersonFactory(),
        "level": "associate",
        "predicate_category": "weapons",
        "predicate_narrative": PREDICATE,
        "source_type": "officer",
        "lawfully_obtained": True,
    }
    values.update(overrides)
    return values


INVALID = {
    "no predicate category": {"predicate_category": ""},
    "category outside the vocabulary": {"predicate_category": "gang_dress"},
    "no reasonable-suspicion statement": {"predicate_narrative": ""},
    "statement of 39 characters": {"predicate_narrative": "x" * 39},
    "statement of spaces": {"predicate_narrative": " " * 80},
    "only a label": {"predicate_narrative": "Known gang member."},
    "no source type": {"source_type": ""},
    "source type outside the vocabulary": {"source_type": "rumour"},
    "not lawfully obtained": {"lawfully_obtained": False},
    "unknown level": {"level": "wannabe"},
}


def test_no_membership_is_saved_without_predicate_source_and_attestation(analyst, group) -> None:
    refused = 0
    for change in INVALID.values():
        with pytest.raises(ValidationError):
            membership_submit(actor=analyst, **proposal(group, **change))
        refused += 1

    saved = GroupMembership.objects.count()
    print(f"memberships without predicate: {len(INVALID)} tried, {saved} saved")
    assert refused == len(INVALID) and saved == 0


def test_the_form_refuses_a_membership_without_predicate_and_says_why(
    analyst, group, client_for
) -> None:
    person = PersonFactory()
    response = client_for(analyst).post(
        reverse("intel:membership-submit", args=[group.pk]),
        {
            "person": person.pk,
            "level": "associate",
            "predicate_category": "weapons",
            "predicate_narrative": "He wears the colours.",
            "source_type": "officer",
        },
    )

    assert response.status_code == 400
    assert "at least 40 characters" in response.content.decode()
    assert "obtained lawfully" in response.content.decode()
    assert GroupMembership.objects.count() == 0


def test_no_one_approves_their_own_membership(make_user, group) -> None:
    """Even a supervisor who may also propose memberships: refused by the service, the page
    and the database."""
    both = make_user("supervisor", "dual.role")
    both.user_permissions.add(Permission.objects.get(codename="add_groupmembership"))
    both = type(both).objects.get(pk=both.pk)  # fresh permission cache
    membership = membership_submit(actor=both, **proposal(group))
    tried = 0

    tried += 1
    with pytest.raises(PermissionDenied):
        membership_approve(actor=both, membership=membership)
    tried += 1
    response = sign_in(Client(), both).post(
        reverse("intel:membership-approve", args=[membership.pk])
    )
    assert response.status_code == 403
    tried += 1
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.filter(pk=membership.pk).update(status="approved", approved_by=both)

    self_approved = GroupMembership.objects.filter(status="approved").count()
    print(f"self-approvals: {self_approved} ({tried} attempts: service, page, database)")
    assert self_approved == 0
    assert AuditEvent.objects.filter(action="membership.approve", outcome="denied").count() == 2


def test_a_supervisor_approves_with_a_review_date_within_five_years(
    analyst, supervisor, group
) -> None:
    membership = membership_submit(actor=analyst, **proposal(group))

    approved = membership_approve(actor=supervisor, membership=membership)

    assert approved.status == "approved" and approved.approved_by == supervisor
    today = timezone.localdate()
    assert today < approved.review_due < date(today.year + 5, today.month, today.day)


def test_an_analyst_cannot_approve_or_remove(analyst, group) -> None:
    membership = membership_submit(actor=analyst, **proposal(group))

    with pytest.raises(PermissionDenied):
        membership_approve(actor=analyst, membership=membership)
    with pytest.raises(PermissionDenied):
        membership_remove(actor=analyst, membership=membership, reason="x" * 30)
    assert GroupMembership.objects.get().status == "pending"


def test_screen_hits_need_the_supervisors_attestation(analyst, supervisor, group) -> None:
    narrative = (
        "Recruits for the crew's gun sales at the Sunday church service and at protest "
        "rallies downtown, per two informants."
    )
    membership = membership_submit(actor=analyst, **proposal(group, predicate_narrative=narrative))

    with pytest.raises(ValidationError, match="church, protest"):
        membership_approve(actor=supervisor, membership=membership)
    assert GroupMembership.objects.get().status == "pending"

    attestation = "The gun sales happen at those places; the meetings themselves are not the basis."
    membership_approve(actor=supervisor, membership=membership, screen_attestation=attestation)

    event = AuditEvent.objects.get(action="membership.approve", outcome="success")
    assert event.detail["screen_hits"] == ["church", "protest"]
    # Kept on the membership (cleared on removal), never in the append-only audit detail.
    assert GroupMembership.objects.get().screen_attestation == attestation
    assert event.detail["attestation_chars"] == len(attestation)
    assert attestation not in str(event.detail)


def test_only_approved_memberships_count_as_membership(analyst, supervisor, group) -> None:
    pending = membership_submit(actor=analyst, **proposal(group))
    approved = membership_approve(
        actor=supervisor, membership=membership_submit(actor=analyst, **proposal(group))
    )
    removed = membership_submit(actor=analyst, **proposal(group))
    membership_remove(
        actor=supervisor,
        membership=removed,
        reason="Predicate rests on one stale field interview only.",
    )

    assert list(membership_list(actor=supervisor)) == [approved]
    assert list(membership_list(actor=supervisor, person=pending.person)) == []
    page = group_page(actor=supervisor, pk=group.pk)
    assert page is not None
    members = [m for _, ms in page.members_by_level for m in ms]
    assert members == [approved]
    assert page.pending == [pending]
    assert page.removed == [GroupMembership.objects.get(pk=removed.pk)]


def test_removal_needs_a_reason_and_keeps_it_without_the_predicate(
    analyst, supervisor, group
) -> None:
    membership = membership_approve(
        actor=supervisor, membership=membership_submit(actor=analyst, **proposal(group))
    )

    with pytest.raises(ValidationError):
        membership_remove(actor=supervisor, membership=membership, reason="  ")
    membership_remove(
        actor=supervisor,
        membership=membership,
        reason="Moved out of state in 2022; no contact with the crew since.",
    )

    kept = GroupMembership.objects.get(pk=membership.pk)
    assert kept.status == "removed" and kept.removed_at is not None
    # The supervisor's reason is the record of the decision; the predicate goes (28 CFR 23.20(h)),
    # and the append-only audit row keeps only the reason's length.
    assert kept.removed_by == supervisor and kept.removal_category == "no_longer_valid"
    assert kept.removal_reason.startswith("Moved out of state") and kept.predicate_narrative == ""
    event = AuditEvent.objects.get(action="membership.remove")
    assert "Moved out of state" not in str(event.detail)


def test_one_current_membership_per_person_and_group(analyst, group) -> None:
    values = proposal(group)
    membership_submit(actor=analyst, **values)

    with pytest.raises(ValidationError, match="already has"):
        membership_submit(actor=analyst, **values)
    assert GroupMembership.objects.count() == 1


def test_a_merged_person_cannot_be_proposed(analyst, group) -> None:
    survivor = PersonFactory()
    merged = PersonFactory(merged_into=survivor)

    with pytest.raises(ValidationError, match=f"#{survivor.pk}"):
        membership_submit(actor=analyst, **proposal(group, person=merged))


def test_every_write_is_audited(analyst, supervisor, group) -> None:
    membership = membership_submit(actor=analyst, **proposal(group))
    membership_approve(actor=supervisor, membership=membership)
    membership_remove(
        actor=supervisor,
        membership=membership,
        reason="Challenge by counsel showed the wrong man was named.",
    )

    actions = list(
        AuditEvent.objects.exclude(action__startswith="user.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "group.create",
        "membership.submit",
        "membership.approve",
        "membership.remove",
    ]


def test_the_pages_walk_a_membership_from_proposal_to_approval(
    analyst, supervisor, prosecutor, client_for
) -> None:
    analyst_client, supervisor_client = client_for(analyst), client_for(supervisor)
    response = analyst_client.post(
        reverse("intel:group-create"), {"name": "North Side Set", "kind": "set"}
    )
    group = Group.objects.get(name="North Side Set")
    assert response.status_code == 302 and response["Location"] == reverse(
        "intel:group-detail", args=[group.pk]
    )
    person = PersonFactory(last_name="Quarles")

    response = analyst_client.post(
        reverse("intel:membership-submit", args=[group.pk]),
        {
            "person": person.pk,
            "level": "confirmed",
            "predicate_category": "violent",
            "predicate_narrative": PREDICATE,
            "source_type": "records",
            "lawfully_obtained": "on",
        },
    )
    assert response.status_code == 302
    prosecutor_page = client_for(prosecutor).get(reverse("intel:group-detail", args=[group.pk]))
    assert "QUARLES" not in prosecutor_page.content.decode()  # pending: not membership yet
    supervisor_page = supervisor_client.get(reverse("intel:group-detail", args=[group.pk]))
    assert "Awaiting supervisor review (1)" in supervisor_page.content.decode()

    membership = GroupMembership.objects.get()
    response = supervisor_client.post(
        reverse("intel:membership-approve", args=[membership.pk]), follow=True
    )

    body = response.content.decode()
    assert "approved" in body and "QUARLES" in body and "Confirmed members (1)" in body
    assert (
        client_for(prosecutor)
        .get(reverse("intel:group-detail", args=[group.pk]))
        .content.decode()
        .count("QUARLES")
        == 1
    )
    assert AuditEvent.objects.filter(action="group.viewed", object_id=str(group.pk)).count() == 4


def test_a_refused_approval_shows_the_reason_on_the_group_page(
    analyst, supervisor, group, client_for
) -> None:
    membership = membership_submit(
        actor=analyst,
        **proposal(
            group,
            predicate_narrative="Sells guns after the political rally every month, per the "
            "arresting officer's report.",
        ),
    )

    response = client_for(supervisor).post(
        reverse("intel:membership-approve", args=[membership.pk]), follow=True
    )

    assert "Not approved" in response.content.decode()
    assert GroupMembership.objects.get().status == "pending"


def test_the_group_list_counts_approved_members_only(
    analyst, supervisor, group, client_for
) -> None:
    membership_approve(
        actor=supervisor, membership=membership_submit(actor=analyst, **proposal(group))
    )
    membership_submit(actor=analyst, **proposal(group))

    response = client_for(analyst).get(reverse("intel:group-list"), {"q": "elm"})

    assert response.status_code == 200
    assert response.context["page"].object_list[0].member_count == 1
