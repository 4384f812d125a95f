"""How alike an arrest and a person are, as a sum of named factors anyone can read.

Each factor adds or subtracts evidence (weights are log2 likelihood ratios, set by hand and
checked on the labelled generator in ``bench/people_generator.py``). The total becomes a match
probability; the thresholds below decide between linking, asking an analyst, and a new person.
The factors are stored with every link and candidate, so the UI can say *why*.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from intel.people.resolution.names import ParsedName, letters, nickname_equivalent, sound

# Decision thresholds on the summed weight.
AUTO_LINK = 11.0
REVIEW = 6.0
# The weight at which the match probability is one half.
PRIOR = 6.0


@dataclass
class Profile:
    """What is known of one side of a comparison: the arrest as recorded, or a person with all
    the names they have been recorded under."""

    names: list[ParsedName]
    dob: date | None = None
    sex: str = ""
    race: str = ""
    ids: dict[str, set[str]] = field(default_factory=dict)
    addresses: set[str] = field(default_factory=set)
    # Where only an age was recorded (a shooting victim's "34" or "25-44" on the day of the
    # shooting): the dates of birth it allows, and the age as written, for the factor's detail.
    born: tuple[date, date] | None = None
    age_as_recorded: str = ""


class Factor(NamedTuple):
    factor: str
    detail: str
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"factor": self.factor, "detail": self.detail, "weight": round(self.weight, 2)}


def probability(weight: float) -> float:
    """The summed weight as a match probability."""
    return 1.0 / (1.0 + math.pow(2.0, -(weight - PRIOR)))


@lru_cache(maxsize=1 << 18)
def _part_similarity(a: str, b: str) -> tuple[str, float]:
    """How two name parts (letters only) agree: a kind and a weight."""
    if a == b:
        return "exact", 4.0
    if DamerauLevenshtein.distance(a, b) == 1 and min(len(a), len(b)) >= 3:
        return "one typo apart", 2.5
    jw = JaroWinkler.similarity(a, b)
    if jw >= 0.93:
        return f"similar (Jaro-Winkler {jw:.2f})", 2.0
    if sound(a) == sound(b):
        return "sound alike", 1.5
    if jw >= 0.86:
        return f"partly similar (Jaro-Winkler {jw:.2f})", 0.0
    return "different", -5.0


@lru_cache(maxsize=1 << 18)
def _compare_last(a: str, b: str, raw_a: str = "", raw_b: str = "") -> tuple[str, float]:
    kind, weight = _part_similarity(a, b)
    if weight > 0 or not a or not b:
        return kind, weight
    tokens_a, tokens_b = raw_a.replace("-", " ").split(), raw_b.replace("-", " ").split()
    if len(tokens_a) > 1 and sorted(tokens_a) == sorted(tokens_b):
        return "same surnames in another order", 3.0
    if (a in b or b in a) and min(len(a), len(b)) >= 4:
        # A double surname recorded with one part, a hyphen dropped.
        return "one surname of a double surname", 2.0
    return kind, weight


@lru_cache(maxsize=1 << 18)
def _compare_first(a: str, b: str) -> tuple[str, float]:
    if not a or not b:
        return "missing", 0.0
    if len(a) == 1 or len(b) == 1:
        return ("initial agrees", 0.5) if a[0] == b[0] else ("initial differs", -4.0)
    if a != b and nickname_equivalent(a, b):
        return "nickname of the same name", 3.0
    kind, weight = _part_similarity(a, b)
    # Twins share a surname, a birthday and an address: only the first name tells them apart.
    return (kind, -7.0) if weight < 0 else (kind, weight)


@lru_cache(maxsize=1 << 18)
def _name_factors(rec: ParsedName, per: ParsedName) -> tuple[float, tuple[Factor, ...]]:
    """Cached: the same pairs of names (SMITH / SMITH, JOHN / MICHAEL) recur all the time."""
    ra, rf = letters(rec.last), letters(rec.first)
    pa, pf = letters(per.last), letters(per.first)
    last_kind, last_w = _compare_last(ra, pa, rec.last, per.last)
    first_kind, first_w = _compare_first(rf, pf)
    factors = [
        Factor("last name", f"{rec.last} / {per.last}: {last_kind}", last_w),
        Factor("first name", f"{rec.first or '—'} / {per.first or '—'}: {first_kind}", first_w),
    ]
    total = last_w + first_w
    # Swapped order: FIRST recorded as LAST.
    if rf and pf and total < 4.0:
        given = f"{rec.first} {rec.middle}".strip()  # "GREGORY, HERRERA NARANJO"
        s_last = max(
            _compare_last(rf, pa, rec.first, per.last),
            _compare_last(letters(given), pa, given, per.last),
            key=lambda k: k[1],
        )
        s_first = _compare_first(ra, pf)
        swapped = s_last[1] + s_first[1] - 0.5
        if swapped > total:
            factors = [
                Factor("name order", f"{rec.display} reads as {per.display} swapped", swapped)
            ]
            total = swapped
    rm, pm = letters(rec.middle)[:1], letters(per.middle)[:1]
    if rm and pm:
        w = 1.0 if rm == pm else -1.5
        factors.append(Factor("middle initial", f"{rm} / {pm}", w))
        total += w
    if rec.suffix and per.suffix and rec.suffix != per.suffix:
        factors.append(
            Factor("suffix", f"{rec.suffix} / {per.suffix}: a different generation", -6.0)
        )
        total -= 6.0
    return total, tuple(factors)


def _one_digit_apart(a: date, b: date) -> bool:
    """Dates written YYYYMMDD that differ in exactly one digit (a keying slip)."""
    if a.month == b.month and a.day == b.day:
        x, y = str(a.year), str(b.year)
    elif a.year == b.year and a.month == b.month:
        x, y = f"{a.day:02d}", f"{b.day:02d}"
    elif a.year == b.year and a.day == b.day:
        x, y = f"{a.month:02d}", f"{b.month:02d}"
    else:
        return False
    return len(x) == len(y) and sum(c != d for c, d in zip(x, y, strict=True)) == 1


def _dob_match(a: date | None, b: date | None) -> tuple[str, float] | None:
    """How two dates of birth agree: a kind and a weight."""
    if a is None or b is None:
        return None
    if a == b:
        return "same", 6.0
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return "day and month swapped", 3.5
    if _one_digit_apart(a, b):
        return "one digit differs", 2.5
    if a.year == b.year:
        return "same year only", -4.0
    return "different", -8.0


def _dob_factor(a: date | None, b: date | None) -> Factor | None:
    match = _dob_match(a, b)
    if match is None or a is None or b is None:
        return None
    kind, weight = match
    said = a.isoformat() if a == b else f"{a.isoformat()} / {b.isoformat()}"
    return Factor("date of birth", f"{said}: {kind}", weight)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


_AGE_RANGE = re.compile(r"^\s*(\d{1,3})\s*(?:-|to|–)\s*(\d{1,3})\s*$")
_AGE_OPEN = re.compile(r"^\s*(\d{1,3})\s*\+\s*$|^\s*(?:<|under)\s*(\d{1,3})\s*$", re.I)


def born_between(age: int | None, group: str, on: date | None) -> tuple[date, date] | None:
    """The dates of birth an age (or an age group: "25-44", "45+", "<18") on a day allows."""
    if on is None:
        return None
    low = high = None
    if age is not None:
        low, high = age, age
    elif match := _AGE_RANGE.match(group or ""):
        low, high = int(match[1]), int(match[2])
    elif match := _AGE_OPEN.match(group or ""):
        low, high = (int(match[1]), 110) if match[1] else (0, int(match[2]) - 1)
    if low is None or high is None or low > high or high > 110:
        return None
    return _years_before(on, high + 1) + timedelta(days=1), _years_before(on, low)


def _age_match(rec: Profile, per: Profile) -> tuple[str, float] | None:
    """A recorded age against a known date of birth: one year of births agreeing is strong
    evidence, an age group much less (the wider, the less); an age a year off is a slip (a
    birthday near the day), more is someone else. A kind and a weight."""
    if rec.dob is not None or rec.born is None or per.dob is None:
        return None
    first, last = rec.born
    years = max(1.0, (last - first).days / 365.25)
    if first <= per.dob <= last:
        return "agrees", round(max(0.0, 4.0 - math.log2(years)), 2)
    off = min(abs((per.dob - first).days), abs((per.dob - last).days)) / 365.25
    if off <= 1.0:
        return "a year off", -1.0
    return f"differs by {off:.0f} years", -6.0


def _age_factor(rec: Profile, per: Profile) -> Factor | None:
    match = _age_match(rec, per)
    if match is None or per.dob is None:
        return None
    kind, weight = match
    return Factor("age", f"age {rec.age_as_recorded} / born {per.dob.isoformat()}: {kind}", weight)


ID_LABELS = {"state_id": "state ID", "fbi_number": "FBI number", "booking_number": "booking number"}


@dataclass(frozen=True)
class Surnames:
    """How many known people bear each surname (upper-case letters), of how many people: an
    exact surname shared by few is more telling than SMITH (splink's term-frequency idea)."""

    people: int = 0
    bearers: dict[str, int] = field(default_factory=dict)

    def weight(self, last: str) -> float | None:
        """Evidence from an exact surname beyond the flat weight of an exact name part: up to
        2.5 for a surname one in about 1,500 known people or fewer bear (2^10.5), nothing
        from one in 256."""
        count = max(1, self.bearers.get(last, 1))
        if not self.people or not last:
            return None
        weight = min(2.5, math.log2(self.people / count) - 8.0)
        return round(weight, 2) if weight > 0 else None

    def rarity(self, last: str) -> Factor | None:
        """The rare-surname factor, when ``weight`` gives one."""
        weight = self.weight(last)
        if weight is None:
            return None
        count = max(1, self.bearers.get(last, 1))
        return Factor("rare surname", f"{last}: {count:,} of {self.people:,} known people", weight)


def _best_names(rec: Profile, per: Profile) -> tuple[tuple[float, tuple[Factor, ...]] | None, str]:
    """The best-agreeing pair of names of the two sides, and their surname when it is the same."""
    best: tuple[float, tuple[Factor, ...]] | None = None
    same_last = ""
    for rec_name in rec.names:
        for per_name in per.names:
            candidate = _name_factors(rec_name, per_name)
            if best is None or candidate[0] > best[0]:
                best = candidate
                last = letters(rec_name.last)
                same_last = last if last == letters(per_name.last) else ""
    return best, same_last


def weigh(rec: Profile, per: Profile, surnames: Surnames | None = None) -> float:
    """``score``'s summed weight without wording its factors: to rank every candidate, where
    only the best few need their factors. The same weights summed in the same order, so the
    very same number (kept in step with ``score``; a test compares the two)."""
    best, same_last = _best_names(rec, per)
    weights = [f.weight for f in best[1]] if best else []
    dob = _dob_match(rec.dob, per.dob) or _age_match(rec, per)
    if dob:
        weights.append(dob[1])
    elif surnames is not None and same_last and (rare := surnames.weight(same_last)) is not None:
        weights.append(rare)
    if rec.sex in ("M", "F") and per.sex in ("M", "F"):
        weights.append(0.5 if rec.sex == per.sex else -4.0)
    if rec.race and per.race and "unknown" not in (rec.race, per.race):
        weights.append(0.3 if rec.race == per.race else -1.0)
    for kind in ID_LABELS:
        mine, theirs = rec.ids.get(kind), per.ids.get(kind)
        if mine and theirs:
            if not mine.isdisjoint(theirs):
                weights.append(10.0)
            elif kind != "booking_number":
                weights.append(-8.0)
    if rec.addresses and per.addresses and not rec.addresses.isdisjoint(per.addresses):
        weights.append(2.0)
    weights.sort(key=abs, reverse=True)  # stable, as ``score`` sorts its factors
    return sum(weights)


def score(
    rec: Profile, per: Profile, surnames: Surnames | None = None
) -> tuple[float, list[Factor]]:
    """The summed weight and its factors, strongest first. With ``surnames``, an exact rare
    surname adds evidence where no date of birth or age can be compared."""
    best, same_last = _best_names(rec, per)
    factors = list(best[1]) if best else []
    dob = _dob_factor(rec.dob, per.dob) or _age_factor(rec, per)
    if dob:
        factors.append(dob)
    elif surnames is not None and same_last and (rare := surnames.rarity(same_last)):
        factors.append(rare)
    if rec.sex in ("M", "F") and per.sex in ("M", "F"):
        factors.append(Factor("sex", f"{rec.sex} / {per.sex}", 0.5 if rec.sex == per.sex else -4.0))
    if rec.race and per.race and "unknown" not in (rec.race, per.race):
        factors.append(
            Factor("race", f"{rec.race} / {per.race}", 0.3 if rec.race == per.race else -1.0)
        )
    for kind, label in ID_LABELS.items():
        mine, theirs = rec.ids.get(kind, set()), per.ids.get(kind, set())
        if mine and theirs:
            shared = mine & theirs
            if shared:
                factors.append(Factor(label, f"{sorted(shared)[0]}: same", 10.0))
            elif kind != "booking_number":  # a person has many bookings
                factors.append(
                    Factor(label, f"{sorted(mine)[0]} / {sorted(theirs)[0]}: differ", -8.0)
                )
    if rec.addresses and per.addresses and rec.addresses & per.addresses:
        factors.append(
            Factor("address", f"{sorted(rec.addresses & per.addresses)[0]}: shared", 2.0)
        )
    factors.sort(key=lambda f: -abs(f.weight))
    return sum(f.weight for f in factors), factors


def normalise_address(text: str) -> str:
    """Addresses compared as upper-case words."""
    return " ".join((text or "").upper().replace(",", " ").replace(".", " ").split())
