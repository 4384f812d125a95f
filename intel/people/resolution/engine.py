"""Entity resolution: which person each arrest, shooting victim and case defendant is about.

The three are records of one resolver, each from its ``Source``: the arrestee as the police
recorded them, a victim as a shootings extract names them, the defendant of a case referral.
For a batch of unresolved records, in one transaction:

1. **Blocking** (``blocking.py``, SQL): a temporary table of the batch's keys is joined to the name
   keys, dates of birth and identifiers of known people, so each record is only compared with
   people who share a phonetic name, a date of birth with a similar name, an exact surname with
   a nickname of the first name, or an identifier.
2. **Scoring** (``scoring.score``): named factors, summed.
3. **Decision**, record by record (arrests in the order they happened, then case defendants, then
   shooting victims): a shared state ID or FBI number with a plausible score, or a score above
   ``AUTO_LINK`` clear of the runner-up, links; a score between ``REVIEW`` and ``AUTO_LINK`` (or
   two close candidates) goes to the review queue; anything lower starts a new person. People
   found or started earlier in the batch are candidates for later records (an in-memory index
   with the same keys), so a new person's second arrest joins the first. A case whose arrest is
   resolved (before the run or earlier in it) takes that arrest's person instead ("arrest").
4. **Writes** in bulk (``write.py``): people, links with their factors and the record they came
   from, each record's person (``Arrest.person``, ``ShootingVictim.person`` and its shooting's
   first victim, ``CaseReferral.defendant``), the names and identifiers seen, review candidates,
   and the defendants of cases on the arrests just linked.
The records of a run and where each comes from are in ``batch.py``.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from django.db import connection, transaction

from csu import audit
from csu.models import User
from intel.models import PersonLink
from intel.people.resolution import blocking
from intel.people.resolution.batch import (
    ARREST,
    CASE,
    VICTIM,
    Cluster,
    Decision,
    Origin,
    unresolved_records,
)
from intel.people.resolution.blocking import (
    BlockingKey,
    Record,
    index_keys,
    person_profiles,
    query_keys,
)
from intel.people.resolution.names import letters
from intel.people.resolution.scoring import (
    AUTO_LINK,
    REVIEW,
    Factor,
    Profile,
    Surnames,
    score,
    weigh,
)
from intel.people.resolution.write import write_decisions

# A runner-up this close to an auto-link is a question for an analyst, not for the machine.
CLEAR_MARGIN = 3.0
MAX_REVIEW_CANDIDATES = 5
_LOCK = 0x43535552  # one resolution run at a time: two runs could start the same person twice


@dataclass
class ResolutionSummary:
    """What a run took and decided. ``arrests``, ``victims`` and ``defendants`` count the records
    of each source it took; the decisions (``identifier`` ... ``via_arrest``) count them all."""

    arrests: int = 0
    identifier: int = 0
    auto: int = 0
    review: int = 0
    new_people: int = 0
    seconds: float = 0.0
    victims: int = 0
    defendants: int = 0
    via_arrest: int = 0  # defendants who are the person of their case's arrest
    cases_with_arrest: int = 0  # cases tied to their arrest by its number before the run

    @property
    def records(self) -> int:
        return self.arrests + self.victims + self.defendants

    def counts(self) -> dict[str, int]:
        """The counts to report: the arrests and the decisions always, victims, defendants and
        the cases tied to their arrest when the run had any."""
        counts = {
            "arrests": self.arrests,
            "identifier": self.identifier,
            "auto": self.auto,
            "review": self.review,
            "new_people": self.new_people,
        }
        extra = ("victims", "defendants", "via_arrest", "cases_with_arrest")
        counts.update({name: getattr(self, name) for name in extra if getattr(self, name)})
        return counts

    def taken(self) -> str:
        """The records the run took, in words: "5 arrests", "12 shooting victims"."""
        parts = [
            f"{n:,} {label}{'' if n == 1 else 's'}"
            for n, label in (
                (self.arrests, "arrest"),
                (self.victims, "shooting victim"),
                (self.defendants, "case defendant"),
            )
            if n
        ]
        return ", ".join(parts) or "0 records"


def _absorb(cluster: Cluster, record: Record) -> None:
    """What the linked record adds to the person as known in this run."""
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
    cluster.record_keys.append(record.key)


def _decide(
    record: Record,
    weighed: list[tuple[Cluster, float]],
    explain: Callable[[Cluster], list[Factor]],
) -> Decision:
    """Link, review or a new person, from each candidate's summed weight; ``explain`` words the
    factors of a candidate, asked only of the few a decision names."""
    weighed.sort(key=lambda s: -s[1])
    if not weighed or weighed[0][1] < REVIEW:
        best = weighed[0] if weighed else None
        return Decision(
            record,
            PersonLink.Method.NEW,
            factors=explain(best[0]) if best else [],
            weight=best[1] if best else 0.0,
        )
    cluster, weight = weighed[0]
    factors = explain(cluster)
    runner_up = weighed[1][1] if len(weighed) > 1 else float("-inf")
    shared_id = any(f.weight >= 10 and f.factor in ("state ID", "FBI number") for f in factors)
    clear = weight - runner_up >= CLEAR_MARGIN
    if shared_id and clear:
        return Decision(record, PersonLink.Method.IDENTIFIER, cluster, weight, factors)
    if weight >= AUTO_LINK and clear:
        return Decision(record, PersonLink.Method.AUTO, cluster, weight, factors)
    return Decision(
        record,
        "review",
        candidates=[
            (c, w, factors if c is cluster else explain(c))
            for c, w in weighed[:MAX_REVIEW_CANDIDATES]
            if w >= REVIEW
        ],
    )


def _factors(rec: Profile, surnames: Surnames | None, cluster: Cluster) -> list[Factor]:
    return score(rec, cluster.profile, surnames)[1]


def _arrest_factor(origin: Origin) -> Factor:
    return Factor("arrest", f"the case names arrest {origin.arrest_label}: its person", 0.0)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the run, on again after it. A run builds about a
    million small objects (profiles, names, factors) that live until it ends and hold no
    cycles, so reference counting frees them; the collector would only walk them again and
    again as they accumulate (a dozen full passes, about 40 % of a 10,000-arrest run)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@transaction.atomic
def resolve_records(
    *,
    actor: User,
    arrest_ids: Sequence[int] | None = None,
    victim_ids: Sequence[int] | None = None,
    case_ids: Sequence[int] | None = None,
) -> ResolutionSummary:
    """Resolve unresolved arrests, shooting victims and case defendants to people, by one set of
    rules. For each source, the ids to take (default: every unresolved record of it; an empty
    list: none). Records already linked or waiting in the review queue are left alone.
    ``actor`` is who asked (the system actor for imports and the command): it is named on the
    links the run decides and in the audit trail."""
    with _collector_paused():
        return _resolve(actor, arrest_ids, victim_ids, case_ids)


def _resolve(
    actor: User,
    arrest_ids: Sequence[int] | None,
    victim_ids: Sequence[int] | None,
    case_ids: Sequence[int] | None,
) -> ResolutionSummary:
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
    records, origins = unresolved_records(arrest_ids, victim_ids, case_ids)
    summary = ResolutionSummary()
    if not records:
        return summary
    # A defendant whose arrest was resolved before the run needs no comparing, nor one without
    # a name (their arrest may still be resolved in this run).
    compared = [
        r
        for r, o in zip(records, origins, strict=True)
        if r.profile.names and not o.arrest_person_id
    ]
    db_candidates = blocking.db_candidates(compared) if compared else {}
    surnames = blocking.surnames(compared) if compared else None
    # The people blocking found, not merged into another: the only known people compared.
    known = person_profiles() if compared else {}
    clusters = {pk: Cluster(profile=prof, person_id=pk) for pk, prof in known.items()}
    # Blocking key -> the people found or started in this run under it (a dict: an ordered set).
    index: dict[BlockingKey, dict[Cluster, None]] = defaultdict(dict)
    # Arrests decided in this run -> the person they were linked to or started.
    arrest_clusters: dict[int, Cluster] = {}

    def index_add(cluster: Cluster, record: Record, had_dob: bool) -> None:
        """Index what this record added: its name and identifiers, or every name when it just
        gave the person a date of birth."""
        names = cluster.profile.names if had_dob != bool(cluster.profile.dob) else [record.name]
        for key in index_keys(
            Profile(names=names, dob=cluster.profile.dob, ids=record.profile.ids)
        ):
            index[key][cluster] = None

    def of_arrest(origin: Origin) -> Cluster | None:
        """The person of a case's arrest, when the arrest is resolved."""
        if origin.arrest_id in arrest_clusters:
            return arrest_clusters[origin.arrest_id]
        if origin.arrest_person_id is None:
            return None
        if origin.arrest_person_id not in clusters:
            # Not a candidate of anyone in the batch: known by what this run adds.
            clusters[origin.arrest_person_id] = Cluster(
                profile=Profile(names=[]), person_id=origin.arrest_person_id
            )
        return clusters[origin.arrest_person_id]

    decisions: list[Decision] = []
    for record, origin in zip(records, origins, strict=True):
        via = of_arrest(origin) if origin.source is CASE else None
        if via is not None:
            decision = Decision(
                record, PersonLink.Method.ARREST, via, factors=[_arrest_factor(origin)]
            )
        elif not record.profile.names:
            continue  # no name, and an arrest not resolved yet: its resolution will tell
        else:
            seen = {clusters[pk]: None for pk in db_candidates.get(record.key, ()) if pk in known}
            for key in query_keys(record.profile):
                seen.update(index.get(key, {}))
            decision = _decide(
                record,
                [(c, weigh(record.profile, c.profile, surnames)) for c in seen],
                partial(_factors, record.profile, surnames),
            )
        if decision.method == PersonLink.Method.NEW:
            decision.cluster = Cluster(profile=Profile(names=[], addresses=set()), founder=record)
        if decision.cluster is not None and record.profile.names:
            had_dob = decision.cluster.profile.dob is not None
            _absorb(decision.cluster, record)
            index_add(decision.cluster, record, had_dob)
        if origin.source is ARREST and decision.cluster is not None:
            arrest_clusters[origin.pk] = decision.cluster
        decisions.append(decision)
    write_decisions(decisions, origins, actor)
    for d in decisions:
        source = origins[d.record.key].source
        if source is ARREST:
            summary.arrests += 1
        elif source is VICTIM:
            summary.victims += 1
        else:
            summary.defendants += 1
        if d.method == PersonLink.Method.IDENTIFIER:
            summary.identifier += 1
        elif d.method == PersonLink.Method.AUTO:
            summary.auto += 1
        elif d.method == PersonLink.Method.NEW:
            summary.new_people += 1
        elif d.method == PersonLink.Method.ARREST:
            summary.via_arrest += 1
        else:
            summary.review += 1
    summary.seconds = time.perf_counter() - started
    audit.audit_log(
        actor=actor,
        action=audit.PEOPLE_RESOLVED,
        component="entity-resolution",
        arrests=summary.arrests,
        victims=summary.victims,
        defendants=summary.defendants,
        identifier=summary.identifier,
        auto=summary.auto,
        review=summary.review,
        new_people=summary.new_people,
        via_arrest=summary.via_arrest,
    )
    return summary


def resolve_arrests(*, actor: User, arrest_ids: Sequence[int] | None = None) -> ResolutionSummary:
    """Resolve the given arrests (default: every unresolved arrest) to people, and no other
    record: ``resolve_records`` with arrests only."""
    return resolve_records(actor=actor, arrest_ids=arrest_ids, victim_ids=[], case_ids=[])
