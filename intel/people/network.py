"""The associate network: who was arrested with whom, and the events that say so.

Two people are associates when their arrests share an incident (``Arrest.incident``) or were
made together: same agency, same minute, and the same address or the same point. Every link
carries its evidence (which arrests, which incident, when, where) so the page can say why two
people are connected. Arrests of a merged person count for the survivor.

Set-based: one SQL statement finds a person's associates with their evidence, a second one the
associates of those associates; the rows come from ``visible_to(actor)`` querysets embedded in
the SQL, so whatever narrows what an actor may see narrows the network too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from csu.models import User
from intel.models import Arrest, GroupMembership, Incident, Person

MAX_NODES = 60

# Arrests of the source people (survivor or merged into it) paired with the arrests of anyone
# else: through a shared incident, or made together (same agency, same minute, same place).
# ``o.arrested_at`` is compared as a range, inside a LATERAL subquery, so each source arrest
# looks up its minute in the arrested_at index, and each arrest found its person by key (plain
# joins let the planner, misjudging the range, merge-join every arrest or scan every person).
_PAIRS = """
arr AS NOT MATERIALIZED ({arrests}),
ppl AS NOT MATERIALIZED ({people}),
inc AS NOT MATERIALIZED ({incidents}),
src AS (
    SELECT a.*, COALESCE(p.merged_into_id, p.id) AS spid
    FROM arr a JOIN ppl p ON p.id = a.person_id
    WHERE a.person_id IN (SELECT id FROM ppl
                          WHERE id = ANY(%(ids)s::bigint[])
                             OR merged_into_id = ANY(%(ids)s::bigint[]))
),
other AS NOT MATERIALIZED (
    SELECT a.*, COALESCE(p.merged_into_id, p.id) AS pid
    FROM arr a JOIN ppl p ON p.id = a.person_id
),
pairs AS (
    SELECT s.spid, o.pid, 'incident' AS kind, 'i' || s.incident_id AS event_key,
           s.arrested_at, s.incident_id, s.source_agency_id AS agency_id, '' AS place,
           s.source_id AS src_arrest, o.source_id AS other_arrest
    FROM src s JOIN other o ON o.incident_id = s.incident_id
    WHERE s.incident_id IS NOT NULL AND o.pid <> s.spid
    UNION ALL
    SELECT s.spid, COALESCE(p.merged_into_id, p.id), 'together',
           't' || s.source_agency_id || ':' || date_trunc('minute', s.arrested_at),
           s.arrested_at, NULL, s.source_agency_id,
           CASE WHEN btrim(s.address) <> '' THEN s.address
                ELSE s.latitude::text || ', ' || s.longitude::text END,
           s.source_id, o.source_id
    FROM src s CROSS JOIN LATERAL (
        SELECT a.* FROM arr a
        WHERE a.arrested_at >= date_trunc('minute', s.arrested_at)
          AND a.arrested_at < date_trunc('minute', s.arrested_at) + interval '1 minute'
          AND a.source_agency_id = s.source_agency_id
        OFFSET 0  -- keeps the subquery from being flattened back into a join
    ) o
    CROSS JOIN LATERAL (SELECT ppl.merged_into_id, ppl.id FROM ppl
                        WHERE ppl.id = o.person_id OFFSET 0) p
    WHERE COALESCE(p.merged_into_id, p.id) <> s.spid
      AND ((btrim(s.address) <> '' AND upper(btrim(o.address)) = upper(btrim(s.address)))
           OR (s.latitude IS NOT NULL AND o.latitude = s.latitude
               AND o.longitude = s.longitude))
      -- arrests that also share an incident are already counted as that incident
      AND (s.incident_id IS NULL OR o.incident_id IS NULL OR o.incident_id <> s.incident_id)
)
"""

_EVIDENCE = """
WITH {pairs}
SELECT p.pid, p.kind, p.event_key, min(p.arrested_at) AS at, p.incident_id,
       max(i.source_id) AS incident_source_id, min(i.occurred_at) AS incident_at,
       max(ag.short_name) AS agency_short, max(ag.name) AS agency, max(p.place) AS place,
       array_agg(DISTINCT p.src_arrest ORDER BY p.src_arrest) AS own_arrests,
       array_agg(DISTINCT p.other_arrest ORDER BY p.other_arrest) AS their_arrests
FROM pairs p
LEFT JOIN inc i ON i.id = p.incident_id
LEFT JOIN intel_agency ag ON ag.id = p.agency_id
GROUP BY p.pid, p.kind, p.event_key, p.incident_id
ORDER BY at DESC, p.pid
"""

_EDGES = """
WITH {pairs}
SELECT spid, pid, count(DISTINCT event_key) AS shared
FROM pairs
GROUP BY spid, pid
"""


@dataclass(frozen=True)
class SharedEvent:
    """One event two people share: the evidence for their link."""

    kind: str  # "incident" or "together"
    at: datetime
    incident_id: int | None
    incident_source_id: str | None
    agency: str
    place: str
    own_arrests: list[str]
    their_arrests: list[str]

    @property
    def label(self) -> str:
        if self.kind == "incident":
            return f"Same incident {self.incident_source_id or f'#{self.incident_id}'}"
        return f"Arrested together by {self.agency}" + (f" at {self.place}" if self.place else "")


@dataclass
class Associate:
    person: Person
    shared_events: int
    evidence: list[SharedEvent]
    groups: list[str] = field(default_factory=list)


@dataclass
class Network:
    """A person's associates (all of them, with evidence) and the two-hop graph (capped)."""

    person: Person
    associates: list[Associate]
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    truncated: bool = False


def _sql(queryset: QuerySet[Any], *fields: str) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL of a visible queryset, or None when it is empty by construction."""
    queryset = queryset.order_by().values(*fields)
    if queryset.query.is_empty():
        return None
    sql, params = queryset.query.sql_with_params()
    return sql, params


def _pairs_sql(actor: User) -> tuple[str, dict[str, Any]] | None:
    """The pairs CTE with the actor's visible arrests, people and incidents inlined.

    Embedded querysets use positional ``%s``; the statement uses named parameters, so their
    values are inlined by name too.
    """
    parts = {
        "arrests": _sql(
            Arrest.objects.visible_to(actor),
            "id",
            "person_id",
            "incident_id",
            "source_agency_id",
            "source_id",
            "arrested_at",
            "address",
            "latitude",
            "longitude",
        ),
        "people": _sql(Person.objects.visible_to(actor), "id", "merged_into_id"),
        "incidents": _sql(Incident.objects.visible_to(actor), "id", "source_id", "occurred_at"),
    }
    if parts["arrests"] is None or parts["people"] is None:
        return None
    if parts["incidents"] is None:  # evidence without incident details, but still evidence
        parts["incidents"] = (
            "SELECT NULL::bigint AS id, NULL::text AS source_id, "
            "NULL::timestamptz AS occurred_at WHERE false",
            (),
        )
    params: dict[str, Any] = {}
    text: dict[str, str] = {}
    for name, (sql, values) in parts.items():  # type: ignore[misc]
        pieces = sql.replace("%%", "\0").split("%s")
        out = pieces[0]
        for n, piece in enumerate(pieces[1:]):
            key = f"{name}_{n}"
            params[key] = values[n]
            out += f"%({key})s" + piece
        text[name] = out.replace("\0", "%%")
    return _PAIRS.format(**text), params


def _evidence_rows(actor: User, ids: list[int]) -> list[tuple[Any, ...]]:
    built = _pairs_sql(actor)
    if built is None:
        return []
    pairs, params = built
    with connection.cursor() as cursor:
        cursor.execute(_EVIDENCE.format(pairs=pairs), {**params, "ids": ids})
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _edge_rows(actor: User, ids: list[int]) -> list[tuple[int, int, int]]:
    built = _pairs_sql(actor)
    if built is None or not ids:
        return []
    pairs, params = built
    with connection.cursor() as cursor:
        cursor.execute(_EDGES.format(pairs=pairs), {**params, "ids": ids})
        rows: list[tuple[int, int, int]] = cursor.fetchall()  # (spid, pid, shared)
    return rows


def _associates(actor: User, person: Person) -> list[tuple[int, list[SharedEvent]]]:
    """(person id, evidence) for each direct associate, most shared events first."""
    evidence: dict[int, list[SharedEvent]] = defaultdict(list)
    for (
        pid,
        kind,
        _key,
        at,
        incident_id,
        incident_source,
        incident_at,
        agency_short,
        agency,
        place,
        own,
        theirs,
    ) in _evidence_rows(actor, [person.pk]):
        evidence[pid].append(
            SharedEvent(
                kind=kind,
                at=incident_at or at,
                incident_id=incident_id,
                incident_source_id=incident_source,
                agency=agency_short or agency or "",
                place=place or "",
                own_arrests=list(own),
                their_arrests=list(theirs),
            )
        )
    return sorted(evidence.items(), key=lambda item: (-len(item[1]), item[0]))


def _people(actor: User, ids: set[int]) -> tuple[dict[int, Person], dict[int, list[str]]]:
    """The people by id, and their approved group memberships (what counts as membership)."""
    people = {p.pk: p for p in Person.objects.visible_to(actor).filter(pk__in=ids)}
    groups: dict[int, list[str]] = defaultdict(list)
    memberships = (
        GroupMembership.objects.visible_to(actor)
        .filter(person_id__in=ids, status=GroupMembership.Status.APPROVED)
        .select_related("group")
    )
    for membership in memberships.order_by("group__name"):
        groups[membership.person_id].append(
            f"{membership.group.name} ({membership.get_level_display().lower()})"
        )
    return people, groups


def person_network_get(*, actor: User, pk: int, max_nodes: int = MAX_NODES) -> Network:
    """A person's associates with the evidence, and the graph out to associates of associates.

    ``Person.DoesNotExist`` when the person does not exist, is out of sight, or was merged (its
    arrests count for the survivor, whose network is the one to look at). Five queries whatever
    the size.
    """
    person = Person.objects.visible_to(actor).filter(pk=pk, merged_into__isnull=True).first()
    if person is None:
        raise Person.DoesNotExist("No such person.")
    direct = _associates(actor, person)
    hop1 = [pid for pid, _ in direct[: max_nodes - 1]]
    strength: dict[tuple[int, int], int] = {}
    for pid, events in direct:
        strength[(min(person.pk, pid), max(person.pk, pid))] = len(events)
    hop2_score: dict[int, int] = defaultdict(int)
    in_graph = {person.pk, *hop1}
    for spid, pid, shared in _edge_rows(actor, hop1):
        strength[(min(spid, pid), max(spid, pid))] = shared
        if pid not in in_graph:
            hop2_score[pid] += shared
    room = max_nodes - len(in_graph)
    hop2 = sorted(hop2_score, key=lambda pid: (-hop2_score[pid], pid))
    truncated = len(direct) > len(hop1) or len(hop2) > room
    hop2 = hop2[: max(room, 0)]
    hops = {person.pk: 0, **dict.fromkeys(hop1, 1), **dict.fromkeys(hop2, 2)}
    people, groups = _people(actor, {*(pid for pid, _ in direct), *hops})
    associates = [
        Associate(
            person=people[pid],
            shared_events=len(events),
            evidence=events,
            groups=groups.get(pid, []),
        )
        for pid, events in direct
        if pid in people
    ]
    shared_with_person = {pid: len(events) for pid, events in direct}
    nodes = [
        {
            "id": pid,
            "label": str(people[pid]),
            "hop": hop,
            "groups": groups.get(pid, []),
            "shared_events": shared_with_person.get(pid, 0),
        }
        for pid, hop in hops.items()
        if pid in people
    ]
    edges = [
        {"source": a, "target": b, "weight": shared}
        for (a, b), shared in sorted(strength.items())
        if a in hops and b in hops and a in people and b in people
    ]
    return Network(
        person=person, associates=associates, nodes=nodes, edges=edges, truncated=truncated
    )
