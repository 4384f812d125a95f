"""What a recipient reads: their delivered alerts, one alert, the badge count, their snoozes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from alerts.models import Alert, AlertDelivery, Snooze, WatchList

if TYPE_CHECKING:
    from csu.models import User


def _delivered_in_app() -> Exists:
    return Exists(
        AlertDelivery.objects.filter(
            alert=OuterRef("pk"),
            channel=AlertDelivery.Channel.IN_APP,
            status=AlertDelivery.Status.SENT,
        )
    )


def alert_inbox_list(*, actor: User, unacknowledged_only: bool = False) -> QuerySet[Alert]:
    """The actor's alerts delivered in the app, newest first."""
    alerts = (
        Alert.objects.visible_to(actor)
        .filter(_delivered_in_app())
        .select_related("arrest__source_agency", "person")
        .order_by("-created_at", "-id")
    )
    if unacknowledged_only:
        alerts = alerts.filter(acknowledged_at__isnull=True)
    return alerts


def alert_unacknowledged_count(*, actor: User) -> int:
    """The badge: the actor's delivered alerts not yet acknowledged (one indexed COUNT)."""
    if not actor.is_authenticated or not actor.has_perm("alerts.view_alert"):
        return 0
    return alert_inbox_list(actor=actor, unacknowledged_only=True).order_by().count()


def alert_get(*, actor: User, pk: int) -> Alert:
    """One of the actor's alerts; another user's is ``Alert.DoesNotExist`` (a 404)."""
    return (
        Alert.objects.visible_to(actor)
        .select_related("arrest__source_agency", "person")
        .prefetch_related("arrest__charges", "deliveries")
        .get(pk=pk)
    )


def alert_other_recipients(*, actor: User, alert: Alert) -> list[dict[str, Any]]:
    """Who else was alerted to the same arrest and through which lists (names only: their
    reasons and notes stay theirs), so recipients can coordinate."""
    others = (
        Alert.objects.filter(arrest_id=alert.arrest_id)
        .exclude(recipient=actor)
        .select_related("recipient")
        .order_by("recipient__last_name", "recipient__username")
    )
    return [
        {
            "name": other.recipient.get_full_name() or other.recipient.get_username(),
            "lists": sorted({m.get("list") or "Open case" for m in other.matches or []}),
        }
        for other in others
    ]


def snooze_active_list(*, actor: User, now: datetime | None = None) -> QuerySet[Snooze]:
    """The actor's snoozes still running."""
    return (
        Snooze.objects.filter(user=actor, until__gt=now or timezone.now())
        .select_related("watch_list", "person")
        .order_by("until")
    )


def snooze_list_choices(*, actor: User) -> QuerySet[WatchList]:
    """The lists the actor may snooze: those they can see."""
    return WatchList.objects.visible_to(actor).select_related("parent__parent")


def snooze_person_get(*, actor: User, pk: int) -> Any:
    """A person the actor may see, to snooze; ``None`` when they may not (or it is missing)."""
    from intel.models import Person

    return Person.objects.visible_to(actor).filter(pk=pk).first()
