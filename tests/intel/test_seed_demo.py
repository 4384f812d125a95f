"""``manage.py seed_demo``: the demo county is complete, consistent and created once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from csu.models import AuditEvent
from intel.demo import DEMO_USERS, catalog, demo_reset, demo_seed
from intel.demo.people import recorded_name
from intel.geo import point_in_geometry
from intel.models import (
    Agency,
    Arrest,
    ArrestCharge,
    CaseReferral,
    Incident,
    Person,
    PersonAlias,
    PersonIdentifier,
    Zone,
)

pytestmark = pytest.mark.django_db

SMALL = {"people": 200, "incidents": 500, "arrests": 300}


def _seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_demo", **{**SMALL, **options}, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models = [Agency, Zone, Person, PersonAlias, PersonIdentifier, Incident, Arrest,
              ArrestCharge, CaseReferral, get_user_model(), AuditEvent]  # fmt: skip
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture(autouse=True)
def _fast_hasher(settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 for four demo users costs a second per test; hashing is not what is tested."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded() -> str:
    return _seed()


def test_it_creates_the_requested_numbers_of_records(seeded: str) -> None:
    assert Person.objects.count() == 200
    assert Incident.objects.count() == 500
    assert Arrest.objects.count() == 300
    assert CaseReferral.objects.count() == round(300 * 12 / 35)
    assert Zone.objects.filter(layer__name="precincts").count() == 8
    assert "500 incidents" in seeded and "demo.analyst" in seeded


def test_it_mixes_incident_categories_as_described(seeded: str) -> None:
    mix = dict(Incident.objects.values_list("category").annotate(n=Count("id")).order_by())
    assert mix == {"violent": 125, "property": 200, "drug": 60, "weapons": 30,
                   "public_order": 60, "other": 25}  # fmt: skip


def test_every_located_incident_and_arrest_lies_in_exactly_its_zone(seeded: str) -> None:
    zones = list(Zone.objects.all())
    for model in (Incident, Arrest):
        located = model.objects.filter(latitude__isnull=False).select_related("zone")
        assert located.count() > 0.9 * model.objects.count()
        for record in located:
            containing = [
                z for z in zones if point_in_geometry(record.longitude, record.latitude, z.geometry)
            ]
            assert containing == [record.zone], record.source_id
            assert record.geocode_quality == "ok"


def test_incidents_without_coordinates_are_flagged_missing(seeded: str) -> None:
    missing = Incident.objects.filter(latitude__isnull=True)
    assert 0 < missing.count() < 30
    assert set(missing.values_list("geocode_quality", flat=True)) == {"missing"}
    assert not missing.filter(zone__isnull=False).exists()


def test_precincts_tile_the_county_without_overlap(seeded: str) -> None:
    zones = list(Zone.objects.all())
    for i in range(1, 40):
        for j in range(1, 40):
            lat = catalog.MIN_LAT + (catalog.MAX_LAT - catalog.MIN_LAT) * i / 40
            lon = catalog.MIN_LON + (catalog.MAX_LON - catalog.MIN_LON) * j / 40 + 1e-7
            assert sum(z.contains(lat, lon) for z in zones) == 1, (lat, lon)


def test_records_fall_in_the_last_two_years(seeded: str) -> None:
    now = timezone.now()
    for model, field in ((Incident, "occurred_at"), (Arrest, "arrested_at")):
        times = model.objects.values_list(field, flat=True)
        assert min(times) >= now - timedelta(days=731)
        assert max(times) <= now
    assert not Incident.objects.filter(reported_at__lt=F("occurred_at")).exists()


def test_every_arrest_has_a_person_charges_and_their_name(seeded: str) -> None:
    arrests = Arrest.objects.select_related("person").prefetch_related("charges", "person__aliases")
    for arrest in arrests:
        person = arrest.person
        assert person is not None
        sequences = [c.sequence for c in arrest.charges.all()]
        assert sequences and sequences == list(range(1, len(sequences) + 1))
        names = {recorded_name(person.first_name, person.middle_name, person.last_name,
                               person.suffix)}  # fmt: skip
        names |= {recorded_name(a.first_name, a.middle_name, a.last_name)
                  for a in person.aliases.all() if a.last_name}  # fmt: skip
        assert arrest.name_as_recorded in names
        assert arrest.dob_as_recorded == person.dob
        assert arrest.age is not None and arrest.age >= 16


def test_some_people_are_arrested_again_and_again(seeded: str) -> None:
    per_person = sorted(
        (p.arrests.count() for p in Person.objects.filter(arrests__isnull=False).distinct()),
        reverse=True,
    )
    assert per_person[0] >= 4
    assert per_person.count(1) > len(per_person) / 3


def test_cases_follow_arrests(seeded: str) -> None:
    for case in CaseReferral.objects.select_related("arrest"):
        assert case.defendant_id == case.arrest.person_id
        assert case.referred_at >= case.arrest.arrested_at
        if case.status in ("referred", "charged"):
            assert case.disposition_at is None
        else:
            assert case.disposition_at is not None


def test_demo_users_hold_exactly_their_role(seeded: str) -> None:
    User = get_user_model()
    for demo in DEMO_USERS:
        user = User.objects.get(username=demo["username"])
        assert list(user.groups.values_list("name", flat=True)) == [demo["role"]]
        assert user.check_password(demo["password"])
        assert not user.is_superuser


def test_a_second_run_creates_nothing_new(seeded: str) -> None:
    before = _counts()
    out = _seed()
    assert "already seeded" in out
    assert _counts() == before


def test_reset_reseeds_and_keeps_users_and_audit_trail(seeded: str) -> None:
    users = dict(get_user_model().objects.values_list("username", "pk"))
    audit = list(AuditEvent.objects.values_list("pk", flat=True))
    out = _seed(reset=True, incidents=100)
    assert "Removed the demo county" in out
    assert Incident.objects.count() == 100
    assert Person.objects.count() == 200
    assert dict(get_user_model().objects.values_list("username", "pk")) == users
    # Nothing was removed; the new seed's intel writes went through audited services.
    assert AuditEvent.objects.filter(pk__in=audit).count() == len(audit)


def test_the_same_seed_and_day_give_the_same_county() -> None:
    now = timezone.now()

    def snapshot() -> list[tuple[object, ...]]:
        return list(Incident.objects.order_by("source_id").values_list(
            "source_id", "occurred_at", "offense_code", "latitude", "zone__key"))  # fmt: skip

    demo_seed(people=50, incidents=80, arrests=40, seed=7, now=now)
    first = (snapshot(), sorted(Person.objects.values_list("last_name", "first_name", "dob")))
    demo_reset()
    demo_seed(people=50, incidents=80, arrests=40, seed=7, now=now)
    second = (snapshot(), sorted(Person.objects.values_list("last_name", "first_name", "dob")))
    assert first == second


def test_the_demo_has_crews_and_intelligence_made_under_the_rules(seeded: str) -> None:
    from intel.models import GroupMembership, IntelRecord

    statuses = sorted(IntelRecord.objects.values_list("status", flat=True))
    assert statuses.count("approved") == 5 and "pending" in statuses and "draft" in statuses
    approved = IntelRecord.objects.filter(status="approved")
    assert all(r.approved_by_id != r.submitted_by_id and r.review_due for r in approved)
    assert GroupMembership.objects.filter(status="approved").count() == 9
    assert GroupMembership.objects.filter(status="pending").count() == 2


def test_the_demo_has_designations_made_under_the_rules(seeded: str) -> None:
    """One active, one awaiting the supervisor, one expiring within 30 days; the demo
    prosecutor covers a zone and their home lists the active ones there."""
    from intel.models import PriorityDesignation, SupervisionStatus, ZoneAssignment
    from intel.priority.selectors import designation_briefs_for_prosecutor

    now = timezone.now()
    rows = list(PriorityDesignation.objects.order_by("expires_at"))
    assert sorted(d.status for d in rows) == ["active", "active", "proposed"]
    assert all(d.decided_by_id != d.proposed_by_id for d in rows if d.decided_by_id)
    expiring = [d for d in rows if d.expires_at and d.expires_at <= now + timedelta(days=30)]
    assert len(expiring) == 1 and expiring[0].events.count() == 2
    assert SupervisionStatus.objects.filter(reference="HCP-2025-0193").exists()
    prosecutor = get_user_model().objects.get(username="demo.prosecutor")
    assert ZoneAssignment.objects.filter(user=prosecutor).count() == 1
    listed = {row.person.pk for row in designation_briefs_for_prosecutor(actor=prosecutor)}
    long_lived = next(d for d in rows if d.status == "active" and d not in expiring)
    assert long_lived.person_id in listed  # their zone is the prosecutor's


def test_the_demo_plants_a_firearm_hotspot_and_a_burglary_spike(seeded: str) -> None:
    """The supervisor's map and the spike table have something real to find."""
    import h3

    from dashboards.analysis.hotspots import HotspotFilter, hotspot_list
    from dashboards.analysis.spikes import spike_list
    from intel.demo.planted import CLUSTER, SPIKE_CATEGORY, SPIKE_ZONE

    supervisor = get_user_model().objects.get(username="demo.supervisor")
    today = timezone.localdate()
    where = HotspotFilter(
        first=today - timedelta(days=89), last=today, category="violent", firearm=True
    )
    hotspots = hotspot_list(actor=supervisor, where=where, resolution=8, confidence=0.95)
    hot = {cell.h3 for cell in hotspots.cells if cell.cls == "hot"}
    assert h3.latlng_to_cell(*CLUSTER, 8) in hot

    rows = spike_list(actor=supervisor, layer=catalog.LAYER_NAME, as_of=today, window_days=28)
    flagged = {(row.category, row.zone) for row in rows if row.flagged}
    assert (SPIKE_CATEGORY, SPIKE_ZONE) in flagged


def test_the_demo_has_the_drug_diversion_rule_kept_across_a_reset(seeded: str) -> None:
    from intel.models import TreatmentRule

    rule = TreatmentRule.objects.get()
    assert rule.name == "Drug diversion: non-violent drug cases with no connection to violence"
    assert rule.open_case_categories == ["drug"] and rule.max_violent_arrests == 0
    assert rule.no_firearm and rule.no_violent_group and rule.lookback_years == 5
    assert AuditEvent.objects.filter(action="treatment_rule.create").count() == 1

    _seed(reset=True)

    assert TreatmentRule.objects.count() == 1
