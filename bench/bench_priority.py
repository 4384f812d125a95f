"""Scoring every person: ``intel.priority.scoring.scores_compute`` at 1,000,000 people and
2,000,000 arrests, against a single SQL aggregate of the same factors measured in the same
run on the same data.

Data, generated inside PostgreSQL (``INSERT ... SELECT`` over ``generate_series``, seeded, so
two runs build the same rows): ``CSU_BENCH_PRIORITY_PEOPLE`` people (default 1,000,000); twice
as many arrests over eight years, skewed so that a few people have many (a tenth link to an
incident), each with a charge (15 % violent, 8 % weapons) and a fifth with a second; an incident
per four arrests (20 % violent, 10 % with a firearm, each with its lead offense); a case per two
people (40 % still open); a shooting per twenty people, most with a named victim; a probation
or parole term per fifty people.

Measured:

- ``scores_compute`` (first run): every factor with its records (JSON lists of ids), upserted
  into ``intel_priorityscore``;
- ``scores_compute`` again, nothing having changed (the nightly case: no row is rewritten);
- the baseline: one SELECT computing the same counts and score per person (the same factor
  definitions, as counts, no record lists, nothing written), summed so that no rows travel,
  under the same session settings (``BATCH_SETTINGS``: work_mem, no JIT).

Printed: the times, the ratio of each run to the baseline, and the rows stored.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from bench.support import settings_report
from csu.actors import system_actor
from intel.models import (
    Agency,
    Arrest,
    ArrestCharge,
    CaseReferral,
    Incident,
    IncidentOffense,
    Person,
    PriorityScore,
    Shooting,
    ShootingVictim,
    SupervisionStatus,
)
from intel.models.priority import SCORE_FACTORS
from intel.priority.scoring import (
    BATCH_SETTINGS,
    VICTIMISATION,
    _params,
    factor_ctes,
    score_config_current,
    scores_compute,
)

PEOPLE = int(os.environ.get("CSU_BENCH_PRIORITY_PEOPLE", "1000000"))
SEED = 0.42


def _filler(field: models.Field) -> str:
    """A SQL value for a NOT NULL column the generator does not set (Django keeps defaults
    in Python, not in the table)."""
    if isinstance(field, models.DateTimeField):
        return "now()"
    if isinstance(field, models.DateField):
        return "current_date"
    if isinstance(field, models.BooleanField):
        return "false"
    if isinstance(field, models.JSONField):
        return "'{}'::jsonb"
    if isinstance(field, models.IntegerField | models.FloatField):
        return "0"
    default = field.get_default()
    return "'" + str(default or "").replace("'", "''") + "'"


def _insert(cursor: Any, model: type[models.Model], values: dict[str, str], source: str) -> None:
    """``INSERT INTO <table> (...) SELECT <values> FROM <source>``: the given expressions, and
    a filler for every other NOT NULL column."""
    columns: dict[str, str] = {}
    for f in model._meta.concrete_fields:
        column = f.column
        if f.primary_key or column is None:
            continue
        if column in values:
            columns[column] = values[column]
        elif not f.null:
            columns[column] = _filler(f)
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - generated
        f"SELECT {', '.join(columns.values())} FROM {source}"
    )


def _first_id(cursor: Any, model: type[models.Model]) -> int:
    cursor.execute(f"SELECT min(id) FROM {model._meta.db_table}")  # noqa: S608 - a table name
    return int(cursor.fetchone()[0])


def generate(n_people: int) -> dict[str, int]:
    """The records described above; returns the count of each."""
    agency = Agency.objects.create(name="Bench City Police", short_name="BCPD")
    da = Agency.objects.create(name="Bench County DA", short_name="BCDA", kind="prosecutor")
    n_arrests, n_incidents = 2 * n_people, max(1, n_people // 2)
    n_cases, n_shootings, n_terms = n_people // 2, max(1, n_people // 20), n_people // 50
    span = "interval '8 years'"
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [SEED])
        cursor.execute("SET jit = off")  # a bulk load: compiling each INSERT costs more
        _insert(
            cursor,
            Person,
            {"first_name": "'F' || g", "last_name": "'L' || g", "sex": "'M'", "race": "'unknown'"},
            f"generate_series(1, {n_people}) g",
        )
        p0 = _first_id(cursor, Person)
        _insert(
            cursor,
            Incident,
            {
                "source_agency_id": str(agency.pk),
                "source_id": "'I' || g",
                "occurred_at": f"now() - random() * {span}",
                "category": "CASE WHEN random() < 0.2 THEN 'violent' ELSE 'property' END",
                "firearm": "random() < 0.1",
            },
            f"generate_series(1, {n_incidents}) g",
        )
        i0 = _first_id(cursor, Incident)
        _insert(
            cursor,
            IncidentOffense,
            {"incident_id": "i.id", "sequence": "1", "category": "i.category"},
            "intel_incident i",
        )
        # Skewed: power(random(), 3) puts most arrests on the first people.
        _insert(
            cursor,
            Arrest,
            {
                "source_agency_id": str(agency.pk),
                "source_id": "'A' || g",
                "arrested_at": f"now() - random() * {span}",
                "person_id": f"{p0} + floor(power(random(), 3) * {n_people})::int",
                "incident_id": (
                    f"CASE WHEN random() < 0.1 THEN {i0} + floor(random() * {n_incidents})::int END"
                ),
            },
            f"generate_series(1, {n_arrests}) g",
        )
        charge = (
            "CASE WHEN r < 0.15 THEN 'violent' WHEN r < 0.23 THEN 'weapons' "
            "WHEN r < 0.5 THEN 'drug' WHEN r < 0.75 THEN 'property' ELSE 'other' END"
        )
        _insert(
            cursor,
            ArrestCharge,
            {"arrest_id": "a.id", "sequence": "1", "category": charge},
            "(SELECT id, random() AS r FROM intel_arrest) a",
        )
        _insert(
            cursor,
            ArrestCharge,
            {"arrest_id": "a.id", "sequence": "2", "category": charge},
            "(SELECT id, random() AS r FROM intel_arrest WHERE random() < 0.2) a",
        )
        _insert(
            cursor,
            CaseReferral,
            {
                "source_agency_id": str(da.pk),
                "source_id": "'C' || g",
                "case_number": "'2026-' || g",
                "referred_at": f"now() - random() * {span}",
                "defendant_id": f"{p0} + floor(power(random(), 2) * {n_people})::int",
                "status": (
                    "CASE WHEN r < 0.2 THEN 'referred' WHEN r < 0.4 THEN 'charged' "
                    "WHEN r < 0.7 THEN 'convicted' ELSE 'dismissed' END"
                ),
                "category": "'violent'",
            },
            f"(SELECT g, random() AS r FROM generate_series(1, {n_cases}) g) c",
        )
        _insert(
            cursor,
            Shooting,
            {
                "source_agency_id": str(agency.pk),
                "source_id": "'S' || g",
                "occurred_at": f"now() - random() * {span}",
                "victim_id": (
                    f"CASE WHEN random() < 0.8 THEN {p0} + floor(random() * {n_people})::int END"
                ),
                "victim_count": "1",
            },
            f"generate_series(1, {n_shootings}) g",
        )
        _insert(
            cursor,
            ShootingVictim,
            {"shooting_id": "s.id", "sequence": "1", "person_id": "s.victim_id"},
            "intel_shooting s",
        )
        _insert(
            cursor,
            SupervisionStatus,
            {
                "person_id": f"{p0} + floor(random() * {n_people})::int",
                "kind": "'probation'",
                "agency": "'County Probation'",
                "reference": "'P' || g",
                "starts_on": "current_date - (random() * 1500)::int",
                "ends_on": "CASE WHEN random() < 0.5 THEN current_date + 200 END",
                "entered_by_id": str(system_actor().pk),
            },
            f"generate_series(1, {n_terms}) g",
        )
        cursor.execute("ANALYZE")
        cursor.execute("RESET jit")
    return {
        "people": n_people,
        "arrests": n_arrests,
        "incidents": n_incidents,
        "cases": n_cases,
        "shootings": n_shootings,
        "supervision terms": n_terms,
    }


def _baseline_sql() -> str:
    """The same factors as counts, in one SELECT: no record lists, nothing written."""
    counts = factor_ctes(scoped=False)
    people = " UNION ".join(f"SELECT person_id FROM {n}" for n in SCORE_FACTORS)
    joins = "\n".join(f"LEFT JOIN {n} ON {n}.person_id = p.id" for n in SCORE_FACTORS)
    terms = []
    for n in SCORE_FACTORS:
        term = f"COALESCE({n}.n, 0) * %(w_{n})s::float8"
        if n == VICTIMISATION:
            term = f"CASE WHEN %(count_victimisation)s THEN {term} ELSE 0 END"
        terms.append(term)
    return f"""
WITH {counts},
scored AS ({people})
SELECT count(*), sum({" + ".join(terms)})
FROM scored JOIN intel_person p ON p.id = scored.person_id AND p.merged_into_id IS NULL
{joins}
"""  # noqa: S608 - constant names only


def _baseline_without_records(sql: str) -> str:
    """The baseline keeps the CTEs' shape but not their record lists: each ``jsonb_agg`` /
    ``jsonb_build_array`` of records becomes NULL, which PostgreSQL does not compute."""
    import re

    sql = re.sub(r"jsonb_agg\((?:[^()]|\([^()]*\))*\)", "NULL::jsonb", sql)
    return re.sub(r"jsonb_build_array\(jsonb_build_object\([^()]*\)\)", "NULL::jsonb", sql)


def run() -> dict[str, Any]:
    started = time.perf_counter()
    sizes = generate(PEOPLE)
    generated = time.perf_counter() - started
    print(f"   data: {', '.join(f'{v:,} {k}' for k, v in sizes.items())}")
    print(f"   generated in {generated:.1f} s")
    print(f"   postgres: {settings_report()}")
    actor = system_actor()
    config = score_config_current()

    t0 = time.perf_counter()
    scored = scores_compute(actor=actor)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    scores_compute(actor=actor)
    again = time.perf_counter() - t0

    params = _params(config, timezone.now(), None)
    sql = _baseline_without_records(_baseline_sql())
    assert "jsonb_agg" not in sql
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BATCH_SETTINGS)  # the same session settings as scores_compute
        t0 = time.perf_counter()
        cursor.execute(sql, params)
        n_base, total = cursor.fetchone()
        baseline = time.perf_counter() - t0
    stored = PriorityScore.objects.filter(config=config).count()
    print(f"   people scored: {scored:,} (rows stored {stored:,}; baseline counted {n_base:,})")
    for label, seconds in (
        ("scores_compute, first run", first),
        ("scores_compute, nothing changed", again),
        ("baseline, one aggregate SELECT", baseline),
    ):
        print(f"   {label + ':':34} {seconds:8.2f} s ({seconds / baseline:5.2f}× baseline)")
    return {
        "people": PEOPLE,
        "generated_s": generated,
        "first_s": first,
        "again_s": again,
        "baseline_s": baseline,
        "scored": scored,
        "baseline_total": total,
    }
