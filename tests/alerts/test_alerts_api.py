"""``GET /api/v1/alerts/?since=``: the signed-in recipient's alerts in the documented shape."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from alerts.services.alerts import alerts_create_for_arrests
from tests.alerts.conftest import make_entry
from tests.factories.intel import ArrestFactory, CaseReferralFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type."""
    if isinstance(node, dict):
        out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
        if node.get("nullable") and "type" in node:
            out["type"] = [node["type"], "null"]
        if node.get("nullable") and "enum" in node:
            out["enum"] = [*node["enum"], None]
        return out
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    return node


def _response_schema(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    document = client.get(reverse("api-schema"), {"format": "json"}).json()
    get = document["paths"]["/api/v1/alerts/"]["get"]
    assert any(p["name"] == "since" for p in get["parameters"])
    body = get["responses"]["200"]["content"]["application/json"]["schema"]
    return _json_schema({**body, "components": document["components"]})


def test_the_recipient_lists_their_alerts_newest_first_in_the_schema_shape(  # type: ignore[no-untyped-def]
    gangs, prosecutor, make_user, client_for
) -> None:
    other = make_user("prosecutor")
    person = PersonFactory()
    entry = make_entry(gangs, person=person)
    case = CaseReferralFactory(defendant=person, status="charged", assigned_to=other)
    first = ArrestFactory(person=person, arrested_at=timezone.now() - timedelta(days=3))
    second = ArrestFactory(person=person)
    alerts_create_for_arrests(arrest_ids=[first.pk])
    Alert.objects.filter(arrest=first).update(created_at=timezone.now() - timedelta(days=2))
    alerts_create_for_arrests(arrest_ids=[second.pk])
    client = client_for(prosecutor)

    response = client.get(reverse("alert-list"))

    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, _response_schema(client))
    assert isinstance(body, list)  # the contract: a plain list, not a page
    results = body
    assert [r["arrest"]["source_id"] for r in results] == [second.source_id, first.source_id]
    newest = results[0]
    assert newest["person_id"] == person.pk and newest["acknowledged_at"] is None
    assert newest["action"] == ""
    assert newest["arrest"]["agency"] == second.source_agency.name
    assert newest["matches"] == [
        {
            "list": "Gangs/Brownsville",
            "entry_id": entry.pk,
            "type": "person",
            "reason": entry.reason,
            "how": "linked person",
            "score": 1.0,
        }
    ]
    # Out of scope: the other prosecutor's open-case alerts are never listed here...
    assert Alert.objects.filter(recipient=other).count() == 2
    assert all(
        r["id"] in set(Alert.objects.filter(recipient=prosecutor).values_list("pk", flat=True))
        for r in results
    )
    # ...and theirs show the open case, not the prosecutor's list.
    theirs = client_for(other).get(reverse("alert-list")).json()
    assert {m["how"] for r in theirs for m in r["matches"]} == {f"open case {case.case_number}"}


def test_since_filters_and_a_bad_since_is_a_400(gangs, prosecutor, client_for) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory()
    make_entry(gangs, person=person)
    old, new = ArrestFactory(person=person), ArrestFactory(person=person)
    alerts_create_for_arrests(arrest_ids=[old.pk, new.pk])
    Alert.objects.filter(arrest=old).update(created_at=timezone.now() - timedelta(days=5))
    client = client_for(prosecutor)
    since = (timezone.now() - timedelta(days=1)).isoformat()

    body = client.get(reverse("alert-list"), {"since": since}).json()

    assert [r["arrest"]["source_id"] for r in body] == [new.source_id]
    everything = client.get(reverse("alert-list")).json()
    assert len(everything) == 2

    bad = client.get(reverse("alert-list"), {"since": "last tuesday"})

    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid" and "since" in bad.json()["extra"]["fields"]


def test_the_list_read_is_audited(prosecutor, client_for) -> None:  # type: ignore[no-untyped-def]
    from csu.models import AuditEvent

    client_for(prosecutor).get(reverse("alert-list"), {"since": "2026-01-01T00:00:00Z"})

    event = AuditEvent.objects.filter(action="alert.list").latest("pk")
    assert event.actor_id == prosecutor.pk and event.outcome == "success"
