"""Two patterns planted in the demo county, so the crime map and the spike test have something
real to find: a tight cluster of firearm violence over the last three months (a Gi* hotspot)
and a burglary run in one precinct over the last three weeks (a spike against its own
baseline). Part of ``intel.demo``; deterministic for a given seed and ``now``.

Both re-place incidents the generator already drew (their time, place and offense), so the
requested number of incidents and the category mix stay exactly as asked.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from intel.choices import GeocodeQuality
from intel.demo import catalog as cat
from intel.models import Incident, Zone

CLUSTER = (40.7045, -73.9862)  # a few blocks in the county's middle
CLUSTER_SIGMA = 0.004  # degrees of latitude: about 450 m
CLUSTER_DAYS = 85  # inside the map's default 90 days
CLUSTER_SHARE = 0.08  # of violent incidents
CLUSTER_OFFENSES = ("ASLT1", "ROB1", "RECK1", "MURD2")
SPIKE_CATEGORY = "property"
SPIKE_ZONE = "107"
SPIKE_DAYS = 21
SPIKE_SHARE = 0.025  # of property incidents
SPIKE_OFFENSES = ("BURG2", "BURG3")


def _offenses(codes: tuple[str, ...]) -> list[cat.Offense]:
    by_code = {o.code: o for offenses in cat.OFFENSES.values() for o in offenses}
    return [by_code[code] for code in codes]


def _recent(rng: random.Random, now: datetime, days: int) -> datetime:
    return (now - timedelta(seconds=rng.uniform(3600, days * 86400))).replace(microsecond=0)


def _place(row: Incident, zone: Zone, lat: float, lon: float, rng: random.Random) -> None:
    row.latitude, row.longitude, row.zone = lat, lon, zone
    row.geocode_quality = GeocodeQuality.OK
    row.district = f"{zone.key}{rng.choice('ABCD')}"


def _reoffend(row: Incident, offense: cat.Offense, when: datetime, rng: random.Random) -> None:
    row.offense_code, row.offense_description = offense.code, offense.description
    row.nibrs_code = offense.nibrs
    row.occurred_at = when
    row.reported_at = when + timedelta(minutes=round(rng.expovariate(1 / 30)))


def _zone_of(zones: list[Zone], lat: float, lon: float) -> Zone | None:
    return next((z for z in zones if z.contains(lat, lon)), None)


def plant_patterns(rows: list[Incident], *, seed: int, now: datetime, zones: list[Zone]) -> None:
    """Re-place some violent incidents into a recent firearm cluster and some property
    incidents into a recent burglary run in precinct 107 (in place, before they are saved)."""
    rng = random.Random(seed * 7919 + 11)  # noqa: S311 - demo data; apart from the main draw
    located = [r for r in rows if r.latitude is not None]
    violent = [r for r in located if r.category == "violent"]
    for row in rng.sample(violent, min(len(violent), max(30, round(len(violent) * CLUSTER_SHARE)))):
        zone = None
        while zone is None:
            lat = round(rng.gauss(CLUSTER[0], CLUSTER_SIGMA), 6)
            lon = round(rng.gauss(CLUSTER[1], CLUSTER_SIGMA * 1.3), 6)
            zone = _zone_of(zones, lat, lon)
        _place(row, zone, lat, lon, rng)
        offense = rng.choice(_offenses(CLUSTER_OFFENSES))
        _reoffend(row, offense, _recent(rng, now, CLUSTER_DAYS), rng)
        row.firearm = True

    target = next((z for z in zones if z.key == SPIKE_ZONE), None)
    if target is None:
        return
    pool = [r for r in located if r.category == SPIKE_CATEGORY]
    for row in rng.sample(pool, min(len(pool), max(10, round(len(pool) * SPIKE_SHARE)))):
        lat = lon = 0.0
        while not target.contains(lat, lon):
            lat = round(rng.uniform(target.min_lat, target.max_lat), 6)
            lon = round(rng.uniform(target.min_lon, target.max_lon), 6)
        _place(row, target, lat, lon, rng)
        _reoffend(row, rng.choice(_offenses(SPIKE_OFFENSES)), _recent(rng, now, SPIKE_DAYS), rng)
        row.firearm = row.domestic = False
