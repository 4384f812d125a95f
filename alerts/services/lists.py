"""Watch-list services. (Part D of issue 13 owns this module; ``watchlist_pause`` is the one the
fatigue report needs.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alerts.models import WatchList
from csu import audit

if TYPE_CHECKING:
    from csu.models import User


@transaction.atomic
def watchlist_pause(*, actor: User, watch_list: WatchList, reason: str) -> WatchList:
    """Pause a list (and so the lists below it): matching makes no alert from a paused list.
    A supervisor reviewing alert fatigue, or the list's owner, may pause it."""
    if not actor.has_perm("alerts.review_fatigue"):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Say why the list is paused (10 characters or more)."})
    watch_list = WatchList.objects.select_for_update().get(pk=watch_list.pk)
    if watch_list.paused_at is None:
        watch_list.paused_at = timezone.now()
        watch_list.paused_by = actor
        watch_list.pause_reason = reason[:300]
        watch_list.save(update_fields=["paused_at", "paused_by", "pause_reason"])
    audit.audit_log(actor=actor, action="alerts.watchlist_pause", obj=watch_list, purpose=reason)
    return watch_list
