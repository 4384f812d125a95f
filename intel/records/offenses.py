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
    ("BURGLAR", P, "220"), ("BREAK AND ENTER", P, "220"), ("BREAK & ENTER", P, "220"),
    ("B&E", P, "220"), ("THEFT OF MOTOR VEHICLE", P, "240"),
    ("GRAND LARCENY", P, "23H"), ("PETIT LARCENY", P, "23H"),
    ("LARCENY", P, "23H"), ("THEFT", P, "23H"), ("STEALING", P, "23H"), ("SHOPLIFTING", P, "23C"), ("ARSON", P, "200"),
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


def categorise(
    texts: Iterable[str], patterns: list[tuple[str, str, str]]
) -> dict[str, tuple[str, str]]:
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


# The order in which an incident's offenses are ranked, most serious first: NIBRS's Group A
# offenses roughly as the FBI's old Summary Reporting hierarchy rule ranks them (homicide, rape,
# robbery, aggravated assault, burglary, larceny, motor-vehicle theft, arson), then the other
# crimes against persons, weapons, the rest of property, drugs and public order. The lead
# offense of an incident is the one that comes first here; an offense with no NIBRS code ranks
# by its category (violent, weapons, property, drug, public order, other).
SERIOUSNESS: tuple[str, ...] = (
    "09A", "09B", "09C", "11A", "11B", "11C", "120", "13A", "100", "64A", "64B", "11D",
    "220", "23H", "23A", "23B", "23C", "23D", "23E", "23F", "23G", "240", "200",
    "520", "13B", "13C", "210", "280", "26A", "26B", "26C", "26D", "26E", "26F", "26G", "250",
    "270", "290", "35A", "35B", "370", "39A", "39B", "40A", "40B", "90A", "90B", "90C", "90D",
    "90E", "90F", "90G", "90H", "90J", "90Z",
)  # fmt: skip
CATEGORY_SERIOUSNESS: tuple[str, ...] = (V, W, P, D, PO, OffenseCategory.OTHER.value)
_CODE_RANK = {code: rank for rank, code in enumerate(SERIOUSNESS)}
_CATEGORY_RANK = {cat: len(SERIOUSNESS) + rank for rank, cat in enumerate(CATEGORY_SERIOUSNESS)}


def seriousness(nibrs_code: str, category: str) -> int:
    """Rank of an offense (0 is the most serious): its NIBRS code's place in ``SERIOUSNESS``,
    else its category's place after every coded offense."""
    rank = _CODE_RANK.get(nibrs_code)
    if rank is not None:
        return rank
    return _CATEGORY_RANK.get(category, len(SERIOUSNESS) + len(CATEGORY_SERIOUSNESS))


def nibrs_category(code: str) -> str | None:
    """The category of a NIBRS offense code (``None`` for a code that is not one): extracts
    that give the code itself (an ``IBRS`` or ``NIBRS code`` column) are categorised by it."""
    if code not in _CODE_RANK:
        return None
    if code == "520":
        return W
    if code.startswith("35"):
        return D
    if code[:2] in ("09", "11", "12", "13", "10", "64"):
        return V
    if code[0] == "2":
        return P
    return PO
