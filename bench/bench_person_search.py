"""Person search at a million people: ``intel.people.search.person_search`` against a naive
``ILIKE '%…%'`` scan of the same lookups, measured in the same run on the same data.

Data: 1,000,000 people from ``bench/people_generator.py`` (census-like surnames, nicknames,
Hispanic double surnames), loaded with COPY into the real tables with their indexes and
constraints rebuilt after the load (as a bulk load would): the person rows, a primary name key
each, a second name key "recorded" with a typo or a nickname for a quarter of them, a state ID
(70 %), an FBI number (35 %) and a booking number each.

Queries, 200 of each kind (``CSU_BENCH_SEARCH_QUERIES``), each aimed at one known person:
exact name ("LAST, FIRST"), surname prefix (first three letters), sound-alike (the surname
respelt with the same metaphone key, "SMYTH" for "SMITH"), nickname ("Bob Smith" for Robert),
identifier (state ID, FBI number or booking number), surname with date of birth.

Baseline: the same lookups as a naive scan, ``last_name ILIKE '%smyth%' AND first_name ILIKE
'%jon%'`` on ``intel_person`` (``value ILIKE`` on identifiers), with the same LIMIT. Printed per
kind: median and p95 ms of each, the ratio of medians, and how often the aimed-at person was
among the results. Then one query of each kind is EXPLAINed and any sequential scan named.
Sizes: ``CSU_BENCH_SEARCH_PEOPLE`` (default 1,000,000).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import people_generator as gen
from bench.support import settings_report
from csu.actors import system_actor
from csu.services import user_create
from intel.models import Agency
from intel.people.resolution.names import first_name_forms, letters, sound
from intel.people.search import person_search

PEOPLE = int(os.environ.get("CSU_BENCH_SEARCH_PEOPLE", "1000000"))
QUERIES = int(os.environ.get("CSU_BENCH_SEARCH_QUERIES", "200"))
LIMIT = 50
SEED = 11
TABLES = ["intel_person", "intel_personnamekey", "intel_personidentifier"]
KINDS = ["exact name", "prefix", "sound-alike", "nickname", "identifier", "dob+name"]
_VOWELS = "AEIOUY"


# ------------------------------------------------------------------------------------ load


def _copy(cursor, table: str, columns: str, rows: Iterable[tuple]) -> int:  # type: ignore[no-untyped-def]
    n = 0
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _drop_indexes(cursor) -> list[str]:  # type: ignore[no-untyped-def]
    """Drop the secondary indexes and the unique and foreign-key constraints of the tables,
    returning the statements that put them back."""
    cursor.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                        FROM pg_constraint
                       WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')""",
        [TABLES],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT indexname, indexdef FROM pg_indexes
                       WHERE tablename = ANY(%s)
                         AND indexname NOT IN (SELECT conname FROM pg_constraint)""",
        [TABLES],
    )
    indexes = cursor.fetchall()
    for table, name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return (
        [
            f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}'
            for t, n, d in constraints
            if not d.startswith("FOREIGN")
        ]
        + [d for _, d in indexes]
        + [
            f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}'
            for t, n, d in constraints
            if d.startswith("FOREIGN")
        ]
    )


def _recorded_variant(person: dict, rnd: random.Random) -> tuple[str, str] | None:
    """A second name the person was recorded under: a nickname or a one-letter typo."""
    first, last = letters(person["first"]), letters(person["last"])
    if rnd.random() < 0.5:
        nicks = sorted(first_name_forms(first) - {first})
        if nicks:
            return last, rnd.choice(nicks)
    variant = letters(gen.typo(last, rnd))
    return (variant, first) if variant and variant != last else None


def load(population: list[dict], agency_id: int) -> dict[str, float]:
    rnd = random.Random(SEED)
    now = datetime.now(UTC)
    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        started = time.perf_counter()
        restore = _drop_indexes(cursor)
        _copy(
            cursor,
            "intel_person",
            "id, first_name, middle_name, last_name, suffix, dob, sex, race, created_at, "
            "updated_at",
            (
                (
                    i + 1,
                    p["first"].title(),
                    p["middle"].title(),
                    p["last"].title(),
                    p["suffix"],
                    p["dob"],
                    p["sex"],
                    p["race"],
                    now,
                    now,
                )
                for i, p in enumerate(population)
            ),
        )

        def keys() -> Iterable[tuple]:
            for i, p in enumerate(population):
                last, first = letters(p["last"]), letters(p["first"])
                yield i + 1, "primary", last, first, sound(last), sound(first)
                if rnd.random() < 0.25:
                    variant = _recorded_variant(p, rnd)
                    if variant and variant != (last, first):
                        yield i + 1, "recorded", *variant, sound(variant[0]), sound(variant[1])

        n_keys = _copy(
            cursor,
            "intel_personnamekey",
            "person_id, kind, last, first, last_sound, first_sound",
            keys(),
        )

        def identifiers() -> Iterable[tuple]:
            for i, p in enumerate(population):
                if p["state_id"]:
                    yield i + 1, "state_id", p["state_id"], None
                if p["fbi_number"]:
                    yield i + 1, "fbi_number", p["fbi_number"], None
                yield i + 1, "booking_number", f"BK{i + 1:08d}", agency_id

        n_ids = _copy(
            cursor,
            "intel_personidentifier",
            "person_id, kind, value, issuing_agency_id",
            identifiers(),
        )
        timings["copy"] = time.perf_counter() - started
        started = time.perf_counter()
        for statement in restore:
            cursor.execute(statement)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('intel_person', 'id'), %s)", [len(population)]
        )
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
        timings["indexes"] = time.perf_counter() - started
    print(
        f"   loaded {len(population):,} people, {n_keys:,} name keys, {n_ids:,} identifiers: "
        f"COPY {timings['copy']:.1f} s, indexes and constraints {timings['indexes']:.1f} s"
    )
    return timings


# --------------------------------------------------------------------------------- queries


def _respelt(last: str, rnd: random.Random) -> str | None:
    """The surname spelt differently with the same metaphone key (SMITH → SMYTH)."""
    key = sound(last)
    spots = [i for i, c in enumerate(last) if i > 0 and c in _VOWELS]
    rnd.shuffle(spots)
    for i in spots:
        for vowel in _VOWELS:
            variant = last[:i] + vowel + last[i + 1 :]
            if variant != last and sound(variant) == key:
                return variant
    return None


def _ilike(column: str) -> str:
    return f"{column} ILIKE %s"


def _like(text: str) -> str:
    return f"%{text}%"


def _naive_people(*conditions: str) -> str:
    return (
        f"SELECT id FROM intel_person WHERE merged_into_id IS NULL AND "
        f"{' AND '.join(conditions)} LIMIT {LIMIT}"
    )


def queries(population: list[dict], rnd: random.Random) -> dict[str, list[tuple]]:
    """Per kind: (person id aimed at, person_search kwargs, baseline SQL, baseline params)."""
    out: dict[str, list[tuple]] = {kind: [] for kind in KINDS}
    order = list(range(len(population)))
    rnd.shuffle(order)
    for i in order:
        if all(len(v) >= QUERIES for v in out.values()):
            break
        p, pk = population[i], i + 1
        last, first = letters(p["last"]), letters(p["first"])
        if not last or not first or " " in p["last"] or "-" in p["last"]:
            continue  # a double surname is searched like any other; keep the baseline simple
        wanted = {
            "exact name": (
                {"q": f"{last}, {first}"},
                _naive_people(_ilike("last_name"), _ilike("first_name")),
                [_like(last), _like(first)],
            ),
            "prefix": ({"q": last[:3]}, _naive_people(_ilike("last_name")), [_like(last[:3])]),
            "dob+name": (
                {"q": last, "dob": p["dob"]},
                _naive_people(_ilike("last_name"), "dob = %s"),
                [_like(last), p["dob"]],
            ),
        }
        value = p["state_id"] or p["fbi_number"] or f"BK{pk:08d}"
        if rnd.random() < 0.3:
            value = f"BK{pk:08d}"
        wanted["identifier"] = (
            {"identifier": value},
            f"SELECT person_id FROM intel_personidentifier WHERE value ILIKE %s LIMIT {LIMIT}",
            [_like(value)],
        )
        respelt = _respelt(last, rnd)
        if respelt:
            wanted["sound-alike"] = (
                {"q": f"{respelt}, {first}"},
                _naive_people(_ilike("last_name"), _ilike("first_name")),
                [_like(respelt), _like(first)],
            )
        nicks = sorted(first_name_forms(first) - {first})
        if nicks:
            nick = rnd.choice(nicks)
            wanted["nickname"] = (
                {"q": f"{nick.title()} {last.title()}"},
                _naive_people(_ilike("first_name"), _ilike("last_name")),
                [_like(nick), _like(last)],
            )
        for kind, spec in wanted.items():
            if len(out[kind]) < QUERIES:
                out[kind].append((pk, *spec))
    return out


def _ms(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(len(values) * 0.95) - 1)]


def _plan_nodes(plan: dict) -> Iterable[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


def explain(sql: str, params: list | None = None) -> tuple[list[str], list[str]]:
    """(indexes used, tables read by a sequential scan) of one statement's plan."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = plan[0]["Plan"] if isinstance(plan, list) else plan["Plan"]
    nodes = list(_plan_nodes(plan))
    used = sorted({n["Index Name"] for n in nodes if "Index Name" in n})
    scans = sorted({n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"})
    return used, scans


def _sizes(tables: set[str]) -> list[str]:
    with connection.cursor() as cursor:
        out = []
        for table in sorted(tables):
            cursor.execute(f"SELECT count(*) FROM {table}")
            out.append(f"{table}: {cursor.fetchone()[0]} rows")
        return out


def run() -> dict[str, float]:
    actor, _code = user_create(
        actor=system_actor(),
        username="bench.analyst",
        password="a benchmark passphrase long enough",  # noqa: S106
        role="analyst",
    )
    agency = Agency.objects.create(name="Bench PD", short_name="BPD")
    print(f"   postgres: {settings_report()}")
    started = time.perf_counter()
    population = gen.identities(PEOPLE, SEED)
    print(f"   generated {PEOPLE:,} identities in {time.perf_counter() - started:.1f} s")
    load(population, agency.pk)
    work = queries(population, random.Random(SEED))
    del population
    actor.has_perm("intel.view_person")  # the role's permissions, loaded once as per request
    for _pk, kwargs, _sql, _params in work["exact name"][:20]:  # warm the caches and plans
        person_search(actor=actor, **kwargs)

    results: dict[str, float] = {}
    print(
        f"   {'kind':<12} {'n':>4} {'ours median':>12} {'p95':>8} {'naive median':>13} "
        f"{'p95':>8} {'ratio':>7}  aimed-at person found: ours / naive"
    )
    with connection.cursor() as cursor:
        for kind in KINDS:
            ours, naive, hit_ours, hit_naive = [], [], 0, 0
            for pk, kwargs, sql, params in work[kind]:
                ms, found = _ms(lambda kwargs=kwargs: person_search(actor=actor, **kwargs))
                ours.append(ms)
                hit_ours += any(m.person.pk == pk for m in found)  # type: ignore[attr-defined]

                def scan(sql: str = sql, params: list = params) -> list:
                    cursor.execute(sql, params)
                    return [row[0] for row in cursor.fetchall()]

                ms, rows = _ms(scan)
                naive.append(ms)
                hit_naive += pk in rows  # type: ignore[operator]
            n = len(ours)
            ratio = statistics.median(naive) / statistics.median(ours)
            results[kind] = ratio
            print(
                f"   {kind:<12} {n:>4} {statistics.median(ours):>9.2f} ms {_p95(ours):>5.1f} ms"
                f" {statistics.median(naive):>10.1f} ms {_p95(naive):>5.0f} ms {ratio:>6.1f}x"
                f"  {hit_ours}/{n} / {hit_naive}/{n}"
            )
    print(
        "   (found: the person a query was made from is among the first 50 results; a "
        "three-letter prefix or a common name has more than 50 people)"
    )
    print("   EXPLAIN, one query of each kind:")
    for kind in KINDS:
        _pk, kwargs, sql, params = work[kind][0]
        with CaptureQueriesContext(connection) as captured:
            person_search(actor=actor, **kwargs)
        used: set[str] = set()
        scans: set[str] = set()
        for query in captured.captured_queries:
            if query["sql"].lstrip().upper().startswith(("SELECT", "(")):
                u, s = explain(query["sql"])
                used |= set(u)
                scans |= set(s)
        naive_used, naive_scans = explain(sql, params)
        big = scans & set(TABLES)
        verdict = (
            f"SEQUENTIAL SCAN of {', '.join(sorted(big))}"
            if big
            else "indexes only on the people tables"
        )
        if scans - big:  # the planner's choice on a table of a few rows
            verdict += f" (seq scan of small {', '.join(_sizes(scans - big))})"
        print(
            f"   {kind:<12} {kwargs}: {len(captured)} queries, {verdict}; indexes: "
            f"{', '.join(sorted(used)) or 'none'}"
        )
        print(
            f"   {'':<12} naive: {'seq scan of ' + ', '.join(naive_scans) if naive_scans else ''}"
            f"{' indexes: ' + ', '.join(naive_used) if naive_used else ''}"
        )
    return results
