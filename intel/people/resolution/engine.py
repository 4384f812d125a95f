"""Entity resolution: which person each arrest is about.

For a batch of unresolved arrests, in one transaction:

1. **Blocking** (``blocking.py``, SQL): a temporary table of the batch's keys is joined to the name
   keys, dates of birth and identifiers of known people, so each arrest is only compared with
   people who share a phonetic name, a date of birth with a similar name, an exact surname with
   a nickname of the first name, or an identifier.
2. **Scoring** (``scoring.score``): named factors, summed.
3. **Decision**, arrest by arrest in the order they happened: a shared state ID or FBI number with
   a plausible score, or a score above ``AUTO_LINK`` clear of the runner-up, links; a score
   between ``REVIEW`` and ``AUTO_LINK`` (or two close candidates) goes to the review queue;
   anything lower starts a new person. People found or started earlier in the batch are
   candidates for later arrests (an in-memory index with the same keys), so a new person's
   second arrest joins the first.
4. **Writes** in bulk: people, links with their factors, arrests' person, the names and
   identifiers seen, review candidates, case defendants.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from csu import audit
from intel.models import Arrest, MatchCandidate, Person, PersonLink, PersonNameKey
from intel.people.resolution import blocking, store
from intel.people.resolution.blocking import (
    Record,
    index_keys,
    person_profiles,
    query_keys,
    record_from_row,
)
from intel.people.resolution.names import letters
from intel.people.resolution.scoring import (
    AUTO_LINK,
    REVIEW,
    Factor,
    Profile,
    probability,
    score,
)

# A runner-up this close to an auto-link is a question for an analyst, not for the machine.
CLEAR_MARGIN = 3.0
MAX_REVIEW_CANDIDATES = 5
_LOCK = 0x43535552  # one resolution run at a time: two runs could start the same person twice


@dataclass
class ResolutionSummary:
    arrests: int = 0
    identifier: int = 0
    auto: int = 0
    review: int = 0
    new_people: int = 0
    seconds: float = 0.0


@dataclass(eq=False)
class _Cluster:
    """A person as known during this run: an existing person, or one this batch starts."""

    profile: Profile
    person_id: int | None = None
    founder: Record | None = None
    arrest_ids: list[int] = field(default_factory=list)


def _absorb(cluster: _Cluster, record: Record) -> None:
    """What the linked arrest adds to the person as known in this run."""
    prof = cluster.profile
    known = {(letters(n.last), letters(n.first)) for n in prof.names}
    if (letters(record.name.last), letters(record.name.first)) not in known:
        prof.names.append(record.name)
    prof.dob = prof.dob or record.profile.dob
    prof.sex = prof.sex or record.profile.sex
    prof.race = prof.race or record.profile.race
    for kind, values in record.profile.ids.items():
        prof.ids.setdefault(kind, set()).update(values)
    prof.addresses |= record.profile.addresses
    cluster.arrest_ids.append(record.arrest_id)


@dataclass
class _Decision:
    record: Record
    method: str
    cluster: _Cluster | None = None
    weight: float = 0.0
    factors: list[Factor] = field(default_factory=list)
    candidates: list[tuple[_Cluster, float, list[Factor]]] = field(default_factory=list)


def _decide(record: Record, scored: list[tuple[_Cluster, float, list[Factor]]]) -> _Decision:
    scored.sort(key=lambda s: -s[1])
    if not scored or scored[0][1] < REVIEW:
        best = scored[0] if scored else None
        return _Decision(
            record,
            PersonLink.Method.NEW,
            factors=best[2] if best else [],
            weight=best[1] if best else 0.0,
        )
    cluster, weight, factors = scored[0]
    runner_up = scored[1][1] if len(scored) > 1 else float("-inf")
    shared_id = any(f.weight >= 10 and f.factor in ("state ID", "FBI number") for f in factors)
    clear = weight - runner_up >= CLEAR_MARGIN
    if shared_id and clear:
        return _Decision(record, PersonLink.Method.IDENTIFIER, cluster, weight, factors)
    if weight >= AUTO_LINK and clear:
        return _Decision(record, PersonLink.Method.AUTO, cluster, weight, factors)
    return _Decision(
        record, "review", candidates=[s for s in scored[:MAX_REVIEW_CANDIDATES] if s[1] >= REVIEW]
    )


def _unresolved(arrest_ids: Sequence[int] | None) -> list[Record]:
    queued = MatchCandidate.objects.filter(status=MatchCandidate.Status.OPEN).values("arrest_id")
    qs = (
        Arrest.objects.filter(person__isnull=True)
        .exclude(pk__in=queued)
        .exclude(Q(name_as_recorded=""))
        .order_by("arrested_at", "id")
    )
    if arrest_ids is not None:
        qs = qs.filter(pk__in=list(arrest_ids))
    rows = qs.values_list(
        "pk",
        "source_agency_id",
        "name_as_recorded",
        "dob_as_recorded",
        "sex",
        "race",
        "state_id_as_recorded",
        "fbi_number_as_recorded",
        "booking_number",
        "address",
    )
    return [r for r in (record_from_row(row) for row in rows.iterator(chunk_size=5000)) if r]


@transaction.atomic
def resolve_arrests(
    *, actor: Any = None, arrest_ids: Sequence[int] | None = None
) -> ResolutionSummary:
    """Resolve the given arrests (default: every unresolved arrest) to people."""
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
    records = _unresolved(arrest_ids)
    summary = ResolutionSummary(arrests=len(records))
    if not records:
        return summary
    db_candidates = blocking.db_candidates(records)
    clusters = {pk: _Cluster(profile=prof, person_id=pk) for pk, prof in person_profiles().items()}
    # Blocking key -> the people found or started in this run under it (a dict: an ordered set).
    index: dict[tuple, dict[_Cluster, None]] = defaultdict(dict)

    def index_add(cluster: _Cluster, record: Record, had_dob: bool) -> None:
        """Index what this arrest added: its name and identifiers, or every name when it just
        gave the person a date of birth."""
        names = cluster.profile.names if had_dob != bool(cluster.profile.dob) else [record.name]
        for key in index_keys(
            Profile(names=names, dob=cluster.profile.dob, ids=record.profile.ids)
        ):
            index[key][cluster] = None

    decisions: list[_Decision] = []
    for record in records:
        seen = {
            clusters[pk]: None for pk in db_candidates.get(record.arrest_id, ()) if pk in clusters
        }
        for key in query_keys(record.profile):
            seen.update(index.get(key, {}))
        scored = [(c, *score(record.profile, c.profile)) for c in seen]
        decision = _decide(record, scored)
        if decision.method == PersonLink.Method.NEW:
            decision.cluster = _Cluster(profile=Profile(names=[], addresses=set()), founder=record)
        if decision.cluster is not None:
            had_dob = decision.cluster.profile.dob is not None
            _absorb(decision.cluster, record)
            index_add(decision.cluster, record, had_dob)
        decisions.append(decision)
    _write(decisions, actor)
    for d in decisions:
        if d.method == PersonLink.Method.IDENTIFIER:
            summary.identifier += 1
        elif d.method == PersonLink.Method.AUTO:
            summary.auto += 1
        elif d.method == PersonLink.Method.NEW:
            summary.new_people += 1
        else:
            summary.review += 1
    summary.seconds = time.perf_counter() - started
    audit.audit_log(
        actor=actor,
        action=audit.PEOPLE_RESOLVED,
        component="entity-resolution",
        arrests=summary.arrests,
        identifier=summary.identifier,
        auto=summary.auto,
        review=summary.review,
        new_people=summary.new_people,
    )
    return summary


def _copy_in(
    cur: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence], conflict: str = ""
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


def _write(decisions: list[_Decision], actor: Any) -> None:
    now = timezone.now()
    founders = [d.cluster for d in decisions if d.method == PersonLink.Method.NEW]
    for cluster, person in zip(
        founders,
        Person.objects.bulk_create(
            [
                store.person_from_name(
                    c.founder.name, dob=c.profile.dob, sex=c.profile.sex, race=c.profile.race
                )
                for c in founders
            ],
            batch_size=store.BATCH,
        ),
        strict=True,
    ):
        cluster.person_id = person.pk
    links, keys, idents, candidates = [], [], [], []
    actor_id = getattr(actor, "pk", None)
    for d in decisions:
        if d.cluster is None:
            candidates.extend(
                (
                    d.record.arrest_id,
                    c.person_id,
                    round(probability(w), 4),
                    json.dumps([f.as_dict() for f in fs]),
                    MatchCandidate.Status.OPEN,
                    now,
                )
                for c, w, fs in d.candidates
            )
            continue
        pid = d.cluster.person_id
        factors = [f.as_dict() for f in d.factors]
        if d.method == PersonLink.Method.NEW:
            best = (
                f"best candidate scored {probability(d.weight):.0%}"
                if d.factors
                else "no one with a similar name, date of birth or identifier"
            )
            factors = [{"factor": "no match", "detail": best, "weight": 0}]
        links.append(
            (
                d.record.arrest_id,
                pid,
                d.method,
                None if d.method == PersonLink.Method.NEW else round(probability(d.weight), 4),
                json.dumps(factors),
                actor_id,
                now,
            )
        )
        kind = (
            PersonNameKey.Kind.PRIMARY
            if d.cluster.founder is d.record
            else PersonNameKey.Kind.RECORDED
        )
        key = store.name_key(pid, d.record.name, kind)
        if key is not None:
            keys.append((pid, key.kind, key.last, key.first, key.last_sound, key.first_sound))
        idents.extend(
            (pid, k, v[:64], d.record.agency_id if k == "booking_number" else None)
            for k, vs in d.record.profile.ids.items()
            for v in vs
        )
    with connection.cursor() as cur:
        _copy_in(
            cur,
            "intel_personlink",
            ("arrest_id", "person_id", "method", "score", "factors", "decided_by_id", "created_at"),
            links,
        )
        cur.execute("""UPDATE intel_arrest a SET person_id = l.person_id
                         FROM intel_personlink l
                        WHERE l.arrest_id = a.id AND a.person_id IS NULL""")
        # Fill what a known person lacked from what the new arrests recorded, and give cases
        # on these arrests their defendant.
        cur.execute(
            """UPDATE intel_person p SET dob = a.dob_as_recorded
                         FROM intel_arrest a JOIN intel_personlink l ON l.arrest_id = a.id
                        WHERE a.person_id = p.id AND p.dob IS NULL AND l.created_at = %s
                          AND a.dob_as_recorded IS NOT NULL""",
            [now],
        )
        cur.execute(
            """UPDATE intel_casereferral c SET defendant_id = a.person_id
                         FROM intel_arrest a JOIN intel_personlink l ON l.arrest_id = a.id
                        WHERE c.arrest_id = a.id AND c.defendant_id IS NULL
                          AND l.created_at = %s""",
            [now],
        )
        _copy_in(
            cur,
            "intel_personnamekey",
            ("person_id", "kind", "last", "first", "last_sound", "first_sound"),
            keys,
            conflict="y",
        )
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
            ("arrest_id", "person_id", "score", "factors", "status", "created_at"),
            candidates,
            conflict="y",
        )
