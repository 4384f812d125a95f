"""The true identities of the labelled population (``bench/people_generator.py``): names drawn
from US census frequencies (Mexican names for Hispanic people), dates of birth, identifiers and
addresses, and the hard cases in ``HARD_CASES``: twins, namesakes, fathers and sons with the
same name. Deterministic by seed; no database.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

import numpy as np
from faker import Faker
from faker.providers.person.en_US import Provider as UsNames
from faker.providers.person.es_MX import Provider as MxNames

# The population: shares of all people.
POPULATION: dict[str, float] = {
    "state_id": 0.70,
    "fbi_number": 0.35,
    "middle_name": 0.70,
    "suffix_of_men": 0.04,
    "double_surname": 0.08,
    "hyphenated": 0.01,
    "male": 0.76,
}
# Shares of all people created as the second of a hard pair, the first being someone else in
# the population: a twin (same last name, DOB, address, race; own first name), a namesake
# (same first and last name and birth year, own DOB, IDs and address), a son with his
# father's name (JR to his SR, same address, born 18-35 years later).
HARD_CASES: dict[str, float] = {"twin": 0.01, "namesake": 0.02, "son": 0.01}
RACES = (
    ("black", 0.42),
    ("white", 0.32),
    ("hispanic", 0.20),
    ("asian", 0.03),
    ("native_american", 0.01),
    ("other", 0.02),
)
_RACE_NAMES = [r for r, _ in RACES]
_RACE_WEIGHTS = list(accumulate(p for _, p in RACES))
_HISPANIC = dict(RACES)["hispanic"]
REFERENCE = date(2025, 1, 1)  # ages are counted to this day


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


def _weighted(pairs: Mapping[str, float] | Sequence[tuple[str, float]]) -> _Table:
    items = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
    return _Table([_ascii(n) for n, _ in items], list(accumulate(w for _, w in items)))


@dataclass(frozen=True)
class _Table:
    """Names with cumulative weights, for fast weighted draws."""

    names: list[str]
    cumulative: list[float] | None = None

    def draw(self, rnd: random.Random) -> str:
        return rnd.choices(self.names, cum_weights=self.cumulative)[0]


def _hispanic_surnames() -> _Table:
    """Mexican surnames, weighted by their US frequency where the US list has them, so that
    GARCIA, MARTINEZ and HERNANDEZ repeat as they do in real records."""
    us = {_ascii(n): w for n, w in UsNames.last_names.items()}
    floor = min(us.values())
    return _weighted(
        [(n, us.get(n, floor)) for n in sorted({_ascii(n) for n in MxNames.last_names})]
    )


class _Names:
    """Weighted name lists: US census frequencies, Mexican names for Hispanic people."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.last = _weighted(UsNames.last_names)
        self.hispanic = _hispanic_surnames()
        self.first = {
            "M": _weighted(UsNames.first_names_male),
            "F": _weighted(UsNames.first_names_female),
        }
        self.male_first = set(self.first["M"].names)
        self.hispanic_first = {
            "M": _Table([_ascii(n) for n in MxNames.first_names_male]),
            "F": _Table([_ascii(n) for n in MxNames.first_names_female]),
        }

    def first_name(self, sex: str, race: str, *, not_: str = "") -> str:
        while True:
            table = (
                self.hispanic_first[sex]
                if race == "hispanic" and self.rnd.random() < 0.5
                else self.first[sex]
            )
            name = table.draw(self.rnd)
            if name != not_:
                return name

    def middle_name(self, sex: str, race: str, first: str) -> str:
        has = self.rnd.random() < POPULATION["middle_name"]
        return self.first_name(sex, race, not_=first) if has else ""

    def last_name(self, race: str) -> str:
        rnd = self.rnd
        if race == "hispanic" and rnd.random() < POPULATION["double_surname"] / _HISPANIC:
            last = f"{self.hispanic.draw(rnd)} {self.hispanic.draw(rnd)}"
            return last.replace(" ", "-") if rnd.random() < 0.3 else last
        if race == "hispanic":
            return self.hispanic.draw(rnd)
        if rnd.random() < POPULATION["hyphenated"]:
            return f"{self.last.draw(rnd)}-{self.last.draw(rnd)}"
        return self.last.draw(rnd)


def _dob(rnd: random.Random, min_age: int = 17, max_age: int = 75) -> date:
    age = min(max_age, min_age + rnd.gammavariate(2.2, 7.0))
    return REFERENCE - timedelta(days=int(age * 365.25) + rnd.randrange(365))


def _address(rnd: random.Random, streets: list[str]) -> str:
    return f"{rnd.randint(1, 9999)} {rnd.choice(streets)}"


def _identity(names: _Names, rnd: random.Random, streets: list[str]) -> dict:
    sex = "M" if rnd.random() < POPULATION["male"] else "F"
    race = rnd.choices(_RACE_NAMES, cum_weights=_RACE_WEIGHTS)[0]
    first = names.first_name(sex, race)
    suffix = ""
    if sex == "M" and rnd.random() < POPULATION["suffix_of_men"]:
        suffix = rnd.choice(["JR", "JR", "JR", "SR", "II", "III"])
    return {
        "first": first,
        "middle": names.middle_name(sex, race, first),
        "last": names.last_name(race),
        "suffix": suffix,
        "dob": _dob(rnd),
        "sex": sex,
        "race": race,
        "address": _address(rnd, streets),
        "hard_case": "",
        "partner": None,
    }


def _make_hard_cases(population: list[dict], names: _Names, rnd: random.Random) -> None:
    """Turn some people into the second of a hard pair whose first is someone else."""
    n = len(population)
    counts = {kind: round(share * n) for kind, share in HARD_CASES.items()}
    order = list(range(n))
    rnd.shuffle(order)
    total = sum(counts.values())
    seconds, firsts = order[:total], order[total : 2 * total]
    start = 0
    for kind, count in counts.items():
        for second, first in zip(
            seconds[start : start + count], firsts[start : start + count], strict=True
        ):
            a, b = population[first], population[second]
            if kind == "twin":
                b["sex"] = a["sex"] if rnd.random() < 0.5 else ("F" if a["sex"] == "M" else "M")
                b["first"] = names.first_name(b["sex"], a["race"], not_=a["first"])
                b.update(
                    last=a["last"], dob=a["dob"], address=a["address"], race=a["race"], suffix=""
                )
            elif kind == "namesake":
                day = date(a["dob"].year, 1, 1) + timedelta(days=rnd.randrange(365))
                if day == a["dob"]:
                    day = day.replace(day=1) if day.day > 1 else day.replace(day=2)
                b.update(
                    first=a["first"],
                    last=a["last"],
                    sex=a["sex"],
                    race=a["race"],
                    dob=day,
                    suffix="",
                )
            else:  # father and son
                son_dob = _dob(rnd, 18, 45)
                years = rnd.randint(18, 34)
                father = date(son_dob.year - years, son_dob.month, min(son_dob.day, 28))
                if a["sex"] != "M" or a["first"] not in names.male_first:
                    a.update(sex="M", first=names.first_name("M", a["race"]))
                    a["middle"] = names.middle_name("M", a["race"], a["first"])
                a.update(
                    suffix="SR" if rnd.random() < 0.5 else "",
                    dob=father - timedelta(days=rnd.randrange(300)),
                )
                b.update(
                    first=a["first"],
                    last=a["last"],
                    sex="M",
                    race=a["race"],
                    address=a["address"],
                    dob=son_dob,
                    suffix="JR",
                )
            b["middle"] = names.middle_name(b["sex"], b["race"], b["first"])
            b["hard_case"], b["partner"] = kind, first
            a["hard_case"] = a["hard_case"] or f"{kind}'s counterpart"
            a["partner"] = a["partner"] if a["partner"] is not None else second
        start += count


def identities(n_people: int, seed: int = 7) -> list[dict]:
    """The true identities: ``true_id`` 0..n-1 and every key ``people_create`` reads, plus
    ``hard_case`` and ``partner`` (the true id of the other of a hard pair)."""
    rnd = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    streets = [fake.street_name().upper() for _ in range(max(200, n_people // 50))]
    names = _Names(rnd)
    population = [_identity(names, rnd, streets) for _ in range(n_people)]
    _make_hard_cases(population, names, rnd)
    numbers = np.random.default_rng(seed)
    state_ids = numbers.choice(90_000_000, n_people, replace=False) + 10_000_000
    fbi = numbers.choice(9_000_000, n_people, replace=False) + 1_000_000
    for i, person in enumerate(population):
        person["true_id"] = i
        has_state, has_fbi = (
            rnd.random() < POPULATION["state_id"],
            rnd.random() < POPULATION["fbi_number"],
        )
        person["state_id"] = str(state_ids[i]) if has_state else ""
        tail = f"{chr(rnd.randint(65, 90))}{chr(rnd.randint(65, 90))}{rnd.randint(0, 9)}"
        person["fbi_number"] = f"{fbi[i]}{tail}" if has_fbi else ""
    return population
