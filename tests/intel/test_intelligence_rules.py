"""28 CFR Part 23 rules R5, R6, R8, R10 and R11 at the service level: whatever the caller tries."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from guardian.shortcuts import assign_perm

from csu.models import AuditEvent
from intel import intelligence as intel
from intel.models import Agency, DisseminationLog, IntelIdentifier, IntelRecord, ReviewDecision
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PREDICATE = (
    "Subject was arrested twice this year with a loaded handgun and is named by two "
    "witnesses in the March shooting on Elm Street."
)
AGREED = date(2024, 1, 15)


@pytest.fixture
def agency() -> Agency:
    return Agency.objects.create(name="Harbor County PD", agreement_signed_at=AGREED)


@pytest.fixture
def partner() -> Agency:
    return Agency.objects.create(name="State Police Intelligence Unit", agreement_signed_at=AGREED)


def make(
    analyst,
    agency,
    *,
    status: str = "approved",
    supervisor=None,  # type: ignore[no-untyped-def]
    **overrides,
):
    values = {
        "subject_kind": "person",
        "subject_person": PersonFactory(),
        "narrative": "Seen handing a firearm to a juvenile outside 12 Elm St on 3 March.",
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
    record = intel.intel_record_create(actor=analyst, **values)
    if status in ("pending", "approved"):
        intel.intel_record_submit(actor=analyst, record=record)
    if status == "approved":
        record = intel.intel_record_approve(actor=supervisor, record=record)
    return record


def share(actor, record, agency, **extra):  # type: ignore[no-untyped-def]
    return intel.intel_record_disseminate(
        actor=actor,
        record=record,
        recipient="Det. Cruz",
        recipient_agency=agency,
        reason="Joint shooting review team.",
        **extra,
    )


# R6 ----------------------------------------------------------------------------------------


def test_r6_only_law_enforcement_with_an_agreement_receives_intelligence(
    analyst, supervisor, agency, partner
) -> None:  # type: ignore[no-untyped-def]
    record = make(analyst, agency, supervisor=supervisor)
    refused = [
        Agency.objects.create(
            name=f"School district {i}", is_law_enforcement=False, agreement_signed_at=AGREED
        )
        for i in range(5)
    ]
    refused += [
        Agency.objects.create(name=f"Housing authority {i}", is_law_enforcement=False)
        for i in range(5)
    ]
    refused += [Agency.objects.create(name=f"County PD {i}") for i in range(10)]  # no agreement
    accepted = 0
    for i, recipient_agency in enumerate(refused):
        try:
            if i % 2:
                share(supervisor, record, recipient_agency)
            else:
                intel.intel_record_export(
                    actor=analyst,
                    text="",
                    recipient="Det. Cruz",
                    recipient_agency=recipient_agency,
                    reason="Joint shooting review team.",
                )
            accepted += 1
        except ValidationError as exc:
            assert "recipient_agency" in exc.message_dict
            assert "agreement on file" in exc.message_dict["recipient_agency"][0]

    print(f"R6: {len(refused)} attempts to non-LE or no-agreement recipients: {accepted} accepted")
    assert (len(refused), accepted) == (20, 0)
    assert DisseminationLog.objects.count() == 0
    share(supervisor, record, partner)
    assert DisseminationLog.objects.count() == 1


def test_r6_an_emergency_disclosure_is_logged_and_tells_every_supervisor_once(
    analyst,
    supervisor,
    make_user,
    agency,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    supervisor.email = "sam@csu.example"
    supervisor.save()
    make_user("supervisor", email="sue@csu.example")
    retired = make_user("supervisor")
    retired.email, retired.is_active = "retired@csu.example", False
    retired.save()
    school = Agency.objects.create(name="Harbor Schools", is_law_enforcement=False)
    record = make(analyst, agency, supervisor=supervisor)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match="imminent danger"),
    ):
        share(analyst, record, school, emergency=True, emergency_justification="urgent")
    assert (DisseminationLog.objects.count(), len(mail.outbox)) == (0, 0)

    disclosures = 3
    for n in range(disclosures):
        with django_capture_on_commit_callbacks(execute=True):
            share(
                analyst,
                record,
                school,
                emergency=True,
                emergency_justification=(
                    f"Threat {n}: subject said he will shoot at the school dismissal today."
                ),
            )

    rows = DisseminationLog.objects.order_by("id")
    print(
        f"R6 emergency: {disclosures} disclosures → {rows.count()} log rows, "
        f"{len(mail.outbox)} notifications (1 log row + 1 notification per disclosure)"
    )
    assert rows.count() == len(mail.outbox) == disclosures
    assert all(r.emergency and r.emergency_justification.startswith("Threat") for r in rows)
    assert sorted(mail.outbox[0].to) == ["sam@csu.example", "sue@csu.example"]
    assert f"/intel/records/{record.pk}/" in mail.outbox[0].body
    assert record.narrative not in mail.outbox[0].body  # the e-mail names, it does not tell


def test_r6_no_email_leaves_before_the_disclosure_commits(
    analyst,
    supervisor,
    agency,
) -> None:  # type: ignore[no-untyped-def]
    supervisor.email = "sam@csu.example"
    supervisor.save()
    school = Agency.objects.create(name="Harbor Schools", is_law_enforcement=False)
    record = make(analyst, agency, supervisor=supervisor)

    share(
        analyst,
        record,
        school,
        emergency=True,
        emergency_justification="Subject said he will shoot at the school dismissal today.",
    )

    assert len(mail.outbox) == 0  # the test's transaction never commits: nothing was sent


# R7 / R8: export ---------------------------------------------------------------------------


def test_r8_every_exported_row_carries_the_four_labels_and_only_approved_records(
    analyst, supervisor, agency, partner
) -> None:  # type: ignore[no-untyped-def]
    approved = [make(analyst, agency, supervisor=supervisor) for _ in range(6)]
    approved.append(
        make(
            analyst,
            agency,
            supervisor=supervisor,
            narrative='=HYPERLINK("http://x") handed a firearm to a juvenile',
        )
    )
    drafts = [make(analyst, agency, status=s) for s in ("draft", "pending") * 5]

    body = intel.intel_record_export(
        actor=supervisor,
        text="firearm",
        recipient="Det. Cruz",
        recipient_agency=partner,
        reason="Joint shooting review.",
    )

    rows = list(csv.DictReader(io.StringIO(body.decode())))
    labelled = [r for r in rows if all(r[name].strip() for name in intel.LABEL_NAMES)]
    print(
        f"R8 exports: {len(labelled)}/{len(rows)} rows carry 4 labels "
        f"({100 * len(labelled) // len(rows)}%); drafts in export: "
        f"{len({int(r['record_id']) for r in rows} & {d.pk for d in drafts})}"
    )
    assert len(rows) == len(labelled) == len(approved)
    assert {int(r["record_id"]) for r in rows} == {r.pk for r in approved}
    assert rows[0]["control_official"].startswith("Supervisor Tester")
    assert rows[0]["confidence"].startswith("B2: source usually reliable")
    assert all(r["handling"] == intel.CAVEAT for r in rows)
    assert any(r["narrative"].startswith("'=HYPERLINK") for r in rows)  # formula-safe
    logs = DisseminationLog.objects.filter(channel="export")
    assert logs.count() == len(approved)
    assert set(logs.values_list("record_id", flat=True)) == {r.pk for r in approved}
    event = AuditEvent.objects.get(action="export")
    assert event.detail["export"] == "intel_records" and event.detail["rows"] == len(approved)


def test_an_export_that_fails_leaves_no_log_row(
    analyst,
    supervisor,
    agency,
    partner,
) -> None:  # type: ignore[no-untyped-def]
    make(analyst, agency, supervisor=supervisor)
    with pytest.raises(ValidationError):
        intel.intel_record_export(
            actor=supervisor,
            text="nothing-matches-this",
            recipient="X",
            recipient_agency=partner,
            reason="Joint shooting review.",
        )
    with pytest.raises(PermissionDenied):
        intel.intel_record_export(
            actor=PersonaLess(),
            text="",
            recipient="X",
            recipient_agency=partner,
            reason="Joint shooting review.",
        )
    assert DisseminationLog.objects.count() == 0


class PersonaLess:
    """An actor with no permission at all (a prosecutor's role cannot share either)."""

    pk = None

    def has_perm(self, perm: str) -> bool:
        return False


def test_prosecutors_read_but_do_not_share(
    analyst,
    supervisor,
    prosecutor,
    agency,
    partner,
) -> None:  # type: ignore[no-untyped-def]
    record = make(analyst, agency, supervisor=supervisor)
    assert list(intel.intel_record_search(actor=prosecutor)) == [record]
    with pytest.raises(PermissionDenied):
        share(prosecutor, record, partner)


# R5 ----------------------------------------------------------------------------------------


def test_r5_a_restricted_record_is_seen_only_by_its_submitter_and_named_readers(
    analyst, supervisor, prosecutor, make_user, agency
) -> None:  # type: ignore[no-untyped-def]
    record = make(analyst, agency, supervisor=supervisor, sensitivity="restricted")
    open_record = make(analyst, agency, supervisor=supervisor)
    other_analyst, other_supervisor = make_user("analyst"), make_user("supervisor")

    def sees(user) -> bool:  # type: ignore[no-untyped-def]
        return IntelRecord.objects.visible_to(user).filter(pk=record.pk).exists()

    assert sees(analyst)  # the submitter
    hidden = [u for u in (supervisor, prosecutor, other_analyst, other_supervisor) if not sees(u)]
    assert len(hidden) == 4
    assert record not in intel.intel_record_search(actor=prosecutor)
    assert open_record in intel.intel_record_search(actor=prosecutor)

    intel.intel_record_grant(actor=analyst, record=record, user=supervisor)  # the originator
    intel.intel_record_grant(actor=supervisor, record=record, user=prosecutor)
    assert sees(supervisor) and sees(prosecutor) and not sees(other_analyst)
    with pytest.raises(PermissionDenied):  # a supervisor who cannot see it cannot grant it
        intel.intel_record_grant(actor=other_supervisor, record=record, user=other_analyst)
    with pytest.raises(PermissionDenied):  # a reader is not a granter
        intel.intel_record_grant(actor=prosecutor, record=record, user=other_analyst)

    team = AuthGroup.objects.create(name="Shooting review team")
    other_analyst.groups.add(team)
    assign_perm("view_intelrecord", team, record)
    assert sees(type(other_analyst).objects.get(pk=other_analyst.pk))

    intel.intel_record_revoke(actor=supervisor, record=record, user=prosecutor)
    prosecutor = type(prosecutor).objects.get(pk=prosecutor.pk)
    assert not sees(prosecutor)
    assert AuditEvent.objects.filter(action="intel.grant").count() == 2
    assert AuditEvent.objects.filter(action="intel.revoke").count() == 1


def test_r5_a_grant_to_someone_who_cannot_read_intelligence_is_refused(
    analyst, supervisor, admin_user, agency
) -> None:  # type: ignore[no-untyped-def]
    record = make(analyst, agency, supervisor=supervisor, sensitivity="restricted")
    with pytest.raises(ValidationError, match="cannot read intelligence"):
        intel.intel_record_grant(actor=analyst, record=record, user=admin_user)
    assert not IntelRecord.objects.visible_to(admin_user).exists()
    open_record = make(analyst, agency, supervisor=supervisor)
    with pytest.raises(ValidationError, match="Only restricted records"):
        intel.intel_record_grant(actor=analyst, record=open_record, user=supervisor)


# R10 ---------------------------------------------------------------------------------------


def test_r10_an_identifier_can_never_become_a_subject(
    analyst,
    supervisor,
    agency,
) -> None:  # type: ignore[no-untyped-def]
    subject = PersonFactory(first_name="Marcus", last_name="Hill")
    owner = PersonFactory()
    record = make(analyst, agency, status="draft", subject_person=subject)
    group_record = make(
        analyst,
        agency,
        status="draft",
        subject_kind="group",
        subject_person=None,
        subject_name="Elm Street Crew",
    )

    attempts = {
        "the subject as identifier": lambda: intel.intel_identifier_add(
            actor=analyst, record=record, name="M. Hill", relationship="brother", person=subject
        ),
        "the subject's name": lambda: intel.intel_identifier_add(
            actor=analyst, record=record, name="Marcus Hill", relationship="himself"
        ),
        "the group's name": lambda: intel.intel_identifier_add(
            actor=analyst, record=group_record, name="elm street crew", relationship="itself"
        ),
        "an identifier with a predicate": lambda: IntelIdentifier.objects.create(
            record=record, name="A. Ruiz", relationship="owner", predicate_category="weapons"
        ),
        "the subject among new identifiers": lambda: make(
            analyst,
            agency,
            subject_person=subject,
            identifiers=[intel.IdentifierInput(name="Marcus", relationship="x", person=subject)],
        ),
        "an identifier by someone else": lambda: intel.intel_identifier_add(
            actor=supervisor, record=record, name="A. Ruiz", relationship="registered owner"
        ),
    }
    accepted = 0
    for attempt in attempts.values():
        try:
            attempt()
            accepted += 1
        except (ValidationError, PermissionDenied, TypeError):
            pass
    print(
        f"R10: {len(attempts)} attempts to make an identifier a subject or give it a "
        f"predicate: {accepted} accepted"
    )
    assert accepted == 0
    assert IntelIdentifier.objects.count() == 0
    assert not {f.name for f in IntelIdentifier._meta.get_fields()} & {
        "predicate_category",
        "predicate_narrative",
        "subject_kind",
        "status",
    }

    found = intel.intel_identifier_add(
        actor=analyst,
        record=record,
        name="Ana Ruiz",
        relationship="registered owner of the car",
        person=owner,
    )
    assert found.person == owner and str(found).endswith("(non-criminal identifier)")
    assert IntelRecord.objects.filter(subject_person=owner).count() == 0


def test_r10_identifiers_go_with_the_purged_content(
    analyst,
    supervisor,
    agency,
) -> None:  # type: ignore[no-untyped-def]
    record = make(
        analyst,
        agency,
        supervisor=supervisor,
        identifiers=[
            intel.IdentifierInput(name="Ana Ruiz", relationship="registered owner of the car")
        ],
    )
    assert record.identifiers.count() == 1

    intel.intel_record_purge(
        actor=supervisor,
        record=record,
        explanation=("Predicate no longer holds after the review of the case file."),
    )

    record.refresh_from_db()
    assert record.status == "purged" and record.narrative == ""
    assert IntelIdentifier.objects.count() == 0
    decision = ReviewDecision.objects.get(record=record)
    assert decision.decision == "purged" and decision.explanation.startswith("Predicate no")


# R11 ---------------------------------------------------------------------------------------


def test_r11_the_report_has_one_row_per_approved_record_with_predicate_and_approver(
    analyst, supervisor, agency, partner, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    approved = [make(analyst, agency, supervisor=supervisor) for _ in range(5)]
    approved.append(make(analyst, agency, supervisor=supervisor, sensitivity="restricted"))
    for status in ("draft", "pending", "pending"):
        make(analyst, agency, status=status)
    purged = make(analyst, agency, supervisor=supervisor)
    intel.intel_record_purge(actor=supervisor, record=purged, explanation="x" * 25)
    for record in (approved[0], approved[0], approved[1]):
        share(supervisor, record, partner)

    out = io.StringIO()
    call_command("intel_report", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    call_command("intel_report", "--output", str(tmp_path / "r.csv"), stderr=io.StringIO())

    approved_count = IntelRecord.objects.filter(status="approved").count()
    print(
        f"R11: report rows {len(rows)} == approved records {approved_count}; rows without "
        f"predicate or approver: "
        f"{sum(1 for r in rows if not r['predicate_narrative'] or not r['approved_by'])}"
    )
    assert len(rows) == approved_count == 6
    assert all(
        r["predicate_category"] and r["predicate_narrative"] and r["approved_by"] for r in rows
    )
    by_id = {int(r["record_id"]): r for r in rows}
    assert by_id[approved[0].pk]["disseminations"] == "2"
    assert by_id[approved[0].pk]["recipients"] == (
        "Det. Cruz (State Police Intelligence Unit); Det. Cruz (State Police Intelligence Unit)"
    )
    assert by_id[approved[2].pk]["disseminations"] == "0"
    assert (tmp_path / "r.csv").read_text().count("\n") == len(rows) + 1
    assert AuditEvent.objects.filter(action="export", component="intel_report").count() == 2
