"""When an alert's delivery may go: at once for a high-priority list, at the recipient's daily
digest hour otherwise, and never inside their quiet hours (the office's local time)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from alerts.models import AlertPreference


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE or "UTC"))


def in_quiet_hours(at: time, preference: AlertPreference) -> bool:
    """Whether a local time falls inside the quiet hours (which may span midnight)."""
    start, end = preference.quiet_from, preference.quiet_until
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def after_quiet_hours(moment: datetime, preference: AlertPreference) -> datetime:
    """``moment``, or the end of the quiet hours it falls in."""
    local = _local(moment)
    if not in_quiet_hours(local.time(), preference):
        return moment
    assert preference.quiet_until is not None  # in_quiet_hours said both are set
    end = local.replace(
        hour=preference.quiet_until.hour,
        minute=preference.quiet_until.minute,
        second=0,
        microsecond=0,
    )
    if end <= local:
        end += timedelta(days=1)
    return end


def next_digest(moment: datetime, preference: AlertPreference) -> datetime:
    """The first digest hour at or after ``moment``."""
    local = _local(moment)
    digest = local.replace(hour=preference.digest_hour, minute=0, second=0, microsecond=0)
    if digest < local:
        digest += timedelta(days=1)
    return digest


def delivery_due_at(
    *, preference: AlertPreference, high_priority: bool, now: datetime
) -> tuple[datetime, bool]:
    """When a new alert's deliveries may go, and whether they belong to the daily digest."""
    if high_priority:
        return after_quiet_hours(now, preference), False
    return after_quiet_hours(next_digest(now, preference), preference), True


def preference_for(user_id: int) -> AlertPreference:
    """The user's preferences, or the defaults (unsaved) when they never set any."""
    found = AlertPreference.objects.filter(user_id=user_id).first()
    return found if found is not None else AlertPreference(user_id=user_id)
