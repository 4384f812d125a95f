"""Delivering alerts (REL6): each alert reaches each recipient once in the app and once by
e-mail, however often the task runs, whichever worker dies; digests, quiet hours, snoozes,
retries, and the dissemination log of intel-derived e-mails."""

from __future__ import annotations

import email
import os
import signal
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from alerts.models import AlertDelivery, AlertPreference, Snooze
from alerts.services.delivery import (
    ALERT_PATH,
    DELIVERY_HEADER,
    MAX_ATTEMPTS,
    alert_deliveries_send,
)
from csu.celery import app
from csu.models import AuditEvent
from intel.models import DisseminationLog
from tests.alerts import builders
from tests.alerts.mail import FailingBackend
from tests.conftest import start_worker, stop_worker

TASK = "alerts.tasks.alert_deliveries_send_task"
SENT = AlertDelivery.Status.SENT
TZ = ZoneInfo(settings.TIME_ZONE or "UTC")


def _recipients(make_user, n: int = 3) -> list:
    users = []
    for i, role in enumerate(["prosecutor", "analyst", "supervisor", "prosecutor"][:n]):
        user = make_user(role, f"recipient{i}")
        user.email = f"recipient{i}@da.example.gov"
        user.save(update_fields=["email"])
        users.append(user)
    return users


def _ten_arrests_three_recipients(make_user) -> list:
    users = _recipients(make_user)
    owner = users[0]
    gangs = builders.watch_list(owner, "Gangs", priority="high")
    east = builders.watch_list(owner, "Eastside", parent=gangs, priority="high")
    alerts = []
    for _ in range(10):
        arrest = builders.arrest()
        for user in users:
            alerts.append(builders.alert(user, [east], arrest_obj=arrest))
    return alerts


def _delivery_ids(messages) -> list[str]:  # type: ignore[no-untyped-def]
    return [i for m in messages for i in m.extra_headers[DELIVERY_HEADER].split(",")]


def test_it_sends_each_of_30_alerts_once_by_email_and_in_app_over_three_runs(make_user) -> None:
    """REL6's figure: 10 arrests x 3 recipients, the task run 3 times (a redelivery): 30 e-mails,
    30 in-app deliveries, no duplicate."""
    _ten_arrests_three_recipients(make_user)

    runs = [alert_deliveries_send() for _ in range(3)]

    assert runs == [60, 0, 0]
    assert len(mail.outbox) == 30
    ids = _delivery_ids(mail.outbox)
    assert len(ids) == len(set(ids)) == 30
    assert AlertDelivery.objects.filter(channel="in_app", status=SENT).count() == 30
    assert AlertDelivery.objects.filter(channel="email", status=SENT).count() == 30
    assert sorted({m.to[0] for m in mail.outbox}) == [
        f"recipient{i}@da.example.gov" for i in range(3)
    ]
    assert AuditEvent.objects.filter(action="alerts.delivered").count() == 60


def test_an_email_lists_the_arrest_person_lists_reasons_and_link_never_the_owner_note(
    make_user,
) -> None:
    (user,) = _recipients(make_user, 1)
    gangs = builders.watch_list(user, "Gangs")
    east = builders.watch_list(user, "Eastside", parent=gangs)
    guns = builders.watch_list(user, "Guns")
    builders.entry(east, None, last_name="X")  # its owner-only note must never travel
    alert = builders.alert(user, [east, guns])

    alert_deliveries_send()

    (message,) = mail.outbox
    body = message.body
    arrest = alert.arrest
    assert arrest.source_id in message.subject and arrest.source_agency.name in message.subject
    assert arrest.source_id in body and "PL 265.03" in body
    assert f"{alert.person.first_name} {alert.person.last_name}" in body
    assert "Gangs/Eastside: Watched on Eastside" in body and "Guns: Watched on Guns" in body
    assert "how: state ID, score 1.00" in body
    assert "note: Call ADA Rivera before arraignment" in body
    assert f"/alerts/{alert.pk}/" in body
    assert ALERT_PATH.format(pk=alert.pk) == reverse("alerts:alert-detail", args=[alert.pk])
    assert "OWNER ONLY" not in body


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def worker_env(mail_dir: Path) -> dict[str, str]:
    """The worker writes its e-mail into files the test can count after the worker is gone."""
    return {
        "CSU_TEST_EMAIL_BACKEND": "tests.alerts.mail.SlowFileBackend",
        "CSU_TEST_EMAIL_DIR": str(mail_dir),
        "CSU_TEST_EMAIL_DELAY": "0.4",
    }


def _eml_ids(mail_dir: Path) -> list[str]:
    ids = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        ids += message[DELIVERY_HEADER].split(",")
    return ids


def _wait(condition, proc, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert proc.poll() is None, proc.log_path.read_text()[-3000:]
        time.sleep(0.2)
    raise AssertionError(f"timed out; worker log:\n{proc.log_path.read_text()[-3000:]}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_once_when_the_task_is_delivered_three_times(
    make_user, worker, mail_dir
) -> None:
    _queue, proc = worker
    _ten_arrests_three_recipients(make_user)

    for _ in range(3):  # as matching queues it, by name, and a redelivery
        app.send_task(TASK, queue="alerts")
    sent = AlertDelivery.objects.filter(status=SENT)
    _wait(lambda: sent.count() == 60, proc, timeout=180)
    app.send_task(TASK, queue="alerts")
    time.sleep(2)

    ids = _eml_ids(mail_dir)
    assert len(ids) == len(set(ids)) == 30
    assert sent.filter(channel="in_app").count() == 30


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_no_alert_and_duplicates_none(
    make_user, worker, mail_dir, app_role_database_url, worker_env
) -> None:
    """kill -9 the worker (its pool process and itself) while an e-mail of the batch is being
    sent; a new worker, run by the next beat tick, sends the rest: every e-mail once."""
    _queue, proc = worker
    alerts = _ten_arrests_three_recipients(make_user)
    expected = {
        str(d) for d in AlertDelivery.objects.filter(channel="email").values_list("pk", flat=True)
    }
    assert len(alerts) == 30

    app.send_task(TASK, queue="alerts")

    def mid_send() -> bool:
        started = len(list(mail_dir.glob("started-*")))
        written = len(list(mail_dir.glob("*.eml")))
        return written >= 5 and started > written  # one e-mail in flight

    _wait(mid_send, proc)
    for pid in [*_children(proc.pid), proc.pid]:
        os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)
    written_before = len(_eml_ids(mail_dir))
    assert 5 <= written_before < 30  # killed mid-batch, not before or after
    assert AlertDelivery.objects.filter(channel="email", status=SENT).count() < 30

    second = start_worker(f"test-restart-{os.getpid()}", app_role_database_url, worker_env)
    try:
        app.send_task(TASK, queue="alerts")  # the next beat tick
        sent = AlertDelivery.objects.filter(status=SENT)
        _wait(lambda: sent.count() == 60, second, timeout=180)
    finally:
        stop_worker(second)

    ids = _eml_ids(mail_dir)
    print(f"worker killed after {written_before} of 30 e-mails; {len(ids)} e-mails in all")
    assert len(ids) == len(set(ids)) == 30
    assert set(ids) == expected


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    base = timezone.localdate() + timedelta(days=day)
    return datetime.combine(base, dtime(hour, minute), tzinfo=TZ)


def test_a_digest_user_gets_one_email_a_day_with_all_their_digest_alerts(make_user) -> None:
    user, other = _recipients(make_user, 2)
    AlertPreference.objects.create(user=user, digest_hour=7)
    wl = builders.watch_list(user, "Burglary pattern")
    day1 = [builders.alert(user, [wl], digest=True, due_at=_at(1, 7)) for _ in range(3)]
    builders.alert(other, [wl], due_at=_at(1, 7), digest=True)  # another recipient's digest

    alert_deliveries_send(now=_at(1, 6, 59))
    assert mail.outbox == []
    # In the app, the digest's alerts show at the same hour.
    assert AlertDelivery.objects.filter(status=SENT).count() == 0

    alert_deliveries_send(now=_at(1, 7))
    alert_deliveries_send(now=_at(1, 7, 1))
    day2 = [builders.alert(user, [wl], digest=True, due_at=_at(2, 7)) for _ in range(2)]
    alert_deliveries_send(now=_at(1, 18))
    alert_deliveries_send(now=_at(2, 7))

    mine = [m for m in mail.outbox if m.to == [user.email]]
    assert len(mine) == 2  # one a day
    assert "3 arrests" in mine[0].subject and "2 arrests" in mine[1].subject
    for message, alerts in ((mine[0], day1), (mine[1], day2)):
        for a in alerts:
            assert a.arrest.source_id in message.body
            assert f"/alerts/{a.pk}/" in message.body
    assert len([m for m in mail.outbox if m.to == [other.email]]) == 1


def test_quiet_hours_hold_a_delivery_until_they_end(make_user) -> None:
    (user,) = _recipients(make_user, 1)
    wl = builders.watch_list(user, "Shooters", priority="high")
    alert = builders.alert(user, [wl], due_at=_at(0, 23))
    # Quiet hours chosen after the alert was made: checked again at send time.
    AlertPreference.objects.create(user=user, quiet_from=dtime(22), quiet_until=dtime(7))

    assert alert_deliveries_send(now=_at(0, 23, 5)) == 0
    assert mail.outbox == []
    assert {d.due_at for d in alert.deliveries.all()} == {_at(1, 7)}
    assert alert_deliveries_send(now=_at(1, 6, 59)) == 0

    assert alert_deliveries_send(now=_at(1, 7)) == 2
    assert len(mail.outbox) == 1


def test_a_snoozed_list_is_quiet_until_its_date_and_alerts_again_after(make_user) -> None:
    (user,) = _recipients(make_user, 1)
    gangs = builders.watch_list(user, "Gangs", priority="high")
    east = builders.watch_list(user, "Eastside", parent=gangs, priority="high")
    Snooze.objects.create(user=user, watch_list=gangs, until=_at(3, 0))  # the parent list

    snoozed = builders.alert(user, [east], due_at=_at(1, 12))
    assert alert_deliveries_send(now=_at(1, 12)) == 0
    assert mail.outbox == []
    assert set(snoozed.deliveries.values_list("status", flat=True)) == {"skipped"}
    assert alert_deliveries_send(now=_at(4, 12)) == 0  # never sent later

    after = builders.alert(user, [east], due_at=_at(4, 12))
    assert alert_deliveries_send(now=_at(4, 12)) == 2
    (message,) = mail.outbox
    assert after.arrest.source_id in message.body


def test_a_snoozed_person_is_skipped_but_another_list_still_alerts(make_user) -> None:
    (user,) = _recipients(make_user, 1)
    wl = builders.watch_list(user, "Shooters", priority="high")
    other_list = builders.watch_list(user, "Guns", priority="high")
    person_alert = builders.alert(user, [wl])
    Snooze.objects.create(
        user=user, person=person_alert.person, until=timezone.now() + timedelta(days=2)
    )
    Snooze.objects.create(user=user, watch_list=wl, until=timezone.now() + timedelta(days=2))
    two_lists = builders.alert(user, [wl, other_list])  # one reason is not snoozed

    alert_deliveries_send()

    assert set(person_alert.deliveries.values_list("status", flat=True)) == {"skipped"}
    assert set(two_lists.deliveries.values_list("status", flat=True)) == {"sent"}


@override_settings(EMAIL_BACKEND="tests.alerts.mail.FailingBackend")
def test_a_failing_email_is_retried_with_backoff_then_failed_and_blocks_no_other(make_user) -> None:
    bounce, fine = _recipients(make_user, 2)
    FailingBackend.refused = {bounce.email}
    wl = builders.watch_list(bounce, "Shooters", priority="high")
    failing = builders.alert(bounce, [wl])
    ok = builders.alert(fine, [wl])
    now = timezone.now()

    alert_deliveries_send(now=now)

    assert [m.to for m in mail.outbox] == [[fine.email]]
    assert ok.deliveries.get(channel="email").status == SENT
    row = failing.deliveries.get(channel="email")
    assert (row.status, row.attempts) == ("pending", 1)
    assert "SMTPRecipientsRefused" in row.last_error
    assert row.due_at == now + timedelta(minutes=1)
    assert failing.deliveries.get(channel="in_app").status == SENT  # the inbox has it anyway

    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        before = row.due_at
        assert alert_deliveries_send(now=before - timedelta(seconds=1)) == 0  # not before
        alert_deliveries_send(now=before)
        row.refresh_from_db()
        waits.append(row.due_at - before)
    assert waits[:3] == [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.last_error
    assert alert_deliveries_send(now=now + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_email_off_or_no_address_skips_the_email_but_not_the_inbox(make_user) -> None:
    off, no_address = _recipients(make_user, 2)
    AlertPreference.objects.create(user=off, email=False)
    no_address.email = ""
    no_address.save(update_fields=["email"])
    wl = builders.watch_list(off, "Shooters", priority="high")
    a1, a2 = builders.alert(off, [wl]), builders.alert(no_address, [wl])

    alert_deliveries_send()

    assert mail.outbox == []
    for a in (a1, a2):
        assert a.deliveries.get(channel="in_app").status == SENT
        assert a.deliveries.get(channel="email").status == "skipped"


def test_an_email_drawn_from_an_intel_record_is_logged_as_a_dissemination(
    make_user, analyst, supervisor
) -> None:
    from tests.factories import IntelRecordFactory

    (user,) = _recipients(make_user, 1)
    record = IntelRecordFactory(submitted_by=analyst, status="approved", approved_by=supervisor)
    wl = builders.watch_list(user, "Crew", priority="high")
    from_record = builders.alert(
        user,
        [wl],
        extra_match={
            "list": "Crew",
            "list_id": wl.pk,
            "entry_id": None,
            "type": "person",
            "reason": "Subject of an approved intelligence record",
            "note": "",
            "how": "linked person",
            "score": 1.0,
            "record_id": record.pk,
        },
    )
    plain = builders.alert(user, [wl])

    alert_deliveries_send()
    alert_deliveries_send()

    assert len(mail.outbox) == 2
    (log,) = DisseminationLog.objects.all()
    assert (log.record_id, log.channel) == (record.pk, "alert")
    assert user.email in log.recipient
    assert record.narrative not in "".join(m.body for m in mail.outbox)
    assert from_record.deliveries.get(channel="email").status == SENT
    assert plain.deliveries.get(channel="email").status == SENT


def test_the_task_is_registered_on_the_alerts_queue_and_scheduled_every_minute() -> None:
    from alerts.tasks import alert_deliveries_send_task

    assert alert_deliveries_send_task.name == TASK
    entry = settings.CELERY_BEAT_SCHEDULE["alert-deliveries"]
    assert entry["task"] == TASK and entry["schedule"] == timedelta(minutes=1)
    assert entry["options"]["queue"] == "alerts"
