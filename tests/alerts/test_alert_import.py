"""``import_extract --kind arrests`` matches the arrests and queues the deliveries before it
returns: the real pipeline (reading, mapping, loading, entity resolution, matching) on a small
arrests extract (``tests/fixtures/alerts/arrests.csv``), Redis as the broker."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from alerts.models import Alert, AlertDelivery
from csu.models import AuditEvent
from intel.models import Arrest
from tests.alerts.conftest import grant, make_entry, make_list
from tests.factories.intel import CaseReferralFactory, PersonFactory, PersonIdentifierFactory

pytestmark = pytest.mark.django_db

EXTRACT = Path(__file__).parent.parent / "fixtures" / "alerts" / "arrests.csv"


def _import() -> dict:
    out = io.StringIO()
    call_command(
        "import_extract",
        str(EXTRACT),
        "--kind",
        "arrests",
        "--agency",
        "Test City Police Department",
        "--json",
        stdout=out,
        stderr=io.StringIO(),
    )
    return json.loads(out.getvalue().strip().splitlines()[-1])


def _broker():  # type: ignore[no-untyped-def]
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def _alerts_queue_length() -> int:
    return int(_broker().llen("alerts"))


@pytest.fixture
def alerts_queue_restored():  # type: ignore[no-untyped-def]
    """The messages this test queues for the (absent) sender are taken off again."""
    before = _alerts_queue_length()
    yield
    for _ in range(_alerts_queue_length() - before):
        _broker().lpop("alerts")  # the newest: kombu pushes on the left


def test_an_arrest_import_alerts_the_right_people_once_before_the_command_returns(  # type: ignore[no-untyped-def]
    prosecutor, make_user, django_capture_on_commit_callbacks, alerts_queue_restored
) -> None:
    prosecutor.email = "ada@example.org"
    prosecutor.save()
    case_ada = make_user("prosecutor", email="case.ada@example.org")
    colleague = make_user("analyst")
    gangs = make_list(prosecutor, "Gangs")
    grant(colleague, gangs, "viewer")
    places = make_list(prosecutor, "Places", priority="high")
    # Known to entity resolution by state ID, with an open case assigned to another ADA.
    devon = PersonFactory(first_name="Devon", last_name="Marsh", dob=date(1995, 3, 14))
    PersonIdentifierFactory(person=devon, value="NY1234567K")
    case = CaseReferralFactory(defendant=devon, arrest=None, status="charged", assigned_to=case_ada)
    by_id = make_entry(gangs, last_name="Marsh", first_name="Devon", state_id="NY1234567K")
    by_name = make_entry(gangs, last_name="Okafor", first_name="James", dob=date(1988, 7, 2))
    by_address = make_entry(places, kind="place", address="1200 Sutter Ave.")
    queued = _alerts_queue_length()

    with django_capture_on_commit_callbacks(execute=True):
        result = _import()

    assert result["status"] == "succeeded" and result["rows"] == 3
    marsh = Arrest.objects.get(source_id="AL-0001")
    okafor = Arrest.objects.get(source_id="AL-0002")
    assert marsh.person == devon  # resolution ran first
    # The list owner: one alert per arrest, Marsh's with both of its lists' matches.
    mine = {a.arrest_id: a for a in Alert.objects.filter(recipient=prosecutor)}
    assert set(mine) == {marsh.pk, okafor.pk}
    assert {(m["entry_id"], m["how"]) for m in mine[marsh.pk].matches} == {
        (by_id.pk, "state ID"),
        (by_address.pk, "address"),
    }
    assert mine[marsh.pk].high_priority and not mine[okafor.pk].high_priority
    (name_match,) = mine[okafor.pk].matches
    assert name_match["entry_id"] == by_name.pk and name_match["how"] == "name + DOB"
    assert name_match["score"] >= 0.9  # JIM is a nickname of JAMES
    # The viewer of Gangs only: no place match; the ADA on the open case: the case alone.
    theirs = {a.arrest_id: a for a in Alert.objects.filter(recipient=colleague)}
    assert [(m["entry_id"]) for m in theirs[marsh.pk].matches] == [by_id.pk]
    (case_alert,) = Alert.objects.filter(recipient=case_ada)
    assert case_alert.arrest == marsh and case_alert.high_priority
    assert [m["how"] for m in case_alert.matches] == [f"open case {case.case_number}"]
    assert not Alert.objects.filter(arrest__source_id="AL-0003").exists()
    # Deliveries written, e-mail only for those with an address, and the sender queued.
    assert AlertDelivery.objects.filter(alert__recipient=prosecutor, channel="email").count() == 2
    assert not AlertDelivery.objects.filter(alert__recipient=colleague, channel="email").exists()
    assert _alerts_queue_length() == queued + 1
    created = AuditEvent.objects.filter(action="alert.created").count()
    assert created == Alert.objects.count() == 5

    # The same extract again: nothing new, nothing queued.
    deliveries = AlertDelivery.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        _import()
    assert Alert.objects.count() == 5 and AlertDelivery.objects.count() == deliveries
    assert AuditEvent.objects.filter(action="alert.created").count() == created
    assert _alerts_queue_length() == queued + 1
