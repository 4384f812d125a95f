"""A realistic generated incident extract: text dates, WKT points, an agency's own columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OFFENSES = [
    ("0486", "BATTERY", "DOMESTIC BATTERY SIMPLE"), ("0820", "THEFT", "$500 AND UNDER"),
    ("1310", "CRIMINAL DAMAGE", "TO PROPERTY"), ("0560", "ASSAULT", "SIMPLE"),
    ("0610", "BURGLARY", "FORCIBLE ENTRY"), ("0910", "MOTOR VEHICLE THEFT", "AUTOMOBILE"),
    ("2027", "NARCOTICS", "POSS: CRACK"), ("143A", "WEAPONS VIOLATION", "UNLAWFUL POSS HANDGUN"),
    ("031A", "ROBBERY", "ARMED: HANDGUN"), ("1320", "CRIMINAL TRESPASS", "TO LAND"),
    ("0110", "HOMICIDE", "FIRST DEGREE MURDER"), ("2820", "OTHER OFFENSE", "TELEPHONE THREAT"),
]  # fmt: skip


def generate(rows: int, *, seed: int = 7, start_id: int = 10_000_000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.arange(start_id, start_id + rows)
    seconds = rng.integers(0, 2 * 365 * 86400, rows)
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(seconds, unit="s")
    offense = rng.integers(0, len(OFFENSES), rows)
    codes = np.array([o[0] for o in OFFENSES])[offense]
    types = np.array([o[1] for o in OFFENSES])[offense]
    descs = np.array([o[2] for o in OFFENSES])[offense]
    # Real extracts geocode to block addresses: a pool of locations, reused.
    pool = rng.integers(0, 150_000, rows)
    places = np.random.default_rng(99)
    lat = np.round(places.normal(41.85, 0.08, 150_000), 9)[pool]
    lon = np.round(places.normal(-87.68, 0.07, 150_000), 9)[pool]
    blocks = (rng.integers(1, 120, rows) * 100).astype(str)
    return pd.DataFrame(
        {
            "ID": ids.astype(str),
            "Case Number": np.char.add("JH", ids.astype(str)),
            "Date": when.strftime("%m/%d/%Y %I:%M:%S %p"),
            "Block": np.char.add(
                np.char.add(blocks, "XX W "),
                rng.choice(
                    ["MADISON ST", "47TH ST", "KEDZIE AVE", "HALSTED ST", "ASHLAND AVE"], rows
                ),
            ),
            "IUCR": codes,
            "Primary Type": types,
            "Description": descs,
            "Domestic": rng.choice(["true", "false"], rows, p=[0.15, 0.85]),
            "District": rng.integers(1, 26, rows).astype(str),
            "Location": [
                f"POINT ({x} {y})" for x, y in zip(lon.tolist(), lat.tolist(), strict=True)
            ],
        }
    )


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


# Kansas City's "KCPD Crime Data" shape: one row per offense and involved person, the report
# number repeated, occurrence and report dates apart, IBRS codes, Y/N flags.
KC_OFFENSES = [
    ("Aggravated Assault", "13A"), ("Simple Assault", "13B"), ("Robbery", "120"),
    ("Burglary/B&E", "220"), ("Stealing from Auto", "23F"), ("Auto Theft", "240"),
    ("Weapon Law Violations", "520"), ("Destruction/Damage/Vandalism", "290"),
    ("Drug/Narcotic Violations", "35A"), ("Homicide: Murder & Non-negligent", "09A"),
]  # fmt: skip


def generate_per_offense(rows: int, *, seed: int = 7, start_id: int = 210_000_000) -> pd.DataFrame:
    """About ``rows`` rows in the KC shape: incidents of 1-3 offenses and 1-2 people each."""
    rng = np.random.default_rng(seed)
    incidents = int(rows / 1.7)
    offenses = rng.choice([1, 2, 3], incidents, p=[0.70, 0.22, 0.08])
    people = rng.choice([1, 2], incidents, p=[0.75, 0.25])
    per_incident = offenses * people
    inc = np.repeat(np.arange(incidents), per_incident)
    # Within an incident: offense k of person p; offenses distinct per incident.
    within = np.arange(len(inc)) - np.repeat(np.cumsum(per_incident) - per_incident, per_incident)
    first = rng.integers(0, len(KC_OFFENSES), incidents)
    offense = (first[inc] + within // np.repeat(people, per_incident) * 3) % len(KC_OFFENSES)
    seconds = rng.integers(0, 2 * 365 * 86400, incidents)
    occurred = pd.Timestamp("2021-01-01") + pd.to_timedelta(seconds, unit="s")
    reported = occurred + pd.to_timedelta(rng.integers(0, 72 * 3600, incidents), unit="s")
    pool = rng.integers(0, 80_000, incidents)
    places = np.random.default_rng(98)
    lat = np.round(places.normal(39.08, 0.06, 80_000), 6)[pool]
    lon = np.round(places.normal(-94.56, 0.06, 80_000), 6)[pool]
    gun = rng.random(incidents) < 0.15
    dv = rng.random(incidents) < 0.10
    names = np.array([o[0] for o in KC_OFFENSES])
    codes = np.array([o[1] for o in KC_OFFENSES])
    n = len(inc)
    return pd.DataFrame(
        {
            "Report_No": np.char.add("KC", (start_id + inc).astype(str)),
            "Reported_Date": reported.strftime("%m/%d/%Y")[inc],
            "Reported_Time": reported.strftime("%H:%M")[inc],
            "From_Date": occurred.strftime("%m/%d/%Y")[inc],
            "From_Time": occurred.strftime("%H:%M")[inc],
            "Offense": names[offense],
            "IBRS": codes[offense],
            "Beat": rng.integers(100, 999, incidents).astype(str)[inc],
            "Address": np.char.add(
                (rng.integers(1, 99, incidents) * 100).astype(str), " BLOCK E 31ST ST"
            )[inc],
            "Zip Code": rng.choice(["64106", "64108", "64109", "64127", "64128"], incidents)[inc],
            "Rep_Dist": np.char.add("PJ", rng.integers(1000, 9999, incidents).astype(str))[inc],
            "DVFlag": np.where(dv[inc] & (within == 0), "Y", "N"),
            "Invl_No": (within % np.repeat(people, per_incident) + 1).astype(str),
            "Involvement": np.where(within % np.repeat(people, per_incident) == 0, "VIC", "SUS"),
            "Race": rng.choice(["B", "W", "U"], n),
            "Sex": rng.choice(["M", "F"], n),
            "Age": rng.integers(16, 70, n).astype(str),
            "Firearm Used Flag": np.where(gun[inc] & (within == 0), "Y", "N"),
            "Location": [
                f"POINT ({x} {y})"
                for x, y in zip(lon[inc].tolist(), lat[inc].tolist(), strict=True)
            ],
        }
    )
