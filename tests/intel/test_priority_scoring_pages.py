"""The candidates page, the versions of the weights and a new version, and the priority-score
API, as their users see them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from csu.actors import system_actor
from csu.models import AuditEvent
from intel.models import Person, PriorityDesignation, PriorityScore, ScoreConfig
from intel.priority.scoring import DEFAULT_WEIGHTS, score_config_current, scores_compute
from intel.priority.tasks import SCORES_QUEUED_FLAG
from tests.factories.intel import (
    ArrestChargeFactory,
    ArrestFactory,
    GroupMembershipFactory,
    IncidentFactory,
    PersonFactory,
    ShootingFactory,
    ShootingVictimFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db


def _violent_arrest(person: Person, *, days: int = 20, **extra: Any):  # type: ignore[no-untyped-def]
    at = timezone.now() - timedelta(days=days)
    arrest = ArrestFactory(person=person, arrested_at=at, **extra)
    ArrestChargeFactory(arrest=arrest, sequence=1, category="violent")
    return arrest


@pytest.fixture
def ranked(db: None) -> dict[str, Any]:
    """Three scored people: ``top`` (two violent arrests in zone A), ``mid`` (one, whose
    incident is in zone B) and ``victim`` (a shooting victim with one drug arrest)."""
    zone_a, zone_b = ZoneFactory(), ZoneFactory()
    top, mid, victim = PersonFactory(), PersonFactory(), PersonFactory()
    _violent_arrest(top, zone=zone_a)
    _violent_arrest(top, days=200, zone=zone_a)
    _violent_arrest(mid, incident=IncidentFactory(zone=zone_b, category="property"))
    drug = ArrestFactory(person=victim, arrested_at=timezone.now() - timedelta(days=900))
    ArrestChargeFactory(arrest=drug, sequence=1, category="drug")
    ShootingVictimFactory(shooting=ShootingFactory(), person=victim)
    scores_compute(actor=system_actor())
    return {"zone_a": zone_a, "zone_b": zone_b, "top": top, "mid": mid, "victim": victim}


def _rows(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<tr data-person="')[1:]]


def test_candidates_are_ranked_with_their_factors(ranked, analyst, client_for) -> None:
    body = client_for(analyst).get(reverse("intel:candidate-list")).content.decode()

    top, mid, victim = ranked["top"], ranked["mid"], ranked["victim"]
    assert _rows(body) == [str(top.pk), str(mid.pk), str(victim.pk)]  # the victim scores 0
    assert "Violent arrests</span>: 2 × 3 = <strong>6</strong>" in body
    assert f'href="/intel/people/{top.pk}/designate/"' in body
    assert "not a basis for detention or arrest" in body
    assert "shown, not counted" in body


def test_victimisation_is_shown_apart_and_not_counted(ranked, supervisor, client_for) -> None:
    victim = ranked["victim"]
    row = PriorityScore.objects.get(person=victim)
    assert row.score == 0  # shown on the API and the person's score, never as points

    body = client_for(supervisor).get(reverse("intel:candidate-list")).content.decode()

    assert _rows(body)[-1] == str(victim.pk)
    victim_row = body.split(f'<tr data-person="{victim.pk}"')[1].split("</tr>")[0]
    assert "Shooting victim 1×: shown, not counted" in victim_row
    assert 'data-factor="shooting_victimisation"' in victim_row


def test_candidates_filter_by_zone_and_group(ranked, analyst, supervisor, client_for) -> None:
    client = client_for(analyst)
    url = reverse("intel:candidate-list")

    in_a = client.get(url, {"zone": ranked["zone_a"].pk}).content.decode()
    in_b = client.get(url, {"zone": ranked["zone_b"].pk}).content.decode()

    assert _rows(in_a) == [str(ranked["top"].pk)]
    assert _rows(in_b) == [str(ranked["mid"].pk)]  # by the zone of the arrest's incident

    approved = GroupMembershipFactory(
        person=ranked["mid"], submitted_by=analyst, status="approved", approved_by=supervisor
    )
    GroupMembershipFactory(person=ranked["top"], group=approved.group, submitted_by=analyst)

    in_group = client.get(url, {"group": approved.group.pk}).content.decode()

    assert _rows(in_group) == [str(ranked["mid"].pk)]  # the pending membership does not count


def test_candidates_show_an_open_designation(ranked, analyst, supervisor, client_for) -> None:
    PriorityDesignation.objects.create(
        person=ranked["top"],
        reason="Two violent arrests in six months, both with victims injured.",
        proposed_by=analyst,
        proposed_at=timezone.now(),
    )

    body = client_for(supervisor).get(reverse("intel:candidate-list")).content.decode()

    top_row = body.split(f'<tr data-person="{ranked["top"].pk}"')[1].split("</tr>")[0]
    assert "Proposed" in top_row and "/designate/" not in top_row


def test_the_candidates_page_costs_the_same_queries_for_any_number_of_rows(
    analyst, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(analyst)
    url = reverse("intel:candidate-list")
    _violent_arrest(PersonFactory())
    scores_compute(actor=system_actor())
    with django_assert_max_num_queries(50) as few:
        client.get(url)
    for _ in range(30):
        _violent_arrest(PersonFactory())
    scores_compute(actor=system_actor())

    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()

    assert len(_rows(body)) == 31


@pytest.mark.parametrize("role", ["prosecutor", "admin"])
def test_candidates_are_refused_to_prosecutors_and_admins(role, personas, client_for) -> None:
    assert client_for(personas[role]).get(reverse("intel:candidate-list")).status_code == 403


def test_the_versions_page_shows_who_when_and_why(supervisor, admin_user, client_for) -> None:
    score_config_current()
    body = client_for(supervisor).get(reverse("intel:score-config-list")).content.decode()

    assert 'data-version="1"' in body and "Default weights" in body
    assert "New version" not in body  # supervisors read the weights; admins set them


def test_an_admin_saves_a_new_version_and_a_recompute_is_queued(
    admin_user, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(admin_user)
    url = reverse("intel:score-config-create")
    form = client.get(url)
    assert 'name="weight_violent_arrests" value="3.0"' in form.content.decode()  # prefilled
    data = {f"weight_{k}": v for k, v in DEFAULT_WEIGHTS.items()}
    data |= {"weight_firearm": 5, "window_years": 4, "recent_months": 6, "note": "Guns weigh more"}
    cache.delete(SCORES_QUEUED_FLAG)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    config = score_config_current()
    assert (config.version, config.weights["firearm"], config.window_years) == (2, 5.0, 4)
    assert config.created_by == admin_user
    assert AuditEvent.objects.filter(action="priority.score_config_create").count() == 1
    assert cache.get(SCORES_QUEUED_FLAG) == 1
    cache.delete(SCORES_QUEUED_FLAG)


def test_a_new_version_with_victimisation_weighed_but_not_chosen_is_refused(
    admin_user, client_for
) -> None:
    data = {f"weight_{k}": v for k, v in DEFAULT_WEIGHTS.items()}
    data |= {"weight_shooting_victimisation": 2, "window_years": 5, "recent_months": 12}
    data |= {"note": "Count victims"}

    response = client_for(admin_user).post(reverse("intel:score-config-create"), data)

    assert response.status_code == 400
    assert '<p class="error">Being shot is not an offender fact' in response.content.decode()
    assert not ScoreConfig.objects.filter(version=2).exists()


@pytest.mark.parametrize("role", ["supervisor", "analyst", "prosecutor"])
def test_only_admins_may_change_the_weights(role, personas, client_for) -> None:
    data = {f"weight_{k}": v for k, v in DEFAULT_WEIGHTS.items()}
    data |= {"window_years": 5, "recent_months": 12, "note": "x"}

    response = client_for(personas[role]).post(reverse("intel:score-config-create"), data)

    assert response.status_code == 403
    assert ScoreConfig.objects.count() <= 1


# --- the API ---------------------------------------------------------------------------------


def _nullable(schema: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's ``null`` type."""
    if isinstance(schema, dict):
        out = {k: _nullable(v) for k, v in schema.items() if k != "nullable"}
        if schema.get("nullable") and "type" in out:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(schema, list):
        return [_nullable(v) for v in schema]
    return schema


def _validate(client: Any, body: Any, path: str) -> None:
    """The response against the OpenAPI schema the API publishes for ``path``."""
    doc = client.get(reverse("api-schema"), {"format": "json"}).json()
    operation = doc["paths"][path]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    resolver_doc = _nullable({**schema, "components": doc["components"]})
    jsonschema.validate(body, resolver_doc)


def test_the_api_gives_the_score_with_sourced_records(ranked, prosecutor, client_for) -> None:
    client = client_for(prosecutor)
    top = ranked["top"]

    response = client.get(reverse("person-priority-score", args=[top.pk]))

    assert response.status_code == 200
    body = response.json()
    _validate(client, body, "/api/v1/people/{id}/priority-score/")
    assert body["version"] == 1
    assert body["score"] == pytest.approx(sum(f["contribution"] for f in body["factors"]))
    violent = next(f for f in body["factors"] if f["name"] == "violent_arrests")
    assert (violent["value"], violent["weight"], violent["contribution"]) == (2, 3.0, 6.0)
    arrest_ids = set(top.arrests.values_list("pk", flat=True))
    assert {r["id"] for r in violent["records"]} == arrest_ids
    record = violent["records"][0]
    assert record["agency"] == "TCPD" and record["source_id"].startswith("A")
    assert record["at"]
    assert AuditEvent.objects.filter(action="priority.score_viewed", object_id=str(top.pk)).exists()


def test_the_api_gives_zeros_to_a_person_without_a_score(prosecutor, client_for) -> None:
    person = PersonFactory()

    body = client_for(prosecutor).get(reverse("person-priority-score", args=[person.pk])).json()

    assert body["score"] == 0 and body["computed_at"] is None
    assert all(f["value"] == 0 and f["records"] == [] for f in body["factors"])
    assert len(body["factors"]) == len(DEFAULT_WEIGHTS)


def test_the_api_answers_a_merged_id_with_the_survivor(ranked, analyst, client_for) -> None:
    merged = PersonFactory()
    Person.objects.filter(pk=merged.pk).update(merged_into=ranked["top"])

    body = client_for(analyst).get(reverse("person-priority-score", args=[merged.pk])).json()

    assert body["person"] == ranked["top"].pk and body["score"] > 0


def test_the_api_refuses_what_is_missing_or_not_the_callers(
    ranked, analyst, admin_user, client_for
) -> None:
    url = reverse("person-priority-score", args=[ranked["top"].pk])
    missing = reverse("person-priority-score", args=[999999])

    assert client_for(analyst).get(missing).status_code == 404
    assert client_for(admin_user).get(url).status_code == 403  # policy role, no case data


def test_candidates_say_when_the_version_in_force_has_no_scores_yet(
    ranked, admin_user, analyst, client_for
) -> None:
    from intel.priority.scoring import score_config_create

    score_config_create(
        actor=admin_user,
        weights=dict(DEFAULT_WEIGHTS),
        window_years=3,
        recent_months=12,
        count_victimisation=False,
        note="Shorter window",
    )

    body = client_for(analyst).get(reverse("intel:candidate-list")).content.decode()

    assert _rows(body) == []  # version 1's scores are kept, not shown as version 2's
    assert "No person has a score under version 2 yet" in body
