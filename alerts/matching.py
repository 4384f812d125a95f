"""Which watch entries a batch of arrests matches, and why: set-based, for a whole import.

Person entries, strongest evidence first (an entry a stronger path matched is not matched
again by a weaker one):

a. **identifier**: the entry's state ID is the arrest's state ID as recorded (compared as
   upper-case letters and digits);
b. **linked person**: the entry's person is the person entity resolution linked the arrest to
   (following merges on both sides: a person merged into another is that other);
c. **name + DOB**: entries on people not linked to a person record, blocked on the date of
   birth (exact, day and month swapped, or one digit slipped) and phonetic name keys (the
   entity resolution's metaphone keys and nickname forms, first and last swapped too), then
   scored with the entity resolution's factors (rapidfuzz); only a match probability at or
   above ``ALERTS_NAME_DOB_THRESHOLD`` alerts, and the match says its score and factors.

Charge entries match a charge of the arrest (a statute or offense-code prefix, compared
without spaces and punctuation, the description, or the offense category); place entries
match the arrest's zone, a radius around a point (a bounding box in SQL, then the haversine
distance) or the address (normalised). Only active entries not past their expiry, on lists
neither paused nor below a paused list, ever match.
"""

from __future__ import annotations

import calendar
import gc
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from intel.choices import OffenseCategory
from intel.people.resolution.blocking import transposed
from intel.people.resolution.names import ParsedName, first_name_forms, letters, parse_name, sound
from intel.people.resolution.scoring import Profile, probability, score

EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Match:
    """One entry an arrest matched: ``type`` person, charge or place; ``how`` says on what
    ("state ID", "linked person", "name + DOB", "charge PL 265.03", "within 300 m",
    "zone 32", "address …"); ``score`` is the name + DOB match probability (1.0 otherwise)."""

    arrest_id: int
    entry_id: int
    list_id: int
    type: str
    how: str
    score: float = 1.0
    factors: tuple[dict[str, Any], ...] = field(default=(), compare=False)


def name_dob_threshold() -> float:
    return float(settings.ALERTS_NAME_DOB_THRESHOLD)


# The entries that may match: active, not expired, on a list neither paused nor below a paused
# list (a category paused pauses its groups). ``%(now)s`` is the moment of matching.
_LIVE = """
    e.status = 'active' AND e.expires_at > %(now)s
    AND e.watch_list_id IN (
        SELECT l.id FROM alerts_watchlist l
          LEFT JOIN alerts_watchlist l2 ON l2.id = l.parent_id
          LEFT JOIN alerts_watchlist l3 ON l3.id = l2.parent_id
         WHERE l.paused_at IS NULL AND l2.paused_at IS NULL AND l3.paused_at IS NULL
    )
"""

_ID_NORM = "upper(regexp_replace({}, '[^A-Za-z0-9]', '', 'g'))"

IDENTIFIER_SQL = f"""
SELECT a.id, e.id, e.watch_list_id
  FROM intel_arrest a
  JOIN alerts_watchentry e
    ON {_ID_NORM.format("e.state_id")} = {_ID_NORM.format("a.state_id_as_recorded")}
 WHERE a.id = ANY(%(ids)s) AND a.state_id_as_recorded <> '' AND e.kind = 'person'
   AND e.state_id <> '' AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters

# The person a record is about, following merges (two levels: a merge of a merged person).
LINK_SQL = f"""
WITH arrested AS (
    SELECT a.id AS arrest_id, COALESCE(p2.merged_into_id, p1.merged_into_id, p1.id) AS person_id
      FROM intel_arrest a
      JOIN intel_person p1 ON p1.id = a.person_id
      LEFT JOIN intel_person p2 ON p2.id = p1.merged_into_id
     WHERE a.id = ANY(%(ids)s)
), watched AS (
    SELECT e.id AS entry_id, e.watch_list_id,
           COALESCE(p2.merged_into_id, p1.merged_into_id, p1.id) AS person_id
      FROM alerts_watchentry e
      JOIN intel_person p1 ON p1.id = e.person_id
      LEFT JOIN intel_person p2 ON p2.id = p1.merged_into_id
     WHERE e.kind = 'person' AND {_LIVE}
)
SELECT r.arrest_id, w.entry_id, w.watch_list_id
  FROM arrested r JOIN watched w ON w.person_id = r.person_id
"""  # noqa: S608 - constant fragments only, values are parameters

ARRESTS_SQL = """
SELECT id, name_as_recorded, dob_as_recorded, sex, race, state_id_as_recorded
  FROM intel_arrest WHERE id = ANY(%(ids)s) AND name_as_recorded <> ''
     AND dob_as_recorded IS NOT NULL
"""

NAMED_ENTRIES_SQL = f"""
SELECT e.id, e.watch_list_id, e.last_name, e.first_name, e.dob, e.state_id
  FROM alerts_watchentry e
 WHERE e.kind = 'person' AND e.person_id IS NULL AND e.last_name <> ''
   AND e.dob = ANY(%(dobs)s) AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters

_CHARGE_NORM = "regexp_replace(upper({}), '[^A-Z0-9]', '', 'g')"

CHARGE_SQL = f"""
WITH entries AS MATERIALIZED (
    SELECT e.id, e.watch_list_id, e.charge, {_CHARGE_NORM.format("e.charge")} AS code,
           %(labels)s::jsonb ->> lower(btrim(e.charge)) AS category
      FROM alerts_watchentry e
     WHERE e.kind = 'charge' AND e.charge <> '' AND {_LIVE}
), charges AS MATERIALIZED (
    SELECT c.arrest_id, {_CHARGE_NORM.format("c.statute")} AS statute,
           {_CHARGE_NORM.format("c.offense_code")} AS offense_code,
           {_CHARGE_NORM.format("c.description")} AS description, c.category
      FROM intel_arrestcharge c WHERE c.arrest_id = ANY(%(ids)s)
), codes AS (
    -- Every prefix of each code, so that an entry's code matches by equality (a hash join).
    SELECT arrest_id, left(statute, n) AS code
      FROM charges, generate_series(1, length(statute)) AS n WHERE statute <> ''
    UNION ALL SELECT arrest_id, left(offense_code, n)
      FROM charges, generate_series(1, length(offense_code)) AS n WHERE offense_code <> ''
    UNION ALL SELECT arrest_id, description FROM charges WHERE description <> ''
)
SELECT k.arrest_id, e.id, e.watch_list_id, e.charge
  FROM codes k JOIN entries e ON e.code = k.code AND e.code <> ''
UNION ALL
SELECT c.arrest_id, e.id, e.watch_list_id, e.charge
  FROM charges c JOIN entries e ON e.category = c.category
"""  # noqa: S608 - constant fragments only, values are parameters

ZONE_SQL = f"""
SELECT a.id, e.id, e.watch_list_id, COALESCE(NULLIF(z.name, ''), z.key)
  FROM intel_arrest a
  JOIN alerts_watchentry e ON e.zone_id = a.zone_id
  JOIN intel_zone z ON z.id = e.zone_id
 WHERE a.id = ANY(%(ids)s) AND e.kind = 'place' AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters

# Metres per degree of longitude at the entry's latitude (never zero, near a pole).
_LON_METRES = f"{METRES_PER_DEGREE} * GREATEST(cos(radians(e.latitude)), 0.01)"

# The bounding box (an index-friendly prefilter), then the haversine distance.
RADIUS_SQL = f"""
WITH circles AS MATERIALIZED (
    SELECT e.id, e.watch_list_id, e.radius_m, e.latitude, e.longitude,
           e.latitude - e.radius_m / {METRES_PER_DEGREE} AS lat_min,
           e.latitude + e.radius_m / {METRES_PER_DEGREE} AS lat_max,
           e.longitude - e.radius_m / ({_LON_METRES}) AS lon_min,
           e.longitude + e.radius_m / ({_LON_METRES}) AS lon_max
      FROM alerts_watchentry e
     WHERE e.kind = 'place' AND e.latitude IS NOT NULL AND e.longitude IS NOT NULL
       AND e.radius_m IS NOT NULL AND {_LIVE}
), cells AS (
    -- The grid cells (0.01 degree) each circle's box covers: arrests join them by equality.
    SELECT c.*, la, lo FROM circles c,
           generate_series(floor(c.lat_min * 100)::int, floor(c.lat_max * 100)::int) AS la,
           generate_series(floor(c.lon_min * 100)::int, floor(c.lon_max * 100)::int) AS lo
), located AS MATERIALIZED (
    SELECT a.id, a.latitude, a.longitude,
           floor(a.latitude * 100)::int AS la, floor(a.longitude * 100)::int AS lo
      FROM intel_arrest a
     WHERE a.id = ANY(%(ids)s) AND a.latitude IS NOT NULL AND a.longitude IS NOT NULL
)
SELECT a.id, c.id, c.watch_list_id, c.radius_m, a.latitude, a.longitude, c.latitude, c.longitude
  FROM located a JOIN cells c ON c.la = a.la AND c.lo = a.lo
 WHERE a.latitude BETWEEN c.lat_min AND c.lat_max AND a.longitude BETWEEN c.lon_min AND c.lon_max
"""  # noqa: S608 - constant fragments only, values are parameters

_ADDRESS_NORM = "btrim(regexp_replace(upper(translate({}, ',.', '  ')), '\\s+', ' ', 'g'))"

ADDRESS_SQL = f"""
SELECT a.id, e.id, e.watch_list_id
  FROM intel_arrest a
  JOIN alerts_watchentry e
    ON {_ADDRESS_NORM.format("e.address")} = {_ADDRESS_NORM.format("a.address")}
 WHERE a.id = ANY(%(ids)s) AND a.address <> '' AND e.kind = 'place' AND e.address <> ''
   AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


# ---- name + DOB ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _slips(d: date) -> tuple[date, ...]:
    text = f"{d.year:04d}{d.month:02d}{d.day:02d}"
    found = []
    for i, digit in enumerate(text):
        for other in "0123456789":
            if other == digit:
                continue
            slipped = text[:i] + other + text[i + 1 :]
            year, month, day = int(slipped[:4]), int(slipped[4:6]), int(slipped[6:])
            if year and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
                found.append(date(year, month, day))
    return tuple(found)


def dob_slips(d: date) -> Iterator[date]:
    """The dates one digit of ``YYYYMMDD`` away (a keying slip), valid dates only."""
    yield from _slips(d)


def _close_dates(d: date) -> tuple[date, ...]:
    """The date and, when it reads both ways, the date with day and month swapped."""
    t = transposed(d)
    return (d, t) if t else (d,)


def _dob_close(a: date, b: date) -> bool:
    """Same, day and month swapped, or one digit apart: the dates a name + DOB match allows."""
    return a == b or b in _close_dates(a) or b in _slips(a)


# Blocking keys. Names that sound alike (metaphone of last and first, the first name's nickname
# forms too, and the two the other way round) whatever the date, the date then checked close;
# and for a name with a typo that changes its sound, the same or swapped date with one part of
# the name sounding alike or the same first two letters of the surname.
Key = tuple[str, object, str]


@lru_cache(maxsize=65536)
def _first_sounds(first: str) -> tuple[str, ...]:
    """The metaphone keys of a first name and of its nickname forms (Bob, Robert, Rob)."""
    return tuple(sorted({sound(form) for form in first_name_forms(first)} - {""}))


def _entry_keys(last: str, first: str, dob: date) -> list[Key]:
    ls = sound(last)
    keys: list[Key] = [("lf", ls, fs) for fs in _first_sounds(first)] if ls else []
    keys += [("dl", dob, ls), ("df", dob, sound(first)), ("d2", dob, last[:2])]
    return keys


def _arrest_keys(last: str, first: str, dob: date) -> list[Key]:
    ls, fs = sound(last), sound(first)
    keys: list[Key] = [("lf", ls, fs), ("lf", fs, ls)]
    for d in _close_dates(dob):
        keys += [("dl", d, ls), ("df", d, fs), ("d2", d, last[:2]), ("dl", d, fs), ("df", d, ls)]
    return keys


# An entry on a person not linked to a record: id, list id, last, first (letters, upper case),
# date of birth and state ID (upper case).
_Named = tuple[int, int, str, str, date, str]


# Up to this many arrests, only the live entries born on a date a match allows are read; a
# larger batch uses the index of every named entry (``_all_named_index``).
DATE_FILTER_MAX_ARRESTS = 2000


def _named_entries(dobs: set[date], now: datetime) -> list[_Named]:
    params = {"dobs": sorted(dobs), "now": now}
    return [
        (pk, list_id, last.strip().upper(), first.strip().upper(), dob, state_id.strip().upper())
        for pk, list_id, last, first, dob, state_id in _rows(NAMED_ENTRIES_SQL, params)
    ]


# A large batch's index of every named entry stays with the process (a worker matches import
# after import) while the entries are unchanged: the signature changes with any entry added,
# deleted or saved. The index holds entries whatever their state; whether each entry matched
# is live (status, expiry, paused lists) is read afresh for every batch.
_SIGNATURE_SQL = """
SELECT current_database(), count(*), COALESCE(max(e.id), 0), COALESCE(sum(e.id), 0),
       max(e.updated_at)
  FROM alerts_watchentry e
 WHERE e.kind = 'person' AND e.person_id IS NULL AND e.last_name <> '' AND e.dob IS NOT NULL
"""
_ALL_NAMED_SQL = """
SELECT e.id, e.watch_list_id, e.last_name, e.first_name, e.dob, e.state_id
  FROM alerts_watchentry e
 WHERE e.kind = 'person' AND e.person_id IS NULL AND e.last_name <> '' AND e.dob IS NOT NULL
"""
_LIVE_IDS_SQL = f"""
SELECT e.id FROM alerts_watchentry e WHERE e.id = ANY(%(ids)s) AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters
_Index = dict[Key, list[int]]
_cached: dict[str, Any] = {}


def _build_index(entries: list[_Named]) -> _Index:
    index: _Index = defaultdict(list)
    for i, (_pk, _list, last, first, dob, _state) in enumerate(entries):
        for key in _entry_keys(letters(last), letters(first), dob):
            if key[2]:
                index[key].append(i)
    return index


def _all_named_index() -> tuple[list[_Named], _Index]:
    """Every named entry and their index, from the process's copy while it is current."""
    signature = _rows(_SIGNATURE_SQL, {})[0]
    if _cached.get("signature") != signature:
        entries = [
            (pk, lst, last.strip().upper(), first.strip().upper(), dob, state.strip().upper())
            for pk, lst, last, first, dob, state in _rows(_ALL_NAMED_SQL, {})
        ]
        _cached.update(signature=signature, entries=entries, index=_build_index(entries))
    return _cached["entries"], _cached["index"]


def _entry_profile(entry: _Named) -> Profile:
    _pk, _list, last, first, dob, state = entry
    return Profile(
        names=[ParsedName(last=last, first=first)],
        dob=dob,
        ids={"state_id": {state}} if state else {},
    )


def name_dob_matches(arrest_ids: list[int], now: datetime) -> list[Match]:
    """Path (c): arrests against the entries on people not linked to a person record. The
    collector pauses meanwhile: building the index allocates hundreds of thousands of small
    objects, each allocation burst triggering a scan of every object the process holds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _name_dob_matches(arrest_ids, now)
    finally:
        if enabled:
            gc.enable()


def _name_dob_matches(arrest_ids: list[int], now: datetime) -> list[Match]:
    arrests = []
    small = len(arrest_ids) <= DATE_FILTER_MAX_ARRESTS
    dobs: set[date] = set()
    for pk, name_text, dob, sex, race, state_id in _rows(ARRESTS_SQL, {"ids": arrest_ids}):
        name = parse_name(name_text)
        if name is None:
            continue
        state = state_id.strip().upper()
        profile = Profile(
            names=[name],
            dob=dob,
            sex=sex if sex in ("M", "F") else "",
            race=race if race != "unknown" else "",
            ids={"state_id": {state}} if state else {},
        )
        arrests.append((pk, name, profile))
        if small:
            dobs.update(_close_dates(dob))
            dobs.update(_slips(dob))
    if not arrests:
        return []
    if small:
        entries = _named_entries(dobs, now)
        index = _build_index(entries)
    else:
        entries, index = _all_named_index()
    threshold = name_dob_threshold()
    profiles: dict[int, Profile] = {}
    found: list[Match] = []
    for arrest_id, name, profile in arrests:
        dob = profile.dob
        assert dob is not None  # the query asked for a date of birth
        candidates: set[int] = set()
        for key in _arrest_keys(letters(name.last), letters(name.first), dob):
            if key[2]:
                candidates.update(index.get(key, ()))
        for i in sorted(candidates):
            entry = entries[i]
            if not _dob_close(dob, entry[4]):
                continue
            if i not in profiles:
                profiles[i] = _entry_profile(entry)
            weight, factors = score(profile, profiles[i])
            chance = probability(weight)
            if chance >= threshold:
                found.append(
                    Match(
                        arrest_id=arrest_id,
                        entry_id=entry[0],
                        list_id=entry[1],
                        type="person",
                        how="name + DOB",
                        score=round(chance, 2),
                        factors=tuple(f.as_dict() for f in factors),
                    )
                )
    if not small and found:  # the process's index holds entries whatever their state
        params = {"ids": sorted({m.entry_id for m in found}), "now": now}
        live = {pk for (pk,) in _rows(_LIVE_IDS_SQL, params)}
        found = [m for m in found if m.entry_id in live]
    return found


# ---- charges and places -------------------------------------------------------------------


def _category_labels() -> dict[str, str]:
    """Offense categories by their value and their label, lower case."""
    labels = {}
    for value, label in OffenseCategory.choices:
        labels[str(value).lower()] = str(value)
        labels[str(label).lower()] = str(value)
    return labels


def charge_matches(arrest_ids: list[int], now: datetime) -> list[Match]:
    # An entry naming a category by its value or its label ("weapons", "Weapons") matches.
    labels = json.dumps(_category_labels())
    rows = _rows(CHARGE_SQL, {"ids": arrest_ids, "now": now, "labels": labels})
    found = {
        (a, e): Match(
            arrest_id=a, entry_id=e, list_id=lst, type="charge", how=f"charge {charge.strip()}"
        )
        for a, e, lst, charge in rows  # an arrest's charges may match one entry twice
    }
    return list(found.values())


def place_matches(arrest_ids: list[int], now: datetime) -> list[Match]:
    params = {"ids": arrest_ids, "now": now}
    found = [
        Match(arrest_id=a, entry_id=e, list_id=lst, type="place", how=f"zone {zone}")
        for a, e, lst, zone in _rows(ZONE_SQL, params)
    ]
    for a, e, lst, radius, alat, alon, elat, elon in _rows(RADIUS_SQL, params):
        if haversine_m(alat, alon, elat, elon) <= radius:
            found.append(
                Match(arrest_id=a, entry_id=e, list_id=lst, type="place", how=f"within {radius} m")
            )
    found.extend(
        Match(arrest_id=a, entry_id=e, list_id=lst, type="place", how="address")
        for a, e, lst in _rows(ADDRESS_SQL, params)
    )
    return found


# ---- all of it ----------------------------------------------------------------------------


def arrests_match(*, arrest_ids: Iterable[int], now: datetime | None = None) -> list[Match]:
    """Every live watch entry each arrest matches, one ``Match`` per arrest and entry (the
    strongest path for a person entry; the first way for a charge or place), ordered by
    arrest then entry."""
    ids = sorted({int(pk) for pk in arrest_ids})
    if not ids:
        return []
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        # A batch's estimates cross the JIT threshold, whose compiling (over a second) costs
        # more than these joins of a few thousand rows take (off to the end of the transaction).
        cur.execute("SET LOCAL jit = off")
        return _match_all(ids, now)


def _match_all(ids: list[int], now: datetime) -> list[Match]:
    params = {"ids": ids, "now": now}
    found: dict[tuple[int, int], Match] = {}

    def keep(matches: Iterable[Match]) -> None:
        for m in matches:
            found.setdefault((m.arrest_id, m.entry_id), m)

    keep(
        Match(arrest_id=a, entry_id=e, list_id=lst, type="person", how="state ID")
        for a, e, lst in _rows(IDENTIFIER_SQL, params)
    )
    keep(
        Match(arrest_id=a, entry_id=e, list_id=lst, type="person", how="linked person")
        for a, e, lst in _rows(LINK_SQL, params)
    )
    # Best score first, so an entry two variants of a date reach keeps its best.
    keep(sorted(name_dob_matches(ids, now), key=lambda m: -m.score))
    keep(charge_matches(ids, now))
    keep(place_matches(ids, now))
    return sorted(found.values(), key=lambda m: (m.arrest_id, m.entry_id))
