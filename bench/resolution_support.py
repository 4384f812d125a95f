"""What both scenarios of the resolution benchmark (``bench/bench_resolution.py``) share: sizes,
targets and seed, loading the generated arrests and reading back what resolution did, and the
lines of the report.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence

from django.db import connection

from bench import people_generator as gen
from intel.models import Agency, Arrest, PersonLink

EXISTING = int(os.environ.get("CSU_BENCH_PEOPLE", "200000"))
BATCH = int(os.environ.get("CSU_BENCH_ARRESTS", "10000"))
SCRATCH = int(os.environ.get("CSU_BENCH_SCRATCH_ARRESTS", "20000"))
SCRATCH_BATCH = 2_000  # arrests per import in the from-scratch scenario
KNOWN_SHARE = 0.70
SPLINK_THRESHOLD = 0.95
TARGET_PRECISION, TARGET_RECALL = 0.98, 0.95
AUTO_METHODS = (PersonLink.Method.IDENTIFIER, PersonLink.Method.AUTO)
SEED = 7
# Both sides run this many times on the same data and keep their fastest time: the machine is
# shared, and one disturbed run should not decide the ratio. Ours rolls back all but the last.
REPEATS = int(os.environ.get("CSU_BENCH_REPEATS", "2"))


def _verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def _insert_arrests(rows: Sequence[dict], agency: Agency) -> list[int]:
    arrests = Arrest.objects.bulk_create(
        [
            Arrest(
                source_agency=agency,
                source_id=r["booking_number"],
                arrested_at=r["arrested_at"],
                name_as_recorded=r["name_as_recorded"],
                dob_as_recorded=r["dob_as_recorded"],
                state_id_as_recorded=r["state_id_as_recorded"],
                fbi_number_as_recorded=r["fbi_number_as_recorded"],
                booking_number=r["booking_number"],
                sex=r["sex"],
                race=r["race"],
                address=r["address"],
            )
            for r in rows
        ],
        batch_size=5000,
    )
    return [a.pk for a in arrests]


def _analyze() -> None:
    with connection.cursor() as cur:
        for table in (
            "intel_person",
            "intel_personnamekey",
            "intel_personidentifier",
            "intel_arrest",
        ):
            cur.execute(f"ANALYZE {table}")


def _outcome(arrest_ids: list[int]) -> tuple[list[int | None], list[str | None]]:
    """Each arrest's person (None while it waits for review) and how it was linked."""
    people = dict(Arrest.objects.filter(pk__in=arrest_ids).values_list("pk", "person_id"))
    methods = dict(
        PersonLink.objects.filter(arrest_id__in=arrest_ids).values_list("arrest_id", "method")
    )
    return [people.get(i) for i in arrest_ids], [methods.get(i) for i in arrest_ids]


def _clear() -> None:
    """Remove the people and arrests of a scenario (no CASCADE: append-only tables refuse)."""
    with connection.cursor() as cur:
        for table in (
            "intel_matchcandidate",
            "intel_personlink",
            "intel_personnamekey",
            "intel_personidentifier",
            "intel_personalias",
            "intel_arrest",
            "intel_person",
        ):
            cur.execute(f"DELETE FROM {table}")


def _pairs_line(label: str, counts: gen.PairCounts) -> str:
    ok = counts.precision >= TARGET_PRECISION and counts.recall >= TARGET_RECALL
    return (
        f"   {label:<44} precision {counts.precision:.4f}  recall {counts.recall:.4f}  "
        f"[{_verdict(ok)} >= {TARGET_PRECISION} / {TARGET_RECALL}]"
    )


def _misses(
    rows: list[dict],
    predicted: dict[int, int | None],
    truth: dict[int, int | None],
    existing: list[dict],
    fate: dict[int, str] | None = None,
) -> str:
    """What the wrong and missed links have in common: the hard case a wrong link went to,
    what became of the missed ones, and the recording errors over-represented among them
    (count, and how many times more often than among all arrests of known people)."""
    wrong = Counter(
        existing[predicted[i]]["hard_case"] or "no hard case"
        for i in predicted
        if predicted[i] is not None and predicted[i] != truth[i]
    )
    missed = [i for i, t in truth.items() if t is not None and predicted.get(i) != t]
    known = [i for i, t in truth.items() if t is not None]
    base = Counter(e for i in known for e in rows[i]["errors"])
    among = Counter(e for i in missed for e in rows[i]["errors"])
    lift = {e: (n / len(missed)) / (base[e] / len(known)) for e, n in among.items() if n >= 5}
    top = sorted(lift, key=lambda e: -lift[e])[:5]
    fates = f" ({dict(Counter(fate[i] for i in missed).most_common())})" if fate else ""
    return (
        f"wrong links to {dict(wrong.most_common(4)) or 'no one'}; missed "
        f"{len(missed):,}{fates}, errors most over-represented: "
        + ", ".join(f"{e} {among[e]} (x{lift[e]:.1f})" for e in top)
    )
