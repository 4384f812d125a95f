"""Retention that runs (28 CFR 23.20(h), CJIS media protection): the beat jobs exist and are
registered, each removes exactly what is due and a second run changes nothing, a removed
membership leaves the person page with its content gone, extract files and rollback snapshots
go on time, and purged content survives nowhere in the database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from csu.actors import system_actor
from csu.celery import app as celery_app
from csu.models import AuditEvent
from intel import intelligence as intel
from intel.ingest.retention import import_files_delete_expired, import_snapshots_delete_expired
from intel.ingest.services import agency_for_import, import_create, import_rollback, import_run
from intel.intelligence.challenges import challenge_decide, challenge_file
from intel.intelligence.groups import (
    group_create,
    membership_approve,
    membership_submit,
    memberships_remove_lapsed,
)
from intel.models import (
    Challenge,
    DataImport,
    GroupMembership,
    ImportChange,
    IntelRecord,
    ReviewDecision,
)
from intel.tasks import (
    import_files_delete_expired_task,
    import_snapshots_delete_expired_task,
    intel_records_purge_expired_task,
    memberships_remove_lapsed_task,
)
from tests.factories import PersonFactory
from tests.factories.intel import INTEL_PREDICATE as PREDICATE
from tests.factories.intel import approved_intel_record

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
FIVE_YEARS_AND_A_DAY = timedelta(days=5 * 366 + 1)  # past any review date set at the start
RETENTION_TASKS = [
    "intel.tasks.intel_records_purge_expired_task",
    "intel.tasks.memberships_remove_lapsed_task",
    "intel.tasks.import_files_delete_expired_task",
    "intel.tasks.import_snapshots_delete_expired_task",
]


def membership(analyst, supervisor, group, **overrides) -> GroupMembership:  # type: ignore[no-untyped-def]
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
    proposed = membership_submit(actor=analyst, **values)
    return membership_approve(actor=supervisor, membership=proposed)


# 1. The jobs are scheduled, registered and on the default queue ------------------------------


def test_every_retention_job_is_scheduled_and_registered() -> None:
    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}

    missing = [
        name for name in RETENTION_TASKS if name not in scheduled or name not in celery_app.tasks
    ]
    print(
        f"retention jobs scheduled and registered: {len(RETENTION_TASKS) - len(missing)} of "
        f"{len(RETENTION_TASKS)}"
    )
    assert missing == []
    assert all(celery_app.tasks[name].queue == "default" for name in RETENTION_TASKS)


def test_the_five_year_purge_takes_exactly_the_due_records(analyst, supervisor) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        due = [approved_intel_record(analyst, supervisor) for _ in range(3)]
        traveller.shift(timedelta(days=365))
        later = approved_intel_record(analyst, supervisor)  # approved a year later: not due yet
        revalidated = due.pop()
        intel.intel_record_revalidate(
            actor=supervisor,
            record=revalidated,
            explanation=("Re-arrested with a firearm this year; the predicate still holds."),
        )
        traveller.shift(FIVE_YEARS_AND_A_DAY - timedelta(days=365))

        first = intel.intel_records_purge_expired(actor=system_actor())
        second = intel_records_purge_expired_task()  # the beat entry point, as beat calls it

    print(f"records purged at five years and a day: {first} (due {len(due)}), second run {second}")
    assert (first, second) == (len(due), 0)
    assert set(IntelRecord.objects.filter(status="purged").values_list("pk", flat=True)) == {
        r.pk for r in due
    }
    assert IntelRecord.objects.get(pk=later.pk).narrative.startswith("Seen handing")
    assert IntelRecord.objects.get(pk=revalidated.pk).status == "approved"


def test_the_membership_review_removes_exactly_the_lapsed_ones(analyst, supervisor) -> None:
    group = group_create(actor=analyst, name="Elm Street Crew", kind="crew")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        lapsed = [membership(analyst, supervisor, group) for _ in range(2)]
        pending = membership_submit(
            actor=analyst,
            group=group,
            person=PersonFactory(),
            level="suspected",
            predicate_category="weapons",
            predicate_narrative=PREDICATE,
            source_type="officer",
            lawfully_obtained=True,
        )
        traveller.shift(timedelta(days=365))
        current = membership(analyst, supervisor, group)
        traveller.shift(FIVE_YEARS_AND_A_DAY - timedelta(days=365))

        first = memberships_remove_lapsed(actor=system_actor())
        second = memberships_remove_lapsed_task()

    print(
        f"memberships removed at five years and a day: {first} (lapsed {len(lapsed)}), "
        f"second run {second}"
    )
    assert (first, second) == (len(lapsed), 0)
    for row in GroupMembership.objects.filter(pk__in=[m.pk for m in lapsed]):
        assert row.status == "removed" and row.removal_category == "review_lapsed"
        assert row.predicate_narrative == "" and row.removed_by is None
        assert row.removed_at is not None and row.predicate_category == "weapons"
    assert GroupMembership.objects.get(pk=current.pk).status == "approved"
    assert GroupMembership.objects.get(pk=pending.pk).status == "pending"


# 2. A removed membership loses its content and leaves the person page ------------------------


def test_a_removed_membership_leaves_the_person_page_with_its_predicate(
    analyst, supervisor, prosecutor, client_for
) -> None:
    group = group_create(actor=analyst, name="Quarry Road Set", kind="set")
    person = PersonFactory(last_name="Okonkwo")
    narrative = (
        "Recruits for the set's gun sales at the Sunday church service, per two "
        "informants and the seized phone."
    )
    attestation = "The gun sales happen there; the service itself is not the basis."
    proposed = membership_submit(
        actor=analyst,
        group=group,
        person=person,
        level="associate",
        predicate_category="weapons",
        predicate_narrative=narrative,
        source_type="informant",
        lawfully_obtained=True,
    )
    membership_approve(actor=supervisor, membership=proposed, screen_attestation=attestation)
    person_url = reverse("intel:person-detail", args=[person.pk])
    group_url = reverse("intel:group-detail", args=[group.pk])
    supervisor_client = client_for(supervisor)
    assert "Quarry Road Set" in supervisor_client.get(person_url).content.decode()

    response = supervisor_client.post(
        reverse("intel:membership-remove", args=[proposed.pk]),
        {"reason": "Counsel showed he moved away in 2021; informants were describing a cousin."},
    )
    assert response.status_code == 302

    shown = 0
    for client in (supervisor_client, client_for(prosecutor)):
        page = client.get(person_url).content.decode()
        shown += "Quarry Road Set" in page or "moved away" in page or "gun sales" in page
        group_page = client.get(group_url).content.decode()
        # The supervisors' "removed" list comes last; everything before it is current.
        current = group_page.split("Removed or turned down")[0]
        shown += "OKONKWO" in current.upper() or "gun sales" in group_page
    print(f"removed memberships still on the person page or among current members: {shown}")
    assert shown == 0
    kept = GroupMembership.objects.get(pk=proposed.pk)
    assert kept.status == "removed" and kept.removed_by == supervisor
    assert kept.removal_category == "no_longer_valid" and kept.removed_at is not None
    assert kept.predicate_narrative == "" and kept.screen_attestation == ""
    # The supervisor's reason stays as the record of the decision; the predicate does not.
    assert kept.removal_reason.startswith("Counsel showed he moved away")


# 3. Extract files and rollback snapshots go when their time is up ----------------------------


def _chicago(rows: slice, path: Path) -> Path:
    frame = pd.read_csv(
        REAL / "chicago_incidents.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    frame.iloc[rows].to_csv(path, index=False)
    return path


def _import(path: Path) -> DataImport:
    with open(path, "rb") as handle:
        data_import = import_create(
            actor=system_actor(),
            source=handle,
            original_name=path.name,
            kind="incidents",
            agency=agency_for_import(name="CPD"),
        )
    return import_run(actor=system_actor(), data_import=data_import)


def test_extract_files_are_deleted_after_the_retention_days(
    analyst, client_for, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "private"
    store = settings.MEDIA_ROOT / "imports"
    with time_machine.travel(timezone.now() - timedelta(days=60), tick=False) as traveller:
        done = _import(_chicago(slice(0, 40), tmp_path / "week.csv"))
        with open(_chicago(slice(40, 50), tmp_path / "never-mapped.csv"), "rb") as handle:
            abandoned = import_create(
                actor=system_actor(),
                source=handle,
                original_name="never.csv",
                kind="incidents",
                agency=done.agency,
            )
        assert done.status == "succeeded" and len(list(store.iterdir())) == 2
        traveller.shift(timedelta(days=29))
        early = import_files_delete_expired(actor=system_actor())
        traveller.shift(timedelta(days=2))
        settings.CSU_IMPORT_FILE_RETENTION_DAYS = 45  # configurable: nothing due yet at 45
        configured = import_files_delete_expired(actor=system_actor())
        settings.CSU_IMPORT_FILE_RETENTION_DAYS = 30
        first = import_files_delete_expired(actor=system_actor())
        second = import_files_delete_expired_task()
        deleted_on = timezone.localdate()

    files_left = len(list(store.iterdir()))
    print(
        f"extract files deleted after 31 days: {first} of 2 (at 29 days {early}, with 45 "
        f"configured {configured}, second run {second}); files left in MEDIA_ROOT: "
        f"{files_left}"
    )
    assert (early, configured, first, second, files_left) == (0, 0, 2, 0, 0)
    done.refresh_from_db()
    abandoned.refresh_from_db()
    assert done.file_deleted_at is not None and abandoned.file_deleted_at is not None
    assert done.created == 40  # the summary stays
    page = client_for(analyst).get(reverse("intel:import-detail", args=[done.pk])).content.decode()
    assert f"The uploaded file was deleted on {deleted_on:%Y-%m-%d}" in page
    assert "Rows read" in page and "40" in page
    preview = client_for(analyst).get(reverse("intel:import-detail", args=[abandoned.pk]))
    assert preview.status_code == 200 and "was deleted on" in preview.content.decode()
    # The runs are the system's acts: the audit rows name the system user by foreign key.
    runs = AuditEvent.objects.filter(
        action="retention.run", component="import_files_delete_expired"
    )
    print(
        f"file retention runs audited as the system user: "
        f"{runs.filter(actor=system_actor()).count()} of {runs.count()}"
    )
    assert runs.count() == 4 and runs.exclude(actor=system_actor()).count() == 0


def test_rollback_snapshots_go_when_the_rollback_window_closes(
    analyst, client_for, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "private"
    with time_machine.travel(timezone.now() - timedelta(days=60), tick=False) as traveller:
        _import(_chicago(slice(0, 60), tmp_path / "a.csv"))
        frame_path = _chicago(slice(30, 90), tmp_path / "b.csv")
        frame = pd.read_csv(frame_path, dtype=str, keep_default_na=False)
        frame.loc[frame.index[:5], "Description"] = "RECLASSIFIED ON REVIEW"
        frame.to_csv(frame_path, index=False)
        second_import = _import(frame_path)
        snapshot = ImportChange.objects.filter(data_import=second_import).count()
        records = ImportChange.objects.filter(data_import=second_import, table="intel_incident")
        assert second_import.updated == 5 and records.count() == 5
        assert snapshot == 10  # and the offense each changed incident had
        traveller.shift(timedelta(days=29))
        early = import_snapshots_delete_expired(actor=system_actor())
        traveller.shift(timedelta(days=2))
        with pytest.raises(ValidationError, match="rollback window of 30 days closed"):
            import_rollback(actor=system_actor(), data_import=second_import)
        first = import_snapshots_delete_expired(actor=system_actor())
        second = import_snapshots_delete_expired_task()
        with pytest.raises(ValidationError, match="rollback window of 30 days closed"):
            import_rollback(actor=system_actor(), data_import=second_import)

    rows_left = ImportChange.objects.count()
    print(
        f"imports whose rollback snapshot was deleted after 31 days: {first} (at 29 days "
        f"{early}, second run {second}); snapshot rows left: {rows_left} of {snapshot}"
    )
    assert (early, first, second, rows_left) == (0, 2, 0, 0)
    second_import.refresh_from_db()
    assert second_import.status == "succeeded" and second_import.snapshot_deleted_at
    page = (
        client_for(analyst)
        .get(reverse("intel:import-detail", args=[second_import.pk]))
        .content.decode()
    )
    assert "The rollback window closed on" in page and "Roll back this import" not in page


def test_rollback_is_still_possible_inside_the_window(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "private"
    with time_machine.travel(timezone.now() - timedelta(days=60), tick=False) as traveller:
        done = _import(_chicago(slice(0, 20), tmp_path / "a.csv"))
        traveller.shift(timedelta(days=29))
        assert import_rollback(actor=system_actor(), data_import=done).status == "rolled_back"


# 4. Purged content survives nowhere -----------------------------------------------------------

MARKER = "Zqv7Marker"


def _tables_holding(marker: str) -> dict[str, int]:
    """Every text, varchar and json column of every table, scanned for the marker."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN "
            "('text', 'character varying', 'jsonb', 'json') "
            "AND table_name IN (SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')"
        )
        columns = cursor.fetchall()
        found: dict[str, int] = {}
        for table, column in columns:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" '  # noqa: S608 - catalogue names
                f'WHERE "{column}"::text ILIKE %s',
                [f"%{marker}%"],
            )
            hits = cursor.fetchone()[0]
            if hits:
                found[f"{table}.{column}"] = hits
    return found


def test_a_purge_and_a_removal_leave_no_content_anywhere_in_the_database(
    analyst, supervisor
) -> None:
    purged = approved_intel_record(
        analyst, supervisor, narrative=f"{MARKER}: hands firearms to juveniles outside 12 Elm St."
    )
    intel.intel_record_revalidate(
        actor=supervisor,
        record=purged,
        explanation=(f"Still named by the witness {MARKER} in the new statement."),
    )
    challenge_file(
        actor=analyst,
        filed_by="J. Rivera, counsel",
        received_at=timezone.localdate(),
        grounds=f"My client is not {MARKER}; he was in custody on every date.",
        intel_record=purged,
    )
    expired = approved_intel_record(
        analyst, supervisor, predicate_narrative=PREDICATE + f" {MARKER}."
    )
    group = group_create(actor=analyst, name="Elm Street Crew", kind="crew")
    member = membership(analyst, supervisor, group, predicate_narrative=PREDICATE + f" {MARKER}")
    contested = challenge_file(
        actor=analyst,
        filed_by="J. Rivera, counsel",
        received_at=timezone.localdate(),
        grounds=f"My client was never with {MARKER} or the crew.",
        membership=member,
    )
    before = _tables_holding(MARKER)
    assert len(before) >= 4, before  # the scan finds the content while it is there

    intel.intel_record_purge(
        actor=supervisor,
        record=purged,
        explanation=("No longer valid: the predicate rests on a withdrawn statement."),
    )
    challenge_decide(
        actor=supervisor,
        challenge=contested,
        outcome="upheld",
        reason="Custody records contradict every date the membership relies on.",
    )
    with time_machine.travel(timezone.now() + FIVE_YEARS_AND_A_DAY, tick=False):
        assert intel.intel_records_purge_expired(actor=system_actor()) == 1

    after = _tables_holding(MARKER)
    print(f"tables still holding purged content: {len(after)} (before the purge: {len(before)})")
    assert after == {}
    # What stays is what the unit must still be able to show: ids, dates, outcomes.
    kept = Challenge.objects.get(intel_record=purged)
    assert kept.status == "open" and kept.received_at and kept.filed_by.startswith("J. Rivera")
    decisions = list(
        ReviewDecision.objects.filter(record=purged).values_list("decision", flat=True)
    )
    assert sorted(decisions) == ["purged", "revalidated"]
    assert IntelRecord.objects.get(pk=expired.pk).status == "purged"
    assert Challenge.objects.get(pk=contested.pk).status == "upheld"
