"""Offense → category (violent, property, drug, weapons, public order, other) and NIBRS code.

The lookup lives in ``OffenseMapping`` rows the analyst can extend; these built-in patterns seed
it. Matching runs once per distinct offense text, not per row.
"""

from __future__ import annotations

from collections.abc import Iterable

from intel.choices import OffenseCategory

V, P, D, W, PO = "violent", "property", "drug", "weapons", "public_order"

# (pattern, category, NIBRS code). Longer, more specific patterns win over shorter ones.
BUILTIN: list[tuple[str, str, str]] = [
    ("HOMICIDE", V, "09A"), ("MURDER", V, "09A"), ("MANSLAUGHTER", V, "09A"),
    ("SHOOTING", V, "13A"), ("CRIM SEXUAL ASSAULT", V, "11A"), ("CRIMINAL SEXUAL ASSAULT", V, "11A"),
    ("RAPE", V, "11A"), ("SODOMY", V, "11B"), ("SEX CRIMES", V, "11D"), ("SEXUAL ABUSE", V, "11D"),
    ("SEX OFFENSE", V, "11D"), ("ROBBERY", V, "120"), ("AGGRAVATED ASSAULT", V, "13A"),
    ("FELONY ASSAULT", V, "13A"), ("AGG ASSAULT", V, "13A"), ("ASSAULT 3", V, "13B"),
    ("ASSAULT", V, "13B"), ("BATTERY", V, "13B"), ("MENACING", V, "13C"), ("INTIMIDATION", V, "13C"),
    ("STALKING", V, "13C"), ("KIDNAPPING", V, "100"), ("KIDNAP", V, "100"),
    ("UNLAWFUL RESTRAINT", V, "100"), ("HUMAN TRAFFICKING", V, "64A"), ("STRANGULATION", V, "13A"),
    ("RECKLESS ENDANGERMENT", V, "13B"), ("CRIMINAL NEGLIGENCE", V, "13B"),
    ("MOTOR VEHICLE THEFT", P, "240"), ("GRAND LARCENY OF MOTOR VEHICLE", P, "240"),
    ("VEHICLE THEFT", P, "240"), ("AUTO THEFT", P, "240"), ("BURGLARY", P, "220"),
    ("BURGLAR", P, "220"), ("GRAND LARCENY", P, "23H"), ("PETIT LARCENY", P, "23H"),
    ("LARCENY", P, "23H"), ("THEFT", P, "23H"), ("SHOPLIFTING", P, "23C"), ("ARSON", P, "200"),
    ("CRIMINAL DAMAGE", P, "290"), ("CRIMINAL MISCHIEF", P, "290"), ("VANDALISM", P, "290"),
    ("STOLEN PROPERTY", P, "280"), ("POSSESSION OF STOLEN", P, "280"), ("FRAUD", P, "26A"),
    ("FORGERY", P, "250"), ("DECEPTIVE PRACTICE", P, "26A"), ("EMBEZZLEMENT", P, "270"),
    ("IDENTITY THEFT", P, "26F"), ("UNAUTHORIZED USE", P, "240"),
    ("NARCOTIC", D, "35A"), ("CONTROLLED SUBSTANCE", D, "35A"), ("DANGEROUS DRUGS", D, "35A"),
    ("DRUG", D, "35A"), ("MARIJUANA", D, "35A"), ("CANNABIS", D, "35A"), ("CRACK", D, "35A"),
    ("HEROIN", D, "35A"), ("COCAINE", D, "35A"), ("PARAPHERNALIA", D, "35B"),
    ("WEAPONS", W, "520"), ("WEAPON", W, "520"), ("FIREARM", W, "520"), ("GUN", W, "520"),
    ("CONCEALED CARRY", W, "520"), ("AMMUNITION", W, "520"),
    ("PUBLIC PEACE", PO, "90C"), ("DISORDERLY", PO, "90C"), ("PUBLIC ORDER", PO, "90C"),
    ("LIQUOR", PO, "90G"), ("GAMBLING", PO, "39A"), ("PROSTITUTION", PO, "40A"),
    ("CRIMINAL TRESPASS", PO, "90J"), ("TRESPASS", PO, "90J"), ("LOITERING", PO, "90B"),
    ("INTOXICATED", PO, "90D"), ("DWI", PO, "90D"), ("DUI", PO, "90D"), ("TRAFFIC", PO, ""),
    ("VEHICLE AND TRAFFIC", PO, ""), ("OBSTRUCT", PO, ""), ("RESISTING ARREST", PO, ""),
    ("INTERFERENCE WITH PUBLIC OFFICER", PO, ""), ("HARASSMENT", PO, "90Z"),
    ("OFFENSE INVOLVING CHILDREN", PO, "90F"), ("PUBLIC INDECENCY", PO, "90Z"),
    ("OBSCENITY", PO, "370"), ("ESCAPE", PO, "90Z"), ("BAIL JUMPING", PO, "90Z"),
    ("CONTEMPT", PO, "90Z"),
]  # fmt: skip


def categorise(texts: Iterable[str], patterns: list[tuple[str, str, str]]) -> dict[str, tuple]:
    """Category and NIBRS code for each distinct text: an exact pattern first, then the longest
    pattern the text contains; otherwise ``other``."""
    by_length = sorted(patterns, key=lambda p: -len(p[0]))
    exact = {p[0]: p for p in patterns}
    result: dict[str, tuple[str, str]] = {}
    for text in texts:
        upper = text.upper()
        hit = exact.get(upper) or next((p for p in by_length if p[0] in upper), None)
        result[text] = (hit[1], hit[2]) if hit else (OffenseCategory.OTHER.value, "")
    return result
