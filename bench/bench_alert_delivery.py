"""Alert delivery: the cost of sending each alert exactly once (REL6).

2,000 alerts to 20 recipients (1,000 immediate, 1,000 for the daily digest), each with an in-app
and an e-mail delivery: 4,000 rows. ``alert_deliveries_send`` claims each row with SELECT ... FOR
UPDATE SKIP LOCKED, checks snoozes, quiet hours and preferences, sends (1,000 immediate e-mails +
20 digests, Django's in-memory backend) and marks and audits each row.
Baseline, same run: the same 1,020 e-mails built from the same text and sent with no claim, no
mark and no audit (what any sender must pay). Also: the header badge's COUNT for a recipient
with 100 alerts, 50 of them unread.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from alerts.models import Alert, AlertDelivery, WatchList
from alerts.selectors.inbox import alert_unacknowledged_count
from alerts.services.delivery import alert_deliveries_send, alert_text
from bench.support import best_of
from csu.actors import system_actor
from csu.services import user_create
from intel.models import Agency, Arrest, Person

RECIPIENTS = 20
PER_RECIPIENT = 100  # half immediate, half digest


def _data() -> list:
    system = system_actor()
    users = []
    for i in range(RECIPIENTS):
        user, _code = user_create(
            actor=system,
            username=f"bench.ada{i}",
            password="a benchmark passphrase long enough",  # noqa: S106
            role="prosecutor",
        )
        user.email = f"ada{i}@da.example.gov"
        user.save(update_fields=["email"])
        users.append(user)
    agency = Agency.objects.create(name="Bench Police Department", short_name="BPD")
    wl = WatchList.objects.create(name="Bench", owner=users[0], created_by=users[0])
    now = timezone.now()
    alerts = []
    for n in range(RECIPIENTS * PER_RECIPIENT):
        person = Person.objects.create(first_name="Sam", last_name=f"Bench{n}")
        arrest = Arrest.objects.create(
            source_agency=agency, source_id=f"B{n:06d}", arrested_at=now, person=person
        )
        alerts.append(
            Alert(
                arrest=arrest,
                recipient=users[n % RECIPIENTS],
                person=person,
                matches=[
                    {
                        "list": "Bench",
                        "list_id": wl.pk,
                        "entry_id": None,
                        "type": "person",
                        "reason": "Shooter in the bench feud",
                        "note": "",
                        "how": "state ID",
                        "score": 1.0,
                    }
                ],
                high_priority=(n // RECIPIENTS) % 2 == 0,
            )
        )
    Alert.objects.bulk_create(alerts)
    AlertDelivery.objects.bulk_create(
        AlertDelivery(
            alert=a, channel=channel, due_at=now - timedelta(seconds=1), digest=not a.high_priority
        )
        for a in alerts
        for channel in ("in_app", "email")
    )
    return users


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def run() -> dict[str, float]:
    mail.outbox = []
    users = _data()
    alerts = list(Alert.objects.select_related("arrest__source_agency", "person", "recipient"))

    def baseline() -> None:
        messages = [
            EmailMessage(subject="alert", body=alert_text(a), to=[a.recipient.email])
            for a in alerts
            if a.high_priority
        ]
        for user in users:
            mine = [a for a in alerts if not a.high_priority and a.recipient_id == user.pk]
            body = "\n\n".join(alert_text(a) for a in mine)
            messages.append(EmailMessage(subject="digest", body=body, to=[user.email]))
        mail.get_connection().send_messages(messages)

    base = best_of(1, baseline)
    baseline_mails = len(mail.outbox)
    mail.outbox = []
    sent: list[int] = []
    ours = best_of(1, lambda: sent.append(alert_deliveries_send(limit=10_000)))
    again = best_of(1, lambda: sent.append(alert_deliveries_send(limit=10_000)))

    Alert.objects.filter(recipient=users[0], high_priority=True).update(
        acknowledged_at=timezone.now()
    )
    users[0].has_perm("alerts.view_alert")
    with CaptureQueriesContext(connection) as queries:
        unread = alert_unacknowledged_count(actor=users[0])
    badge = best_of(20, lambda: alert_unacknowledged_count(actor=users[0]))

    print(
        f"   deliveries sent {sent[0]} (e-mails {len(mail.outbox)}, baseline {baseline_mails}) "
        f"in {ours:.2f} s = {ours / sent[0] * 1000:.2f} ms per delivery; "
        f"baseline (send only) {base:.2f} s; ratio {ours / base:.1f}x"
    )
    print(f"   a second run (redelivery) sent {sent[1]} in {again * 1000:.0f} ms")
    print(f"   badge: {unread} unread, {len(queries)} query, {badge * 1000:.2f} ms")
    return {"seconds": ours, "baseline": base, "badge_ms": badge * 1000}
