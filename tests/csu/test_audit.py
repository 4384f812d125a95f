"""The audit trail: append-only in the database (AU-9), one event per act (AU-2), exports."""

from __future__ import annotations

import csv
import io

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from csu.audit import audit_log
from csu.exports import csv_bytes
from csu.models import AuditEvent, AuditImmutable
from tests.conftest import password_step, sign_in

pytestmark = pytest.mark.django_db


def _conninfo() -> str:
    s = connection.settings_dict
    parts = [f"dbname={s['NAME']}", f"user={s['USER'] or 'postgres'}"]
    if s.get("HOST"):
        parts.append(f"host={s['HOST']}")
    if s.get("PORT"):
        parts.append(f"port={s['PORT']}")
    return " ".join(parts)


TAMPERING = [
    "UPDATE csu_auditevent SET action = 'nothing.happened'",
    "DELETE FROM csu_auditevent",
    "TRUNCATE csu_auditevent CASCADE",
    "SET session_replication_role = replica; DELETE FROM csu_auditevent",
    "SET pgtrigger.ignore = 'csu_auditevent'; UPDATE csu_auditevent SET outcome = 'success'",
]


@pytest.mark.django_db(transaction=True)
def test_no_sql_statement_can_change_or_remove_audit_rows(analyst) -> None:
    audit_log(actor=analyst, action="test.event", component="test")
    before = AuditEvent.objects.count()

    succeeded = []
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        for statement in TAMPERING:
            try:
                with conn.transaction():
                    conn.execute(statement)
                succeeded.append(statement)
            except psycopg.Error:
                pass
    print(f"tampering statements that succeeded: {len(succeeded)} of {len(TAMPERING)}")
    assert succeeded == []
    assert AuditEvent.objects.count() == before
    assert AuditEvent.objects.filter(action="nothing.happened").count() == 0


def test_the_orm_refuses_to_change_audit_rows(analyst) -> None:
    event = audit_log(actor=analyst, action="test.event", component="test")

    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditImmutable):
        event.delete()
    event.action = "changed"
    with pytest.raises(AuditImmutable):
        event.save()


def test_a_database_update_fails_even_inside_the_app_connection(analyst) -> None:
    event = audit_log(actor=analyst, action="test.event", component="test")

    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE csu_auditevent SET action = 'x' WHERE id = %s", [event.pk])


def test_each_login_failed_login_and_logout_is_one_event(analyst) -> None:
    for _ in range(3):
        client = sign_in(Client(), analyst)
        client.post(reverse("csu:logout"))
    for _ in range(2):
        password_step(Client(), analyst.username, "not the password at all")
    password_step(Client(), "nobody-by-this-name", "not the password at all")

    counts = {
        a: AuditEvent.objects.filter(action=a).count()
        for a in ("auth.login", "auth.logout", "auth.login_failed")
    }
    print(f"audit events for 3 logins, 3 logouts, 3 failures: {counts}")
    assert counts == {"auth.login": 3, "auth.logout": 3, "auth.login_failed": 3}
    failed = AuditEvent.objects.filter(action="auth.login_failed", actor__isnull=True).get()
    assert failed.actor_username == "nobody-by-this-name" and failed.outcome == "failure"


def test_events_carry_who_what_when_where_and_outcome(analyst) -> None:
    sign_in(Client(), analyst)
    password_step(Client(), analyst.username, "not the password at all")

    missing = 0
    # user.create and its enrolment code are made by a service call, outside any request.
    from_requests = AuditEvent.objects.exclude(action__startswith="user.")
    assert from_requests.count() == 2
    for event in from_requests:
        for value in (
            event.action,
            event.actor_username,
            event.occurred_at,
            event.component,
            event.ip_address,
            event.outcome,
        ):
            missing += value in (None, "")
        assert event.occurred_at.utcoffset().total_seconds() == 0
    assert missing == 0


def test_each_export_is_one_event_with_its_purpose(supervisor, client_for) -> None:
    client = client_for(supervisor)
    before = AuditEvent.objects.filter(action="export").count()

    response = client.post(reverse("csu:audit-export"), {"purpose": "Quarterly CJIS review"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    exports = AuditEvent.objects.filter(action="export")
    assert exports.count() == before + 1
    assert exports.first().purpose == "Quarterly CJIS review"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "occurred_at_utc" and any(r[1] == "auth.login" for r in rows[1:])


def test_export_without_a_purpose_exports_nothing(supervisor, client_for) -> None:
    client = client_for(supervisor)

    response = client.post(reverse("csu:audit-export"), {"purpose": ""})

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="export").count() == 0


def test_viewing_the_audit_trail_is_audited_and_limited(supervisor, prosecutor, client_for) -> None:
    assert client_for(supervisor).get(reverse("csu:audit-list")).status_code == 200
    assert AuditEvent.objects.filter(action="audit.view", actor=supervisor).count() == 1
    assert client_for(prosecutor).get(reverse("csu:audit-list")).status_code == 403


PAYLOADS = [
    "=1+2",
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    '=1+2";=1+2',
    "plain",
]


def test_csv_exports_carry_no_formula() -> None:
    body = csv_bytes(["value"], [[p] for p in PAYLOADS]).decode()

    cells = [row[0] for row in csv.reader(io.StringIO(body))][1:]
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]
    print(f"cells starting with a formula trigger: {len(dangerous)} of {len(cells)}")
    assert dangerous == []
    assert cells[-1] == "plain" and cells[0] == "'=1+2"


def test_plain_negative_numbers_stay_numbers_in_exports() -> None:
    """A fall of 71.4 % or a longitude is no formula: it stays a number a spreadsheet sorts."""
    body = csv_bytes(["value"], [["-71.4"], [-87.6], ["-3e-05"], ["-1-1"], ["-71.4 %"]]).decode()

    cells = [row[0] for row in csv.reader(io.StringIO(body))][1:]
    assert cells == ["-71.4", "-87.6", "-3e-05", "'-1-1", "'-71.4 %"]


# ------------------------------------------------- ids and metadata only; admins see no case data

NAME, DOB, IDENTIFIER = "QUIMBY", "1987-03-04", "SID-4242"


@pytest.fixture
def searched_and_viewed(prosecutor, client_for):  # type: ignore[no-untyped-def]
    """A prosecutor searched for a man by name, DOB and identifier and opened his page; one
    event written before this release still names him in ``object_repr``."""
    from tests.factories import PersonFactory

    person = PersonFactory(last_name=NAME, first_name="ZEBULON")
    client = client_for(prosecutor)
    assert (
        client.post(
            reverse("intel:person-list"),
            {"q": f"{NAME}, Zebulon", "dob": DOB, "identifier": IDENTIFIER},
        ).status_code
        == 200
    )
    assert client.get(reverse("intel:person-detail", args=[person.pk])).status_code == 200
    AuditEvent.objects.create(
        action="person.viewed",
        actor=prosecutor,
        actor_username=prosecutor.username,
        object_type="intel.person",
        object_id=str(person.pk),
        object_repr=f"{NAME}, Zebulon",
        component="legacy",
        purpose=f"bail hearing of {NAME}",
    )
    return person


def _audit_bodies(client: Client) -> dict[str, str]:
    """Everything the audit views give this user: the page, the export, the API list and one
    event read through the API."""
    page = client.get(reverse("csu:audit-list")).content.decode()
    export = client.post(reverse("csu:audit-export"), {"purpose": "Quarterly CJIS review"})
    listed = client.get(reverse("audit-event-list"), {"action": "person.searched"})
    search_event = AuditEvent.objects.get(action="person.searched")
    one = client.get(reverse("audit-event-detail", args=[search_event.pk]))
    legacy = AuditEvent.objects.get(component="legacy")
    return {
        "page": page,
        "export": export.content.decode(),
        "api list": listed.content.decode(),
        "api detail": one.content.decode(),
        "api legacy": client.get(reverse("audit-event-detail", args=[legacy.pk])).content.decode(),
    }


def test_a_search_is_recorded_with_its_terms_and_a_person_page_by_id_only(
    searched_and_viewed, prosecutor
) -> None:
    search = AuditEvent.objects.get(action="person.searched")
    view = AuditEvent.objects.exclude(component="legacy").get(action="person.viewed")

    assert (search.detail["q"], search.detail["dob"], search.detail["identifier"]) == (
        f"{NAME}, Zebulon",
        DOB,
        IDENTIFIER,
    )
    assert "results" in search.detail and search.detail["route"] == "intel:person-list"
    assert view.object_repr == f"intel.person #{searched_and_viewed.pk}"
    assert NAME not in str(view.detail).upper()
    # audit_log itself names a case-data object by type and id, a user by username.
    assert (
        audit_log(actor=prosecutor, action="test.event", obj=searched_and_viewed).object_repr
        == f"intel.person #{searched_and_viewed.pk}"
    )
    assert (
        audit_log(actor=prosecutor, action="test.event", obj=prosecutor).object_repr
        == prosecutor.username
    )


def test_an_admin_finds_no_name_dob_or_identifier_in_the_audit_trail(
    searched_and_viewed, admin_user, client_for
) -> None:
    bodies = _audit_bodies(client_for(admin_user))

    hits = [
        (where, term)
        for where, body in bodies.items()
        for term in (NAME, DOB, IDENTIFIER)
        if term.lower() in body.lower()
    ]
    print(
        f"case-data terms in an admin's audit responses: {len(hits)} of "
        f"{len(bodies) * 3} (view, term) pairs"
    )
    assert hits == []
    # What the admin does see: who, what, when, the object's type and id, the route.
    assert "person.searched" in bodies["page"] and "[redacted]" in bodies["page"]
    assert f"intel.person #{searched_and_viewed.pk}" in bodies["page"]
    assert '"route":"intel:person-list"' in bodies["api detail"]
    assert '"q":"[redacted]"' in bodies["api detail"]


def test_a_supervisor_sees_who_searched_for_a_name(
    searched_and_viewed, supervisor, client_for
) -> None:
    bodies = _audit_bodies(client_for(supervisor))

    assert all(NAME.lower() in body.lower() for body in bodies.values()), [
        where for where, body in bodies.items() if NAME.lower() not in body.lower()
    ]
    assert DOB in bodies["page"] and IDENTIFIER in bodies["export"]


def test_reading_one_audit_event_through_the_api_is_audited(supervisor, client_for) -> None:
    event = audit_log(actor=supervisor, action="test.event", component="test")
    client = client_for(supervisor)

    response = client.get(reverse("audit-event-detail", args=[event.pk]))

    assert response.status_code == 200
    read = AuditEvent.objects.get(action="audit.view", actor=supervisor)
    assert (read.object_type, read.object_id) == ("csu.auditevent", str(event.pk))
