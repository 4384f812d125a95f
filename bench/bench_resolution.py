"""Entity resolution of arrests to people, measured against the truth of a labelled generator
(``bench/people_generator.py``) and against splink 5 on the same data in the same run.

Scenario 1 ("from scratch"): 20,000 arrests and no known people, resolved in import-sized
batches in time order; pairwise precision and recall of the people it forms.

Scenario 2 ("known people"): 200,000 people already known (created with ``people_create`` from
their true identities) and a batch of 10,000 new arrests: about 70 % of known people, written
with the generator's errors (not copies of the stored identity), and 30 % of people not yet
known, some arrested several times in the batch. ``resolve_arrests`` is timed end to end.
Measured: precision and recall of its automatic links (identifier + auto) to known people,
pairwise precision and recall of the whole batch's clustering, and the review / new counts.

Peer: splink 5 (DuckDB) links the same 10,000 arrests to the same 200,000 people
(``link_only``): names (Jaro-Winkler, term frequencies), date of birth, sex, state ID and FBI
number; blocking comparable to ours; u by random sampling, m by EM on two blocking rules, as
its docs recommend. Each arrest goes to its best person at match probability >= 0.95.

Targets: precision >= 0.98, recall >= 0.95, ours no slower than splink.
Sizes: CSU_BENCH_PEOPLE, CSU_BENCH_ARRESTS, CSU_BENCH_SCRATCH_ARRESTS; CSU_BENCH_REPEATS.
"""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
from django.db import transaction

from bench import people_generator as gen
from bench.resolution_splink import arrests_frame, people_frame, splink_links
from bench.resolution_support import (
    AUTO_METHODS,
    BATCH,
    EXISTING,
    KNOWN_SHARE,
    REPEATS,
    SCRATCH,
    SCRATCH_BATCH,
    SEED,
    SPLINK_THRESHOLD,
    _analyze,
    _clear,
    _insert_arrests,
    _misses,
    _outcome,
    _pairs_line,
    _verdict,
)
from csu.actors import system_actor
from intel.models import Agency, PersonLink
from intel.people.resolution.engine import resolve_arrests
from intel.people.resolution.store import people_create

# ---- scenario 1: from scratch ----------------------------------------------------------------


def from_scratch(agency: Agency) -> dict:
    people, rows = gen.generate(round(SCRATCH * 0.45), SCRATCH, seed=SEED + 100)
    ids = _insert_arrests(rows, agency)
    _analyze()
    totals: Counter = Counter()
    actor = system_actor()
    started = time.perf_counter()
    for start in range(0, len(ids), SCRATCH_BATCH):
        summary = resolve_arrests(actor=actor, arrest_ids=ids[start : start + SCRATCH_BATCH])
        totals.update(
            identifier=summary.identifier,
            auto=summary.auto,
            review=summary.review,
            new=summary.new_people,
        )
    seconds = time.perf_counter() - started
    persons, _ = _outcome(ids)
    counts = gen.labelled_pairs(persons, [r["true_id"] for r in rows])
    print(
        f"   from scratch: {len(rows):,} arrests of {len(people):,} people in batches of "
        f"{SCRATCH_BATCH:,}: {seconds:.1f} s ({len(rows) / seconds:,.0f} arrests/s); "
        f"identifier {totals['identifier']:,}, auto {totals['auto']:,}, "
        f"review {totals['review']:,}, new people {totals['new']:,} "
        f"(true people {len(people):,})"
    )
    print(_pairs_line("pairwise, people formed from scratch", counts))
    _clear()
    return {
        "scratch_seconds": seconds,
        "scratch_precision": counts.precision,
        "scratch_recall": counts.recall,
    }


# ---- scenario 2: a batch against known people --------------------------------------------------


def scenario() -> tuple[list[dict], list[dict]]:
    """The known people and the batch: known people's arrests (a few more than once) and the
    arrests of people not yet known, in time order."""
    rng = np.random.default_rng(SEED)
    n_known_arrests = round(BATCH * KNOWN_SHARE)
    n_new_arrests = BATCH - n_known_arrests
    n_new = round(n_new_arrests / 1.4)
    population = gen.identities(EXISTING + n_new, seed=SEED)
    known_people = rng.choice(EXISTING, round(n_known_arrests / 1.15), replace=False)
    known_counts = gen.arrest_counts(len(known_people), n_known_arrests, rng, spread=0.8)
    new_counts = gen.arrest_counts(n_new, n_new_arrests, rng, spread=0.8)
    arrested = [
        population[int(i)]
        for i, n in zip(known_people, known_counts, strict=True)
        for _ in range(n)
    ]
    arrested += [population[EXISTING + i] for i, n in enumerate(new_counts) for _ in range(n)]
    return population[:EXISTING], gen.record_arrests(arrested, seed=SEED + 2)


def known_people(agency: Agency) -> dict:
    started = time.perf_counter()
    existing, rows = scenario()
    generated = time.perf_counter() - started
    started = time.perf_counter()
    person_ids = people_create(existing)
    true_of = {pid: p["true_id"] for pid, p in zip(person_ids, existing, strict=True)}
    ids = _insert_arrests(rows, agency)
    _analyze()
    loaded = time.perf_counter() - started
    known_set = {p["true_id"] for p in existing}
    truth = {i: (r["true_id"] if r["true_id"] in known_set else None) for i, r in enumerate(rows)}
    n_known = sum(t is not None for t in truth.values())
    most = Counter(r["true_id"] for r in rows).most_common(1)[0][1]
    print(
        f"   known people: {len(existing):,} people, batch of {len(rows):,} arrests "
        f"({n_known:,} of known people, {len(rows) - n_known:,} of "
        f"{len({r['true_id'] for r in rows} - known_set):,} people not yet known; at most "
        f"{most} arrests of one person); generated in {generated:.1f} s, loaded in "
        f"{loaded:.1f} s"
    )

    runs = []
    actor = system_actor()
    for attempt in range(REPEATS):
        with transaction.atomic():
            runs.append(resolve_arrests(actor=actor, arrest_ids=ids))
            transaction.set_rollback(attempt < REPEATS - 1)
    summary, ours_seconds = runs[-1], min(r.seconds for r in runs)
    persons, methods = _outcome(ids)
    ours = {
        i: (true_of.get(pid) if m in AUTO_METHODS else None)
        for i, (pid, m) in enumerate(zip(persons, methods, strict=True))
    }
    ours_links = gen.link_metrics(ours, truth)
    ours_pairs = gen.labelled_pairs(persons, [r["true_id"] for r in rows])

    people_df = people_frame(existing)  # set-up, as people_create is for ours
    mark = time.perf_counter()
    arrests_df = arrests_frame(rows)
    prep = time.perf_counter() - mark
    splink, times = min(
        (splink_links(people_df, arrests_df) for _ in range(REPEATS)),
        key=lambda result: result[1]["total"],
    )
    splink_seconds = times["total"] + prep
    theirs = {i: splink.get(i) for i in range(len(rows))}
    splink_links_counts = gen.link_metrics(theirs, truth)
    splink_pairs = gen.labelled_pairs(
        [theirs[i] for i in range(len(rows))], [r["true_id"] for r in rows]
    )

    print(f"   best of {REPEATS} runs each")
    print(
        f"   ours:   {ours_seconds:6.1f} s  ({len(rows) / ours_seconds:,.0f} arrests/s)  "
        f"identifier {summary.identifier:,}, auto {summary.auto:,}, "
        f"review {summary.review:,}, new people {summary.new_people:,}; first run "
        f"{runs[0].seconds:.1f} s"
    )
    print(
        f"   splink: {splink_seconds:6.1f} s  (arrest frame {prep:.1f} s, register "
        f"{times['register']:.1f} s, train {times['train']:.1f} s, predict "
        f"{times['predict']:.1f} s); links at p >= {SPLINK_THRESHOLD}: {len(splink):,}"
    )
    ratio = ours_seconds / splink_seconds
    print(f"   time ours / splink: {ratio:.2f}  [{_verdict(ratio <= 1.0)} <= 1.0]")
    print(_pairs_line("ours, auto-links to known people", ours_links))
    print(
        _pairs_line(
            f"splink, links at p >= {SPLINK_THRESHOLD} to known people", splink_links_counts
        )
    )
    print(_pairs_line("ours, pairwise over the batch", ours_pairs))
    print(_pairs_line("splink, pairwise over the batch (link_only)", splink_pairs))
    fate = {
        i: (
            "review"
            if m is None
            else "new person"
            if m == PersonLink.Method.NEW
            else "linked in batch"
            if true_of.get(pid) is None
            else "linked elsewhere"
        )
        for i, (pid, m) in enumerate(zip(persons, methods, strict=True))
    }
    print(f"   ours:   {_misses(rows, ours, truth, existing, fate)}")
    print(f"   splink: {_misses(rows, theirs, truth, existing)}")
    return {
        "ours_seconds": ours_seconds,
        "splink_seconds": splink_seconds,
        "ours_precision": ours_links.precision,
        "ours_recall": ours_links.recall,
        "splink_precision": splink_links_counts.precision,
        "splink_recall": splink_links_counts.recall,
        "ours_pair_precision": ours_pairs.precision,
        "ours_pair_recall": ours_pairs.recall,
    }


def run() -> dict:
    print(
        "   generator error rates (of the arrests each could apply to): "
        + ", ".join(f"{k} {v:.0%}" for k, v in gen.ERROR_RATES.items())
    )
    print(
        "   hard cases (share of people): "
        + ", ".join(f"{k} {v:.0%}" for k, v in gen.HARD_CASES.items())
    )
    agency, _ = Agency.objects.get_or_create(name="Bench PD")
    results = from_scratch(agency)
    results.update(known_people(agency))
    return results
