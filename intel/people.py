"""Reads about people for interfaces: search by any name, identifier or date of birth, the
person page (identity, why its records are linked, timeline) and the match review queue.

Search touches only indexed predicates, so it stays fast at millions of people: equality and
prefix ``LIKE 'SMI%'`` on the name keys' ``(last, first)`` index (``varchar_pattern_ops``),
equality on their phonetic keys, ``kind IN (...) AND value = ...`` on the identifiers' unique
index, and equality on ``Person.dob``. No leading wildcard, no function on a column.
Every result says why it matched; merged people are never results, their survivor is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Value
from django.http import Http404

from intel.models import (
    Arrest,
    ArrestCharge,
    CaseReferral,
    Challenge,
    GroupMembership,
    Incident,
    IntelRecord,
    MatchCandidate,
    Person,
    PersonIdentifier,
    PersonMerge,
    PersonNameKey,
    Shooting,
)
from intel.resolution.names import first_name_forms, parse_name, sound

# The strongest way a person matched, best first: results are ordered by it.
ROUTES = ["identifier", "name", "alias", "nickname", "prefix", "sound-alike", "swapped", "dob"]
_RANK = {route: rank for rank, route in enumerate(ROUTES)}
_NEVER = datetime.min.replace(tzinfo=UTC)
MAX_MERGE_HOPS = 10  # merges chain (A into B, B into C); a cycle must not loop forever
MAX_BORN = 2000  # more people than this on one date of birth: filter by join instead


@dataclass
class PersonMatch:
    """One person found by a search, with every reason they matched, the strongest first."""

    person: Person
    route: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class _Hit:
    person_id: int
    route: str
    reason: str


# ---------------------------------------------------------------------------------- search


def person_search(actor: Any, *, q: str = "", dob: date | None = None, identifier: str = "",
                  limit: int = 50) -> list[PersonMatch]:
    """People matching every criterion given: ``q`` a name in any form ("smith, jon",
    "Jon Smith", a surname prefix, a sound-alike, a nickname), ``identifier`` exactly (state ID,
    FBI number, booking number), ``dob`` exactly. At most ``limit`` people, distinct, merged
    people replaced by their survivor, best match first."""
    people = Person.objects.visible_to(actor)
    parsed = parse_name(q.strip()) if q.strip() else None
    identifier = identifier.strip()
    if people.query.is_empty() or not (parsed or dob or identifier):
        return []
    # Each criterion given must match; the date of birth narrows the others in SQL.
    criteria: list[list[_Hit]] = []
    restrict: set[int] | None = None
    if identifier:
        criteria.append(_identifier_hits(actor, identifier, dob))
        restrict = {h.person_id for h in criteria[-1]}
    if parsed:
        if dob and restrict is None:
            # The few people born that day drive the name lookup (through the name keys'
            # person index), instead of every SMITH being checked for the date.
            born = set(people.filter(dob=dob).order_by().values_list("id", flat=True)
                       [:MAX_BORN + 1])
            restrict = born if len(born) <= MAX_BORN else None
        swap_ok = "," not in q and bool(parsed.first)
        criteria.append(_name_hits(actor, parsed, swap_ok=swap_ok, dob=dob, restrict=restrict,
                                   limit=limit))
    if not criteria:  # the date of birth alone
        criteria.append([_Hit(pk, "dob", f"date of birth {dob:%Y-%m-%d}") for pk in
                         people.filter(dob=dob, merged_into__isnull=True)
                         .order_by("last_name", "first_name", "id")
                         .values_list("id", flat=True)[:limit]])
    found = _survivors(people, {h.person_id for hits in criteria for h in hits})
    matches: dict[int, PersonMatch] = {}
    met: list[set[int]] = []
    for hits in criteria:
        met.append(set())
        for hit in sorted(hits, key=lambda h: _RANK[h.route]):
            person = found.get(hit.person_id)
            if person is None or (dob and person.dob != dob):
                continue
            met[-1].add(person.pk)
            match = matches.setdefault(person.pk, PersonMatch(person, hit.route))
            reason = hit.reason
            if hit.person_id != person.pk:
                reason += f" (on person #{hit.person_id}, since merged into this person)"
            if reason not in match.reasons:
                match.reasons.append(reason)
    result = [matches[pk] for pk in set.intersection(*met)]
    if dob and (identifier or parsed):
        for match in result:
            match.reasons.append(f"date of birth {dob:%Y-%m-%d}")
    result.sort(key=lambda m: (_RANK[m.route], m.person.last_name, m.person.first_name,
                               m.person.pk))
    return result[:limit]


def _identifier_hits(actor: Any, identifier: str, dob: date | None) -> list[_Hit]:
    # Every kind is named so the lookup uses the (kind, value, issuer) unique index.
    rows = PersonIdentifier.objects.visible_to(actor).filter(
        kind__in=PersonIdentifier.Kind.values, value__in={identifier, identifier.upper()},
    ).select_related("issuing_agency")
    if dob:
        rows = rows.filter(person__dob=dob)
    hits = []
    for row in rows[:100]:
        issuer = f", issued by {row.issuing_agency}" if row.issuing_agency_id else ""
        hits.append(_Hit(row.person_id, "identifier",
                         f"identifier: {row.get_kind_display()} {row.value}{issuer}"))
    return hits


def _name_hits(actor: Any, parsed: Any, *, swap_ok: bool, dob: date | None,
               restrict: set[int] | None, limit: int) -> list[_Hit]:
    """One UNION ALL over the name keys, one part per route, each part index-backed and
    limited, so a common prefix never sorts the whole table."""
    last, first = parsed.last_key, parsed.first_key
    if not last:
        return []
    base = PersonNameKey.objects.visible_to(actor)
    if restrict is not None:
        base = base.filter(person_id__in=restrict)
    elif dob:
        base = base.filter(person__dob=dob)
    forms = first_name_forms(first) if first else frozenset()
    parts: list[tuple[str, Q]] = [
        ("name", Q(last=last, first=first) if first else Q(last=last)),
        ("prefix", Q(last__startswith=last, first__startswith=first) if first
         else Q(last__startswith=last)),
        ("sound-alike", Q(last_sound=sound(last), first_sound__in={sound(f) for f in forms})
         if first else Q(last_sound=sound(last))),
    ]
    if forms - {first}:
        parts.insert(1, ("nickname", Q(last=last, first__in=forms - {first})))
    if swap_ok:  # "SMITH JON" typed surname first, without the comma
        parts.append(("swapped", Q(last_sound=sound(first), first_sound=sound(last))))
    columns = ("person_id", "kind", "last", "first", "last_sound", "route")
    # No ORDER BY in the parts: the LIMIT then stops the index scan after `limit` rows instead
    # of sorting every SMITH (the pattern-ops index cannot give collation order anyway).
    # Results are put in order once they are people.
    queries = [base.filter(cond).order_by().annotate(route=Value(route))
               .values_list(*columns)[:limit] for route, cond in parts]
    rows = list(queries[0].union(*queries[1:], all=True))
    return _explain_names(actor, parsed, rows)


def _explain_names(actor: Any, parsed: Any, rows: list[tuple]) -> list[_Hit]:
    typed = parsed.display
    cited = _recorded_on(actor, rows)
    hits, seen = [], set()
    for person_id, kind, last, first, last_sound, route in sorted(
            (_exact_as_name(parsed, row) for row in rows), key=lambda r: _RANK[r[5]]):
        if (person_id, last, first) in seen:
            continue  # one name matched several ways: its best way says enough
        seen.add((person_id, last, first))
        name = f"{last}, {first}" if first else last
        where = cited.get((person_id, last, first), "")
        if kind == PersonNameKey.Kind.ALIAS:
            source = f"alias {name}"
        elif kind == PersonNameKey.Kind.RECORDED:
            source = f"name recorded as {name}{where or ' on a linked record'}"
        else:
            source = f"name {name}{where.replace(' on ', ' as recorded on ', 1)}"
        reason = {
            "name": source,
            "alias": source,
            "prefix": f"prefix: {source} starts with {typed}",
            "nickname": f"nickname: {parsed.first_key} and {first} are forms of one name; "
                        f"{source}",
            "sound-alike": f"sound-alike: {typed} sounds like {name} ({last_sound}); {source}",
            "swapped": f"swapped: {typed} read surname first is {name}; {source}",
        }[route]
        hits.append(_Hit(person_id, route, reason))
    return hits


def _exact_as_name(parsed: Any, row: tuple) -> tuple:
    """The prefix part also returns the exact name; an exact alias is an alias match."""
    person_id, kind, last, first, last_sound, route = row
    if route == "prefix" and (last, first) == (parsed.last_key, parsed.first_key or first):
        route = "name"
    if route == "name" and kind == PersonNameKey.Kind.ALIAS:
        route = "alias"
    return person_id, kind, last, first, last_sound, route


def _recorded_on(actor: Any, rows: list[tuple]) -> dict[tuple[int, str, str], str]:
    """" on arrest TCPD A123 (2024-03-01)" for each (person, last, first) among ``rows``: the
    newest arrest of the person whose recorded name has those keys."""
    wanted = {(r[0], r[2], r[3]) for r in rows if r[1] != PersonNameKey.Kind.ALIAS}
    if not wanted:
        return {}
    cited: dict[tuple[int, str, str], str] = {}
    arrests = (Arrest.objects.visible_to(actor).filter(person_id__in={w[0] for w in wanted})
               .order_by("-arrested_at", "-id")
               .values_list("person_id", "name_as_recorded", "source_agency__short_name",
                            "source_agency__name", "source_id", "arrested_at"))
    for person_id, recorded, short, agency, source_id, when in arrests:
        name = parse_name(recorded)
        key = (person_id, name.last_key, name.first_key) if name else None
        if key in wanted and key not in cited:
            cited[key] = f" on arrest {short or agency} {source_id} ({when:%Y-%m-%d})"
    return cited


def _survivors(people: QuerySet[Person], ids: Iterable[int]) -> dict[int, Person]:
    """Each id → the visible person it now is: itself, or the survivor of its merges."""
    ids = set(ids)
    found = {p.pk: p for p in people.filter(pk__in=ids)} if ids else {}
    for _ in range(MAX_MERGE_HOPS):
        need = {p.merged_into_id for p in found.values()
                if p.merged_into_id and p.merged_into_id not in found}
        if not need:
            break
        found.update({p.pk: p for p in people.filter(pk__in=need)})
    result = {}
    for pk in ids:
        person, hops = found.get(pk), 0
        while person is not None and person.merged_into_id and hops < MAX_MERGE_HOPS:
            person, hops = found.get(person.merged_into_id), hops + 1
        if person is not None and not person.is_merged:
            result[pk] = person
    return result


# ------------------------------------------------------------------------------ one person


def person_get(actor: Any, pk: int) -> Person:
    """The person with this id, merged or not (the caller sends a merged one on to
    ``person_survivor``); 404 when it does not exist or the actor may not see people."""
    person = Person.objects.visible_to(actor).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person.")
    return person


def person_survivor(actor: Any, person: Person) -> Person:
    """The person a merged record now lives on (following merges of merges); 404 if none."""
    survivor = _survivors(Person.objects.visible_to(actor), [person.pk]).get(person.pk)
    if survivor is None:
        raise Http404("No such person.")
    return survivor


@dataclass
class Source:
    """Where a fact came from: the agency, its id for the record, and the import that
    brought it."""

    agency: str
    source_id: str
    import_id: int | None = None


@dataclass
class TimelineEntry:
    at: datetime | None
    kind: str  # arrest, incident, shooting, case, intel, membership
    title: str
    details: list[str]
    source: Source
    obj: Any = None


def _arrests(actor: Any, person: Person) -> list[Arrest]:
    return list(
        Arrest.objects.visible_to(actor).filter(person=person)
        .select_related("source_agency", "person_link", "person_link__decided_by")
        .prefetch_related(Prefetch("charges", queryset=ArrestCharge.objects.order_by("sequence")))
        .order_by("-arrested_at", "-id"))


def _record_source(record: Any) -> Source:
    agency = record.source_agency
    return Source(agency.short_name or agency.name, record.source_id, record.data_import_id)


def _memberships(actor: Any, person: Person) -> list[GroupMembership]:
    """Approved memberships only: a pending one is not yet intelligence, and a removed one is
    no longer (28 CFR 23.20(h): what was taken out must not keep following the person)."""
    return list(GroupMembership.objects.visible_to(actor).filter(person=person)
                .filter(status=GroupMembership.Status.APPROVED)
                .select_related("group", "approved_by"))


def person_timeline(actor: Any, person: Person, arrests: list[Arrest] | None = None,
                    memberships: list[GroupMembership] | None = None) -> list[TimelineEntry]:
    """Everything known about the person, newest first, each entry citing its source: arrests
    with charges, incidents linked through those arrests, shootings as victim, case referrals,
    approved intelligence records and approved group memberships. Eight queries at most."""
    arrests = _arrests(actor, person) if arrests is None else arrests
    memberships = _memberships(actor, person) if memberships is None else memberships
    entries = []
    for a in arrests:
        charges = [f"{c.statute} {c.description}".strip() + f" ({c.get_severity_display()})"
                   for c in a.charges.all()]
        entries.append(TimelineEntry(a.arrested_at, "arrest", f"Arrested as {a.name_as_recorded}"
                                     if a.name_as_recorded else "Arrested",
                                     [*charges, a.address] if a.address else charges,
                                     _record_source(a), a))
    incidents = (Incident.objects.visible_to(actor).filter(arrests__person=person).distinct()
                 .select_related("source_agency"))
    for i in incidents:
        entries.append(TimelineEntry(
            i.occurred_at, "incident", i.offense_description or i.offense_code or "Incident",
            [i.get_category_display(), i.address] if i.address else [i.get_category_display()],
            _record_source(i), i))
    for s in Shooting.objects.visible_to(actor).filter(victim=person).select_related(
            "source_agency"):
        entries.append(TimelineEntry(s.occurred_at, "shooting",
                                     "Shot (fatal)" if s.fatal else "Shot, survived",
                                     [s.address] if s.address else [], _record_source(s), s))
    for c in CaseReferral.objects.visible_to(actor).filter(defendant=person).select_related(
            "source_agency"):
        entries.append(TimelineEntry(c.referred_at, "case", f"Case {c.case_number} referred",
                                     [c.get_status_display(), c.top_charge], _record_source(c), c))
    for r in (IntelRecord.objects.visible_to(actor)
              .filter(status=IntelRecord.Status.APPROVED, subject_person=person)
              .select_related("submitting_agency")):
        # The narrative is not shown here: opening the record is its own audited read.
        entries.append(TimelineEntry(
            r.approved_at or r.created_at, "intel", f"Intelligence record #{r.pk} approved",
            [f"Predicate: {r.get_predicate_category_display()}",
             f"Source {r.get_source_reliability_display()}, "
             f"content {r.get_content_validity_display()}", r.get_sensitivity_display()],
            Source(r.submitting_agency.short_name or r.submitting_agency.name, f"intel #{r.pk}"),
            r))
    for m in memberships:
        if m.status != GroupMembership.Status.APPROVED:
            continue
        entries.append(TimelineEntry(
            m.approved_at or m.created_at, "membership",
            f"{m.get_level_display()} of {m.group}",
            [f"Predicate: {m.get_predicate_category_display()}",
             f"Source: {m.get_source_type_display()}"],
            Source("CSU", f"membership #{m.pk}"), m))
    entries.sort(key=lambda e: (e.at is not None, e.at or _NEVER), reverse=True)
    return entries


@dataclass
class PersonProfile:
    """What the person page shows."""

    person: Person
    name_keys: list[PersonNameKey]
    aliases: list[Any]
    identifiers: list[PersonIdentifier]
    arrests: list[Arrest]
    timeline: list[TimelineEntry]
    memberships: list[GroupMembership]
    challenges: list[Challenge]
    merges: list[PersonMerge]


def person_profile(actor: Any, person: Person) -> PersonProfile:
    """The person page: identity, every name recorded, why each arrest is linked, the timeline,
    memberships, challenges and merge history, in a fixed number of queries (13 or so),
    however many records the person has."""
    arrests, memberships = _arrests(actor, person), _memberships(actor, person)
    # Only challenges to entries the actor can open: a challenge names its record.
    challenges = (Challenge.objects.visible_to(actor).filter(person=person)
                  .select_related("intel_record", "membership__group"))
    merges = (PersonMerge.objects.visible_to(actor).filter(Q(survivor=person) | Q(merged=person))
              .select_related("survivor", "merged", "merged_by", "unmerged_by"))
    return PersonProfile(
        person=person,
        name_keys=list(person.name_keys.order_by("kind", "last", "first")),
        aliases=list(person.aliases.all()),
        identifiers=list(person.identifiers.select_related("issuing_agency")),
        arrests=arrests,
        timeline=person_timeline(actor, person, arrests, memberships),
        memberships=memberships,
        challenges=list(challenges),
        merges=list(merges),
    )


def person_merge_get(actor: Any, pk: int) -> PersonMerge:
    """A merge to un-merge; 404 if it does not exist or the actor may not see merges."""
    merge = (PersonMerge.objects.visible_to(actor).filter(pk=pk)
             .select_related("survivor", "merged").first())
    if merge is None:
        raise Http404("No such merge.")
    return merge


# ---------------------------------------------------------------------------- review queue


@dataclass
class MatchGroup:
    """One arrest awaiting review, as recorded, and the people it may be, best first."""

    arrest: Arrest
    candidates: list[MatchCandidate]


def match_queue(actor: Any, *, page: Any = 1, per_page: int = 10) -> tuple[Page, list[MatchGroup]]:
    """Arrests with open candidates, best score first, one page of them with their candidates
    side by side (people with identifiers, names recorded and arrest counts)."""
    candidates = MatchCandidate.objects.visible_to(actor)
    if candidates.query.is_empty():
        arrests = Arrest.objects.none()
    else:
        arrests = (Arrest.objects.visible_to(actor)
                   .filter(match_candidates__status=MatchCandidate.Status.OPEN)
                   .annotate(best=Max("match_candidates__score"))
                   .order_by("-best", "-arrested_at", "id"))
    paged = Paginator(arrests, per_page).get_page(page)
    on_page = list(paged.object_list)
    if not on_page:
        return paged, []
    people = Person.objects.visible_to(actor).annotate(
        arrest_count=Count("arrests")).prefetch_related(
        Prefetch("identifiers", queryset=PersonIdentifier.objects.select_related(
            "issuing_agency")),
        Prefetch("name_keys", queryset=PersonNameKey.objects.order_by("kind", "last", "first")))
    by_arrest: dict[int, list[MatchCandidate]] = defaultdict(list)
    for c in (candidates.filter(arrest__in=on_page, status=MatchCandidate.Status.OPEN)
              .prefetch_related(Prefetch("person", queryset=people.select_related(
                  "merged_into")))
              .order_by("-score", "id")):
        by_arrest[c.arrest_id].append(c)
    arrests_full = {a.pk: a for a in Arrest.objects.visible_to(actor).filter(
                        pk__in=[a.pk for a in on_page])
                    .select_related("source_agency").prefetch_related(
                        Prefetch("charges", queryset=ArrestCharge.objects.order_by("sequence")))}
    return paged, [MatchGroup(arrests_full[a.pk], by_arrest[a.pk]) for a in on_page]


def match_candidate_get(actor: Any, pk: int) -> MatchCandidate:
    """An open or decided candidate; 404 if missing or not visible."""
    found = (MatchCandidate.objects.visible_to(actor).filter(pk=pk)
             .select_related("arrest", "person").first())
    if found is None:
        raise Http404("No such candidate.")
    return found


def match_arrest_get(actor: Any, pk: int) -> Arrest:
    """An arrest in the review queue (it has candidates); 404 otherwise."""
    if MatchCandidate.objects.visible_to(actor).query.is_empty():
        raise Http404("No such arrest.")
    found = (Arrest.objects.visible_to(actor).filter(pk=pk, match_candidates__isnull=False)
             .distinct().first())
    if found is None:
        raise Http404("No such arrest.")
    return found

