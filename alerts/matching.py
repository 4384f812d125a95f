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

# A batch's ids travel as one comma-separated text parameter (``id_list``).
_IDS = "ANY(string_to_array(%(ids)s, ',')::bigint[])"

_ID_NORM = "upper(regexp_replace({}, '[^A-Za-z0-9]', '', 'g'))"

IDENTIFIER_SQL = f"""
SELECT a.id, e.id, e.watch_list_id
  FROM intel_arrest a
  JOIN alerts_watchentry e
    ON {_ID_NORM.format("e.state_id")} = {_ID_NORM.format("a.state_id_as_recorded")}
 WHERE a.id = {_IDS} AND a.state_id_as_recorded <> '' AND e.kind = 'person'
   AND e.state_id <> '' AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters

# The person a record is about, following merges (two levels: a merge of a merged person).
LINK_SQL = f"""
WITH arrested AS (
    SELECT a.id AS arrest_id, COALESCE(p2.merged_into_id, p1.merged_into_id, p1.id) AS person_id
      FROM intel_arrest a
      JOIN intel_person p1 ON p1.id = a.person_id
      LEFT JOIN intel_person p2 ON p2.id = p1.merged_into_id
     WHERE a.id = {_IDS}
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

ARRESTS_SQL = f"""
SELECT id, name_as_recorded, dob_as_recorded, sex, race, state_id_as_recorded
  FROM intel_arrest WHERE id = {_IDS} AND name_as_recorded <> ''
     AND dob_as_recorded IS NOT NULL
"""  # noqa: S608 - constant fragments only, values are parameters

NAMED_ENTRIES_SQL = f"""
SELECT e.id, e.watch_list_id, e.last_name, e.first_name, e.dob, e.state_id
  FROM alerts_watchentry e
 WHERE e.kind = 'person' AND e.person_id IS NULL AND e.last_name <> ''
   AND e.dob = ANY(%(dobs)s) AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters

_CHARGE_NORM = "regexp_replace(upper({}), '[^A-Z0-9]', '', 'g')"

# Charge entries, their code compared as charges are (no spaces or punctuation), and the
# category they name by its value or label ("weapons", "Weapons").
CHARGE_ENTRIES_SQL = f"""
SELECT e.id, e.watch_list_id, e.charge, {_CHARGE_NORM.format("e.charge")},
       %(labels)s::jsonb ->> lower(btrim(e.charge))
  FROM alerts_watchentry e
 WHERE e.kind = 'charge' AND e.charge <> '' AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters

CHARGES_SQL = f"""
SELECT c.arrest_id, {_CHARGE_NORM.format("c.statute")}, {_CHARGE_NORM.format("c.offense_code")},
       {_CHARGE_NORM.format("c.description")}, c.category
  FROM intel_arrestcharge c WHERE c.arrest_id = {_IDS}
"""  # noqa: S608 - constant fragments only, values are parameters

_ADDRESS_NORM = "btrim(regexp_replace(upper(translate({}, ',.', '  ')), '\\s+', ' ', 'g'))"

PLACE_ENTRIES_SQL = f"""
SELECT e.id, e.watch_list_id, e.zone_id, COALESCE(NULLIF(z.name, ''), z.key),
       e.latitude, e.longitude, e.radius_m, {_ADDRESS_NORM.format("e.address")}
  FROM alerts_watchentry e LEFT JOIN intel_zone z ON z.id = e.zone_id
 WHERE e.kind = 'place' AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters

ARREST_PLACES_SQL = f"""
SELECT a.id, a.zone_id, a.latitude, a.longitude, {_ADDRESS_NORM.format("a.address")}
  FROM intel_arrest a WHERE a.id = {_IDS}
"""  # noqa: S608 - constant fragments only, values are parameters

# Circles are found through the grid cells (0.01 degree) their bounding boxes cover; each
# arrest looks up its own cell, then the box and the haversine distance decide.
GRID = 100


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def id_list(ids: Iterable[int]) -> str:
    """Ids as one comma-separated parameter, which the SQL splits (``string_to_array``):
    binding a batch's ten thousand ids as an array costs more than the queries using it."""
    return ",".join(map(str, ids))


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


@lru_cache(maxsize=65536)
def _allowed_dates(d: date) -> frozenset[date]:
    """The dates a name + DOB match allows for ``d``: the same, day and month swapped, or one
    digit apart."""
    return frozenset((*_close_dates(d), *_slips(d)))


def _dob_close(a: date, b: date) -> bool:
    """Same, day and month swapped, or one digit apart: the dates a name + DOB match allows."""
    return b in _allowed_dates(a)


# Blocking. Names that sound alike (metaphone of last and first, the first name's nickname forms
# too, and the two the other way round) whatever the date, the date then checked close; and for
# a name with a typo that changes its sound, the same or swapped date with one part of the name
# sounding alike (either way round) or the same first two letters of the surname.


@lru_cache(maxsize=65536)
def _first_sounds(first: str) -> tuple[str, ...]:
    """The metaphone keys of a first name and of its nickname forms (Bob, Robert, Rob)."""
    return tuple(sorted({sound(form) for form in first_name_forms(first)} - {""}))


@dataclass
class _Index:
    """Named entries (by position in the entry list) blocked two ways: by the sounds of last
    and first name (``by_sounds``), and by date of birth with the parts a same-date match may
    agree on: the sound of the last name, of the first name, the surname's first two letters
    (``by_date``)."""

    by_sounds: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    by_date: dict[date, list[tuple[int, str, str, str]]] = field(default_factory=dict)

    def add(self, i: int, last: str, first: str, dob: date) -> None:
        ls = sound(last)
        if ls:
            for fs in _first_sounds(first):
                self.by_sounds.setdefault((ls, fs), []).append(i)
        self.by_date.setdefault(dob, []).append((i, ls, sound(first), last[:2]))

    def candidates(self, last: str, first: str, dob: date) -> set[int]:
        """The entries an arrest's name and date of birth may match (their dates of birth are
        still to be checked close for those found by sound)."""
        ls, fs, l2 = sound(last), sound(first), last[:2]
        found: set[int] = set()
        if fs:
            found.update(self.by_sounds.get((ls, fs), ()))
        if ls:
            found.update(self.by_sounds.get((fs, ls), ()))
        for d in _close_dates(dob):
            for i, els, efs, el2 in self.by_date.get(d, ()):
                # The same or swapped date and one part alike, either way round.
                if (ls and ls in (els, efs)) or (fs and fs in (efs, els)) or (l2 and l2 == el2):
                    found.add(i)
        return found


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
SELECT e.id FROM alerts_watchentry e WHERE e.id = {_IDS} AND {_LIVE}
"""  # noqa: S608 - constant fragments only, values are parameters
_cached: dict[str, Any] = {}


def _build_index(entries: list[_Named]) -> _Index:
    index = _Index()
    for i, (_pk, _list, last, first, dob, _state) in enumerate(entries):
        index.add(i, letters(last), letters(first), dob)
    return index


def _all_named_index() -> tuple[list[_Named], _Index, dict[int, Profile]]:
    """Every named entry, their index and the match profiles built so far (by position), from
    the process's copy while it is current."""
    signature = _rows(_SIGNATURE_SQL, {})[0]
    if _cached.get("signature") != signature:
        entries = [
            (pk, lst, last.strip().upper(), first.strip().upper(), dob, state.strip().upper())
            for pk, lst, last, first, dob, state in _rows(_ALL_NAMED_SQL, {})
        ]
        _cached.update(
            signature=signature, entries=entries, index=_build_index(entries), profiles={}
        )
    return _cached["entries"], _cached["index"], _cached["profiles"]


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
    for pk, name_text, dob, sex, race, state_id in _rows(ARRESTS_SQL, {"ids": id_list(arrest_ids)}):
        name = parse_name(name_text)
        if name is None:
            continue
        arrests.append((pk, name, dob, sex, race, state_id))
        if small:
            dobs.update(_close_dates(dob))
            dobs.update(_slips(dob))
    if not arrests:
        return []
    profiles: dict[int, Profile]
    if small:
        entries = _named_entries(dobs, now)
        index, profiles = _build_index(entries), {}
    else:
        entries, index, profiles = _all_named_index()
    threshold = name_dob_threshold()
    found: list[Match] = []
    for arrest_id, name, dob, sex, race, state_id in arrests:
        allowed = _allowed_dates(dob)
        candidates = [
            i
            for i in index.candidates(letters(name.last), letters(name.first), dob)
            if entries[i][4] in allowed
        ]
        if not candidates:
            continue
        state = state_id.strip().upper()
        profile = Profile(
            names=[name],
            dob=dob,
            sex=sex if sex in ("M", "F") else "",
            race=race if race != "unknown" else "",
            ids={"state_id": {state}} if state else {},
        )
        for i in candidates:
            entry = entries[i]
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
        params = {"ids": id_list({m.entry_id for m in found}), "now": now}
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
    """An entry's code matches a charge whose statute or offense code starts with it, or whose
    description is it; an entry naming a category matches a charge of that category. The few
    hundred entries are keyed in Python; the batch's charges come normalised by SQL."""
    labels = json.dumps(_category_labels())
    by_code: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    by_category: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, list_id, charge, code, category in _rows(
        CHARGE_ENTRIES_SQL, {"now": now, "labels": labels}
    ):
        entry = (pk, list_id, charge.strip())
        if code:
            by_code[code].append(entry)
        if category:
            by_category[category].append(entry)
    if not by_code and not by_category:
        return []
    # Every prefix of an entry's code: a charge's code is read only as far as some entry's
    # code could still start with it.
    prefixes = {code[:n] for code in by_code for n in range(1, len(code) + 1)}
    found: dict[tuple[int, int], Match] = {}  # an arrest's charges may match one entry twice
    for arrest_id, statute, offense_code, description, category in _rows(
        CHARGES_SQL, {"ids": id_list(arrest_ids)}
    ):
        hits: list[tuple[int, int, str]] = []
        for code in (statute, offense_code):
            for n in range(1, len(code) + 1):
                head = code[:n]
                if head not in prefixes:
                    break
                hits.extend(by_code.get(head, ()))
        if description:
            hits.extend(by_code.get(description, ()))
        hits.extend(by_category.get(category, ()))
        for pk, list_id, charge in hits:
            if (arrest_id, pk) not in found:
                found[(arrest_id, pk)] = Match(
                    arrest_id=arrest_id,
                    entry_id=pk,
                    list_id=list_id,
                    type="charge",
                    how=f"charge {charge}",
                )
    return list(found.values())


def _circle_cells(lat: float, lon: float, radius: float) -> Iterator[tuple[int, int, tuple]]:
    """The grid cells a circle's bounding box covers, with the box."""
    lon_metres = METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)
    box = (
        lat - radius / METRES_PER_DEGREE,
        lat + radius / METRES_PER_DEGREE,
        lon - radius / lon_metres,
        lon + radius / lon_metres,
    )
    for la in range(math.floor(box[0] * GRID), math.floor(box[1] * GRID) + 1):
        for lo in range(math.floor(box[2] * GRID), math.floor(box[3] * GRID) + 1):
            yield la, lo, box


def place_matches(arrest_ids: list[int], now: datetime) -> list[Match]:
    """Zone entries match the arrest's zone; radius entries an arrest within the radius of
    their point; address entries the arrest's address, both normalised (upper case, commas
    and full stops as spaces, runs of spaces as one)."""
    zones: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    addresses: dict[str, list[tuple[int, int]]] = defaultdict(list)
    cells: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for pk, list_id, zone_id, zone, lat, lon, radius, address in _rows(
        PLACE_ENTRIES_SQL, {"now": now}
    ):
        if zone_id is not None:
            zones[zone_id].append((pk, list_id, zone))
        if lat is not None and lon is not None and radius is not None:
            for la, lo, box in _circle_cells(lat, lon, radius):
                cells[(la, lo)].append((pk, list_id, radius, lat, lon, box))
        if address:
            addresses[address].append((pk, list_id))
    if not (zones or addresses or cells):
        return []
    found = []
    for arrest_id, zone_id, lat, lon, address in _rows(
        ARREST_PLACES_SQL, {"ids": id_list(arrest_ids)}
    ):
        for pk, list_id, zone in zones.get(zone_id, ()):
            found.append(
                Match(
                    arrest_id=arrest_id,
                    entry_id=pk,
                    list_id=list_id,
                    type="place",
                    how=f"zone {zone}",
                )
            )
        if lat is not None and lon is not None:
            cell = (math.floor(lat * GRID), math.floor(lon * GRID))
            for pk, list_id, radius, elat, elon, box in cells.get(cell, ()):
                inside = box[0] <= lat <= box[1] and box[2] <= lon <= box[3]
                if inside and haversine_m(lat, lon, elat, elon) <= radius:
                    found.append(
                        Match(
                            arrest_id=arrest_id,
                            entry_id=pk,
                            list_id=list_id,
                            type="place",
                            how=f"within {radius} m",
                        )
                    )
        if address:
            found.extend(
                Match(
                    arrest_id=arrest_id, entry_id=pk, list_id=list_id, type="place", how="address"
                )
                for pk, list_id in addresses.get(address, ())
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
    params = {"ids": id_list(ids), "now": now}
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
