"""The labelled generator behind the entity-resolution benchmark: deterministic, its errors at
the rates it states, the hard cases present, and the metrics right on hand-made examples."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import pytest
from rapidfuzz.distance import DamerauLevenshtein

from bench.people_generator import (
    ERROR_RATES,
    HARD_CASES,
    format_name,
    generate,
    labelled_pairs,
    link_metrics,
    nickname_choices,
)
from intel.people.resolution.names import letters, parse_name

World = tuple[list[dict], list[dict]]


@pytest.fixture(scope="module")
def world() -> World:
    return generate(9_000, 20_000, seed=7)


def _eligible(error: str, person: dict, arrest: dict) -> bool:
    """Which arrests an error could apply to, from the true identity alone."""
    dob = person["dob"]
    return {
        "nickname": nickname_choices(person["first"]) is not None,
        "middle_dropped": bool(person["middle"]),
        "middle_initial": bool(person["middle"]),
        "suffix_dropped": bool(person["suffix"]),
        "surname_one_part": " " in person["last"] and person["race"] == "hispanic",
        "hyphen_dropped": "-" in person["last"],
        "dob_transposed": dob.day <= 12 and dob.day != dob.month,
        "state_id_missing": bool(person["state_id"]),
        "fbi_missing": bool(person["fbi_number"]),
    }.get(error, True)


def test_it_is_deterministic_by_seed() -> None:
    assert generate(300, 700, seed=5) == generate(300, 700, seed=5)
    assert generate(300, 700, seed=5)[1] != generate(300, 700, seed=6)[1]


def test_every_stated_error_rate_is_what_the_arrests_carry(world: World) -> None:
    people, arrests = world
    assert len(arrests) == 20_000
    print(f"{'error':<18} stated  measured  of arrests")
    for error, stated in ERROR_RATES.items():
        eligible = [a for a in arrests if _eligible(error, people[a["true_id"]], a)]
        measured = sum(error in a["errors"] for a in eligible) / len(eligible)
        # Two points, or three standard errors where few arrests could carry the error.
        tolerance = max(0.02, 3 * math.sqrt(stated * (1 - stated) / len(eligible)))
        print(f"{error:<18} {stated:6.1%}  {measured:7.1%}  {len(eligible):>7,}")
        assert abs(measured - stated) <= tolerance, error


def test_the_errors_are_in_what_is_recorded(world: World) -> None:
    people, arrests = world
    name_errors = {
        "last_typo",
        "first_typo",
        "nickname",
        "swapped",
        "middle_dropped",
        "middle_initial",
        "suffix_dropped",
        "surname_one_part",
        "hyphen_dropped",
        "reading_order",
    }
    for arrest in arrests:
        person, errors = people[arrest["true_id"]], set(arrest["errors"])
        parsed = parse_name(arrest["name_as_recorded"])
        if not errors & name_errors:
            assert arrest["name_as_recorded"] == format_name(
                last=person["last"],
                first=person["first"],
                middle=person["middle"],
                suffix=person["suffix"],
            )
        if errors & name_errors == {"last_typo"}:
            assert DamerauLevenshtein.distance(letters(parsed.last), letters(person["last"])) == 1
        if errors & name_errors == {"nickname"}:
            assert parsed.first != person["first"]
            assert parsed.first in nickname_choices(person["first"])[0]
        if "dob_missing" in errors:
            assert arrest["dob_as_recorded"] is None
        elif "dob_transposed" in errors:
            assert arrest["dob_as_recorded"] == date(
                person["dob"].year, person["dob"].day, person["dob"].month
            )
        elif "dob_digit" in errors:
            assert (
                sum(
                    x != y
                    for x, y in zip(
                        arrest["dob_as_recorded"].strftime("%Y%m%d"),
                        person["dob"].strftime("%Y%m%d"),
                        strict=True,
                    )
                )
                == 1
            )
        else:
            assert arrest["dob_as_recorded"] == person["dob"]
        expected_state = "" if "state_id_missing" in errors else person["state_id"]
        assert arrest["state_id_as_recorded"] == expected_state
        if "address_changed" not in errors:
            assert arrest["address"] == person["address"]
        assert arrest["arrested_at"].tzinfo is not None


def test_real_nicknames_are_used() -> None:
    assert {"BOB", "ROB"} <= set(nickname_choices("ROBERT")[0])
    assert "JON" in nickname_choices("JONATHAN")[0]


def test_the_population_has_twins_namesakes_and_fathers_and_sons(world: World) -> None:
    people, _ = world
    kinds = Counter(p["hard_case"] for p in people)
    print("hard cases:", {k: kinds[k] for k in HARD_CASES})
    for kind, share in HARD_CASES.items():
        assert kinds[kind] == round(share * len(people))
    for person in people:
        other = people[person["partner"]] if person["partner"] is not None else None
        if person["hard_case"] == "twin":
            assert (person["last"], person["dob"], person["address"], person["race"]) == (
                other["last"],
                other["dob"],
                other["address"],
                other["race"],
            )
            assert person["first"] != other["first"]
        elif person["hard_case"] == "namesake":
            assert (person["first"], person["last"], person["dob"].year) == (
                other["first"],
                other["last"],
                other["dob"].year,
            )
            assert person["dob"] != other["dob"]
            assert not person["state_id"] or person["state_id"] != other["state_id"]
        elif person["hard_case"] == "son":
            assert (person["first"], person["last"], person["address"]) == (
                other["first"],
                other["last"],
                other["address"],
            )
            assert person["suffix"] == "JR" and other["suffix"] in ("SR", "")
            assert 18 <= (person["dob"] - other["dob"]).days / 365.25 <= 36
    same_sex_twins = sum(
        p["sex"] == people[p["partner"]]["sex"] for p in people if p["hard_case"] == "twin"
    )
    assert 0 < same_sex_twins < kinds["twin"]


def test_common_surnames_repeat_and_arrests_are_skewed(world: World) -> None:
    people, arrests = world
    surnames = Counter(p["last"] for p in people)
    assert {"SMITH", "JOHNSON"} <= {name for name, _ in surnames.most_common(5)}
    assert surnames["SMITH"] > 0.01 * len(people)
    double = sum(p["race"] == "hispanic" and (" " in p["last"] or "-" in p["last"]) for p in people)
    assert double / len(people) == pytest.approx(0.08, abs=0.01)
    per_person = Counter(a["true_id"] for a in arrests)
    assert set(per_person) == {p["true_id"] for p in people}  # everyone arrested at least once
    once_or_twice = sum(n <= 2 for n in per_person.values()) / len(people)
    ten_plus = sum(n >= 10 for n in per_person.values())
    print(f"arrested once or twice: {once_or_twice:.0%}; ten times or more: {ten_plus} people")
    assert once_or_twice > 0.6 and ten_plus > 20
    assert len({a["booking_number"] for a in arrests}) == len(arrests)


def test_pairwise_precision_and_recall_on_a_hand_example() -> None:
    # Predicted clusters {0,1,2} {3,4} and 5 alone; true people a={0,1}, b={2,3,4,5}.
    counts = labelled_pairs([1, 1, 1, 2, 2, None], ["a", "a", "b", "b", "b", "b"])
    assert (counts.correct, counts.predicted, counts.actual) == (2, 4, 7)
    assert counts.precision == 0.5 and counts.recall == pytest.approx(2 / 7)
    perfect = labelled_pairs([7, 7, 8], ["x", "x", "y"])
    assert perfect.precision == perfect.recall == 1.0
    nothing = labelled_pairs([None, None], ["x", "x"])
    assert (nothing.precision, nothing.recall) == (1.0, 0.0)
    with pytest.raises(ValueError):
        labelled_pairs([1], ["x", "y"])


def test_link_precision_and_recall_on_a_hand_example() -> None:
    counts = link_metrics({0: 10, 1: 11, 2: None, 3: 12}, {0: 10, 1: 12, 2: 13, 3: None})
    assert (counts.correct, counts.predicted, counts.actual) == (1, 3, 3)
    assert counts.precision == pytest.approx(1 / 3) and counts.recall == pytest.approx(1 / 3)
