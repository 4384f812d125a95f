"""The demo county's people: names (with middle names, suffixes, aliases and the misspellings
records carry), dates of birth, sex, race and identifiers. Part of ``intel.demo``."""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker

from intel.demo import catalog as cat
from intel.models import Agency, Person, PersonAlias, PersonIdentifier

BATCH = 1000
ALIAS_SHARE = 0.25
RECORDED_UNDER_ALIAS = 0.3  # how often a person with an alias is booked under it


def age_on(dob: date | None, day: date) -> int:
    """Whole years between ``dob`` and ``day``."""
    if dob is None:
        return 0
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def recorded_name(first: str, middle: str, last: str, suffix: str = "") -> str:
    """The name as an arrest report prints it: "LAST SUFFIX, FIRST M"."""
    surname = f"{last} {suffix}" if suffix else last
    initial = f" {middle[0]}" if middle else ""
    return f"{surname}, {first}{initial}".upper()


def misspell(name: str, rng: random.Random) -> str:
    """A plausible typing error: a dropped, doubled or swapped letter (never the first)."""
    if len(name) < 4:
        return name + name[-1]
    i = rng.randrange(1, len(name) - 1)
    op = rng.randrange(3)
    if op == 0:
        wrong = name[:i] + name[i + 1 :]
    elif op == 1:
        wrong = name[:i] + name[i] + name[i:]
    else:
        wrong = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return wrong if wrong != name else name[:i] + name[i + 1 :]


def _mix(rng: random.Random, mix: dict[str, float]) -> str:
    return rng.choices(list(mix), weights=list(mix.values()))[0]


class PeopleGenerator:
    """Creates people in bulk and remembers the names each may be booked under."""

    def __init__(self, *, rng: random.Random, fake: Faker, today: date) -> None:
        self.rng = rng
        self.fake = fake
        self.today = today
        self.identifier_count = 0
        self.alias_count = 0
        self._booked_as: dict[int, list[tuple[str, str, str]]] = {}

    def _first(self, sex: str) -> str:
        if sex == "M":
            return self.fake.first_name_male()
        if sex == "F":
            return self.fake.first_name_female()
        return self.fake.first_name()

    def _person(self) -> Person:
        rng = self.rng
        sex = _mix(rng, cat.SEX_MIX)
        age_days = int(rng.triangular(16, 66, 24) * 365.25)
        dob = self.today - timedelta(days=age_days)
        while age_on(dob, self.today) > 65:
            dob += timedelta(days=180)
        while age_on(dob, self.today) < 16:
            dob -= timedelta(days=30)
        return Person(
            first_name=self._first(sex),
            middle_name=self._first(sex) if rng.random() < 0.6 else "",
            last_name=self.fake.last_name(),
            suffix=rng.choice(cat.SUFFIXES) if sex == "M" and rng.random() < 0.05 else "",
            dob=dob,
            sex=sex,
            race=_mix(rng, cat.RACE_MIX),
        )

    def create(self, n: int, *, booking_agency: Agency) -> list[Person]:
        """``n`` people, each with a booking number from ``booking_agency`` (the county's person
        index, which also marks them as demo people), maybe a state ID and FBI number, and for
        about a quarter an alias."""
        people = Person.objects.bulk_create([self._person() for _ in range(n)], batch_size=BATCH)
        identifiers: list[PersonIdentifier] = []
        aliases: list[PersonAlias] = []
        used: set[str] = set()
        for person in people:
            identifiers.append(self._identifier(person, "booking_number", used, booking_agency))
            if self.rng.random() < 0.8:
                identifiers.append(self._identifier(person, "state_id", used))
            if self.rng.random() < 0.45:
                identifiers.append(self._identifier(person, "fbi_number", used))
            if self.rng.random() < ALIAS_SHARE:
                aliases.append(self._alias(person))
        PersonIdentifier.objects.bulk_create(identifiers, batch_size=BATCH)
        PersonAlias.objects.bulk_create(aliases, batch_size=BATCH)
        self.identifier_count, self.alias_count = len(identifiers), len(aliases)
        return people

    def _identifier(
        self, person: Person, kind: str, used: set[str], agency: Agency | None = None
    ) -> PersonIdentifier:
        rng = self.rng
        value = ""
        while not value or value in used:
            if kind == "state_id":
                value = f"NY{rng.randrange(10**8):08d}"
            elif kind == "fbi_number":
                letters = "".join(rng.choice("ABCDEFGHJKLMNPRTUVWXY") for _ in range(2))
                value = f"{rng.randrange(10**7):07d}{letters}"
            else:
                value = f"B{rng.randrange(10**8):08d}"
        used.add(value)
        return PersonIdentifier(person=person, kind=kind, value=value, issuing_agency=agency)

    def _alias(self, person: Person) -> PersonAlias:
        rng = self.rng
        kind = _mix(rng, {"nickname": 0.4, "alias": 0.25, "misspelling": 0.25, "maiden": 0.1})
        if kind == "maiden" and person.sex != "F":
            kind = "alias"
        alias = PersonAlias(person=person, kind=kind)
        if kind == "nickname":
            alias.first_name = rng.choice(cat.NICKNAMES).title()
        elif kind == "maiden":
            alias.first_name, alias.last_name = person.first_name, self.fake.last_name()
        elif kind == "misspelling":
            alias.first_name, alias.middle_name = person.first_name, person.middle_name
            alias.last_name = misspell(person.last_name, rng)
        else:
            alias.first_name, alias.last_name = self._first(person.sex), self.fake.last_name()
        if alias.last_name and kind != "maiden":  # names a booking officer could have written
            name = (alias.first_name, alias.middle_name, alias.last_name)
            self._booked_as.setdefault(person.pk, []).append(name)
        return alias

    def name_on_record(self, person: Person) -> str:
        """The name an arrest report shows: usually the person's own, sometimes an alias."""
        other = self._booked_as.get(person.pk)
        if other and self.rng.random() < RECORDED_UNDER_ALIAS:
            return recorded_name(*self.rng.choice(other))
        return recorded_name(person.first_name, person.middle_name, person.last_name,
                             person.suffix)  # fmt: skip
