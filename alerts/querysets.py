"""Who may see which watch lists, entries and alerts: decided here and nowhere else.

A user's role on a list is the strongest django-guardian grant (to them or one of their groups)
on the list or any ancestor: owner (``own_watchlist``) > editor (``change_watchlist``) > viewer
(``view_watchlist``). Global permissions never count as a grant; the role's model permission
(``csu.roles``) is only the door: without it a user sees no list at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from csu.models import User

_M = TypeVar("_M", bound=models.Model)

# Strongest first.
ROLE_CODENAMES = {
    "owner": "own_watchlist",
    "editor": "change_watchlist",
    "viewer": "view_watchlist",
}


def _may(actor: User, perm: str) -> bool:
    return bool(actor.is_active and actor.has_perm(perm))


def granted_list_ids(actor: User, codenames: tuple[str, ...] | None = None) -> models.QuerySet[Any]:
    """Ids of the lists on which the actor (or one of their groups) holds one of ``codenames``
    (any role when None), directly, not inherited."""
    # By name: the models module imports this one (no import loop between siblings).
    by_user_model = apps.get_model("alerts", "WatchListUserObjectPermission")
    by_group_model = apps.get_model("alerts", "WatchListGroupObjectPermission")
    codenames = codenames or tuple(ROLE_CODENAMES.values())
    by_user = by_user_model.objects.filter(user=actor, permission__codename__in=codenames).values(
        "content_object_id"
    )
    by_group = by_group_model.objects.filter(
        group__in=actor.groups.all(), permission__codename__in=codenames
    ).values("content_object_id")
    return by_user.union(by_group)


def inherited(field: str, ids: models.QuerySet[Any]) -> Q:
    """Lists (reached through ``field``, "" for the list itself) that are one of ``ids`` or
    below one of them: three levels at most."""
    prefix = f"{field}__" if field else ""
    return (
        Q(**{f"{prefix}id__in": ids})
        | Q(**{f"{prefix}parent_id__in": ids})
        | Q(**{f"{prefix}parent__parent_id__in": ids})
    )


class WatchListQuerySet(models.QuerySet[_M]):
    def visible_to(self, actor: User) -> WatchListQuerySet[_M]:
        """Lists the actor holds a role on, directly or through an ancestor."""
        if not _may(actor, "alerts.view_watchlist"):
            return self.none()
        return self.filter(inherited("", granted_list_ids(actor)))


class WatchEntryQuerySet(models.QuerySet[_M]):
    def visible_to(self, actor: User) -> WatchEntryQuerySet[_M]:
        """Entries of the lists the actor may see. The owner-only note is the pages' to hide:
        only ``created_by`` reads it."""
        if not _may(actor, "alerts.view_watchentry"):
            return self.none()
        return self.filter(inherited("watch_list", granted_list_ids(actor)))


class AlertQuerySet(models.QuerySet[_M]):
    def visible_to(self, actor: User) -> AlertQuerySet[_M]:
        """A recipient's own alerts; supervisors' fatigue report reads counts through its own
        selector, never another user's alert content."""
        if not _may(actor, "alerts.view_alert"):
            return self.none()
        return self.filter(recipient=actor)
