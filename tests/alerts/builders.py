"""Watch lists, entries and alerts made with the ORM, as matching (part E) writes them: one
alert per arrest and recipient, with an in-app and an e-mail delivery row."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from alerts.models import Alert, AlertDelivery, WatchEntry, WatchList
from tests.factories import ArrestChargeFactory, ArrestFactory


def watch_list(owner: Any, name: str, parent: WatchList | None = None, **kw: Any) -> WatchList:
    return WatchList.objects.create(
        name=name,
        parent=parent,
        level=parent.level + 1 if parent else 1,
        owner=owner,
        created_by=owner,
        **kw,
    )


def path(wl: WatchList) -> str:
    names = []
    node: WatchList | None = wl
    while node is not None:
        names.append(node.name)
        node = node.parent
    return "/".join(reversed(names))


def entry(wl: WatchList, person: Any, **kw: Any) -> WatchEntry:
    return WatchEntry.objects.create(
        watch_list=wl,
        kind="person",
        person=person,
        reason=kw.pop("reason", "Shooter in the 2024 Elm Street feud"),
        owner_note=kw.pop("owner_note", "OWNER ONLY: informant says he moved"),
        note=kw.pop("note", "Call ADA Rivera before arraignment"),
        expires_at=kw.pop("expires_at", timezone.now() + timedelta(days=365)),
        created_by=wl.owner,
        **kw,
    )


def arrest(**kw: Any) -> Any:
    made = ArrestFactory(**kw)
    ArrestChargeFactory(
        arrest=made, statute="PL 265.03", description="Criminal possession of a weapon 2"
    )
    return made


def alert(
    recipient: Any,
    lists: list[WatchList],
    *,
    arrest_obj: Any = None,
    due_at: datetime | None = None,
    digest: bool = False,
    created_at: datetime | None = None,
    extra_match: dict[str, Any] | None = None,
) -> Alert:
    arrest_obj = arrest_obj or arrest()
    matches = [
        {
            "list": path(wl),
            "list_id": wl.pk,
            "entry_id": None,
            "type": "person",
            "reason": f"Watched on {wl.name}: shooter in the Elm Street feud",
            "note": "Call ADA Rivera before arraignment",
            "how": "state ID",
            "score": 1.0,
        }
        for wl in lists
    ]
    if extra_match:
        matches.append(extra_match)
    made = Alert.objects.create(
        arrest=arrest_obj,
        recipient=recipient,
        person=arrest_obj.person,
        matches=matches,
        high_priority=not digest,
    )
    if created_at is not None:
        Alert.objects.filter(pk=made.pk).update(created_at=created_at)
        made.refresh_from_db()
    due = due_at or timezone.now()
    for channel in (AlertDelivery.Channel.IN_APP, AlertDelivery.Channel.EMAIL):
        AlertDelivery.objects.create(alert=made, channel=channel, due_at=due, digest=digest)
    return made
