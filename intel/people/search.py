"""Reads about people for interfaces: search by any name, identifier or date of birth, the
person page (identity, why its records are linked, timeline) and the match review queue.

Search touches only indexed predicates, so it stays fast at millions of people: equality and
prefix ``LIKE 'SMI%'`` on the name keys' ``(last, first)`` index (``varchar_pattern_ops``),
equality on their phonetic keys, ``kind IN (...) AND value = ...`` on the identifiers' unique
index, and equality on ``Person.dob``. No leading wildcard, no function on a column.
Every result says why it matched; merged people are never results, their survivor is.
One person's page, merges and the review queue are read in ``selectors.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet, Value

from csu.models import User
from intel.models import (
    Arrest,
    Person,
    PersonIdentifier,
    PersonNameKey,
)
from intel.people.resolution.names import ParsedName, first_name_forms, parse_name, sound

# The strongest way a person matched, best first: results are ordered by it.
ROUTES = ["identifier", "name", "alias", "nickname", "prefix", "sound-alike", "swapped", "dob"]
_RANK = {route: rank for rank, route in enumerate(ROUTES)}
MAX_MERGE_HOPS = 10  # merges chain (A into B, B into C); a cycle must not loop forever
MAX_BORN = 2000  # more people than this on one date of birth: filter by join instead
# A name key found by the search: (person id, kind, last, first, last_sound, route).
_NameRow = tuple[int, str, str, str, str, str]


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


def person_search(
    *, actor: User, q: str = "", dob: date | None = None, identifier: str = "", limit: int = 50
) -> list[PersonMatch]:
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
            born = set(
                people.filter(dob=dob).order_by().values_list("id", flat=True)[: MAX_BORN + 1]
            )
            restrict = born if len(born) <= MAX_BORN else None
        swap_ok = "," not in q and bool(parsed.first)
        criteria.append(
            _name_hits(actor, parsed, swap_ok=swap_ok, dob=dob, restrict=restrict, limit=limit)
        )
    if not criteria:  # the date of birth alone
        criteria.append(
            [
                _Hit(pk, "dob", f"date of birth {dob:%Y-%m-%d}")
                for pk in people.filter(dob=dob, merged_into__isnull=True)
                .order_by("last_name", "first_name", "id")
                .values_list("id", flat=True)[:limit]
            ]
        )
    found = survivors(people, {h.person_id for hits in criteria for h in hits})
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
    result.sort(
        key=lambda m: (_RANK[m.route], m.person.last_name, m.person.first_name, m.person.pk)
    )
    return result[:limit]


def _identifier_hits(actor: User, identifier: str, dob: date | None) -> list[_Hit]:
    # Every kind is named so the lookup uses the (kind, value, issuer) unique index.
    rows = (
        PersonIdentifier.objects.visible_to(actor)
        .filter(
            kind__in=PersonIdentifier.Kind.values,
            value__in={identifier, identifier.upper()},
        )
        .select_related("issuing_agency")
    )
    if dob:
        rows = rows.filter(person__dob=dob)
    hits = []
    for row in rows[:100]:
        issuer = f", issued by {row.issuing_agency}" if row.issuing_agency_id else ""
        hits.append(
            _Hit(
                row.person_id,
                "identifier",
                f"identifier: {row.get_kind_display()} {row.value}{issuer}",
            )
        )
    return hits


def _name_hits(
    actor: User,
    parsed: ParsedName,
    *,
    swap_ok: bool,
    dob: date | None,
    restrict: set[int] | None,
    limit: int,
) -> list[_Hit]:
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
        (
            "prefix",
            Q(last__startswith=last, first__startswith=first)
            if first
            else Q(last__startswith=last),
        ),
        (
            "sound-alike",
            Q(last_sound=sound(last), first_sound__in={sound(f) for f in forms})
            if first
            else Q(last_sound=sound(last)),
        ),
    ]
    if forms - {first}:
        parts.insert(1, ("nickname", Q(last=last, first__in=forms - {first})))
    if swap_ok:  # "SMITH JON" typed surname first, without the comma
        parts.append(("swapped", Q(last_sound=sound(first), first_sound=sound(last))))
    columns = ("person_id", "kind", "last", "first", "last_sound", "route")
    # No ORDER BY in the parts: the LIMIT then stops the index scan after `limit` rows instead
    # of sorting every SMITH (the pattern-ops index cannot give collation order anyway).
    # Results are put in order once they are people.
    queries = [
        base.filter(cond).order_by().annotate(route=Value(route)).values_list(*columns)[:limit]
        for route, cond in parts
    ]
    rows = list(queries[0].union(*queries[1:], all=True))
    return _explain_names(actor, parsed, rows)


def _explain_names(actor: User, parsed: ParsedName, rows: list[_NameRow]) -> list[_Hit]:
    typed = parsed.display
    cited = _recorded_on(actor, rows)
    hits, seen = [], set()
    for person_id, kind, last, first, last_sound, route in sorted(
        (_exact_as_name(parsed, row) for row in rows), key=lambda r: _RANK[r[5]]
    ):
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
            "nickname": f"nickname: {parsed.first_key} and {first} are forms of one name; {source}",
            "sound-alike": f"sound-alike: {typed} sounds like {name} ({last_sound}); {source}",
            "swapped": f"swapped: {typed} read surname first is {name}; {source}",
        }[route]
        hits.append(_Hit(person_id, route, reason))
    return hits


def _exact_as_name(parsed: ParsedName, row: _NameRow) -> _NameRow:
    """The prefix part also returns the exact name; an exact alias is an alias match."""
    person_id, kind, last, first, last_sound, route = row
    if route == "prefix" and (last, first) == (parsed.last_key, parsed.first_key or first):
        route = "name"
    if route == "name" and kind == PersonNameKey.Kind.ALIAS:
        route = "alias"
    return person_id, kind, last, first, last_sound, route


def _recorded_on(actor: User, rows: list[_NameRow]) -> dict[tuple[int, str, str], str]:
    """ " on arrest TCPD A123 (2024-03-01)" for each (person, last, first) among ``rows``: the
    newest arrest of the person whose recorded name has those keys."""
    wanted = {(r[0], r[2], r[3]) for r in rows if r[1] != PersonNameKey.Kind.ALIAS}
    if not wanted:
        return {}
    cited: dict[tuple[int, str, str], str] = {}
    arrests = (
        Arrest.objects.visible_to(actor)
        .filter(person_id__in={w[0] for w in wanted})
        .order_by("-arrested_at", "-id")
        .values_list(
            "person_id",
            "name_as_recorded",
            "source_agency__short_name",
            "source_agency__name",
            "source_id",
            "arrested_at",
        )
    )
    for person_id, recorded, short, agency, source_id, when in arrests:
        name = parse_name(recorded)
        key = (person_id, name.last_key, name.first_key) if name else None
        if key in wanted and key not in cited:
            cited[key] = f" on arrest {short or agency} {source_id} ({when:%Y-%m-%d})"
    return cited


def survivors(people: QuerySet[Person], ids: Iterable[int]) -> dict[int, Person]:
    """Each id → the visible person it now is: itself, or the survivor of its merges."""
    ids = set(ids)
    found = {p.pk: p for p in people.filter(pk__in=ids)} if ids else {}
    for _ in range(MAX_MERGE_HOPS):
        need = {
            p.merged_into_id
            for p in found.values()
            if p.merged_into_id and p.merged_into_id not in found
        }
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
