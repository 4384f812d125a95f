"""Selectors behind the home pages: aggregates computed right, scoped to the role, few queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from csu.models import User
from intel.models import (
    Agency,
    Arrest,
    ArrestCharge,
    Incident,
    Person,
    Shooting,
    Zone,
    ZoneLayer,
)
from intel.records import selectors

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=NY)  # a Wednesday
_ids = count(1)


@pytest.fixture
def police() -> Agency:
    return Agency.objects.create(name="Test Police Department", short_name="TPD")


def _incident(agency: Agency, when: datetime, category: str = "violent") -> Incident:
    return Incident.objects.create(
        source_agency=agency, source_id=f"I{next(_ids)}", occurred_at=when, category=category
    )


def test_weekly_counts_group_by_local_monday_and_category(police: Agency, analyst: User) -> None:
    _incident(police, datetime(2026, 3, 16, 9, 0, tzinfo=NY))
    _incident(police, datetime(2026, 3, 17, 22, 0, tzinfo=NY))
    # Sunday night in New York is already Monday in UTC: it belongs to the earlier week.
    _incident(police, datetime(2026, 3, 15, 23, 30, tzinfo=NY))
    _incident(police, datetime(2026, 3, 10, 14, 0, tzinfo=NY), "property")
    _incident(police, datetime(2026, 3, 1, 14, 0, tzinfo=NY), "property")  # before the 2 weeks
    _incident(police, datetime(2026, 3, 19, 8, 0, tzinfo=NY))  # after "now"

    rows = selectors.incident_weekly_counts(actor=analyst, weeks=2, now=NOW)

    assert rows == [
        {"week": date(2026, 3, 9), "category": "property", "count": 1},
        {"week": date(2026, 3, 9), "category": "violent", "count": 1},
        {"week": date(2026, 3, 16), "category": "violent", "count": 2},
    ]


def test_category_comparison_sets_current_against_previous(police: Agency, analyst: User) -> None:
    for days_ago in (1, 5, 27):
        _incident(police, NOW - timedelta(days=days_ago), "violent")
    for days_ago in (29, 40):
        _incident(police, NOW - timedelta(days=days_ago), "violent")
        _incident(police, NOW - timedelta(days=days_ago), "drug")
    _incident(police, NOW - timedelta(days=3), "property")
    _incident(police, NOW - timedelta(days=60), "property")  # older than both periods

    rows = {r["category"]: r for r in selectors.incident_category_comparison(
        actor=analyst, days=28, now=NOW)}  # fmt: skip

    assert list(rows) == ["violent", "property", "drug", "weapons", "public_order", "other"]
    assert (rows["violent"]["current"], rows["violent"]["previous"]) == (3, 2)
    assert rows["violent"]["change_pct"] == 50.0
    assert rows["drug"]["change_pct"] == -100.0
    assert (rows["property"]["current"], rows["property"]["change_pct"]) == (1, None)
    assert rows["weapons"] == {"category": "weapons", "label": "Weapons", "current": 0,
                               "previous": 0, "change_pct": None}  # fmt: skip


def test_category_comparison_is_empty_without_incidents(analyst: User) -> None:
    assert selectors.incident_category_comparison(actor=analyst, now=NOW) == []


def test_record_counts(police: Agency, analyst: User) -> None:
    layer = ZoneLayer.objects.create(name="beats", label="Beats")
    Zone.objects.create(layer=layer, key="1", geometry={}, min_lat=0, min_lon=0, max_lat=1,
                        max_lon=1)  # fmt: skip
    _incident(police, NOW)
    _incident(police, NOW)
    Person.objects.create(first_name="Ana", last_name="Ruiz")
    for source_id, victims in (("S1", 3), ("S2", 1)):
        Shooting.objects.create(source_agency=police, source_id=source_id, occurred_at=NOW,
                                victim_count=victims)  # fmt: skip

    assert selectors.record_counts(actor=analyst) == {
        "incidents": 2, "arrests": 0, "shootings": 2, "shooting_victims": 4, "people": 1,
        "cases": 0, "zones": 1,
    }  # fmt: skip


def test_administrators_see_no_case_data(police: Agency, admin_user: User) -> None:
    _incident(police, NOW - timedelta(days=1))

    assert set(selectors.record_counts(actor=admin_user).values()) == {0}
    assert selectors.incident_weekly_counts(actor=admin_user, now=NOW) == []
    assert selectors.incident_category_comparison(actor=admin_user, now=NOW) == []


def _arrest(agency: Agency, person: Person, when: datetime, charges: int = 2) -> Arrest:
    arrest = Arrest.objects.create(
        source_agency=agency, source_id=f"A{next(_ids)}", arrested_at=when, person=person,
        name_as_recorded=str(person).upper(),
    )  # fmt: skip
    for seq in reversed(range(1, charges + 1)):  # stored out of order on purpose
        ArrestCharge.objects.create(arrest=arrest, sequence=seq, description=f"CHARGE {seq}",
                                    severity="felony" if seq == 1 else "misdemeanor")  # fmt: skip
    return arrest


def test_recent_arrests_newest_first_with_charges_in_order(
    police: Agency, prosecutor: User
) -> None:
    person = Person.objects.create(first_name="Ana", last_name="Ruiz")
    now = timezone.now()
    newest = _arrest(police, person, now - timedelta(hours=1))
    older = _arrest(police, person, now - timedelta(days=6), charges=3)
    _arrest(police, person, now - timedelta(days=8))  # outside the 7 days

    arrests = list(selectors.arrest_recent_list(actor=prosecutor, days=7))

    assert arrests == [newest, older]
    assert [c.description for c in arrests[1].charges.all()] == [
        "CHARGE 1", "CHARGE 2", "CHARGE 3",
    ]  # fmt: skip
    assert len(selectors.arrest_recent_list(actor=prosecutor, days=7, limit=1)) == 1


def test_recent_arrests_take_a_fixed_number_of_queries(
    police: Agency,
    prosecutor: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    layer = ZoneLayer.objects.create(name="precincts", label="Precincts")
    zone = Zone.objects.create(layer=layer, key="101", name="Harbor Point", geometry={},
                               min_lat=0, min_lon=0, max_lat=1, max_lon=1)  # fmt: skip
    now = timezone.now()
    for i in range(20):
        person = Person.objects.create(first_name=f"P{i}", last_name="Doe")
        arrest = _arrest(police, person, now - timedelta(hours=i + 1), charges=1 + i % 3)
        Arrest.objects.filter(pk=arrest.pk).update(zone=zone)

    # permissions (2, loaded once per user) + arrests with joins (1) + charges (1)
    with django_assert_max_num_queries(4):
        shown = [
            (a.name_as_recorded, a.person.last_name, a.zone.name, a.source_agency.short_name,
             [c.description for c in a.charges.all()])
            for a in selectors.arrest_recent_list(actor=prosecutor, days=7, limit=25)
        ]  # fmt: skip
    assert len(shown) == 20


def test_recent_arrests_are_hidden_from_administrators(police: Agency, admin_user: User) -> None:
    person = Person.objects.create(first_name="Ana", last_name="Ruiz")
    _arrest(police, person, timezone.now() - timedelta(hours=1))

    assert list(selectors.arrest_recent_list(actor=admin_user)) == []
