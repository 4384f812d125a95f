"""Arrest-alert matching: 10,000 arrests against 50,000 person entries plus charge and place
entries, with a labelled truth (``bench/people_population.py`` identities).

The watched people get one person entry each, on lists owned by and shared with a handful of
users (one of them holding no alerts permission, one inactive). The arrests:

- identifier: watched people arrested with their state ID recorded;
- linked: watched people whose entry names their person record, the arrest linked to it (as
  entity resolution does before matching);
- exact: name and date of birth written as the entry has them, no state ID;
- variants: a typo in the last or first name, a nickname, first and last swapped, one digit
  of the date of birth slipped, day and month swapped;
- strangers: people on no list, written down with the generator's usual errors (twins,
  namesakes and fathers and sons of watched people among them): any person match is false.

``arrests_match`` is timed against a brute-force fuzzy comparison of every arrest with every
person entry (rapidfuzz ``process.cdist``, ``fuzz.ratio`` on "LAST FIRST YYYYMMDD", alert at
the same threshold, 90 of 100), measured in the same run. Printed: time and ratio, recall by
kind, false alerts as a share of alerts, and the alerts planned for recipients without access
to the list (the planning step of ``alerts_create_for_arrests``).
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import numpy as np

from bench.people_generator import (
    digit_off,
    format_name,
    identities,
    nickname_choices,
    record_arrests,
    typo,
)

N_WATCHED = 50_000
N_STRANGERS = 5_000
PER_KIND = {"identifier": 1_000, "linked": 1_000, "exact": 1_000}
VARIANTS = ["last_typo", "first_typo", "nickname", "swapped", "dob_digit", "dob_transposed"]
PER_VARIANT = 333  # 1,998 variants; 10,000 arrests with the strangers and the kinds above
N_CHARGE_ENTRIES = 200
N_PLACE_ENTRIES = 300
SEED = 13
CHARGES = [
    ("PL 265.03", "CRIM POSS WEAPON 2ND DEGREE", "weapons"),
    ("PL 120.05", "ASSAULT 2ND DEGREE", "violent"),
    ("PL 155.25", "PETIT LARCENY", "property"),
    ("PL 220.03", "CRIM POSS CONTROLLED SUBSTANCE 7TH", "drug"),
    ("PL 140.10", "CRIMINAL TRESPASS 3RD DEGREE", "other"),
]


def _variant(person: dict, kind: str, rnd: random.Random) -> tuple[str, date] | None:
    first, last, dob = person["first"], person["last"], person["dob"]
    if kind == "last_typo":
        last = typo(last, rnd)
    elif kind == "first_typo":
        first = typo(first, rnd)
    elif kind == "nickname":
        choices = nickname_choices(first)
        if not choices:
            return None
        first = rnd.choices(choices[0], weights=choices[1])[0]
    elif kind == "swapped":
        first, last = last, first
    elif kind == "dob_digit":
        dob = digit_off(dob, rnd)
    elif kind == "dob_transposed":
        if dob.day > 12 or dob.day == dob.month:
            return None
        dob = date(dob.year, dob.day, dob.month)
    return format_name(last=last, first=first), dob


def _users() -> dict[str, object]:
    from csu.actors import system_actor
    from csu.services import user_create

    made = {}
    for name, role in [
        ("ada1", "prosecutor"),
        ("ada2", "prosecutor"),
        ("ada3", "prosecutor"),
        ("analyst1", "analyst"),
        ("supervisor1", "supervisor"),
        ("admin1", "admin"),  # no alerts, no arrests: must receive nothing
        ("gone1", "prosecutor"),  # inactive: must receive nothing
    ]:
        user, _code = user_create(
            actor=system_actor(),
            username=name,
            password="bench password long enough 1",  # noqa: S106
            role=role,
        )
        made[name] = user
    made["gone1"].is_active = False  # type: ignore[attr-defined]
    made["gone1"].save()  # type: ignore[attr-defined]
    return made


def _lists(users: dict[str, object]) -> list[object]:
    from guardian.shortcuts import assign_perm

    from alerts.models import WatchList

    owner = users["ada1"]
    category = WatchList.objects.create(name="Priority", owner=owner, created_by=owner)
    assign_perm("own_watchlist", owner, category)
    lists = []
    for g in range(10):
        group = WatchList.objects.create(
            name=f"Group {g}",
            parent=category,
            level=2,
            owner=owner,
            created_by=owner,
            priority="high" if g % 3 == 0 else "normal",
            silent=g == 9,
        )
        lists.append(group)
        viewers = [users["ada2"], users["admin1"], users["gone1"]]
        if g % 2:
            viewers += [users["ada3"], users["analyst1"]]
        for v in viewers:
            assign_perm("view_watchlist", v, group)
        assign_perm("change_watchlist", users["supervisor1"], group)
    return lists


def _world() -> dict:
    from alerts.models import WatchEntry
    from csu.actors import system_actor
    from intel.models import Agency, Arrest, ArrestCharge, Person

    rnd = random.Random(SEED)
    people = identities(N_WATCHED + N_STRANGERS * 2, seed=SEED)
    watched, others = people[:N_WATCHED], people[N_WATCHED:]
    users = _users()
    lists = _lists(users)
    creator = system_actor()
    expires = datetime.now(UTC) + timedelta(days=365)

    order = list(range(N_WATCHED))
    rnd.shuffle(order)
    with_state = [i for i in order if watched[i]["state_id"]]
    chosen: dict[str, list[int]] = {}
    taken: set[int] = set()
    chosen["identifier"] = with_state[: PER_KIND["identifier"]]
    taken.update(chosen["identifier"])
    rest = [i for i in order if i not in taken]
    chosen["linked"] = rest[: PER_KIND["linked"]]
    taken.update(chosen["linked"])
    rest = rest[PER_KIND["linked"] :]

    # Person records for the linked kind (entity resolution made them).
    persons = Person.objects.bulk_create(
        [
            Person(
                first_name=watched[i]["first"], last_name=watched[i]["last"], dob=watched[i]["dob"]
            )
            for i in chosen["linked"]
        ]
    )
    person_of = {i: p.pk for i, p in zip(chosen["linked"], persons, strict=True)}

    by_identifier = set(chosen["identifier"])
    entries = []
    for i, person in enumerate(watched):
        entries.append(
            WatchEntry(
                watch_list=lists[i % len(lists)],
                kind="person",
                person_id=person_of.get(i),
                last_name="" if i in person_of else person["last"],
                first_name="" if i in person_of else person["first"],
                dob=None if i in person_of else person["dob"],
                state_id=person["state_id"] if i in by_identifier else "",
                reason="Watched for the benchmark population.",
                expires_at=expires,
                created_by=creator,
            )
        )
    for n in range(N_CHARGE_ENTRIES):
        statute = CHARGES[n % len(CHARGES)][0] if n < 5 else f"PL {300 + n}.{n % 90:02d}"
        entries.append(
            WatchEntry(
                watch_list=lists[n % len(lists)],
                kind="charge",
                charge=statute,
                reason="Charges the unit follows.",
                expires_at=expires,
                created_by=creator,
            )
        )
    for n in range(N_PLACE_ENTRIES):
        entries.append(
            WatchEntry(
                watch_list=lists[n % len(lists)],
                kind="place",
                latitude=40.55 + rnd.random() * 0.3,
                longitude=-74.05 + rnd.random() * 0.3,
                radius_m=rnd.choice([100, 200, 300, 500]),
                address=f"{n + 1} BENCH AVE" if n % 3 == 0 else "",
                reason="A corner the unit follows.",
                expires_at=expires,
                created_by=creator,
            )
        )
    created = WatchEntry.objects.bulk_create(entries, batch_size=5000)
    entry_of = {i: created[i].pk for i in range(N_WATCHED)}

    # The arrests, with their truth: (kind, the true entry or None).
    rows: list[tuple[str, str, date | None, str, int | None, int | None]] = []
    for i in chosen["identifier"]:
        p = watched[i]
        recorded = format_name(last=typo(p["last"], rnd), first=p["first"])  # names aside
        rows.append(("identifier", recorded, p["dob"], p["state_id"], None, entry_of[i]))
    for i in chosen["linked"]:
        p = watched[i]
        recorded = format_name(last=p["last"], first=p["first"])
        rows.append(("linked", recorded, p["dob"], "", person_of[i], entry_of[i]))
    cursor = 0
    for i in rest[cursor : cursor + PER_KIND["exact"]]:
        p = watched[i]
        rows.append(
            (
                "exact",
                format_name(last=p["last"], first=p["first"]),
                p["dob"],
                "",
                None,
                entry_of[i],
            )
        )
    cursor += PER_KIND["exact"]
    for kind in VARIANTS:
        made = 0
        while made < PER_VARIANT:
            i = rest[cursor]
            cursor += 1
            variant = _variant(watched[i], kind, rnd)
            if variant is None:
                continue
            rows.append((kind, variant[0], variant[1], "", None, entry_of[i]))
            made += 1
    strangers = record_arrests(rnd.sample(others, N_STRANGERS), seed=SEED + 1)
    for s in strangers:
        rows.append(
            (
                "stranger",
                s["name_as_recorded"],
                s["dob_as_recorded"],
                s["state_id_as_recorded"],
                None,
                None,
            )
        )

    agency = Agency.objects.create(name="Bench Police Department", short_name="BPD")
    now = datetime.now(UTC)
    arrests = Arrest.objects.bulk_create(
        [
            Arrest(
                source_agency=agency,
                source_id=f"B{n:06d}",
                arrested_at=now - timedelta(minutes=n),
                person_id=person_id,
                name_as_recorded=name,
                dob_as_recorded=dob,
                state_id_as_recorded=state_id,
                latitude=40.55 + rnd.random() * 0.3,
                longitude=-74.05 + rnd.random() * 0.3,
                address=f"{rnd.randint(1, 400)} BENCH AVE",
            )
            for n, (_kind, name, dob, state_id, person_id, _entry) in enumerate(rows)
        ],
        batch_size=5000,
    )
    charges = []
    for a in arrests:
        statute, description, category = rnd.choice(CHARGES)
        charges.append(
            ArrestCharge(
                arrest=a, sequence=1, statute=statute, description=description, category=category
            )
        )
    ArrestCharge.objects.bulk_create(charges, batch_size=5000)
    truth = {a.pk: (row[0], row[5]) for a, row in zip(arrests, rows, strict=True)}
    entry_names = {
        e.pk: f"{e.last_name.upper()} {e.first_name.upper()} {e.dob:%Y%m%d}"
        for e in created[:N_WATCHED]
        if e.last_name and e.dob
    }
    return {
        "truth": truth,
        "entry_names": entry_names,
        "users": users,
        "rows": rows,
        "arrests": arrests,
    }


def _brute_force(
    world: dict, threshold: float, workers: int = -1
) -> tuple[float, set[tuple[int, int]]]:
    from rapidfuzz import fuzz, process

    from intel.people.resolution.names import parse_name

    arrest_ids, queries = [], []
    for a, row in zip(world["arrests"], world["rows"], strict=True):
        name = parse_name(row[1])
        if name is None or row[2] is None:
            continue
        arrest_ids.append(a.pk)
        queries.append(f"{name.last} {name.first} {row[2]:%Y%m%d}")
    entry_ids = list(world["entry_names"])
    choices = [world["entry_names"][e] for e in entry_ids]
    cutoff = int(threshold * 100)
    found: set[tuple[int, int]] = set()
    started = time.perf_counter()
    for start in range(0, len(queries), 1000):
        scores = process.cdist(
            queries[start : start + 1000],
            choices,
            scorer=fuzz.ratio,
            dtype=np.uint8,
            score_cutoff=cutoff,
            workers=workers,
        )
        for q, c in zip(*np.nonzero(scores >= cutoff), strict=True):
            found.add((arrest_ids[start + int(q)], entry_ids[int(c)]))
    return time.perf_counter() - started, found


def _metrics(truth: dict, pairs: set[tuple[int, int]], person_entries: set[int]) -> dict:
    hit: dict[int, bool] = {}
    false = 0
    total = 0
    for arrest_id, entry_id in pairs:
        if entry_id not in person_entries:
            continue
        total += 1
        kind, true_entry = truth[arrest_id]
        if entry_id == true_entry:
            hit[arrest_id] = True
        else:
            false += 1
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for arrest_id, (kind, true_entry) in truth.items():
        if true_entry is None:
            continue
        by_kind[kind][1] += 1
        by_kind[kind][0] += int(hit.get(arrest_id, False))
    return {"by_kind": dict(by_kind), "false": false, "total": total}


def _recall(m: dict, kinds: list[str]) -> float:
    found = sum(m["by_kind"].get(k, [0, 0])[0] for k in kinds)
    wanted = sum(m["by_kind"].get(k, [0, 0])[1] for k in kinds)
    return found / wanted if wanted else 0.0


def run() -> dict:
    from django.db import connection, transaction

    from alerts.matching import arrests_match, name_dob_threshold
    from alerts.models import WatchEntry, WatchList
    from alerts.services.alerts import RECIPIENT_PERMS, _plan

    started = time.perf_counter()
    world = _world()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    people = WatchEntry.objects.filter(kind="person").count()
    print(
        f"   world: {len(world['truth']):,} arrests, {people:,} "
        f"person entries, {N_CHARGE_ENTRIES} charge and {N_PLACE_ENTRIES} place entries "
        f"({time.perf_counter() - started:.1f} s to build)"
    )
    ids = sorted(world["truth"])
    threshold = name_dob_threshold()
    import os

    if os.environ.get("BENCH_ALERTS_BREAKDOWN"):
        import cProfile
        import pstats

        from alerts import matching as mm

        connection.cursor().execute("SET jit = off")
        mm.name_dob_matches(ids, datetime.now(UTC))  # the index built
        for label, fn in [
            (
                "identifier",
                lambda: mm._rows(mm.IDENTIFIER_SQL, {"ids": ids, "now": datetime.now(UTC)}),
            ),
            ("link", lambda: mm._rows(mm.LINK_SQL, {"ids": ids, "now": datetime.now(UTC)})),
            ("name_dob", lambda: mm.name_dob_matches(ids, datetime.now(UTC))),
            ("charge", lambda: mm.charge_matches(ids, datetime.now(UTC))),
            ("place", lambda: mm.place_matches(ids, datetime.now(UTC))),
        ]:
            t0 = time.perf_counter()
            fn()
            print(f"   PROFILE {label}: {time.perf_counter() - t0:.2f} s")
        prof = cProfile.Profile()
        prof.enable()
        mm.name_dob_matches(ids, datetime.now(UTC))
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(18)
        return {}
    times = []
    for _ in range(3):
        with transaction.atomic():
            t0 = time.perf_counter()
            matches = arrests_match(arrest_ids=ids)
            times.append(time.perf_counter() - t0)
    # The first run builds the process's index of the 50,000 named entries (a new worker, or
    # entries changed since); the next ones reuse it (a worker matching import after import).
    cold_s, matching_s = times[0], min(times[1:])
    brute_s, brute_pairs = _brute_force(world, threshold)
    # The same on one core, as arrests_match runs (a same-resources comparison).
    brute_one_s, _pairs = _brute_force(world, threshold, workers=1)
    person_entries = set(WatchEntry.objects.filter(kind="person").values_list("pk", flat=True))
    ours = {(m.arrest_id, m.entry_id) for m in matches}
    m = _metrics(world["truth"], ours, person_entries)
    b = _metrics(world["truth"], brute_pairs, person_entries)
    kinds_count = Counter(x.type for x in matches)
    how_count = Counter(x.how.split(" ")[0] if x.type != "person" else x.how for x in matches)

    print(
        f"   arrests_match: {matching_s:.2f} s (best of 2, index of entries kept) for "
        f"{len(ids):,} arrests; {cold_s:.2f} s the first time (index built)"
    )
    print(f"   brute force (process.cdist, fuzz.ratio >= {threshold * 100:.0f}): {brute_s:.2f} s")
    print(f"   ratio: {brute_s / matching_s:.1f}x faster (target >= 10x)")
    print(f"   ratio the first time (index built): {brute_s / cold_s:.1f}x")
    print(
        f"   brute force on one core: {brute_one_s:.2f} s, "
        f"ratio {brute_one_s / matching_s:.1f}x (arrests_match uses one core)"
    )
    print(f"   matches by type: {dict(kinds_count)}; by how: {dict(how_count)}")
    for label, metrics in (("arrests_match", m), ("brute force", b)):
        print(f"   {label}:")
        for kind, (found, wanted) in sorted(metrics["by_kind"].items()):
            print(f"      recall {kind:<15} {found:>5}/{wanted:<5} = {found / wanted:.4f}")
        exact = _recall(metrics, ["identifier", "linked", "exact"])
        variants = _recall(metrics, VARIANTS)
        share = metrics["false"] / metrics["total"] if metrics["total"] else 0.0
        print(f"      recall identifier + linked + exact name: {exact:.4f} (target >= 0.99)")
        print(f"      recall on variants: {variants:.4f} (target >= 0.95)")
        print(
            f"      false person matches: {metrics['false']} of {metrics['total']} = {share:.2%} "
            f"(target <= 1 %); precision {1 - share:.4f}"
        )

    # Who would receive them: the planning step of alerts_create_for_arrests.
    t0 = time.perf_counter()
    with transaction.atomic():
        planned = _plan(matches, ids, datetime.now(UTC))
    plan_s = time.perf_counter() - t0
    visible: dict[int, set[int]] = {}
    no_access = 0
    for item in planned:
        user = item.recipient
        if user.pk not in visible:
            visible[user.pk] = set(WatchList.objects.visible_to(user).values_list("pk", flat=True))
        allowed = user.is_active and all(user.has_perm(p) for p in RECIPIENT_PERMS)
        for match in item.matches:
            if match["type"] != "open_case" and (
                not allowed or match["list_id"] not in visible[user.pk]
            ):
                no_access += 1
    per_user = Counter(item.recipient.username for item in planned)
    print(f"   alerts planned: {len(planned):,} ({plan_s:.2f} s)")
    print(f"   by recipient: {dict(sorted(per_user.items()))}")
    print(f"   alerts to a recipient without access to the list: {no_access} (target 0)")
    return {
        "matching_s": matching_s,
        "matching_cold_s": cold_s,
        "brute_s": brute_s,
        "ratio": brute_s / matching_s,
        "recall_exact": _recall(m, ["identifier", "linked", "exact"]),
        "recall_variants": _recall(m, VARIANTS),
        "false_share": m["false"] / m["total"] if m["total"] else 0.0,
        "no_access": no_access,
    }
