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
