"""The designation workflow: proposed with a reason, decided by a supervisor who is not the
proposer (service, page and database), expiring twelve calendar months after approval unless
renewed with a fresh justification by another supervisor; challenges and removals kept with
their reasons; the daily expiry run on schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from csu.actors import system_actor
from csu.exceptions import ApplicationError
from csu.models import AuditEvent
from intel.models import DesignationEvent, PriorityDesignation, PriorityScore, ScoreConfig
from intel.priority.designations import (
    designation_approve,
    designation_challenge_decide,
    designation_challenge_record,
    designation_propose,
    designation_reject,
    designation_remove,
    designation_renew,
    designation_renewal_refuse,
    designation_renewal_request,
    designations_expire,
)
from intel.priority.tasks import designations_expire_task
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

REASON = "Three violent arrests in eighteen months, two with a recovered handgun."
FRESH = "Arrested again in March with a loaded pistol; the shooting case is now charged."
EVENTS = DesignationEvent.Kind


@pytest.fixture
def second_supervisor(make_user):  # type: ignore[no-untyped-def]
    return make_user("supervisor", "sue.second")


@pytest.fixture
def chief(make_user):  # type: ignore[no-untyped-def]
    """A supervisor who also works as an analyst: holds both the propose and the decide
    permission, the one person who could approve their own proposal if anything let them."""
    user = make_user("supervisor", "chris.chief")
    user.groups.add(Group.objects.get(name="analyst"))
    return user


def _kinds(designation: PriorityDesignation) -> list[str]:
    return list(designation.events.order_by("at", "id").values_list("kind", flat=True))


def _active(analyst, supervisor, person=None) -> PriorityDesignation:  # type: ignore[no-untyped-def]
    designation = designation_propose(
        actor=analyst, person=person or PersonFactory(), reason=REASON
    )
    return designation_approve(actor=supervisor, designation=designation)


# --- proposing --------------------------------------------------------------------------------


def test_a_proposal_snapshots_the_score_under_the_newest_version(analyst, admin_user) -> None:
    person = PersonFactory()
    old = ScoreConfig.objects.create(version=1, weights={}, note="first", created_by=admin_user)
    new = ScoreConfig.objects.create(version=2, weights={}, note="second", created_by=admin_user)
    factors = [{"name": "violent_arrests", "value": 3, "weight": 2.0, "contribution": 6.0}]
    PriorityScore.objects.create(
        person=person, config=old, score=1.0, factors=[], computed_at=timezone.now()
    )
    PriorityScore.objects.create(
        person=person, config=new, score=6.0, factors=factors, computed_at=timezone.now()
    )

    designation = designation_propose(actor=analyst, person=person, reason=REASON)

    assert designation.status == "proposed"
    assert designation.basis == {"score": 6.0, "version": 2, "factors": factors}
    assert _kinds(designation) == [EVENTS.PROPOSED]
    event = AuditEvent.objects.get(action="designation.propose")
    assert event.object_id == str(designation.pk)
    assert REASON not in str(event.detail)  # the trail keeps lengths, never the words


def test_without_a_score_the_basis_is_empty(prosecutor) -> None:
    designation = designation_propose(actor=prosecutor, person=PersonFactory(), reason=REASON)

    assert designation.basis == {}


@pytest.mark.parametrize("reason", ["", " " * 40, "Too short a reason."])
def test_a_reason_under_20_characters_is_refused(analyst, reason: str) -> None:
    with pytest.raises(ValidationError) as exc:
        designation_propose(actor=analyst, person=PersonFactory(), reason=reason)

    assert "reason" in exc.value.message_dict
    assert not PriorityDesignation.objects.exists()


def test_a_second_open_designation_is_refused(analyst, prosecutor, supervisor) -> None:
    person = PersonFactory()
    designation_propose(actor=analyst, person=person, reason=REASON)

    with pytest.raises(ApplicationError, match="already has a proposed or active designation"):
        designation_propose(actor=prosecutor, person=person, reason=REASON)
    designation_approve(actor=supervisor, designation=PriorityDesignation.objects.get())
    with pytest.raises(ApplicationError, match="already has a proposed or active designation"):
        designation_propose(actor=prosecutor, person=person, reason=REASON)
    assert PriorityDesignation.objects.count() == 1


def test_the_database_allows_one_open_designation_per_person(analyst) -> None:
    person = PersonFactory()
    designation_propose(actor=analyst, person=person, reason=REASON)

    with pytest.raises(IntegrityError), transaction.atomic():
        PriorityDesignation.objects.create(
            person=person, reason=REASON, proposed_by=analyst, proposed_at=timezone.now()
        )


def test_a_merged_person_cannot_be_proposed(analyst) -> None:
    survivor = PersonFactory()
    merged = PersonFactory(merged_into=survivor)

    with pytest.raises(ApplicationError, match=f"merged into person #{survivor.pk}"):
        designation_propose(actor=analyst, person=merged, reason=REASON)


def test_a_merge_moves_a_designation_to_the_survivor_and_unmerge_brings_it_back(
    analyst, supervisor
) -> None:
    from intel.people.services import person_merge, person_unmerge

    survivor, merged = PersonFactory(), PersonFactory()
    designation = _active(analyst, supervisor, person=merged)

    merge = person_merge(actor=analyst, survivor=survivor, merged=merged, reason="Same person.")
    designation.refresh_from_db()
    assert designation.person_id == survivor.pk
    person_unmerge(actor=analyst, merge=merge, reason="Different people after all.")
    designation.refresh_from_db()
    assert designation.person_id == merged.pk


def test_two_open_designations_refuse_a_merge_and_change_nothing(
    analyst, prosecutor, supervisor
) -> None:
    from intel.people.services import person_merge

    survivor, merged = PersonFactory(), PersonFactory()
    _active(analyst, supervisor, person=survivor)
    designation_propose(actor=prosecutor, person=merged, reason=REASON)

    with pytest.raises(ValidationError, match="Both people have an open priority designation"):
        person_merge(actor=analyst, survivor=survivor, merged=merged, reason="Same person.")
    merged.refresh_from_db()
    assert merged.merged_into_id is None
    assert PriorityDesignation.objects.filter(person=merged).count() == 1


def test_roles_without_the_propose_permission_are_refused(admin_user) -> None:
    with pytest.raises(PermissionDenied):
        designation_propose(actor=admin_user, person=PersonFactory(), reason=REASON)


# --- deciding ---------------------------------------------------------------------------------


def test_approval_starts_twelve_calendar_months(analyst, supervisor) -> None:
    designation = designation_propose(actor=analyst, person=PersonFactory(), reason=REASON)
    approved_on = datetime(2028, 2, 29, 10, 0, tzinfo=UTC)  # a leap day: no 29 Feb 2029

    with time_machine.travel(approved_on, tick=False):
        designation = designation_approve(actor=supervisor, designation=designation)

    designation.refresh_from_db()
    assert designation.status == "active"
    assert designation.decided_by == supervisor
    assert designation.approved_at == approved_on
    assert designation.expires_at == datetime(2029, 2, 28, 10, 0, tzinfo=UTC)
    assert _kinds(designation) == [EVENTS.PROPOSED, EVENTS.APPROVED]
    assert AuditEvent.objects.filter(action="designation.approve").count() == 1


def test_only_supervisors_decide(analyst, prosecutor) -> None:
    designation = designation_propose(actor=analyst, person=PersonFactory(), reason=REASON)

    for actor in (analyst, prosecutor):
        with pytest.raises(PermissionDenied):
            designation_approve(actor=actor, designation=designation)
    designation.refresh_from_db()
    assert designation.status == "proposed"


def test_the_proposer_cannot_approve_or_reject_their_own_proposal(chief) -> None:
    designation = designation_propose(actor=chief, person=PersonFactory(), reason=REASON)

    with pytest.raises(ApplicationError, match="another supervisor must decide"):
        designation_approve(actor=chief, designation=designation)
    with pytest.raises(ApplicationError, match="another supervisor must decide"):
        designation_reject(actor=chief, designation=designation, reason=REASON)
    designation.refresh_from_db()
    assert designation.status == "proposed" and designation.decided_by is None


def test_the_database_refuses_self_approval(chief) -> None:
    designation = designation_propose(actor=chief, person=PersonFactory(), reason=REASON)

    with (
        pytest.raises(IntegrityError, match="intel_designation_not_self_approved"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE intel_prioritydesignation SET decided_by_id = proposed_by_id, "
            "status = 'active' WHERE id = %s",
            [designation.pk],
        )
    designation.refresh_from_db()
    assert designation.status == "proposed"


def test_rejection_needs_a_reason_and_is_kept(analyst, supervisor) -> None:
    designation = designation_propose(actor=analyst, person=PersonFactory(), reason=REASON)
    with pytest.raises(ValidationError):
        designation_reject(actor=supervisor, designation=designation, reason="no")

    rejected = designation_reject(
        actor=supervisor, designation=designation, reason="The arrests are all from 2019."
    )

    assert rejected.status == "rejected"
    assert rejected.decision_reason == "The arrests are all from 2019."
    assert designation.events.get(kind=EVENTS.REJECTED).reason == "The arrests are all from 2019."
    # Rejected, the person may be proposed again.
    designation_propose(actor=analyst, person=designation.person, reason=REASON)


def test_a_decided_proposal_cannot_be_decided_again(analyst, supervisor, second_supervisor) -> None:
    designation = _active(analyst, supervisor)

    with pytest.raises(ApplicationError, match="Only a proposed designation"):
        designation_approve(actor=second_supervisor, designation=designation)


# --- renewal ----------------------------------------------------------------------------------


def test_renewal_needs_a_fresh_justification(analyst, supervisor) -> None:
    designation = _active(analyst, supervisor)

    for stale in (REASON, "  " + REASON.upper() + " "):
        with pytest.raises(ValidationError, match="fresh justification"):
            designation_renewal_request(actor=analyst, designation=designation, reason=stale)
    with pytest.raises(ValidationError):
        designation_renewal_request(actor=analyst, designation=designation, reason="Still bad.")
    designation.refresh_from_db()
    assert designation.renewal_requested_at is None


def test_renewal_by_another_supervisor_extends_twelve_months_from_renewal(
    analyst, supervisor, second_supervisor
) -> None:
    start = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        designation = _active(analyst, supervisor)
    with time_machine.travel(start + timedelta(days=330), tick=False):
        designation_renewal_request(actor=supervisor, designation=designation, reason=FRESH)
        with pytest.raises(ApplicationError, match="another supervisor must grant"):
            designation_renew(actor=supervisor, designation=designation)
        renewed = designation_renew(actor=second_supervisor, designation=designation)

    assert renewed.renewed_by == second_supervisor
    assert renewed.expires_at == datetime(2027, 12, 11, 9, 0, tzinfo=UTC)  # 2026-12-11 + 12 months
    assert _kinds(renewed) == [
        EVENTS.PROPOSED,
        EVENTS.APPROVED,
        EVENTS.RENEWAL_REQUESTED,
        EVENTS.RENEWED,
    ]


def test_the_database_refuses_a_renewal_by_its_requester(analyst, supervisor) -> None:
    designation = _active(analyst, supervisor)
    designation_renewal_request(actor=supervisor, designation=designation, reason=FRESH)

    with (
        pytest.raises(IntegrityError, match="intel_designation_renewal_not_self"),
        transaction.atomic(),
    ):
        PriorityDesignation.objects.filter(pk=designation.pk).update(
            renewed_by=supervisor, renewed_at=timezone.now()
        )


def test_a_second_renewal_cannot_reuse_the_first_ones_words(
    analyst, supervisor, second_supervisor
) -> None:
    designation = _active(analyst, supervisor)
    designation_renewal_request(actor=analyst, designation=designation, reason=FRESH)
    designation_renew(actor=supervisor, designation=designation)

    with pytest.raises(ValidationError, match="fresh justification"):
        designation_renewal_request(actor=analyst, designation=designation, reason=FRESH)
    # The supervisor who granted the last renewal may ask for the next; another grants it.
    designation_renewal_request(
        actor=supervisor,
        designation=designation,
        reason="Charged in June with the Pier 4 shooting; trial set for the autumn.",
    )
    assert designation_renew(actor=second_supervisor, designation=designation).renewed_by == (
        second_supervisor
    )


def test_a_refused_renewal_leaves_the_expiry_and_is_recorded(analyst, supervisor) -> None:
    designation = _active(analyst, supervisor)
    expires = designation.expires_at
    designation_renewal_request(actor=analyst, designation=designation, reason=FRESH)

    refused = designation_renewal_refuse(
        actor=supervisor, designation=designation, reason="Nothing violent since the approval."
    )

    assert refused.expires_at == expires and refused.status == "active"
    assert refused.events.get(kind=EVENTS.RENEWAL_REFUSED).reason == (
        "Nothing violent since the approval."
    )
    with pytest.raises(ApplicationError, match="No renewal is awaiting"):
        designation_renew(actor=supervisor, designation=designation)


# --- challenges and removal -------------------------------------------------------------------


def test_an_upheld_challenge_removes_the_designation_with_its_reason(analyst, supervisor) -> None:
    designation = _active(analyst, supervisor)
    designation_challenge_record(
        actor=analyst,
        designation=designation,
        filed_by="Legal Aid, counsel for the person",
        grounds="Two of the three arrests were another man with the same name.",
    )
    with pytest.raises(ApplicationError, match="already awaiting a decision"):
        designation_challenge_record(
            actor=analyst, designation=designation, filed_by="x", grounds=FRESH
        )

    removed = designation_challenge_decide(
        actor=supervisor,
        designation=designation,
        upheld=True,
        reason="Confirmed: the fingerprints do not match two arrests.",
    )

    assert removed.status == "removed"
    assert removed.ended_reason == "Confirmed: the fingerprints do not match two arrests."
    challenged = removed.events.get(kind=EVENTS.CHALLENGED)
    assert challenged.filed_by == "Legal Aid, counsel for the person"
    assert challenged.reason.startswith("Two of the three arrests")
    assert _kinds(removed)[-1] == EVENTS.CHALLENGE_UPHELD


def test_a_denied_challenge_leaves_the_designation(analyst, supervisor) -> None:
    designation = _active(analyst, supervisor)
    designation_challenge_record(
        actor=analyst, designation=designation, filed_by="The person", grounds=FRESH
    )

    kept = designation_challenge_decide(
        actor=supervisor,
        designation=designation,
        upheld=False,
        reason="The arrests are his: identifiers match.",
    )

    assert kept.status == "active"
    assert _kinds(kept)[-1] == EVENTS.CHALLENGE_DENIED
    with pytest.raises(ApplicationError, match="No challenge"):
        designation_challenge_decide(
            actor=supervisor, designation=designation, upheld=True, reason=REASON
        )


def test_removal_needs_a_supervisor_and_a_reason(analyst, supervisor) -> None:
    designation = _active(analyst, supervisor)
    with pytest.raises(PermissionDenied):
        designation_remove(actor=analyst, designation=designation, reason=REASON)
    with pytest.raises(ValidationError):
        designation_remove(actor=supervisor, designation=designation, reason="")

    removed = designation_remove(
        actor=supervisor, designation=designation, reason="Moved out of state two months ago."
    )

    assert removed.status == "removed"
    assert removed.events.get(kind=EVENTS.REMOVED).reason == "Moved out of state two months ago."
    assert AuditEvent.objects.filter(action="designation.remove").count() == 1


# --- expiry -----------------------------------------------------------------------------------


def test_designations_expire_on_schedule(analyst, supervisor) -> None:
    start = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        designation = _active(analyst, supervisor)
        other = _active(analyst, supervisor)
    assert designation.expires_at == datetime(2027, 3, 31, 12, 0, tzinfo=UTC)

    with time_machine.travel(designation.expires_at - timedelta(minutes=1), tick=False):
        assert designations_expire() == 0
    designation.refresh_from_db()
    assert designation.status == "active"

    with time_machine.travel(designation.expires_at + timedelta(hours=3), tick=False):
        assert designations_expire() == 2
        assert designations_expire() == 0  # a second run changes nothing

    designation.refresh_from_db()
    other.refresh_from_db()
    assert designation.status == other.status == "expired"
    assert designation.ended_at == designation.expires_at
    event = designation.events.get(kind=EVENTS.EXPIRED)
    assert event.actor == system_actor()
    assert event.at == designation.expires_at + timedelta(hours=3)
    # Expired, the person may be proposed again.
    designation_propose(actor=analyst, person=designation.person, reason=FRESH)


def test_a_renewed_designation_does_not_expire_on_its_old_date(
    analyst, supervisor, second_supervisor
) -> None:
    start = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        designation = _active(analyst, supervisor)
    with time_machine.travel(start + timedelta(days=350), tick=False):
        designation_renewal_request(actor=analyst, designation=designation, reason=FRESH)
        designation_renew(actor=second_supervisor, designation=designation)

    with time_machine.travel(start + timedelta(days=400), tick=False):
        assert designations_expire() == 0
    designation.refresh_from_db()
    assert designation.status == "active"


def test_the_beat_entry_runs_the_expiry_task(analyst, supervisor) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["designations-expire"]
    assert entry["task"] == designations_expire_task.name
    assert entry["schedule"] == timedelta(hours=24)
    with time_machine.travel(datetime(2026, 5, 1, tzinfo=UTC), tick=False):
        designation = _active(analyst, supervisor)

    with time_machine.travel(datetime(2027, 5, 2, tzinfo=UTC), tick=False):
        assert designations_expire_task.apply().get() == 1

    designation.refresh_from_db()
    assert designation.status == "expired"
    assert AuditEvent.objects.filter(
        action="retention.run", component="designations_expire"
    ).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_entry_expires_designations_in_a_real_worker(worker, analyst, supervisor) -> None:
    """What beat sends daily, sent by the entry's task name through Redis to a worker process
    that writes as the application role."""
    import time

    from celery import current_app

    queue, proc = worker
    designation = _active(analyst, supervisor)
    PriorityDesignation.objects.filter(pk=designation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=5)
    )

    entry = settings.CELERY_BEAT_SCHEDULE["designations-expire"]
    result = current_app.send_task(entry["task"], queue=queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and designation.status != "expired":
        assert proc.poll() is None, proc.log_path.read_text()
        time.sleep(0.25)
        designation.refresh_from_db()

    assert designation.status == "expired"
    assert designation.events.get(kind=EVENTS.EXPIRED).actor == system_actor()
    assert result.id
