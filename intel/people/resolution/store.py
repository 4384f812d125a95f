"""Writing people in bulk: the person row, the names they were recorded under, their identifiers.

Used by entity resolution for new people and links, and by the demo and the benchmark to load
people that already exist. Set-based: one INSERT per table, conflicts ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from intel.models import Person, PersonIdentifier, PersonNameKey
from intel.people.resolution.names import ParsedName, letters, sound

BATCH = 5000


NAME_KEY_COLUMNS = ("person_id", "kind", "last", "first", "last_sound", "first_sound")


def name_key_row(
    person_id: int, name: ParsedName, kind: str
) -> tuple[int, str, str, str, str, str] | None:
    """A name key as the values of ``NAME_KEY_COLUMNS`` (for bulk writes); None for a name
    without a surname."""
    last = letters(name.last)
    if not last:
        return None
    first = letters(name.first)
    return (person_id, kind, last[:100], first[:100], sound(last), sound(first))


def name_key(person_id: int, name: ParsedName, kind: str) -> PersonNameKey | None:
    row = name_key_row(person_id, name, kind)
    return None if row is None else PersonNameKey(**dict(zip(NAME_KEY_COLUMNS, row, strict=True)))


def name_keys_add(keys: Iterable[PersonNameKey | None]) -> None:
    """Add name keys; a name the person already has is left as it is."""
    rows = [k for k in keys if k is not None]
    PersonNameKey.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


def recorded_ids(state_id: str, fbi_number: str, booking_number: str) -> dict[str, str]:
    """The identifiers an arrest records, by kind, as they are compared and stored."""
    return {
        kind: value.strip().upper()
        for kind, value in (
            ("state_id", state_id),
            ("fbi_number", fbi_number),
            ("booking_number", booking_number),
        )
        if value and value.strip()
    }


def identifiers_add(rows: Iterable[tuple[int, str, str, int | None]]) -> None:
    """Add (person id, kind, value, issuing agency id) identifiers. An identifier already held
    by someone is left with them: the same number from the same issuer is one person, and a
    conflict is for an analyst to see, not for a bulk load to move."""
    objs = [
        PersonIdentifier(person_id=pid, kind=kind, value=value[:64], issuing_agency_id=agency)
        for pid, kind, value, agency in rows
        if value
    ]
    PersonIdentifier.objects.bulk_create(objs, batch_size=BATCH, ignore_conflicts=True)


def _title(text: str) -> str:
    return " ".join(w.capitalize() if w.isupper() or w.islower() else w for w in text.split())


def person_from_name(name: ParsedName, *, dob: date | None, sex: str, race: str) -> Person:
    return Person(
        first_name=_title(name.first)[:100] or "Unknown",
        middle_name=_title(name.middle)[:100],
        last_name=_title(name.last)[:100],
        suffix=name.suffix[:10],
        dob=dob,
        sex=sex or "U",
        race=race or "unknown",
    )


def people_create(profiles: list[dict[str, Any]]) -> list[int]:
    """Create people from identity dicts (first, middle, last, suffix, dob, sex, race,
    state_id, fbi_number): the person rows, their primary name keys and identifiers.
    Returns the new ids in order."""
    people = [
        person_from_name(
            ParsedName(
                last=p.get("last", "").upper(),
                first=p.get("first", "").upper(),
                middle=p.get("middle", "").upper(),
                suffix=p.get("suffix", "").upper(),
            ),
            dob=p.get("dob"),
            sex=p.get("sex", "U"),
            race=p.get("race", "unknown"),
        )
        for p in profiles
    ]
    people = Person.objects.bulk_create(people, batch_size=BATCH)
    ids = [p.pk for p in people]
    name_keys_add(
        name_key(
            pid,
            ParsedName(last=p.get("last", ""), first=p.get("first", "")),
            PersonNameKey.Kind.PRIMARY,
        )
        for pid, p in zip(ids, profiles, strict=True)
    )
    identifiers_add(
        (pid, kind, p.get(kind) or "", None)
        for pid, p in zip(ids, profiles, strict=True)
        for kind in ("state_id", "fbi_number")
    )
    return ids
