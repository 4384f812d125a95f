"""The transparent candidate score: its factors and their records, versions of the weights,
victimisation shown apart, windows, merged people, and when scores are computed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from csu.actors import system_actor
from intel.models import Person, PriorityScore, ScoreConfig, SupervisionStatus
from intel.models.priority import SCORE_FACTORS
from intel.priority.scoring import (
    DEFAULT_WEIGHTS,
    score_config_create,
    score_config_current,
    scores_compute,
)
from intel.priority.tasks import SCORES_QUEUED_FLAG
from intel.signals import records_changed
from tests.factories.intel import (
    ArrestChargeFactory,
    ArrestFactory,
    CaseReferralFactory,
    IncidentFactory,
    PersonFactory,
    ShootingFactory,
    ShootingVictimFactory,
)

pytestmark = pytest.mark.django_db


def _days_ago(days: int) -> Any:
    return timezone.now() - timedelta(days=days)


def _factors(person: Person, config: ScoreConfig | None = None) -> dict[str, dict[str, Any]]:
    row = PriorityScore.objects.get(person=person, config=config or score_config_current())
    assert [f["name"] for f in row.factors] == list(SCORE_FACTORS)
    return {f["name"]: f for f in row.factors}


def _records(factor: dict[str, Any]) -> set[tuple[str, int]]:
    return {(r["type"], r["id"]) for r in factor["records"]}


def _arrest(person: Person, *, days: int, category: str = "other", incident=None):  # type: ignore[no-untyped-def]
    arrest = ArrestFactory(person=person, arrested_at=_days_ago(days), incident=incident)
    ArrestChargeFactory(arrest=arrest, sequence=1, category=category)
    return arrest


def _supervision(person: Person, *, starts: date, ends: date | None) -> SupervisionStatus:
    return SupervisionStatus.objects.create(
        person=person,
        kind=SupervisionStatus.Kind.PROBATION,
        agency="County Probation",
        reference="P-1",
        starts_on=starts,
        ends_on=ends,
        entered_by=system_actor(),
    )


@pytest.fixture
def record_history(db: None) -> dict[str, Any]:
    """One person with qualifying and non-qualifying records of every kind, and another
    person whose records must never count for the first."""
    person = PersonFactory()
    other = PersonFactory()
    today = timezone.localdate()
    violent_incident = IncidentFactory(category="violent", firearm=True, occurred_at=_days_ago(40))
    property_incident = IncidentFactory(category="property", occurred_at=_days_ago(300))
    violent = _arrest(person, days=40, category="violent", incident=violent_incident)
    ArrestChargeFactory(arrest=violent, sequence=2, category="weapons")
    weapons = _arrest(person, days=300, category="weapons", incident=property_incident)
    drug = _arrest(person, days=10, category="drug")
    old_violent = _arrest(
        person,
        days=365 * 6,
        category="violent",
        incident=IncidentFactory(category="violent", firearm=True, occurred_at=_days_ago(365 * 6)),
    )
    open_case = CaseReferralFactory(arrest=violent, defendant=person, status="charged")
    closed_case = CaseReferralFactory(arrest=weapons, defendant=person, status="dismissed")
    current = _supervision(person, starts=today - timedelta(days=30), ends=None)
    _supervision(person, starts=today - timedelta(days=900), ends=today - timedelta(days=400))
    shot = ShootingFactory(occurred_at=_days_ago(100))
    ShootingVictimFactory(shooting=shot, person=person)
    ShootingFactory(occurred_at=_days_ago(365 * 7), victim=person)  # outside the window
    # the other person's violent arrest and shooting
    _arrest(other, days=5, category="violent")
    ShootingFactory(occurred_at=_days_ago(3), victim=other)
    return {
        "person": person,
        "other": other,
        "violent": violent,
        "weapons": weapons,
        "drug": drug,
        "old_violent": old_violent,
        "violent_incident": violent_incident,
        "open_case": open_case,
        "closed_case": closed_case,
        "current_term": current,
        "shooting": shot,
    }


def test_each_factor_lists_exactly_the_persons_qualifying_records(record_history) -> None:
    h = record_history

    scores_compute(actor=system_actor())

    f = _factors(h["person"])
    assert _records(f["violent_arrests"]) == {("arrest", h["violent"].pk)}
    assert _records(f["violent_incidents"]) == {("incident", h["violent_incident"].pk)}
    assert _records(f["firearm"]) == {
        ("arrest", h["violent"].pk),
        ("arrest", h["weapons"].pk),
        ("incident", h["violent_incident"].pk),
    }
    assert _records(f["recent_arrest"]) == {("arrest", h["drug"].pk)}
    assert _records(f["open_cases"]) == {("case", h["open_case"].pk)}
    assert _records(f["supervision"]) == {("supervision", h["current_term"].pk)}
    assert _records(f["shooting_victimisation"]) == {("shooting", h["shooting"].pk)}
    values = {name: f[name]["value"] for name in SCORE_FACTORS}
    assert values == {
        "violent_arrests": 1,
        "violent_incidents": 1,
        "firearm": 3,
        "recent_arrest": 1,
        "open_cases": 1,
        "supervision": 1,
        "shooting_victimisation": 1,
    }


def test_the_factors_sum_to_the_score(record_history) -> None:
    scores_compute(actor=system_actor())

    for row in PriorityScore.objects.all():
        assert row.score == pytest.approx(sum(f["contribution"] for f in row.factors))
        for f in row.factors:
            if f["name"] != "shooting_victimisation":
                assert f["contribution"] == pytest.approx(f["value"] * f["weight"])
    person_row = PriorityScore.objects.get(person=record_history["person"])
    w = DEFAULT_WEIGHTS
    expected = (
        w["violent_arrests"]
        + w["violent_incidents"]
        + 3 * w["firearm"]
        + w["recent_arrest"]
        + w["open_cases"]
        + w["supervision"]
    )
    assert person_row.score == pytest.approx(expected)


def test_victimisation_is_shown_but_counts_only_when_the_office_opts_in(
    record_history, admin_user
) -> None:
    person = record_history["person"]
    scores_compute(actor=system_actor())
    before = PriorityScore.objects.get(person=person)
    victim = _factors(person)["shooting_victimisation"]
    assert victim["value"] == 1 and victim["contribution"] == 0

    weights = {**DEFAULT_WEIGHTS, "shooting_victimisation": 4.0}
    with pytest.raises(ValidationError) as refused:
        score_config_create(
            actor=admin_user,
            weights=weights,
            window_years=5,
            recent_months=12,
            count_victimisation=False,
            note="Count being shot",
        )
    assert "explicitly chooses" in str(refused.value)

    config = score_config_create(
        actor=admin_user,
        weights=weights,
        window_years=5,
        recent_months=12,
        count_victimisation=True,
        note="The office chose to count victimisation",
    )
    scores_compute(actor=system_actor())

    after = PriorityScore.objects.get(person=person, config=config)
    assert _factors(person, config)["shooting_victimisation"]["contribution"] == 4.0
    assert after.score == pytest.approx(before.score + 4.0)


def test_a_new_weight_makes_a_new_version_and_keeps_the_old_scores(
    record_history, admin_user
) -> None:
    person = record_history["person"]
    scores_compute(actor=system_actor())
    first = score_config_current()
    old = PriorityScore.objects.get(person=person, config=first)

    second = score_config_create(
        actor=admin_user,
        weights={**DEFAULT_WEIGHTS, "violent_arrests": 10.0},
        window_years=5,
        recent_months=12,
        count_victimisation=False,
        note="Violence weighs more",
    )
    scores_compute(actor=system_actor())

    assert (first.version, second.version) == (1, 2)
    assert score_config_current() == second
    kept = PriorityScore.objects.get(person=person, config=first)
    assert (kept.score, kept.factors, kept.computed_at) == (old.score, old.factors, old.computed_at)
    new = PriorityScore.objects.get(person=person, config=second)
    assert new.score == pytest.approx(old.score + 7.0)
    ScoreConfig.objects.get(version=1)  # never edited or removed
    assert ScoreConfig.objects.get(version=1).weights == DEFAULT_WEIGHTS


def test_score_config_create_is_refused_to_non_admins_and_validated(
    supervisor, analyst, admin_user
) -> None:
    good = {
        "weights": dict(DEFAULT_WEIGHTS),
        "window_years": 5,
        "recent_months": 12,
        "count_victimisation": False,
        "note": "A change",
    }
    for user in (supervisor, analyst):
        with pytest.raises(PermissionDenied):
            score_config_create(actor=user, **good)
    with pytest.raises(ValidationError) as bad:
        score_config_create(
            actor=admin_user,
            **{
                **good,
                "weights": {"violent_arrests": -1},
                "note": " ",
            },
        )
    errors = bad.value.message_dict
    assert "violent_arrests" in errors and "firearm" in errors and "note" in errors
    assert ScoreConfig.objects.filter(version__gt=1).count() == 0


def test_the_window_and_recency_are_honoured(admin_user) -> None:
    person = PersonFactory()
    two_years = _arrest(person, days=2 * 365 + 20, category="violent")
    _arrest(person, days=4 * 365, category="violent")
    scores_compute(actor=system_actor())
    f = _factors(person)
    assert f["violent_arrests"]["value"] == 2
    assert f["recent_arrest"]["value"] == 0  # latest is two years old

    config = score_config_create(
        actor=admin_user,
        weights=dict(DEFAULT_WEIGHTS),
        window_years=3,
        recent_months=36,
        count_victimisation=False,
        note="Shorter window, longer recency",
    )
    scores_compute(actor=system_actor())

    f = _factors(person, config)
    assert _records(f["violent_arrests"]) == {("arrest", two_years.pk)}
    assert _records(f["recent_arrest"]) == {("arrest", two_years.pk)}


def test_the_window_moves_with_time(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    person = PersonFactory()
    _arrest(person, days=30, category="violent")
    scores_compute(actor=system_actor())
    assert _factors(person)["recent_arrest"]["value"] == 1

    time_machine.shift(timedelta(days=365))
    scores_compute(actor=system_actor())

    f = _factors(person)
    assert f["recent_arrest"]["value"] == 0 and f["violent_arrests"]["value"] == 1

    time_machine.shift(timedelta(days=5 * 365))
    scores_compute(actor=system_actor())

    assert not PriorityScore.objects.filter(person=person).exists()  # every factor zero now


def test_merged_people_are_not_scored(record_history) -> None:
    other = record_history["other"]
    scores_compute(actor=system_actor())
    assert PriorityScore.objects.filter(person=other).exists()

    Person.objects.filter(pk=other.pk).update(merged_into=record_history["person"])
    scores_compute(actor=system_actor())

    assert not PriorityScore.objects.filter(person=other).exists()


def test_a_scoped_run_touches_only_the_people_named(record_history) -> None:
    person, other = record_history["person"], record_history["other"]

    assert scores_compute(actor=system_actor(), person_ids=[other.pk]) == 1

    assert PriorityScore.objects.filter(person=other).exists()
    assert not PriorityScore.objects.filter(person=person).exists()
    _factors(other)  # every factor present
    assert _factors(other)["violent_arrests"]["value"] == 1


def test_a_person_whose_factors_fall_to_zero_loses_the_row(db: None) -> None:
    person = PersonFactory()
    arrest = _arrest(person, days=3, category="violent")
    scores_compute(actor=system_actor())
    assert PriorityScore.objects.filter(person=person).exists()

    arrest.delete()
    scores_compute(actor=system_actor())

    assert not PriorityScore.objects.filter(person=person).exists()


def test_the_default_version_is_made_once_by_the_system(db: None) -> None:
    ScoreConfig.objects.all().delete()

    first = score_config_current()

    assert first.version == 1 and first.weights == DEFAULT_WEIGHTS
    assert first.created_by.username == "system" and first.note == "Default weights"
    assert score_config_current() == first


def test_records_written_in_bulk_queue_one_run_after_commit(django_capture_on_commit_callbacks):
    cache.delete(SCORES_QUEUED_FLAG)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        records_changed.send(sender="import_run")
        records_changed.send(sender="import_run")
        assert cache.get(SCORES_QUEUED_FLAG) is None  # nothing before the commit

    assert cache.get(SCORES_QUEUED_FLAG) == 1
    assert len(callbacks) >= 2  # each signal asks; the flag lets one run through
    cache.delete(SCORES_QUEUED_FLAG)


def test_the_demo_is_seeded_with_weights_and_scores(settings) -> None:
    from intel.demo import demo_seed

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    summary = demo_seed(people=200, incidents=500, arrests=300)

    config = score_config_current()
    rows = PriorityScore.objects.filter(config=config)
    assert summary.counts["scored people"] == rows.count() > 0
    assert all(r.score == pytest.approx(sum(f["contribution"] for f in r.factors)) for r in rows)
    assert rows.filter(score__gt=0).exists()


def test_merging_two_scored_people_keeps_one_score_and_unmerge_restores_both(
    analyst, record_history
) -> None:
    from intel.people.services import person_merge, person_unmerge

    person, other = record_history["person"], record_history["other"]
    scores_compute(actor=system_actor())
    before = {r.person_id: (r.score, r.factors) for r in PriorityScore.objects.all()}

    merge = person_merge(
        actor=analyst, survivor=person, merged=other, reason="Same man, same state ID."
    )

    assert PriorityScore.objects.filter(person=other).count() == 0
    assert PriorityScore.objects.filter(person=person).count() == 1
    scores_compute(actor=system_actor())
    merged_row = PriorityScore.objects.get(person=person)
    assert _factors(person)["violent_arrests"]["value"] == 2  # the merged man's arrest counts
    assert merged_row.score > before[person.pk][0]

    person_unmerge(actor=analyst, merge=merge, reason="Different men after all.")
    scores_compute(actor=system_actor())

    after = {r.person_id: (r.score, r.factors) for r in PriorityScore.objects.all()}
    assert after == before


def test_the_nightly_run_is_scheduled_on_a_queue_the_workers_consume() -> None:
    from django.conf import settings

    from csu.celery import app as celery_app

    celery_app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["priority-scores"]

    assert entry["task"] == "intel.tasks.scores_compute_task"
    assert entry["schedule"] == timedelta(hours=24)
    assert celery_app.tasks[entry["task"]].queue == "analysis"
