"""The demo county's records: incidents, arrests with their charges, and case referrals.
Part of ``intel.demo``; deterministic for a given seed and ``now``."""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from django.utils import timezone
from faker import Faker

from intel.choices import CaseStatus, ChargeSeverity, GeocodeQuality
from intel.demo import catalog as cat
from intel.demo.people import PeopleGenerator, age_on
from intel.demo.planted import plant_patterns
from intel.models import (
    Agency,
    Arrest,
    ArrestCharge,
    CaseCharge,
    CaseReferral,
    Incident,
    IncidentOffense,
    Person,
    Zone,
)

DAYS = 730  # two years, ending today
BATCH = 1000
LINKED_SHARE = 0.35  # arrests made on a recorded incident
_PLACE_FIELDS = ("address", "latitude", "longitude", "geocode_quality", "zone", "district")


def _split(n: int, mix: dict[str, float]) -> dict[str, int]:
    """Split ``n`` by the shares in ``mix``, exactly (remainders go to the largest shares)."""
    counts = {k: int(n * share) for k, share in mix.items()}
    for k in sorted(mix, key=mix.__getitem__, reverse=True)[: n - sum(counts.values())]:
        counts[k] += 1
    return counts


def _age_group(age: int) -> str:
    for limit, label in ((18, "<18"), (25, "18-24"), (45, "25-44"), (65, "45-64")):
        if age < limit:
            return label
    return "65+"


class RecordGenerator:
    """Draws incidents, arrests with charges and case referrals for the demo county: times with
    daily, weekly and yearly rhythms, points clustered around hotspots, repeat arrestees."""

    def __init__(self, *, seed: int, now: datetime, zones: list[Zone]) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.seed = seed
        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.now = now
        self.zones = zones
        self.tz = timezone.get_current_timezone()
        self.start = timezone.localdate(now) - timedelta(days=DAYS - 1)
        self.people = PeopleGenerator(rng=self.rng, fake=fake, today=timezone.localdate(now))
        self.charge_count = 0
        self._day_cum = {c: list(accumulate(self._day_weights(c))) for c in cat.INCIDENT_MIX}
        self._hour_cum = {c: list(accumulate(h)) for c, h in cat.HOURS.items()}
        self._spot_cum = {
            c: list(accumulate(h.pull.get(c, 0.2) for h in cat.HOTSPOTS)) for c in cat.HOURS
        }
        self._offense_cum = {
            c: list(accumulate(o.weight for o in offs)) for c, offs in cat.OFFENSES.items()
        }
        self._offense_by_code = {o.code: o for offs in cat.OFFENSES.values() for o in offs}
        self._category_by_code = {o.code: str(c) for c, offs in cat.OFFENSES.items() for o in offs}
        self.top_charge: dict[int, ArrestCharge] = {}

    # --- when and where --------------------------------------------------------------------
    def _day_weights(self, category: str) -> list[float]:
        weights = []
        for i in range(DAYS):
            day = self.start + timedelta(days=i)
            season = 1 + 0.18 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365.25)
            trend = 1 + cat.TREND[category] * (i / (DAYS - 1) - 0.5)
            weights.append(season * trend * cat.WEEKDAY[day.weekday()])
        return weights

    def _pick(self, cum: list[float]) -> int:
        return bisect(cum, self.rng.random() * cum[-1])

    def moment(self, category: str) -> datetime:
        day = self.start + timedelta(days=self._pick(self._day_cum[category]))
        hour = self._pick(self._hour_cum[category])
        rng = self.rng
        when = datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=self.tz
        )
        return when - timedelta(days=1) if when > self.now else when

    def after(self, start: datetime, delay: timedelta) -> datetime:
        """``start + delay``, or if that is still to come, a moment between ``start`` and now
        (so that recent records do not pile up on the present instant)."""
        if start + delay > self.now:
            delay = (self.now - start) * self.rng.random()
        return (start + delay).replace(microsecond=0)

    def offense(self, category: str) -> cat.Offense:
        return cat.OFFENSES[category][self._pick(self._offense_cum[category])]

    def _point(self, category: str) -> tuple[float, float]:
        rng = self.rng
        if rng.random() < cat.HOTSPOT_SHARE[category]:
            spot = cat.HOTSPOTS[self._pick(self._spot_cum[category])]
            lat, lon = rng.gauss(spot.lat, spot.sigma), rng.gauss(spot.lon, spot.sigma * 1.3)
            if cat.MIN_LAT < lat < cat.MAX_LAT and cat.MIN_LON < lon < cat.MAX_LON:
                return lat, lon
        return rng.uniform(cat.MIN_LAT, cat.MAX_LAT), rng.uniform(cat.MIN_LON, cat.MAX_LON)

    def location(self, category: str) -> dict[str, Any]:
        """Address, point, zone and beat; about 2 % arrive without coordinates."""
        rng = self.rng
        zone = None
        while zone is None:  # a point on a shared edge may match no zone; draw again
            lat, lon = (round(v, 6) for v in self._point(category))  # as stored
            zone = next((z for z in self.zones if z.contains(lat, lon)), None)
        address = f"{rng.randint(1, 48)}00 BLOCK OF {rng.choice(cat.STREETS)}"
        district = f"{zone.key}{rng.choice('ABCD')}"
        if rng.random() < 0.02:
            return {
                "address": address,
                "district": district,
                "geocode_quality": GeocodeQuality.MISSING,
            }
        return {
            "address": address,
            "district": district,
            "latitude": lat,
            "longitude": lon,
            "zone": zone,
            "geocode_quality": GeocodeQuality.OK,
        }

    def _numbered(self, rows: list[Any], attr: str, pattern: str) -> None:
        """Sort by time and give source ids numbered per year, as agencies do."""
        rows.sort(key=lambda r: getattr(r, attr))
        per_year: dict[int, int] = defaultdict(int)
        for i, row in enumerate(rows, start=1):
            year = timezone.localtime(getattr(row, attr)).year
            per_year[year] += 1
            row.source_id = pattern.format(year=year, seq=per_year[year])
            row.source_row = i

    # --- records ---------------------------------------------------------------------------
    def incidents(self, n: int, police: Agency) -> list[Incident]:
        rng, rows = self.rng, []
        for category, count in _split(n, cat.INCIDENT_MIX).items():
            for _ in range(count):
                off, when = self.offense(category), self.moment(category)
                late = rng.random() < (0.4 if category == "property" else 0.05)
                delay = rng.uniform(60, 4320) if late else rng.expovariate(1 / 40)
                rows.append(
                    Incident(
                        source_agency=police,
                        occurred_at=when,
                        reported_at=self.after(when, timedelta(minutes=delay)),
                        offense_code=off.code,
                        offense_description=off.description,
                        category=category,
                        nibrs_code=off.nibrs,
                        firearm=rng.random() < off.firearm,
                        domestic=rng.random() < off.domestic,
                        **self.location(category),
                    )
                )
        plant_patterns(rows, seed=self.seed, now=self.now, zones=self.zones)
        self._numbered(rows, "occurred_at", "{year}{seq:06d}")
        for row in rows:
            row.raw = {
                "complaint_no": row.source_id,
                "offense": row.offense_description,
                "pd_code": row.offense_code,
                "precinct": row.district[:3],
            }
        created = Incident.objects.bulk_create(rows, batch_size=BATCH)
        IncidentOffense.objects.bulk_create(
            [
                IncidentOffense(
                    incident=i,
                    sequence=1,
                    offense_code=i.offense_code,
                    offense_description=i.offense_description,
                    category=i.category,
                    nibrs_code=i.nibrs_code,
                    firearm=i.firearm,
                    domestic=i.domestic,
                )
                for i in created
            ],
            batch_size=BATCH,
        )
        return created

    def _linked_plan(self, n: int, incidents: list[Incident]) -> list[Incident]:
        """Incidents that led to an arrest (some to two: co-arrests)."""
        rng = self.rng
        plan: list[Incident] = []
        candidates = [i for i in incidents if i.occurred_at < self.now - timedelta(hours=2)]
        rng.shuffle(candidates)
        for incident in candidates:
            if len(plan) >= n:
                break
            if rng.random() < cat.CLEARANCE[incident.category]:
                plan.extend([incident] * (2 if rng.random() < 0.12 else 1))
        return plan[:n]

    def arrests(
        self, n: int, police: Agency, persons: list[Person], incidents: list[Incident]
    ) -> list[Arrest]:
        rng, pairs = self.rng, []
        # Propensity: most people are arrested once or never, a few again and again.
        cum = list(accumulate(min(rng.paretovariate(2.0), 30) for _ in persons))
        linked = self._linked_plan(round(n * LINKED_SHARE), incidents)
        unlinked = [c for c, k in _split(n - len(linked), cat.ARREST_MIX).items() for _ in range(k)]
        co_arrested: dict[int, set[int]] = defaultdict(set)
        items: list[Incident | str] = [*linked, *unlinked]
        for item in items:
            taken: set[int] = set()
            if isinstance(item, Incident):
                category, off = item.category, self._offense_by_code[item.offense_code]
                on_view = category in ("drug", "weapons") or rng.random() < 0.6
                delay = rng.uniform(0, 90) if on_view else rng.uniform(180, 60 * 24 * 45)
                when = self.after(item.occurred_at, timedelta(minutes=delay))
                place = {f: getattr(item, f) for f in _PLACE_FIELDS}
                taken = co_arrested[item.pk]
            else:
                category, off, when = item, self.offense(item), self.moment(item)
                place = self.location(category)
            for _ in range(20):  # old enough then, and not already arrested for this incident
                person = persons[self._pick(cum)]
                if age_on(person.dob, when.date()) >= 16 and person.pk not in taken:
                    break
            taken.add(person.pk)
            age = age_on(person.dob, when.date())
            arrest = Arrest(
                source_agency=police,
                arrested_at=when,
                person=person,
                name_as_recorded=self.people.name_on_record(person),
                dob_as_recorded=person.dob,
                sex=person.sex,
                race=person.race,
                age=age,
                age_group=_age_group(age),
                incident=item if isinstance(item, Incident) else None,
                **place,
            )
            pairs.append((arrest, self._charges(category, off)))
        pairs.sort(key=lambda pair: pair[0].arrested_at)
        rows = [arrest for arrest, _ in pairs]
        self._numbered(rows, "arrested_at", "A{year}{seq:06d}")
        for arrest, charges in pairs:
            arrest.raw = {
                "arrest_key": arrest.source_id,
                "perp_name": arrest.name_as_recorded,
                "law_code": charges[0].statute,
                "pd_desc": charges[0].description,
            }
        Arrest.objects.bulk_create(rows, batch_size=BATCH)
        for arrest, charges in pairs:
            for charge in charges:
                charge.arrest = arrest
            self.top_charge[arrest.pk] = charges[0]
        all_charges = [charge for _, charges in pairs for charge in charges]
        self.charge_count = len(ArrestCharge.objects.bulk_create(all_charges, batch_size=BATCH))
        return rows

    def _charges(self, category: str, top: cat.Offense) -> list[ArrestCharge]:
        """The top charge and up to two more: a lesser one of the same kind or a ride-along."""
        rng = self.rng
        offenses = [top]
        for _ in range(rng.choices([0, 1, 2], weights=[55, 30, 15])[0]):
            extra = rng.choice(cat.ADD_ON_CHARGES) if rng.random() < 0.5 else self.offense(category)
            if extra.code not in {o.code for o in offenses}:
                offenses.append(extra)
        return [
            ArrestCharge(
                sequence=i,
                statute=o.statute,
                offense_code=o.code,
                description=o.description,
                category=self._category_by_code[o.code],
                severity=o.severity,
            )
            for i, o in enumerate(offenses, start=1)
        ]

    def cases(
        self, n: int, office: Agency, arrests: list[Arrest], prosecutor: Any
    ) -> list[CaseReferral]:
        """Referrals of the more serious arrests, with where each case stands by its age."""
        rng, rows = self.rng, []
        weight: dict[str, float] = {ChargeSeverity.FELONY: 3.0, ChargeSeverity.MISDEMEANOR: 1.0}

        def key(arrest: Arrest) -> float:  # weighted sampling without replacement
            return rng.random() ** (1 / weight.get(self.top_charge[arrest.pk].severity, 0.2))

        for arrest in sorted(arrests, key=key, reverse=True)[:n]:
            top = self.top_charge[arrest.pk]
            referred = self.after(arrest.arrested_at, timedelta(hours=rng.uniform(2, 36)))
            age_days = (self.now - referred).days
            status = self._case_status(age_days)
            open_case = status in (CaseStatus.REFERRED, CaseStatus.CHARGED)
            disposed = None
            if not open_case:
                span = (
                    rng.uniform(1, 10)
                    if status == CaseStatus.DECLINED
                    else rng.uniform(20, max(21, min(age_days, 420)))
                )
                disposed = self.after(referred, timedelta(days=span))
            rows.append(
                CaseReferral(
                    source_agency=office,
                    referred_at=referred,
                    defendant=arrest.person,
                    arrest=arrest,
                    status=status,
                    top_charge=f"{top.statute} {top.description}",
                    category=top.category,
                    disposition_at=disposed,
                    assigned_to=prosecutor if open_case and rng.random() < 0.5 else None,
                )
            )
        self._numbered(rows, "referred_at", "HC-{year}-{seq:05d}")
        for row in rows:
            assert row.arrest is not None  # every case above is referred from an arrest
            row.case_number = row.source_id
            row.raw = {"case_no": row.case_number, "arrest_key": row.arrest.source_id}
            row.arrest_number = row.arrest.source_id
            row.defendant_name_as_recorded = row.arrest.name_as_recorded
            row.defendant_dob_as_recorded = row.arrest.dob_as_recorded
            row.defendant_sex, row.defendant_race = row.arrest.sex, row.arrest.race
        created = CaseReferral.objects.bulk_create(rows, batch_size=BATCH)
        CaseCharge.objects.bulk_create(
            [
                CaseCharge(case=c, sequence=1, description=c.top_charge, category=c.category)
                for c in created
            ],
            batch_size=BATCH,
        )
        return created

    def _case_status(self, age_days: int) -> str:
        s = CaseStatus
        if age_days < 30:
            options = {s.REFERRED: 50, s.CHARGED: 40, s.DECLINED: 10}
        elif age_days < 180:
            options = {
                s.CHARGED: 45,
                s.PLEADED: 20,
                s.DISMISSED: 10,
                s.DECLINED: 10,
                s.CONVICTED: 10,
                s.REFERRED: 5,
            }
        else:
            options = {
                s.PLEADED: 40,
                s.CONVICTED: 15,
                s.DISMISSED: 20,
                s.DECLINED: 12,
                s.ACQUITTED: 3,
                s.CHARGED: 10,
            }
        return str(self.rng.choices(list(options), weights=list(options.values()))[0])
