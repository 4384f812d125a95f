"""Each way an arrest matches a watch entry, and what never matches (``alerts.matching``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from alerts.matching import arrests_match, dob_slips
from alerts.models import WatchEntry
from tests.alerts.conftest import make_entry, make_list
from tests.factories.intel import (
    ArrestChargeFactory,
    ArrestFactory,
    PersonFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db


def _only(arrest, **expected):  # type: ignore[no-untyped-def]
    matches = arrests_match(arrest_ids=[arrest.pk])
    assert len(matches) == 1, matches
    match = matches[0]
    for key, value in expected.items():
        assert getattr(match, key) == value, (key, match)
    return match


def test_identifier_matches_the_state_id_as_recorded(gangs) -> None:  # type: ignore[no-untyped-def]
    entry = make_entry(gangs, last_name="Marsh", state_id="ny-1234567 k")
    arrest = ArrestFactory(
        person=None,
        name_as_recorded="NOBODY, X",
        dob_as_recorded=None,
        state_id_as_recorded="NY1234567K",
    )
    _only(arrest, entry_id=entry.pk, list_id=gangs.pk, type="person", how="state ID")


def test_link_matches_the_resolved_person_and_follows_merges(gangs) -> None:  # type: ignore[no-untyped-def]
    kept = PersonFactory()
    merged = PersonFactory(merged_into=kept)
    entry = make_entry(gangs, person=merged)
    arrest = ArrestFactory(person=kept)
    _only(arrest, entry_id=entry.pk, how="linked person", score=1.0)
    other = ArrestFactory()  # someone else
    assert arrests_match(arrest_ids=[other.pk]) == []


@pytest.mark.parametrize(
    ("recorded", "dob"),
    [
        ("MARSH, DEVON", date(1995, 3, 14)),  # as written
        ("MARHS, DEVON", date(1995, 3, 14)),  # a typo
        ("DEVON, MARSH", date(1995, 3, 14)),  # first and last swapped
        ("MARSH, DEV", date(1995, 3, 14)),  # a nickname
        ("MARSH, DEVON", date(1995, 3, 15)),  # one digit of the date slipped
        ("MARSH, DEVON", date(1995, 8, 14)),  # a slip in the month
    ],
)
def test_name_and_dob_match_an_unlinked_entry_above_the_threshold(  # type: ignore[no-untyped-def]
    gangs, recorded, dob
) -> None:
    entry = make_entry(gangs, last_name="Marsh", first_name="Devon", dob=date(1995, 3, 14))
    arrest = ArrestFactory(person=None, name_as_recorded=recorded, dob_as_recorded=dob)
    match = _only(arrest, entry_id=entry.pk, how="name + DOB")
    assert 0.9 <= match.score <= 1.0
    factors = {f["factor"] for f in match.factors}
    assert "date of birth" in factors
    assert factors & {"last name", "name order"}


def test_name_and_dob_below_the_threshold_do_not_alert(gangs, settings) -> None:  # type: ignore[no-untyped-def]
    make_entry(gangs, last_name="Marsh", first_name="Devon", dob=date(1995, 3, 14))
    # Same name, a date of birth in another month and day: someone else.
    stranger = ArrestFactory(
        person=None, name_as_recorded="MARSH, DEVON", dob_as_recorded=date(1995, 7, 2)
    )
    # Same date of birth, another first name: a brother.
    brother = ArrestFactory(
        person=None, name_as_recorded="MARSH, KEVIN", dob_as_recorded=date(1995, 3, 14)
    )
    assert arrests_match(arrest_ids=[stranger.pk, brother.pk]) == []
    # A typo in the first name and a slipped digit together score 0.89: under the threshold.
    both = ArrestFactory(
        person=None, name_as_recorded="MARSH, DEVIN", dob_as_recorded=date(1995, 3, 15)
    )
    assert arrests_match(arrest_ids=[both.pk]) == []
    settings.ALERTS_NAME_DOB_THRESHOLD = 0.85
    match = _only(both, how="name + DOB")
    assert 0.85 <= match.score < 0.9


def test_name_and_dob_skip_entries_linked_to_a_person(gangs) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(last_name="Marsh", first_name="Devon", dob=date(1995, 3, 14))
    make_entry(gangs, person=person, last_name="Marsh", first_name="Devon", dob=date(1995, 3, 14))
    # Resolution linked the arrest to someone else: the linked entry does not match on name.
    arrest = ArrestFactory(name_as_recorded="MARSH, DEVON", dob_as_recorded=date(1995, 3, 14))
    assert arrests_match(arrest_ids=[arrest.pk]) == []


def test_a_differing_state_id_defeats_a_name_and_dob_match(gangs) -> None:  # type: ignore[no-untyped-def]
    make_entry(gangs, last_name="Marsh", first_name="Devon", dob=date(1995, 3, 14), state_id="NY1")
    arrest = ArrestFactory(
        person=None,
        name_as_recorded="MARSH, DEVON",
        dob_as_recorded=date(1995, 3, 14),
        state_id_as_recorded="NY2",
    )
    assert arrests_match(arrest_ids=[arrest.pk]) == []


@pytest.mark.parametrize(
    ("charge", "matches"),
    [
        ("PL 265.03", True),
        ("pl265", True),  # a prefix, without spaces or punctuation
        ("PL 265.01", False),
        ("weapons", True),  # a category by its value
        ("Weapons", True),  # or its label
        ("drug", False),
        ("crim poss weapon 2nd degree", True),  # the description
    ],
)
def test_charge_entries(gangs, charge, matches) -> None:  # type: ignore[no-untyped-def]
    entry = make_entry(gangs, kind="charge", charge=charge)
    arrest = ArrestChargeFactory(statute="PL 265.03(1)(b)").arrest
    found = arrests_match(arrest_ids=[arrest.pk])
    if matches:
        assert [(m.entry_id, m.type, m.how) for m in found] == [
            (entry.pk, "charge", f"charge {charge}")
        ]
    else:
        assert found == []


def test_place_entries_by_zone_radius_and_address(gangs) -> None:  # type: ignore[no-untyped-def]
    zone = ZoneFactory(key="32", name="")
    by_zone = make_entry(gangs, kind="place", zone=zone)
    near = make_entry(gangs, kind="place", latitude=40.6500, longitude=-73.9500, radius_m=300)
    far = make_entry(gangs, kind="place", latitude=40.6600, longitude=-73.9500, radius_m=300)
    by_address = make_entry(gangs, kind="place", address="1200 Sutter Ave.,  Brooklyn")
    # 40.652 is 222 m north of the point: within 300 m; 40.66 is 1.1 km away.
    arrest = ArrestFactory(
        zone=zone, latitude=40.652, longitude=-73.95, address="1200 SUTTER AVE BROOKLYN"
    )
    found = {m.entry_id: m.how for m in arrests_match(arrest_ids=[arrest.pk])}
    assert found == {
        by_zone.pk: "zone 32",
        near.pk: "within 300 m",
        by_address.pk: "address",
    }
    assert far.pk not in found
    elsewhere = ArrestFactory(latitude=40.70, longitude=-73.90, address="1 Main St")
    assert arrests_match(arrest_ids=[elsewhere.pk]) == []


def test_expired_removed_and_paused_entries_never_match(gangs, prosecutor) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory()
    entry = make_entry(gangs, person=person)
    arrest = ArrestFactory(person=person)
    assert len(arrests_match(arrest_ids=[arrest.pk])) == 1
    # Time travel: the day after the entry expires it matches nothing.
    later = entry.expires_at + timedelta(days=1)
    assert arrests_match(arrest_ids=[arrest.pk], now=later) == []
    assert len(arrests_match(arrest_ids=[arrest.pk], now=entry.expires_at - timedelta(days=1))) == 1
    # A paused category pauses its group.
    assert gangs.parent is not None
    gangs.parent.paused_at = timezone.now()
    gangs.parent.save()
    assert arrests_match(arrest_ids=[arrest.pk]) == []
    gangs.parent.paused_at = None
    gangs.parent.save()
    WatchEntry.objects.filter(pk=entry.pk).update(status=WatchEntry.Status.REMOVED)
    assert arrests_match(arrest_ids=[arrest.pk]) == []


def test_one_match_per_arrest_and_entry_the_strongest_path(gangs) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(last_name="Marsh", first_name="Devon", dob=date(1995, 3, 14))
    entry = make_entry(gangs, person=person, state_id="NY77")
    arrest = ArrestFactory(person=person, state_id_as_recorded="NY77")
    _only(arrest, entry_id=entry.pk, how="state ID")


def test_dob_slips_are_valid_dates_one_digit_away() -> None:
    slips = set(dob_slips(date(1995, 3, 14)))
    assert date(1995, 3, 15) in slips and date(1985, 3, 14) in slips
    assert date(1995, 3, 14) not in slips and date(1995, 3, 25) not in slips
    assert all(d.year > 0 for d in slips)


def test_matching_a_whole_batch_takes_few_queries(gangs, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    arrests = [ArrestFactory() for _ in range(30)]
    for a in arrests[:10]:
        make_entry(gangs, person=a.person)
    with django_assert_max_num_queries(11):  # 8 reads, SET jit, a savepoint and its release
        found = arrests_match(arrest_ids=[a.pk for a in arrests])
    assert len(found) == 10


# ---- consolidated alerts and their recipients (alerts.services.alerts) --------------------


def _alerts(user):  # type: ignore[no-untyped-def]
    from alerts.models import Alert

    return list(Alert.objects.filter(recipient=user))


def test_two_lists_and_an_open_case_make_one_alert_with_three_matches(  # type: ignore[no-untyped-def]
    gangs, prosecutor, make_user, django_capture_on_commit_callbacks
) -> None:
    from alerts.models import AlertDelivery
    from alerts.services.alerts import alerts_create_for_arrests
    from csu.models import AuditEvent
    from tests.factories.intel import CaseReferralFactory

    prosecutor.email = "ada@example.org"
    prosecutor.save()
    shootings = make_list(prosecutor, "Shootings", priority="high")
    person = PersonFactory()
    by_person = make_entry(gangs, person=person)
    by_charge = make_entry(shootings, kind="charge", charge="PL 265")
    case = CaseReferralFactory(defendant=person, status="charged", assigned_to=prosecutor)
    arrest = ArrestChargeFactory(arrest__person=person).arrest
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = alerts_create_for_arrests(arrest_ids=[arrest.pk])
    (alert,) = _alerts(prosecutor)
    assert created == [alert.pk]
    assert alert.arrest == arrest and alert.person == person and alert.high_priority
    assert sorted((m["type"], m["entry_id"], m["how"], m["list"]) for m in alert.matches) == sorted(
        [
            ("person", by_person.pk, "linked person", "Gangs/Brownsville"),
            ("charge", by_charge.pk, "charge PL 265", "Shootings"),
            ("open_case", None, f"open case {case.case_number}", ""),
        ]
    )
    person_match = next(m for m in alert.matches if m["type"] == "person")
    assert person_match["reason"] == by_person.reason and person_match["note"] == by_person.note
    assert person_match["list_id"] == gangs.pk and person_match["score"] == 1.0
    # In the app and by e-mail, due at once (a high-priority list), queued after commit.
    deliveries = AlertDelivery.objects.filter(alert=alert)
    assert sorted(d.channel for d in deliveries) == ["email", "in_app"]
    assert all(not d.digest and d.status == "pending" for d in deliveries)
    assert len(callbacks) == 1
    event = AuditEvent.objects.get(action="alert.created")
    assert event.object_id == str(alert.pk) and event.detail["matches"] == 3
    # Run again: nothing new, no second delivery.
    with django_capture_on_commit_callbacks(execute=False) as again:
        assert alerts_create_for_arrests(arrest_ids=[arrest.pk]) == []
    assert len(_alerts(prosecutor)) == 1 and deliveries.count() == 2 and again == []
    # A new entry on a list matching the same arrest joins the same alert, no new delivery.
    third = make_entry(gangs, kind="place", address=arrest.address or "9 Elm St")
    if not arrest.address:
        arrest.address = "9 Elm St"
        arrest.save()
    assert alerts_create_for_arrests(arrest_ids=[arrest.pk]) == [alert.pk]
    alert.refresh_from_db()
    assert len(alert.matches) == 4 and third.pk in {m["entry_id"] for m in alert.matches}
    assert deliveries.count() == 2


def test_a_normal_list_waits_for_the_digest(gangs, prosecutor) -> None:  # type: ignore[no-untyped-def]
    from alerts.models import AlertDelivery, AlertPreference
    from alerts.services.alerts import alerts_create_for_arrests

    AlertPreference.objects.create(user=prosecutor, email=True, digest_hour=7)
    person = PersonFactory()
    make_entry(gangs, person=person)
    alerts_create_for_arrests(arrest_ids=[ArrestFactory(person=person).pk])
    (alert,) = _alerts(prosecutor)
    assert not alert.high_priority
    # No e-mail address: in the app only, in the next digest.
    (delivery,) = AlertDelivery.objects.filter(alert=alert)
    assert delivery.channel == "in_app" and delivery.digest and delivery.due_at > timezone.now()


def test_recipients_roles_inherit_downward_and_need_access(  # type: ignore[no-untyped-def]
    gangs, prosecutor, make_user
) -> None:
    from django.contrib.auth.models import Group

    from alerts.services.alerts import alerts_create_for_arrests, watchlist_recipients
    from tests.alerts.conftest import grant

    assert gangs.parent is not None
    editor = make_user("analyst")
    grant(editor, gangs.parent, "editor")  # on the category: inherited by the group
    by_group = make_user("prosecutor")
    team = Group.objects.create(name="Brownsville team")
    by_group.groups.add(team)
    from guardian.shortcuts import assign_perm

    assign_perm("view_watchlist", team, gangs)
    no_access = make_user("admin")  # a role without alerts or arrests
    grant(no_access, gangs, "viewer")
    gone = make_user("prosecutor")
    gone.is_active = False
    gone.save()
    grant(gone, gangs, "viewer")
    outsider = make_user("prosecutor")  # no grant at all
    assert {u.pk for u in watchlist_recipients(gangs)} == {prosecutor.pk, editor.pk, by_group.pk}
    person = PersonFactory()
    make_entry(gangs, person=person)
    alerts_create_for_arrests(arrest_ids=[ArrestFactory(person=person).pk])
    for user in (prosecutor, editor, by_group):
        assert len(_alerts(user)) == 1
    for user in (no_access, gone, outsider):
        assert _alerts(user) == []


def test_a_silent_list_alerts_its_owners_only(gangs, prosecutor, make_user) -> None:  # type: ignore[no-untyped-def]
    from alerts.services.alerts import alerts_create_for_arrests
    from tests.alerts.conftest import grant

    viewer = make_user("prosecutor")
    grant(viewer, gangs, "viewer")
    gangs.silent = True
    gangs.save()
    person = PersonFactory()
    make_entry(gangs, person=person)
    alerts_create_for_arrests(arrest_ids=[ArrestFactory(person=person).pk])
    assert len(_alerts(prosecutor)) == 1
    assert _alerts(viewer) == []


def test_snoozed_recipients_get_no_alert_until_the_date(gangs, prosecutor, make_user) -> None:  # type: ignore[no-untyped-def]
    from alerts.models import Snooze
    from alerts.services.alerts import alerts_create_for_arrests
    from tests.alerts.conftest import grant

    other = make_user("prosecutor")
    grant(other, gangs, "viewer")
    assert gangs.parent is not None
    # The prosecutor snoozed the category (and so the group); the other the person.
    Snooze.objects.create(
        user=prosecutor, watch_list=gangs.parent, until=timezone.now() + timedelta(days=7)
    )
    person = PersonFactory()
    Snooze.objects.create(user=other, person=person, until=timezone.now() + timedelta(days=7))
    make_entry(gangs, person=person)
    arrest = ArrestFactory(person=person)
    assert alerts_create_for_arrests(arrest_ids=[arrest.pk]) == []
    assert _alerts(prosecutor) == [] and _alerts(other) == []
    # A week later the snoozes are over.
    later = timezone.now() + timedelta(days=8)
    alerts_create_for_arrests(arrest_ids=[arrest.pk], now=later)
    assert len(_alerts(prosecutor)) == 1 and len(_alerts(other)) == 1


def test_open_case_alerts_go_to_the_assigned_prosecutor_only(prosecutor, make_user) -> None:  # type: ignore[no-untyped-def]
    from alerts.services.alerts import alerts_create_for_arrests
    from tests.factories.intel import CaseReferralFactory

    other = make_user("prosecutor")
    kept = PersonFactory()
    merged = PersonFactory(merged_into=kept)
    # An open case of a person since merged into the arrested one; a closed case; no case.
    open_case = CaseReferralFactory(defendant=merged, status="referred", assigned_to=prosecutor)
    CaseReferralFactory(defendant=kept, status="convicted", assigned_to=other)
    arrest = ArrestFactory(person=kept)
    alerts_create_for_arrests(arrest_ids=[arrest.pk])
    (alert,) = _alerts(prosecutor)
    assert alert.high_priority
    assert [(m["type"], m["how"], m["list"]) for m in alert.matches] == [
        ("open_case", f"open case {open_case.case_number}", "")
    ]
    assert _alerts(other) == []


def test_large_batches_use_the_process_index_and_still_see_every_change(  # type: ignore[no-untyped-def]
    gangs, monkeypatch
) -> None:
    from alerts import matching

    monkeypatch.setattr(matching, "DATE_FILTER_MAX_ARRESTS", 0)  # every batch is "large"
    entry = make_entry(gangs, last_name="Marsh", first_name="Devon", dob=date(1995, 3, 14))
    arrest = ArrestFactory(
        person=None, name_as_recorded="MARSH, DEVON", dob_as_recorded=date(1995, 3, 14)
    )
    assert [m.entry_id for m in arrests_match(arrest_ids=[arrest.pk])] == [entry.pk]
    # Expired by a bulk update (no save, the index unchanged): no longer matches.
    WatchEntry.objects.filter(pk=entry.pk).update(status=WatchEntry.Status.EXPIRED)
    assert arrests_match(arrest_ids=[arrest.pk]) == []
    # A new entry after the index was built is found.
    other = make_entry(gangs, last_name="Marsh", first_name="Devon", dob=date(1995, 3, 14))
    assert [m.entry_id for m in arrests_match(arrest_ids=[arrest.pk])] == [other.pk]
    # A renamed entry (saved) no longer matches under its old name.
    other.first_name = "Kevin"
    other.save()
    assert arrests_match(arrest_ids=[arrest.pk]) == []
    # Paused list: the live check applies.
    other.first_name = "Devon"
    other.save()
    gangs.paused_at = timezone.now()
    gangs.save()
    assert arrests_match(arrest_ids=[arrest.pk]) == []


def test_a_radius_matches_across_grid_cells(gangs) -> None:  # type: ignore[no-untyped-def]
    # The point sits just south and east of a 0.01-degree line; the arrest 22 m away across it.
    entry = make_entry(gangs, kind="place", latitude=40.6499, longitude=-73.9501, radius_m=50)
    across = ArrestFactory(latitude=40.6501, longitude=-73.9499, address="")
    too_far = ArrestFactory(latitude=40.6510, longitude=-73.9501, address="")  # 122 m
    found = arrests_match(arrest_ids=[across.pk, too_far.pk])
    assert [(m.arrest_id, m.entry_id, m.how) for m in found] == [
        (across.pk, entry.pk, "within 50 m")
    ]
