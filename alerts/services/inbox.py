"""What a recipient does with an alert: acknowledge it, record the action taken; and their
delivery preferences."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alerts.models import Alert, AlertDelivery, AlertPreference
from alerts.schedule import after_quiet_hours, next_digest
from csu import audit

if TYPE_CHECKING:
    from csu.models import User


def _own(actor: User, alert: Alert) -> Alert:
    if not actor.has_perm("alerts.change_alert"):
        raise PermissionDenied
    found = Alert.objects.visible_to(actor).select_for_update().filter(pk=alert.pk).first()
    if found is None:
        raise Alert.DoesNotExist("No such alert.")
    return found


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert, action: str = "", note: str = "") -> Alert:
    """The recipient has read the alert (the first time counts); with ``action``, what they did
    about it (bail argued, case added, ADA contacted, no action), with a note. Recording the
    action again replaces it, and the audit trail keeps each."""
    alert = _own(actor, alert)
    if action and action not in Alert.Action.values:
        raise ValidationError({"action": "Choose one of the listed actions."})
    now = timezone.now()
    fields = []
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        fields.append("acknowledged_at")
    if action:
        alert.action = action
        alert.action_note = note.strip()
        alert.action_at = now
        fields += ["action", "action_note", "action_at"]
    if fields:
        alert.save(update_fields=fields)
    audit.audit_log(
        actor=actor,
        action="alerts.alert_acknowledge",
        obj=alert,
        taken=action or None,
        first=("acknowledged_at" in fields),
    )
    return alert


@transaction.atomic
def alert_preference_update(
    *,
    actor: User,
    email: bool,
    quiet_from: time | None,
    quiet_until: time | None,
    digest_hour: int,
) -> AlertPreference:
    """Save the actor's delivery settings and move their pending deliveries to match: digests
    to the new digest hour, anything due inside the new quiet hours to their end."""
    if (quiet_from is None) != (quiet_until is None):
        raise ValidationError("Quiet hours need both a start and an end.")
    preference, _ = AlertPreference.objects.select_for_update().get_or_create(user=actor)
    preference.email = email
    preference.quiet_from = quiet_from
    preference.quiet_until = quiet_until
    preference.digest_hour = digest_hour
    preference.full_clean()
    preference.save()
    now = timezone.now()
    pending = AlertDelivery.objects.select_for_update().filter(
        alert__recipient=actor, status=AlertDelivery.Status.PENDING
    )
    moved = 0
    for delivery in pending:
        due = next_digest(now, preference) if delivery.digest else delivery.due_at
        due = after_quiet_hours(due, preference)
        if due != delivery.due_at:
            delivery.due_at = due
            delivery.save(update_fields=["due_at"])
            moved += 1
    audit.audit_log(
        actor=actor,
        action="alerts.preference_update",
        obj=preference,
        email=email,
        digest_hour=digest_hour,
        quiet=bool(quiet_from),
        moved=moved,
    )
    return preference
