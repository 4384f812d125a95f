"""Delivering alerts: in the app (the inbox and its badge) and by e-mail, once each.

``alert_deliveries_send`` sends every pending delivery that is due. Each row (or, for a digest,
each recipient's due rows) is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` in a short
transaction, skipped when ``sent_at`` is already set, sent, then marked sent in the same
transaction (REL6). Two workers never send the same row: the second one skips the locked row,
and finds it sent once the first commits. A redelivered task finds nothing left to send.

The one remaining gap: a worker that dies after the SMTP server accepted an e-mail and before
its transaction committed leaves the row pending, so the next run sends that e-mail again. That
is at most one duplicate e-mail per delivery (per digest) and only on such a crash; nothing is
ever lost, because the row stays pending until a commit marks it.

A failed e-mail never holds up the others: its row counts the attempt, keeps the error and is
retried with exponential backoff (1, 2, 4, 8 minutes) by the next runs (the beat entry
``alert-deliveries`` runs every minute); after ``MAX_ATTEMPTS`` it is marked failed.

An e-mail whose content comes from an intelligence record (a match carrying ``record_id``: an
entry made from a record) is a dissemination: its ``DisseminationLog`` row (channel "alert") is
written in the transaction that marks the delivery sent (28 CFR 23.20(g)). E-mails carry no
intelligence narrative, and never the owner-only note of an entry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from alerts.models import Alert, AlertDelivery, AlertPreference
from alerts.schedule import after_quiet_hours, in_quiet_hours, preference_for
from alerts.services.snoozes import alert_is_snoozed, snoozed_list_ids, snoozed_person_ids
from csu import audit
from csu.actors import system_actor

if TYPE_CHECKING:
    from csu.models import User

logger = logging.getLogger(__name__)

BATCH = 500
# The alert page (``alerts:alert-detail``; a test holds them equal). Not ``reverse``: in a worker
# that would import every view of the site (plotly included) before the first e-mail.
ALERT_PATH = "/alerts/{pk}/"
MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)  # doubled after each failed attempt
DELIVERY_HEADER = "X-CSU-Alert-Deliveries"

Status = AlertDelivery.Status
Channel = AlertDelivery.Channel


@dataclass
class _Run:
    """One run: its clock, and each recipient's snoozes and preferences read once."""

    now: datetime
    actor: User
    sent: int = 0
    snoozes: dict[int, tuple[set[int], set[int]]] = field(default_factory=dict)
    preferences: dict[int, AlertPreference] = field(default_factory=dict)

    def snoozed(self, user_id: int) -> tuple[set[int], set[int]]:
        if user_id not in self.snoozes:
            self.snoozes[user_id] = (
                snoozed_list_ids(user_id=user_id, now=self.now),
                snoozed_person_ids(user_id=user_id, now=self.now),
            )
        return self.snoozes[user_id]

    def preference(self, user_id: int) -> AlertPreference:
        if user_id not in self.preferences:
            self.preferences[user_id] = preference_for(user_id)
        return self.preferences[user_id]


def alert_deliveries_send(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Send every pending delivery due at ``now``: in-app and immediate e-mail one by one, then
    one digest e-mail per recipient with all their due digest deliveries. Returns how many
    deliveries were marked sent. Safe to run any number of times, at once, on several workers."""
    run = _Run(now=now or timezone.now(), actor=system_actor())
    due = AlertDelivery.objects.filter(status=Status.PENDING, due_at__lte=run.now)
    single = list(
        due.exclude(channel=Channel.EMAIL, digest=True)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for delivery_id in single:
        _send_single(run, delivery_id)
    recipients = list(
        due.filter(channel=Channel.EMAIL, digest=True)
        .order_by("alert__recipient_id")
        .values_list("alert__recipient_id", flat=True)
        .distinct()[:limit]
    )
    for recipient_id in recipients:
        _send_digest(run, recipient_id, limit)
    return run.sent


def _claim(run: _Run) -> Any:
    return (
        AlertDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("alert__recipient", "alert__arrest__source_agency", "alert__person")
        .filter(status=Status.PENDING, sent_at__isnull=True, due_at__lte=run.now)
    )


def _send_single(run: _Run, delivery_id: int) -> None:
    with transaction.atomic():
        delivery = _claim(run).filter(pk=delivery_id).first()
        if delivery is None:  # sent, or being sent by another worker
            return
        kept = _hold(run, [delivery])
        if not kept:
            return
        if delivery.channel == Channel.IN_APP:
            _mark_sent(run, [delivery])
            return
        _send_email(run, kept, digest=False)


def _send_digest(run: _Run, recipient_id: int, limit: int) -> None:
    with transaction.atomic():
        rows = list(
            _claim(run)
            .filter(channel=Channel.EMAIL, digest=True, alert__recipient_id=recipient_id)
            .order_by("alert__created_at", "id")[:limit]
        )
        kept = _hold(run, rows)
        if kept:
            _send_email(run, kept, digest=True)


def _hold(run: _Run, rows: list[AlertDelivery]) -> list[AlertDelivery]:
    """The rows that may go now. Snoozed ones are skipped for good; inside the recipient's quiet
    hours all are moved to their end; an e-mail to someone who turned e-mail off, or has no
    address, is skipped."""
    if not rows:
        return []
    recipient = rows[0].alert.recipient
    lists, people = run.snoozed(recipient.pk)
    kept = []
    for row in rows:
        if alert_is_snoozed(alert=row.alert, lists=lists, people=people):
            _finish(run, row, Status.SKIPPED, "snoozed")
        else:
            kept.append(row)
    if not kept:
        return []
    preference = run.preference(recipient.pk)
    local = run.now.astimezone(ZoneInfo(settings.TIME_ZONE or "UTC"))
    if in_quiet_hours(local.time(), preference):
        later = after_quiet_hours(run.now, preference)
        for row in kept:
            row.due_at = later
            row.save(update_fields=["due_at"])
        return []
    if kept[0].channel == Channel.EMAIL and (not preference.email or not recipient.email):
        why = "e-mail switched off" if not preference.email else "no e-mail address"
        for row in kept:
            _finish(run, row, Status.SKIPPED, why)
        return []
    return kept


def _finish(run: _Run, row: AlertDelivery, status: str, why: str) -> None:
    row.status = status
    row.last_error = why
    row.save(update_fields=["status", "last_error"])
    audit.audit_log(
        actor=run.actor,
        action="alerts.delivery_skipped",
        obj=row.alert,
        delivery=row.pk,
        channel=row.channel,
        reason=why,
    )


def _mark_sent(run: _Run, rows: list[AlertDelivery]) -> None:
    for row in rows:
        row.status = Status.SENT
        row.sent_at = run.now
        row.attempts += 1
        row.last_error = ""
        row.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        audit.audit_log(
            actor=run.actor,
            action="alerts.delivered",
            obj=row.alert,
            delivery=row.pk,
            channel=row.channel,
            digest=row.digest,
        )
    run.sent += len(rows)


def _send_email(run: _Run, rows: list[AlertDelivery], *, digest: bool) -> None:
    """Send one e-mail for ``rows`` (one alert, or a recipient's digest) and mark them, with
    any dissemination it makes, in the caller's transaction. A failure is recorded on the rows
    and rolls back nothing but this e-mail's own savepoint."""
    recipient = rows[0].alert.recipient
    alerts = [row.alert for row in rows]
    message = EmailMessage(
        subject=_subject(alerts, digest=digest),
        body=_body(alerts, digest=digest),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={DELIVERY_HEADER: ",".join(str(row.pk) for row in rows)},
    )
    try:
        with transaction.atomic():
            _disseminate(run, recipient, alerts)
            get_connection(fail_silently=False).send_messages([message])
    except Exception as exc:  # noqa: BLE001 - any failure of one e-mail is retried, never raised
        logger.warning("alert e-mail %s failed: %s", [r.pk for r in rows], exc)
        _failed(run, rows, f"{type(exc).__name__}: {exc}"[:300])
        return
    _mark_sent(run, rows)


def _failed(run: _Run, rows: list[AlertDelivery], error: str) -> None:
    for row in rows:
        row.attempts += 1
        row.last_error = error
        if row.attempts >= MAX_ATTEMPTS:
            row.status = Status.FAILED
        else:
            row.due_at = run.now + BACKOFF * (2 ** (row.attempts - 1))
        row.save(update_fields=["attempts", "last_error", "status", "due_at"])
        audit.audit_log(
            actor=run.actor,
            action="alerts.delivery_failed",
            outcome="failure",
            obj=row.alert,
            delivery=row.pk,
            attempts=row.attempts,
            final=row.status == Status.FAILED,
        )


def _disseminate(run: _Run, recipient: User, alerts: list[Alert]) -> None:
    """A dissemination log row for each intelligence record an e-mail's content comes from."""
    from intel.models import Agency, DisseminationLog, IntelRecord

    record_ids = {m["record_id"] for a in alerts for m in (a.matches or []) if m.get("record_id")}
    if not record_ids:
        return
    records = IntelRecord.objects.filter(pk__in=record_ids).select_related("submitting_agency")
    own_agency = Agency.objects.filter(name__iexact=recipient.agency).first()
    for record in records:
        DisseminationLog.objects.create(
            record=record,
            recipient=f"{recipient.get_full_name() or recipient.username} <{recipient.email}>",
            recipient_agency=own_agency or record.submitting_agency,
            reason="Arrest alert e-mail to a recipient of a watch list naming this record.",
            disseminated_by=run.actor,
            channel="alert",
        )
        audit.audit_log(
            actor=run.actor,
            action="intel.disseminate",
            obj=record,
            channel="alert",
            recipient=recipient.pk,
        )


# --- the e-mail's text ----------------------------------------------------------------------


def _subject(alerts: list[Alert], *, digest: bool) -> str:
    if digest:
        n = len(alerts)
        return f"[CSU] Daily arrest alerts: {n} arrest{'s' if n != 1 else ''}"
    alert = alerts[0]
    who = _person(alert)
    return f"[CSU] Arrest alert: {who}, {alert.arrest.source_agency.name} {alert.arrest.source_id}"


def _person(alert: Alert) -> str:
    person = alert.person
    if person is not None:
        return f"{person.first_name} {person.last_name}".strip() or f"person #{person.pk}"
    return alert.arrest.name_as_recorded or f"arrest #{alert.arrest_id}"


def alert_text(alert: Alert) -> str:
    """One alert as plain text: the arrest, the person, and every list and reason that matched.
    The note for recipients is shown, never an entry's owner-only note (the matches do not carry
    it) and never an intelligence narrative."""
    arrest = alert.arrest
    local = arrest.arrested_at.astimezone(ZoneInfo(settings.TIME_ZONE or "UTC"))
    charges = [
        " ".join(p for p in (c.statute or c.offense_code, c.description) if p)
        for c in arrest.charges.all().order_by("sequence")
    ]
    lines = [
        f"Arrest: {arrest.source_agency.name} no. {arrest.source_id}"
        + (f" (booking {arrest.booking_number})" if arrest.booking_number else ""),
        f"Arrested at: {local:%Y-%m-%d %H:%M %Z}",
        f"Charges: {'; '.join(c for c in charges if c) or 'none recorded'}",
        f"Person: {_person(alert)}"
        + (f" (DOB {alert.person.dob:%Y-%m-%d})" if alert.person and alert.person.dob else ""),
        "Matched:",
    ]
    for match in alert.matches or []:
        score = match.get("score")
        how = match.get("how") or match.get("type", "")
        lines.append(f"  - {match.get('list') or 'Open case'}: {match.get('reason', '')}")
        lines.append(f"    how: {how}" + (f", score {float(score):.2f}" if score else ""))
        if match.get("note"):
            lines.append(f"    note: {match['note']}")
    base = getattr(settings, "CSU_SITE_URL", "").rstrip("/")
    lines.append(f"Alert page: {base}{ALERT_PATH.format(pk=alert.pk)}")
    return "\n".join(lines)


def _body(alerts: list[Alert], *, digest: bool) -> str:
    intro = (
        f"Your daily digest: {len(alerts)} arrest alert(s) since the last one."
        if digest
        else "A person on one of your watch lists was arrested."
    )
    parts = [intro, ""]
    for n, alert in enumerate(alerts, 1):
        if digest:
            parts.append(f"{n}.")
        parts.extend([alert_text(alert), ""])
    parts.append(
        "Acknowledge each alert and record the action taken on its page. Criminal justice "
        "information: handle under the CJIS Security Policy."
    )
    return "\n".join(parts)
