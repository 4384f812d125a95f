"""Watch entries: who may add them, per-kind checks, the 28 CFR 23 refusal, linking to a
person, expiry by time travel and renewal with a fresh reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.models import WatchEntry
from alerts.services.entries import (
    NON_CRIMINAL_REFUSED,
    watch_entries_expire,
    watch_entry_add,
    watch_entry_remove,
    watch_entry_renew,
)
from alerts.services.lists import watchlist_create, watchlist_member_set
from alerts.tasks import watch_entries_expire_task
from csu.models import AuditEvent
from intel.intelligence.identifiers import IdentifierInput, add_identifier
from tests.factories import ArrestFactory, PersonFactory, PersonIdentifierFactory, ZoneFactory
from tests.factories.intel import approved_intel_record

pytestmark = pytest.mark.django_db

REASON = "Shot at a rival crew member in March; bail argued before."


@pytest.fixture
def bail_watch(prosecutor, analyst):  # type: ignore[no-untyped-def]
    watch_list = watchlist_create(actor=prosecutor, name="Bail watch", priority="high")
    watchlist_member_set(actor=prosecutor, watch_list=watch_list, user=analyst, role="editor")
    return watch_list


def _person_entry(actor, watch_list, **fields):  # type: ignore[no-untyped-def]
    return watch_entry_add(
        actor=actor, watch_list=watch_list, kind="person", reason=REASON, **fields
    )


def test_an_editor_adds_a_person_entry_expiring_in_12_months(analyst, bail_watch) -> None:
    person = ArrestFactory().person

    entry = _person_entry(analyst, bail_watch, person=person, note="Call ADA Lee.")

    assert entry.status == "active" and entry.created_by == analyst
    assert (entry.last_name, entry.first_name, entry.dob) == (
        person.last_name,
        person.first_name,
        person.dob,
    )
    days = (entry.expires_at - timezone.now()).days
    assert 364 <= days <= 366
    assert AuditEvent.objects.filter(
        action="alerts.watch_entry_add", object_id=str(entry.pk)
    ).exists()


def test_a_viewer_or_outsider_cannot_add(prosecutor, supervisor, bail_watch) -> None:
    with pytest.raises(PermissionDenied):
        _person_entry(supervisor, bail_watch, last_name="Doe", first_name="J", dob=date(1990, 1, 1))
    watchlist_member_set(actor=prosecutor, watch_list=bail_watch, user=supervisor, role="viewer")
    with pytest.raises(PermissionDenied):
        _person_entry(supervisor, bail_watch, last_name="Doe", first_name="J", dob=date(1990, 1, 1))
    assert not WatchEntry.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "person"}, "needs a person, a state ID or a last name"),
        ({"kind": "person", "last_name": "Doe"}, "first name and date of birth"),
        ({"kind": "charge"}, "needs a statute"),
        ({"kind": "place"}, "an address, a point with a radius, or a zone"),
        ({"kind": "place", "latitude": 40.6, "longitude": -73.9}, "latitude, longitude and radius"),
        ({"kind": "place", "latitude": 40.6, "longitude": -73.9, "radius_m": 3}, "10 to 5,000"),
        ({"kind": "vehicle"}, "must be one of"),
    ],
)
def test_each_kind_says_what_it_needs(prosecutor, bail_watch, fields, message) -> None:
    with pytest.raises(ValidationError, match=message):
        watch_entry_add(actor=prosecutor, watch_list=bail_watch, reason=REASON, **fields)


def test_a_reason_is_required(prosecutor, bail_watch) -> None:
    with pytest.raises(ValidationError, match="reason"):
        watch_entry_add(
            actor=prosecutor, watch_list=bail_watch, kind="charge", charge="PL 265.03", reason=" "
        )


def test_charge_and_place_entries(prosecutor, bail_watch) -> None:
    zone = ZoneFactory()
    charge = watch_entry_add(
        actor=prosecutor, watch_list=bail_watch, kind="charge", charge="pl 265.03", reason=REASON
    )
    place = watch_entry_add(
        actor=prosecutor, watch_list=bail_watch, kind="place", zone=zone, reason=REASON
    )
    point = watch_entry_add(
        actor=prosecutor,
        watch_list=bail_watch,
        kind="place",
        latitude=40.65,
        longitude=-73.95,
        radius_m=300,
        reason=REASON,
    )

    assert charge.charge == "PL 265.03"
    assert place.zone == zone and point.radius_m == 300


def test_a_person_named_only_as_a_non_criminal_identifier_is_refused(
    prosecutor, analyst, supervisor, bail_watch
) -> None:
    record = approved_intel_record(analyst, supervisor)
    landlord = PersonFactory(first_name="Rosa", last_name="Landlady", dob=date(1970, 5, 5))
    add_identifier(
        record=record,
        identifier=IdentifierInput(name="Rosa Landlady", relationship="landlord", person=landlord),
    )
    add_identifier(
        record=record, identifier=IdentifierInput(name="Victor Owner", relationship="car owner")
    )

    with pytest.raises(ValidationError) as by_person:
        _person_entry(prosecutor, bail_watch, person=landlord)
    with pytest.raises(ValidationError) as by_name:
        _person_entry(
            prosecutor, bail_watch, last_name="OWNER", first_name="victor", dob=date(1980, 1, 1)
        )

    assert NON_CRIMINAL_REFUSED in by_person.value.messages
    assert NON_CRIMINAL_REFUSED in by_name.value.messages
    assert "Non-criminal identifying information: not a subject of this record" in (
        NON_CRIMINAL_REFUSED
    )
    assert not WatchEntry.objects.exists()
    # The subject of the record is a criminal subject: watching them is fine.
    assert _person_entry(prosecutor, bail_watch, person=record.subject_person).pk


def test_an_identifier_who_was_since_arrested_may_be_watched(
    prosecutor, analyst, supervisor, bail_watch
) -> None:
    record = approved_intel_record(analyst, supervisor)
    owner = PersonFactory()
    add_identifier(
        record=record,
        identifier=IdentifierInput(name=owner.full_name, relationship="car owner", person=owner),
    )
    ArrestFactory(person=owner)

    assert _person_entry(prosecutor, bail_watch, person=owner).person == owner


def test_a_name_and_dob_entry_links_to_the_one_person_it_names(prosecutor, bail_watch) -> None:
    person = PersonFactory(first_name="Marcus", last_name="Hale", dob=date(1995, 4, 2))
    PersonFactory(first_name="Marcus", last_name="Hale", dob=date(1996, 4, 2))
    by_id = PersonIdentifierFactory(value="NY12345678").person

    entry = _person_entry(
        prosecutor, bail_watch, last_name="hale", first_name="MARCUS", dob=date(1995, 4, 2)
    )
    by_state_id = _person_entry(prosecutor, bail_watch, state_id="ny12345678")
    unknown = _person_entry(
        prosecutor, bail_watch, last_name="Nobody", first_name="Known", dob=date(1990, 1, 1)
    )

    assert entry.person == person
    assert by_state_id.person == by_id
    assert unknown.person is None


def test_entries_expire_by_time_and_the_task_is_idempotent(prosecutor, bail_watch) -> None:
    entry = watch_entry_add(
        actor=prosecutor,
        watch_list=bail_watch,
        kind="charge",
        charge="PL 265.03",
        reason=REASON,
        expires_at=timezone.now() + timedelta(days=10),
    )
    long_lived = watch_entry_add(
        actor=prosecutor, watch_list=bail_watch, kind="charge", charge="PL 120.10", reason=REASON
    )

    assert watch_entries_expire() == 0
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        assert watch_entries_expire_task() == 1
        assert watch_entries_expire() == 0  # a second run changes nothing

    entry.refresh_from_db()
    long_lived.refresh_from_db()
    assert entry.status == "expired" and long_lived.status == "active"
    assert AuditEvent.objects.filter(action="alerts.watch_entries_expire").count() == 1


def test_renewal_needs_a_fresh_reason_and_reactivates(prosecutor, bail_watch) -> None:
    entry = watch_entry_add(
        actor=prosecutor,
        watch_list=bail_watch,
        kind="charge",
        charge="PL 265.03",
        reason=REASON,
        expires_at=timezone.now() + timedelta(days=1),
    )
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        watch_entries_expire()
        with pytest.raises(ValidationError, match="fresh reason"):
            watch_entry_renew(actor=prosecutor, entry=entry, reason=REASON.upper() + "  ")
        renewed = watch_entry_renew(
            actor=prosecutor, entry=entry, reason="Released on bail last week; re-arrest likely."
        )
        days = (renewed.expires_at - timezone.now()).days

    assert renewed.status == "active" and 364 <= days <= 366
    assert renewed.renewal_reason.startswith("Released on bail")


def test_a_removed_entry_stays_removed(prosecutor, bail_watch) -> None:
    entry = watch_entry_add(
        actor=prosecutor, watch_list=bail_watch, kind="charge", charge="PL 265.03", reason=REASON
    )
    watch_entry_remove(actor=prosecutor, entry=entry)
    entry.refresh_from_db()
    with pytest.raises(ValidationError):
        watch_entry_renew(actor=prosecutor, entry=entry, reason="A completely new reason here.")
    assert entry.status == "removed"


# --- pages ----------------------------------------------------------------------------------


def test_watch_this_person_from_the_person_page(prosecutor, bail_watch, client_for) -> None:
    person = ArrestFactory().person
    client = client_for(prosecutor)

    person_page = client.get(reverse("intel:person-detail", args=[person.pk])).content.decode()
    assert reverse("alerts:entry-add-person", args=[person.pk]) in person_page
    form = client.get(reverse("alerts:entry-add-person", args=[person.pk])).content.decode()
    assert "Bail watch" in form
    response = client.post(
        reverse("alerts:entry-add-person", args=[person.pk]),
        {"watch_list": bail_watch.pk, "reason": REASON, "owner_note": "My private note."},
    )

    assert response.status_code == 302
    entry = WatchEntry.objects.get(person=person)
    assert entry.watch_list == bail_watch
    list_page = client.get(reverse("alerts:list-detail", args=[bail_watch.pk])).content.decode()
    assert REASON in list_page and "My private note." in list_page


def test_the_owner_only_note_is_shown_to_its_creator_alone(
    prosecutor, analyst, bail_watch, client_for
) -> None:
    _person_entry(
        prosecutor, bail_watch, person=ArrestFactory().person, owner_note="Informant says so."
    )

    mine = client_for(prosecutor).get(reverse("alerts:list-detail", args=[bail_watch.pk]))
    theirs = client_for(analyst).get(reverse("alerts:list-detail", args=[bail_watch.pk]))

    assert "Informant says so." in mine.content.decode()
    assert "Informant says so." not in theirs.content.decode()
    assert REASON in theirs.content.decode()


def test_the_expiring_soon_section_is_for_owners(
    prosecutor, analyst, bail_watch, client_for
) -> None:
    watch_entry_add(
        actor=prosecutor,
        watch_list=bail_watch,
        kind="charge",
        charge="PL 265.03",
        reason=REASON,
        expires_at=timezone.now() + timedelta(days=20),
    )

    owner_page = client_for(prosecutor).get(reverse("alerts:list-detail", args=[bail_watch.pk]))
    editor_page = client_for(analyst).get(reverse("alerts:list-detail", args=[bail_watch.pk]))

    assert "Expiring soon (1)" in owner_page.content.decode()
    assert "Expiring soon" not in editor_page.content.decode()


def test_add_renew_and_remove_from_the_list_page(prosecutor, bail_watch, client_for) -> None:
    client = client_for(prosecutor)
    client.post(
        reverse("alerts:entry-add", args=[bail_watch.pk]),
        {
            "kind": "charge",
            "charge-kind": "charge",
            "charge-charge": "PL 265.03",
            "charge-reason": REASON,
        },
    )
    entry = WatchEntry.objects.get(charge="PL 265.03")
    same = client.post(reverse("alerts:entry-renew", args=[entry.pk]), {"reason": REASON})
    client.post(reverse("alerts:entry-remove", args=[entry.pk]))

    entry.refresh_from_db()
    assert same.status_code == 302 and entry.renewed_at is None
    assert entry.status == "removed"


def test_an_outsider_gets_404_on_an_entry(prosecutor, supervisor, bail_watch, client_for) -> None:
    entry = watch_entry_add(
        actor=prosecutor, watch_list=bail_watch, kind="charge", charge="PL 265.03", reason=REASON
    )

    response = client_for(supervisor).post(reverse("alerts:entry-remove", args=[entry.pk]))

    entry.refresh_from_db()
    assert response.status_code == 404 and entry.status == "active"
