"""A labelled population of people and their arrests, recorded with the errors police make.

``generate(n_people, n_arrests, seed)`` returns the true identities (profile dicts for
``intel.people.resolution.store.people_create`` plus ``true_id``) and the arrests as an extract
would carry them, each with the ``true_id`` of the person arrested: the ground truth that entity
resolution is measured against. Deterministic by seed; no database.

Every error is drawn at a rate stated in ``ERROR_RATES`` (the share of the arrests it could
apply to, described in ``ERROR_APPLIES_TO``); each arrest lists the errors it carries in
``errors``. The population holds the hard cases in ``HARD_CASES``: twins, namesakes, fathers
and sons with the same name, and the common surnames of a US census list.

``labelled_pairs`` and ``link_metrics`` score a clustering or a set of links against the truth.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np
from faker import Faker
from nicknames import NickNamer

from bench.people_metrics import PairCounts, labelled_pairs, link_metrics
from bench.people_population import HARD_CASES, POPULATION, RACES, REFERENCE, identities

__all__ = [
    "ARRESTS_FROM",
    "ARRESTS_TO",
    "ERROR_APPLIES_TO",
    "ERROR_RATES",
    "HARD_CASES",
    "POPULATION",
    "RACES",
    "REFERENCE",
    "PairCounts",
    "arrest_counts",
    "digit_off",
    "format_name",
    "generate",
    "identities",
    "labelled_pairs",
    "link_metrics",
    "nickname_choices",
    "record_arrests",
    "typo",
]

# Share of the arrests each error could apply to (see ERROR_APPLIES_TO) that carry it.
ERROR_RATES: dict[str, float] = {
    "last_typo": 0.08,
    "first_typo": 0.06,
    "nickname": 0.10,
    "swapped": 0.03,
    "middle_dropped": 0.25,
    "middle_initial": 0.35,
    "suffix_dropped": 0.50,
    "surname_one_part": 0.30,
    "hyphen_dropped": 0.40,
    "reading_order": 0.10,
    "dob_transposed": 0.03,
    "dob_digit": 0.03,
    "dob_missing": 0.05,
    "state_id_missing": 0.30,
    "fbi_missing": 0.30,
    "sex_missing": 0.02,
    "address_changed": 0.40,
}
ERROR_APPLIES_TO: dict[str, str] = {
    "last_typo": "every arrest (substitution, transposition, deletion, insertion, adjacent key)",
    "first_typo": "every arrest (same kinds of typo)",
    "nickname": "arrests of people whose first name has a known nickname",
    "swapped": "every arrest (first name written as the last)",
    "middle_dropped": "arrests of people with a middle name",
    "middle_initial": "arrests of people with a middle name (initial only)",
    "suffix_dropped": "arrests of people with a suffix (JR, SR, III...)",
    "surname_one_part": "arrests of people with a Hispanic double surname (with a space)",
    "hyphen_dropped": "arrests of people with a hyphenated surname",
    "reading_order": 'every arrest ("First Middle Last" instead of "LAST, FIRST MIDDLE")',
    "dob_transposed": "arrests of people born on a day <= 12 (not day == month)",
    "dob_digit": "every arrest (one digit of the date keyed one off)",
    "dob_missing": "every arrest",
    "state_id_missing": "arrests of people who have a state ID",
    "fbi_missing": "arrests of people who have an FBI number",
    "sex_missing": "every arrest",
    "address_changed": "every arrest (another address than the person's)",
}
ARRESTS_FROM, ARRESTS_TO = datetime(2015, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)

_KEYBOARD = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"]
_NICKNAMES = NickNamer()


def arrest_counts(
    n_people: int, n_arrests: int, rng: np.random.Generator, *, spread: float = 1.5
) -> np.ndarray:
    """Arrests per person, at least one each and skewed: with the default spread, most people
    once or twice and a few in a hundred ten times or more (less spread: fewer repeat
    arrests, as within one import)."""
    if n_arrests < n_people:
        raise ValueError("every person needs at least one arrest")
    weights = rng.lognormal(0.0, spread, n_people)
    return 1 + rng.multinomial(n_arrests - n_people, weights / weights.sum())


def generate(n_people: int, n_arrests: int, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """The identities and their arrests in time order, booking numbers unique per arrest."""
    population = identities(n_people, seed)
    counts = arrest_counts(n_people, n_arrests, np.random.default_rng(seed + 1))
    owners = np.repeat(np.arange(n_people), counts)
    return population, record_arrests([population[i] for i in owners], seed=seed + 2)


def record_arrests(
    arrested: Sequence[dict], *, seed: int, streets: int = 2000, booking_start: int = 1
) -> list[dict]:
    """One arrest of each identity in ``arrested`` (repeat an identity to arrest them again),
    written down with errors; sorted by time, booking numbers from ``booking_start``."""
    rnd = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    street_pool = [fake.street_name().upper() for _ in range(streets)]
    rows = [_record(person, rnd, street_pool) for person in arrested]
    rows.sort(key=lambda r: (r["arrested_at"], r["true_id"]))
    for i, row in enumerate(rows, start=booking_start):
        row["booking_number"] = f"{row['arrested_at']:%Y}-{i:08d}"
    return rows


def _happens(rnd: random.Random, error: str, errors: list[str]) -> bool:
    if rnd.random() < ERROR_RATES[error]:
        errors.append(error)
        return True
    return False


def _record(person: dict, rnd: random.Random, streets: list[str]) -> dict:
    errors: list[str] = []
    first, middle, last, suffix = (
        person["first"],
        person["middle"],
        person["last"],
        person["suffix"],
    )
    if " " in last and person["race"] == "hispanic" and _happens(rnd, "surname_one_part", errors):
        last = last.split()[0] if rnd.random() < 0.8 else last.split()[1]
    if "-" in last and _happens(rnd, "hyphen_dropped", errors):
        last = last.replace("-", " " if rnd.random() < 0.7 else "")
    if nickname_choices(first) and _happens(rnd, "nickname", errors):
        first = _pick_nickname(first, rnd)
    if _happens(rnd, "last_typo", errors):
        last = typo(last, rnd)
    if _happens(rnd, "first_typo", errors):
        first = typo(first, rnd)
    if middle:
        u = rnd.random()
        if u < ERROR_RATES["middle_dropped"]:
            middle = ""
            errors.append("middle_dropped")
        elif u < ERROR_RATES["middle_dropped"] + ERROR_RATES["middle_initial"]:
            middle = middle[0]
            errors.append("middle_initial")
    if suffix and _happens(rnd, "suffix_dropped", errors):
        suffix = ""
    swapped = _happens(rnd, "swapped", errors)
    reading = _happens(rnd, "reading_order", errors)
    name = format_name(
        last=first if swapped else last,
        first=last if swapped else first,
        middle=middle,
        suffix=suffix,
        reading_order=reading,
    )
    return {
        "true_id": person["true_id"],
        "name_as_recorded": name,
        "dob_as_recorded": _recorded_dob(person["dob"], rnd, errors),
        "sex": "U" if _happens(rnd, "sex_missing", errors) else person["sex"],
        "race": person["race"],
        "state_id_as_recorded": _recorded_id(person["state_id"], "state_id_missing", rnd, errors),
        "fbi_number_as_recorded": _recorded_id(person["fbi_number"], "fbi_missing", rnd, errors),
        "address": (
            f"{rnd.randint(1, 9999)} {rnd.choice(streets)}"
            if _happens(rnd, "address_changed", errors)
            else person["address"]
        ),
        "arrested_at": _arrest_time(person["dob"], rnd),
        "booking_number": "",
        "errors": tuple(errors),
    }


def _recorded_id(value: str, error: str, rnd: random.Random, errors: list[str]) -> str:
    if value and _happens(rnd, error, errors):
        return ""
    return value


def _arrest_time(dob: date, rnd: random.Random) -> datetime:
    earliest = max(ARRESTS_FROM, datetime(dob.year + 16, dob.month, min(dob.day, 28), tzinfo=UTC))
    span = int((ARRESTS_TO - earliest).total_seconds())
    return earliest + timedelta(seconds=rnd.randrange(max(span, 1)))


def _recorded_dob(dob: date, rnd: random.Random, errors: list[str]) -> date | None:
    """One draw decides: missing, day and month transposed (when possible), a digit off."""
    u = rnd.random()
    missing, transposed = ERROR_RATES["dob_missing"], ERROR_RATES["dob_transposed"]
    if u < missing:
        errors.append("dob_missing")
        return None
    if dob.day <= 12 and dob.day != dob.month and u < missing + transposed:
        errors.append("dob_transposed")
        return date(dob.year, dob.day, dob.month)
    if missing + transposed <= u < missing + transposed + ERROR_RATES["dob_digit"]:
        errors.append("dob_digit")
        return digit_off(dob, rnd)
    return dob


def digit_off(dob: date, rnd: random.Random) -> date:
    """The date with one digit of YYYYMMDD keyed one higher or lower (a valid date)."""
    text = dob.strftime("%Y%m%d")
    while True:
        i = rnd.choice([2, 3, 4, 5, 6, 7, 7, 3])  # decade, year, month and day digits
        digit = int(text[i]) + rnd.choice([-1, 1])
        if not 0 <= digit <= 9:
            continue
        candidate = text[:i] + str(digit) + text[i + 1 :]
        try:
            result = datetime.strptime(candidate, "%Y%m%d").date()  # noqa: DTZ007
        except ValueError:
            continue
        if result <= REFERENCE:
            return result


def typo(word: str, rnd: random.Random) -> str:
    """The word with one typing error in a letter (rarely the first: people see it)."""
    positions = [i for i, c in enumerate(word) if c.isalpha()]
    while True:
        i = rnd.choices(positions, weights=[0.3 if p == 0 else 1.0 for p in positions])[0]
        kind = rnd.choice(["substitution", "transposition", "deletion", "insertion", "keyboard"])
        if kind == "substitution":
            out = word[:i] + chr(rnd.randrange(65, 91)) + word[i + 1 :]
        elif kind == "keyboard":
            out = word[:i] + rnd.choice(_adjacent(word[i])) + word[i + 1 :]
        elif kind == "transposition" and i + 1 < len(word) and word[i + 1].isalpha():
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif kind == "deletion" and len(positions) > 3:
            out = word[:i] + word[i + 1 :]
        elif kind == "insertion":
            out = word[:i] + rnd.choice([word[i], chr(rnd.randrange(65, 91))]) + word[i:]
        else:
            continue
        if out != word:
            return out


@lru_cache(maxsize=128)
def _adjacent(letter: str) -> str:
    for r, row in enumerate(_KEYBOARD):
        c = row.find(letter)
        if c >= 0:
            near = [row[j] for j in (c - 1, c + 1) if 0 <= j < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(_KEYBOARD):
                    near += [
                        _KEYBOARD[other][j] for j in (c - 1, c) if 0 <= j < len(_KEYBOARD[other])
                    ]
            return "".join(near)
    return "E"


@lru_cache(maxsize=4096)
def nickname_choices(first: str) -> tuple[tuple[str, ...], tuple[float, ...]] | None:
    """Real nicknames of a first name (the ``nicknames`` package) and how likely each is to be
    written: ones starting like the name (ROB, JON, MIKE) three times as often as the others
    (BOB, BILL)."""
    names = sorted(
        n.upper()
        for n in _NICKNAMES.nicknames_of(first.lower())
        if n.isalpha() and len(n) >= 2 and n.upper() != first
    )
    if not names:
        return None
    return tuple(names), tuple(3.0 if n[0] == first[0] else 1.0 for n in names)


def _pick_nickname(first: str, rnd: random.Random) -> str:
    names, weights = nickname_choices(first) or ((first,), (1.0,))
    return rnd.choices(names, weights=weights)[0]


def format_name(
    *, last: str, first: str, middle: str = "", suffix: str = "", reading_order: bool = False
) -> str:
    """``"LAST SUFFIX, FIRST MIDDLE"`` as police write it, or ``"First Middle Last Suffix"``."""
    if reading_order:
        return " ".join(p for p in (first, middle, last, suffix) if p).title()
    family = f"{last} {suffix}" if suffix else last
    given = " ".join(p for p in (first, middle) if p)
    return f"{family}, {given}" if given else family
