"""Snoozes: a recipient silences a list (with its sub-lists) or a person until a date. Matching
(alerts.services.alerts) makes no alert for a snoozed recipient; delivery checks again when a
delivery falls due, and skips it for good (a snoozed alert never goes out later)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alerts.models import Alert, Snooze, WatchList
from csu import audit

if TYPE_CHECKING:
    from csu.models import User
    from intel.models import Person


def snoozed_list_ids(*, user_id: int, now: datetime) -> set[int]:
    """The lists the user has snoozed now, with every list below them (three levels)."""
    direct = list(
        Snooze.objects.filter(user_id=user_id, until__gt=now, watch_list__isnull=False).values_list(
            "watch_list_id", flat=True
        )
    )
    if not direct:
        return set()
    below = WatchList.objects.filter(parent_id__in=direct).values_list("id", flat=True)
    below2 = WatchList.objects.filter(parent__parent_id__in=direct).values_list("id", flat=True)
    return set(direct) | set(below) | set(below2)


def snoozed_person_ids(*, user_id: int, now: datetime) -> set[int]:
    return set(
        Snooze.objects.filter(user_id=user_id, until__gt=now, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )


def alert_is_snoozed(*, alert: Alert, lists: Iterable[int], people: Iterable[int]) -> bool:
    """Whether every reason of the alert is snoozed by its recipient: its person, or each list
    that matched (a match without a list, an open case, is never snoozed by a list)."""
    if alert.person_id is not None and alert.person_id in set(people):
        return True
    snoozed = set(lists)
    matches: list[dict[str, Any]] = alert.matches or []
    if not matches or not snoozed:
        return False
    return all(m.get("list_id") in snoozed for m in matches)


@transaction.atomic
def snooze_create(
    *,
    actor: User,
    until: datetime,
    watch_list: WatchList | None = None,
    person: Person | None = None,
) -> Snooze:
    """Silence a list the actor may see (and its sub-lists), or a person, until ``until``."""
    if (watch_list is None) == (person is None):
        raise ValidationError("Snooze either a list or a person.")
    if until <= timezone.now():
        raise ValidationError("A snooze ends in the future.")
    if (
        watch_list is not None
        and not WatchList.objects.visible_to(actor).filter(pk=watch_list.pk).exists()
    ):
        raise WatchList.DoesNotExist("No such watch list.")
    snooze = Snooze(user=actor, watch_list=watch_list, person=person, until=until)
    snooze.full_clean()
    snooze.save()
    audit.audit_log(
        actor=actor,
        action="alerts.snooze_create",
        obj=snooze,
        watch_list=watch_list.pk if watch_list else None,
        person=person.pk if person else None,
        until=until.isoformat(),
    )
    return snooze


@transaction.atomic
def snooze_cancel(*, actor: User, snooze: Snooze) -> None:
    """End one of the actor's own snoozes now: alerts made from now on are delivered again."""
    if snooze.user_id != actor.pk:
        raise Snooze.DoesNotExist("No such snooze.")
    snooze.until = timezone.now()
    snooze.save(update_fields=["until"])
    audit.audit_log(actor=actor, action="alerts.snooze_cancel", obj=snooze)
