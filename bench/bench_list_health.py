"""The list health report at a city's scale: ``designation_list_health`` against the SQL a
hand-written report would run for the same figures, measured in the same run.

Data: ``BENCH_HEALTH_PEOPLE`` people (default 50,000), two arrests each over three years (a
third with a violent charge), a case for one in five, and 1,000 active designations.
Baseline: two statements written by hand: the arrestee make-up (latest arrest per person in the
period, grouped by race, sex and age group) and the designated people's violent-arrest,
conviction and recent-activity flags, each one aggregate. The report runs these figures plus the
list's own make-up, expiries and renewals, through ``visible_to`` querysets.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from bench.support import best_of, settings_report
from csu.actors import system_actor
from csu.services import user_create
from intel.choices import Race
from intel.models import Agency, Arrest, ArrestCharge, CaseReferral, Person, PriorityDesignation
from intel.priority.health import designation_list_health

PEOPLE = int(os.environ.get("BENCH_HEALTH_PEOPLE", "50000"))
DESIGNATED = 1000
RACES = [r for r in Race.values if r != Race.UNKNOWN]

_MAKEUP_SQL = """
SELECT race, sex,
       CASE WHEN a < 18 THEN '<18' WHEN a < 25 THEN '18-24' WHEN a < 35 THEN '25-34'
            WHEN a < 45 THEN '35-44' WHEN a >= 45 THEN '45+' ELSE 'Unknown' END, count(*)
FROM (
    SELECT DISTINCT ON (person_id) race, sex,
           coalesce(age, date_part('year', age(arrested_at::date, dob_as_recorded)))::int AS a
    FROM intel_arrest
    WHERE person_id IS NOT NULL AND arrested_at > %(start)s AND arrested_at <= %(end)s
    ORDER BY person_id, arrested_at DESC, id DESC
) latest
GROUP BY 1, 2, 3
"""

_LIST_SQL = """
SELECT d.person_id,
       (SELECT count(DISTINCT a.id) FROM intel_arrest a JOIN intel_arrestcharge c
          ON c.arrest_id = a.id AND c.category = 'violent'
        WHERE a.person_id = d.person_id AND a.arrested_at <= %(end)s) AS violent,
       EXISTS (SELECT 1 FROM intel_casereferral k WHERE k.defendant_id = d.person_id
               AND k.status IN ('convicted', 'pleaded')) AS convicted,
       EXISTS (SELECT 1 FROM intel_arrest a WHERE a.person_id = d.person_id
               AND a.arrested_at > %(stale)s AND a.arrested_at <= %(end)s)
       OR EXISTS (SELECT 1 FROM intel_casereferral k WHERE k.defendant_id = d.person_id
               AND k.referred_at > %(stale)s AND k.referred_at <= %(end)s) AS recent
FROM intel_prioritydesignation d
WHERE d.approved_at <= %(end)s AND (d.ended_at IS NULL OR d.ended_at > %(end)s)
  AND d.expires_at > %(end)s
"""


def _populate(rng: random.Random) -> None:
    now = timezone.now()
    agency = Agency.objects.create(name="Bench PD", short_name="BPD", kind=Agency.Kind.POLICE)
    people = Person.objects.bulk_create(
        [
            Person(
                first_name=f"F{i}",
                last_name=f"L{i}",
                sex=rng.choice("MMMF"),
                race=rng.choice(RACES),
                dob=(now - timedelta(days=rng.randint(15 * 365, 60 * 365))).date(),
            )
            for i in range(PEOPLE)
        ],
        batch_size=5000,
    )
    arrests = []
    for person in people:
        for _ in range(2):
            when = now - timedelta(days=rng.randint(0, 3 * 365), minutes=rng.randint(0, 1440))
            arrests.append(
                Arrest(
                    source_agency=agency,
                    source_id=f"A{len(arrests)}",
                    person=person,
                    arrested_at=when,
                    race=person.race,
                    sex=person.sex,
                    dob_as_recorded=person.dob,
                )
            )
    Arrest.objects.bulk_create(arrests, batch_size=5000)
    ArrestCharge.objects.bulk_create(
        [
            ArrestCharge(
                arrest=a, sequence=1, category="violent" if rng.random() < 0.33 else "property"
            )
            for a in arrests
        ],
        batch_size=5000,
    )
    CaseReferral.objects.bulk_create(
        [
            CaseReferral(
                source_agency=agency,
                source_id=f"C{i}",
                case_number=f"C{i}",
                referred_at=now - timedelta(days=rng.randint(0, 3 * 365)),
                defendant=person,
                status=rng.choice(["charged", "convicted", "pleaded", "dismissed"]),
            )
            for i, person in enumerate(people[: PEOPLE // 5])
        ],
        batch_size=5000,
    )
    analyst, _ = user_create(
        actor=system_actor(), username="bench.analyst", password="a bench passphrase ok 1",  # noqa: S106
        role="analyst",
    )  # fmt: skip
    supervisor, _ = user_create(
        actor=system_actor(), username="bench.health", password="a bench passphrase ok 2",  # noqa: S106
        role="supervisor",
    )  # fmt: skip
    approved = now - timedelta(days=100)
    PriorityDesignation.objects.bulk_create(
        [
            PriorityDesignation(
                person=person,
                status="active",
                reason="A benchmark designation of twenty characters or more.",
                proposed_by=analyst,
                proposed_at=approved,
                decided_by=supervisor,
                decided_at=approved,
                approved_at=approved,
                expires_at=approved + timedelta(days=365),
            )
            for person in rng.sample(people, DESIGNATED)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run() -> dict[str, float]:
    rng = random.Random(12)  # noqa: S311 - benchmark data
    with transaction.atomic():
        _populate(rng)
    from django.contrib.auth import get_user_model

    supervisor = get_user_model().objects.get(username="bench.health")
    as_of = timezone.now()
    params = {
        "start": as_of - timedelta(days=365),
        "end": as_of,
        "stale": as_of - timedelta(days=365),
    }

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(_MAKEUP_SQL, params)
            cursor.fetchall()
            cursor.execute(_LIST_SQL, params)
            cursor.fetchall()

    def report() -> None:
        designation_list_health(actor=supervisor, as_of=as_of, period_days=365)

    report()  # warm
    sql = best_of(5, baseline)
    health = best_of(5, report)
    figures = designation_list_health(actor=supervisor, as_of=as_of, period_days=365)
    print(f"   {settings_report()}")
    print(
        f"   {PEOPLE:,} people, {2 * PEOPLE:,} arrests, {DESIGNATED:,} designated; "
        f"{figures.arrestees:,} arrestees in the period"
    )
    print(f"   hand-written SQL (two aggregates): {sql * 1000:8.1f} ms")
    print(f"   designation_list_health:           {health * 1000:8.1f} ms")
    print(f"   ratio report / SQL: {health / sql:.2f}")
    return {"sql_ms": sql * 1000, "report_ms": health * 1000, "ratio": health / sql}
