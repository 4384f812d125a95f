"""The alert-fatigue report: every figure against a fixture computed by hand (below)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from alerts.models import Alert, WatchEntry
from alerts.selectors.fatigue import alert_fatigue_report
from csu.models import AuditEvent
from tests.alerts import builders

TZ = ZoneInfo(settings.TIME_ZONE or "UTC")


def _nov(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


# (recipient, lists, created, time to acknowledge or None, action)
#  week of Mon 2 Nov:  A a1 L2 ack 1h bail; A a2 L2+L1 ack 3h no_action; A a3 L3; B a4 L3;
#                      B a5 L1 ack 30 min case_added
#  week of Mon 9 Nov:  A a6 L3; A a7 L3; B a8 L3; B a9 L2 ack 2h (no action recorded)
#  outside: A on 30 Oct and on 16 Nov (the end is excluded)
# Alerts 9; acknowledged 4 (4/9); acted on 2 (bail, case added: 2/9); median time to
# acknowledge of 30 min, 1 h, 2 h, 3 h = 1 h 30 min. A: 3 + 2 = 5, ack 2, acted 1; B: 2 + 2 = 4,
# ack 2, acted 1. Per list: Noise (L3) 5 alerts, 0 ack; Gangs/Eastside (L2) 3, 3 ack; Gangs (L1)
# 2, 2 ack. Nobody acknowledges (>= 5 alerts): Noise only.
H = timedelta(hours=1)
PLAN = [
    ("A", ["L2"], _nov(2), H, "bail_argued"),
    ("A", ["L2", "L1"], _nov(3), 3 * H, "no_action"),
    ("A", ["L3"], _nov(4), None, ""),
    ("B", ["L3"], _nov(5), None, ""),
    ("B", ["L1"], _nov(6), H / 2, "case_added"),
    ("A", ["L3"], _nov(9), None, ""),
    ("A", ["L3"], _nov(10), None, ""),
    ("B", ["L3"], _nov(11), None, ""),
    ("B", ["L2"], _nov(12), 2 * H, ""),
    ("A", ["L3"], datetime(2026, 10, 30, 10, tzinfo=TZ), None, ""),
    ("A", ["L3"], _nov(16, 0, 0), None, ""),
]


@pytest.fixture
def fixture(make_user, supervisor):  # type: ignore[no-untyped-def]
    users = {"A": make_user("prosecutor", "ada.a"), "B": make_user("analyst", "ben.b")}
    l1 = builders.watch_list(users["A"], "Gangs")
    lists = {"L1": l1, "L2": builders.watch_list(users["A"], "Eastside", parent=l1)}
    lists["L3"] = builders.watch_list(users["B"], "Noise")
    for who, names, created, wait, action in PLAN:
        alert = builders.alert(users[who], [lists[n] for n in names], created_at=created)
        if wait is not None:
            Alert.objects.filter(pk=alert.pk).update(
                acknowledged_at=created + wait, action=action, action_at=created + wait
            )
    now = _nov(20)
    expired = builders.entry(lists["L3"], None, last_name="Old", expires_at=now - timedelta(days=1))
    builders.entry(
        lists["L3"], None, last_name="Gone", expires_at=now - timedelta(days=3), status="expired"
    )
    builders.entry(lists["L3"], None, last_name="Fresh", expires_at=now + timedelta(days=30))
    return {"users": users, "lists": lists, "expired": expired, "now": now}


def _report(actor, fixture):  # type: ignore[no-untyped-def]
    return alert_fatigue_report(
        actor=actor, start=_nov(2, 0), end=_nov(16, 0), min_alerts=5, now=fixture["now"]
    )


def test_every_figure_matches_the_hand_computed_fixture(supervisor, fixture) -> None:
    report = _report(supervisor, fixture)
    a, b = fixture["users"]["A"], fixture["users"]["B"]
    lists = fixture["lists"]

    assert (report.alerts, report.acknowledged, report.actioned) == (9, 4, 2)
    assert report.acknowledgement_rate == pytest.approx(4 / 9)
    assert report.action_rate == pytest.approx(2 / 9)
    assert report.median_time_to_acknowledge == timedelta(hours=1, minutes=30)
    assert report.weeks == [date(2026, 11, 2), date(2026, 11, 9)]
    by_user = {r.recipient.pk: r for r in report.recipients}
    assert by_user[a.pk].per_week == {date(2026, 11, 2): 3, date(2026, 11, 9): 2}
    assert by_user[b.pk].per_week == {date(2026, 11, 2): 2, date(2026, 11, 9): 2}
    assert (by_user[a.pk].alerts, by_user[a.pk].acknowledged, by_user[a.pk].actioned) == (5, 2, 1)
    assert (by_user[b.pk].alerts, by_user[b.pk].acknowledged, by_user[b.pk].actioned) == (4, 2, 1)
    assert by_user[a.pk].acknowledgement_rate == pytest.approx(2 / 5)
    assert by_user[b.pk].action_rate == pytest.approx(1 / 4)
    assert [(f.path, f.alerts, f.acknowledged) for f in report.noisiest_lists] == [
        ("Noise", 5, 0),
        ("Gangs/Eastside", 3, 3),
        ("Gangs", 2, 2),
    ]
    assert [f.watch_list for f in report.unacknowledged_lists] == [lists["L3"]]
    assert report.expired_entries == [fixture["expired"]]


def test_only_supervisors_get_the_report(prosecutor, fixture) -> None:
    with pytest.raises(PermissionDenied):
        _report(prosecutor, fixture)


def test_the_page_shows_the_figures_and_pauses_a_list_nobody_reads_in_one_click(
    supervisor, fixture, client_for
) -> None:
    client = client_for(supervisor)
    noise = fixture["lists"]["L3"]

    page = client.get(reverse("alerts:fatigue"), {"start": "2026-11-02", "end": "2026-11-15"})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-figure="alerts">9<' in html
    assert "4 (44%)" in html and "2 (22%)" in html and "1:30:00" in html
    assert reverse("alerts:fatigue-pause", args=[noise.pk]) in html
    assert f"#{fixture['expired'].pk} Person" in html

    response = client.post(
        reverse("alerts:fatigue-pause", args=[noise.pk]), {"reason": "Alert fatigue: 5 alerts"}
    )

    assert response.status_code == 302
    noise.refresh_from_db()
    assert noise.paused_at is not None and noise.paused_by == supervisor
    assert AuditEvent.objects.filter(
        action="alerts.watchlist_pause", object_id=str(noise.pk)
    ).exists()
    again = client.get(reverse("alerts:fatigue"), {"start": "2026-11-02", "end": "2026-11-15"})
    assert reverse("alerts:fatigue-pause", args=[noise.pk]) not in again.content.decode()


def test_expired_entries_are_those_active_past_expiry(supervisor, fixture) -> None:
    WatchEntry.objects.filter(pk=fixture["expired"].pk).update(status="expired")
    assert _report(supervisor, fixture).expired_entries == []
