"""Extracts in agencies' published shapes, with the ground truth beside them.

The real extracts in ``tests/data/real`` hold one row per record. Agencies whose exports give one
row per offense and involved person (Kansas City's "KCPD Crime Data": ``Report_No, Reported_Date,
From_Date, ..., Offense, IBRS, Description, DVFlag, Invl_No, Involvement, ..., Firearm Used
Flag``) are not among them, so these are generated in that shape: deterministic by seed, with
what each incident truly holds kept in ``truth``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

# (Offense as KC writes it, IBRS code, description, category)
KC_OFFENSES: list[tuple[str, str, str, str]] = [
    ("Homicide: Murder & Non-negligent", "09A", "HOMICIDE", "violent"),
    ("Robbery", "120", "ROBBERY", "violent"),
    ("Aggravated Assault", "13A", "AGGRAVATED ASSAULT", "violent"),
    ("Burglary/B&E", "220", "BURGLARY", "property"),
    ("Stealing from Auto", "23F", "THEFT FROM MOTOR VEHICLE", "property"),
    ("Auto Theft", "240", "MOTOR VEHICLE THEFT", "property"),
    ("Weapon Law Violations", "520", "WEAPONS VIOLATION", "weapons"),
    ("Simple Assault", "13B", "SIMPLE ASSAULT", "violent"),
    ("Destruction/Damage/Vandalism", "290", "VANDALISM", "property"),
    ("Drug/Narcotic Violations", "35A", "DRUG VIOLATION", "drug"),
]
KC_HEADERS = [
    "Report_No", "Reported_Date", "Reported_Time", "From_Date", "From_Time", "To_Date",
    "To_Time", "Offense", "IBRS", "Description", "Beat", "Address", "City", "Zip Code",
    "Rep_Dist", "Area", "DVFlag", "Invl_No", "Involvement", "Race", "Sex", "Age",
    "Firearm Used Flag", "Location",
]  # fmt: skip


@dataclass
class IncidentTruth:
    offenses: list[str] = field(default_factory=list)  # IBRS codes, in the rows' order
    lead: str = ""  # the most serious IBRS code
    firearm: bool = False
    domestic: bool = False
    occurred: datetime | None = None
    rows: int = 0


def kc_incidents(
    n_incidents: int, seed: int = 11, start: int = 210_000_000
) -> tuple[pd.DataFrame, dict[str, IncidentTruth]]:
    """One row per offense and involved person, KC style; and each incident's truth."""
    rnd = random.Random(seed)
    rows: list[list[str]] = []
    truth: dict[str, IncidentTruth] = {}
    order = [code for _o, code, _d, _c in KC_OFFENSES]
    for n in range(n_incidents):
        report_no = f"KC{start + n}"
        count = rnd.choices([1, 2, 3], weights=[70, 22, 8])[0]
        offenses = rnd.sample(KC_OFFENSES, count)
        people = rnd.choices([1, 2], weights=[75, 25])[0]
        occurred = datetime(2021, 1, 1) + timedelta(minutes=rnd.randrange(0, 365 * 24 * 60))
        reported = occurred + timedelta(hours=rnd.randrange(0, 72))
        gun = rnd.random() < 0.15
        dv = rnd.random() < 0.10
        lat, lon = 39.0 + rnd.random() * 0.2, -94.65 + rnd.random() * 0.2
        t = truth[report_no] = IncidentTruth(occurred=occurred)
        for i, (offense, ibrs, desc, _cat) in enumerate(offenses):
            t.offenses.append(ibrs)
            for p in range(people):
                # Agencies flag the firearm or DV on the offense it belongs to, not every row.
                gun_here = gun and i == count - 1
                dv_here = dv and i == 0
                t.firearm |= gun_here
                t.domestic |= dv_here
                rows.append(
                    [
                        report_no,
                        reported.strftime("%m/%d/%Y"),
                        reported.strftime("%H:%M"),
                        occurred.strftime("%m/%d/%Y"),
                        occurred.strftime("%H:%M"),
                        "",
                        "",
                        offense,
                        ibrs,
                        desc,
                        str(rnd.randrange(100, 999)),
                        f"{rnd.randrange(100, 9999)} BLOCK E {rnd.randrange(1, 80)}TH ST",
                        "KANSAS CITY",
                        str(rnd.choice([64106, 64108, 64109, 64127, 64128, 64130])),
                        f"PJ{rnd.randrange(1000, 9999)}",
                        rnd.choice(["CPD", "EPD", "MPD", "NPD", "SCP"]),
                        "Y" if dv_here else "N",
                        str(p + 1),
                        "VIC" if p == 0 else "SUS",
                        rnd.choice(["B", "W", "U"]),
                        rnd.choice(["M", "F"]),
                        str(rnd.randrange(16, 70)),
                        "Y" if gun_here else "N",
                        f"POINT ({lon:.6f} {lat:.6f})",
                    ]
                )
                t.rows += 1
        t.lead = min(t.offenses, key=order.index)
    return pd.DataFrame(rows, columns=KC_HEADERS), truth


CASE_HEADERS = [
    "Case Number", "Referral Date", "Referring Agency", "Arrest Number", "Defendant Name",
    "DOB", "SID", "Sex", "Race", "Statute", "Charge Description", "Charge Class",
    "Charging Decision", "Decision Date", "ADA", "Disposition", "Disposition Date",
]  # fmt: skip
# (statute, description, class)
CASE_CHARGES: list[tuple[str, str, str]] = [
    ("PL 120.05", "ASSAULT 2ND DEGREE", "F"),
    ("PL 160.15", "ROBBERY 1ST DEGREE", "F"),
    ("PL 265.03", "CRIMINAL POSSESSION OF A WEAPON 2ND", "F"),
    ("PL 220.39", "CRIMINAL SALE CONTROLLED SUBSTANCE 3RD", "F"),
    ("PL 155.25", "PETIT LARCENY", "M"),
    ("PL 140.20", "BURGLARY 3RD DEGREE", "F"),
    ("PL 205.30", "RESISTING ARREST", "M"),
]
# (decision, disposition, the status they imply)
CASE_OUTCOMES: list[tuple[str, str, str]] = [
    ("", "", "referred"),
    ("Approved", "", "charged"),
    ("Declined - insufficient evidence", "", "declined"),
    ("Approved", "Plea of guilty", "convicted"),
    ("Approved", "Dismissed", "dismissed"),
    ("Approved", "Found not guilty", "acquitted"),
]


@dataclass
class CaseTruth:
    charges: list[str] = field(default_factory=list)  # descriptions, in the rows' order
    status: str = "referred"
    defendant: str = ""
    arrest_number: str = ""


def prosecutor_cases(n_cases: int, seed: int = 5) -> tuple[pd.DataFrame, dict[str, CaseTruth]]:
    """A prosecutor's case-referral extract: one row per charge, the case's columns repeated."""
    rnd = random.Random(seed)
    first = ["JAMES", "MARIA", "DARNELL", "LUIS", "KEISHA", "TYRONE", "ANA", "KEVIN", "JOSE"]
    last = ["WASHINGTON", "GARCIA", "JOHNSON", "RIVERA", "SMITH", "BROWN", "LOPEZ", "WILLIAMS"]
    rows: list[list[str]] = []
    truth: dict[str, CaseTruth] = {}
    for n in range(n_cases):
        number = f"2023-CR-{n + 1:05d}"
        referred = datetime(2023, 1, 2) + timedelta(days=rnd.randrange(0, 300))
        decision, disposition, status = rnd.choice(CASE_OUTCOMES)
        name = f"{rnd.choice(last)}, {rnd.choice(first)}"
        dob = datetime(1960, 1, 1) + timedelta(days=rnd.randrange(0, 40 * 365))
        arrest = f"A{23_000_000 + n}" if rnd.random() < 0.7 else ""
        charges = rnd.sample(CASE_CHARGES, rnd.choices([1, 2, 3], weights=[55, 30, 15])[0])
        truth[number] = CaseTruth(
            [c[1] for c in charges], status, defendant=name, arrest_number=arrest
        )
        for statute, description, klass in charges:
            rows.append(
                [
                    number,
                    referred.strftime("%m/%d/%Y"),
                    rnd.choice(["NYPD", "NYPD", "PAPD", "HAPD"]),
                    arrest,
                    name,
                    dob.strftime("%m/%d/%Y"),
                    f"{rnd.randrange(10_000_000, 99_999_999)}Q",
                    rnd.choice(["M", "F"]),
                    rnd.choice(["BLACK", "WHITE", "WHITE HISPANIC", "ASIAN / PACIFIC ISLANDER"]),
                    statute,
                    description,
                    klass,
                    decision,
                    (referred + timedelta(days=2)).strftime("%m/%d/%Y") if decision else "",
                    rnd.choice(["ADA Chen", "ADA Okafor", "ADA Russo"]),
                    disposition,
                    (referred + timedelta(days=90)).strftime("%m/%d/%Y") if disposition else "",
                ]
            )
    return pd.DataFrame(rows, columns=CASE_HEADERS), truth
