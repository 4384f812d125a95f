"""Demo data for fictional Harbor County: agencies, precincts, people, incidents, arrests, case
referrals and one demo user per role. Deterministic for a given seed and day.

Used by ``manage.py seed_demo``, tests and benchmarks. It writes with ``bulk_create`` because it
is a data generator, not a user's write path; demo users still go through ``user_create``.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from csu.actors import system_actor
from csu.services import user_create
from intel.demo import catalog as cat
from intel.demo.designations import seed_designations
from intel.demo.intelligence import CREWS, seed_intelligence
from intel.demo.priority import seed_treatment_rules
from intel.demo.records import RecordGenerator
from intel.demo.scores import seed_scores
from intel.geo import geometry_bbox
from intel.models import (
    Agency,
    Arrest,
    CallForService,
    CaseReferral,
    Group,
    GroupMembership,
    Incident,
    IntelRecord,
    Person,
    PersonAlias,
    PersonIdentifier,
    PersonLink,
    PersonNameKey,
    PriorityDesignation,
    Shooting,
    Zone,
    ZoneLayer,
)
from intel.people.resolution.names import ParsedName, parse_name
from intel.people.resolution.store import name_key, name_keys_add
from intel.signals import records_changed

DEMO_USERS: list[dict[str, str]] = [
    {
        "username": f"demo.{role}",
        "password": f"harbor-county-{role}-demo",
        "role": role,
        "name": name,
        "title": title,
    }
    for role, name, title in [
        ("prosecutor", "Dana Whitfield", "Assistant District Attorney"),
        ("analyst", "Sam Okafor", "Crime Analyst"),
        ("supervisor", "Maria Castellanos", "Unit Chief"),
        ("admin", "Lee Park", "Systems Administrator"),
    ]
]
CASES_PER_ARREST = 12 / 35


class DemoAlreadySeeded(Exception):
    """The demo county exists already; ``demo_reset`` first to seed it again."""


class DemoConflict(Exception):
    """Real data is in the way of the demo county (a zone layer of the same name)."""


@dataclass
class SeedSummary:
    counts: dict[str, int]
    users_created: list[str] = field(default_factory=list)
    users_kept: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # username -> the one-time MFA enrolment code of each user created now (shown once).
    enrolment_codes: dict[str, str] = field(default_factory=dict)


def demo_exists() -> bool:
    return Agency.objects.filter(name=cat.POLICE_NAME).exists()


@transaction.atomic
def demo_reset() -> dict[str, int]:
    """Delete the demo county's records, people, precincts and agencies. Users stay: their
    audit trail is append-only, so they cannot be deleted."""
    agencies = Agency.objects.filter(name__in=[cat.POLICE_NAME, cat.PROSECUTOR_NAME])
    deleted: dict[str, int] = defaultdict(int)
    people = PersonIdentifier.objects.filter(
        kind=PersonIdentifier.Kind.BOOKING_NUMBER, issuing_agency__in=agencies
    ).values("person_id")
    from alerts.demo import demo_watch_lists_reset

    demo_prosecutor = (
        get_user_model()
        .objects.filter(
            username=next(u["username"] for u in DEMO_USERS if u["role"] == "prosecutor")
        )
        .first()
    )
    if demo_prosecutor is not None:  # the watch entries protect the people they name
        for label, count in demo_watch_lists_reset(prosecutor=demo_prosecutor).items():
            deleted[label] += count
    querysets = [
        GroupMembership.objects.filter(group__name__in=[name for name, _ in CREWS]),
        Group.objects.filter(name__in=[name for name, _ in CREWS]),
        IntelRecord.objects.filter(submitting_agency__in=agencies),
        # A designation keeps its person (PROTECT): it goes first, its history with it.
        PriorityDesignation.objects.filter(person__in=Subquery(people)),
        *(
            m.objects.filter(source_agency__in=agencies)
            for m in (CaseReferral, Shooting, CallForService, Arrest, Incident)
        ),
        Person.objects.filter(pk__in=Subquery(people)),
        ZoneLayer.objects.filter(name=cat.LAYER_NAME, label=cat.LAYER_LABEL),
        agencies,
    ]
    for queryset in querysets:
        for label, count in queryset.delete()[1].items():
            deleted[label] += count
    records_changed.send(sender="demo_reset")
    return dict(deleted)


def demo_seed(
    *,
    seed: int = 2026,
    people: int = 3000,
    incidents: int = 6000,
    arrests: int = 3500,
    cases: int | None = None,
    now: datetime | None = None,
) -> SeedSummary:
    """Create the demo county in one transaction; raise ``DemoAlreadySeeded`` if it exists."""
    started = time.perf_counter()
    with transaction.atomic():
        if demo_exists():
            raise DemoAlreadySeeded(cat.POLICE_NAME)
        if ZoneLayer.objects.filter(name=cat.LAYER_NAME).exists():
            raise DemoConflict(
                f"A zone layer named {cat.LAYER_NAME!r} exists already; the demo county would "
                "replace its zones. Seed the demo into an empty database."
            )
        created, kept, codes = _demo_users()
        prosecutor = get_user_model().objects.get(
            username=next(u["username"] for u in DEMO_USERS if u["role"] == "prosecutor")
        )
        police = Agency.objects.create(
            name=cat.POLICE_NAME, short_name=cat.POLICE_SHORT, kind=Agency.Kind.POLICE
        )
        office = Agency.objects.create(
            name=cat.PROSECUTOR_NAME, short_name=cat.PROSECUTOR_SHORT, kind=Agency.Kind.PROSECUTOR
        )
        gen = RecordGenerator(seed=seed, now=now or timezone.now(), zones=_precincts())
        persons = gen.people.create(people, booking_agency=police)
        incident_rows = gen.incidents(incidents, police)
        arrest_rows = gen.arrests(arrests, police, persons, incident_rows)
        _explain_links(persons, arrest_rows, police)
        n_cases = round(len(arrest_rows) * CASES_PER_ARREST) if cases is None else cases
        case_rows = gen.cases(n_cases, office, arrest_rows, prosecutor)
        by_role = {
            u["role"]: get_user_model().objects.get(username=u["username"]) for u in DEMO_USERS
        }
        intelligence = seed_intelligence(
            analyst=by_role["analyst"],
            supervisor=by_role["supervisor"],
            police=police,
            rng=random.Random(seed),  # noqa: S311 - demo data
        )
        seed_scores()  # first, so each designation's basis is the person's score
        designations = seed_designations(
            analyst=by_role["analyst"],
            prosecutor=prosecutor,
            supervisor=by_role["supervisor"],
            police=police,
            now=now or timezone.now(),
        )
        treatment = seed_treatment_rules(supervisor=by_role["supervisor"])
        # Watch lists (issue 13): after the crews, before anything matches the arrests.
        from alerts.demo import demo_watch_lists_seed

        watch = demo_watch_lists_seed(
            prosecutor=prosecutor, analyst=by_role["analyst"], police=police
        )
        records_changed.send(sender="demo_seed")
        scores = seed_scores()  # again: the designations' parole term counts
    counts = {
        "agencies": 2,
        "zones": len(gen.zones),
        "people": len(persons),
        "identifiers": gen.people.identifier_count,
        "aliases": gen.people.alias_count,
        "incidents": len(incident_rows),
        "arrests": len(arrest_rows),
        "charges": gen.charge_count,
        "cases": len(case_rows),
        **intelligence,
        **scores,
        **designations,
        **treatment,
        **watch,
    }
    return SeedSummary(counts, created, kept, time.perf_counter() - started, codes)


def _explain_links(persons: list[Person], arrest_rows: list[Arrest], police: Agency) -> None:
    """The demo's arrests come from the county's booking system, which books a person under
    their person-index number: record that number on each arrest, say so in each link, and index
    every name (own, aliases, as recorded) for search and entity resolution."""
    index = dict(
        PersonIdentifier.objects.filter(
            kind=PersonIdentifier.Kind.BOOKING_NUMBER, issuing_agency=police, person__in=persons
        ).values_list("person_id", "value")
    )
    booked: list[tuple[Arrest, int]] = []
    for arrest in arrest_rows:
        assert arrest.person_id is not None  # the generator books every arrest on a person
        booked.append((arrest, arrest.person_id))
        arrest.booking_number = index[arrest.person_id]
    Arrest.objects.bulk_update(arrest_rows, ["booking_number"], batch_size=5000)
    PersonLink.objects.bulk_create(
        [
            PersonLink(
                arrest=arrest,
                person_id=person_id,
                method=PersonLink.Method.IDENTIFIER,
                score=1.0,
                factors=[
                    {
                        "factor": "booking number",
                        "weight": 10.0,
                        "detail": f"{arrest.booking_number}: the county person index",
                    }
                ],
            )
            for arrest, person_id in booked
        ],
        batch_size=5000,
    )
    keys = [
        name_key(p.pk, ParsedName(last=p.last_name, first=p.first_name), PersonNameKey.Kind.PRIMARY)
        for p in persons
    ]
    keys += [
        name_key(
            a.person_id, ParsedName(last=a.last_name, first=a.first_name), PersonNameKey.Kind.ALIAS
        )
        for a in PersonAlias.objects.filter(person__in=persons)
        if a.last_name
    ]
    keys += [
        name_key(person_id, name, PersonNameKey.Kind.RECORDED)
        for a, person_id in booked
        if (name := parse_name(a.name_as_recorded))
    ]
    name_keys_add(keys)


def _demo_users() -> tuple[list[str], list[str], dict[str, str]]:
    """One user per role through ``user_create``; existing demo users are kept as they are.

    The system actor creates them, so they are not forced to change their published
    demo passwords; with MFA required each enrols with the code returned here."""
    existing = set(
        get_user_model()
        .objects.filter(username__in=[u["username"] for u in DEMO_USERS])
        .values_list("username", flat=True)
    )
    created, kept = [], []
    codes: dict[str, str] = {}
    for spec in DEMO_USERS:
        if spec["username"] in existing:
            kept.append(spec["username"])
            continue
        first, last = spec["name"].split(" ", 1)
        _user, codes[spec["username"]] = user_create(
            actor=system_actor(),
            username=spec["username"],
            password=spec["password"],
            role=spec["role"],
            email=f"{spec['role']}.demo@example.org",
            first_name=first,
            last_name=last,
            agency=cat.PROSECUTOR_NAME,
            title=spec["title"],
        )
        created.append(spec["username"])
    return created, kept, codes


def _precincts() -> list[Zone]:
    """Eight quadrilateral precincts tiling the county box along shared, jittered edges."""
    jitter = random.Random(1898)  # noqa: S311 - the same county shape whatever the seed
    rows, cols = 2, 4
    grid: list[list[tuple[float, float]]] = []
    for r in range(rows + 1):
        line = []
        for c in range(cols + 1):
            lat = cat.MIN_LAT + (cat.MAX_LAT - cat.MIN_LAT) * r / rows
            lon = cat.MIN_LON + (cat.MAX_LON - cat.MIN_LON) * c / cols
            if 0 < r < rows:
                lat += jitter.uniform(-0.02, 0.02)
            if 0 < c < cols:
                lon += jitter.uniform(-0.015, 0.015)
            line.append((round(lon, 6), round(lat, 6)))
        grid.append(line)
    layer = ZoneLayer.objects.create(
        name=cat.LAYER_NAME, label=cat.LAYER_LABEL, key_field="precinct", source_crs="EPSG:4326"
    )
    zones = []
    for i, (key, name) in enumerate(cat.PRECINCTS):
        r, c = divmod(i, cols)
        ring = [grid[r][c], grid[r][c + 1], grid[r + 1][c + 1], grid[r + 1][c], grid[r][c]]
        geometry = {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}
        min_lat, min_lon, max_lat, max_lon = geometry_bbox(geometry)
        zones.append(
            Zone(
                layer=layer,
                key=key,
                name=name,
                geometry=geometry,
                min_lat=min_lat,
                min_lon=min_lon,
                max_lat=max_lat,
                max_lon=max_lon,
            )
        )
    return Zone.objects.bulk_create(zones)
