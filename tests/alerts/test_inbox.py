"""The inbox, the badge, an alert's page, acknowledge and action, preferences and snoozes."""

from __future__ import annotations

from datetime import time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert, AlertDelivery, AlertPreference, Snooze
from alerts.selectors.inbox import alert_unacknowledged_count
from alerts.services.delivery import alert_deliveries_send
from csu.models import AuditEvent
from tests.alerts import builders


def _delivered(user, wl, **kw):  # type: ignore[no-untyped-def]
    alert = builders.alert(user, [wl], **kw)
    alert_deliveries_send()
    return alert


def test_the_inbox_shows_delivered_alerts_newest_first_unacknowledged_by_default(
    prosecutor, analyst, client_for
) -> None:
    wl = builders.watch_list(prosecutor, "Shooters", priority="high")
    old = _delivered(prosecutor, wl)
    new = _delivered(prosecutor, wl)
    read = _delivered(prosecutor, wl)
    Alert.objects.filter(pk=read.pk).update(acknowledged_at=timezone.now())
    pending = builders.alert(prosecutor, [wl], due_at=timezone.now() + timedelta(hours=5))
    others = _delivered(analyst, wl)
    client = client_for(prosecutor)

    html = client.get(reverse("alerts:inbox")).content.decode()
    everything = client.get(reverse("alerts:inbox"), {"show": "all"}).content.decode()

    def shown(page: str, alert: Alert) -> bool:
        return reverse("alerts:alert-detail", args=[alert.pk]) in page

    assert shown(html, new) and shown(html, old) and not shown(html, read)
    assert html.index(reverse("alerts:alert-detail", args=[new.pk])) < html.index(
        reverse("alerts:alert-detail", args=[old.pk])
    )
    assert shown(everything, read)
    assert not shown(everything, pending) and not shown(everything, others)
    assert "<strong>Shooters</strong>: Watched on Shooters" in html
    assert "state ID, score 1.00" in html
    assert reverse("intel:person-detail", args=[new.person_id]) in html


def test_the_badge_counts_unacknowledged_delivered_alerts_on_every_page_in_one_query(
    prosecutor, client_for
) -> None:
    wl = builders.watch_list(prosecutor, "Shooters", priority="high")
    alerts = [_delivered(prosecutor, wl) for _ in range(3)]
    builders.alert(prosecutor, [wl], due_at=timezone.now() + timedelta(hours=5))  # not yet
    Alert.objects.filter(pk=alerts[0].pk).update(acknowledged_at=timezone.now())
    client = client_for(prosecutor)

    home = client.get(reverse("csu:home")).content.decode()

    assert 'data-testid="alerts-badge">2<' in home
    prosecutor.has_perm("alerts.view_alert")  # the permission cache, as on a page
    with CaptureQueriesContext(connection) as queries:
        assert alert_unacknowledged_count(actor=prosecutor) == 2
    assert len(queries) == 1 and "COUNT(" in queries[0]["sql"]


def test_acknowledge_and_action_are_recorded_with_their_time_and_audited(
    prosecutor, client_for
) -> None:
    wl = builders.watch_list(prosecutor, "Shooters", priority="high")
    alert = _delivered(prosecutor, wl)
    client = client_for(prosecutor)
    url = reverse("alerts:alert-acknowledge", args=[alert.pk])

    client.post(url, {"next": "inbox"})
    alert.refresh_from_db()
    acknowledged = alert.acknowledged_at
    assert acknowledged is not None and alert.action == ""

    client.post(url, {"action": "ada_contacted", "note": "Told ADA Rivera before the hearing"})
    alert.refresh_from_db()
    assert alert.acknowledged_at == acknowledged  # the first acknowledgement counts
    assert (alert.action, alert.action_note) == (
        "ada_contacted",
        "Told ADA Rivera before the hearing",
    )
    assert alert.action_at is not None and alert.action_at >= acknowledged
    events = AuditEvent.objects.filter(action="alerts.alert_acknowledge", object_id=str(alert.pk))
    assert events.count() == 2
    assert client.post(url, {"action": "made_up"}).status_code == 302
    alert.refresh_from_db()
    assert alert.action == "ada_contacted"
    page = client.get(reverse("alerts:alert-detail", args=[alert.pk])).content.decode()
    assert "Assigned ADA contacted" in page
    assert 'data-testid="alerts-badge"' not in page


def test_another_users_alert_is_not_found_and_left_unchanged(
    prosecutor, analyst, client_for
) -> None:
    wl = builders.watch_list(analyst, "Shooters", priority="high")
    theirs = _delivered(analyst, wl)
    client = client_for(prosecutor)

    assert client.get(reverse("alerts:alert-detail", args=[theirs.pk])).status_code == 404
    post = client.post(
        reverse("alerts:alert-acknowledge", args=[theirs.pk]), {"action": "no_action"}
    )
    assert post.status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None and theirs.action == ""


def test_the_alert_page_names_the_other_recipients_and_their_lists(
    prosecutor, analyst, client_for
) -> None:
    mine = builders.watch_list(prosecutor, "Shooters", priority="high")
    theirs_list = builders.watch_list(analyst, "Crews", priority="high")
    sub = builders.watch_list(analyst, "Eastside", parent=theirs_list, priority="high")
    arrest = builders.arrest()
    alert = builders.alert(prosecutor, [mine], arrest_obj=arrest)
    builders.alert(analyst, [sub], arrest_obj=arrest)
    alert_deliveries_send()

    html = client_for(prosecutor).get(reverse("alerts:alert-detail", args=[alert.pk])).content
    page = html.decode()

    assert f"{analyst.get_full_name()}: Crews/Eastside" in page
    assert arrest.source_id in page and "PL 265.03" in page
    assert "Watched on Eastside" not in page  # their reasons stay theirs


def test_preferences_are_saved_and_move_pending_digests_to_the_new_hour(
    prosecutor, client_for
) -> None:
    wl = builders.watch_list(prosecutor, "Burglary")
    alert = builders.alert(
        prosecutor, [wl], digest=True, due_at=timezone.now() + timedelta(hours=3)
    )
    client = client_for(prosecutor)

    response = client.post(
        reverse("alerts:preferences"),
        {"email": "on", "quiet_from": "22:00", "quiet_until": "06:00", "digest_hour": "9"},
    )

    assert response.status_code == 302
    pref = AlertPreference.objects.get(user=prosecutor)
    assert (pref.email, pref.quiet_from, pref.quiet_until, pref.digest_hour) == (
        True,
        time(22),
        time(6),
        9,
    )
    for delivery in alert.deliveries.all():
        assert timezone.localtime(delivery.due_at).time() == time(9)
    assert AuditEvent.objects.filter(action="alerts.preference_update").exists()


def test_snooze_a_list_or_a_person_see_them_and_end_one(prosecutor, client_for) -> None:
    wl = builders.watch_list(prosecutor, "Shooters", priority="high")
    from guardian.shortcuts import assign_perm

    from alerts.models import WatchListUserObjectPermission  # noqa: F401 - grants via guardian

    assign_perm("own_watchlist", prosecutor, wl)
    alert = _delivered(prosecutor, wl)
    client = client_for(prosecutor)
    until = (timezone.localdate() + timedelta(days=5)).isoformat()

    client.post(reverse("alerts:snooze-list"), {"watch_list": wl.pk, "until": until})
    client.post(reverse("alerts:snooze-list"), {"person": alert.person_id, "until": until})
    page = client.get(reverse("alerts:snooze-list")).content.decode()

    snoozes = Snooze.objects.filter(user=prosecutor)
    assert snoozes.count() == 2
    assert "List Shooters and its sub-lists" in page and "never sent later" in page
    assert alert.person.last_name in page
    person_snooze = snoozes.get(person=alert.person)
    client.post(reverse("alerts:snooze-cancel", args=[person_snooze.pk]))
    person_snooze.refresh_from_db()
    assert person_snooze.until <= timezone.now()
    assert AuditEvent.objects.filter(action="alerts.snooze_create").count() == 2
    assert AuditEvent.objects.filter(action="alerts.snooze_cancel").count() == 1
    # A new alert on the snoozed list is not delivered.
    later = builders.alert(prosecutor, [wl])
    alert_deliveries_send()
    assert set(later.deliveries.values_list("status", flat=True)) == {AlertDelivery.Status.SKIPPED}
