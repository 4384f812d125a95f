"""The writes of a resolution run, in bulk: new people, links with their factors, each record's
person, the names and identifiers seen, review candidates, and the defendants of cases on the
arrests just linked. Table and column names come from this module and ``Source``, never from
input."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from csu.models import User
from intel.models import MatchCandidate, Person, PersonLink, PersonNameKey
from intel.models.people import RESOLVED_SOURCES
from intel.people.resolution import store
from intel.people.resolution.batch import ARREST, VICTIM, Cluster, Decision, Origin, Source
from intel.people.resolution.blocking import Record
from intel.people.resolution.scoring import probability


def _copy_in(
    cur: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    conflict: str = "",
) -> None:
    """Insert rows through COPY into a temporary twin of ``table``: one round trip per table,
    and ``ON CONFLICT DO NOTHING`` for rows the person already has."""
    cols = ", ".join(columns)  # table and column names come from this module, never from input
    cur.execute(f"CREATE TEMP TABLE er_in ON COMMIT DROP AS SELECT {cols} FROM {table} LIMIT 0")  # noqa: S608
    with cur.copy(f"COPY er_in ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cur.execute(
        f"INSERT INTO {table} ({cols}) SELECT {cols} FROM er_in "  # noqa: S608
        f"{'ON CONFLICT DO NOTHING' if conflict else ''}"
    )
    cur.execute("DROP TABLE er_in")


_SOURCE_COLUMNS = tuple(f"{f}_id" for f in RESOLVED_SOURCES)


def write_decisions(decisions: list[Decision], origins: list[Origin], actor: User) -> None:
    now = timezone.now()
    founders: list[tuple[Cluster, Record]] = []
    for d in decisions:
        if d.method == PersonLink.Method.NEW:
            # resolve_records gives every new-person decision a cluster this record founded.
            assert d.cluster is not None and d.cluster.founder is not None
            founders.append((d.cluster, d.cluster.founder))
    for (founded, _founder), person in zip(
        founders,
        Person.objects.bulk_create(
            [
                store.person_from_name(
                    founder.name, dob=c.profile.dob, sex=c.profile.sex, race=c.profile.race
                )
                for c, founder in founders
            ],
            batch_size=store.BATCH,
        ),
        strict=True,
    ):
        founded.person_id = person.pk
    links: list[tuple[Any, ...]] = []
    keys: list[tuple[Any, ...]] = []
    idents: list[tuple[Any, ...]] = []
    candidates: list[tuple[Any, ...]] = []
    taken: dict[Source, list[int]] = defaultdict(list)
    actor_id = actor.pk
    for d in decisions:
        origin = origins[d.record.key]
        taken[origin.source].append(origin.pk)
        cluster = d.cluster
        if cluster is None:
            candidates.extend(
                (
                    *origin.columns(),
                    c.person_id,
                    round(probability(w), 4),
                    json.dumps([f.as_dict() for f in fs]),
                    MatchCandidate.Status.OPEN,
                    now,
                )
                for c, w, fs in d.candidates
            )
            continue
        pid = cluster.person_id
        assert pid is not None  # known people have theirs; new ones got theirs above
        factors = [f.as_dict() for f in d.factors]
        if d.method == PersonLink.Method.NEW:
            best = (
                f"best candidate scored {probability(d.weight):.0%}"
                if d.factors
                else "no one with a similar name, date of birth or identifier"
            )
            factors = [{"factor": "no match", "detail": best, "weight": 0}]
        scored = d.method not in (PersonLink.Method.NEW, PersonLink.Method.ARREST)
        links.append(
            (
                *origin.columns(),
                pid,
                d.method,
                round(probability(d.weight), 4) if scored else None,
                json.dumps(factors),
                actor_id,
                now,
            )
        )
        kind = (
            PersonNameKey.Kind.PRIMARY
            if cluster.founder is d.record
            else PersonNameKey.Kind.RECORDED
        )
        key = store.name_key_row(pid, d.record.name, kind)
        if key is not None:
            keys.append(key)
        idents.extend(
            (pid, k, v[:64], d.record.agency_id if k == "booking_number" else None)
            for k, vs in d.record.profile.ids.items()
            for v in vs
        )
    with connection.cursor() as cur:
        for source, pks in taken.items():
            # A record an import changed lost its person but may keep its old link: replaced.
            cur.execute(
                f"DELETE FROM intel_personlink WHERE {source.field}_id = ANY(%s)",  # noqa: S608
                [pks],
            )
        _copy_in(
            cur,
            "intel_personlink",
            (*_SOURCE_COLUMNS, "person_id", "method", "score", "factors", "decided_by_id")
            + ("created_at",),
            links,
        )
        for source in taken:
            _write_people(cur, source, now)
        if ARREST in taken:
            _defendants_of_arrests(cur, now, actor_id)
        _copy_in(cur, "intel_personnamekey", store.NAME_KEY_COLUMNS, keys, conflict="y")
        _copy_in(
            cur,
            "intel_personidentifier",
            ("person_id", "kind", "value", "issuing_agency_id"),
            idents,
            conflict="y",
        )
        _copy_in(
            cur,
            "intel_matchcandidate",
            (*_SOURCE_COLUMNS, "person_id", "score", "factors", "status", "created_at"),
            candidates,
            conflict="y",
        )


def _write_people(cur: Any, source: Source, now: Any) -> None:
    """Each record of ``source`` linked in this run gets its person, a known person lacking a
    date of birth gets the one the record gives, and a shooting's first victim is its
    ``victim``. Table and column names come from ``Source``, never from input."""
    table, person, dob, link = (
        source.table,
        source.person_column,
        source.dob_column,
        f"{source.field}_id",
    )
    cur.execute(
        f"UPDATE {table} r SET {person} = l.person_id FROM intel_personlink l "  # noqa: S608
        f"WHERE l.{link} = r.id AND r.{person} IS NULL"
    )
    cur.execute(
        f"""UPDATE intel_person p SET dob = r.{dob}
              FROM {table} r JOIN intel_personlink l ON l.{link} = r.id
             WHERE r.{person} = p.id AND p.dob IS NULL AND l.created_at = %s
               AND r.{dob} IS NOT NULL""",  # noqa: S608
        [now],
    )
    if source is VICTIM:
        cur.execute(
            """UPDATE intel_shooting s SET victim_id = v.person_id
                 FROM intel_shootingvictim v JOIN intel_personlink l ON l.shooting_victim_id = v.id
                WHERE v.shooting_id = s.id AND v.sequence = 1 AND s.victim_id IS NULL
                  AND l.created_at = %s""",
            [now],
        )


def _defendants_of_arrests(cur: Any, now: Any, actor_id: int | None) -> None:
    """Cases on the arrests just linked, still without a defendant (no name of their own, or
    waiting in the review queue), take the arrest's person, linked as such; their review
    candidates are closed."""
    cur.execute(
        """INSERT INTO intel_personlink
                  (case_id, person_id, method, score, factors, decided_by_id, created_at)
           SELECT c.id, a.person_id, %s, NULL,
                  jsonb_build_array(jsonb_build_object(
                      'factor', 'arrest',
                      'detail', 'the case names arrest '
                                || coalesce(nullif(g.short_name, ''), g.name) || ' '
                                || a.source_id || ': its person',
                      'weight', 0)),
                  %s, %s
             FROM intel_casereferral c
             JOIN intel_arrest a ON a.id = c.arrest_id
             JOIN intel_agency g ON g.id = a.source_agency_id
             JOIN intel_personlink l ON l.arrest_id = a.id AND l.created_at = %s
            WHERE c.defendant_id IS NULL AND a.person_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM intel_personlink x WHERE x.case_id = c.id)""",
        [PersonLink.Method.ARREST, actor_id, now, now],
    )
    cur.execute(
        """UPDATE intel_casereferral c SET defendant_id = l.person_id FROM intel_personlink l
            WHERE l.case_id = c.id AND c.defendant_id IS NULL AND l.created_at = %s""",
        [now],
    )
    cur.execute(
        """UPDATE intel_matchcandidate m
              SET status = %s, decided_by_id = %s, decided_at = %s
             FROM intel_personlink l
            WHERE m.case_id = l.case_id AND l.created_at = %s AND l.method = %s
              AND m.status = %s""",
        [
            MatchCandidate.Status.SUPERSEDED,
            actor_id,
            now,
            now,
            PersonLink.Method.ARREST,
            MatchCandidate.Status.OPEN,
        ],
    )
