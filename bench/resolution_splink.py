"""The peer of the resolution benchmark (``bench/bench_resolution.py``): splink 5 (DuckDB)
links the same arrests to the same people (``link_only``), on frames built with the same name
parser ours uses.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from bench.resolution_support import SEED, SPLINK_THRESHOLD
from intel.people.resolution.names import letters, parse_name, sound


def _frame(records: list[tuple]) -> pd.DataFrame:
    """The columns splink compares and blocks on: names as letters, their metaphone keys."""
    df = pd.DataFrame(
        records,
        columns=["unique_id", "first_name", "last_name", "dob", "sex", "state_id", "fbi_number"],
    )
    df["dob"] = pd.to_datetime(df["dob"])
    df["first_sound"] = [sound(v) or None if v else None for v in df["first_name"]]
    df["last_sound"] = [sound(v) or None if v else None for v in df["last_name"]]
    df["first_initial"] = [v[:1] if v else None for v in df["first_name"]]
    return df


def people_frame(existing: list[dict]) -> pd.DataFrame:
    return _frame(
        [
            (
                p["true_id"],
                letters(p["first"]),
                letters(p["last"]),
                p["dob"],
                p["sex"],
                p["state_id"] or None,
                p["fbi_number"] or None,
            )
            for p in existing
        ]
    )


def arrests_frame(rows: list[dict]) -> pd.DataFrame:
    """The arrests for splink, names taken apart with the same parser ours uses."""
    records = []
    for i, r in enumerate(rows):
        name = parse_name(r["name_as_recorded"])
        records.append(
            (
                i,
                letters(name.first) or None,
                letters(name.last) or None,
                r["dob_as_recorded"],
                r["sex"] if r["sex"] in ("M", "F") else None,
                r["state_id_as_recorded"] or None,
                r["fbi_number_as_recorded"] or None,
            )
        )
    return _frame(records)


def _exact_with_floor(cl, column: str):  # type: ignore[no-untyped-def]
    """An exact-match comparison whose "differs" level keeps a fixed m of 0.001.

    In this data a person's sex and IDs are never recorded wrong (only missing), so among true
    matches "differs" never happens; EM then drives its m below 1e-300, which splink 5
    refuses with a ValueError. Real records are wrong now and then: 0.1 % is a fair prior.
    """
    levels = cl.ExactMatch(column).get_configured_comparison_levels()
    levels[-1] = levels[-1].configure(m_probability=1e-3, fix_m_probability=True)
    return cl.CustomComparison(comparison_levels=levels, output_column_name=column)


def splink_links(
    people: pd.DataFrame, arrests: pd.DataFrame
) -> tuple[dict[int, int | None], dict[str, float]]:
    """splink 5's best person for each arrest at match probability >= the threshold."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    times: dict[str, float] = {}
    started = time.perf_counter()
    db_api = DuckDBAPI()
    left = db_api.register(people, dataset_display_name="people")
    right = db_api.register(arrests, dataset_display_name="arrests")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            *(_exact_with_floor(cl, col) for col in ("sex", "state_id", "fbi_number")),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob"),
            block_on("last_sound", "first_sound"),
            "l.last_sound = r.first_sound AND l.first_sound = r.last_sound",  # swapped names
            block_on("last_name", "first_initial"),
            block_on("state_id"),
            block_on("fbi_number"),
        ],
    )
    linker = Linker([left, right], settings, log_level=logging.WARNING)
    times["register"] = time.perf_counter() - started
    mark = time.perf_counter()
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "dob"), block_on("state_id")], recall=0.7
    )
    training.estimate_u_using_random_sampling(max_pairs=1e7, seed=SEED)
    training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    training.estimate_parameters_using_expectation_maximisation(block_on("last_name", "first_name"))
    times["train"] = time.perf_counter() - mark
    mark = time.perf_counter()
    pairs = linker.inference.predict(threshold_match_probability=SPLINK_THRESHOLD)
    frame = pairs.as_pandas_dataframe()
    times["predict"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - started
    if frame.empty:
        return {}, times
    left_is_people = frame["source_dataset_l"] == "people"
    frame = pd.DataFrame(
        {
            "person": np.where(left_is_people, frame["unique_id_l"], frame["unique_id_r"]),
            "arrest": np.where(left_is_people, frame["unique_id_r"], frame["unique_id_l"]),
            "p": frame["match_probability"],
        }
    )
    best = frame.sort_values("p", ascending=False).drop_duplicates("arrest")
    links = {int(a): int(p) for a, p in zip(best["arrest"], best["person"], strict=True)}
    times["total"] = time.perf_counter() - started
    return links, times
