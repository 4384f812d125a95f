"""Fixed tables behind the demo data of fictional Harbor County (``intel.demo``): offenses with
plausible New York-style statutes and NIBRS codes, precinct names, hotspots, time profiles.

Nothing here describes a real place or person.
"""

from __future__ import annotations

from typing import NamedTuple

from intel.choices import ChargeSeverity as S
from intel.choices import OffenseCategory as C

POLICE_NAME = "Harbor County Police Department"
POLICE_SHORT = "HCPD"
PROSECUTOR_NAME = "Harbor County District Attorney's Office"
PROSECUTOR_SHORT = "HCDA"
LAYER_NAME = "precincts"
LAYER_LABEL = "Harbor County precincts (demo)"

# The county: a box, cut into 2 rows x 4 columns of precincts along jittered shared edges.
MIN_LAT, MAX_LAT = 40.60, 40.80
MIN_LON, MAX_LON = -74.10, -73.85
PRECINCTS = [  # (key, name), south row west to east, then north row west to east
    ("101", "Harbor Point"),
    ("102", "Ferry Landing"),
    ("103", "Eastport"),
    ("104", "Bayview"),
    ("105", "Mill Creek"),
    ("106", "Oak Hill"),
    ("107", "Riverside"),
    ("108", "North Shore"),
]


class Hotspot(NamedTuple):
    lat: float
    lon: float
    sigma: float  # degrees; 0.005 is roughly 500 m
    pull: dict[str, float]  # how strongly each category clusters here


HOTSPOTS = [
    Hotspot(40.637, -74.062, 0.006, {C.PROPERTY: 2.0, C.PUBLIC_ORDER: 1.5, C.VIOLENT: 1.0}),
    Hotspot(40.668, -73.932, 0.005, {C.VIOLENT: 2.0, C.WEAPONS: 2.5, C.DRUG: 1.5}),
    Hotspot(40.722, -74.018, 0.007, {C.DRUG: 2.5, C.WEAPONS: 1.2, C.VIOLENT: 0.8}),
    Hotspot(40.756, -73.902, 0.005, {C.PROPERTY: 2.5, C.OTHER: 1.0}),
    Hotspot(40.694, -73.976, 0.004, {C.PUBLIC_ORDER: 2.5, C.VIOLENT: 1.5, C.OTHER: 0.8}),
]
HOTSPOT_SHARE: dict[str, float] = {  # share of each category's points drawn around hotspots
    C.VIOLENT: 0.55,
    C.PROPERTY: 0.5,
    C.DRUG: 0.7,
    C.WEAPONS: 0.6,
    C.PUBLIC_ORDER: 0.6,
    C.OTHER: 0.3,
}

INCIDENT_MIX: dict[str, float] = {
    C.VIOLENT: 0.25,
    C.PROPERTY: 0.40,
    C.DRUG: 0.12,
    C.WEAPONS: 0.06,
    C.PUBLIC_ORDER: 0.12,
    C.OTHER: 0.05,
}
ARREST_MIX: dict[str, float] = {
    C.VIOLENT: 0.20,
    C.PROPERTY: 0.20,
    C.DRUG: 0.25,
    C.WEAPONS: 0.08,
    C.PUBLIC_ORDER: 0.19,
    C.OTHER: 0.08,
}
# How likely an incident of the category leads to an arrest (drug and weapons incidents are
# mostly found by arrests in the first place).
CLEARANCE: dict[str, float] = {
    C.VIOLENT: 0.35,
    C.PROPERTY: 0.12,
    C.DRUG: 0.85,
    C.WEAPONS: 0.7,
    C.PUBLIC_ORDER: 0.4,
    C.OTHER: 0.3,
}
# Change over the two years, from the first day to today (e.g. -0.10: 10 % fewer by now).
TREND: dict[str, float] = {
    C.VIOLENT: -0.10,
    C.PROPERTY: -0.06,
    C.DRUG: 0.12,
    C.WEAPONS: 0.08,
    C.PUBLIC_ORDER: 0.0,
    C.OTHER: 0.0,
}
WEEKDAY = [0.95, 0.93, 0.95, 0.98, 1.08, 1.12, 1.0]  # Monday first
_NIGHT = [6, 5, 4, 3, 2, 1.5, 1.2, 1.2, 1.5, 2, 2.3, 2.6, 3, 3.2, 3.5, 3.8, 4.2, 4.6, 5, 5.5, 6,
          6.5, 7, 7]  # fmt: skip
_DAY = [2.5, 2, 1.5, 1.2, 1, 1, 1.5, 2.5, 3.5, 4.2, 4.6, 5, 5.2, 5.2, 5.3, 5.5, 5.6, 5.6, 5.3,
        4.8, 4.2, 3.6, 3.2, 2.8]  # fmt: skip
_EVENING = [3, 2.5, 2, 1.5, 1, 0.8, 0.8, 1, 1.5, 2.2, 3, 3.6, 4, 4.4, 4.8, 5.2, 5.6, 6, 6.2, 6,
            5.5, 5, 4.5, 3.8]  # fmt: skip
_LATE = [6, 6, 5, 4, 2.5, 1.5, 1, 1, 1.5, 2, 2.5, 3, 3.2, 3.3, 3.5, 3.8, 4, 4.3, 4.6, 5, 5.5, 6,
         6.5, 6.8]  # fmt: skip
HOURS: dict[str, list[float]] = {
    C.VIOLENT: _NIGHT,
    C.PROPERTY: _DAY,
    C.DRUG: _EVENING,
    C.WEAPONS: _NIGHT,
    C.PUBLIC_ORDER: _LATE,
    C.OTHER: _DAY,
}


class Offense(NamedTuple):
    code: str
    description: str
    nibrs: str
    statute: str
    severity: str
    weight: float
    firearm: float  # probability the incident involved a firearm
    domestic: float  # probability it was domestic


OFFENSES: dict[str, list[Offense]] = {
    C.VIOLENT: [
        Offense("ASLT3", "ASSAULT 3RD DEGREE", "13B", "PL 120.00", S.MISDEMEANOR, 30, 0, 0.35),
        Offense("ASLT2", "ASSAULT 2ND DEGREE", "13A", "PL 120.05", S.FELONY, 18, 0.08, 0.2),
        Offense("ASLT1", "ASSAULT 1ST DEGREE", "13A", "PL 120.10", S.FELONY, 5, 0.45, 0.1),
        Offense("ROB3", "ROBBERY 3RD DEGREE", "120", "PL 160.05", S.FELONY, 10, 0, 0),
        Offense("ROB2", "ROBBERY 2ND DEGREE", "120", "PL 160.10", S.FELONY, 10, 0.1, 0),
        Offense("ROB1", "ROBBERY 1ST DEGREE", "120", "PL 160.15", S.FELONY, 7, 0.6, 0),
        Offense("MENAC2", "MENACING 2ND DEGREE", "13C", "PL 120.14", S.MISDEMEANOR, 9, 0.2, 0.3),
        Offense("STRAN2", "STRANGULATION 2ND DEGREE", "13A", "PL 121.12", S.FELONY, 4, 0, 0.9),
        Offense("RECK1", "RECKLESS ENDANGERMENT 1ST", "13A", "PL 120.25", S.FELONY, 4, 0.7, 0),
        Offense("SXAB1", "SEXUAL ABUSE 1ST DEGREE", "11D", "PL 130.65", S.FELONY, 2, 0, 0.3),
        Offense("MURD2", "MURDER 2ND DEGREE", "09A", "PL 125.25", S.FELONY, 1, 0.8, 0.15),
    ],
    C.PROPERTY: [
        Offense("PLARC", "PETIT LARCENY", "23H", "PL 155.25", S.MISDEMEANOR, 30, 0, 0.02),
        Offense(
            "SHOPL", "PETIT LARCENY - SHOPLIFTING", "23C", "PL 155.25", S.MISDEMEANOR, 16, 0, 0
        ),
        Offense("GLARC4", "GRAND LARCENY 4TH DEGREE", "23H", "PL 155.30", S.FELONY, 12, 0, 0.02),
        Offense(
            "GLAMV", "GRAND LARCENY OF MOTOR VEHICLE", "240", "PL 155.30(8)", S.FELONY, 8, 0, 0
        ),
        Offense("BURG2", "BURGLARY 2ND DEGREE", "220", "PL 140.25", S.FELONY, 7, 0, 0.05),
        Offense("BURG3", "BURGLARY 3RD DEGREE", "220", "PL 140.20", S.FELONY, 6, 0, 0),
        Offense(
            "CRMIS4", "CRIMINAL MISCHIEF 4TH DEGREE", "290", "PL 145.00", S.MISDEMEANOR, 12, 0, 0.15
        ),
        Offense("CRMIS3", "CRIMINAL MISCHIEF 3RD DEGREE", "290", "PL 145.05", S.FELONY, 4, 0, 0.05),
        Offense(
            "CPSP5", "CRIM POSS STOLEN PROPERTY 5TH", "280", "PL 165.40", S.MISDEMEANOR, 4, 0, 0
        ),
        Offense("IDTH3", "IDENTITY THEFT 3RD DEGREE", "26F", "PL 190.78", S.MISDEMEANOR, 3, 0, 0),
        Offense("ARSON3", "ARSON 3RD DEGREE", "200", "PL 150.10", S.FELONY, 1, 0, 0.1),
    ],
    C.DRUG: [
        Offense(
            "CPCS7",
            "CRIM POSS CONTROLLED SUBSTANCE 7TH",
            "35A",
            "PL 220.03",
            S.MISDEMEANOR,
            40,
            0.01,
            0,
        ),
        Offense(
            "CPCS3", "CRIM POSS CONTROLLED SUBSTANCE 3RD", "35A", "PL 220.16", S.FELONY, 18, 0.05, 0
        ),
        Offense(
            "CSCS3", "CRIM SALE CONTROLLED SUBSTANCE 3RD", "35A", "PL 220.39", S.FELONY, 14, 0.06, 0
        ),
        Offense(
            "CUDP2", "CRIM USE DRUG PARAPHERNALIA 2ND", "35B", "PL 220.50", S.MISDEMEANOR, 10, 0, 0
        ),
        Offense(
            "CPCS5", "CRIM POSS CONTROLLED SUBSTANCE 5TH", "35A", "PL 220.06", S.FELONY, 8, 0.03, 0
        ),
    ],
    C.WEAPONS: [
        Offense(
            "CPW4", "CRIM POSS WEAPON 4TH DEGREE", "520", "PL 265.01", S.MISDEMEANOR, 35, 0.25, 0.1
        ),
        Offense("CPW3", "CRIM POSS WEAPON 3RD DEGREE", "520", "PL 265.02", S.FELONY, 25, 0.8, 0.05),
        Offense("CPW2", "CRIM POSS WEAPON 2ND DEGREE", "520", "PL 265.03", S.FELONY, 30, 1, 0.02),
        Offense("CPFA", "CRIM POSS FIREARM", "520", "PL 265.01-B", S.FELONY, 10, 1, 0),
    ],
    C.PUBLIC_ORDER: [
        Offense("DISCON", "DISORDERLY CONDUCT", "90C", "PL 240.20", S.VIOLATION, 25, 0, 0.05),
        Offense("HARAS2", "HARASSMENT 2ND DEGREE", "90Z", "PL 240.26", S.VIOLATION, 25, 0, 0.4),
        Offense(
            "CTRES3", "CRIMINAL TRESPASS 3RD DEGREE", "90J", "PL 140.10", S.MISDEMEANOR, 15, 0, 0.05
        ),
        Offense("TRESP", "TRESPASS", "90J", "PL 140.05", S.VIOLATION, 10, 0, 0),
        Offense("DWI", "DRIVING WHILE INTOXICATED", "90D", "VTL 1192.3", S.MISDEMEANOR, 15, 0, 0),
        Offense("RESIST", "RESISTING ARREST", "90Z", "PL 205.30", S.MISDEMEANOR, 5, 0, 0),
        Offense(
            "OGA2", "OBSTRUCT GOVERNMENTAL ADMIN 2ND", "90Z", "PL 195.05", S.MISDEMEANOR, 5, 0, 0
        ),
    ],
    C.OTHER: [
        Offense(
            "CCONT2", "CRIMINAL CONTEMPT 2ND DEGREE", "90Z", "PL 215.50", S.MISDEMEANOR, 35, 0, 0.8
        ),
        Offense(
            "AUO3", "AGG UNLICENSED OPERATION 3RD", "90Z", "VTL 511.1", S.MISDEMEANOR, 30, 0, 0
        ),
        Offense("FPERS", "FALSE PERSONATION", "90Z", "PL 190.23", S.MISDEMEANOR, 15, 0, 0),
        Offense("BAILJ2", "BAIL JUMPING 2ND DEGREE", "90Z", "PL 215.56", S.FELONY, 10, 0, 0),
        Offense("FRGRY3", "FORGERY 3RD DEGREE", "250", "PL 170.05", S.MISDEMEANOR, 10, 0, 0),
    ],
}
# Charges that often ride along with the top charge of an arrest.
ADD_ON_CHARGES = [
    OFFENSES[C.PUBLIC_ORDER][5],  # resisting arrest
    OFFENSES[C.PUBLIC_ORDER][6],  # obstructing governmental administration
    OFFENSES[C.DRUG][0],  # possession 7th
    OFFENSES[C.WEAPONS][0],  # weapon 4th
    OFFENSES[C.OTHER][1],  # unlicensed operation
    OFFENSES[C.OTHER][2],  # false personation
]

STREETS = [
    "HARBOR AVE", "FERRY ST", "BAY RD", "MILL CREEK RD", "OAK HILL AVE", "SHORE BLVD",
    "EASTPORT AVE", "RIVERSIDE DR", "LIGHTHOUSE LN", "DOCK ST", "CANNERY ROW", "SALT MARSH RD",
    "ANCHOR WAY", "SEAVIEW TER", "KINGS HWY", "MAIN ST", "MARKET ST", "CHURCH ST", "UNION AVE",
    "WASHINGTON AVE", "PARK PL", "ELM ST", "MAPLE AVE", "CEDAR ST", "PINE ST", "WILLOW LN",
    "2ND AVE", "3RD AVE", "5TH AVE", "7TH ST", "9TH ST", "12TH ST", "CENTRAL AVE", "PIER RD",
    "FULTON ST", "ATLANTIC AVE", "BEACON ST", "TIDEWATER RD", "GULL CT", "SCHOONER DR",
]  # fmt: skip
NICKNAMES = [
    "JUNIOR", "BOO", "SMOKE", "LIL MAN", "TINY", "BIG MIKE", "DRE", "PAPI", "SHORTY", "RED",
    "ACE", "JAY", "KILO", "SONNY", "BUDDY", "TREY", "MANNY", "POOH", "SLIM", "BLUE",
]  # fmt: skip
SUFFIXES = ["JR", "JR", "JR", "SR", "II", "III"]
SEX_MIX = {"M": 0.78, "F": 0.20, "X": 0.01, "U": 0.01}
RACE_MIX = {
    "black": 0.38, "hispanic": 0.28, "white": 0.25, "asian": 0.05, "other": 0.015,
    "multiracial": 0.01, "native_american": 0.005, "pacific_islander": 0.003, "unknown": 0.007,
}  # fmt: skip
