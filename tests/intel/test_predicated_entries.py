"""Issue 9: intelligence records and group memberships are one kind of thing (a predicated
entry) with one approval path, and what follows an import is one service every interface calls.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from csu.actors import system_actor
from csu.models import AuditEvent
from intel.ingest import services as ingest_services
from intel.ingest.services import import_create, import_follow_ups, import_run
from intel.intelligence.groups import membership_approve
from intel.intelligence.records import intel_record_approve
from intel.models import (
    Arrest,
    Challenge,
    DataImport,
    GroupMembership,
    IntelRecord,
    MatchCandidate,
    PersonLink,
)
from intel.models.predicated import PredicatedEntry
from tests.factories import (
    AgencyFactory,
    ChallengeFactory,
    DataImportFactory,
    GroupMembershipFactory,
    IntelRecordFactory,
    MatchCandidateFactory,
)

pytestmark = pytest.mark.django_db

ATTESTATION = "The crew meets at the church car park to hand over handguns."
BOOKINGS = (
    "Booking No,Arrest Date,Arrestee Name,DOB,NYSID,Sex,Charges\n"
    'B1,03/04/2024 13:05,"SMITH, JON A",03/04/1965,12345678Q,M,ROBBERY 2ND\n'
    'B2,04/02/2024 10:00,"OKAFOR, GRACE",07/01/1990,87654321K,F,ASSAULT 3RD\n'
)


def _pending(kind: str, submitter, **extra):  # type: ignore[no-untyped-def]
    if kind == "record":
        return IntelRecordFactory(submitted_by=submitter, status="pending", **extra)
    return GroupMembershipFactory(submitted_by=submitter, **extra)


def _approve(kind: str, actor, entry, attestation: str = ""):  # type: ignore[no-untyped-def]
    if kind == "record":
        return intel_record_approve(actor=actor, record=entry, screen_attestation=attestation)
    return membership_approve(actor=actor, membership=entry, screen_attestation=attestation)


# ---- one base ---------------------------------------------------------------------------------


def test_both_entries_share_one_base_and_keep_their_database_constraints() -> None:
    assert issubclass(IntelRecord, PredicatedEntry) and issubclass(GroupMembership, PredicatedEntry)
    shared = [
        "predicate_category",
        "predicate_narrative",
        "source_type",
        "lawfully_obtained",
        "screen_attestation",
        "submitted_by",
        "approved_by",
        "approved_at",
        "review_due",
    ]
    for model in (IntelRecord, GroupMembership):
        assert [model._meta.get_field(name).name for name in shared] == shared

    expected = {
        "intel_record_lawfully_obtained",
        "intel_record_approved_by_other",
        "intel_membership_lawfully_obtained",
        "intel_membership_approved_by_other",
        "intel_membership_one_current",
    }
    declared, found = set(), set()
    with connection.cursor() as cursor:
        for model in (IntelRecord, GroupMembership):
            declared |= {c.name for c in model._meta.constraints}
            # Checks and the partial unique index alike (introspection lists both).
            found |= set(connection.introspection.get_constraints(cursor, model._meta.db_table))
    found &= expected
    assert declared == expected  # the names the models declare are the ones in the database
    print(f"predicated-entry constraints present in the database: {len(found)} of {len(expected)}")
    assert found == expected


@pytest.mark.parametrize("kind", ["record", "membership"])
def test_the_database_refuses_self_approval_and_an_unlawful_source(kind, analyst) -> None:  # type: ignore[no-untyped-def]
    factory = IntelRecordFactory if kind == "record" else GroupMembershipFactory
    for bad in (
        {"status": "approved", "approved_by": analyst},  # the submitter
        {"status": "approved"},  # nobody
        {"lawfully_obtained": False},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            factory(submitted_by=analyst, **bad)


# ---- one approval path ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["record", "membership"])
def test_one_approval_path_holds_every_rule_for_both(
    kind,
    analyst,
    supervisor,  # type: ignore[no-untyped-def]
    make_user,
) -> None:
    other_supervisor = make_user("supervisor", f"second.supervisor.{kind}")
    refused = []
    # Not the submitter, even a supervisor.
    own = _pending(kind, supervisor)
    with pytest.raises(PermissionDenied):
        _approve(kind, supervisor, own)
    refused.append("own")
    # Not without the approval permission.
    with pytest.raises(PermissionDenied):
        _approve(kind, analyst, _pending(kind, other_supervisor))
    refused.append("analyst")
    # A screen hit needs the attestation.
    screened = (
        _pending(kind, analyst, screen_hits=["church"])
        if kind == "record"
        else _pending(kind, analyst, predicate_narrative=ATTESTATION + " Seen at a protest.")
    )
    with pytest.raises(ValidationError):
        _approve(kind, supervisor, screened)
    refused.append("screen")
    denied = AuditEvent.objects.filter(outcome="denied").count()

    approved = _approve(kind, supervisor, screened, ATTESTATION)
    # Only once: no longer pending.
    with pytest.raises(ValidationError):
        _approve(kind, other_supervisor, approved)
    refused.append("twice")

    print(f"{kind} approvals refused by the shared path: {len(refused)} of 4")
    assert denied == 2  # the two refused for permission are audited as denied
    stored = type(approved).objects.get(pk=approved.pk)
    assert stored.status == "approved" and stored.approved_by == supervisor
    assert stored.screen_attestation == ATTESTATION
    today = timezone.localdate()
    assert (
        today + timedelta(days=5 * 365 - 2)
        <= stored.review_due
        < today.replace(year=today.year + 5)
    )


def test_approval_still_stamps_what_each_kind_needs(analyst, supervisor) -> None:  # type: ignore[no-untyped-def]
    record = _approve("record", supervisor, _pending("record", analyst))
    _approve("membership", supervisor, _pending("membership", analyst))

    # A record's approval is its first validation; a membership's audit counts the attestation.
    assert IntelRecord.objects.get(pk=record.pk).validated_at is not None
    event = AuditEvent.objects.get(action="membership.approve", outcome="success")
    assert event.detail["attestation_chars"] == 0 and event.detail["screen_hits"] == []


# ---- one "after an import" service ------------------------------------------------------------


def _arrest_import(tmp_path) -> DataImport:  # type: ignore[no-untyped-def]
    actor = system_actor()
    data_import = import_create(
        actor=actor,
        source=io.BytesIO(BOOKINGS.encode()),
        original_name="bookings.csv",
        kind="arrests",
        agency=AgencyFactory(name="Harbor PD"),
    )
    return import_run(actor=actor, data_import=data_import)


def test_the_follow_ups_resolve_an_arrest_import_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data_import = _arrest_import(tmp_path)

    first = import_follow_ups(actor=system_actor(), data_import=data_import)
    again = import_follow_ups(actor=system_actor(), data_import=data_import)

    assert first.people is not None and first.people.arrests == 2
    assert Arrest.objects.filter(person__isnull=True).count() == 0
    assert again.people is not None and again.people.arrests == 0
    assert PersonLink.objects.count() == 2


def test_the_follow_ups_leave_other_kinds_and_failed_imports_alone() -> None:
    failed = DataImportFactory(kind="arrests")
    incidents = DataImportFactory(kind="incidents", status="succeeded")

    assert import_follow_ups(actor=system_actor(), data_import=failed).people is None
    assert import_follow_ups(actor=system_actor(), data_import=incidents).people is None


def test_the_command_and_the_worker_call_the_same_service(
    tmp_path,
    analyst,  # type: ignore[no-untyped-def]
    monkeypatch,
) -> None:
    from intel.ingest import tasks
    from intel.management.commands import import_extract
    from tests.intel.test_imports import run_cli

    calls: list[tuple[str, int]] = []
    real = ingest_services.import_follow_ups

    def spy(*, actor, data_import):  # type: ignore[no-untyped-def]
        calls.append((actor.username, data_import.pk))
        return real(actor=actor, data_import=data_import)

    monkeypatch.setattr(import_extract, "import_follow_ups", spy)
    monkeypatch.setattr(ingest_services, "import_follow_ups", spy)
    path = tmp_path / "bookings.csv"
    path.write_text(BOOKINGS)
    by_command = run_cli(path, "arrests", "Harbor PD")["import_id"]

    # The worker: the import task queues the follow-ups task, which calls the service.
    queued: list[tuple] = []
    monkeypatch.setattr(tasks.import_follow_ups_task, "delay", lambda *args: queued.append(args))
    more = BOOKINGS.replace("\nB", "\nC")  # other booking numbers: new arrests
    upload = import_create(
        actor=analyst,
        source=io.BytesIO(more.encode()),
        original_name="more.csv",
        kind="arrests",
        agency=AgencyFactory(name="Harbor PD"),
    )
    tasks.import_run_task(upload.pk, analyst.pk)
    assert queued == [(upload.pk, analyst.pk)]
    tasks.import_follow_ups_task(*queued[0])

    print(f"interfaces reaching import_follow_ups: {len({c[1] for c in calls})} of 2")
    assert calls == [("system", by_command), (analyst.username, upload.pk)]
    assert Arrest.objects.filter(person__isnull=True).count() == 0


# ---- factories --------------------------------------------------------------------------------


def test_the_factories_build_rows_the_database_accepts(analyst, supervisor) -> None:  # type: ignore[no-untyped-def]
    record = IntelRecordFactory(submitted_by=analyst, status="approved", approved_by=supervisor)
    membership = GroupMembershipFactory(
        submitted_by=analyst, status="approved", approved_by=supervisor
    )
    on_record = ChallengeFactory(intel_record=record, recorded_by=supervisor)
    on_membership = ChallengeFactory(membership=membership, recorded_by=supervisor)
    candidate = MatchCandidateFactory()
    failed = DataImportFactory()

    assert on_record.person == record.subject_person
    assert on_membership.person == membership.person
    assert Challenge.objects.filter(status="open").count() == 2
    assert candidate.arrest.person is None and MatchCandidate.objects.get().status == "open"
    assert failed.status == "failed" and DataImport.objects.count() == 1
    assert membership.group.created_by == analyst
