"""Blocking for entity resolution: which known people each arrest of a batch is compared with.

A temporary table of the batch's keys is joined to the name keys, dates of birth and identifiers
of known people (``db_candidates``), and the candidates' profiles are read back in a few set-based
queries (``person_profiles``). The same keys (``index_keys``, ``query_keys``) index the people the
engine finds or starts during the run, so the SQL join and the in-memory index agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from intel.people.resolution import store
from intel.people.resolution.names import ParsedName, first_name_forms, letters, parse_name, sound
from intel.people.resolution.scoring import Profile, Surnames, normalise_address

# A blocking key: its kind, then a phonetic key, a letter prefix, a date of birth or an
# identifier kind, then the value it pairs with.
BlockingKey = tuple[str, str | date, str]


@dataclass
class Record:
    key: int  # the record's number in its run: arrests, shooting victims and defendants alike
    agency_id: int
    name: ParsedName
    profile: Profile


def record_from_row(row: tuple[Any, ...]) -> Record | None:
    (key, agency_id, name_text, dob, sex, race, state_id, fbi, booking, address) = row
    name = parse_name(name_text)
    if name is None:
        return None
    ids = {k: {v} for k, v in store.recorded_ids(state_id, fbi, booking).items()}
    addresses = {normalise_address(address)} if address else set()
    return Record(
        key,
        agency_id,
        name,
        Profile(
            names=[name],
            dob=dob,
            sex=sex if sex in ("M", "F") else "",
            race=race if race != "unknown" else "",
            ids=ids,
            addresses=addresses,
        ),
    )


def transposed(d: date | None) -> date | None:
    if d is None or d.day > 12 or d.day == d.month:
        return None
    try:
        return d.replace(month=d.day, day=d.month)
    except ValueError:
        return None


# ---- blocking keys, shared by the SQL join and the in-memory index -------------------------


def index_keys(profile: Profile) -> set[BlockingKey]:
    keys: set[BlockingKey] = set()
    for name in profile.names:
        last, first = letters(name.last), letters(name.first)
        ls, fs = sound(last), sound(first)
        keys.add(("ls_fs", ls, fs))
        for form in first_name_forms(first):
            keys.add(("last_first", last, form))
        if profile.dob:
            keys.update(
                {
                    ("dob_ls", profile.dob, ls),
                    ("dob_fs", profile.dob, fs),
                    ("dob_l2", profile.dob, last[:2]),
                }
            )
    for kind, values in profile.ids.items():
        keys.update(("id", kind, v) for v in values if kind != "booking_number")
    return keys


def query_keys(profile: Profile) -> set[BlockingKey]:
    keys: set[BlockingKey] = set()
    dobs = [d for d in (profile.dob, transposed(profile.dob)) if d]
    for name in profile.names:
        last, first = letters(name.last), letters(name.first)
        ls, fs = sound(last), sound(first)
        keys.update({("ls_fs", ls, fs), ("ls_fs", fs, ls), ("last_first", last, first)})
        for d in dobs:  # the second pair: first and last recorded the other way round
            keys.update(
                {
                    ("dob_ls", d, ls),
                    ("dob_fs", d, fs),
                    ("dob_l2", d, last[:2]),
                    ("dob_ls", d, fs),
                    ("dob_fs", d, ls),
                }
            )
    for kind, values in profile.ids.items():
        keys.update(("id", kind, v) for v in values if kind != "booking_number")
    return keys


BLOCK_SQL = """
WITH pairs AS (
    SELECT b.arrest_id, k.person_id FROM er_batch b
      JOIN intel_personnamekey k ON k.last_sound = b.ls AND k.first_sound = b.fs
    UNION SELECT b.arrest_id, k.person_id FROM er_batch b
      JOIN intel_personnamekey k ON k.last_sound = b.fs AND k.first_sound = b.ls
    UNION SELECT f.arrest_id, k.person_id FROM er_forms f
      JOIN intel_personnamekey k ON k.last_sound = f.ls AND k.first_sound = f.form
    UNION SELECT b.arrest_id, p.id FROM er_batch b
      JOIN intel_person p ON p.dob = b.dob
      JOIN intel_personnamekey k ON k.person_id = p.id
     WHERE k.last_sound = b.ls OR k.first_sound = b.fs OR left(k.last, 2) = left(b.last, 2)
        OR k.last_sound = b.fs OR k.first_sound = b.ls
    UNION SELECT b.arrest_id, p.id FROM er_batch b
      JOIN intel_person p ON p.dob = b.dob_t
      JOIN intel_personnamekey k ON k.person_id = p.id
     WHERE k.last_sound = b.ls OR k.first_sound = b.fs OR left(k.last, 2) = left(b.last, 2)
        OR k.last_sound = b.fs OR k.first_sound = b.ls
    UNION SELECT b.arrest_id, i.person_id FROM er_batch b
      JOIN intel_personidentifier i ON i.kind = 'state_id' AND i.value = b.state_id
    UNION SELECT b.arrest_id, i.person_id FROM er_batch b
      JOIN intel_personidentifier i ON i.kind = 'fbi_number' AND i.value = b.fbi
)
SELECT arrest_id, person_id FROM pairs
"""


def db_candidates(records: list[Record]) -> dict[int, set[int]]:
    """The people each record shares a blocking key with, by the record's key. People merged
    into another are among them: ``person_profiles`` leaves them out."""
    with connection.cursor() as cur:
        cur.execute("""CREATE TEMP TABLE er_batch (arrest_id bigint, last text, ls text, fs text,
                       dob date, dob_t date, state_id text, fbi text) ON COMMIT DROP""")
        # One row per nickname form, not an array: a join on both columns of the
        # (last_sound, first_sound) index, where an array let the planner scan every
        # first name under the surname's sound.
        cur.execute("""CREATE TEMP TABLE er_forms (arrest_id bigint, ls text, form text)
                       ON COMMIT DROP""")
        forms: list[tuple[int, str, str]] = []
        with cur.copy("COPY er_batch FROM STDIN") as copy:
            for r in records:
                last, first = letters(r.name.last), letters(r.name.first)
                # Nickname forms as phonetic keys: the (last_sound, first_sound) index serves.
                forms.extend(
                    (r.key, sound(last), form)
                    for form in sorted({sound(f) for f in first_name_forms(first)} - {sound(first)})
                    or [""]
                )
                copy.write_row(
                    (
                        r.key,
                        last,
                        sound(last),
                        sound(first),
                        r.profile.dob,
                        transposed(r.profile.dob),
                        next(iter(r.profile.ids.get("state_id", [""]))) or None,
                        next(iter(r.profile.ids.get("fbi_number", [""]))) or None,
                    )
                )
        with cur.copy("COPY er_forms FROM STDIN") as copy:
            for row in forms:
                copy.write_row(row)
        cur.execute("ANALYZE er_batch")
        cur.execute("ANALYZE er_forms")
        cur.execute(f"CREATE TEMP TABLE er_pairs ON COMMIT DROP AS {BLOCK_SQL}")
        cur.execute("ANALYZE er_pairs")
        cur.execute("SELECT arrest_id, person_id FROM er_pairs")
        found: dict[int, set[int]] = defaultdict(set)
        for arrest_id, person_id in cur.fetchall():
            found[arrest_id].add(person_id)
        cur.execute("DROP TABLE er_batch")
        cur.execute("DROP TABLE er_forms")
    return found


def person_profiles() -> dict[int, Profile]:
    """Every candidate person's names, identifiers and addresses, read by joining the pairs
    blocking found (no long id lists through the driver); not people merged into another."""
    profiles: dict[int, Profile] = {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, first_name, middle_name, last_name, suffix, dob, sex, race "
            "FROM intel_person WHERE merged_into_id IS NULL "
            "AND id IN (SELECT person_id FROM er_pairs)"
        )
        for pk, first, middle, last, suffix, dob, sex, race in cur.fetchall():
            profiles[pk] = Profile(
                names=[
                    ParsedName(
                        last=last.upper(),
                        first=first.upper(),
                        middle=middle.upper(),
                        suffix=suffix.upper(),
                    )
                ],
                dob=dob,
                sex=sex if sex in ("M", "F") else "",
                race=race if race != "unknown" else "",
            )
        primary = {
            pk: (letters(p.names[0].last), letters(p.names[0].first)) for pk, p in profiles.items()
        }
        cur.execute(
            "SELECT person_id, last, first FROM intel_personnamekey "
            "WHERE person_id IN (SELECT person_id FROM er_pairs)"
        )
        for pk, last, first in cur.fetchall():
            if pk in profiles and (last, first) != primary[pk]:
                profiles[pk].names.append(ParsedName(last=last, first=first))
        cur.execute(
            "SELECT person_id, kind, value FROM intel_personidentifier "
            "WHERE person_id IN (SELECT person_id FROM er_pairs)"
        )
        for pk, kind, value in cur.fetchall():
            if pk in profiles:
                profiles[pk].ids.setdefault(kind, set()).add(value.upper())
        cur.execute(
            "SELECT DISTINCT person_id, address FROM intel_arrest "
            "WHERE person_id IN (SELECT person_id FROM er_pairs) AND address <> ''"
        )
        for pk, address in cur.fetchall():
            if pk in profiles:
                profiles[pk].addresses.add(normalise_address(address))
        cur.execute("DROP TABLE er_pairs")
    return profiles


def surnames(records: list[Record]) -> Surnames:
    """How many known people bear each surname of the batch, of how many people."""
    lasts = sorted({letters(r.name.last) for r in records} - {""})
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM intel_person WHERE merged_into_id IS NULL")
        (people,) = cur.fetchone() or (0,)
        cur.execute(
            "SELECT last, count(DISTINCT person_id) FROM intel_personnamekey "
            "WHERE last = ANY(%s) GROUP BY last",
            [lasts],
        )
        bearers = dict(cur.fetchall())
    return Surnames(people=people, bearers=bearers)
